package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

// cutoverStandIn is the cutover stage's evidence.Plans as data: this
// console has no cutover stage yet.
type cutoverStandIn []evidence.PlanFacts

func (f cutoverStandIn) EvidencePlan(_ context.Context, id string) (evidence.PlanFacts, error) {
	for _, p := range f {
		if p.ID == id {
			return p, nil
		}
	}
	return evidence.PlanFacts{}, fmt.Errorf("plan %q: %w", id, evidence.ErrPlanNotFound)
}

func (f cutoverStandIn) EvidencePlans(context.Context) ([]evidence.PlanFacts, error) { return f, nil }

func appliedPlanFacts() evidence.PlanFacts {
	done := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)
	return evidence.PlanFacts{ID: "plan-7f3a", Status: "applied_with_follow_up", CreatedAt: done.Add(-time.Hour),
		Execution:      &evidence.Execution{ID: "run-1", Status: "completed_with_follow_up", StartedAt: done.Add(-time.Minute), FinishedAt: &done},
		ManualFollowUp: []evidence.Step{{Name: "Payroll signing certificate", Reason: "uploaded by hand"}},
		Probes:         []evidence.Probe{{Name: "routing of alice@example.test", Outcome: "passed", Detail: "routed to the Portal", At: done}}}
}

// evidenceWorkspaceFile is a real workspace file whose evidence stage
// reads plans from the stand-in.
func evidenceWorkspaceFile(t *testing.T, plans evidence.Plans) *wiring.Workspace {
	t.Helper()
	needKeychain(t)
	ctx := context.Background()
	w, _, err := wiring.Create(ctx, filepath.Join(t.TempDir(), "acme.pmcw"), workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.CloseAndForget(ctx) })
	w.Evidence.Plans = plans
	return w
}

type evidenceGUI struct{ invGUI }

func openEvidence(t *testing.T, w *wiring.Workspace) *evidenceGUI {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // where the save dialog starts
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 1000))
	s := session(w)
	s.Close = func() error { return nil } // the test closes the file
	c := shell.New(a, win, sessionBackend{s})
	t.Cleanup(c.Close)
	g := &evidenceGUI{invGUI{t: t, c: c, cv: win.Canvas()}}
	c.Open(w.Path)
	c.Wait()
	g.stageNamed("Evidence & reports")
	c.Wait()
	return g
}

// entry is the visible entry whose placeholder begins with prefix.
func (g *evidenceGUI) entry(prefix string) *widget.Entry {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, prefix) {
			return e
		}
	}
	g.t.Fatalf("no entry %q on screen", prefix)
	return nil
}

func (g *evidenceGUI) fill(prefix, text string) {
	g.t.Helper()
	e := g.entry(prefix)
	e.SetText("")
	test.Type(e, text)
}

func (g *evidenceGUI) check(prefix string) {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, prefix) {
			test.Tap(c)
			return
		}
	}
	g.t.Fatalf("no check %q on screen", prefix)
}

func evidenceEntries(t *testing.T, w *wiring.Workspace) []audit.Entry {
	t.Helper()
	trail, _, err := w.Service.AuditTrail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range trail {
		if e.Event == audit.CutoverEvidenceUpdated {
			out = append(out, e)
		}
	}
	return out
}

func TestEvidenceStageFormsSaveAndAudit(t *testing.T) {
	w := evidenceWorkspaceFile(t, cutoverStandIn{appliedPlanFacts()})
	g := openEvidence(t, w)
	g.mustShow("plan-7f3a · Applied with follow up")
	g.mustShow("Not met: 1 of 4 criteria hold.")
	g.mustShow("Manual follow-up · Payroll signing certificate — uploaded by hand")
	g.mustShow("PASSED · routing of alice@example.test")
	if !uitest.Button(t, g.cv, "Save rollback guidance").Disabled() {
		t.Fatal("Save is enabled before anything was typed")
	}

	// The checklist follows the form as it is typed, before any save.
	g.fill("What rolling back does", "Point routing back at the incumbent")
	g.fill("Who carries it out", "Identity on-call")
	g.mustShow("Rollback guidance needs steps.")
	g.fill("One step per line", "Disable the Portal routing rule\nRe-enable the incumbent policy")
	g.mustShow("Owned by Identity on-call, 2 steps.")
	g.mustShow("Not met: 2 of 4 criteria hold, counting the unsaved changes.")
	if n := len(evidenceEntries(t, w)); n != 0 {
		t.Fatalf("typing saved something: %d audit entries", n)
	}
	g.tap("Save rollback guidance")
	g.mustShow("Saved the rollback guidance and recorded in the audit trail:")
	g.mustShow("rollback_steps: absent → 2 steps")
	g.mustShow("Not met: 2 of 4 criteria hold.")
	if es := evidenceEntries(t, w); len(es) != 1 || es[0].Facts["changed"] != "rollback_summary,rollback_owner,rollback_steps" || es[0].TargetID != "plan-7f3a" {
		t.Fatalf("audit after the rollback save: %+v", es)
	}

	// A refused save says why beside the field, and stores nothing.
	g.check("Communications to the people affected are complete")
	g.tap("Save completion evidence")
	g.mustShow("Not saved: correct the fields marked below.")
	g.mustShow("communications complete needs a summary (who was told what, and when)")
	if n := len(evidenceEntries(t, w)); n != 1 {
		t.Fatalf("a refused save was audited: %d entries", n)
	}
	g.fill("Who was told what", "All-staff notice sent")
	g.fill("Change ticket", "CHG-20461")
	g.check("The blocked and manual-follow-up steps were reviewed")
	g.fill("What was reviewed", "Payroll certificate booked for Tuesday")
	g.mustShow("Every criterion would be met once the unsaved changes are saved.")
	g.tap("Save completion evidence")
	g.mustShow("Every handoff criterion is met.")
	g.mustShow("communications_complete: false → true")
	es := evidenceEntries(t, w)
	if len(es) != 2 || strings.Contains(fmt.Sprint(es[1].Facts), "CHG-20461") {
		t.Fatalf("audit after the completion save: %+v", es)
	}
	// The manual row stays listed after the review.
	g.mustShow("Manual follow-up · Payroll signing certificate")

	v, err := w.Evidence.Show(context.Background(), "plan-7f3a")
	if err != nil || !v.Met || v.Record.Completion.ArtifactReference != "CHG-20461" {
		t.Fatalf("stored: %+v, %v", v, err)
	}
}

func TestEvidenceStageWithoutCutover(t *testing.T) {
	w := evidenceWorkspaceFile(t, nil)
	g := openEvidence(t, w)
	g.mustShow("The cutover stage is not available in this console")
}

// exportThroughDialog picks kind and format, names the file in the save
// dialog and waits for the export.
func (g *evidenceGUI) exportThroughDialog(kind, format, name string) string {
	g.t.Helper()
	var selects []*widget.Select
	for _, o := range uitest.Objects(g.cv) {
		if s, ok := o.(*widget.Select); ok {
			selects = append(selects, s)
		}
	}
	for _, s := range selects {
		for _, opt := range s.Options {
			if opt == kind || opt == format {
				s.SetSelected(opt)
			}
		}
	}
	g.tap("Export report…")
	var fileName *widget.Entry
	for _, o := range uitest.Objects(g.cv) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.Text, kind+"-report-") {
			fileName = e
		}
	}
	if fileName == nil {
		g.t.Fatalf("the save dialog shows no file name; texts %q", uitest.Texts(g.cv))
	}
	fileName.SetText(name)
	g.tap("Save")
	g.c.Wait()
	home, _ := os.UserHomeDir()
	return filepath.Join(home, name)
}

func TestEvidenceStageExportsReports(t *testing.T) {
	w := evidenceWorkspaceFile(t, cutoverStandIn{appliedPlanFacts()})
	if _, _, err := w.Evidence.SetRollback(context.Background(), "plan-7f3a", evidence.Rollback{Summary: "Point routing back", Owner: "Identity on-call", Steps: []string{"Disable the rule"}}); err != nil {
		t.Fatal(err)
	}
	g := openEvidence(t, w)

	path := g.exportThroughDialog("cutover", "json", "cutover.json")
	g.mustShow("Wrote report ")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the exported JSON does not parse: %v", err)
	}
	if doc.Kind != report.KindCutover || !strings.Contains(string(raw), "Identity on-call") {
		t.Errorf("exported %s report lacks the rollback owner", doc.Kind)
	}

	path = g.exportThroughDialog("engagement", "pdf", "engagement.pdf")
	pdf, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the exported PDF: %v, starts %q", err, pdf[:min(len(pdf), 8)])
	}

	path = g.exportThroughDialog("engagement", "csv", "engagement-csv")
	files, err := os.ReadDir(path)
	if err != nil || len(files) < 2 {
		t.Fatalf("the CSV export: %v, %d files", err, len(files))
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".csv") {
			t.Errorf("CSV folder holds %s", f.Name())
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*partial*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// heldReports holds an export until it is cancelled, then lets the real
// export run on the cancelled context.
type heldReports struct {
	reports
	started chan struct{}
}

func (h heldReports) ExportReport(ctx context.Context, kind report.Kind, format, path string, progress func(string)) (screens.ExportedReport, error) {
	progress("Held for the test…")
	close(h.started)
	<-ctx.Done()
	return h.reports.ExportReport(ctx, kind, format, path, progress)
}

func TestEvidenceStageExportCancelWritesNothing(t *testing.T) {
	w := evidenceWorkspaceFile(t, nil)
	t.Setenv("HOME", t.TempDir())
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 1000))
	s := session(w)
	s.Close = func() error { return nil }
	held := heldReports{reports: reports{w}, started: make(chan struct{})}
	s.Reports = held
	c := shell.New(a, win, sessionBackend{s})
	t.Cleanup(c.Close)
	g := &evidenceGUI{invGUI{t: t, c: c, cv: win.Canvas()}}
	c.Open(w.Path)
	c.Wait()
	g.stageNamed("Evidence & reports")
	c.Wait()

	test.Tap(uitest.Button(t, g.cv, "Export report…"))
	var fileName *widget.Entry
	for _, o := range uitest.Objects(g.cv) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.Text, "engagement-report-") {
			fileName = e
		}
	}
	if fileName == nil {
		t.Fatal("no save dialog")
	}
	fileName.SetText("held.pdf")
	test.Tap(uitest.Button(t, g.cv, "Save"))
	<-held.started
	if !uitest.Button(t, g.cv, "Export report…").Disabled() {
		t.Error("a second export can start while one runs")
	}
	g.tap("Cancel")
	g.mustShow("Export cancelled: nothing was written.")
	home, _ := os.UserHomeDir()
	left, _ := os.ReadDir(home)
	for _, f := range left {
		if f.Name() == "held.pdf" || strings.Contains(f.Name(), "partial") {
			t.Errorf("a cancelled export left %s", f.Name())
		}
	}
}
