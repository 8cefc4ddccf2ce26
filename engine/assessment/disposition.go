package assessment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
)

// DisposeRequest records (or, with Disposition "", clears) a what-if on
// one finding of one item: the item is named by ItemID, or by Kind and
// SourceID.
type DisposeRequest struct {
	RunID       string // "" for the newest completed run
	ItemID      int64
	Kind        inventory.Kind
	SourceID    string
	RuleID      string
	Disposition DispositionKind
	Note        string
	Owner       string
	// ReviewDate is YYYY-MM-DD; required for will_fix and risk_accepted.
	ReviewDate string
}

func (q DisposeRequest) validate() error {
	switch {
	case q.ItemID == 0 && (q.Kind == "" || q.SourceID == ""):
		return invalidf("name the item by its id, or by its kind and source id")
	case strings.TrimSpace(q.RuleID) == "":
		return invalidf("name the rule whose finding is disposed")
	case q.Disposition == "":
		return nil
	case !q.Disposition.Valid():
		return invalidf("disposition %q must be one of %v", q.Disposition, DispositionKinds)
	case strings.TrimSpace(q.Note) == "":
		return invalidf("a disposition needs a note saying why")
	case strings.TrimSpace(q.Owner) == "":
		return invalidf("a disposition needs an owner: who answers for it")
	case q.ReviewDate == "" && q.Disposition != NotApplicable:
		return invalidf("a %s disposition needs a review date (YYYY-MM-DD)", q.Disposition)
	}
	if q.ReviewDate != "" {
		if _, err := time.Parse(time.DateOnly, q.ReviewDate); err != nil {
			return invalidf("review date %q is not a date in the form YYYY-MM-DD", q.ReviewDate)
		}
	}
	return nil
}

// Dispose records a what-if on one finding of a completed run, or clears
// it. It never changes the rule's verdict: the finding keeps its class, and
// only the readiness roll-up counts it differently. A native_import finding
// needs no disposition and is refused. The change is audited
// (migration.assessment.finding_disposed or ..._disposition_cleared).
func (s *Service) Dispose(ctx context.Context, q DisposeRequest) (Disposition, error) {
	if err := q.validate(); err != nil {
		return Disposition{}, err
	}
	run, err := s.completedRun(ctx, q.RunID)
	if err != nil {
		return Disposition{}, err
	}
	var out Disposition
	err = s.Store.Update(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		var res Result
		if q.ItemID != 0 {
			res, err = tx.AssessmentResult(run.ID, q.ItemID)
		} else {
			res, err = tx.AssessmentResultBySource(run.ID, q.Kind, q.SourceID)
		}
		if err != nil {
			return err
		}
		var f *Finding
		for i := range res.Findings {
			if res.Findings[i].RuleID == q.RuleID {
				f = &res.Findings[i]
			}
		}
		if f == nil {
			return fmt.Errorf("%w: rule %s did not match %s %q in run %s", ErrFindingNotFound, q.RuleID, res.Kind, res.DisplayName, run.ID)
		}
		if f.Class == NativeImport {
			return invalidf("the finding of %s on %q is native_import: there is nothing to dispose", f.RuleID, res.DisplayName)
		}
		now := s.now()
		facts := map[string]string{"item_id": fmt.Sprint(res.ItemID), "kind": string(res.Kind), "source_id": res.SourceID,
			"rule_id": f.RuleID, "class": string(f.Class)}
		if q.Disposition == "" {
			if err := tx.DeleteAssessmentDisposition(run.ID, res.ItemID, f.RuleID); err != nil {
				return err
			}
			_, err = audit.Record(tx, audit.Entry{At: now, Event: audit.AssessmentFindingDispositionCleared, Tenant: ws.Tenant,
				Actor: s.Actor, TargetID: run.ID, Facts: facts})
			return err
		}
		out = Disposition{RunID: run.ID, ItemID: res.ItemID, SourceID: res.SourceID, Kind: res.Kind, RuleID: f.RuleID,
			Fingerprint: f.Fingerprint, Disposition: q.Disposition, Note: strings.TrimSpace(q.Note), Owner: strings.TrimSpace(q.Owner),
			ReviewDate: q.ReviewDate, SetBy: s.Actor, SetAt: now}
		if err := tx.SaveAssessmentDisposition(out); err != nil {
			return err
		}
		facts["disposition"], facts["owner"], facts["review_date"] = string(out.Disposition), out.Owner, out.ReviewDate
		_, err = audit.Record(tx, audit.Entry{At: now, Event: audit.AssessmentFindingDisposed, Tenant: ws.Tenant,
			Actor: s.Actor, TargetID: run.ID, Facts: facts})
		return err
	})
	if err != nil {
		return Disposition{}, fmt.Errorf("dispose finding %s: %w", q.RuleID, err)
	}
	return out, nil
}

// carryDispositions copies the dispositions of the source's previous
// completed run onto run, for every finding that is unchanged: the same
// item (kind and source id), the same rule and the same fingerprint. A
// finding whose text or class changed is asked about again.
func (s *Service) carryDispositions(tx Tx, run Run) (int, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return 0, err
	}
	var prev *Run
	for i := range runs { // newest first
		if r := runs[i]; r.ID != run.ID && r.SourceID == run.SourceID && r.Status == StatusCompleted {
			prev = &runs[i]
			break
		}
	}
	if prev == nil {
		return 0, nil
	}
	ds, err := tx.AssessmentDispositions(prev.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		res, err := tx.AssessmentResultBySource(run.ID, d.Kind, d.SourceID)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return n, err
		}
		for _, f := range res.Findings {
			if f.RuleID != d.RuleID || f.Fingerprint != d.Fingerprint {
				continue
			}
			c := d
			c.RunID, c.ItemID = run.ID, res.ItemID
			if c.CarriedFrom == "" {
				c.CarriedFrom = d.RunID
			}
			if err := tx.SaveAssessmentDisposition(c); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
