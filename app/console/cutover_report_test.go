package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

// cutoverReport builds the cutover report of the workspace and checks it
// against the content model's rules.
func cutoverReport(t *testing.T, w *wiring.Workspace) (*report.Document, []byte) {
	t.Helper()
	doc, err := w.Report(context.Background(), report.KindCutover)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatalf("the cutover report breaks the model's rules: %v", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, b
}

func sectionOf(t *testing.T, doc *report.Document, slot report.Slot) report.Section {
	t.Helper()
	for _, s := range doc.Sections {
		if s.ID == string(slot) {
			return s
		}
	}
	t.Fatalf("the report has no %s section", slot)
	return report.Section{}
}

func tableOf(doc *report.Document, id string) *report.Table {
	for _, tb := range doc.Tables() {
		if tb.ID == id {
			return tb
		}
	}
	return nil
}

// column is one column of a table's rows, by key.
func column(t *testing.T, tb *report.Table, key string) []any {
	t.Helper()
	for i, c := range tb.Columns {
		if c.Key == key {
			out := make([]any, len(tb.Rows))
			for j, r := range tb.Rows {
				out[j] = r[i]
			}
			return out
		}
	}
	t.Fatalf("table %s has no column %s", tb.ID, key)
	return nil
}

// liveIDs lists every object id the target holds.
func liveIDs(t *testing.T, c *client.Client) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	provs, err := c.ListUpstreamProviders(ctx)
	for _, o := range provs {
		ids = append(ids, o.Id)
	}
	rules, err2 := c.ListRoutingRules(ctx)
	for _, o := range rules {
		ids = append(ids, o.Id)
	}
	groups, err3 := c.ListGroups(ctx)
	for _, o := range groups {
		ids = append(ids, o.Id)
	}
	apps, err4 := c.ListApplications(ctx)
	for _, o := range apps {
		ids = append(ids, o.Id)
	}
	as, err5 := c.ListAppAssignments(ctx)
	for _, o := range as {
		ids = append(ids, o.Id)
	}
	for _, e := range []error{err, err2, err3, err4, err5} {
		if e != nil {
			t.Fatal(e)
		}
	}
	slices.Sort(ids)
	return ids
}

// The cutover, rollback and probe sections of a real workspace's report:
// not run before a plan exists; after apply and probe, every step with the
// Portal id the target holds, the objects a rollback would delete, every
// probe result; after rollback, what it deleted. No client secret appears
// in any format.
func TestCutoverReport(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path, portal := cutoverWorkspace(t)
	w, err := wiring.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	doc, _ := cutoverReport(t, w)
	for _, slot := range []report.Slot{report.SlotCutover, report.SlotRollback, report.SlotRollback + "_plan", report.SlotProbes} {
		if s := sectionOf(t, doc, slot); s.Status != report.NotRun {
			t.Errorf("%s section before any plan: %s", slot, s.Status)
		}
	}

	plan, err := w.Cutover.Create(ctx, cutover.CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ = cutoverReport(t, w)
	if s := sectionOf(t, doc, report.SlotCutover); s.Status != report.Partial {
		t.Errorf("cutover section of a draft plan: %s", s.Status)
	}
	if tb := tableOf(doc, "cutover_steps_1"); tb == nil || len(tb.Rows) != plan.StepCount {
		t.Fatalf("steps table of the draft plan: %+v", tb)
	}

	c, _, err := w.TargetClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := w.Cutover.Preview(ctx, plan.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	var issued []string
	if _, err := w.Cutover.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: func(s cutover.IssuedSecret) error {
		issued = append(issued, s.Secret.Reveal())
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	probe, err := w.Cutover.Probe(ctx, plan.ID, c, c)
	if err != nil {
		t.Fatal(err)
	}

	// The evidence stage reads the same plan through the cutover: its
	// execution record and the probe run, machine evidence beside the
	// operator's notes.
	facts, err := w.Evidence.Plans.EvidencePlan(ctx, plan.ID)
	if err != nil || facts.Execution == nil || facts.Execution.Status != "completed" && facts.Execution.Status != "completed_with_follow_up" || len(facts.Probes) != len(probe.Results) {
		t.Fatalf("the evidence stage's view of plan %s: %+v, %v (probe run %d results)", plan.ID, facts, err, len(probe.Results))
	}

	doc, b := cutoverReport(t, w)
	if s := sectionOf(t, doc, report.SlotCutover); s.Status != report.Complete {
		t.Errorf("cutover section after apply: %s", s.Status)
	}
	steps := tableOf(doc, "cutover_steps_1")
	var reported []string
	for i, st := range column(t, steps, "state") {
		if st == string(cutover.StateApplied) {
			reported = append(reported, column(t, steps, "target_id")[i].(string))
		}
	}
	slices.Sort(reported)
	if live := liveIDs(t, portal); !slices.Equal(reported, live) {
		t.Fatalf("the report's Portal ids %v\nare not the target's %v", reported, live)
	}
	if tb := tableOf(doc, "cutover_follow_up_1"); tb == nil || len(tb.Rows) != plan.StepCount-guiEstate.Planned() {
		t.Errorf("the follow-up table lists %v, want every step not carried out (%d)", tb, plan.StepCount-guiEstate.Planned())
	}
	if tableOf(doc, "cutover_failed_1") != nil {
		t.Error("a clean apply reports failed steps")
	}
	if tb := tableOf(doc, "cutover_acknowledgements_1"); tb == nil || len(tb.Rows) == 0 || slices.Contains(column(t, tb, "status"), any("pending")) {
		t.Errorf("the acknowledgements the plan is bound to: %+v", tb)
	}
	secrets := 0
	for _, v := range column(t, steps, "client_secret") {
		if s, _ := v.(string); strings.HasPrefix(s, "issued, handed to the operator") {
			secrets++
		}
	}
	if secrets != len(issued) || len(issued) == 0 {
		t.Errorf("the report shows %d delivered client secrets, apply issued %d", secrets, len(issued))
	}

	rb := tableOf(doc, "rollback_objects_1")
	if rb == nil || len(rb.Rows) != guiEstate.Planned() {
		t.Fatalf("rollback table: %+v", rb)
	}
	seqs := column(t, rb, "seq")
	for i := 1; i < len(seqs); i++ {
		if seqs[i].(int64) > seqs[i-1].(int64) {
			t.Fatalf("the rollback order puts step %d after step %d", seqs[i], seqs[i-1])
		}
	}
	pr := tableOf(doc, "probes_1")
	if pr == nil || len(pr.Rows) != len(probe.Results) {
		t.Fatalf("probe table: %+v, %d results", pr, len(probe.Results))
	}
	if outcomes := column(t, pr, "outcome"); slices.Contains(outcomes, any(cutover.ProbeFail)) || !slices.Contains(outcomes, any(cutover.ProbePass)) {
		t.Errorf("probe outcomes %v", outcomes)
	}

	files := reporttest.Files{}
	for _, f := range formats.Names() {
		if err := formats.Render(doc, f, files); err != nil {
			t.Fatalf("render the cutover report as %s: %v", f, err)
		}
	}
	for _, s := range issued {
		if strings.Contains(string(b), s) {
			t.Fatal("the report holds a client secret")
		}
		for name, f := range files {
			if strings.Contains(string(f.B), s) {
				t.Fatalf("%s holds a client secret", name)
			}
		}
	}

	if _, err := w.Cutover.RollbackApply(ctx, plan.ID, c, nil, cutover.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	doc, _ = cutoverReport(t, w)
	for _, st := range column(t, tableOf(doc, "rollback_objects_1"), "rollback") {
		if st != string(cutover.StateDeleted) {
			t.Fatalf("rollback results %v", column(t, tableOf(doc, "rollback_objects_1"), "rollback"))
		}
	}
	if n := len(liveIDs(t, portal)); n != 0 {
		t.Fatalf("the target holds %d objects after rollback", n)
	}
}
