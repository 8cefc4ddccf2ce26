package workspacedb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
)

// The gate, as a property: after any sequence of resolve, acknowledge and
// rerun operations (with the live target and the estate changing between
// reruns), the summary says ready_for_future_preview exactly when the
// contract's conditions hold, each read from the stage's own records: the
// source's newest assessment is completed and of its newest snapshot,
// every OCM impact of it is acknowledged, it read the live target, and (in
// merge mode) none of its decisions is pending, or (in first-run adoption)
// the target it read was empty.
func TestGateProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		mode := rapid.SampledFrom([]workspace.Mode{workspace.ModeMergeIntoExisting, workspace.ModeFirstRunAdoption}).Draw(rt, "mode")
		f := newMergeFixture(t, mode)
		ctx := context.Background()
		snap := f.snapshot(t, estate(60, 11))
		if rapid.Bool().Draw(rt, "live overlaps") {
			f.overlaps(t, snap)
		}
		if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
			rt.Fatal(err)
		}
		live := 0
		steps := rapid.IntRange(1, 16).Draw(rt, "steps")
		for i := range steps {
			switch op := rapid.IntRange(0, 10).Draw(rt, fmt.Sprintf("op %d", i)); op {
			case 0, 1: // resolve one pending or resolved row
				p, err := f.merge.List(ctx, merge.Filter{})
				if err != nil {
					rt.Fatal(err)
				}
				if len(p.Decisions) == 0 {
					continue
				}
				d := p.Decisions[rapid.IntRange(0, len(p.Decisions)-1).Draw(rt, "row")]
				q := merge.ResolveRequest{DecisionID: d.ID, Resolution: rapid.SampledFrom(merge.Resolutions).Draw(rt, "resolution")}
				switch q.Resolution {
				case merge.MapToExisting:
					q.TargetID = d.Matched[rapid.IntRange(0, len(d.Matched)-1).Draw(rt, "target")].TargetID
				case merge.CreateNew:
					q.NewName = rapid.SampledFrom([]string{"", d.DisplayName + " (incumbent)"}).Draw(rt, "new name")
				}
				if _, err := f.merge.Resolve(ctx, q); err != nil && !errors.Is(err, merge.ErrStillCollides) {
					rt.Fatalf("resolve %+v: %v", q, err)
				}
			case 2: // resolve every pending row at once
				if _, err := f.merge.ResolveAll(ctx, merge.BulkRequest{Filter: merge.Filter{Status: merge.StatusPending}, Resolution: merge.Skip}); err != nil &&
					!errors.Is(err, merge.ErrNotMergeMode) {
					rt.Fatal(err)
				}
			case 3, 4: // acknowledge one impact
				l, err := f.ocm.List(ctx, ocm.Filter{})
				if err != nil {
					rt.Fatal(err)
				}
				var ids []string
				for _, g := range l.Groups {
					for _, im := range g.Impacts {
						ids = append(ids, im.ID)
					}
				}
				if len(ids) == 0 {
					continue
				}
				if _, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{ImpactID: rapid.SampledFrom(ids).Draw(rt, "impact")}); err != nil {
					rt.Fatal(err)
				}
			case 5: // acknowledge an audience
				aud := rapid.SampledFrom(assessment.Audiences).Draw(rt, "audience")
				if _, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{Filter: ocm.Filter{Audience: aud}}); err != nil {
					rt.Fatal(err)
				}
			case 6: // rerun the newest snapshot
				if _, err := f.svc.RunSource(ctx, f.source.Name, nil); err != nil {
					rt.Fatal(err)
				}
			case 7: // collect a changed estate and maybe assess it
				snap = f.snapshot(t, estate(rapid.IntRange(50, 70).Draw(rt, "estate"), 11))
				if rapid.Bool().Draw(rt, "assess it") {
					if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
						rt.Fatal(err)
					}
				}
			case 9: // acknowledge everything
				if _, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{}); err != nil {
					rt.Fatal(err)
				}
			case 10: // decide every pending row but one
				p, err := f.merge.List(ctx, merge.Filter{Status: merge.StatusPending})
				if err != nil {
					rt.Fatal(err)
				}
				for j := 1; j < len(p.Decisions); j++ {
					if _, err := f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: p.Decisions[j].ID, Resolution: merge.Skip}); err != nil {
						rt.Fatal(err)
					}
				}
			case 8: // the live target gains an object, then the run is redone
				live++
				if _, err := f.live.CreateGroup(ctx, fmt.Sprintf("k-live-%d", live), api.GroupInput{Name: fmt.Sprintf("TEAM %d", live)}); err != nil {
					rt.Fatal(err)
				}
				if _, err := f.svc.RunSource(ctx, f.source.Name, nil); err != nil {
					rt.Fatal(err)
				}
			}
			sum, err := (&readiness.Service{Store: ReadinessStore(f.db)}).Summary(ctx)
			if err != nil {
				rt.Fatal(err)
			}
			want := f.contractHolds(rt, mode)
			if got := sum.PreviewHandoffStatus == readiness.HandoffReady; got != want {
				rt.Fatalf("after op %d: gate %s %v, but the contract's conditions hold = %v", i, sum.PreviewHandoffStatus, sum.PreviewHandoffBlockers, want)
			}
		}
	})
}

// contractHolds reads the conditions straight from the stage records.
func (f *mergeFixture) contractHolds(rt *rapid.T, mode workspace.Mode) bool {
	ctx := context.Background()
	var ok bool
	err := f.db.ViewTx(ctx, func(tx *Tx) error {
		runs, err := tx.AssessmentRuns()
		if err != nil || len(runs) == 0 {
			return err
		}
		snaps, err := tx.Snapshots()
		if err != nil {
			return err
		}
		var newestSnap inventory.Snapshot
		for _, s := range snaps { // newest first
			if s.Status == inventory.StatusCompleted {
				newestSnap = s
				break
			}
		}
		latest := runs[0]
		if latest.Status != assessment.StatusCompleted || latest.SnapshotID != newestSnap.ID {
			return nil
		}
		acks, err := tx.AckCounts(latest.ID)
		if err != nil {
			return err
		}
		if acks[ocm.StatusPending]+acks[ocm.StatusNeedsReview] > 0 {
			return nil
		}
		scan, found, err := tx.Scan(latest.ID)
		if err != nil || !found || scan.Status != merge.ScanRead {
			return err
		}
		if mode == workspace.ModeFirstRunAdoption {
			ok = scan.Empty()
			return nil
		}
		var pending int
		err = tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM merge_decisions WHERE run_id = ? AND status = 'pending'`, latest.ID).Scan(&pending)
		ok = pending == 0
		return err
	})
	if err != nil {
		rt.Fatal(err)
	}
	return ok
}
