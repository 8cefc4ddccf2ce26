// Package screens holds the console's stage screens and the readiness
// header. Every screen shows one State, loaded in the background after each
// change, so the header and all screens always agree.
package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// Workspace is the engine's workspace stage as the screens use it;
// *workspace.Service implements it.
type Workspace interface {
	Get(ctx context.Context) (workspace.Workspace, error)
	Sources(ctx context.Context) ([]workspace.Source, error)
	AddSource(ctx context.Context, req workspace.NewSource) (workspace.Source, error)
	ArchiveSource(ctx context.Context, name string) (workspace.Source, error)
	AuditTrail(ctx context.Context) ([]audit.Entry, *audit.Break, error)
}

// Readiness computes the workspace summary and the preview-handoff gate
// from every stage's records; *readiness.Service implements it.
type Readiness interface {
	Summary(ctx context.Context) (readiness.Summary, error)
}

// State is everything the screens show, read in one go.
type State struct {
	Workspace workspace.Workspace
	Summary   readiness.Summary
	Sources   []workspace.Source
	Trail     []audit.Entry
}

// Load reads the state of w, and its summary from r.
func Load(ctx context.Context, w Workspace, r Readiness) (State, error) {
	var st State
	var err error
	if st.Workspace, err = w.Get(ctx); err != nil {
		return State{}, err
	}
	if st.Summary, err = r.Summary(ctx); err != nil {
		return State{}, err
	}
	if st.Sources, err = w.Sources(ctx); err != nil {
		return State{}, err
	}
	if st.Trail, _, err = w.AuditTrail(ctx); err != nil {
		return State{}, err
	}
	return st, nil
}

// Env is what a screen needs from the window around it.
type Env struct {
	Window    fyne.Window
	Workspace Workspace
	Readiness Readiness
	// Vendors are the incumbent platforms: their names, how their sources
	// are described, and the add-source forms built from their specs.
	Vendors vendor.Registry
	// Inventory is nil when the session offers no inventory stage.
	Inventory Inventory
	// Target is nil when the session cannot connect to the Portal.
	Target TargetConnector
	// Assessment is nil when the session offers no assessment stage.
	Assessment Assessment
	// Merge and OCM are nil when the session offers no merge review or
	// OCM stage.
	Merge Merge
	OCM   OCM
	// Rollout is nil when the session offers no rollout stage.
	Rollout Rollout
	Tasks   *task.Group
	// Changed reloads the state into the header and every screen; call it
	// after each successful change.
	Changed func()
}

// Screen is one stage's view.
type Screen interface {
	Content() fyne.CanvasObject
	Show(State)
}

// ShowError reports err in a dialog that wraps long engine messages (a
// keychain error names its fix, and that sentence must stay readable).
func ShowError(win fyne.Window, title string, err error) {
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "Close", msg, win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// formatTime renders a timestamp in the consultant's local time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func formatOptionalTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return formatTime(*t)
}

// Readable turns an engine state name such as ready_for_inventory into
// "Ready for inventory".
func Readable(state string) string {
	if state == "" {
		return "—"
	}
	b := []byte(state)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// ModeLabel explains a workspace mode in a few words.
func ModeLabel(m workspace.Mode) string {
	switch m {
	case workspace.ModeFirstRunAdoption:
		return "First-run adoption"
	case workspace.ModeMergeIntoExisting:
		return "Merge into existing"
	default:
		return fmt.Sprintf("Unknown mode %q", m)
	}
}
