package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

// demoAssessed launches the demo, collects both incumbents and assesses
// them, as a consultant does before merge review.
func demoAssessed(t *testing.T) *demoRun {
	t.Helper()
	ctx := context.Background()
	_, run := launch(t, filepath.Join(t.TempDir(), "storage", "demo.migration"))
	for _, src := range []string{demoOktaSource, demoEntraSource} {
		if _, err := run.w.Inventory.Collect(ctx, src, inventory.CollectOptions{}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := run.w.Assessment.RunSource(ctx, src, nil); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// The demo's sandbox Portal overlaps the demo incumbents in every noun
// merge review decides, on items the assessment moves; deciding every row
// and acknowledging every impact leaves nothing pending, all of it audited.
func TestDemoWalksMergeReviewAndOCM(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	run := demoAssessed(t)
	page, err := run.w.Merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	nouns := map[assessment.Noun]bool{}
	for _, d := range page.Decisions {
		nouns[d.Noun] = true
		if d.Status != merge.StatusPending || !d.Class.Imports() && d.Class != assessment.ManualRebuildRequired {
			t.Errorf("row %s %q: %s, %s", d.Noun, d.DisplayName, d.Status, d.Class)
		}
	}
	for _, n := range []assessment.Noun{assessment.NounUpstreamProvider, assessment.NounRoutingRule, assessment.NounGroup,
		assessment.NounApplication, assessment.NounAppAssignment} {
		if !nouns[n] {
			t.Errorf("the demo has no %s overlap to decide", n)
		}
	}
	if len(page.Scans) != 2 {
		t.Fatalf("scans: %+v", page.Scans)
	}

	res, err := run.w.Merge.ResolveAll(ctx, merge.BulkRequest{Resolution: merge.MapToExisting, Note: "demo: reuse what the Portal has"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resolved != len(page.Decisions) || res.Refused != 0 {
		t.Fatalf("bulk map: %+v", res)
	}
	l, err := run.w.OCM.List(ctx, ocm.Filter{})
	if err != nil || l.Total == 0 {
		t.Fatalf("OCM: %+v, %v", l, err)
	}
	for _, g := range l.Groups {
		if _, err := run.w.OCM.Acknowledge(ctx, ocm.AckRequest{Filter: ocm.Filter{Audience: g.Audience, Severity: g.Severity},
			Note: "demo: customer workshop"}); err != nil {
			t.Fatal(err)
		}
	}
	if page, _ = run.w.Merge.List(ctx, merge.Filter{}); page.Pending != 0 {
		t.Errorf("%d decisions still pending", page.Pending)
	}
	if l, _ = run.w.OCM.List(ctx, ocm.Filter{}); l.Acknowledged != l.Total {
		t.Errorf("%d of %d impacts acknowledged", l.Acknowledged, l.Total)
	}
	trail, brk, err := run.w.Service.AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v, %v", brk, err)
	}
	events := map[string]int{}
	for _, e := range trail {
		events[e.Event]++
	}
	if events[audit.MergeDecisionResolved] != len(page.Decisions) || events[audit.OCMImpactsAcknowledged] == 0 {
		t.Errorf("audit events %v", events)
	}
}

// The GUI alone takes the assessed demo to a ready gate: decide with a
// click, with a key and in bulk, acknowledge by group, and the header
// follows every change.
func TestDemoGUIMergeReviewAndOCMToReadyGate(t *testing.T) {
	needKeychain(t)
	run := demoAssessed(t)
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1500, 950))
	s := session(run.w)
	s.Close = nil // the demo launch closes the file
	c := shell.New(a, win, sessionBackend{s})
	t.Cleanup(c.Close)
	g := &invGUI{t: t, c: c, cv: win.Canvas()}
	c.Open(run.w.Path)
	c.Wait()

	page, err := run.w.Merge.List(context.Background(), merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	n := page.Pending
	g.stageNamed("Merge review")
	c.Wait()
	g.mustShow(fmt.Sprintf("0 of %d decided · %d pending", n, n))
	g.mustShow(fmt.Sprintf("Decide %d pending merge decisions.", n))

	// One click: map the first row to the live object it is compared with.
	g.tap("Map to existing (m)")
	g.mustShow(fmt.Sprintf("1 of %d decided · %d pending", n, n-1))
	g.mustShow(fmt.Sprintf("Decide %d pending merge decisions.", n-1))

	// One key: skip the row the list moved on to.
	list := uitest.Find[*screens.DecisionList](t, g.cv)
	win.Canvas().Focus(list)
	test.Type(list, "s")
	c.Wait()
	g.mustShow(fmt.Sprintf("2 of %d decided · %d pending", n, n-2))

	// The rest in bulk, after the dry run's preview.
	g.tap("Decide all shown…")
	test.Tap(uitest.Button(t, g.cv, "Decide"))
	c.Wait()
	g.mustShow(fmt.Sprintf("%d of %d decided · 0 pending", n, n))
	if uitest.Shows(g.cv, "pending merge decision") {
		t.Fatal("the header still asks for merge decisions")
	}

	// OCM: acknowledge group by group until none is left.
	g.stageNamed("OCM")
	c.Wait()
	g.mustShow("Organisational change (OCM)")
	test.Type(uitest.Find[*widget.Entry](t, g.cv), "customer workshop")
	for range 50 {
		var next *widget.Button
		for _, o := range uitest.Objects(g.cv) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Acknowledge this group" && !b.Disabled() {
				next = b
				break
			}
		}
		if next == nil {
			break
		}
		test.Tap(next)
		c.Wait()
	}
	g.mustShow("Preview handoff: ready for future preview")
	sum, err := run.w.Readiness.Summary(context.Background())
	if err != nil || sum.PreviewHandoffStatus != readiness.HandoffReady {
		t.Fatalf("summary %+v, %v", sum, err)
	}
}
