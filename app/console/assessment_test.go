package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/assessment/rules"
	"github.com/portal-id/migration-console/engine/assessment/synth"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/shell"
	uitheme "github.com/portal-id/migration-console/ui/theme"
	"github.com/portal-id/migration-console/ui/uitest"
)

// sessionBackend opens one ready session.
type sessionBackend struct{ s shell.Session }

func (b sessionBackend) Open(_ context.Context, path string) (shell.Session, error) {
	if path != b.s.Path {
		return shell.Session{}, fmt.Errorf("open %s: not this test's file", path)
	}
	return b.s, nil
}

func (b sessionBackend) Create(context.Context, string, workspace.CreateRequest) (shell.Session, error) {
	return shell.Session{}, errors.New("no create in this test")
}

func (b sessionBackend) OpenDemo(context.Context) (shell.Session, error) {
	return shell.Session{}, errors.New("no demo in this test")
}

// countingAssessment is the real service, counting the result queries the
// stage makes; hold, when set, keeps a run from finishing until its
// context is cancelled (the run is then recorded failed by the engine).
type countingAssessment struct {
	assessmentService
	results atomic.Int64
	hold    chan struct{} // closed once the held run has reported progress
}

func (c *countingAssessment) Results(ctx context.Context, q assessment.ResultQuery) (assessment.ResultPage, error) {
	c.results.Add(1)
	return c.Service.Results(ctx, q)
}

func (c *countingAssessment) Run(ctx context.Context, snapshotID string, progress func(assessment.Progress)) (assessment.Run, error) {
	if c.hold == nil {
		return c.Service.Run(ctx, snapshotID, progress)
	}
	held := false
	return c.Service.Run(ctx, snapshotID, func(p assessment.Progress) {
		progress(p)
		if !held && !p.Done {
			held = true
			close(c.hold)
			<-ctx.Done()
		}
	})
}

// assessGUI is a console window on one session's assessment stage.
type assessGUI struct {
	invGUI
}

func openAssessment(t *testing.T, s shell.Session) *assessGUI {
	t.Helper()
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 900))
	c := shell.New(a, win, sessionBackend{s})
	t.Cleanup(c.Close)
	g := &assessGUI{invGUI{t: t, c: c, cv: win.Canvas()}}
	c.Open(s.Path)
	c.Wait()
	g.stageNamed("Assessment")
	c.Wait()
	return g
}

func (g *assessGUI) tab(title string) {
	g.t.Helper()
	tabs := uitest.Find[*container.AppTabs](g.t, g.cv)
	for _, it := range tabs.Items {
		if it.Text == title {
			tabs.Select(it)
			g.c.Wait()
			return
		}
	}
	g.t.Fatalf("no tab %q", title)
}

// resultTable is the on-screen table with the result columns.
func (g *assessGUI) resultTable() *widget.Table {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if tb, ok := o.(*widget.Table); ok {
			if _, cols := tb.Length(); cols == 6 {
				return tb
			}
		}
	}
	g.t.Fatal("no result table on screen")
	return nil
}

func (g *assessGUI) rows() int {
	g.t.Helper()
	n, _ := g.resultTable().Length()
	return n
}

// filterText types into an entry and applies it at once with Enter.
func (g *assessGUI) filterText(placeholder, text string) {
	g.t.Helper()
	e := g.entryWithPlaceholder(placeholder)
	e.SetText("")
	test.Type(e, text)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.c.Wait()
}

func (g *assessGUI) shows(want string) bool { return uitest.Shows(g.cv, want) }

// charts returns the chart images on screen.
func (g *assessGUI) charts() []*screens.ChartImage {
	var out []*screens.ChartImage
	for _, o := range uitest.Objects(g.cv) {
		if c, ok := o.(*screens.ChartImage); ok {
			out = append(out, c)
		}
	}
	return out
}

// TestAssessmentStageOnTheDemo runs an assessment from the stage on the
// demo's Okta snapshot (collected at launch from its replay server through
// the SDK) and walks the stage as a consultant would: charts, table and
// filters against the engine's own counts, detail, what-if, changes.
func TestAssessmentStageOnTheDemo(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.migration")
	s, run := launch(t, path)
	snaps, err := run.w.Inventory.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var snap inventory.Snapshot
	for _, sn := range snaps {
		if sn.SourceName == demoOktaSource && sn.Status == inventory.StatusCompleted {
			snap = sn
			break
		}
	}
	if snap.ID == "" {
		t.Fatalf("the demo opened without a completed Okta snapshot: %+v", snaps)
	}
	launched, err := run.w.Assessment.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := &countingAssessment{assessmentService: assessmentService{run.w.Assessment}}
	s.Assessment = svc
	g := openAssessment(t, s)
	if len(launched) > 0 {
		g.mustShow("Run " + launched[0].ID + " · ") // the demo opens on its newest completed run
	}
	g.selectWith(demoEntraSource).SetSelected(demoOktaSource)
	g.c.Wait()
	g.mustShow(snap.ID)

	g.tap("Run assessment")
	g.mustShow("Assessment completed")
	runs, err := run.w.Assessment.Runs(ctx)
	if err != nil || len(runs) != len(launched)+1 || runs[0].Status != assessment.StatusCompleted {
		t.Fatalf("after the run the file holds %+v (err %v), want one more completed run", runs, err)
	}
	r := runs[0]
	if r.SnapshotID != snap.ID || r.ItemCount != snap.ItemCount {
		t.Fatalf("the run assessed %s (%d items), want %s (%d)", r.SnapshotID, r.ItemCount, snap.ID, snap.ItemCount)
	}
	g.mustShow("Run " + r.ID + " · ")
	g.mustShow("Preview handoff") // the header was read again after the run

	// The charts are PNG images of real size, and the counts beside them
	// are the run's.
	charts := g.charts()
	if len(charts) != 2 {
		t.Fatalf("the overview shows %d charts, want the donut and the bars", len(charts))
	}
	for _, c := range charts {
		res := c.Image.Resource
		if res == nil {
			t.Fatal("a chart has no picture")
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(res.Content()))
		if err != nil || cfg.Width == 0 || cfg.Height == 0 {
			t.Fatalf("chart %s is not a PNG with a size: %+v %v", res.Name(), cfg, err)
		}
		if sz := c.Size(); sz.Width == 0 || sz.Height == 0 {
			t.Fatalf("chart %s is laid out %v", res.Name(), sz)
		}
	}
	for _, c := range assessment.Classes {
		if n := r.Counts[c]; n > 0 {
			g.mustShow(screens.FormatCount(n) + " (")
		}
	}

	// The table holds the run's total; each filter narrows it to what the
	// engine counts for the same question.
	g.tab("Items")
	if g.rows() != r.ItemCount {
		t.Fatalf("the table has %d rows, the run %d items", g.rows(), r.ItemCount)
	}
	g.mustShow(screens.FormatCount(r.ItemCount) + " items")
	engineTotal := func(q assessment.ResultQuery) int {
		t.Helper()
		q.RunID = r.ID
		page, err := run.w.Assessment.Results(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	class := g.selectWith(allClassesLabel)
	class.SetSelected(assessment.ClassLabels[assessment.Blocked])
	g.c.Wait()
	if want := r.Counts[assessment.Blocked]; want == 0 || g.rows() != want {
		t.Fatalf("filtered to blocked the table has %d rows, the run %d blocked items", g.rows(), want)
	}
	// The first blocked row: its detail names the deciding rule and its
	// rationale.
	tb := g.resultTable()
	first, err := run.w.Assessment.Results(ctx, assessment.ResultQuery{RunID: r.ID, Class: assessment.Blocked, Limit: 1})
	if err != nil || len(first.Results) != 1 {
		t.Fatalf("first blocked result: %v", err)
	}
	blocked := first.Results[0]
	if got := cell(tb, 0, 2); got != blocked.DisplayName {
		t.Fatalf("the first blocked row is %q, the engine's %q", got, blocked.DisplayName)
	}
	tb.Select(widget.TableCellID{Row: 0, Col: 2})
	g.c.Wait()
	g.mustShow("decided by " + blocked.RuleID)
	g.mustShow(blocked.Rationale)
	g.mustShow(blocked.RuleID + " v")
	g.mustShow("SHA-256 ")

	// Rule: every item the deciding rule of that row decided or matched.
	class.SetSelected(allClassesLabel)
	g.c.Wait()
	rule := uitest.Find[*widget.SelectEntry](t, g.cv)
	rule.SetText(blocked.RuleID)
	rule.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.c.Wait()
	if want := engineTotal(assessment.ResultQuery{RuleID: blocked.RuleID}); g.rows() != want {
		t.Fatalf("filtered by rule %s the table has %d rows, the engine %d", blocked.RuleID, g.rows(), want)
	}
	rule.SetText("")
	rule.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.c.Wait()
	// Kind.
	kind := g.selectWith("All kinds")
	kind.SetSelected("Group")
	g.c.Wait()
	groups := 0
	for _, n := range r.KindCounts[inventory.KindGroup] {
		groups += n
	}
	if groups == 0 || g.rows() != groups {
		t.Fatalf("filtered to groups the table has %d rows, the run %d groups", g.rows(), groups)
	}
	kind.SetSelected("All kinds")
	g.c.Wait()
	// Text.
	word := strings.Fields(blocked.DisplayName)[0]
	g.filterText("Filter by name, ID, subtype or attribute value", word)
	if want := engineTotal(assessment.ResultQuery{Text: word}); want == 0 || g.rows() != want {
		t.Fatalf("filtered by %q the table has %d rows, the engine %d", word, g.rows(), want)
	}
	g.filterText("Filter by name, ID, subtype or attribute value", "")
	if g.rows() != r.ItemCount {
		t.Fatalf("with the filters cleared the table has %d rows", g.rows())
	}

	// What-if on the blocked item's deciding finding: the roll-up moves,
	// the verdict does not, and the stage says so.
	target := singlyBlocked(t, run.w.Assessment, r.ID)
	before, err := run.w.Assessment.Readiness(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	g.showDetailOf(target)
	g.tap("What-if…")
	uitest.FormField[*widget.RadioGroup](t, g.cv, "Decision").SetSelected("Will fix before cutover")
	test.Type(uitest.FormField[*widget.Entry](t, g.cv, "Note"), "The app owner moves it to a group assignment first")
	test.Type(uitest.FormField[*widget.Entry](t, g.cv, "Owner"), "App owner")
	g.tap("Record")
	g.mustShow("The verdict is unchanged")
	g.mustShow("What-if: Will fix before cutover, owner App owner")
	after, err := run.w.Assessment.Readiness(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Disposed[assessment.WillFix] != 1 || after.Total.Outstanding[assessment.Blocked] != before.Total.Outstanding[assessment.Blocked]-1 {
		t.Fatalf("the what-if did not move the roll-up: blocked outstanding %d → %d, disposed %v",
			before.Total.Outstanding[assessment.Blocked], after.Total.Outstanding[assessment.Blocked], after.Disposed)
	}
	if after.Total.Counts[assessment.Blocked] != before.Total.Counts[assessment.Blocked] {
		t.Fatal("the what-if changed a verdict")
	}
	same, err := run.w.Assessment.Detail(ctx, r.ID, target.ItemID)
	if err != nil || same.Result.Class != assessment.Blocked || same.Result.RuleID != target.RuleID {
		t.Fatalf("after the what-if the item reads %s by %s (err %v)", same.Result.Class, same.Result.RuleID, err)
	}
	g.tab("Readiness")
	g.mustShow(screens.ReadinessLine(after))
	g.mustShow("1 will fix before cutover")

	// Compared with the Okta run made at launch: the same snapshot and
	// catalogue, so nothing changed.
	diff, ok, err := run.w.Assessment.Changes(ctx, r.ID, 1000)
	if err != nil || !ok {
		t.Fatalf("changes since the launch's run: ok %v, err %v", ok, err)
	}
	g.tab("What changed")
	g.mustShow(screens.ChangesLine(diff))
	g.mustShow(fmt.Sprintf("%s unchanged", screens.FormatCount(r.ItemCount)))
}

// singlyBlocked returns a blocked result with one blocked finding, whose
// what-if takes the item out of the blocked count.
func singlyBlocked(t *testing.T, svc *assessment.Service, runID string) assessment.Result {
	t.Helper()
	page, err := svc.Results(context.Background(), assessment.ResultQuery{RunID: runID, Class: assessment.Blocked, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Results {
		n := 0
		for _, f := range r.Findings {
			if f.Class == assessment.Blocked {
				n++
			}
		}
		if n == 1 {
			return r
		}
	}
	t.Fatal("no blocked item of the demo has a single blocked finding")
	return assessment.Result{}
}

// chartBackgroundDark reads a chart picture's corner pixel.
func chartBackgroundDark(t *testing.T, c *screens.ChartImage) bool {
	t.Helper()
	if c.Image.Resource == nil {
		t.Fatal("a chart has no picture")
	}
	img, err := png.Decode(bytes.NewReader(c.Image.Resource.Content()))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(1, 1).RGBA()
	return r+g+b < 3*0x8000
}

// allClassesLabel is the class filter's "every class" option.
const allClassesLabel = "All classes"

// showDetailOf shows one result's detail through the text filter.
func (g *assessGUI) showDetailOf(r assessment.Result) {
	g.t.Helper()
	g.filterText("Filter by name, ID, subtype or attribute value", r.SourceID)
	tb := g.resultTable()
	for row := range g.rows() {
		if cell(tb, row, 2) == r.DisplayName {
			tb.Select(widget.TableCellID{Row: row, Col: 2})
			g.c.Wait()
			return
		}
	}
	g.t.Fatalf("%q is not in the table filtered by its source id", r.DisplayName)
}

// synthFile is a real workspace file with one Okta source and a completed
// snapshot of n synthetic items, and the console's assessment service.
func synthFile(t *testing.T, n int) (*invFile, inventory.Snapshot, *assessment.Service) {
	t.Helper()
	f := newInvFile(t)
	snap := f.synthSnapshot(t, "snap-synth", n, 7)
	cat, err := rules.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	return f, snap, &assessment.Service{Store: workspacedb.AssessmentStore(f.db), Catalogue: cat, Actor: "consultant"}
}

// synthSnapshot stores a completed snapshot of n synthetic items drawn
// with seed.
func (f *invFile) synthSnapshot(t *testing.T, id string, n int, seed uint64) inventory.Snapshot {
	t.Helper()
	ctx := context.Background()
	store := workspacedb.InventoryStore(f.db)
	at := synth.At
	snap := inventory.Snapshot{ID: id, SourceID: f.src.ID, SourceName: f.src.Name, SourceKind: f.src.Kind,
		Status: inventory.StatusCollecting, StartedAt: at, HeartbeatAt: at, Owner: "test", Counts: map[inventory.Kind]int{}}
	if err := store.Update(ctx, func(tx inventory.Tx) error { return tx.InsertSnapshot(snap) }); err != nil {
		t.Fatal(err)
	}
	var batch []inventory.Item
	flush := func() error {
		err := store.Update(ctx, func(tx inventory.Tx) error { return tx.SaveItems(snap.ID, batch) })
		batch = batch[:0]
		return err
	}
	err := synth.Generate(n, seed, synth.Large, func(it inventory.Item) error {
		batch = append(batch, it)
		if len(batch) == 5000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = store.Update(ctx, func(tx inventory.Tx) error {
			counts, pages, err := tx.CountItems(snap.ID)
			if err != nil {
				return err
			}
			done := at.Add(time.Minute)
			snap.Status, snap.FinishedAt, snap.Counts, snap.PageCount, snap.ItemCount = inventory.StatusCompleted, &done, counts, pages, n
			return tx.UpdateSnapshot(snap)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func (f *invFile) session(assess screens.Assessment) shell.Session {
	inv := &inventory.Service{Store: workspacedb.InventoryStore(f.db), Secrets: f.creds, Actor: "consultant"}
	return shell.Session{Path: f.path, Workspace: f.ws, Readiness: &readiness.Service{Store: workspacedb.ReadinessStore(f.db)},
		Vendors: wiring.Vendors(), Inventory: inv, Assessment: assess}
}

func TestAssessmentCancelEndsTheRunFailed(t *testing.T) {
	f, snap, svc := synthFile(t, 2000)
	assess := &countingAssessment{assessmentService: assessmentService{svc}, hold: make(chan struct{})}
	g := openAssessment(t, f.session(assess))
	g.mustShow(snap.ID)

	test.Tap(uitest.Button(t, g.cv, "Run assessment"))
	<-assess.hold
	g.mustShow("Assessing snapshot " + snap.ID)
	if !uitest.Button(t, g.cv, "Run assessment").Disabled() {
		t.Fatal("a second run can be started while one runs")
	}
	g.tap("Cancel")
	g.mustShow("Cancelled: run")
	g.mustShow("is recorded as failed (cancelled)")
	g.mustShow("Failed (cancelled)") // in the history
	g.mustShow("okta-test (Okta) · snapshot " + snap.ID + " · failed (cancelled)")
	runs, err := svc.Runs(context.Background())
	if err != nil || len(runs) != 1 || runs[0].Status != assessment.StatusFailed || !strings.HasPrefix(runs[0].Error, "cancelled") {
		t.Fatalf("after cancel the file holds %+v (err %v), want one run failed as cancelled", runs, err)
	}
	g.mustShow("it has no results. It was cancelled before it finished")
	g.mustShow(`The newest assessment of source "okta-test" is failed; run it again.`) // the readiness header
	g.tab("Items")
	g.mustShow("has no results to review")
	if uitest.Button(t, g.cv, "Run assessment").Disabled() {
		t.Fatal("Run stays disabled after the run ended")
	}

	// Run again to the end: the header's assessment blockers go.
	assess.hold = nil
	g.tap("Run assessment")
	g.mustShow("Assessment completed")
	for _, text := range uitest.Texts(g.cv) {
		// The merge stage's own blocker (the live target was not read) may
		// stay; the assessment stage's blockers must go.
		if strings.Contains(text, "The newest assessment of source") || strings.Contains(text, "Run a compatibility") || strings.Contains(text, "newer snapshot than its assessment") {
			t.Fatalf("after a completed run the header still shows %q", text)
		}
	}
}

func TestAssessmentTableAt100kRows(t *testing.T) {
	const n = 100_050
	f, snap, svc := synthFile(t, n)
	r, err := svc.Run(context.Background(), snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	assess := &countingAssessment{assessmentService: assessmentService{svc}}
	g := openAssessment(t, f.session(assess))
	g.mustShow("Run " + r.ID + " · ")
	g.tab("Items")
	g.mustShow("100,000+ items, refine the filter")
	tb := g.resultTable()
	if rows := g.rows(); rows != inventory.MaxCount {
		t.Fatalf("the table has %d rows, want %d", rows, inventory.MaxCount)
	}

	// The last row of the capped, class-sorted list, read independently.
	last, err := svc.Results(context.Background(), assessment.ResultQuery{RunID: r.ID, Offset: inventory.MaxCount - 1, Limit: 1})
	if err != nil || len(last.Results) != 1 {
		t.Fatalf("read the last row: %v", err)
	}
	before := assess.results.Load()
	tb.ScrollToBottom()
	g.c.Wait()
	g.mustShow(last.Results[0].DisplayName)
	if fetched := assess.results.Load() - before; fetched == 0 || fetched > 4 {
		t.Fatalf("scrolling to row 100,000 made %d result queries, want 1 to 4", fetched)
	}
	for _, text := range uitest.Texts(g.cv) {
		if text == "…" {
			t.Fatal("rows at the end still wait for their window")
		}
	}

	// Sorting by name reads from the top again.
	g.tap("Name")
	top, err := svc.Results(context.Background(), assessment.ResultQuery{RunID: r.ID, SortBy: "display_name", Limit: 1})
	if err != nil || len(top.Results) != 1 {
		t.Fatalf("read the first row by name: %v", err)
	}
	if got := cell(tb, 0, 2); got != top.Results[0].DisplayName {
		t.Fatalf("sorted by name the first row is %q, want %q", got, top.Results[0].DisplayName)
	}
}

// TestAssessmentChangesSinceTheLastRun assesses a snapshot, then a later
// snapshot of the same source with a newer rule catalogue: the stage lists
// what the engine's diff holds and names the catalogue change.
func TestAssessmentChangesSinceTheLastRun(t *testing.T) {
	ctx := context.Background()
	f, first, svc := synthFile(t, 400)
	if _, err := svc.Run(ctx, first.ID, nil); err != nil {
		t.Fatal(err)
	}
	builtin := map[string]bool{}
	for _, r := range assessment.BuiltinRules() {
		builtin[r.ID] = true
	}
	var own []assessment.Rule
	for _, r := range svc.Catalogue.Rules() {
		if !builtin[r.ID] {
			own = append(own, r)
		}
	}
	newer, err := assessment.NewCatalogue("1.0.1", own...)
	if err != nil {
		t.Fatal(err)
	}
	svc.Catalogue = newer
	second := f.synthSnapshot(t, "snap-synth-2", 420, 8)
	r2, err := svc.Run(ctx, second.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff, ok, err := svc.Changes(ctx, r2.ID, 1000)
	if err != nil || !ok || !diff.CatalogueChanged {
		t.Fatalf("the engine's changes: ok %v, catalogue changed %v, err %v", ok, diff.CatalogueChanged, err)
	}
	entries := 0
	for _, b := range diff.Buckets {
		entries += len(b.Entries)
	}
	if entries == 0 {
		t.Fatal("the two snapshots assess alike: the test needs changes to show")
	}

	g := openAssessment(t, f.session(&countingAssessment{assessmentService: assessmentService{svc}}))
	g.mustShow("Run " + r2.ID + " · ")

	// The charts follow the theme on screen.
	uitheme.Apply(fyne.CurrentApp(), uitheme.Light)
	g.c.Wait()
	for _, c := range g.charts() {
		if dark := chartBackgroundDark(t, c); dark {
			t.Fatal("a chart is drawn dark in the light theme")
		}
	}
	uitheme.Apply(fyne.CurrentApp(), uitheme.Dark)
	g.c.Wait()
	for _, c := range g.charts() {
		if dark := chartBackgroundDark(t, c); !dark {
			t.Fatal("a chart stays light in the dark theme")
		}
	}
	g.tab("What changed")
	g.mustShow(screens.ChangesLine(diff))
	g.mustShow("The rule catalogue changed (")
	var table *widget.Table
	for _, o := range uitest.Objects(g.cv) {
		if tb, ok := o.(*widget.Table); ok {
			if _, cols := tb.Length(); cols == 7 {
				table = tb
			}
		}
	}
	if table == nil {
		t.Fatal("no change table on screen")
	}
	if rows, _ := table.Length(); rows != entries {
		t.Fatalf("the change table has %d rows, the engine's diff %d entries", rows, entries)
	}
	first0 := diff.Buckets[0]
	for _, b := range diff.Buckets {
		if len(b.Entries) > 0 {
			first0 = b
			break
		}
	}
	g.mustShow(first0.Entries[0].DisplayName)
}
