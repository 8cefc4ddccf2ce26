package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/ui/task"
)

// Evidence is the engine's post-cutover evidence stage as the screen uses
// it; *evidence.Service implements it.
type Evidence interface {
	Available() bool
	PlanList(ctx context.Context) ([]evidence.PlanFacts, error)
	Show(ctx context.Context, planID string) (evidence.View, error)
	SetRollback(ctx context.Context, planID string, r evidence.Rollback) (evidence.View, []evidence.Change, error)
	SetCompletion(ctx context.Context, planID string, c evidence.Completion) (evidence.View, []evidence.Change, error)
}

var _ Evidence = (*evidence.Service)(nil)

// EvidenceScreen is the post-cutover evidence stage: a cutover plan's
// handoff criteria as a checklist, its blocked and manual-follow-up steps,
// the probe results the console collected, the two operator forms
// (rollback guidance, completion evidence), and the report export.
type EvidenceScreen struct {
	env     Env
	plans   []evidence.PlanFacts
	picker  *widget.Select
	notice  *widget.Label
	view    evidence.View
	loaded  bool
	checks  *fyne.Container
	verdict *widget.Label
	rows    *fyne.Container
	probes  *fyne.Container
	forms   *evidenceForms
	planBox *fyne.Container
	export  *reportExport
	content fyne.CanvasObject
}

// NewEvidenceScreen builds the screen; Show fills it.
func NewEvidenceScreen(env Env) Screen {
	s := &EvidenceScreen{env: env, notice: wrapped(""), checks: container.NewVBox(), verdict: wrapped(""),
		rows: container.NewVBox(), probes: container.NewVBox()}
	s.picker = widget.NewSelect(nil, func(string) { s.loadPlan() })
	s.picker.PlaceHolder = "Choose a cutover plan"
	s.forms = newEvidenceForms(s)
	s.export = newReportExport(env)
	left := container.NewVBox(
		heading("Handoff criteria"), s.verdict, s.checks,
		heading("Blocked and manual-follow-up steps"), s.rows,
		heading("Probe results"),
		wrapped("Collected by the console after apply: machine evidence, kept apart from what the operator records."),
		s.probes)
	s.planBox = container.NewGridWithColumns(2, left, s.forms.content)
	s.planBox.Hide()
	top := container.NewBorder(nil, nil, widget.NewLabel("Cutover plan"), widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), s.reload), s.picker)
	s.content = container.NewVScroll(container.NewVBox(top, s.notice, s.planBox, widget.NewSeparator(), s.export.content))
	return s
}

func (s *EvidenceScreen) Content() fyne.CanvasObject { return s.content }

// Show reloads the plans: a change anywhere (an apply) can change them.
func (s *EvidenceScreen) Show(State) { s.reload() }

func (s *EvidenceScreen) reload() {
	if s.env.Evidence == nil || !s.env.Evidence.Available() {
		s.picker.Disable()
		s.planBox.Hide()
		s.notice.SetText("The cutover stage is not available in this console, so there is no cutover plan to record rollback guidance or completion evidence on. Reports can still be exported below.")
		s.notice.Show()
		return
	}
	task.Run(s.env.Tasks, func(ctx context.Context) ([]evidence.PlanFacts, error) {
		return s.env.Evidence.PlanList(ctx)
	}, func(plans []evidence.PlanFacts, err error) {
		if err != nil {
			s.notice.SetText("Could not list the cutover plans: " + err.Error())
			s.notice.Show()
			return
		}
		s.plans = plans
		opts := make([]string, len(plans))
		for i, p := range plans {
			opts[i] = planLabel(p)
		}
		keep := s.picker.Selected
		s.picker.SetOptions(opts)
		if len(plans) == 0 {
			s.picker.Disable()
			s.planBox.Hide()
			s.notice.SetText("No cutover plan exists in this workspace yet. Rollback guidance and completion evidence are recorded on a plan once the cutover stage has created one.")
			s.notice.Show()
			return
		}
		s.picker.Enable()
		s.notice.Hide()
		if keep == "" || !contains(opts, keep) {
			s.picker.SetSelected(opts[0]) // newest first; loads it
		} else {
			s.loadPlan()
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func planLabel(p evidence.PlanFacts) string {
	return fmt.Sprintf("%s · %s · created %s", p.ID, Readable(p.Status), formatTime(p.CreatedAt))
}

func (s *EvidenceScreen) pickedPlan() string {
	i := s.picker.SelectedIndex()
	if i < 0 || i >= len(s.plans) {
		return ""
	}
	return s.plans[i].ID
}

func (s *EvidenceScreen) loadPlan() {
	id := s.pickedPlan()
	if id == "" {
		return
	}
	task.Run(s.env.Tasks, func(ctx context.Context) (evidence.View, error) {
		return s.env.Evidence.Show(ctx, id)
	}, func(v evidence.View, err error) {
		if err != nil {
			s.notice.SetText("Could not read plan " + id + ": " + err.Error())
			s.notice.Show()
			return
		}
		s.showView(v)
	})
}

// showView shows a plan as stored: its facts, and the forms filled from
// its record.
func (s *EvidenceScreen) showView(v evidence.View) {
	same := s.loaded && s.view.Plan.ID == v.Plan.ID
	keepRollback, keepCompletion := same && s.forms.rollbackDirty(), same && s.forms.completionDirty()
	if !same {
		s.forms.clearResults()
	}
	s.view, s.loaded = v, true
	s.forms.fill(v.Record, keepRollback, keepCompletion)
	s.showPlanFacts(v.Plan)
	s.showCriteria()
	s.planBox.Show()
}

// showCriteria derives the checklist from the plan and what the forms hold
// now, saved or not, so the operator sees a criterion turn as they type.
func (s *EvidenceScreen) showCriteria() {
	if !s.loaded {
		return
	}
	rec := s.forms.record(s.view.Record)
	cs := evidence.Criteria(s.view.Plan, rec)
	s.checks.RemoveAll()
	for _, c := range cs {
		icon := widget.NewIcon(theme.CancelIcon())
		if c.Met {
			icon = widget.NewIcon(theme.ConfirmIcon())
		}
		label := widget.NewLabelWithStyle(c.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		why := wrapped(c.Why)
		s.checks.Add(container.NewBorder(nil, nil, icon, nil, container.NewVBox(label, why)))
	}
	switch {
	case evidence.AllMet(cs) && s.forms.dirty():
		s.verdict.SetText("Every criterion would be met once the unsaved changes are saved.")
	case evidence.AllMet(cs):
		s.verdict.SetText("Every handoff criterion is met.")
	case s.forms.dirty():
		s.verdict.SetText(fmt.Sprintf("Not met: %d of %d criteria hold, counting the unsaved changes.", countMet(cs), len(cs)))
	default:
		s.verdict.SetText(fmt.Sprintf("Not met: %d of %d criteria hold.", countMet(cs), len(cs)))
	}
}

func countMet(cs []evidence.Criterion) int {
	n := 0
	for _, c := range cs {
		if c.Met {
			n++
		}
	}
	return n
}

func (s *EvidenceScreen) showPlanFacts(p evidence.PlanFacts) {
	s.rows.RemoveAll()
	if len(p.Blocked)+len(p.ManualFollowUp) == 0 {
		s.rows.Add(wrapped("None: no step of this plan is blocked or left to a person."))
	}
	for _, st := range p.Blocked {
		s.rows.Add(wrapped(fmt.Sprintf("Blocked · %s — %s", st.Name, st.Reason)))
	}
	for _, st := range p.ManualFollowUp {
		s.rows.Add(wrapped(fmt.Sprintf("Manual follow-up · %s — %s", st.Name, st.Reason)))
	}
	s.probes.RemoveAll()
	if len(p.Probes) == 0 {
		s.probes.Add(wrapped("No probe has run on this plan."))
	}
	for _, pr := range p.Probes {
		s.probes.Add(wrapped(fmt.Sprintf("%s · %s · %s — %s", strings.ToUpper(pr.Outcome), pr.Name, formatTime(pr.At), pr.Detail)))
	}
}
