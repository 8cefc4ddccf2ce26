package workspacedb

import (
	"context"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/workspace"
)

// writeLimit is the Portal's write rate in the apply benchmark, a
// realistic admin API write budget: the sandbox answers 429 beyond it, and
// the apply paces itself to it.
const writeLimit = 100.0

// BenchmarkCutoverApply10k applies a plan of 10,000 steps to the sandbox
// over HTTP with a write rate limit, and reports the steps applied per
// second as a ratio to that limit (1.0: the apply uses the Portal's whole
// write budget and nothing else slows it).
func BenchmarkCutoverApply10k(b *testing.B) {
	ctx := context.Background()
	shape := cutovertest.ForSteps(10000)
	var total time.Duration
	var applied int
	for range b.N {
		b.StopTimer()
		f := newCutoverFixture(b, shape, sandbox.Options{WriteRate: writeLimit, WriteBurst: int(writeLimit)})
		plan, err := f.svc.Create(ctx, cutover.CreateRequest{})
		if err != nil {
			b.Fatal(err)
		}
		// The benchmark's client skips the tests' contract validation: it
		// is test-side work, not the apply's.
		c, err := client.New(f.box.url, f.box.token, client.WithMaxAttempts(20), client.WithRetryWait(time.Millisecond, 50*time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		prev, err := f.svc.Preview(ctx, plan.ID, c)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		out, err := f.svc.Apply(ctx, plan.ID, prev.Token, c, cutover.ApplyOptions{WriteRate: writeLimit,
			OnSecret: func(cutover.IssuedSecret) error { return nil }})
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if out.Run.Counts[cutover.StateApplied] != plan.Counts[steps.Planned] {
			b.Fatalf("applied %d of %d planned steps", out.Run.Counts[cutover.StateApplied], plan.Counts[steps.Planned])
		}
		applied += out.Run.Counts[cutover.StateApplied]
	}
	perSec := float64(applied) / total.Seconds()
	b.ReportMetric(perSec, "steps/s")
	b.ReportMetric(perSec/writeLimit, "ratio_to_write_limit")
	b.ReportMetric(float64(total.Microseconds())/float64(applied), "µs/step")
}

// BenchmarkCutoverJournal measures what the journal costs one step: its
// intent and its result (with the result's audit entry), each a durable
// transaction, as a ratio to the floor of one durable transaction writing
// one row on the same file.
func BenchmarkCutoverJournal(b *testing.B) {
	ctx := context.Background()
	f := newCutoverFixture(b, cutovertest.Shape{Providers: 1, Groups: 2, Apps: 2, Assignments: 2}, sandbox.Options{})
	plan, err := f.svc.Create(ctx, cutover.CreateRequest{})
	if err != nil {
		b.Fatal(err)
	}
	store := CutoverStore(f.db)
	run := cutover.Run{ID: workspace.NewID(), PlanID: plan.ID, Kind: cutover.RunApply, Status: cutover.RunStarted,
		StartedAt: time.Now(), HeartbeatAt: time.Now(), Owner: "bench"}
	if err := store.Update(ctx, func(tx cutover.Tx) error { return tx.InsertCutoverRun(run) }); err != nil {
		b.Fatal(err)
	}
	const n = 200
	floor := timeIt(b, n, func(i int) error {
		return store.Update(ctx, func(tx cutover.Tx) error {
			return tx.SaveCutoverEntry(cutover.Entry{RunID: run.ID, Step: 1_000_000 + i, State: cutover.StateSkipped})
		})
	})
	b.ResetTimer()
	journal := timeIt(b, b.N, func(i int) error {
		now := time.Now().UTC()
		e := cutover.Entry{RunID: run.ID, Step: i + 1, State: cutover.StateIntent, IntentAt: &now, Attempts: 1}
		if err := store.Update(ctx, func(tx cutover.Tx) error { return tx.SaveCutoverEntry(e) }); err != nil {
			return err
		}
		e.State, e.ResultAt, e.TargetID, e.ETag, e.How = cutover.StateApplied, &now, "grp_bench", `"bench"`, cutover.HowCreated
		return store.Update(ctx, func(tx cutover.Tx) error {
			if err := tx.SaveCutoverEntry(e); err != nil {
				return err
			}
			_, err := audit.Record(tx, audit.Entry{At: now, Event: audit.CutoverStepApplied, Tenant: "acme", Actor: "bench",
				TargetID: e.TargetID, Facts: map[string]string{"plan_id": plan.ID, "step": "1", "kind": "group", "action": "create"}})
			return err
		})
	})
	b.ReportMetric(float64(journal.Microseconds())/float64(b.N), "journal_µs/step")
	b.ReportMetric((float64(journal)/float64(b.N))/(float64(floor)/n), "journal/commit_floor")
}

func timeIt(b *testing.B, n int, fn func(i int) error) time.Duration {
	start := time.Now()
	for i := range n {
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
