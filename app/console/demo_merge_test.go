package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
)

// demoAssessed launches the demo, collects both incumbents and assesses
// them, as a consultant does before merge review.
func demoAssessed(t *testing.T) *demoRun {
	t.Helper()
	ctx := context.Background()
	_, run := launch(t, filepath.Join(t.TempDir(), "storage", "demo.migration"))
	for _, src := range []string{demoOktaSource, demoEntraSource} {
		if _, err := run.w.Inventory.Collect(ctx, src, nil); err != nil {
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
