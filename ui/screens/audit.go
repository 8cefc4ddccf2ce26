package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/ui/task"
)

var auditColumns = []struct {
	title string
	width float32
	value func(audit.Entry) string
}{
	{"Seq", 50, func(e audit.Entry) string { return fmt.Sprint(e.Seq) }},
	{"Time", 160, func(e audit.Entry) string { return formatTime(e.At) }},
	{"Event", 260, func(e audit.Entry) string { return e.Event }},
	{"Actor", 110, func(e audit.Entry) string { return e.Actor }},
	{"Target ID", 150, func(e audit.Entry) string { return e.TargetID }},
	{"Facts", 520, func(e audit.Entry) string { return audit.FormatFacts(e.Facts) }},
}

// AuditScreen shows the trail and verifies its hash chain on request.
type AuditScreen struct {
	env     Env
	entries []audit.Entry
	table   *widget.Table
	verdict *widget.Label
	icon    *widget.Icon
	detail  *widget.Label
	content fyne.CanvasObject
}

// NewAuditScreen builds the screen; Show fills it.
func NewAuditScreen(env Env) Screen {
	s := &AuditScreen{env: env, verdict: widget.NewLabel("Not verified yet."), icon: widget.NewIcon(theme.InfoIcon())}
	s.verdict.Wrapping = fyne.TextWrapWord
	s.detail = widget.NewLabel("Select an entry to see all its facts.")
	s.detail.Wrapping = fyne.TextWrapWord
	s.table = widget.NewTable(
		func() (int, int) { return len(s.entries), len(auditColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			l.SetText(auditColumns[id.Col].value(s.entries[id.Row]))
		})
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(auditColumns[id.Col].title)
		}
	}
	for i, c := range auditColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	// The table truncates; the detail line shows the selected entry whole.
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.entries) {
			e := s.entries[id.Row]
			s.detail.SetText(fmt.Sprintf("Entry %d, %s by %s on %s, target %s: %s. Hash %s.",
				e.Seq, e.Event, e.Actor, formatTime(e.At), e.TargetID, audit.FormatFacts(e.Facts), e.Hash))
		}
	}
	verify := widget.NewButtonWithIcon("Verify trail", theme.ConfirmIcon(), s.verify)
	top := container.NewVBox(heading("Audit trail"),
		container.NewBorder(nil, nil, container.NewHBox(verify, s.icon), nil, s.verdict))
	s.content = container.NewBorder(top, s.detail, nil, nil, s.table)
	return s
}

// Content implements Screen.
func (s *AuditScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen. A new state makes the last verdict stale.
func (s *AuditScreen) Show(st State) {
	if len(st.Trail) != len(s.entries) {
		s.setVerdict(theme.InfoIcon(), widget.MediumImportance, "Not verified since the last change.")
	}
	s.entries = st.Trail
	s.table.Refresh()
}

type verification struct {
	entries []audit.Entry
	brk     *audit.Break
}

func (s *AuditScreen) verify() {
	s.setVerdict(theme.InfoIcon(), widget.MediumImportance, "Verifying…")
	task.Run(s.env.Tasks, func(ctx context.Context) (verification, error) {
		entries, brk, err := s.env.Workspace.AuditTrail(ctx)
		return verification{entries, brk}, err
	}, func(v verification, err error) {
		switch {
		case err != nil:
			s.setVerdict(theme.ErrorIcon(), widget.DangerImportance, "Could not read the trail.")
			ShowError(s.env.Window, "Could not verify the audit trail", err)
		case v.brk != nil:
			s.setVerdict(theme.ErrorIcon(), widget.DangerImportance,
				fmt.Sprintf("Trail broken at entry %d: %s", v.brk.Seq, v.brk.Reason))
		default:
			s.setVerdict(theme.ConfirmIcon(), widget.SuccessImportance, fmt.Sprintf("Trail intact (%d entries)", len(v.entries)))
		}
		s.entries = v.entries
		s.table.Refresh()
	})
}

func (s *AuditScreen) setVerdict(icon fyne.Resource, imp widget.Importance, text string) {
	s.icon.SetResource(icon)
	s.verdict.Importance = imp
	s.verdict.SetText(text)
}
