package workspacedb

import (
	"context"
	"testing"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// The whole flow on a clean target: plan, preview, apply, probe, rollback.
func TestCutoverFlow(t *testing.T) {
	ctx := context.Background()
	shape := cutovertest.Shape{Providers: 2, Groups: 6, Apps: 5, Assignments: 9}
	f := newCutoverFixture(t, shape, sandbox.Options{})
	plan, err := f.svc.Create(ctx, cutover.CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Counts[steps.Planned]; got != shape.Planned() {
		d, _ := f.svc.Get(ctx, plan.ID)
		for _, st := range d.Steps {
			t.Logf("%d %s %s %s %s", st.Seq, st.ID, st.Disposition, st.RuleID, st.Reason)
		}
		t.Fatalf("planned steps = %d, want %d (counts %v)", got, shape.Planned(), plan.Counts)
	}
	c := f.box.client()
	prev, err := f.svc.Preview(ctx, plan.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	var sec secrets
	out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{OnSecret: sec.take})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run %s plan %s counts %v", out.Run.Status, out.Plan.Status, out.Run.Counts)
	sameObjects(t, "after apply", f.box.objects(), f.planned())
	rep, err := f.svc.Probe(ctx, plan.ID, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("probes %v", rep.Counts)
	rb, err := f.svc.RollbackApply(ctx, plan.ID, c, nil, cutover.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rollback %s %v", rb.Run.Status, rb.Run.Counts)
	if n := count(f.box.objects()); n != 0 {
		t.Fatalf("after rollback the target holds %d objects", n)
	}
}
