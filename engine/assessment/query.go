package assessment

import (
	"context"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// ResultQuery selects a window of a run's item results.
type ResultQuery struct {
	RunID string
	// Class, Kind: "" for every one.
	Class Class
	Kind  inventory.Kind
	// RuleID matches results the rule decided or merely matched.
	RuleID string
	// Text matches the item's name, ids, subtype and view (full-text
	// search, every word as a prefix).
	Text string
	// SortBy is "class" (default: most restrictive first, then name),
	// "display_name", "kind" or "rule_id".
	SortBy     string
	Descending bool
	Offset     int
	Limit      int // 0 means 100
}

// ResultPage is one window of a query's results and the match count;
// counting stops at inventory.MaxCount (Capped).
type ResultPage struct {
	Results []Result `json:"results"`
	Total   int      `json:"total"`
	Capped  bool     `json:"total_capped"`
}

// SortKeys are the accepted ResultQuery.SortBy values.
var SortKeys = []string{"class", "display_name", "kind", "rule_id"}

// ImpactQuery selects a run's OCM impact rows.
type ImpactQuery struct {
	RunID    string
	Audience Audience // "" for every audience
	Severity Severity // "" for every severity
	RuleID   string
	// ItemLimit is how many items each row lists (default 20, -1 for all).
	ItemLimit int
}

// Runs lists every run, newest first. An assessing run whose process
// stopped heartbeating is shown failed (interrupted): never as in
// progress, never as completed.
func (s *Service) Runs(ctx context.Context) ([]Run, error) {
	var out []Run
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.AssessmentRuns()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list assessment runs: %w", err)
	}
	for i := range out {
		out[i] = shownRun(out[i], s.now(), s.staleAfter())
	}
	return out, nil
}

// shownRun is a run as it must be shown at now.
func shownRun(r Run, now time.Time, staleAfter time.Duration) Run {
	if r.Status == StatusAssessing && !r.HeartbeatAt.After(now.Add(-staleAfter)) {
		r.Status = StatusFailed
		r.Error = "interrupted: the assessing process stopped without finishing"
	}
	return r
}

// Get returns one run by id, or the newest when id is "".
func (s *Service) Get(ctx context.Context, id string) (Run, error) {
	runs, err := s.Runs(ctx)
	if err != nil {
		return Run{}, err
	}
	for _, r := range runs {
		if id == "" || r.ID == id {
			return r, nil
		}
	}
	if id == "" {
		return Run{}, fmt.Errorf("no assessment run yet: %w", ErrRunNotFound)
	}
	return Run{}, fmt.Errorf("assessment run %s: %w", id, ErrRunNotFound)
}

// completedRun returns a run that must be completed (id "" for the newest
// completed run).
func (s *Service) completedRun(ctx context.Context, id string) (Run, error) {
	runs, err := s.Runs(ctx)
	if err != nil {
		return Run{}, err
	}
	for _, r := range runs {
		if id == "" && r.Status == StatusCompleted {
			return r, nil
		}
		if r.ID == id {
			if r.Status != StatusCompleted {
				return r, fmt.Errorf("assessment run %s is %s: %w", id, r.Status, ErrRunNotCompleted)
			}
			return r, nil
		}
	}
	if id == "" {
		return Run{}, fmt.Errorf("no completed assessment run yet: %w", ErrRunNotFound)
	}
	return Run{}, fmt.Errorf("assessment run %s: %w", id, ErrRunNotFound)
}

// Results runs a result query on a completed run (RunID "" for the newest
// completed run); each finding carries its disposition, if any.
func (s *Service) Results(ctx context.Context, q ResultQuery) (ResultPage, error) {
	run, err := s.completedRun(ctx, q.RunID)
	if err != nil {
		return ResultPage{}, err
	}
	q.RunID = run.ID
	if q.Class != "" && !q.Class.Valid() {
		return ResultPage{}, fmt.Errorf("%w: class %q is not one of %v", ErrInvalid, q.Class, Classes)
	}
	var page ResultPage
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		if page, err = tx.QueryAssessmentResults(q); err != nil {
			return err
		}
		ds, err := tx.AssessmentDispositions(run.ID)
		if err != nil {
			return err
		}
		attach(page.Results, ds)
		return nil
	})
	if err != nil {
		return ResultPage{}, fmt.Errorf("query results of run %s: %w", run.ID, err)
	}
	return page, nil
}

// attach hangs each disposition on its finding.
func attach(results []Result, ds []Disposition) {
	if len(ds) == 0 {
		return
	}
	type key struct {
		item int64
		rule string
	}
	byKey := make(map[key]*Disposition, len(ds))
	for i := range ds {
		byKey[key{ds[i].ItemID, ds[i].RuleID}] = &ds[i]
	}
	for i := range results {
		for j := range results[i].Findings {
			f := &results[i].Findings[j]
			if d := byKey[key{results[i].ItemID, f.RuleID}]; d != nil {
				c := *d
				f.Disposition = &c
			}
		}
	}
}

// RuleInfo is a rule's description as a finding's reader needs it.
type RuleInfo struct {
	ID         string   `json:"id"`
	Version    int      `json:"version"`
	Title      string   `json:"title"`
	Condition  string   `json:"condition"`
	References []string `json:"references,omitempty"`
}

// Detail is one item's result with its inventory item (raw payload
// included), the evidence page it came from (endpoint, time, size, SHA-256)
// and the rules of its findings, for an item detail view.
type Detail struct {
	Result   Result               `json:"result"`
	Item     inventory.StoredItem `json:"item"`
	Evidence []inventory.Page     `json:"evidence"`
	Rules    []RuleInfo           `json:"rules"`
}

// Detail returns one item's result in a run (runID "" for the newest
// completed run).
func (s *Service) Detail(ctx context.Context, runID string, itemID int64) (Detail, error) {
	run, err := s.completedRun(ctx, runID)
	if err != nil {
		return Detail{}, err
	}
	var d Detail
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		if d.Result, err = tx.AssessmentResult(run.ID, itemID); err != nil {
			return err
		}
		ds, err := tx.AssessmentDispositions(run.ID)
		if err != nil {
			return err
		}
		rs := []Result{d.Result}
		attach(rs, ds)
		d.Result = rs[0]
		if d.Item, err = tx.Item(run.SnapshotID, itemID); err != nil {
			return err
		}
		if d.Item.EvidencePage != 0 {
			d.Evidence, err = tx.Pages(run.SnapshotID, []int64{d.Item.EvidencePage}, false)
		}
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("item %d of run %s: %w", itemID, run.ID, err)
	}
	for _, f := range d.Result.Findings {
		if r, ok := s.Catalogue.Rule(f.RuleID); ok {
			d.Rules = append(d.Rules, RuleInfo{ID: r.ID, Version: r.Version, Title: r.Title, Condition: r.Condition, References: r.References})
		} else {
			d.Rules = append(d.Rules, RuleInfo{ID: f.RuleID, Version: f.RuleVersion, Title: "(not in this build's catalogue)"})
		}
	}
	return d, nil
}

// Impacts lists a run's OCM impact rows (runID "" for the newest completed
// run), most severe first.
func (s *Service) Impacts(ctx context.Context, q ImpactQuery) ([]Impact, error) {
	run, err := s.completedRun(ctx, q.RunID)
	if err != nil {
		return nil, err
	}
	q.RunID = run.ID
	if q.ItemLimit == 0 {
		q.ItemLimit = 20
	}
	var out []Impact
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.QueryAssessmentImpacts(q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("OCM impacts of run %s: %w", run.ID, err)
	}
	return out, nil
}

// StageStatus is the assessment stage's state as the workspace summary
// reports it.
type StageStatus struct {
	// Latest is the newest run of each source that has one, by source id;
	// LatestCompleted the newest completed one. An assessing run whose
	// process stopped heartbeating reads failed.
	Latest          map[string]Run
	LatestCompleted map[string]Run
}

// ReadStatus is the assessment stage's read-only status query, run inside
// the caller's transaction.
func ReadStatus(tx StatusTx) (StageStatus, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return StageStatus{}, err
	}
	now := time.Now().UTC()
	st := StageStatus{Latest: map[string]Run{}, LatestCompleted: map[string]Run{}}
	for _, r := range runs { // newest first
		r = shownRun(r, now, 30*time.Second)
		if _, seen := st.Latest[r.SourceID]; !seen {
			st.Latest[r.SourceID] = r
		}
		if _, seen := st.LatestCompleted[r.SourceID]; !seen && r.Status == StatusCompleted {
			st.LatestCompleted[r.SourceID] = r
		}
	}
	return st, nil
}
