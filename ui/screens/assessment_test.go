package screens

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/vendor"
)

func TestClassSummaryMostRestrictiveFirst(t *testing.T) {
	got := ClassSummary(map[assessment.Class]int{assessment.NativeImport: 1200, assessment.Blocked: 2, assessment.VisibilityOnly: 0})
	if want := "2 blocked · 1,200 native import"; got != want {
		t.Fatalf("ClassSummary = %q, want %q", got, want)
	}
	if got := ClassSummary(nil); got != "—" {
		t.Fatalf("ClassSummary of nothing = %q", got)
	}
}

func TestTargetLine(t *testing.T) {
	for _, c := range []struct {
		t    assessment.Target
		want string
	}{
		{assessment.Target{}, "—"},
		{assessment.Target{Noun: assessment.NounNone}, "Nothing on the Portal"},
		{assessment.Target{Noun: assessment.NounApplication, Shape: "custom OIDC, confidential"}, "Application: custom OIDC, confidential"},
		{assessment.Target{Noun: assessment.NounSSOConfiguration}, "SSO configuration"},
	} {
		if got := TargetLine(c.t); got != c.want {
			t.Errorf("TargetLine(%+v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestRunWordsSayCancelledWithoutTheEnginesCause(t *testing.T) {
	done := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := assessment.Run{ID: "run1", SnapshotID: "snap1", SourceName: "okta-prod", SourceKind: "okta", Status: assessment.StatusFailed,
		FinishedAt: &done, Error: "cancelled: read group items: begin transaction on /tmp/x.migration: context canceled"}
	line := RunLine(vendor.Registry{}, r)
	if !strings.Contains(line, "failed (cancelled)") || strings.Contains(line, "context canceled") || strings.Contains(line, "/tmp/") {
		t.Fatalf("a cancelled run reads %q", line)
	}
	r.Error = "the snapshot records 10 items but 9 were read; it may be damaged"
	if line := RunLine(vendor.Registry{}, r); !strings.Contains(line, "Cause: "+r.Error) {
		t.Fatalf("a failed run hides its cause: %q", line)
	}
	r.Status, r.Error = assessment.StatusCompleted, ""
	if line := RunLine(vendor.Registry{}, r); strings.Contains(line, "Cause") || !strings.Contains(line, "completed") {
		t.Fatalf("a completed run reads %q", line)
	}
}

func TestChangesLineNamesTheCatalogueChange(t *testing.T) {
	d := assessment.Diff{
		From: assessment.RunRef{ID: "a", SnapshotID: "s1", SourceName: "okta-prod", ClassifierVersion: "1.0.0+aaa"},
		To:   assessment.RunRef{ID: "b", SnapshotID: "s2", SourceName: "okta-prod", ClassifierVersion: "1.1.0+bbb"},
		Buckets: []assessment.DiffBucket{
			{Name: assessment.BucketAdded, Count: 3}, {Name: assessment.BucketRemoved, Count: 0},
			{Name: assessment.BucketClassChanged, Count: 1200, Truncated: true}, {Name: assessment.BucketFindingsChanged, Count: 2},
		},
		CatalogueChanged: true, Unchanged: 40,
	}
	line := ChangesLine(d)
	for _, want := range []string{"3 added · 0 removed · 1,200 class changed · 2 findings changed · 40 unchanged",
		"The rule catalogue changed (1.0.0+aaa → 1.1.0+bbb)", "Only the first 1,000 items"} {
		if !strings.Contains(line, want) {
			t.Errorf("ChangesLine lacks %q: %q", want, line)
		}
	}
	d.CatalogueChanged, d.Buckets[2].Truncated = false, false
	if line := ChangesLine(d); !strings.Contains(line, "every change comes from the tenant") || strings.Contains(line, "Only the first") {
		t.Errorf("same catalogue: %q", line)
	}
}

func TestRuleChanges(t *testing.T) {
	e := assessment.DiffEntry{FromClass: assessment.Blocked, ToClass: assessment.NativeImport, RulesAdded: []string{"B"}, RulesRemoved: []string{"A"}}
	if got := RuleChanges(e); got != "+B −A" {
		t.Fatalf("RuleChanges = %q", got)
	}
	e.RulesAdded, e.RulesRemoved = nil, nil
	if got := RuleChanges(e); !strings.Contains(got, "text changed") {
		t.Fatalf("same rules: %q", got)
	}
	if got := RuleChanges(assessment.DiffEntry{ToClass: assessment.Blocked}); got != "" {
		t.Fatalf("an added item: %q", got)
	}
}

func TestReadinessLineSaysVerdictsStay(t *testing.T) {
	r := assessment.Readiness{
		Total:    assessment.KindRollup{Items: 10, Ready: 6, Resolved: 2},
		Apps:     []assessment.AppRollup{{Ready: true}, {Ready: false}},
		Disposed: map[assessment.DispositionKind]int{assessment.WillFix: 1, assessment.NotApplicable: 1},
	}
	line := ReadinessLine(r)
	for _, want := range []string{"6 of 10 items (2 by what-if decisions)", "1 of 2 applications ready",
		"1 will fix before cutover, 1 not applicable", "verdict stays"} {
		if !strings.Contains(line, want) {
			t.Errorf("ReadinessLine lacks %q: %q", want, line)
		}
	}
}

func TestChartThemeFollowsTheBackground(t *testing.T) {
	if !isDark(color.NRGBA{R: 0x17, G: 0x17, B: 0x18, A: 0xff}) || isDark(color.White) {
		t.Fatal("isDark does not tell Fyne's dark background from white")
	}
}
