package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// Assessment is the engine's assessment stage as the screens use it.
// *assessment.Service implements every method but Rules, which the session
// adds from the catalogue that service classifies with.
type Assessment interface {
	Run(ctx context.Context, snapshotID string, progress func(assessment.Progress)) (assessment.Run, error)
	Runs(ctx context.Context) ([]assessment.Run, error)
	Results(ctx context.Context, q assessment.ResultQuery) (assessment.ResultPage, error)
	Detail(ctx context.Context, runID string, itemID int64) (assessment.Detail, error)
	Readiness(ctx context.Context, runID string) (assessment.Readiness, error)
	Dispose(ctx context.Context, q assessment.DisposeRequest) (assessment.Disposition, error)
	Changes(ctx context.Context, runID string, limit int) (assessment.Diff, bool, error)
	Rules() []assessment.Rule
}

// AssessmentScreen runs compatibility assessments of completed snapshots
// and reviews the selected run: its charts and history, its item results
// with their rules, the readiness roll-up with the what-if, and what
// changed since the source's previous run.
type AssessmentScreen struct {
	env     Env
	sources []workspace.Source // configured ones
	// snapshots are the completed snapshots of every source, newest first.
	snapshots []inventory.Snapshot
	source    *widget.Select
	snapshot  *widget.Select
	// snapshotIDs are the ids behind the snapshot select's options.
	snapshotIDs []string
	runButton   *widget.Button
	panel       *assessPanel
	running     bool

	runs     []assessment.Run
	selected string // the run the tabs show
	// shownKey is the selected run as the tabs last showed it: they read
	// it again only when it changed (it completed, or another was chosen).
	shownKey string
	showing  *widget.Label
	history  *widget.Table

	tabs      *container.AppTabs
	itemsTab  *container.TabItem
	overview  *assessOverview
	results   *resultBrowser
	readiness *readinessView
	changes   *changesView
	content   fyne.CanvasObject
}

// NewAssessmentScreen builds the screen; Show fills it.
func NewAssessmentScreen(env Env) Screen {
	s := &AssessmentScreen{env: env}
	s.source = widget.NewSelect(nil, func(string) { s.fillSnapshots() })
	s.source.PlaceHolder = "Choose a source"
	s.snapshot = widget.NewSelect(nil, func(string) { s.updateButtons() })
	s.snapshot.PlaceHolder = "Choose a completed snapshot"
	s.runButton = widget.NewButtonWithIcon("Run assessment", theme.MediaPlayIcon(), s.startRun)
	s.runButton.Importance = widget.HighImportance
	s.panel = newAssessPanel()
	s.panel.cancel.OnTapped = s.cancelRun
	s.showing = widget.NewLabel("")
	s.showing.Wrapping = fyne.TextWrapWord
	s.history = s.newHistoryTable()

	s.overview = newAssessOverview(env, s.history, s.showClass)
	s.results = newResultBrowser(env)
	s.readiness = newReadinessView(env, s.showApplication)
	s.changes = newChangesView(env)
	s.results.detail.disposed = s.afterDispose
	s.itemsTab = container.NewTabItemWithIcon("Items", theme.ListIcon(), s.results.content)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Overview", theme.InfoIcon(), s.overview.content),
		s.itemsTab,
		container.NewTabItemWithIcon("Readiness", theme.ConfirmIcon(), s.readiness.content),
		container.NewTabItemWithIcon("What changed", theme.HistoryIcon(), s.changes.content),
	)
	s.tabs.OnSelected = func(*container.TabItem) { s.loadVisibleTab() }

	bar := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabel("Source"), s.source, widget.NewLabel("Snapshot")),
		s.runButton, s.snapshot)
	top := container.NewVBox(heading("Assessment"), bar, s.panel.content, s.showing)
	s.content = container.NewBorder(top, nil, nil, nil, s.tabs)
	if env.Assessment == nil {
		s.showing.SetText("This session cannot assess: open the workspace file itself to run and review assessments.")
	}
	s.updateButtons()
	return s
}

// Content implements Screen.
func (s *AssessmentScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen: it follows the configured sources and reloads
// the completed snapshots and the run history.
func (s *AssessmentScreen) Show(st State) {
	s.sources = s.sources[:0]
	names := []string{}
	for _, src := range st.Sources {
		if src.Status == workspace.SourceConfigured {
			s.sources = append(s.sources, src)
			names = append(names, src.Name)
		}
	}
	s.source.SetOptions(names)
	if len(names) == 0 {
		s.source.ClearSelected()
		s.source.PlaceHolder = "No configured source: add one on the Sources stage"
		s.source.Refresh()
	}
	s.reload()
}

type assessmentState struct {
	snapshots []inventory.Snapshot
	runs      []assessment.Run
}

// reload reads the completed snapshots and the runs, then shows them.
func (s *AssessmentScreen) reload() {
	if s.env.Assessment == nil || s.env.Inventory == nil {
		return
	}
	task.Run(s.env.Tasks, func(ctx context.Context) (assessmentState, error) {
		var st assessmentState
		snaps, err := s.env.Inventory.Snapshots(ctx)
		if err != nil {
			return st, fmt.Errorf("read the snapshots: %w", err)
		}
		for _, sn := range snaps {
			if sn.Status == inventory.StatusCompleted {
				st.snapshots = append(st.snapshots, sn)
			}
		}
		if st.runs, err = s.env.Assessment.Runs(ctx); err != nil {
			return st, fmt.Errorf("read the assessment runs: %w", err)
		}
		return st, nil
	}, func(st assessmentState, err error) {
		if err != nil {
			s.showing.SetText("Could not read the assessments: " + err.Error())
			return
		}
		s.snapshots, s.runs = st.snapshots, st.runs
		if s.source.SelectedIndex() < 0 && len(s.source.Options) > 0 {
			s.source.SetSelectedIndex(s.preferredSource())
		} else {
			s.fillSnapshots()
		}
		s.history.Refresh()
		if _, ok := s.selectedRun(); !ok {
			s.selected = defaultRun(s.runs)
		}
		s.showSelected()
	})
}

// preferredSource is the source of the newest run, else the first one.
func (s *AssessmentScreen) preferredSource() int {
	if len(s.runs) > 0 {
		for i, name := range s.source.Options {
			if name == s.runs[0].SourceName {
				return i
			}
		}
	}
	return 0
}

// defaultRun is the run shown when none is chosen: the newest completed
// one, else the newest.
func defaultRun(runs []assessment.Run) string {
	for _, r := range runs {
		if r.Status == assessment.StatusCompleted {
			return r.ID
		}
	}
	if len(runs) > 0 {
		return runs[0].ID
	}
	return ""
}

// fillSnapshots offers the chosen source's completed snapshots, newest
// first, keeping the chosen one when it is still offered.
func (s *AssessmentScreen) fillSnapshots() {
	keep := s.pickedSnapshot()
	var labels, ids []string
	for _, sn := range s.snapshots {
		if sn.SourceName == s.source.Selected {
			labels = append(labels, SnapshotLabel(sn))
			ids = append(ids, sn.ID)
		}
	}
	s.snapshotIDs = ids
	s.snapshot.SetOptions(labels)
	switch {
	case len(ids) == 0 && s.source.Selected != "":
		s.snapshot.ClearSelected()
		s.snapshot.PlaceHolder = "No completed snapshot: collect the inventory on the Inventory stage first"
	case len(ids) == 0:
		s.snapshot.ClearSelected()
		s.snapshot.PlaceHolder = "Choose a source first"
	default:
		i := 0
		for j, id := range ids {
			if id == keep {
				i = j
			}
		}
		s.snapshot.SetSelectedIndex(i)
	}
	s.snapshot.Refresh()
	s.updateButtons()
}

// SnapshotLabel names a completed snapshot in the chooser: when it ended,
// what it holds and its id.
func SnapshotLabel(sn inventory.Snapshot) string {
	return fmt.Sprintf("%s · %s items · %s", formatOptionalTime(sn.FinishedAt, formatTime(sn.StartedAt)), FormatCount(sn.ItemCount), sn.ID)
}

func (s *AssessmentScreen) pickedSnapshot() string {
	if i := s.snapshot.SelectedIndex(); i >= 0 && i < len(s.snapshotIDs) {
		return s.snapshotIDs[i]
	}
	return ""
}

func (s *AssessmentScreen) updateButtons() {
	if s.running || s.env.Assessment == nil || s.pickedSnapshot() == "" {
		s.runButton.Disable()
	} else {
		s.runButton.Enable()
	}
}

func (s *AssessmentScreen) selectedRun() (assessment.Run, bool) {
	for _, r := range s.runs {
		if r.ID == s.selected {
			return r, true
		}
	}
	return assessment.Run{}, false
}

// selectRun shows another run in the tabs.
func (s *AssessmentScreen) selectRun(id string) {
	s.selected = id
	s.showSelected()
}

// showSelected follows the selected run: the line naming it, and the
// tabs, read again only when the run changed since they last showed it.
func (s *AssessmentScreen) showSelected() {
	run, ok := s.selectedRun()
	if !ok {
		if s.env.Assessment != nil {
			s.showing.SetText("No assessment yet: choose a source and a completed snapshot, then run the assessment.")
		}
		s.overview.show(assessment.Run{}, false)
		s.results.showNone("No assessment run to show yet.")
		s.readiness.showNone("No assessment run to show yet.")
		s.changes.showNone("No assessment run to show yet.")
		return
	}
	s.showing.SetText(RunLine(s.env.Vendors, run))
	s.showing.Importance = widget.MediumImportance
	if run.Status == assessment.StatusFailed {
		s.showing.Importance = widget.DangerImportance
	}
	s.showing.Refresh()
	key := fmt.Sprintf("%s/%s/%d", run.ID, run.Status, run.ItemCount)
	if key == s.shownKey {
		return
	}
	s.shownKey = key
	s.overview.show(run, true)
	if run.Status != assessment.StatusCompleted {
		msg := fmt.Sprintf("Run %s is %s: it has no results to review. Choose a completed run in the history on the Overview tab.", run.ID, runStatusWord(run))
		s.results.showNone(msg)
		s.readiness.showNone(msg)
		s.changes.showNone(msg)
		return
	}
	s.results.show(run)
	s.readiness.invalidate(run)
	s.changes.invalidate(run)
	s.loadVisibleTab()
}

// loadVisibleTab reads the readiness or the changes when their tab is the
// one on screen: both read the whole run, so they wait until asked for.
func (s *AssessmentScreen) loadVisibleTab() {
	switch s.tabs.Selected().Content {
	case s.readiness.content:
		s.readiness.load()
	case s.changes.content:
		s.changes.load()
	}
}

// showApplication opens an application of the readiness roll-up in the
// item detail.
func (s *AssessmentScreen) showApplication(itemID int64) {
	run, ok := s.selectedRun()
	if !ok {
		return
	}
	s.tabs.Select(s.itemsTab)
	s.results.detail.load(run.ID, itemID)
}

// showClass lists the items of one class.
func (s *AssessmentScreen) showClass(c assessment.Class) {
	s.tabs.Select(s.itemsTab)
	s.results.kind.SetSelected(allKinds)
	s.results.class.SetSelected(assessment.ClassLabels[c])
}

// afterDispose follows a what-if: the roll-up and the table's what-if
// column change, the verdicts do not; the audit trail gained an entry.
func (s *AssessmentScreen) afterDispose() {
	s.results.refreshWindows()
	if run, ok := s.selectedRun(); ok {
		s.readiness.invalidate(run)
		s.loadVisibleTab()
	}
	if s.env.Changed != nil {
		s.env.Changed()
	}
}

// RunLine names the run the tabs show, with the ids migctl takes, on one
// line unless it failed.
func RunLine(vendors vendor.Registry, r assessment.Run) string {
	when := formatOptionalTime(r.FinishedAt, "started "+formatTime(r.StartedAt))
	line := fmt.Sprintf("Run %s · %s (%s) · snapshot %s · %s %s.", r.ID, r.SourceName, vendors.Label(r.SourceKind),
		r.SnapshotID, runStatusWord(r), when)
	if why := runError(r); why != "" {
		line += " " + why
	}
	return line
}

// runError says why a run failed; a cancelled run needs no more than that
// (the engine's cause names the query the cancellation interrupted).
func runError(r assessment.Run) string {
	switch {
	case r.Status != assessment.StatusFailed:
		return ""
	case strings.HasPrefix(r.Error, "cancelled"):
		return "It was cancelled before it finished; nothing of it is used."
	case r.Error == "":
		return "The engine recorded no cause."
	}
	return "Cause: " + r.Error
}

// runStatusWord is a run's state in a word or two; a cancelled run reads
// "failed (cancelled)".
func runStatusWord(r assessment.Run) string {
	if r.Status == assessment.StatusFailed && strings.HasPrefix(r.Error, "cancelled") {
		return "failed (cancelled)"
	}
	return strings.ToLower(Readable(string(r.Status)))
}

// historyColumns are the run history's columns.
var historyColumns = []struct {
	title string
	width float32
	value func(assessment.Run) string
}{
	{"Status", 160, func(r assessment.Run) string { return Readable(runStatusWord(r)) }},
	{"Source", 130, func(r assessment.Run) string { return r.SourceName }},
	{"Started", 150, func(r assessment.Run) string { return formatTime(r.StartedAt) }},
	{"Items", 70, func(r assessment.Run) string { return FormatCount(r.ItemCount) }},
	{"Classes", 440, func(r assessment.Run) string { return ClassSummary(r.Counts) }},
	{"OCM impacts", 100, func(r assessment.Run) string { return FormatCount(r.ImpactCount) }},
	{"Classifier", 170, func(r assessment.Run) string { return r.ClassifierVersion }},
	{"Finished", 150, func(r assessment.Run) string { return formatOptionalTime(r.FinishedAt, "—") }},
}

func (s *AssessmentScreen) newHistoryTable() *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(s.runs), len(historyColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			r := s.runs[id.Row]
			l.Importance = widget.MediumImportance
			if id.Col == 0 {
				switch r.Status {
				case assessment.StatusFailed:
					l.Importance = widget.DangerImportance
				case assessment.StatusAssessing:
					l.Importance = widget.WarningImportance
				}
			}
			l.TextStyle.Bold = r.ID == s.selected
			l.SetText(historyColumns[id.Col].value(r))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(historyColumns[id.Col].title)
		}
	}
	for i, c := range historyColumns {
		t.SetColumnWidth(i, c.width)
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.runs) {
			s.selectRun(s.runs[id.Row].ID)
			t.Refresh()
		}
	}
	return t
}

// ClassSummary words counts by class, most restrictive first:
// "2 blocked · 1 manual rebuild required · 7 native import".
func ClassSummary(counts map[assessment.Class]int) string {
	var parts []string
	for i := len(assessment.Classes) - 1; i >= 0; i-- {
		c := assessment.Classes[i]
		if n := counts[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", FormatCount(n), strings.ToLower(assessment.ClassLabels[c])))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

// classImportance colours a class where it is named: blocked red, manual
// rebuild amber, native import green.
func classImportance(c assessment.Class) widget.Importance {
	switch c {
	case assessment.Blocked:
		return widget.DangerImportance
	case assessment.ManualRebuildRequired:
		return widget.WarningImportance
	case assessment.NativeImport:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// ClassLabel names a class for people; "" reads as nothing outstanding.
func ClassLabel(c assessment.Class) string {
	if c == "" {
		return "Nothing outstanding"
	}
	if l, ok := assessment.ClassLabels[c]; ok {
		return l
	}
	return Readable(string(c))
}
