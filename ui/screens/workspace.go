package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/readiness"
)

// field is one labelled, read-only value on the workspace screen.
type field struct {
	label string
	value func(State) string
}

var summaryFields = []field{
	{"Workspace ID", func(s State) string { return s.Summary.WorkspaceID }},
	{"Tenant", func(s State) string { return s.Summary.Tenant }},
	{"Mode", func(s State) string { return ModeLabel(s.Summary.Mode) }},
	{"Status", func(s State) string { return Readable(string(s.Summary.Status)) }},
	{"Created", func(s State) string { return formatTime(s.Summary.CreatedAt) }},
	{"Last inventory", func(s State) string { return formatOptionalTime(s.Summary.LastInventoryAt, "Never") }},
	{"Sources", func(s State) string { return fmt.Sprint(s.Summary.SourceCount) }},
	{"Configured sources", func(s State) string { return fmt.Sprint(s.Summary.ConfiguredSourceCount) }},
	{"Assessment status", func(s State) string { return Readable(s.Summary.AssessmentStatus) }},
	{"Latest assessment started", func(s State) string { return formatOptionalTime(s.Summary.LatestAssessmentStartedAt, "—") }},
	{"Latest assessment completed", func(s State) string { return formatOptionalTime(s.Summary.LatestAssessmentCompletedAt, "—") }},
	{"OCM status", func(s State) string { return Readable(s.Summary.OCMStatus) }},
	{"OCM review status", func(s State) string { return Readable(s.Summary.OCMReviewStatus) }},
	{"Unavoidable changes", func(s State) string { return fmt.Sprint(s.Summary.UnavoidableChangeCount) }},
	{"Merge review status", func(s State) string { return Readable(s.Summary.MergeReviewStatus) }},
	{"Pending merge decisions", func(s State) string { return fmt.Sprint(s.Summary.PendingMergeDecisionCount) }},
	{"Resolved merge decisions", func(s State) string { return fmt.Sprint(s.Summary.ResolvedMergeDecisionCount) }},
	{"Preview handoff status", func(s State) string { return Readable(s.Summary.PreviewHandoffStatus) }},
	{"Preview handoff blockers", func(s State) string { return blockerList(s.Summary.PreviewHandoffBlockers) }},
}

var targetFields = []field{
	{"Admin API URL", func(s State) string { return orNone(s.Workspace.Target.URL, "No target configured") }},
	{"Target tenant ID", func(s State) string { return orNone(s.Workspace.Target.TenantID, "Not connected yet") }},
	{"Session context", func(s State) string { return orNone(s.Workspace.Target.SessionContext, "Not connected yet") }},
	{"Permissions", func(s State) string {
		return orNone(strings.Join(s.Workspace.Target.Permissions, ", "), "Not connected yet")
	}},
	{"Connected", func(s State) string { return formatOptionalTime(s.Workspace.Target.ConnectedAt, "Never") }},
}

func blockerList(bs []readiness.Blocker) string {
	if len(bs) == 0 {
		return "None"
	}
	lines := make([]string, len(bs))
	for i, b := range bs {
		lines[i] = b.Message
	}
	return strings.Join(lines, "\n")
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// WorkspaceScreen shows the workspace summary, its mode and its target.
type WorkspaceScreen struct {
	summary, target []*widget.Label
	connect         *connectSection
	content         fyne.CanvasObject
}

// NewWorkspaceScreen builds the screen; Show fills it.
func NewWorkspaceScreen(env Env) Screen {
	s := &WorkspaceScreen{connect: newConnectSection(env)}
	summaryGrid := s.grid(summaryFields, &s.summary)
	targetGrid := s.grid(targetFields, &s.target)
	s.content = container.NewVScroll(container.NewVBox(
		heading("Workspace summary"), summaryGrid,
		heading("Target Portal admin API"), targetGrid, s.connect.content,
	))
	return s
}

func (s *WorkspaceScreen) grid(fields []field, values *[]*widget.Label) fyne.CanvasObject {
	g := container.New(layout.NewFormLayout())
	for _, f := range fields {
		v := widget.NewLabel("")
		v.Wrapping = fyne.TextWrapWord
		*values = append(*values, v)
		g.Add(widget.NewLabelWithStyle(f.label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		g.Add(v)
	}
	return g
}

// Content implements Screen.
func (s *WorkspaceScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen.
func (s *WorkspaceScreen) Show(st State) {
	for i, f := range summaryFields {
		s.summary[i].SetText(f.value(st))
	}
	for i, f := range targetFields {
		s.target[i].SetText(f.value(st))
	}
	s.connect.show(st)
}

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}
