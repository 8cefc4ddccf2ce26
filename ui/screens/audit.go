package screens

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
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
	if at := env.AuditAtOpen; at != nil && at.Break != nil {
		// A trail that no longer matches the keychain is shown at once.
		icon, imp, text := describeVerdict(*at)
		s.setVerdict(icon, imp, "When the workspace was opened: "+text)
	}
	return s
}

// Content implements Screen.
func (s *AuditScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen. A new state makes the last verdict stale.
func (s *AuditScreen) Show(st State) {
	if len(st.Trail) != len(s.entries) && (s.env.AuditAtOpen == nil || s.env.AuditAtOpen.Break == nil) {
		s.setVerdict(theme.InfoIcon(), widget.MediumImportance, "Not verified since the last change.")
	}
	s.entries = st.Trail
	s.table.Refresh()
}

func (s *AuditScreen) verify() {
	s.setVerdict(theme.InfoIcon(), widget.MediumImportance, "Verifying…")
	task.Run(s.env.Tasks, s.env.Workspace.VerifyAudit, func(c workspace.AuditCheck, err error) {
		if err != nil {
			s.setVerdict(theme.ErrorIcon(), widget.DangerImportance, "Could not read the trail.")
			ShowError(s.env.Window, "Could not verify the audit trail", err)
			return
		}
		icon, imp, text := describeVerdict(c.Verdict)
		if at := s.env.AuditAtOpen; at != nil && at.Break == nil && at.Anchor.Status == audit.UnanchoredTail {
			text += fmt.Sprintf(" When the workspace was opened, entries %d–%d had not been anchored (the console had stopped before anchoring them); they were anchored then.", at.Anchor.TailFrom, at.Anchor.TailTo)
		}
		s.setVerdict(icon, imp, text)
		s.entries = c.Entries
		s.table.Refresh()
	})
}

// describeVerdict puts a verdict in one line for the screen: a break in
// red, a warning (entries not yet anchored) in amber, a trail checked
// against its own chain only in neutral, an anchored one in green.
func describeVerdict(v audit.Verdict) (fyne.Resource, widget.Importance, string) {
	n := fmt.Sprintf("%d entries", v.Entries)
	if v.Entries == 1 {
		n = "1 entry"
	}
	switch {
	case v.Break != nil:
		return theme.ErrorIcon(), widget.DangerImportance, fmt.Sprintf("Trail broken at entry %d: %s", v.Break.Seq, v.Break.Reason)
	case v.Anchor.Status == audit.UnanchoredTail:
		return theme.WarningIcon(), widget.WarningImportance, fmt.Sprintf("Trail intact (%s). %s", n, v.Anchor.Note)
	case v.Anchor.Status == audit.Anchored:
		return theme.ConfirmIcon(), widget.SuccessImportance, fmt.Sprintf("Trail intact (%s) and anchored in this machine's keychain.", n)
	}
	return theme.InfoIcon(), widget.MediumImportance, fmt.Sprintf("Trail intact (%s). %s", n, v.Anchor.Note)
}

func (s *AuditScreen) setVerdict(icon fyne.Resource, imp widget.Importance, text string) {
	s.icon.SetResource(icon)
	s.verdict.Importance = imp
	s.verdict.SetText(text)
}
