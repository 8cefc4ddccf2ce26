package merge

import (
	"context"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Tx is what merge review reads and writes inside one transaction.
type Tx interface {
	audit.Log
	StatusTx
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	// Runs lists every assessment run, newest first.
	AssessmentRuns() ([]assessment.Run, error)
	// ItemViews returns the items with the given ids of a snapshot, with
	// their views and without raw payloads.
	ItemViews(snapshotID string, ids []int64) ([]inventory.StoredItem, error)
	// ItemBySource returns one item of a snapshot by kind and source id,
	// without its raw payload; false when the snapshot has none.
	ItemBySource(snapshotID string, kind inventory.Kind, sourceID string) (inventory.StoredItem, bool, error)

	SaveScan(Scan) error
	SaveLiveNames(runID string, names []LiveName) error
	// LiveName finds a name the run read on the live target, by noun and
	// NameKey.
	LiveName(runID string, noun assessment.Noun, key string) (LiveName, bool, error)
	// InsertDecision stores a new row with its first history entries.
	InsertDecision(d Decision, history []HistoryEntry) error
	// UpdateDecision rewrites a row's resolution and appends h to its
	// history.
	UpdateDecision(d Decision, h HistoryEntry) error
	// Decision returns one row; ErrDecisionNotFound when there is none.
	Decision(id string) (Decision, error)
	// Decisions lists the rows of the given runs that pass the filter, in
	// (status pending first, kind, display name, id) order.
	Decisions(runIDs []string, f Filter) ([]Decision, error)
	History(decisionID string) ([]HistoryEntry, error)
}

// StatusTx is what ReadStatus reads.
type StatusTx interface {
	// Scan returns the overlap scan of a run; false when the run has none
	// (it was assessed before overlap detection existed, or failed first).
	Scan(runID string) (Scan, bool, error)
	// DecisionCounts counts a run's rows by status.
	DecisionCounts(runID string) (map[Status]int, error)
}

// Store is the workspace file as merge review sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Filter selects decision rows; a zero field selects every value.
type Filter struct {
	Status    Status
	Kind      inventory.Kind
	Class     assessment.Class
	MatchType MatchType
}

func (f Filter) validate() error {
	if f.Status != "" && f.Status != StatusPending && f.Status != StatusResolved {
		return invalidf("status %q must be pending or resolved", f.Status)
	}
	if f.Class != "" && !f.Class.Valid() {
		return invalidf("class %q is not one of %v", f.Class, assessment.Classes)
	}
	if f.MatchType != "" {
		if _, err := ParseMatchType(string(f.MatchType)); err != nil {
			return err
		}
	}
	if f.Kind != "" {
		for _, k := range inventory.Kinds {
			if k == f.Kind {
				return nil
			}
		}
		return invalidf("kind %q is not one of %v", f.Kind, inventory.Kinds)
	}
	return nil
}

// Keep reports whether d passes the filter.
func (f Filter) Keep(d Decision) bool {
	if f.Status != "" && d.Status != f.Status {
		return false
	}
	if f.Kind != "" && d.Kind != f.Kind {
		return false
	}
	if f.Class != "" && d.Class != f.Class {
		return false
	}
	if f.MatchType != "" {
		for _, m := range d.MatchTypes {
			if m == f.MatchType {
				return true
			}
		}
		return false
	}
	return true
}
