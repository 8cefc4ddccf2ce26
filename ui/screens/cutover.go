package screens

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/report/chart"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// Cutover is the cutover stage as the screens use it: app/wiring's
// CutoverSession implements it, connecting to the workspace's Portal for
// the calls that read or write the target.
type Cutover interface {
	Plans(ctx context.Context) ([]cutover.Plan, error)
	Get(ctx context.Context, planID string) (cutover.Detail, error)
	Create(ctx context.Context, req cutover.CreateRequest) (cutover.Plan, error)
	Rebuild(ctx context.Context, planID string) (cutover.Plan, error)
	Preview(ctx context.Context, planID string) (cutover.PreviewResult, error)
	Apply(ctx context.Context, planID, token string, opts cutover.ApplyOptions) (cutover.Outcome, error)
	Resume(ctx context.Context, planID string, opts cutover.ApplyOptions) (cutover.Outcome, error)
	ConfirmSecrets(ctx context.Context, planID string, seqs []int) error
	RollbackPreview(ctx context.Context, planID string, force []string) (cutover.RollbackPlan, error)
	RollbackApply(ctx context.Context, planID string, force []string, opts cutover.ApplyOptions) (cutover.Outcome, error)
	Probe(ctx context.Context, planID string) (cutover.ProbeReport, error)
	Probes(ctx context.Context, planID string) ([]cutover.ProbeResult, error)
}

// stepColumns are the step table's columns and widths.
var stepColumns = []struct {
	title string
	width float32
}{
	{"#", 50}, {"Kind", 150}, {"Action", 70}, {"Disposition", 130}, {"Name", 230}, {"Depends on", 90},
	{"State", 170}, {"Target id", 240}, {"Reason", 560},
}

// CutoverScreen builds, previews, applies, resumes, rolls back and probes
// the workspace's cutover plan.
type CutoverScreen struct {
	env     Env
	summary readiness.Summary
	sources []workspace.Source

	source                        *widget.Select
	create, rebuild, preview      *widget.Button
	apply, resume                 *widget.Button
	rollbackPreview, rollback     *widget.Button
	probe                         *widget.Button
	planLine, gateLine, tokenLine *widget.Label
	donut, bars                   *canvas.Image

	detail  *cutover.Detail
	rows    []stepRowView
	table   *widget.Table
	request *widget.Label

	nouns      *widget.Label
	drifts     *widget.Label
	rbItems    []cutover.RollbackItem
	rbTable    *widget.Table
	rbLine     *widget.Label
	probes     []cutover.ProbeResult
	probeTable *widget.Table
	probeLine  *widget.Label
	tabs       *container.AppTabs

	progress *runPanel
	// token is the current preview's token: shown once to the operator,
	// held only in memory for this session's apply.
	token   string
	running bool
	content fyne.CanvasObject
}

type stepRowView struct {
	cutover.Step
	applied  *cutover.Entry
	rollback *cutover.Entry
}

// NewCutoverScreen builds the screen; Show fills it.
func NewCutoverScreen(env Env) Screen {
	s := &CutoverScreen{env: env}
	s.source = widget.NewSelect(nil, nil)
	s.source.PlaceHolder = "Source"
	s.create = widget.NewButtonWithIcon("Create plan", theme.ContentAddIcon(), s.startCreate)
	s.rebuild = widget.NewButtonWithIcon("Rebuild", theme.ViewRefreshIcon(), s.startRebuild)
	s.preview = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), s.startPreview)
	s.apply = widget.NewButtonWithIcon("Apply…", theme.ConfirmIcon(), s.confirmApply)
	s.apply.Importance = widget.HighImportance
	s.resume = widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), s.startResume)
	s.rollbackPreview = widget.NewButtonWithIcon("Rollback preview", theme.HistoryIcon(), func() { s.startRollbackPreview(nil) })
	s.rollback = widget.NewButtonWithIcon("Roll back…", theme.DeleteIcon(), s.confirmRollback)
	s.rollback.Importance = widget.DangerImportance
	s.probe = widget.NewButtonWithIcon("Probe", theme.SearchIcon(), s.startProbe)
	s.planLine = widget.NewLabel("No cutover plan yet.")
	s.planLine.Wrapping = fyne.TextWrapWord
	s.gateLine = widget.NewLabel("")
	s.gateLine.Wrapping = fyne.TextWrapWord
	s.tokenLine = widget.NewLabel("")
	s.tokenLine.Wrapping = fyne.TextWrapWord
	s.tokenLine.Hide()
	s.donut, s.bars = canvas.NewImageFromImage(nil), canvas.NewImageFromImage(nil)
	for _, img := range []*canvas.Image{s.donut, s.bars} {
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(320, 200))
	}
	s.request = widget.NewLabel("Select a step to see its request and readback.")
	s.request.Wrapping = fyne.TextWrapWord
	s.request.TextStyle = fyne.TextStyle{Monospace: true}
	s.table = newTable(func() int { return len(s.rows) }, len(stepColumns),
		func(c int) string { return stepColumns[c].title }, func(c int) float32 { return stepColumns[c].width }, s.stepCell)
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.rows) {
			s.showStep(s.rows[id.Row])
		}
	}
	s.nouns = widget.NewLabel("Preview the plan to read the live target and see what apply will do.")
	s.nouns.Wrapping = fyne.TextWrapWord
	s.nouns.TextStyle = fyne.TextStyle{Monospace: true}
	s.drifts = widget.NewLabel("")
	s.drifts.Wrapping = fyne.TextWrapWord
	s.drifts.Importance = widget.DangerImportance
	s.drifts.Hide()
	s.rbLine = widget.NewLabel("Rollback preview lists exactly what the apply created, newest first.")
	s.rbLine.Wrapping = fyne.TextWrapWord
	s.rbTable = newTable(func() int { return len(s.rbItems) }, 6, func(c int) string {
		return []string{"Step", "Object", "Target id", "ETag", "Action", "Reason"}[c]
	}, func(c int) float32 { return []float32{50, 320, 240, 200, 80, 560}[c] }, s.rollbackCell)
	s.probeLine = widget.NewLabel("Probes check what apply created and record each result as evidence.")
	s.probeLine.Wrapping = fyne.TextWrapWord
	s.probeTable = newTable(func() int { return len(s.probes) }, 7, func(c int) string {
		return []string{"At", "Step", "Check", "Target id", "Subject", "Outcome", "Detail"}[c]
	}, func(c int) float32 { return []float32{90, 50, 100, 240, 200, 80, 520}[c] }, s.probeCell)
	s.progress = newRunPanel()

	stepsTab := container.NewVSplit(s.table, container.NewVScroll(s.request))
	stepsTab.Offset = 0.72
	previewTab := container.NewBorder(s.drifts, nil, nil, nil, container.NewVScroll(s.nouns))
	rollbackTab := container.NewBorder(s.rbLine, nil, nil, nil, s.rbTable)
	probesTab := container.NewBorder(s.probeLine, nil, nil, nil, s.probeTable)
	s.tabs = container.NewAppTabs(
		container.NewTabItem("Steps", stepsTab),
		container.NewTabItem("Preview", previewTab),
		container.NewTabItem("Rollback", rollbackTab),
		container.NewTabItem("Probes", probesTab),
	)
	// A select is as wide as its placeholder: give the source names room.
	source := container.NewGridWrap(fyne.NewSize(sourceWidth, s.source.MinSize().Height), s.source)
	buttons := container.NewHBox(source, s.create, s.rebuild, widget.NewSeparator(), s.preview, s.apply, s.resume,
		widget.NewSeparator(), s.rollbackPreview, s.rollback, widget.NewSeparator(), s.probe)
	charts := container.NewGridWithColumns(2, s.donut, s.bars)
	top := container.NewVBox(heading("Cutover"), s.gateLine, container.NewHScroll(buttons), s.planLine, s.tokenLine, s.progress.content)
	body := container.NewVSplit(charts, s.tabs)
	body.Offset = 0.3
	s.content = container.NewBorder(top, nil, nil, nil, body)
	s.updateButtons()
	return s
}

// newTable is a table with a bold header row and fixed column widths.
func newTable(rows func() int, cols int, title func(int) string, width func(int) float32,
	cell func(widget.TableCellID, *widget.Label)) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return rows(), cols },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { cell(id, o.(*widget.Label)) })
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(title(id.Col))
		}
	}
	for c := range cols {
		t.SetColumnWidth(c, width(c))
	}
	return t
}

// Content implements Screen.
func (s *CutoverScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen: the gate, the sources a plan can be built from,
// and the newest plan.
func (s *CutoverScreen) Show(st State) {
	s.summary = st.Summary
	s.sources = s.sources[:0]
	var names []string
	for _, src := range st.Sources {
		if src.Status == workspace.SourceConfigured {
			s.sources = append(s.sources, src)
			names = append(names, src.Name)
		}
	}
	s.source.SetOptions(names)
	if s.source.SelectedIndex() < 0 && len(names) > 0 {
		s.source.SetSelectedIndex(0)
	}
	if st.Summary.PreviewHandoffStatus == readiness.HandoffReady {
		s.gateLine.Importance = widget.SuccessImportance
		s.gateLine.SetText("The preview-handoff gate is open: plans can be created, previewed and applied.")
	} else {
		var parts []string
		for _, b := range st.Summary.PreviewHandoffBlockers {
			parts = append(parts, b.Message)
		}
		s.gateLine.Importance = widget.WarningImportance
		s.gateLine.SetText("The preview-handoff gate is closed: " + strings.Join(parts, " "))
	}
	s.reload("")
}

// reload reads the plan (the newest when planID is empty).
func (s *CutoverScreen) reload(planID string) {
	if s.env.Cutover == nil {
		return
	}
	type loaded struct {
		detail *cutover.Detail
		probes []cutover.ProbeResult
	}
	task.Run(s.env.Tasks, func(ctx context.Context) (loaded, error) {
		id := planID
		if id == "" {
			plans, err := s.env.Cutover.Plans(ctx)
			if err != nil || len(plans) == 0 {
				return loaded{}, err
			}
			id = plans[0].ID
		}
		d, err := s.env.Cutover.Get(ctx, id)
		if err != nil {
			return loaded{}, err
		}
		probes, err := s.env.Cutover.Probes(ctx, id)
		return loaded{&d, probes}, err
	}, func(l loaded, err error) {
		if err != nil {
			ShowError(s.env.Window, "Could not read the cutover plan", err)
			return
		}
		s.show(l.detail, l.probes)
	})
}

func (s *CutoverScreen) show(d *cutover.Detail, probes []cutover.ProbeResult) {
	if d != nil && s.detail != nil && d.Plan.ID != s.detail.Plan.ID {
		s.token = ""
		s.tokenLine.Hide()
	}
	s.detail = d
	s.rows = s.rows[:0]
	if d == nil {
		s.planLine.SetText("No cutover plan yet. Create one from the newest completed assessment of a source.")
		s.donut.Image, s.bars.Image = nil, nil
		s.donut.Refresh()
		s.bars.Refresh()
		s.table.Refresh()
		s.updateButtons()
		return
	}
	for _, st := range d.Steps {
		r := stepRowView{Step: st}
		if e, ok := d.Applied[st.Seq]; ok {
			r.applied = &e
		}
		if e, ok := d.RolledBack[st.Seq]; ok {
			r.rollback = &e
		}
		s.rows = append(s.rows, r)
	}
	s.table.Refresh()
	s.planLine.SetText(planSummary(*d))
	s.drawCharts(d.Plan)
	s.probes = probes
	s.probeTable.Refresh()
	if len(probes) > 0 {
		s.probeLine.SetText(probeSummary(probes))
	}
	s.updateButtons()
}

// planSummary is the plan's state on one paragraph.
func planSummary(d cutover.Detail) string {
	p := d.Plan
	var parts []string
	for _, disp := range steps.Dispositions {
		parts = append(parts, fmt.Sprintf("%s %s", FormatCount(p.Counts[disp]), strings.ToLower(cutover.DispositionLabels[disp])))
	}
	line := fmt.Sprintf("Plan %s of %s (assessment %s): %s. %s steps: %s; %s items need no step.", p.ID, p.SourceName,
		short(p.AssessmentRunID), Readable(string(p.Status)), FormatCount(p.StepCount), strings.Join(parts, ", "), FormatCount(p.Unplanned))
	if p.Binds > 0 {
		line += fmt.Sprintf(" %s planned steps bind to existing objects.", FormatCount(p.Binds))
	}
	line += fmt.Sprintf(" Bound to %d merge decisions and %d acknowledgements.", len(p.Review.Decisions), len(p.Review.Acknowledgements))
	if r := d.Apply; r != nil {
		line += fmt.Sprintf(" Apply run %s: %s%s.", short(r.ID), runWords(*r), countWords(r.Counts))
	}
	if r := d.Rollback; r != nil {
		line += fmt.Sprintf(" Rollback run %s: %s%s.", short(r.ID), runWords(*r), countWords(r.Counts))
	}
	return line
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func runWords(r cutover.Run) string {
	switch {
	case r.Interrupted:
		return "interrupted, resumable"
	case r.Status == cutover.RunStarted:
		return "running"
	}
	return Readable(string(r.Status))
}

func countWords(c map[cutover.StepState]int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", " ")
		if k == string(cutover.StateIntent) {
			name = "in doubt"
		}
		parts = append(parts, fmt.Sprintf("%d %s", c[cutover.StepState(k)], name))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (s *CutoverScreen) drawCharts(p cutover.Plan) {
	th := chart.Light
	if fyne.CurrentApp() != nil && fyne.CurrentApp().Settings().ThemeVariant() == theme.VariantDark {
		th = chart.Dark
	}
	for _, c := range []struct {
		img  *canvas.Image
		spec chart.Spec
	}{{s.donut, cutover.DispositionChart(p)}, {s.bars, cutover.KindChart(p)}} {
		png, err := chart.Render(c.spec, chart.Panel, th)
		if err != nil {
			c.img.Image = nil
		} else {
			c.img.Resource = fyne.NewStaticResource(c.spec.Title+".png", png)
			c.img.Image = nil
		}
		c.img.Refresh()
	}
}

func (s *CutoverScreen) stepCell(id widget.TableCellID, l *widget.Label) {
	r := s.rows[id.Row]
	l.Importance = widget.MediumImportance
	text := ""
	switch id.Col {
	case 0:
		text = fmt.Sprint(r.Seq)
	case 1:
		text = strings.ReplaceAll(string(r.Kind), "_", " ")
	case 2:
		text = string(r.Action)
		if r.Disposition != steps.Planned {
			text = "—"
		}
	case 3:
		text = cutover.DispositionLabels[r.Disposition]
		switch r.Disposition {
		case steps.Blocked:
			l.Importance = widget.DangerImportance
		case steps.ManualFollowUp:
			l.Importance = widget.WarningImportance
		}
	case 4:
		text = r.Name
	case 5:
		var deps []string
		for _, d := range r.DependsOn {
			deps = append(deps, fmt.Sprint(d))
		}
		text = strings.Join(deps, ", ")
	case 6:
		text = "—"
		if r.applied != nil {
			text = Readable(string(r.applied.State))
			if r.applied.State == cutover.StateIntent {
				text, l.Importance = "In doubt", widget.WarningImportance
			}
			if r.applied.State == cutover.StateFailed {
				l.Importance = widget.DangerImportance
			}
			if r.applied.State == cutover.StateApplied {
				l.Importance = widget.SuccessImportance
			}
		}
		if r.rollback != nil {
			text += ", rollback " + strings.ReplaceAll(string(r.rollback.State), "_", " ")
		}
	case 7:
		if r.applied != nil {
			text = r.applied.TargetID
		} else if r.Bound != nil {
			text = r.Bound.TargetID
		}
	case 8:
		text = r.Reason
		if r.applied != nil && r.applied.Reason != "" {
			text = r.applied.Reason
		}
	}
	l.SetText(text)
}

// showStep shows a step's request, dependencies and readback below the
// table.
func (s *CutoverScreen) showStep(r stepRowView) {
	var b strings.Builder
	fmt.Fprintf(&b, "Step %d: %s\n", r.Seq, r.Label())
	fmt.Fprintf(&b, "Item %s (%s), class %s", r.DisplayName, r.ItemSourceID, r.Class)
	if r.RuleID != "" {
		fmt.Fprintf(&b, ", rule %s", r.RuleID)
	}
	if r.DecisionID != "" {
		fmt.Fprintf(&b, ", merge decision %s", r.DecisionID)
	}
	b.WriteString("\n")
	if r.Reason != "" {
		fmt.Fprintf(&b, "Reason: %s\n", r.Reason)
	}
	if r.Bound != nil {
		fmt.Fprintf(&b, "Binds to existing %s (ETag %s as merge review read it)\n", r.Bound.TargetID, r.Bound.ETag)
	}
	if len(r.Request) > 0 {
		var body bytes.Buffer
		if json.Indent(&body, cutover.MaskSecrets(r.Request), "", "  ") == nil {
			fmt.Fprintf(&b, "Request:\n%s\n", body.String())
		}
	}
	if e := r.applied; e != nil {
		fmt.Fprintf(&b, "Apply: %s", Readable(string(e.State)))
		if e.TargetID != "" {
			fmt.Fprintf(&b, ", target %s, ETag %s (%s)", e.TargetID, e.ETag, e.How)
		}
		if e.ResultAt != nil {
			fmt.Fprintf(&b, ", at %s", formatTime(*e.ResultAt))
		}
		if e.Reason != "" {
			fmt.Fprintf(&b, ": %s", e.Reason)
		}
		b.WriteString("\n")
	}
	s.request.SetText(b.String())
}

func (s *CutoverScreen) rollbackCell(id widget.TableCellID, l *widget.Label) {
	it := s.rbItems[id.Row]
	l.Importance = widget.MediumImportance
	l.SetText([]string{fmt.Sprint(it.Step), it.Label, it.TargetID, it.ETag, it.Action, it.Reason}[id.Col])
	if id.Col == 4 && it.Action == cutover.RollbackRefused {
		l.Importance = widget.DangerImportance
		l.Refresh()
	}
}

func (s *CutoverScreen) probeCell(id widget.TableCellID, l *widget.Label) {
	r := s.probes[id.Row]
	l.Importance = widget.MediumImportance
	l.SetText([]string{formatTime(r.At), fmt.Sprint(r.Step), r.Check, r.TargetID, r.Subject, r.Outcome, r.Detail}[id.Col])
	if id.Col == 5 {
		switch r.Outcome {
		case cutover.ProbeFail:
			l.Importance = widget.DangerImportance
		case cutover.ProbeWarn:
			l.Importance = widget.WarningImportance
		case cutover.ProbePass:
			l.Importance = widget.SuccessImportance
		}
		l.Refresh()
	}
}

func probeSummary(results []cutover.ProbeResult) string {
	c := map[string]int{}
	for _, r := range results {
		if r.RunID == results[0].RunID {
			c[r.Outcome]++
		}
	}
	return fmt.Sprintf("Newest probe run at %s: %d pass, %d warn, %d fail, %d skipped.", formatTime(results[0].At),
		c[cutover.ProbePass], c[cutover.ProbeWarn], c[cutover.ProbeFail], c[cutover.ProbeSkipped])
}

// updateButtons enables what the plan's state allows.
func (s *CutoverScreen) updateButtons() {
	ready := s.summary.PreviewHandoffStatus == readiness.HandoffReady && s.env.Cutover != nil && !s.running
	var p *cutover.Plan
	var apply *cutover.Run
	if s.detail != nil {
		p, apply = &s.detail.Plan, s.detail.Apply
	}
	started := apply != nil
	set := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	set(s.create, ready && s.source.SelectedIndex() >= 0)
	set(s.rebuild, ready && p != nil && !started)
	set(s.preview, ready && p != nil && !started)
	set(s.apply, ready && p != nil && p.Status == cutover.StatusPreviewed && !started && s.token != "")
	resumable := apply != nil && (apply.Interrupted || apply.Status == cutover.RunFailed) && s.detail.Rollback == nil
	set(s.resume, !s.running && s.env.Cutover != nil && resumable)
	rollbackable := apply != nil && !(apply.Status == cutover.RunStarted && !apply.Interrupted)
	set(s.rollbackPreview, !s.running && s.env.Cutover != nil && rollbackable)
	set(s.rollback, !s.running && s.env.Cutover != nil && rollbackable && (s.detail.Rollback == nil || s.detail.Rollback.Status != cutover.RunCompleted))
	set(s.probe, !s.running && s.env.Cutover != nil && apply != nil && apply.Status != cutover.RunStarted)
}

func (s *CutoverScreen) planID() string {
	if s.detail == nil {
		return ""
	}
	return s.detail.Plan.ID
}

func (s *CutoverScreen) startCreate() {
	src := s.source.Selected
	s.busy("Creating the plan…", func(ctx context.Context) (string, error) {
		p, err := s.env.Cutover.Create(ctx, cutover.CreateRequest{Source: src})
		return p.ID, err
	})
}

func (s *CutoverScreen) startRebuild() {
	id := s.planID()
	s.token = ""
	s.tokenLine.Hide()
	s.busy("Rebuilding the plan…", func(ctx context.Context) (string, error) {
		_, err := s.env.Cutover.Rebuild(ctx, id)
		return id, err
	})
}

// busy runs a short operation with the buttons disabled, then reloads.
func (s *CutoverScreen) busy(what string, work func(ctx context.Context) (string, error)) {
	if s.running || s.env.Cutover == nil {
		return
	}
	s.running = true
	s.updateButtons()
	s.progress.startIndeterminate(what)
	task.Run(s.env.Tasks, work, func(id string, err error) {
		s.running = false
		s.progress.hide()
		if err != nil {
			ShowError(s.env.Window, "Cutover", err)
		}
		s.reload(id)
		s.env.Changed()
	})
}

func (s *CutoverScreen) startPreview() {
	id := s.planID()
	if id == "" || s.running {
		return
	}
	s.running = true
	s.updateButtons()
	s.progress.startIndeterminate("Reading the live target…")
	task.Run(s.env.Tasks, func(ctx context.Context) (cutover.PreviewResult, error) {
		return s.env.Cutover.Preview(ctx, id)
	}, func(res cutover.PreviewResult, err error) {
		s.running = false
		s.progress.hide()
		s.showPreview(res)
		s.tabs.SelectIndex(1)
		if err != nil {
			ShowError(s.env.Window, "The preview was refused", err)
		} else {
			s.token = res.Token
			s.tokenLine.Importance = widget.SuccessImportance
			s.tokenLine.SetText(fmt.Sprintf("Previewed: the token %s… authorises apply until %s. Apply uses it from this window.",
				res.Token[:12], formatTime(res.Plan.Preview.ExpiresAt)))
			s.tokenLine.Show()
		}
		s.reload(id)
		s.env.Changed()
	})
}

// showPreview writes the terraform-like summary: per noun what apply will
// do, each create's request, and the drifts that refused it.
func (s *CutoverScreen) showPreview(res cutover.PreviewResult) {
	if len(res.Drifts) > 0 {
		var lines []string
		for _, d := range res.Drifts {
			lines = append(lines, "• "+d.String())
		}
		s.drifts.SetText("The live target drifted from what the plan assumed; rebuild the plan or fix the target, then preview again:\n" + strings.Join(lines, "\n"))
		s.drifts.Show()
	} else {
		s.drifts.Hide()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %7s %6s %10s %8s %8s\n", "NOUN", "CREATE", "BIND", "FOLLOW-UP", "BLOCKED", "SKIPPED")
	for _, n := range res.Nouns {
		fmt.Fprintf(&b, "%-22s %7d %6d %10d %8d %8d\n", n.Kind, n.Create, n.Bind, n.ManualFollowUp, n.Blocked, n.Skipped)
	}
	b.WriteString("\n")
	for _, st := range res.Steps {
		if st.Disposition != steps.Planned {
			continue
		}
		if st.Action == steps.Bind {
			fmt.Fprintf(&b, "= %d. %s → existing %s\n", st.Seq, st.Label, st.Bound.TargetID)
			continue
		}
		fmt.Fprintf(&b, "+ %d. %s\n", st.Seq, st.Label)
		var body bytes.Buffer
		if json.Indent(&body, st.Request, "    ", "  ") == nil {
			fmt.Fprintf(&b, "    %s\n", body.String())
		}
	}
	s.nouns.SetText(b.String())
}

// confirmApply asks before changing the live tenant.
func (s *CutoverScreen) confirmApply() {
	if s.detail == nil || s.token == "" {
		return
	}
	p := s.detail.Plan
	msg := fmt.Sprintf("Apply plan %s to the live Portal tenant?\n\n%s steps will create or bind objects; %s are left for follow-up, blocked or skipped. "+
		"Every step is journaled: if this stops, Resume continues without creating anything twice.", p.ID,
		FormatCount(p.Counts[steps.Planned]), FormatCount(p.StepCount-p.Counts[steps.Planned]))
	dialog.ShowConfirm("Apply the cutover", msg, func(ok bool) {
		if ok {
			token := s.token
			s.runLong("Applying", func(ctx context.Context, opts cutover.ApplyOptions) (cutover.Outcome, error) {
				return s.env.Cutover.Apply(ctx, p.ID, token, opts)
			})
		}
	}, s.env.Window)
}

func (s *CutoverScreen) startResume() {
	id := s.planID()
	s.runLong("Resuming", func(ctx context.Context, opts cutover.ApplyOptions) (cutover.Outcome, error) {
		return s.env.Cutover.Resume(ctx, id, opts)
	})
}

// runLong runs an apply, resume or rollback with progress and cancel, then
// shows the client secrets it issued, once.
func (s *CutoverScreen) runLong(verb string, run func(context.Context, cutover.ApplyOptions) (cutover.Outcome, error)) {
	if s.running || s.env.Cutover == nil {
		return
	}
	s.running = true
	s.updateButtons()
	ctx, cancel := context.WithCancel(context.Background())
	s.progress.start(verb, cancel)
	var mu sync.Mutex
	var issued []cutover.IssuedSecret
	opts := cutover.ApplyOptions{
		Progress: func(p cutover.Progress) { fyne.Do(func() { s.progress.show(p) }) },
		OnSecret: func(is cutover.IssuedSecret) error {
			mu.Lock()
			issued = append(issued, is)
			mu.Unlock()
			return cutover.ErrDeliverLater // shown in a dialog when the run ends
		},
	}
	task.Run(s.env.Tasks, func(group context.Context) (cutover.Outcome, error) {
		defer cancel()
		defer context.AfterFunc(group, cancel)()
		return run(ctx, opts)
	}, func(out cutover.Outcome, err error) {
		s.running = false
		s.progress.finish(out, err)
		mu.Lock()
		secrets := issued
		mu.Unlock()
		if len(secrets) > 0 {
			s.showSecrets(out.Run.PlanID, out.Run.ID, secrets)
		}
		if err != nil {
			ShowError(s.env.Window, verb+" stopped", err)
		}
		s.reload(out.Run.PlanID)
		s.env.Changed()
	})
}

// showSecrets shows generated client secrets once, each with a copy
// button; closing the dialog records them delivered. They are never
// stored: a console that quits before this dialog closes leaves them
// undelivered, and Resume issues new ones.
func (s *CutoverScreen) showSecrets(planID, runID string, secrets []cutover.IssuedSecret) {
	rows := container.NewVBox(widget.NewLabel("Install each client secret now: it is shown once and stored nowhere."))
	var seqs []int
	for _, is := range secrets {
		seqs = append(seqs, is.Step)
		value := is.Secret.Reveal()
		copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			s.env.Window.Clipboard().SetContent(value)
		})
		label := widget.NewLabel(fmt.Sprintf("%s (client id %s)", is.AppName, is.ClientID))
		secretText := widget.NewLabel(value)
		secretText.TextStyle = fyne.TextStyle{Monospace: true}
		rows.Add(container.NewBorder(nil, nil, nil, copyBtn, container.NewVBox(label, secretText)))
	}
	d := dialog.NewCustom("Client secrets, shown once", "I have saved them", container.NewVScroll(rows), s.env.Window)
	d.SetOnClosed(func() {
		task.Run(s.env.Tasks, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.env.Cutover.ConfirmSecrets(ctx, planID, seqs)
		}, func(_ struct{}, err error) {
			if err != nil {
				ShowError(s.env.Window, "Could not record the secrets as delivered", err)
				return
			}
			s.progress.delivered(runID, len(seqs))
		})
	})
	d.Resize(fyne.NewSize(640, 420))
	d.Show()
}

func (s *CutoverScreen) startRollbackPreview(force []string) {
	id := s.planID()
	if id == "" || s.running {
		return
	}
	s.running = true
	s.updateButtons()
	s.progress.startIndeterminate("Reading what the apply created…")
	task.Run(s.env.Tasks, func(ctx context.Context) (cutover.RollbackPlan, error) {
		return s.env.Cutover.RollbackPreview(ctx, id, force)
	}, func(rp cutover.RollbackPlan, err error) {
		s.running = false
		s.progress.hide()
		s.updateButtons()
		if err != nil {
			ShowError(s.env.Window, "Rollback preview", err)
			return
		}
		s.rbItems = rp.Items
		s.rbTable.Refresh()
		line := fmt.Sprintf("Rollback of apply run %s: %s objects to delete, %d refused because they changed since apply.",
			short(rp.ApplyRun.ID), FormatCount(rp.Deletes), len(rp.Refused))
		if len(rp.Refused) > 0 {
			line += " Roll back… asks whether to delete them anyway."
		}
		s.rbLine.SetText(line)
		s.tabs.SelectIndex(2)
	})
}

// confirmRollback previews the rollback, then asks; objects changed since
// apply are kept unless the operator ticks them.
func (s *CutoverScreen) confirmRollback() {
	id := s.planID()
	if id == "" || s.running {
		return
	}
	task.Run(s.env.Tasks, func(ctx context.Context) (cutover.RollbackPlan, error) {
		return s.env.Cutover.RollbackPreview(ctx, id, nil)
	}, func(rp cutover.RollbackPlan, err error) {
		if err != nil {
			ShowError(s.env.Window, "Rollback", err)
			return
		}
		s.rbItems = rp.Items
		s.rbTable.Refresh()
		s.tabs.SelectIndex(2)
		type forceable struct {
			check *widget.Check
			id    string
		}
		var changed []forceable
		body := container.NewVBox(widget.NewLabel(fmt.Sprintf("Delete the %s objects apply run %s created? Mapped, pre-existing objects are never touched.",
			FormatCount(rp.Deletes), short(rp.ApplyRun.ID))))
		for _, it := range rp.Items {
			if it.Action == cutover.RollbackRefused {
				c := widget.NewCheck(fmt.Sprintf("Also delete %s (%s): it changed since apply", it.Label, it.TargetID), nil)
				changed = append(changed, forceable{c, it.TargetID})
				body.Add(c)
			}
		}
		dialog.ShowCustomConfirm("Roll back the cutover", "Roll back", "Cancel", body, func(ok bool) {
			if !ok {
				return
			}
			var force []string
			for _, f := range changed {
				if f.check.Checked {
					force = append(force, f.id)
				}
			}
			s.runLong("Rolling back", func(ctx context.Context, opts cutover.ApplyOptions) (cutover.Outcome, error) {
				return s.env.Cutover.RollbackApply(ctx, id, force, opts)
			})
		}, s.env.Window)
	})
}

func (s *CutoverScreen) startProbe() {
	id := s.planID()
	if id == "" || s.running {
		return
	}
	s.running = true
	s.updateButtons()
	s.progress.startIndeterminate("Probing the target…")
	task.Run(s.env.Tasks, func(ctx context.Context) (cutover.ProbeReport, error) {
		return s.env.Cutover.Probe(ctx, id)
	}, func(rep cutover.ProbeReport, err error) {
		s.running = false
		s.progress.hide()
		if err != nil {
			ShowError(s.env.Window, "Probe", err)
		}
		s.tabs.SelectIndex(3)
		s.reload(id)
		s.env.Changed()
	})
}

// runPanel shows a run's progress with a cancel button.
type runPanel struct {
	content *fyne.Container
	label   *widget.Label
	bar     *widget.ProgressBar
	spin    *widget.ProgressBarInfinite
	cancel  *widget.Button
	stop    context.CancelFunc
	// The finished run's line without its secrets sentence, the run and
	// how many of its client secrets have not reached the operator.
	summary     string
	runID       string
	undelivered int
}

func newRunPanel() *runPanel {
	p := &runPanel{label: widget.NewLabel(""), bar: widget.NewProgressBar(), spin: widget.NewProgressBarInfinite()}
	p.label.Wrapping = fyne.TextWrapWord
	p.cancel = widget.NewButtonWithIcon("Cancel after this step", theme.CancelIcon(), func() {
		if p.stop != nil {
			p.stop()
			p.cancel.SetText("Stopping after the current step…")
			p.cancel.Disable()
		}
	})
	p.spin.Stop()
	p.content = container.NewVBox(container.NewBorder(nil, nil, nil, p.cancel, p.label), p.bar, p.spin)
	p.content.Hide()
	return p
}

func (p *runPanel) startIndeterminate(what string) {
	p.runID = ""
	p.label.SetText(what)
	p.bar.Hide()
	p.cancel.Hide()
	p.spin.Show()
	p.spin.Start()
	p.content.Show()
}

func (p *runPanel) start(verb string, stop context.CancelFunc) {
	p.stop = stop
	p.runID = ""
	p.label.SetText(verb + "…")
	p.bar.SetValue(0)
	p.bar.Show()
	p.spin.Stop()
	p.spin.Hide()
	p.cancel.SetText("Cancel after this step")
	p.cancel.Enable()
	p.cancel.Show()
	p.content.Show()
}

func (p *runPanel) show(pr cutover.Progress) {
	if pr.Total > 0 {
		p.bar.SetValue(float64(pr.Done) / float64(pr.Total))
	}
	line := fmt.Sprintf("%s: %d of %d steps%s", Readable(string(pr.Kind)), pr.Done, pr.Total, countWords(pr.Counts))
	if pr.Current != "" {
		line += " — " + pr.Current
	}
	p.label.SetText(line)
}

func (p *runPanel) finish(out cutover.Outcome, err error) {
	p.stop = nil
	p.spin.Stop()
	p.spin.Hide()
	p.cancel.Hide()
	switch {
	case err != nil && out.Run.ID == "":
		p.content.Hide()
		return
	case out.Cancelled:
		p.label.SetText(fmt.Sprintf("Stopped after the current step: run %s is interrupted and Resume continues it.", short(out.Run.ID)))
	default:
		p.label.SetText(fmt.Sprintf("%s run %s: %s%s.", Readable(string(out.Run.Kind)), short(out.Run.ID), runWords(out.Run), countWords(out.Run.Counts)))
	}
	p.summary, p.runID, p.undelivered = p.label.Text, out.Run.ID, out.Undelivered
	p.showSecretsLine(0)
}

// delivered records that n of run runID's client secrets reached the
// operator (the shown-once dialog closed), so the line stops asking for them.
func (p *runPanel) delivered(runID string, n int) {
	if runID != p.runID || n <= 0 {
		return // another run's line is showing
	}
	p.undelivered = max(p.undelivered-n, 0)
	p.showSecretsLine(n)
}

func (p *runPanel) showSecretsLine(delivered int) {
	line := p.summary
	if delivered > 0 {
		line += fmt.Sprintf(" %d client secrets delivered.", delivered)
	}
	if p.undelivered > 0 {
		line += fmt.Sprintf(" %d client secrets have not reached you yet.", p.undelivered)
	}
	p.label.SetText(line)
}

func (p *runPanel) hide() {
	p.spin.Stop()
	p.content.Hide()
}
