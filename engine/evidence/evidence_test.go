package evidence_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// fakePlans stands in for the cutover stage: plans as data.
type fakePlans struct{ plans []evidence.PlanFacts }

func (f *fakePlans) EvidencePlan(_ context.Context, id string) (evidence.PlanFacts, error) {
	for _, p := range f.plans {
		if p.ID == id {
			return p, nil
		}
	}
	return evidence.PlanFacts{}, fmt.Errorf("plan %q: %w", id, evidence.ErrPlanNotFound)
}

func (f *fakePlans) EvidencePlans(context.Context) ([]evidence.PlanFacts, error) { return f.plans, nil }

func appliedPlan() evidence.PlanFacts {
	done := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)
	return evidence.PlanFacts{
		ID: "plan-1", Status: "applied_with_follow_up", CreatedAt: done.Add(-time.Hour),
		Execution:      &evidence.Execution{ID: "run-1", Status: "completed_with_follow_up", StartedAt: done.Add(-time.Minute), FinishedAt: &done},
		Blocked:        []evidence.Step{{Name: "auth policy Legacy MFA", Reason: "per-rule approximation is not applied automatically"}},
		ManualFollowUp: []evidence.Step{{Name: "app Payroll", Reason: "SAML signing certificate must be uploaded by hand"}},
		Probes:         []evidence.Probe{{Name: "routing alice@example.test", Outcome: "passed", Detail: "routed to the Portal", At: done}},
	}
}

type harness struct {
	svc   *evidence.Service
	db    *workspacedb.DB
	path  string
	plans *fakePlans
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acme.pmcw")
	db, err := workspacedb.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := (&workspace.Service{Store: db, Actor: "consultant"}).Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}); err != nil {
		t.Fatal(err)
	}
	plans := &fakePlans{plans: []evidence.PlanFacts{appliedPlan(), {ID: "plan-0", Status: "draft", CreatedAt: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}}}
	return &harness{svc: &evidence.Service{Store: workspacedb.EvidenceStore(db), Plans: plans, Actor: "consultant"}, db: db, path: path, plans: plans}
}

func (h *harness) audit(t *testing.T) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := h.db.ViewTx(context.Background(), func(tx *workspacedb.Tx) error {
		var err error
		out, err = tx.AuditEntries()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func met(v evidence.View) map[string]bool {
	out := map[string]bool{}
	for _, c := range v.Criteria {
		out[c.Code] = c.Met
	}
	return out
}

func TestCriteriaFollowTheRecord(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	v, err := h.svc.Show(ctx, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := met(v); !got[evidence.CriterionExecution] || got[evidence.CriterionRollback] || got[evidence.CriterionCommunications] || got[evidence.CriterionFollowUp] || v.Met {
		t.Fatalf("fresh applied plan: criteria %v, met %v", got, v.Met)
	}
	if v.Criteria[3].Why != "Not reviewed: 1 blocked and 1 manual-follow-up steps are outstanding." {
		t.Errorf("follow-up why = %q", v.Criteria[3].Why)
	}

	v, _, err = h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Summary: "Repoint routing to Okta", Owner: "IAM on-call"})
	if err != nil {
		t.Fatal(err)
	}
	if met(v)[evidence.CriterionRollback] || !strings.Contains(v.Criteria[1].Why, "steps") {
		t.Fatalf("rollback without steps counts as recorded: %+v", v.Criteria[1])
	}
	v, _, err = h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Summary: "Repoint routing to Okta", Owner: "IAM on-call", Steps: []string{"Disable the routing rule", " ", "Re-enable Okta sign-on policy"}})
	if err != nil {
		t.Fatal(err)
	}
	if !met(v)[evidence.CriterionRollback] || len(v.Record.Rollback.Steps) != 2 {
		t.Fatalf("rollback: %+v, steps %q", v.Criteria[1], v.Record.Rollback.Steps)
	}
	v, _, err = h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{CommunicationsComplete: true, CommunicationsSummary: "Mail to all staff", FollowUpReviewed: true, FollowUpSummary: "Payroll cert booked"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Met {
		t.Fatalf("every criterion filled but not met: %+v", v.Criteria)
	}
	// Reviewing does not make the rows go away.
	if len(v.Plan.Blocked) != 1 || len(v.Plan.ManualFollowUp) != 1 || !strings.Contains(v.Criteria[3].Why, "1 blocked and 1 manual-follow-up steps remain") {
		t.Errorf("follow-up rows after review: %+v, why %q", v.Plan, v.Criteria[3].Why)
	}

	// The record survives reopening the file.
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := workspacedb.Open(ctx, h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &evidence.Service{Store: workspacedb.EvidenceStore(db), Plans: h.plans}
	v2, err := svc.Show(ctx, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	if !v2.Met || v2.Record.Completion != v.Record.Completion || v2.Record.RollbackUpdatedBy != "consultant" || v2.Record.CompletionUpdatedAt == nil {
		t.Errorf("reopened record %+v", v2.Record)
	}
}

func TestFollowUpWithNothingOutstanding(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	clean := appliedPlan()
	clean.ID, clean.Blocked, clean.ManualFollowUp = "plan-clean", nil, nil
	h.plans.plans = append(h.plans.plans, clean)
	v, err := h.svc.Show(ctx, "plan-clean")
	if err != nil {
		t.Fatal(err)
	}
	if !met(v)[evidence.CriterionFollowUp] {
		t.Errorf("an execution with nothing outstanding needs no review: %+v", v.Criteria[3])
	}
	v, err = h.svc.Show(ctx, "plan-0")
	if err != nil {
		t.Fatal(err)
	}
	if met(v)[evidence.CriterionFollowUp] || met(v)[evidence.CriterionExecution] {
		t.Errorf("an unapplied plan meets criteria: %+v", v.Criteria)
	}
}

func TestSaveAuditsFieldNamesNotText(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	before := len(h.audit(t))
	secretish := "call 555-0100, PIN fake-1234"
	_, ch, err := h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{CommunicationsComplete: true, CommunicationsSummary: secretish, ArtifactReference: "CHG-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 3 {
		t.Fatalf("changes = %v", ch)
	}
	entries := h.audit(t)
	if len(entries) != before+1 {
		t.Fatalf("audit entries %d, want %d", len(entries), before+1)
	}
	e := entries[len(entries)-1]
	if e.Event != audit.CutoverEvidenceUpdated || e.TargetID != "plan-1" || e.Actor != "consultant" {
		t.Fatalf("entry %+v", e)
	}
	want := map[string]string{
		"form": "completion", "changed": "communications_complete,communications_summary,artifact_reference",
		"communications_complete": "false -> true", "communications_summary": fmt.Sprintf("absent -> %d chars", len(secretish)),
		"artifact_reference": "absent -> 5 chars",
	}
	if fmt.Sprint(e.Facts) != fmt.Sprint(want) {
		t.Errorf("facts = %v\nwant    %v", e.Facts, want)
	}
	for k, v := range e.Facts {
		if strings.Contains(v, "fake-1234") || strings.Contains(v, "CHG-1") {
			t.Errorf("fact %s copies operator text: %q", k, v)
		}
	}

	// Saving the same form again changes nothing and audits nothing.
	_, ch, err = h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{CommunicationsComplete: true, CommunicationsSummary: " " + secretish, ArtifactReference: "CHG-1"})
	if err != nil || len(ch) != 0 {
		t.Fatalf("unchanged save: %v, %v", ch, err)
	}
	if n := len(h.audit(t)); n != before+1 {
		t.Errorf("an unchanged save was audited (%d entries)", n)
	}
	// Clearing a field is audited as removed.
	_, ch, err = h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{CommunicationsComplete: true, CommunicationsSummary: secretish})
	if err != nil || len(ch) != 1 || ch[0].String() != "artifact_reference: 5 chars → absent" {
		t.Fatalf("clear: %v, %v", ch, err)
	}
	if audit.Verify(h.audit(t), mustHead(t, h)) != nil {
		t.Error("audit chain broken after evidence saves")
	}
}

func mustHead(t *testing.T, h *harness) audit.Head {
	var head audit.Head
	err := h.db.ViewTx(context.Background(), func(tx *workspacedb.Tx) error {
		var err error
		head, err = tx.AuditHead()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return head
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	cases := []struct {
		name string
		save func() error
		want string
	}{
		{"communications without summary", func() error {
			_, _, err := h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{CommunicationsComplete: true, CommunicationsSummary: "  "})
			return err
		}, "communications complete needs a summary"},
		{"follow-up without summary", func() error {
			_, _, err := h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{FollowUpReviewed: true})
			return err
		}, "follow-up reviewed needs a summary"},
		{"rollback owner without summary", func() error {
			_, _, err := h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Owner: "IAM"})
			return err
		}, "rollback guidance needs a summary"},
		{"control character", func() error {
			_, _, err := h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Summary: "a\x1b[31mb"})
			return err
		}, "control character"},
		{"too long", func() error {
			_, _, err := h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Summary: strings.Repeat("x", evidence.MaxTextLen+1)})
			return err
		}, "keep it to 4000"},
		{"two-line reference", func() error {
			_, _, err := h.svc.SetCompletion(ctx, "plan-1", evidence.Completion{ArtifactReference: "CHG-1\nCHG-2"})
			return err
		}, "reference is one line"},
	}
	for _, c := range cases {
		err := c.save()
		if !errors.Is(err, evidence.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrInvalid with %q", c.name, err, c.want)
		}
	}
	if _, _, err := h.svc.SetRollback(ctx, "plan-9", evidence.Rollback{Summary: "x"}); !errors.Is(err, evidence.ErrPlanNotFound) {
		t.Errorf("unknown plan: %v", err)
	}
	v, err := h.svc.Show(ctx, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Record.RollbackUpdatedAt != nil || v.Record.CompletionUpdatedAt != nil {
		t.Errorf("a refused save stored something: %+v", v.Record)
	}
}

func TestWithoutCutoverStage(t *testing.T) {
	h := newHarness(t)
	h.svc.Plans = nil
	if _, err := h.svc.Show(context.Background(), "plan-1"); !errors.Is(err, evidence.ErrNoCutoverStage) {
		t.Errorf("Show: %v", err)
	}
	if _, _, err := h.svc.SetRollback(context.Background(), "plan-1", evidence.Rollback{Summary: "x"}); !errors.Is(err, evidence.ErrNoCutoverStage) {
		t.Errorf("SetRollback: %v", err)
	}
}

func TestArchivedWorkspaceRefusesEvidence(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	if _, err := (&workspace.Service{Store: h.db, Actor: "consultant"}).Archive(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.SetRollback(ctx, "plan-1", evidence.Rollback{Summary: "x"}); !errors.Is(err, workspace.ErrArchived) {
		t.Errorf("SetRollback on an archived workspace: %v", err)
	}
	if _, err := h.svc.Show(ctx, "plan-1"); err != nil {
		t.Errorf("an archived workspace's evidence still reads: %v", err)
	}
}
