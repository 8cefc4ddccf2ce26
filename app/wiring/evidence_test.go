package wiring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/reporttest"
	"github.com/portal-id/migration-console/engine/report/schema"
	"github.com/portal-id/migration-console/engine/workspace"
)

// fakePlans stands in for the cutover stage's evidence.Plans.
type fakePlans []evidence.PlanFacts

func (f fakePlans) EvidencePlan(_ context.Context, id string) (evidence.PlanFacts, error) {
	for _, p := range f {
		if p.ID == id {
			return p, nil
		}
	}
	return evidence.PlanFacts{}, fmt.Errorf("plan %q: %w", id, evidence.ErrPlanNotFound)
}

func (f fakePlans) EvidencePlans(context.Context) ([]evidence.PlanFacts, error) { return f, nil }

func evidenceWorkspace(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	needKeychain(t)
	w, _, err := Create(ctx, filepath.Join(t.TempDir(), "acme.pmcw"), workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}, WithGetenv(func(string) string { return "" }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.CloseAndForget(ctx) })
	return w
}

func renderReport(t *testing.T, doc *report.Document, format string) []byte {
	t.Helper()
	files := reporttest.Files{}
	if err := formats.Render(doc, format, files); err != nil {
		t.Fatal(err)
	}
	for _, b := range files {
		return b.B
	}
	t.Fatalf("%s wrote no file", format)
	return nil
}

// TestReportCarriesEvidence: the rollback, completion and handoff slots of
// a cutover report built from a real workspace file hold what was
// recorded, in the JSON (which validates against the schema) and in the
// PDF's text.
func TestReportCarriesEvidence(t *testing.T) {
	ctx := context.Background()
	w := evidenceWorkspace(t)
	done := time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)
	w.Evidence.Plans = fakePlans{{ID: "plan-7f3a", Status: "applied_with_follow_up", CreatedAt: done.Add(-time.Hour),
		Execution:      &evidence.Execution{ID: "run-1", Status: "completed_with_follow_up", StartedAt: done.Add(-time.Minute), FinishedAt: &done},
		ManualFollowUp: []evidence.Step{{Name: "Payroll signing certificate", Reason: "uploaded by hand"}}}}
	if _, _, err := w.Evidence.SetRollback(ctx, "plan-7f3a", evidence.Rollback{Summary: "Point routing back at the incumbent",
		Owner: "Identity on-call", Steps: []string{"Disable the Portal routing rule", "Re-enable the incumbent sign-on policy"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Evidence.SetCompletion(ctx, "plan-7f3a", evidence.Completion{CommunicationsComplete: true,
		CommunicationsSummary: "All-staff notice sent", ArtifactReference: "CHG-20461"}); err != nil {
		t.Fatal(err)
	}
	doc, err := w.Report(ctx, report.KindCutover)
	if err != nil {
		t.Fatal(err)
	}

	raw := renderReport(t, doc, "json")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	sv, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ReportV1))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(schema.ReportV1ID, sv); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.ReportV1ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("the JSON report does not validate: %v", err)
	}
	var back report.Document
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, sec := range back.Sections {
		b, _ := json.Marshal(sec)
		sections[sec.ID] = string(b)
	}
	for slot, wants := range map[string][]string{
		"rollback":   {`"status":"complete"`, "Point routing back at the incumbent", "Identity on-call", "Re-enable the incumbent sign-on policy"},
		"completion": {`"status":"complete"`, "All-staff notice sent", "CHG-20461"},
		"handoff":    {`"state":"met"`, `"state":"not_met"`, "Follow-up reviewed", "Payroll signing certificate", "manual_follow_up"},
	} {
		for _, want := range wants {
			if !strings.Contains(sections[slot], want) {
				t.Errorf("JSON section %s lacks %q: %s", slot, want, sections[slot])
			}
		}
	}

	text := reporttest.PDFText(t, renderReport(t, doc, "pdf"), 0, 0)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Rollback guidance", "Identity on-call", "Disable the Portal routing rule", "Completion evidence",
		"CHG-20461", "Handoff criteria", "An execution record exists", "Follow-up reviewed", "Payroll signing certificate"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
}

// TestReportWithoutCutoverStage: with no cutover stage the slots say so.
func TestReportWithoutCutoverStage(t *testing.T) {
	w := evidenceWorkspace(t)
	w.Evidence.Plans = nil // a console built without the cutover stage
	doc, err := w.Report(context.Background(), report.KindCutover)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range doc.Sections {
		if sec.ID == "rollback" || sec.ID == "completion" || sec.ID == "handoff" {
			b, _ := json.Marshal(sec)
			if sec.Status != report.NotRun || !strings.Contains(string(b), "the cutover stage is not available in this console") {
				t.Errorf("section %s: %s", sec.ID, b)
			}
		}
	}
}
