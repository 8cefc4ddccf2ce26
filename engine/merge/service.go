package merge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Plans is the cutover stage as merge review needs it: whether a cutover
// plan bound to an assessment run has been applied. Once one has, the
// run's decisions are what the cutover acted on and can no longer change.
// The cutover stage implements it; a nil Plans means the build has no
// cutover stage, so no plan can have been applied.
type Plans interface {
	// AppliedPlan returns the id of a plan bound to runID whose apply
	// started (applied, applied_with_follow_up, or failed part-way: any
	// apply that may have written to the target), and whether there is one.
	AppliedPlan(ctx context.Context, runID string) (planID string, applied bool, err error)
}

// Service reads and resolves the merge decisions of one workspace file.
// Nothing here writes to the target.
type Service struct {
	Store Store
	Plans Plans
	Actor string
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func currentRunIDs(tx Tx) ([]string, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return nil, err
	}
	sources, err := tx.Sources()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range assessment.CurrentRuns(runs, sources) {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// Page is a listing of the current runs' decisions with their tallies.
type Page struct {
	Mode      workspace.Mode `json:"mode"`
	Decisions []Decision     `json:"decisions"`
	// Pending and Resolved count every current row, whatever the filter.
	Pending  int `json:"pending"`
	Resolved int `json:"resolved"`
	// Scans are the current runs' overlap scans.
	Scans []Scan `json:"scans"`
}

// List returns the current runs' decisions that pass f, pending first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if err := f.validate(); err != nil {
		return Page{}, err
	}
	var p Page
	err := s.Store.View(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		p.Mode = ws.Mode
		ids, err := currentRunIDs(tx)
		if err != nil {
			return err
		}
		all, err := tx.Decisions(ids, Filter{})
		if err != nil {
			return err
		}
		p.Decisions = []Decision{}
		for _, d := range all {
			if d.Status == StatusPending {
				p.Pending++
			} else {
				p.Resolved++
			}
			if f.Keep(d) {
				p.Decisions = append(p.Decisions, d)
			}
		}
		for _, id := range ids {
			sc, ok, err := tx.Scan(id)
			if err != nil {
				return err
			}
			if ok {
				p.Scans = append(p.Scans, sc)
			}
		}
		return nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("list merge decisions: %w", err)
	}
	return p, nil
}

// Detail is one decision with its history and its field-by-field diff
// against every matched resource.
type Detail struct {
	Decision Decision `json:"decision"`
	// Current reports whether the row belongs to its source's newest
	// completed run (only those can be resolved).
	Current bool `json:"current"`
	// CreateNewRefused says why create_new under the item's own name is
	// refused ("" when it is allowed).
	CreateNewRefused string       `json:"create_new_refused,omitempty"`
	Diffs            []TargetDiff `json:"diffs"`
}

// Get returns one decision with its history and diffs.
func (s *Service) Get(ctx context.Context, id string) (Detail, error) {
	var out Detail
	err := s.Store.View(ctx, func(tx Tx) error {
		d, err := tx.Decision(id)
		if err != nil {
			return err
		}
		if d.History, err = tx.History(id); err != nil {
			return err
		}
		ids, err := currentRunIDs(tx)
		if err != nil {
			return err
		}
		out.Decision, out.Current = d, slices.Contains(ids, d.RunID)
		out.CreateNewRefused = createNewRefusal(d, "", takenIn(tx, d.RunID))
		out.Diffs, err = diffsOf(tx, d)
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("merge decision %s: %w", id, err)
	}
	return out, nil
}

// ResolveRequest decides one row.
type ResolveRequest struct {
	DecisionID string
	Resolution Resolution
	// TargetID is the matched resource map_to_existing binds to.
	TargetID string
	// NewName is create_new's optional new name.
	NewName string
	Note    string
}

// maxNote bounds a note: it is read in a table cell and an audit viewer.
const maxNote = 2000

func (q ResolveRequest) validate() error {
	if strings.TrimSpace(q.DecisionID) == "" {
		return invalidf("name the decision (its id, from merge list)")
	}
	return checkResolution(q.Resolution, q.TargetID, q.NewName, q.Note)
}

func checkResolution(r Resolution, targetID, newName, note string) error {
	if _, err := ParseResolution(string(r)); err != nil {
		return err
	}
	switch {
	case r == MapToExisting && strings.TrimSpace(targetID) == "":
		return invalidf("map_to_existing needs the id of one of the decision's matched resources")
	case r != MapToExisting && targetID != "":
		return invalidf("only map_to_existing names a target; %s does not", r)
	case r != CreateNew && newName != "":
		return invalidf("only create_new takes a new name; %s does not", r)
	case utf8.RuneCountInString(note) > maxNote:
		return invalidf("the note is longer than %d characters", maxNote)
	case newName != "" && (strings.TrimSpace(newName) == "" || utf8.RuneCountInString(newName) > 200):
		return invalidf("a new name must be 1-200 characters of text")
	}
	return nil
}

// Resolve records a person's decision on one row of a current run: who,
// when, a note, kept in the row's history, and audited as
// migration.merge_decision.resolved. A resolved row may be decided again
// until a cutover plan of its run is applied.
func (s *Service) Resolve(ctx context.Context, q ResolveRequest) (Decision, error) {
	if err := q.validate(); err != nil {
		return Decision{}, err
	}
	var out Decision
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Decision(q.DecisionID)
		return err
	})
	if err != nil {
		return Decision{}, fmt.Errorf("resolve merge decision %s: %w", q.DecisionID, err)
	}
	if err := s.checkPlan(ctx, out.RunID); err != nil {
		return Decision{}, fmt.Errorf("resolve merge decision %s: %w", q.DecisionID, err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		out, err = s.resolve(tx, q, false)
		return err
	})
	if err != nil {
		return Decision{}, fmt.Errorf("resolve merge decision %s: %w", q.DecisionID, err)
	}
	return out, nil
}

func (s *Service) checkPlan(ctx context.Context, runID string) error {
	if s.Plans == nil {
		return nil
	}
	planID, applied, err := s.Plans.AppliedPlan(ctx, runID)
	if err != nil {
		return fmt.Errorf("check the cutover plans of assessment %s: %w", runID, err)
	}
	if applied {
		return fmt.Errorf("%w: plan %s of assessment %s was applied, so its merge decisions are final; run a new assessment to decide again", ErrPlanApplied, planID, runID)
	}
	return nil
}

// resolve checks and writes one resolution inside tx.
func (s *Service) resolve(tx Tx, q ResolveRequest, bulk bool) (Decision, error) {
	ws, err := tx.Workspace()
	if err != nil {
		return Decision{}, err
	}
	if ws.Mode != workspace.ModeMergeIntoExisting {
		return Decision{}, ErrNotMergeMode
	}
	d, err := tx.Decision(q.DecisionID)
	if err != nil {
		return Decision{}, err
	}
	ids, err := currentRunIDs(tx)
	if err != nil {
		return Decision{}, err
	}
	if !slices.Contains(ids, d.RunID) {
		return Decision{}, fmt.Errorf("%w: decision %s is from assessment %s, which is not its source's newest completed run; decide the newest run's row instead", ErrNotCurrent, d.ID, d.RunID)
	}
	if reason := refusal(d, q, takenIn(tx, d.RunID)); reason != nil {
		return Decision{}, reason
	}
	prev := d.Resolution
	now := s.now()
	d.Status, d.Resolution, d.TargetID, d.NewName = StatusResolved, q.Resolution, q.TargetID, strings.TrimSpace(q.NewName)
	d.Note, d.ResolvedBy, d.ResolvedAt, d.CarriedFrom = strings.TrimSpace(q.Note), s.Actor, &now, ""
	hist, err := tx.History(d.ID)
	if err != nil {
		return Decision{}, err
	}
	h := HistoryEntry{Seq: len(hist) + 1, Resolution: d.Resolution, TargetID: d.TargetID, NewName: d.NewName, Note: d.Note, Actor: s.Actor, At: now}
	if err := tx.UpdateDecision(d, h); err != nil {
		return Decision{}, err
	}
	facts := map[string]string{
		"run_id": d.RunID, "source_id": d.SourceID, "kind": string(d.Kind), "item_source_id": d.ItemSourceID,
		"display_name": d.DisplayName, "class": string(d.Class), "match_types": joinTypes(d.MatchTypes),
		"resolution": string(d.Resolution), "previous_resolution": string(prev),
	}
	if d.TargetID != "" {
		m, _ := d.Matches(d.TargetID)
		facts["target_id"], facts["target_name"], facts["target_etag"] = m.TargetID, m.Name, m.ETag
	}
	if d.NewName != "" {
		facts["new_name"] = d.NewName
	}
	if bulk {
		facts["bulk"] = "true"
	}
	_, err = audit.Record(tx, audit.Entry{At: now, Event: audit.MergeDecisionResolved, Tenant: ws.Tenant, Actor: s.Actor, TargetID: d.ID, Facts: facts})
	return d, err
}

func joinTypes(ts []MatchType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// refusal says why q cannot be recorded on d, or nil.
func refusal(d Decision, q ResolveRequest, taken func(assessment.Noun, string) (string, bool)) error {
	switch q.Resolution {
	case MapToExisting:
		if _, ok := d.Matches(q.TargetID); !ok {
			ids := make([]string, len(d.Matched))
			for i, m := range d.Matched {
				ids[i] = m.TargetID
			}
			return invalidf("%s is not one of decision %s's matched resources (%s): map_to_existing binds only to a live object the overlap was detected with",
				q.TargetID, d.ID, strings.Join(ids, ", "))
		}
	case CreateNew:
		if reason := createNewRefusal(d, q.NewName, taken); reason != "" {
			return fmt.Errorf("%w: %s", ErrStillCollides, reason)
		}
	}
	return nil
}

// createNewRefusal says why creating a new object for d under newName (or
// its own name) still collides with the live state the run read, or "".
func createNewRefusal(d Decision, newName string, taken func(assessment.Noun, string) (string, bool)) string {
	noun := strings.ReplaceAll(string(d.Noun), "_", " ")
	switch d.Noun {
	case assessment.NounRoutingRule:
		return "the Portal routes a domain by one rule only, and the live target already routes this one: map it to the live rule or skip it"
	case assessment.NounAppAssignment:
		return "the live target already assigns this application to this group: map it to the live assignment or skip it"
	}
	name := strings.TrimSpace(newName)
	if name == "" {
		name = d.DisplayName
	}
	if t, ok := taken(d.Noun, name); ok {
		if newName == "" {
			return fmt.Sprintf("the live target already has a %s named %q (as read when the assessment ran): give a new name", noun, t)
		}
		return fmt.Sprintf("the live target already has a %s named %q (as read when the assessment ran), the same name as %q to a person: choose another", noun, t, name)
	}
	return ""
}

// takenIn looks names up in the live state run read.
func takenIn(tx Tx, runID string) func(assessment.Noun, string) (string, bool) {
	return func(noun assessment.Noun, name string) (string, bool) {
		n, ok, err := tx.LiveName(runID, noun, NameKey(name))
		if err != nil {
			// Unreadable live state must not let a colliding name through.
			return "(the live names recorded for this run could not be read: " + err.Error() + ")", true
		}
		return n.Name, ok
	}
}

// BulkRequest resolves every current row that passes Filter the same way.
// map_to_existing binds each row to its only matched resource; rows with
// several are left for a person. Rows whose resolution would be refused
// are left as they are and listed with the reason.
type BulkRequest struct {
	Filter     Filter
	Resolution Resolution
	Note       string
	// DryRun lists what would change without writing anything.
	DryRun bool
}

// BulkChange is one row of a bulk resolve.
type BulkChange struct {
	Decision Decision `json:"decision"`
	// Outcome is "resolved" (or "would_resolve" in a dry run), "unchanged"
	// (already resolved that way) or "refused".
	Outcome  string `json:"outcome"`
	TargetID string `json:"target_id,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// BulkResult lists every row the filter selected.
type BulkResult struct {
	DryRun  bool         `json:"dry_run"`
	Changes []BulkChange `json:"changes"`
	// Resolved is how many rows changed (or would change).
	Resolved int `json:"resolved"`
	Refused  int `json:"refused"`
}

// ResolveAll resolves every current row that passes the filter, in one
// transaction, each audited on its own; with DryRun it only reports.
func (s *Service) ResolveAll(ctx context.Context, q BulkRequest) (BulkResult, error) {
	if err := q.Filter.validate(); err != nil {
		return BulkResult{}, err
	}
	if _, err := ParseResolution(string(q.Resolution)); err != nil {
		return BulkResult{}, err
	}
	if utf8.RuneCountInString(q.Note) > maxNote {
		return BulkResult{}, invalidf("the note is longer than %d characters", maxNote)
	}
	var ids []string
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ids, err = currentRunIDs(tx)
		return err
	}); err != nil {
		return BulkResult{}, err
	}
	for _, id := range ids {
		if err := s.checkPlan(ctx, id); err != nil {
			return BulkResult{}, err
		}
	}
	res := BulkResult{DryRun: q.DryRun, Changes: []BulkChange{}}
	run := s.Store.Update
	if q.DryRun {
		run = s.Store.View
	}
	err := run(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		if ws.Mode != workspace.ModeMergeIntoExisting {
			return ErrNotMergeMode
		}
		rows, err := tx.Decisions(ids, q.Filter)
		if err != nil {
			return err
		}
		for _, d := range rows {
			c := BulkChange{Decision: d}
			req := ResolveRequest{DecisionID: d.ID, Resolution: q.Resolution, Note: q.Note}
			if q.Resolution == MapToExisting {
				if len(d.Matched) != 1 {
					c.Outcome, c.Reason = "refused", fmt.Sprintf("it matched %d live objects: choose one with --decision %s --map-to ID", len(d.Matched), d.ID)
					res.Changes, res.Refused = append(res.Changes, c), res.Refused+1
					continue
				}
				req.TargetID = d.Matched[0].TargetID
				c.TargetID = req.TargetID
			}
			if d.Status == StatusResolved && d.Resolution == req.Resolution && d.TargetID == req.TargetID && d.NewName == "" {
				c.Outcome = "unchanged"
				res.Changes = append(res.Changes, c)
				continue
			}
			if reason := refusal(d, req, takenIn(tx, d.RunID)); reason != nil {
				c.Outcome, c.Reason = "refused", reason.Error()
				res.Changes, res.Refused = append(res.Changes, c), res.Refused+1
				continue
			}
			c.Outcome = "would_resolve"
			if !q.DryRun {
				if c.Decision, err = s.resolve(tx, req, true); err != nil {
					return err
				}
				c.Outcome = "resolved"
			}
			res.Changes, res.Resolved = append(res.Changes, c), res.Resolved+1
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, fmt.Errorf("resolve merge decisions in bulk: %w", err)
	}
	return res, nil
}
