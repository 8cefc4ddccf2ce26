package assessment

import (
	"context"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Tx is what the assessment stage reads and writes inside one transaction.
type Tx interface {
	audit.Log
	StatusTx
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	// Snapshot returns inventory.ErrSnapshotNotFound for an unknown id.
	Snapshot(id string) (inventory.Snapshot, error)
	// Snapshots lists every snapshot, newest first.
	Snapshots() ([]inventory.Snapshot, error)
	// ScanItems returns up to limit items of one kind of a snapshot whose
	// source id sorts after afterSourceID, in source id order, with their
	// views and references (raw payloads left out).
	ScanItems(snapshotID string, kind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error)
	// Item and Pages read one item with its raw payload and its evidence.
	Item(snapshotID string, id int64) (inventory.StoredItem, error)
	Pages(snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error)

	// InsertRun returns ErrRunActive when the snapshot already has an
	// assessing run (the store enforces it, so it holds across processes).
	InsertRun(Run) error
	UpdateRun(Run) error
	// Run returns ErrRunNotFound for an unknown id.
	Run(id string) (Run, error)
	// SaveResults stores item results; impacts[i] are the ordinals of the
	// run's impact rows result i raised.
	SaveResults(runID string, results []Result, impacts [][]int) error
	// SaveImpacts stores the run's impact rows (their items were stored
	// with the results).
	SaveImpacts(runID string, impacts []Impact, ordinals []int) error
	// SaveAppLinks records that items (routing rules, policies) are
	// conditioned on the application with source id app.
	SaveAppLinks(runID string, links []AppLink) error
	QueryResults(ResultQuery) (ResultPage, error)
	// Result returns one item's result; ResultBySource finds it by kind and
	// source id. Both return ErrResultNotFound when the run has none.
	Result(runID string, itemID int64) (Result, error)
	ResultBySource(runID string, kind inventory.Kind, sourceID string) (Result, error)
	// ResultsByKey pages a run's results in (kind, source id) order after
	// the given key, for diffs.
	ResultsByKey(runID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]Result, error)
	// ResultHeads returns every result of one kind of a run with its class,
	// deciding rule and app key but no findings (the roll-up reads only
	// those).
	ResultHeads(runID string, kind inventory.Kind) ([]Result, error)
	// ResultsOf returns the results of the given items.
	ResultsOf(runID string, itemIDs []int64) ([]Result, error)
	// AppMembers returns the results linked to applications (SaveAppLinks),
	// each with the application's source id; apps narrows to those
	// applications (nil: every link).
	AppMembers(runID string, apps []string) ([]AppMember, error)
	// AppClassCounts counts a run's results that belong to an application
	// by app key and class.
	AppClassCounts(runID string) (map[string]map[Class]int, error)
	QueryImpacts(ImpactQuery) ([]Impact, error)
	SaveDisposition(Disposition) error
	DeleteDisposition(runID string, itemID int64, ruleID string) error
	// Dispositions lists a run's dispositions, by item id then rule id.
	Dispositions(runID string) ([]Disposition, error)
}

// StatusTx is what ReadStatus reads.
type StatusTx interface {
	// Runs lists every assessment run, newest first.
	Runs() ([]Run, error)
}

// Store is the workspace file as the assessment stage sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// AppLink ties an item to an application it is conditioned on.
type AppLink struct {
	AppSourceID string
	ItemID      int64
}

// AppMember is a result that belongs to an application's roll-up.
type AppMember struct {
	App    string
	Result Result
}
