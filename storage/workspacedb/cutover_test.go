package workspacedb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/workspace"
)

var smallEstate = cutovertest.Shape{Providers: 2, Groups: 6, Apps: 5, Assignments: 9}

// confidentialApps counts the estate's confidential clients (every fourth
// app is public).
func confidentialApps(s cutovertest.Shape) int {
	n := 0
	for i := range s.Apps {
		if i%4 != 3 {
			n++
		}
	}
	return n
}

func (f *cutoverFixture) create(t *testing.T) cutover.Plan {
	t.Helper()
	plan, err := f.svc.Create(context.Background(), cutover.CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func (f *cutoverFixture) preview(t *testing.T, planID string) cutover.PreviewResult {
	t.Helper()
	res, err := f.svc.Preview(context.Background(), planID, f.box.client())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *cutoverFixture) trail(t *testing.T) []audit.Entry {
	t.Helper()
	entries, brk, err := f.ws.AuditTrail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if brk != nil {
		t.Fatalf("audit trail broken: %v", brk)
	}
	return entries
}

func events(entries []audit.Entry) map[string]int {
	m := map[string]int{}
	for _, e := range entries {
		m[e.Event]++
	}
	return m
}

// The whole flow on a clean target: plan, preview, apply, probe, rollback.
func TestCutoverFlow(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	plan := f.create(t)
	want := map[steps.Disposition]int{steps.Planned: smallEstate.Planned(), steps.Blocked: 1, steps.ManualFollowUp: 2, steps.Skipped: 0}
	for d, n := range want {
		if plan.Counts[d] != n {
			t.Errorf("plan counts %v, want %v", plan.Counts, want)
			break
		}
	}
	if plan.Status != cutover.StatusDraft || plan.AssessmentRunID != f.run.ID || plan.SnapshotID != f.run.SnapshotID {
		t.Fatalf("plan = %+v", plan)
	}
	d, err := f.svc.Get(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, d.Steps)

	c := f.box.client()
	prev := f.preview(t, plan.ID)
	if !strings.HasPrefix(prev.Token, "cpt_") || prev.Plan.Status != cutover.StatusPreviewed || len(prev.Drifts) != 0 {
		t.Fatalf("preview = %+v", prev)
	}
	var create int
	for _, n := range prev.Nouns {
		create += n.Create
	}
	if create != smallEstate.Planned() {
		t.Errorf("preview creates %d, want %d", create, smallEstate.Planned())
	}
	for _, st := range prev.Steps {
		if st.Kind == steps.KindRoutingRule && st.Disposition == steps.Planned && !strings.Contains(string(st.Request), "known after it is applied") {
			t.Errorf("preview of %s shows %s; the provider's id is not known before apply", st.ID, st.Request)
		}
	}

	var sec secrets
	out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: sec.take})
	if err != nil {
		t.Fatal(err)
	}
	if out.Run.Status != cutover.RunCompletedWithFollowUp || out.Plan.Status != cutover.StatusAppliedWithFollowUp || out.Undelivered != 0 {
		t.Fatalf("apply: run %s, plan %s, undelivered %d", out.Run.Status, out.Plan.Status, out.Undelivered)
	}
	sameObjects(t, "after apply", f.box.objects(), f.planned())
	if len(sec.got) != confidentialApps(smallEstate) {
		t.Fatalf("%d client secrets handed over, want one per confidential client (%d)", len(sec.got), confidentialApps(smallEstate))
	}
	file := readFile(t, f.path)
	for _, s := range sec.got {
		if s.Secret.IsEmpty() || s.ClientID == "" || s.AppID == "" {
			t.Fatalf("secret handed over without its application: %+v", s)
		}
		if bytes.Contains(file, []byte(s.Secret.Reveal())) {
			t.Fatalf("the workspace file holds the client secret of %s", s.AppName)
		}
	}
	ev := events(f.trail(t))
	if ev[audit.CutoverPlanCreated] != 1 || ev[audit.CutoverPlanPreviewed] != 1 || ev[audit.CutoverPlanApplied] != 1 ||
		ev[audit.CutoverStepApplied] != smallEstate.Planned() || ev[audit.CutoverStepBlocked] != 1 || ev[audit.CutoverStepManualFollowUp] != 2 {
		t.Fatalf("audit events %v", ev)
	}

	rep, err := f.svc.Probe(ctx, plan.ID, c, c)
	if err != nil {
		t.Fatal(err)
	}
	// One readback per applied step, a certificate check per provider, a
	// routing check per domain: a warning, since the cutover enables no
	// SSO configuration (see TestCutoverProbeRouting).
	if rep.Counts[cutover.ProbePass] != smallEstate.Planned()+smallEstate.Providers || rep.Counts[cutover.ProbeWarn] != smallEstate.Providers || rep.Counts[cutover.ProbeFail] != 0 {
		t.Fatalf("probe counts %v", rep.Counts)
	}
	stored, err := f.svc.Probes(ctx, plan.ID)
	if err != nil || len(stored) != len(rep.Results) {
		t.Fatalf("stored probes: %d, %v", len(stored), err)
	}

	rp, err := f.svc.RollbackPreview(ctx, plan.ID, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Deletes != smallEstate.Planned() || len(rp.Refused) != 0 {
		t.Fatalf("rollback preview deletes %d, refused %v", rp.Deletes, rp.Refused)
	}
	for i := 1; i < len(rp.Items); i++ {
		if rp.Items[i].Step > rp.Items[i-1].Step {
			t.Fatalf("rollback order: step %d after step %d", rp.Items[i].Step, rp.Items[i-1].Step)
		}
	}
	rb, err := f.svc.RollbackApply(ctx, plan.ID, c, nil, cutover.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Run.Status != cutover.RunCompleted || rb.Run.Counts[cutover.StateDeleted] != smallEstate.Planned() {
		t.Fatalf("rollback: %s %v", rb.Run.Status, rb.Run.Counts)
	}
	if n := count(f.box.objects()); n != 0 {
		t.Fatalf("after rollback the target holds %d objects", n)
	}
	if _, err := f.svc.RollbackApply(ctx, plan.ID, c, nil, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrPlanState) {
		t.Fatalf("a second rollback: %v", err)
	}
	ev = events(f.trail(t))
	if ev[audit.CutoverRollbackStarted] != 1 || ev[audit.CutoverRollbackObjectDeleted] != smallEstate.Planned() || ev[audit.CutoverRollbackApplied] != 1 {
		t.Fatalf("rollback audit events %v", ev)
	}
}

// checkSteps checks the plan's data: dependencies come first, each
// routing rule depends on its provider and each assignment on its app and
// group, and a create carries its request.
func checkSteps(t *testing.T, list []cutover.Step) {
	t.Helper()
	bySeq := map[int]cutover.Step{}
	for i, st := range list {
		if st.Seq != i+1 {
			t.Fatalf("step %d has seq %d", i+1, st.Seq)
		}
		bySeq[st.Seq] = st
		for _, dep := range st.DependsOn {
			if dep >= st.Seq {
				t.Errorf("step %d depends on later step %d", st.Seq, dep)
			}
		}
		if st.Disposition != steps.Planned {
			if st.Reason == "" || st.RuleID == "" {
				t.Errorf("step %d (%s) is %s without its reason and rule", st.Seq, st.ID, st.Disposition)
			}
			continue
		}
		if len(st.Request) == 0 {
			t.Errorf("planned step %d has no request", st.Seq)
		}
		switch st.Kind {
		case steps.KindRoutingRule:
			if len(st.DependsOn) != 1 || bySeq[st.DependsOn[0]].Kind != steps.KindUpstreamProvider {
				t.Errorf("routing rule step %d depends on %v", st.Seq, st.DependsOn)
			}
		case steps.KindAppAssignment:
			if len(st.DependsOn) != 2 || bySeq[st.DependsOn[0]].Kind != steps.KindApplication || bySeq[st.DependsOn[1]].Kind != steps.KindGroup {
				t.Errorf("assignment step %d depends on %v", st.Seq, st.DependsOn)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestCutoverRefusals(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	c := f.box.client()
	if _, err := f.svc.Create(ctx, cutover.CreateRequest{Source: "no-such-source"}); !errors.Is(err, workspace.ErrInvalid) {
		t.Fatalf("create for an unknown source: %v", err)
	}
	plan := f.create(t)
	if _, err := f.svc.Create(ctx, cutover.CreateRequest{}); !errors.Is(err, cutover.ErrPlanExists) || !strings.Contains(err.Error(), plan.ID) {
		t.Fatalf("a second plan of one assessment: %v", err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, "cpt_whatever", c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrPlanState) {
		t.Fatalf("apply of a draft plan: %v", err)
	}
	prev := f.preview(t, plan.ID)
	if _, err := f.svc.Apply(ctx, plan.ID, "", c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrToken) {
		t.Fatalf("apply without a token: %v", err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token+"x", c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrToken) {
		t.Fatalf("apply with a wrong token: %v", err)
	}
	// A second preview replaces the first token; a rebuild voids both.
	second := f.preview(t, plan.ID)
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrToken) {
		t.Fatalf("apply with the first of two previews' tokens: %v", err)
	}
	rebuilt, err := f.svc.Rebuild(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt.Status != cutover.StatusDraft || rebuilt.Preview != nil || rebuilt.Rebuilds != 1 {
		t.Fatalf("rebuilt plan %+v", rebuilt)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, second.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrPlanState) {
		t.Fatalf("apply after a rebuild: %v", err)
	}
	// An expired token.
	third := f.preview(t, plan.ID)
	f.svc.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if _, err := f.svc.Apply(ctx, plan.ID, third.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrToken) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("apply with an expired token: %v", err)
	}
	f.svc.Now = nil
	// A new assessment of the source makes the plan outdated.
	if _, err := f.assessFixture.svc.Run(ctx, f.run.SnapshotID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, third.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrOutdated) {
		t.Fatalf("apply after a new assessment: %v", err)
	}
	if n := count(f.box.objects()); n != 0 {
		t.Fatalf("refused applies wrote %d objects", n)
	}
}

func TestCutoverGateClosed(t *testing.T) {
	f := newAssessFixture(t)
	svc := &cutover.Service{Store: CutoverStore(f.db), Gate: readinessGateOf(f.db), Actor: "consultant"}
	_, err := svc.Create(context.Background(), cutover.CreateRequest{})
	if !errors.Is(err, cutover.ErrGateClosed) || !strings.Contains(err.Error(), "no_completed_inventory") {
		t.Fatalf("create with the gate closed: %v", err)
	}
}

// Drift between preview and apply is refused, naming it: a new collision.
func TestCutoverDriftCollision(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	plan := f.create(t)
	prev := f.preview(t, plan.ID)
	c := f.box.client()
	if _, err := c.CreateGroup(ctx, "test-collision", api.GroupInput{Name: cutovertest.GroupName(3)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{})
	if !errors.Is(err, cutover.ErrDrift) || !strings.Contains(err.Error(), cutovertest.GroupName(3)) || !strings.Contains(err.Error(), "name:team 00003") {
		t.Fatalf("apply after a colliding group appeared: %v", err)
	}
	res, err := f.svc.Preview(ctx, plan.ID, c)
	if !errors.Is(err, cutover.ErrDrift) || len(res.Drifts) != 1 || res.Drifts[0].Kind != cutover.DriftCollision {
		t.Fatalf("preview after the collision: %v %+v", err, res.Drifts)
	}
	if n := count(f.box.objects()); n != 1 {
		t.Fatalf("a refused apply changed the target: %d objects", n)
	}
}

// itemID finds the id of an estate item in the fixture's snapshot.
func (f *cutoverFixture) itemID(t *testing.T, kind inventory.Kind, name string) (int64, string) {
	t.Helper()
	var id int64
	var src string
	err := f.db.ViewTx(context.Background(), func(tx *Tx) error {
		items, err := tx.ScanSnapshotItems(f.run.SnapshotID, kind, "", 10000)
		for _, it := range items {
			if it.DisplayName == name {
				id, src = it.ID, it.SourceID
			}
		}
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("item %s %q: %v", kind, name, err)
	}
	return id, src
}

// Merge mode, with merge review's own decisions: they bind, rename and
// skip; a mapped object that changes or goes, and a decision that changes,
// are refused at apply; once the plan is applied, merge review refuses to
// change its decisions.
func TestCutoverMergeDecisions(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixtureIn(t, workspace.ModeMergeIntoExisting, smallEstate, sandbox.Options{})
	c := f.box.client()
	noReview := *f.svc
	noReview.Reviews = nil
	if _, err := noReview.Create(ctx, cutover.CreateRequest{}); !errors.Is(err, cutover.ErrNoReview) {
		t.Fatalf("a merge-mode plan without merge review: %v", err)
	}
	live0, err := c.CreateGroup(ctx, "test-live-0", api.GroupInput{Name: cutovertest.GroupName(0)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if _, err := c.CreateGroup(ctx, fmt.Sprintf("test-live-%d", i), api.GroupInput{Name: cutovertest.GroupName(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Assessed again, the three live groups overlap: pending decisions
	// close the gate.
	f.assess(t)
	if _, err := f.svc.Create(ctx, cutover.CreateRequest{}); !errors.Is(err, cutover.ErrGateClosed) || !strings.Contains(err.Error(), "merge") {
		t.Fatalf("a plan with merge decisions pending: %v", err)
	}
	page, err := f.merge.List(ctx, merge.Filter{})
	if err != nil || len(page.Decisions) != 3 {
		t.Fatalf("merge decisions: %d, %v", len(page.Decisions), err)
	}
	dec := map[string]merge.Decision{}
	for _, d := range page.Decisions {
		dec[d.DisplayName] = d
	}
	resolve := func(name string, r merge.Resolution, targetID, newName string) error {
		t.Helper()
		_, err := f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: dec[name].ID, Resolution: r, TargetID: targetID, NewName: newName, Note: "test-only review"})
		return err
	}
	for _, err := range []error{
		resolve(cutovertest.GroupName(0), merge.MapToExisting, live0.Value.Id, ""),
		resolve(cutovertest.GroupName(1), merge.CreateNew, "", "Team 00001 (migrated)"),
		resolve(cutovertest.GroupName(2), merge.Skip, "", ""),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, src0 := f.itemID(t, inventory.KindGroup, cutovertest.GroupName(0))
	_, src1 := f.itemID(t, inventory.KindGroup, cutovertest.GroupName(1))
	_, src2 := f.itemID(t, inventory.KindGroup, cutovertest.GroupName(2))
	plan := f.create(t)
	d, err := f.svc.Get(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]cutover.Step{}
	for _, st := range d.Steps {
		byID[st.ID] = st
	}
	if st := byID["group/"+src0]; st.Action != steps.Bind || st.Bound.TargetID != live0.Value.Id || st.Bound.ETag != live0.ETag ||
		st.DecisionID != dec[cutovertest.GroupName(0)].ID {
		t.Fatalf("mapped group step: %+v", st)
	}
	if st := byID["group/"+src1]; st.Disposition != steps.Planned || st.Name != "Team 00001 (migrated)" {
		t.Fatalf("create_new group step: %+v", st)
	}
	if st := byID["group/"+src2]; st.Disposition != steps.Skipped {
		t.Fatalf("skipped group step: %+v", st)
	}
	// Assignments to the skipped group are blocked, naming it.
	for _, st := range d.Steps {
		if st.Kind == steps.KindAppAssignment && strings.HasSuffix(st.ItemSourceID, "/"+src2) && (st.Disposition != steps.Blocked || !strings.Contains(st.Reason, "skipped")) {
			t.Fatalf("assignment to a skipped group: %+v", st)
		}
	}
	if len(plan.Review.Decisions) != 3 || len(plan.Review.Acknowledgements) == 0 {
		t.Fatalf("plan review %+v", plan.Review)
	}
	for _, a := range plan.Review.Acknowledgements {
		if a.Status != string(ocm.StatusAcknowledged) || a.By != "customer" || a.At == nil {
			t.Fatalf("the plan is bound to acknowledgement %+v", a)
		}
	}
	for _, dv := range plan.Review.Decisions {
		if dv.Status != string(merge.StatusResolved) || dv.By != "consultant" || dv.At == nil || dv.Version == "" {
			t.Fatalf("the plan is bound to decision %+v", dv)
		}
	}

	// The mapped group changes after the preview: apply refuses.
	prev := f.preview(t, plan.ID)
	desc := "changed by someone"
	changed, err := c.ReplaceGroup(ctx, live0.Value.Id, live0.ETag, api.GroupInput{Name: live0.Value.Name, Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrDrift) || !strings.Contains(err.Error(), "changed since merge review") {
		t.Fatalf("apply after the mapped group changed: %v", err)
	}
	// Gone: refused as well.
	if err := c.DeleteGroup(ctx, live0.Value.Id, changed.ETag); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrDrift) || !strings.Contains(err.Error(), "is gone") {
		t.Fatalf("apply after the mapped group was deleted: %v", err)
	}
	// A decision changed since the preview: refused until rebuilt.
	if err := resolve(cutovertest.GroupName(0), merge.CreateNew, "", "Team 00000 (new)"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrReviewChanged) {
		t.Fatalf("apply after a decision changed: %v", err)
	}
	if _, err := f.svc.Preview(ctx, plan.ID, c); !errors.Is(err, cutover.ErrReviewChanged) {
		t.Fatalf("preview after a decision changed: %v", err)
	}
	plan, err = f.svc.Rebuild(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	prev = f.preview(t, plan.ID)
	out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: (&secrets{}).take})
	if err != nil {
		t.Fatal(err)
	}
	if out.Plan.Status != cutover.StatusAppliedWithFollowUp {
		t.Fatalf("merge-mode apply: %s %v", out.Plan.Status, out.Run.Counts)
	}
	// The live group that was mapped and then deleted is not recreated;
	// the rebuilt plan creates it under its new name.
	if g := f.box.objects()["groups"]; !slices.Contains(g, "Team 00000 (new)") || !slices.Contains(g, "Team 00001 (migrated)") {
		t.Fatalf("groups after a merge-mode apply: %v", g)
	}
	if id, applied, err := f.svc.AppliedPlan(ctx, f.run.ID); err != nil || !applied || id != plan.ID {
		t.Fatalf("AppliedPlan = %q %v %v", id, applied, err)
	}
	// The applied plan's decisions are final.
	if err := resolve(cutovertest.GroupName(2), merge.CreateNew, "", "Team 00002 (late)"); !errors.Is(err, merge.ErrPlanApplied) || !strings.Contains(err.Error(), plan.ID) {
		t.Fatalf("a decision changed after apply: %v", err)
	}
}

func readinessGateOf(db *DB) readinessGate {
	return readinessGate{readinessService(db)}
}

// Faults from every sandbox switch end in the same target as a clean run.
func TestCutoverFaultsSameEndState(t *testing.T) {
	ctx := context.Background()
	shape := cutovertest.Shape{Providers: 2, Groups: 8, Apps: 8, Assignments: 16}
	f := newCutoverFixture(t, shape, sandbox.Options{Latency: 2 * time.Millisecond, RateLimitedRate: 0.15, UnavailableRate: 0.1,
		CommitThenFailRate: 0.3, CommitThenFailMode: sandbox.FailMixed, Seed: 42})
	plan := f.create(t)
	c := f.box.client(client.WithMaxAttempts(12))
	var prev cutover.PreviewResult
	var err error
	for range 5 { // the preview's own reads may meet the 503 switch past the retries
		if prev, err = f.svc.Preview(ctx, plan.ID, c); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	var sec secrets
	out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: sec.take})
	for attempt := 0; err == nil && out.Run.Status == cutover.RunFailed && attempt < 5; attempt++ {
		out, err = f.svc.Resume(ctx, plan.ID, c, cutover.ApplyOptions{OnSecret: sec.take})
	}
	if err != nil {
		t.Fatal(err)
	}
	if out.Plan.Status != cutover.StatusAppliedWithFollowUp || out.Undelivered != 0 {
		t.Fatalf("plan %s after faults, run %v, undelivered %d", out.Plan.Status, out.Run.Counts, out.Undelivered)
	}
	sameObjects(t, "after faults", f.box.objects(), f.planned())
	// Every confidential client's secret reached the operator once (a
	// replayed create, which omits it, is followed by a rotation).
	apps := map[string]bool{}
	for _, s := range sec.got {
		apps[s.AppID] = true
	}
	if len(apps) != confidentialApps(shape) {
		t.Fatalf("secrets for %d confidential clients, want %d", len(apps), confidentialApps(shape))
	}
	d, err := f.svc.Get(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for _, e := range d.Applied {
		if e.How == cutover.HowReplayed {
			replayed++
		}
	}
	t.Logf("with faults: %d steps answered from the Portal's idempotency store, %d secrets handed over", replayed, len(sec.got))
	f.trail(t)
}

// Two applies started at once, from two handles on the file (as two
// processes would): exactly one runs.
func TestCutoverTwoAppliesAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{Latency: 5 * time.Millisecond})
	plan := f.create(t)
	prev := f.preview(t, plan.ID)
	other, err := Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	svcs := []*cutover.Service{f.svc, {Store: CutoverStore(other), Gate: readinessGateOf(other), Reviews: CutoverReviews(other), Actor: "consultant"}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, svc := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Apply(ctx, plan.ID, prev.Token, f.box.client(), cutover.ApplyOptions{OnSecret: (&secrets{}).take})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, cutover.ErrRunActive) || errors.Is(err, cutover.ErrPlanState):
		default:
			t.Fatalf("the losing apply failed otherwise: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d applies ran: %v", ok, errs)
	}
	sameObjects(t, "after two applies", f.box.objects(), f.planned())
}

// Cancel stops after the current step and leaves a resumable run; a new
// apply is refused while it is interrupted; resume finishes the plan.
func TestCutoverCancelAndResume(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	plan := f.create(t)
	prev := f.preview(t, plan.ID)
	c := f.box.client()
	runCtx, cancel := context.WithCancel(ctx)
	f.box.afterCreates(7, cancel)
	var sec secrets
	out, err := f.svc.Apply(runCtx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: sec.take})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Cancelled || !out.Run.Interrupted || out.Run.Status != cutover.RunStarted {
		t.Fatalf("cancelled apply: %+v", out.Run)
	}
	applied := out.Run.Counts[cutover.StateApplied]
	// Steps already sent when the cancel came finish; nothing starts after.
	if applied < 7 || applied > 7+cutover.DefaultParallel || count(f.box.objects()) != applied {
		t.Fatalf("cancelled after %d steps, target holds %d", applied, count(f.box.objects()))
	}
	run, found, err := f.svc.Interrupted(ctx)
	if err != nil || !found || run.ID != out.Run.ID {
		t.Fatalf("Interrupted = %+v %v %v", run, found, err)
	}
	second, err := f.svc.Create(ctx, cutover.CreateRequest{})
	if !errors.Is(err, cutover.ErrPlanExists) {
		t.Fatalf("create: %v %+v", err, second)
	}
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrPlanState) {
		t.Fatalf("apply again after cancel: %v", err)
	}
	out, err = f.svc.Resume(ctx, "", c, cutover.ApplyOptions{OnSecret: sec.take})
	if err != nil {
		t.Fatal(err)
	}
	if out.Plan.Status != cutover.StatusAppliedWithFollowUp || out.Run.Resumes != 1 {
		t.Fatalf("resumed: plan %s, run %+v", out.Plan.Status, out.Run)
	}
	sameObjects(t, "after cancel and resume", f.box.objects(), f.planned())
	if len(sec.got) != confidentialApps(smallEstate) {
		t.Fatalf("%d secrets, want %d", len(sec.got), confidentialApps(smallEstate))
	}
	if _, err := f.svc.Resume(ctx, plan.ID, c, cutover.ApplyOptions{}); !errors.Is(err, cutover.ErrNothingToResume) {
		t.Fatalf("resume of a finished run: %v", err)
	}
	ev := events(f.trail(t))
	if ev[audit.CutoverRunInterrupted] != 1 || ev[audit.CutoverRunResumed] != 1 || ev[audit.CutoverStepApplied] != smallEstate.Planned() {
		t.Fatalf("audit events %v", ev)
	}
}

// A create whose answer is lost stays in doubt; resume replays it with the
// same key and the Portal answers with the object it made. Past the
// Portal's idempotency window, the object is found by its natural key.
func TestCutoverInDoubtResume(t *testing.T) {
	for _, expire := range []bool{false, true} {
		name := "replayed"
		if expire {
			name = "adopted after the idempotency window"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := &fakeClock{t: time.Now()}
			// Every create is committed and then answered 503 (a dropped
			// connection would be retried by Go's transport itself, since
			// the request carries an Idempotency-Key).
			f := newCutoverFixture(t, smallEstate, sandbox.Options{CommitThenFailRate: 1, CommitThenFailMode: sandbox.Fail503, Now: clock.now})
			plan := f.create(t)
			prev := f.preview(t, plan.ID)
			// One attempt per request, so each create stays in doubt.
			lossy := f.box.client(client.WithMaxAttempts(1))
			out, err := f.svc.Apply(ctx, plan.ID, prev.Token, lossy, cutover.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if out.Run.Status != cutover.RunFailed || out.Run.Counts[cutover.StateIntent] == 0 {
				t.Fatalf("lossy apply: %s %v", out.Run.Status, out.Run.Counts)
			}
			inDoubt := out.Run.Counts[cutover.StateIntent]
			if expire {
				clock.add(25 * time.Hour)
			}
			// The Portal recovers; resume with a well-behaved client.
			f.box.serve(sandbox.Options{Now: clock.now})
			var sec secrets
			out, err = f.svc.Resume(ctx, plan.ID, f.box.client(), cutover.ApplyOptions{OnSecret: sec.take})
			for out.Run.Status == cutover.RunFailed && err == nil && out.Run.Resumes < 10 {
				out, err = f.svc.Resume(ctx, plan.ID, f.box.client(), cutover.ApplyOptions{OnSecret: sec.take})
			}
			if err != nil {
				t.Fatal(err)
			}
			sameObjects(t, "after resuming in-doubt steps", f.box.objects(), f.planned())
			d, err := f.svc.Get(ctx, plan.ID)
			if err != nil {
				t.Fatal(err)
			}
			hows := map[string]int{}
			for _, e := range d.Applied {
				hows[e.How]++
			}
			want := cutover.HowReplayed
			if expire {
				want = cutover.HowAdopted
			}
			if hows[want] < inDoubt {
				t.Fatalf("%d steps were in doubt, resolved as %v", inDoubt, hows)
			}
			if len(sec.got) != confidentialApps(smallEstate) {
				t.Fatalf("%d secrets after resume (rotated for the lost answers), want %d", len(sec.got), confidentialApps(smallEstate))
			}
			for _, s := range sec.got {
				if !s.Rotated {
					t.Fatalf("the secret of %s was not rotated, though its create's answer was lost", s.AppName)
				}
			}
		})
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A secret that never reached the operator is issued again by resume.
func TestCutoverUndeliveredSecretRotated(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	plan := f.create(t)
	prev := f.preview(t, plan.ID)
	c := f.box.client()
	out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: func(cutover.IssuedSecret) error {
		return errors.New("the secrets file could not be written")
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Undelivered != confidentialApps(smallEstate) {
		t.Fatalf("undelivered = %d", out.Undelivered)
	}
	var sec secrets
	out, err = f.svc.Resume(ctx, plan.ID, c, cutover.ApplyOptions{OnSecret: sec.take})
	if err != nil {
		t.Fatal(err)
	}
	if out.Undelivered != 0 || len(sec.got) != confidentialApps(smallEstate) {
		t.Fatalf("after resume: undelivered %d, handed over %d", out.Undelivered, len(sec.got))
	}
	if ev := events(f.trail(t)); ev[audit.CutoverStepSecretRotated] != confidentialApps(smallEstate) {
		t.Fatalf("audit %v", ev)
	}
}

// Rollback after a partial apply removes exactly what was created; an
// object changed since apply is refused unless forced.
func TestCutoverRollbackPartial(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	c := f.box.client()
	// A pre-existing object the plan does not touch stays.
	if _, err := c.CreateGroup(ctx, "test-bystander", api.GroupInput{Name: "Bystanders"}); err != nil {
		t.Fatal(err)
	}
	plan := f.create(t)
	prev := f.preview(t, plan.ID)
	runCtx, cancel := context.WithCancel(ctx)
	f.box.afterCreates(13, cancel) // the bystander was the first create
	out, err := f.svc.Apply(runCtx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: (&secrets{}).take})
	if err != nil || !out.Cancelled {
		t.Fatalf("partial apply: %v %+v", err, out.Run)
	}
	created := out.Run.Counts[cutover.StateApplied]
	rp, err := f.svc.RollbackPreview(ctx, plan.ID, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Deletes != created {
		t.Fatalf("rollback preview deletes %d, the apply created %d", rp.Deletes, created)
	}
	// Someone changes a group the apply created.
	var changedID string
	for _, it := range rp.Items {
		if it.Kind == steps.KindGroup {
			g, err := c.GetGroup(ctx, it.TargetID)
			if err != nil {
				t.Fatal(err)
			}
			desc := "edited after cutover"
			if _, err := c.ReplaceGroup(ctx, it.TargetID, g.ETag, api.GroupInput{Name: g.Value.Name, Description: &desc}); err != nil {
				t.Fatal(err)
			}
			changedID = it.TargetID
			break
		}
	}
	_, err = f.svc.RollbackApply(ctx, plan.ID, c, nil, cutover.ApplyOptions{})
	if !errors.Is(err, cutover.ErrChangedObjects) || !strings.Contains(err.Error(), changedID) {
		t.Fatalf("rollback with a changed object: %v", err)
	}
	if n := count(f.box.objects()); n != created+1 {
		t.Fatalf("a refused rollback deleted something: %d objects", n)
	}
	if _, err := f.svc.RollbackApply(ctx, plan.ID, c, []string{"grp_not_ours"}, cutover.ApplyOptions{}); !errors.Is(err, workspace.ErrInvalid) {
		t.Fatalf("forcing an object the apply did not create: %v", err)
	}
	rb, err := f.svc.RollbackApply(ctx, plan.ID, c, []string{changedID}, cutover.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Run.Status != cutover.RunCompleted || rb.Run.Counts[cutover.StateDeleted] != created {
		t.Fatalf("rollback %s %v", rb.Run.Status, rb.Run.Counts)
	}
	if got := f.box.objects(); count(got) != 1 || got["groups"][0] != "Bystanders" {
		t.Fatalf("after rollback the target holds %v", got)
	}
	// The interrupted apply was marked failed and will not be resumed.
	if _, err := f.svc.Resume(ctx, plan.ID, c, cutover.ApplyOptions{}); err == nil {
		t.Fatal("an apply was resumed after its rollback")
	}
}

// Routing probes ask the Portal's routing resolution for every domain of
// every created rule: a provider without an enabled SSO configuration
// warns, an enabled one passes, and a rival rule at the same priority
// fails as ambiguous.
func TestCutoverProbeRouting(t *testing.T) {
	ctx := context.Background()
	f := newCutoverFixture(t, smallEstate, sandbox.Options{})
	plan := f.create(t)
	c := f.box.client()
	prev := f.preview(t, plan.ID)
	if _, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: new(secrets).take}); err != nil {
		t.Fatal(err)
	}
	routing := func() map[string]cutover.ProbeResult {
		t.Helper()
		rep, err := f.svc.Probe(ctx, plan.ID, c, c)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]cutover.ProbeResult{}
		for _, r := range rep.Results {
			if r.Check == cutover.ProbeRouting {
				out[r.Subject] = r
			}
		}
		if len(out) != smallEstate.Providers {
			t.Fatalf("%d routing checks, want one per provider's domain (%d): %+v", len(out), smallEstate.Providers, rep.Results)
		}
		return out
	}
	for domain, r := range routing() {
		if r.Outcome != cutover.ProbeWarn || !strings.Contains(r.Detail, "no enabled SSO configuration") {
			t.Fatalf("%s before SSO is enabled: %s %q", domain, r.Outcome, r.Detail)
		}
	}

	rules, err := c.ListRoutingRules(ctx)
	if err != nil || len(rules) != smallEstate.Providers {
		t.Fatalf("rules %d, %v", len(rules), err)
	}
	enabled, rival := rules[0], rules[1]
	if _, err := c.CreateSsoConfiguration(ctx, "test-only-sso", api.SsoConfigurationInput{
		ProviderId: enabled.ProviderId, Audience: "https://portal.example.test/sso", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	// The Portal refuses a second rule for the same domain, but a rule for
	// the parent domain also covers it: at the same priority, to another
	// provider, the resolution is ambiguous.
	_, parent, _ := strings.Cut(rival.Domains[0], ".")
	if _, err := c.CreateRoutingRule(ctx, "test-only-rival", api.RoutingRuleInput{
		Name: "rival", Domains: []string{parent}, Priority: rival.Priority, ProviderId: enabled.ProviderId}); err != nil {
		t.Fatal(err)
	}
	got := routing()
	if r := got[enabled.Domains[0]]; r.Outcome != cutover.ProbePass || !strings.Contains(r.Detail, enabled.ProviderId) {
		t.Errorf("%s with SSO enabled: %s %q", enabled.Domains[0], r.Outcome, r.Detail)
	}
	if r := got[rival.Domains[0]]; r.Outcome != cutover.ProbeFail || !strings.Contains(r.Detail, "ambiguous") {
		t.Errorf("%s with a rival rule at the same priority: %s %q", rival.Domains[0], r.Outcome, r.Detail)
	}
}
