package ocm

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/assessment"
)

// Carrier carries acknowledgements over to a rerun, as an
// assessment.Contributor: once a run's impact rows are persisted, each
// impact acknowledged in the source's previous completed run is looked up
// in the new one.
//
//   - Same Impact.Key (rule, audience, severity, summary) and the same
//     items (ItemsFingerprint of the items the acknowledgement covered):
//     the acknowledgement carries over, naming the run it was given in.
//   - Same key, other items: the row needs review, saying how many items
//     were added and removed.
//   - No row with that key, but one of the same rule and audience that no
//     other acknowledgement claimed (its severity or wording changed): that
//     row needs review, quoting what was acknowledged.
//
// A row that needs review is not acknowledged: the gate stays closed until
// someone acknowledges it again.
type Carrier struct {
	Store Store
}

// Name is the contributor's name in progress and errors.
func (c *Carrier) Name() string { return "OCM acknowledgement carry-over" }

// Contribute carries the previous run's acknowledgements onto run.
func (c *Carrier) Contribute(ctx context.Context, run assessment.Run, _ assessment.ResultReader) error {
	return c.Store.Update(ctx, func(tx Tx) error {
		prev, err := previousRun(tx, run)
		if err != nil || prev == nil {
			return err
		}
		old, err := tx.RunImpacts(prev.ID, 0)
		if err != nil {
			return err
		}
		cur, err := tx.RunImpacts(run.ID, 0)
		if err != nil {
			return err
		}
		items := func(runID string, ordinal int) ([]assessment.ItemRef, error) {
			return tx.ImpactItemKeys(runID, ordinal)
		}
		updates, err := carryOver(old, cur, prev.ID, items)
		if err != nil {
			return err
		}
		for _, u := range updates {
			if err := tx.SaveAck(u); err != nil {
				return fmt.Errorf("carry the acknowledgement of impact %d over: %w", u.Ordinal, err)
			}
		}
		return nil
	})
}

func previousRun(tx Tx, run assessment.Run) (*assessment.Run, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return nil, err
	}
	for i, r := range runs { // newest first
		if r.ID != run.ID && r.SourceID == run.SourceID && r.Status == assessment.StatusCompleted {
			return &runs[i], nil
		}
	}
	return nil, nil
}

// carryOver returns the rows of cur that take an acknowledgement (or a
// review flag) from old, the rows of run prevID.
func carryOver(old, cur []Impact, prevID string, items func(runID string, ordinal int) ([]assessment.ItemRef, error)) ([]Impact, error) {
	byKey := map[string]int{}
	for i, im := range cur {
		byKey[im.Key] = i
	}
	taken := map[int]bool{}
	var out []Impact
	var unmatched []Impact
	for _, o := range old {
		if o.AckedAt == nil {
			continue
		}
		i, ok := byKey[o.Key]
		if !ok {
			unmatched = append(unmatched, o)
			continue
		}
		taken[i] = true
		u := cur[i]
		u.AckedBy, u.AckedAt, u.Note, u.ItemsFingerprint = o.AckedBy, o.AckedAt, o.Note, o.ItemsFingerprint
		u.CarriedFrom = o.CarriedFrom
		if u.CarriedFrom == "" {
			u.CarriedFrom = prevID
		}
		now, err := items(u.RunID, u.Ordinal)
		if err != nil {
			return nil, err
		}
		if ItemsFingerprint(now) == o.ItemsFingerprint {
			u.Status, u.ReviewReason = StatusAcknowledged, ""
		} else {
			before, err := items(o.RunID, o.Ordinal)
			if err != nil {
				return nil, err
			}
			added, removed := itemDelta(before, now)
			u.Status = StatusNeedsReview
			u.ReviewReason = fmt.Sprintf("the items it touches changed since it was acknowledged (%d added, %d removed)", added, removed)
		}
		out = append(out, u)
	}
	for _, o := range unmatched {
		for i, im := range cur {
			if taken[i] || im.RuleID != o.RuleID || im.Audience != o.Audience {
				continue
			}
			taken[i] = true
			u := im
			u.AckedBy, u.AckedAt, u.Note, u.ItemsFingerprint, u.CarriedFrom = o.AckedBy, o.AckedAt, o.Note, o.ItemsFingerprint, prevID
			if o.CarriedFrom != "" {
				u.CarriedFrom = o.CarriedFrom
			}
			u.Status = StatusNeedsReview
			u.ReviewReason = fmt.Sprintf("the impact changed since it was acknowledged: it was %s severity, %q", o.Severity, o.Summary)
			out = append(out, u)
			break
		}
	}
	return out, nil
}
