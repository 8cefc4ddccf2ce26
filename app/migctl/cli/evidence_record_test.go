package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/evidence"
)

// cutoverFake stands in for the cutover stage's evidence.Plans.
type cutoverFake []evidence.PlanFacts

func (f cutoverFake) EvidencePlan(_ context.Context, id string) (evidence.PlanFacts, error) {
	for _, p := range f {
		if p.ID == id {
			return p, nil
		}
	}
	return evidence.PlanFacts{}, fmt.Errorf("plan %q: %w", id, evidence.ErrPlanNotFound)
}

func (f cutoverFake) EvidencePlans(context.Context) ([]evidence.PlanFacts, error) { return f, nil }

func evidenceHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.okJSON("", "workspace", "create", "--tenant", "acme", "--mode", "first_run_adoption")
	done := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)
	plans := cutoverFake{{ID: "plan-7f3a", Status: "applied_with_follow_up", CreatedAt: done.Add(-time.Hour),
		Execution: &evidence.Execution{ID: "run-1", Status: "completed_with_follow_up", StartedAt: done.Add(-time.Minute), FinishedAt: &done},
		Blocked:   []evidence.Step{{Name: "auth policy Legacy MFA", Reason: "per-rule approximation is not applied automatically"}},
		Probes:    []evidence.Probe{{Name: "routing of alice@example.test", Outcome: "passed", Detail: "routed to the Portal", At: done}}}}
	h.adjust = func(w *wiring.Workspace) { w.Evidence.Plans = plans }
	return h
}

func criteriaMet(t *testing.T, doc map[string]any) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	cs, _ := doc["criteria"].([]any)
	for _, c := range cs {
		m := c.(map[string]any)
		out[m["code"].(string)] = m["met"].(bool)
	}
	if len(out) != 4 {
		t.Fatalf("criteria = %v", doc["criteria"])
	}
	return out
}

func TestEvidenceRecordEndToEnd(t *testing.T) {
	h := evidenceHarness(t)

	list := h.okJSON("", "evidence", "show")
	if plans := list["plans"].([]any); len(plans) != 1 || plans[0].(map[string]any)["handoff_criteria_met"] != false {
		t.Fatalf("plans = %v", list["plans"])
	}

	doc := h.okJSON("", "evidence", "set-rollback", "--plan", "plan-7f3a", "--summary", "Point routing back at the incumbent",
		"--owner", "Identity on-call", "--step", "Disable the Portal routing rule", "--step", "Re-enable the incumbent policy")
	if got := criteriaMet(t, doc); !got["rollback_guidance_recorded"] || got["communications_recorded"] {
		t.Errorf("after set-rollback: %v", got)
	}
	if ch := doc["changes"].([]any); len(ch) != 3 {
		t.Errorf("changes = %v", ch)
	}

	// Only the flags given change; the rest of the form is kept.
	doc = h.okJSON("", "evidence", "set-rollback", "--plan", "plan-7f3a", "--owner", "IAM team")
	rb := doc["record"].(map[string]any)["rollback"].(map[string]any)
	if rb["owner"] != "IAM team" || rb["summary"] != "Point routing back at the incumbent" || len(rb["steps"].([]any)) != 2 {
		t.Errorf("rollback after an owner change: %v", rb)
	}

	r := h.run("", "evidence", "set-completion", "--plan", "plan-7f3a", "--communications-complete")
	if r.code != exitUsage || !strings.Contains(r.stderr, "communications complete needs a summary") {
		t.Errorf("completion without summary: exit %d, %s", r.code, r.stderr)
	}
	doc = h.okJSON("", "evidence", "set-completion", "--plan", "plan-7f3a", "--communications-complete",
		"--communications-summary", "All-staff notice sent", "--artifact", "CHG-20461",
		"--follow-up-reviewed", "--follow-up-summary", "Legacy MFA policy rebuilt by hand next week")
	if got := criteriaMet(t, doc); !got["communications_recorded"] || !got["follow_up_reviewed"] || doc["handoff_criteria_met"] != true {
		t.Errorf("after set-completion: %v", doc)
	}

	human := h.ok("", "evidence", "show", "--plan", "plan-7f3a").stdout
	for _, want := range []string{"Handoff criteria: met", "[x] Follow-up reviewed", "auth policy Legacy MFA", "IAM team",
		"2. Re-enable the incumbent policy", "CHG-20461", "Probe results (collected by the console, not entered)", "PASSED"} {
		if !strings.Contains(human, want) {
			t.Errorf("evidence show lacks %q:\n%s", want, human)
		}
	}

	entries := h.okJSON("", "audit", "list")["entries"].([]any)
	n := 0
	for _, e := range entries {
		m := e.(map[string]any)
		if m["event"] == "migration.cutover_evidence.updated" {
			n++
			if strings.Contains(fmt.Sprint(m["facts"]), "CHG-20461") || m["target_id"] != "plan-7f3a" {
				t.Errorf("audit entry %v", m)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d evidence audit entries, want 3 (one per saving command)", n)
	}
	if doc := h.okJSON("", "audit", "verify"); doc["ok"] != true {
		t.Errorf("audit verify: %v", doc)
	}

	if r := h.run("", "evidence", "show", "--plan", "plan-nope"); r.code != exitFailure || !strings.Contains(r.stderr, "no such cutover plan") {
		t.Errorf("unknown plan: exit %d, %s", r.code, r.stderr)
	}
	if r := h.run("", "evidence", "set-rollback", "--summary", "x"); r.code != exitUsage || !strings.Contains(r.stderr, "--plan") {
		t.Errorf("no --plan: exit %d, %s", r.code, r.stderr)
	}
}

// TestEvidenceWithoutCutoverStage: this build has no cutover stage, and
// evidence show says so rather than listing nothing.
func TestEvidenceWithoutCutoverStage(t *testing.T) {
	h := newHarness(t)
	h.okJSON("", "workspace", "create", "--tenant", "acme", "--mode", "first_run_adoption")
	// With the cutover stage and no plan yet, show says where evidence goes.
	r := h.run("", "evidence", "show")
	if r.code != 0 || !strings.Contains(r.stdout, "No cutover plan exists in this workspace yet") {
		t.Errorf("before any plan: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	// A console without the cutover stage says so and fails.
	h.adjust = func(w *wiring.Workspace) { w.Evidence.Plans = nil }
	r = h.run("", "evidence", "show")
	if r.code != exitFailure || !strings.Contains(r.stderr, "cutover stage is not available") {
		t.Errorf("without the stage: exit %d, %s", r.code, r.stderr)
	}
}
