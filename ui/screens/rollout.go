package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/ui/task"
)

// Rollout is the engine's rollout stage as the screens use it;
// *rollout.Service implements it.
type Rollout interface {
	Checklist(ctx context.Context) (rollout.Checklist, error)
	Route(ctx context.Context, identifier string) (api.RoutingResolution, error)
	Board(ctx context.Context) (rollout.Board, error)
	Waves(ctx context.Context) ([]rollout.Wave, error)
	CreateWave(ctx context.Context, req rollout.NewWave) (rollout.Wave, error)
	GroupSources(ctx context.Context) ([]rollout.GroupSource, error)
	PreviewWave(ctx context.Context, ref string) (rollout.Preview, error)
	PreviewEnforce(ctx context.Context, ref string, guaranteedRouting bool) (rollout.Preview, error)
	PreviewRollback(ctx context.Context) (rollout.Preview, error)
	PreviewScim(ctx context.Context, enable bool) (rollout.Preview, error)
	ScimPreflight(ctx context.Context) (rollout.ScimPreflight, error)
	Apply(ctx context.Context, runID, token string, progress func(rollout.Progress)) (rollout.Run, []rollout.Step, error)
	Resume(ctx context.Context, runID string, progress func(rollout.Progress)) (rollout.Run, []rollout.Step, error)
	Runs(ctx context.Context) ([]rollout.Run, error)
	Monitor(ctx context.Context, ref string) (rollout.WaveMonitor, error)
	RoleMapping(ctx context.Context) (rollout.RoleMapping, error)
	SetRoleMapping(ctx context.Context, rules []rollout.RoleRule, defaultRole string) (rollout.RoleMapping, error)
	ApproveElevation(ctx context.Context, n int) (rollout.RoleMapping, error)
	ApplyRoleMapping(ctx context.Context) (api.SsoConfiguration, error)
	SimulateRoles(ctx context.Context, snapshotID string) (rollout.RoleSimulation, error)
}

var _ Rollout = (*rollout.Service)(nil)

// RolloutScreen is the progressive SSO rollout stage: the checklist and the
// routing tester, the wave board with preview, apply and enforcement,
// monitoring, rollback and SCIM, and role mapping.
type RolloutScreen struct {
	env      Env
	panel    *applyPanel
	check    *checklistTab
	board    *boardTab
	monitor  *monitorTab
	rollback *rollbackTab
	roles    *rolesTab
	tabs     *container.AppTabs
	content  fyne.CanvasObject
	state    State
	disabled *widget.Label
}

// NewRolloutScreen builds the screen; Show fills it.
func NewRolloutScreen(env Env) Screen {
	s := &RolloutScreen{env: env, panel: newApplyPanel()}
	s.check = newChecklistTab(s)
	s.board = newBoardTab(s)
	s.monitor = newMonitorTab(s)
	s.rollback = newRollbackTab(s)
	s.roles = newRolesTab(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Checklist", theme.ConfirmIcon(), s.check.content),
		container.NewTabItemWithIcon("Waves", theme.AccountIcon(), s.board.content),
		container.NewTabItemWithIcon("Monitoring", theme.VisibilityIcon(), s.monitor.content),
		container.NewTabItemWithIcon("Rollback & SCIM", theme.MediaReplayIcon(), s.rollback.content),
		container.NewTabItemWithIcon("Role mapping", theme.SettingsIcon(), s.roles.content),
	)
	s.tabs.OnSelected = func(*container.TabItem) { s.refreshTab() }
	s.disabled = widget.NewLabel("Connect the workspace to the Portal (Workspace stage) to roll users out to SSO.")
	s.disabled.Wrapping = fyne.TextWrapWord
	s.disabled.Hide()
	top := container.NewVBox(heading("SSO rollout"), s.disabled, s.panel.content)
	s.content = container.NewBorder(top, nil, nil, nil, s.tabs)
	return s
}

// Content implements Screen.
func (s *RolloutScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen.
func (s *RolloutScreen) Show(st State) {
	s.state = st
	if s.env.Rollout == nil || st.Workspace.Target.URL == "" {
		s.disabled.Show()
		s.tabs.Hide()
		return
	}
	s.disabled.Hide()
	s.tabs.Show()
	s.refreshTab()
}

// refreshTab reloads what the visible tab shows from the live Portal.
func (s *RolloutScreen) refreshTab() {
	if s.env.Rollout == nil || s.state.Workspace.Target.URL == "" {
		return
	}
	switch s.tabs.SelectedIndex() {
	case 0:
		if s.check.loaded == nil {
			s.check.run()
		}
	case 1:
		s.board.reload()
	case 2:
		s.monitor.reloadWaves()
	case 3:
		s.rollback.reloadScim()
	case 4:
		s.roles.reload()
	}
}

// busy reports an apply in progress: one at a time.
func (s *RolloutScreen) busy() bool { return s.panel.active }

// preview runs a preview in the background and shows its dialog.
func (s *RolloutScreen) preview(title string, run func(ctx context.Context) (rollout.Preview, error)) {
	task.Run(s.env.Tasks, run, func(p rollout.Preview, err error) {
		if err != nil {
			ShowError(s.env.Window, title+": the preview failed", err)
			return
		}
		s.showPreview(title, p)
	})
}

// showPreview lists who changes and who is left out, and offers Apply.
func (s *RolloutScreen) showPreview(title string, p rollout.Preview) {
	changes, refusals := p.Changes(), p.Refusals()
	summary := widget.NewLabel(fmt.Sprintf("%s; %s left out (preview %s, against the live Portal now).",
		countOf(len(changes), "change", "changes"), countOf(len(refusals), "user or object", "users or objects"), p.Run.ID[:8]))
	summary.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{summary}
	var ack *widget.Check
	if p.Warning != "" {
		warn := widget.NewLabelWithStyle(p.Warning, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.DangerImportance
		parts = append(parts, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, warn))
		if p.Run.Op == rollout.OpEnforce || p.Run.Op == rollout.OpScim {
			ack = widget.NewCheck("I have read this warning", nil)
			parts = append(parts, ack)
		}
	}
	if p.Scim != nil {
		parts = append(parts, scimSummary(*p.Scim))
	}
	changeTable := newTextTable([]column{{"User or object", 260}, {"Change", 260}, {"Note", 360}}, len(changes), func(r, c int) string {
		st := changes[r]
		switch c {
		case 0:
			return st.Label
		case 1:
			if st.SetEmail != "" {
				return st.From + " → " + st.To + " (sets email " + st.SetEmail + ")"
			}
			return st.From + " → " + st.To
		}
		return st.Detail
	})
	refusedTable := newTextTable([]column{{"Left out", 260}, {"Reason", 160}, {"Why", 460}}, len(refusals), func(r, c int) string {
		st := refusals[r]
		return [...]string{st.Label, Readable(st.Reason), st.Detail}[c]
	})
	tabs := container.NewAppTabs(
		container.NewTabItem(fmt.Sprintf("Changes (%d)", len(changes)), changeTable),
		container.NewTabItem(fmt.Sprintf("Left out (%d)", len(refusals)), refusedTable),
	)
	if p.Wave != nil && len(p.Wave.Unmatched) > 0 {
		tabs.Append(container.NewTabItem(fmt.Sprintf("Not in the wave (%d)", len(p.Wave.Unmatched)), unmatchedView(p.Wave.Unmatched)))
	}
	var d dialog.Dialog
	applyBtn := widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), func() {
		d.Hide()
		s.apply(title, func(ctx context.Context, progress func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
			return s.env.Rollout.Apply(ctx, p.Run.ID, p.Run.Token, progress)
		})
	})
	applyBtn.Importance = widget.HighImportance
	if len(changes) == 0 || s.busy() {
		applyBtn.Disable()
	}
	if ack != nil {
		applyBtn.Disable()
		ack.OnChanged = func(on bool) {
			if on && len(changes) > 0 && !s.busy() {
				applyBtn.Enable()
			} else {
				applyBtn.Disable()
			}
		}
	}
	closeBtn := widget.NewButton("Close", func() { d.Hide() })
	body := container.NewBorder(container.NewVBox(parts...), container.NewHBox(closeBtn, applyBtn), nil, nil, tabs)
	d = dialog.NewCustomWithoutButtons(title, body, s.env.Window)
	d.Resize(fyne.NewSize(960, 640))
	d.Show()
}

// apply runs an apply or resume with the progress panel and cancel.
func (s *RolloutScreen) apply(title string, run func(ctx context.Context, progress func(rollout.Progress)) (rollout.Run, []rollout.Step, error)) {
	if s.busy() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.panel.start(title, cancel)
	task.Run(s.env.Tasks, func(group context.Context) (rollout.Run, error) {
		defer cancel()
		defer context.AfterFunc(group, cancel)()
		r, _, err := run(ctx, func(p rollout.Progress) { fyne.Do(func() { s.panel.show(p) }) })
		return r, err
	}, func(r rollout.Run, err error) {
		s.panel.finish(r, err)
		s.env.Changed()
	})
}

// applyPanel shows one apply: its progress, counts, cancel and outcome.
type applyPanel struct {
	content *fyne.Container
	title   *widget.Label
	bar     *widget.ProgressBar
	counts  *widget.Label
	cancel  *widget.Button
	stop    context.CancelFunc
	active  bool
}

func newApplyPanel() *applyPanel {
	p := &applyPanel{title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar: widget.NewProgressBar(), counts: widget.NewLabel("")}
	p.title.Wrapping = fyne.TextWrapWord
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if p.stop != nil {
			p.cancel.SetText("Cancelling…")
			p.cancel.Disable()
			p.stop()
		}
	})
	p.content = container.NewVBox(container.NewBorder(nil, nil, nil, p.cancel, p.title), p.bar, p.counts)
	p.content.Hide()
	return p
}

func (p *applyPanel) start(title string, stop context.CancelFunc) {
	p.active, p.stop = true, stop
	p.title.Importance = widget.MediumImportance
	p.title.SetText(title + ": applying…")
	p.bar.SetValue(0)
	p.bar.Show()
	p.counts.SetText("Reading the users back before each write…")
	p.counts.Show()
	p.cancel.SetText("Cancel")
	p.cancel.Enable()
	p.cancel.Show()
	p.content.Show()
}

func (p *applyPanel) show(pr rollout.Progress) {
	if !p.active {
		return
	}
	if pr.Total > 0 {
		p.bar.SetValue(float64(pr.Done) / float64(pr.Total))
	}
	p.counts.SetText(fmt.Sprintf("%d of %d done: %d applied, %d skipped, %d failed. %s", pr.Done, pr.Total, pr.Applied, pr.Skipped, pr.Failed, pr.Current))
}

func (p *applyPanel) finish(r rollout.Run, err error) {
	p.active = false
	p.cancel.Hide()
	c := r.Counts
	switch {
	case err != nil && (r.Status == rollout.RunCancelled || r.Status == rollout.RunApplying):
		p.title.Importance = widget.WarningImportance
		p.title.SetText(fmt.Sprintf("Stopped after %d changes; nothing was lost. Resume it from the Waves tab. (%v)", c.Applied, err))
	case err != nil:
		p.title.Importance = widget.DangerImportance
		p.title.SetText("Not applied: " + err.Error())
	case r.Status == rollout.RunCompletedWithFailures:
		p.title.Importance = widget.WarningImportance
		p.title.SetText(fmt.Sprintf("Done with failures: %d applied, %d skipped, %d failed (each is in the audit trail with its reason).", c.Applied, c.Skipped, c.Failed))
	default:
		p.title.Importance = widget.SuccessImportance
		p.title.SetText(fmt.Sprintf("Done: %d applied, %d skipped, %d left out at preview.", c.Applied, c.Skipped, c.Refused))
	}
	p.bar.Hide()
	p.counts.Hide()
}

// column is a table column: its title and width.
type column struct {
	title string
	width float32
}

// newTextTable is a read-only table of text cells with a header row.
func newTextTable(cols []column, rows int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return rows, len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			l.SetText(cell(id.Row, id.Col))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

// dynTable is a text table whose rows change: set rows and Refresh.
type dynTable struct {
	*widget.Table
	rows int
	cell func(row, col int) string
}

func newDynTable(cols []column) *dynTable {
	d := &dynTable{}
	d.Table = newTextTable(cols, 0, nil)
	d.Table.Length = func() (int, int) { return d.rows, len(cols) }
	d.Table.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.Truncation = fyne.TextTruncateEllipsis
		if d.cell != nil && id.Row < d.rows {
			l.SetText(d.cell(id.Row, id.Col))
		}
	}
	return d
}

func (d *dynTable) set(rows int, cell func(row, col int) string) {
	d.rows, d.cell = rows, cell
	d.Refresh()
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return FormatCount(n) + " " + many
}

func joinOr(parts []string, none string) string {
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ", ")
}

// unmatchedView lists the people of a wave's incumbent groups the wave
// does not move, and why; the selected row's reason is shown whole below
// the table (an ambiguous email names every account it matches).
func unmatchedView(us []rollout.Unmatched) fyne.CanvasObject {
	t := newTextTable([]column{{"Incumbent member", 260}, {"In group", 180}, {"Reason", 200}, {"Why", 460}}, len(us), func(r, c int) string {
		u := us[r]
		return [...]string{u.Label, u.Via, unmatchedReason(u.Reason), u.Detail}[c]
	})
	why := wrapped("Select a row to read why in full.")
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(us) {
			u := us[id.Row]
			why.SetText(u.Label + ": " + u.Detail + ".")
		}
	}
	return container.NewBorder(nil, why, nil, nil, t)
}

// unmatchedReason names why a group member is not in the wave.
func unmatchedReason(reason string) string {
	switch reason {
	case rollout.UnmatchedNoAccount:
		return "No Portal account (JIT)"
	case rollout.UnmatchedAmbiguous:
		return "Ambiguous email"
	case rollout.UnmatchedInactive:
		return "Inactive in incumbent"
	}
	return Readable(reason)
}
