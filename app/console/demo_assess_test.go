package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/portal-id/migration-console/engine/assessment"
)

// The demo opens on a completed assessment of each source, with every class
// represented, and the workspace summary says so.
func TestDemoOpensWithACompletedAssessment(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	_, run := launch(t, filepath.Join(t.TempDir(), "demo.migration"))
	runs, err := run.w.Assessment.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string]assessment.Run{}
	counts := map[assessment.Class]int{}
	for _, r := range runs {
		if r.Status != assessment.StatusCompleted {
			t.Fatalf("demo run %s of %s is %s: %s", r.ID, r.SourceName, r.Status, r.Error)
		}
		bySource[r.SourceName] = r
		for c, n := range r.Counts {
			counts[c] += n
		}
	}
	if len(bySource) != 2 || bySource[demoOktaSource].ID == "" || bySource[demoEntraSource].ID == "" {
		t.Fatalf("demo runs by source: %v", bySource)
	}
	for _, c := range assessment.Classes {
		if counts[c] == 0 {
			t.Errorf("the demo assessment has no %s item", c)
		}
	}
	sum, err := run.w.Readiness.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AssessmentStatus != string(assessment.StatusCompleted) || sum.LatestAssessmentCompletedAt == nil {
		t.Errorf("summary: assessment %s, completed at %v", sum.AssessmentStatus, sum.LatestAssessmentCompletedAt)
	}
}
