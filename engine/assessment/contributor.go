package assessment

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Contributor adds its own rows to an assessment run in the run's
// lifecycle. Merge-mode overlap detection is one: it compares the run's
// importable items with the live target and records merge decisions.
//
// Contribute runs after every item result and OCM impact row of the run is
// persisted and before the run is marked completed, so a completed run
// always carries its contributors' rows; an error fails the run, with the
// contributor's name in the reason. A contributor writes through its own
// store, keyed by the run id: the rows of a run that later fails are never
// read as those of a completed run. Contributors are listed where the
// service is assembled (app/wiring/assessment.go): adding one is its own
// file plus one line there.
type Contributor interface {
	// Name says what the contributor adds, for progress and errors
	// ("merge overlap detection").
	Name() string
	Contribute(ctx context.Context, run Run, results ResultReader) error
}

// ResultReader reads a run's persisted results while the run is being
// completed.
type ResultReader interface {
	// Scan returns up to limit results in (kind, source id) order after
	// the given key; pass "" and "" for the first page.
	Scan(ctx context.Context, afterKind inventory.Kind, afterSourceID string, limit int) ([]Result, error)
	// Item returns a result's inventory item, raw payload included.
	Item(ctx context.Context, itemID int64) (inventory.StoredItem, error)
}

type runReader struct {
	s          *Service
	runID      string
	snapshotID string
}

func (r *runReader) Scan(ctx context.Context, afterKind inventory.Kind, afterSourceID string, limit int) ([]Result, error) {
	var out []Result
	err := r.s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.AssessmentResultsByKey(r.runID, afterKind, afterSourceID, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read results of run %s: %w", r.runID, err)
	}
	return out, nil
}

func (r *runReader) Item(ctx context.Context, itemID int64) (inventory.StoredItem, error) {
	var it inventory.StoredItem
	err := r.s.Store.View(ctx, func(tx Tx) error {
		var err error
		it, err = tx.Item(r.snapshotID, itemID)
		return err
	})
	return it, err
}
