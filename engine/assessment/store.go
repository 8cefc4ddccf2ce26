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
	// ScanSnapshotItems returns up to limit items of one kind of a snapshot whose
	// source id sorts after afterSourceID, in source id order, with their
	// views and references (raw payloads left out).
	ScanSnapshotItems(snapshotID string, kind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error)
	// Item and Pages read one item with its raw payload and its evidence.
	Item(snapshotID string, id int64) (inventory.StoredItem, error)
	Pages(snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error)

	// InsertAssessmentRun returns ErrRunActive when the snapshot already has an
	// assessing run (the store enforces it, so it holds across processes).
	InsertAssessmentRun(Run) error
	UpdateAssessmentRun(Run) error
	// AssessmentRun returns ErrRunNotFound for an unknown id.
	AssessmentRun(id string) (Run, error)
	// SaveAssessmentResults stores item results; impacts[i] are the ordinals of the
	// run's impact rows result i raised.
	SaveAssessmentResults(runID string, results []Result, impacts [][]int) error
	// SaveAssessmentImpacts stores the run's impact rows (their items were stored
	// with the results).
	SaveAssessmentImpacts(runID string, impacts []Impact, ordinals []int) error
	// SaveAssessmentAppLinks records that items (routing rules, policies) are
	// conditioned on the application with source id app.
	SaveAssessmentAppLinks(runID string, links []AppLink) error
	QueryAssessmentResults(ResultQuery) (ResultPage, error)
	// AssessmentResult returns one item's result; AssessmentResultBySource finds it by kind and
	// source id. Both return ErrResultNotFound when the run has none.
	AssessmentResult(runID string, itemID int64) (Result, error)
	AssessmentResultBySource(runID string, kind inventory.Kind, sourceID string) (Result, error)
	// AssessmentResultsByKey pages a run's results in (kind, source id) order after
	// the given key, for diffs.
	AssessmentResultsByKey(runID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]Result, error)
	// AssessmentResultHeads returns every result of one kind of a run with its class,
	// deciding rule and app key but no findings (the roll-up reads only
	// those).
	AssessmentResultHeads(runID string, kind inventory.Kind) ([]Result, error)
	// AssessmentResultsOf returns the results of the given items.
	AssessmentResultsOf(runID string, itemIDs []int64) ([]Result, error)
	// AssessmentAppMembers returns the results linked to applications (SaveAssessmentAppLinks),
	// each with the application's source id; apps narrows to those
	// applications (nil: every link).
	AssessmentAppMembers(runID string, apps []string) ([]AppMember, error)
	// AssessmentAppClassCounts counts a run's results that belong to an application
	// by app key and class.
	AssessmentAppClassCounts(runID string) (map[string]map[Class]int, error)
	QueryAssessmentImpacts(ImpactQuery) ([]Impact, error)
	SaveAssessmentDisposition(Disposition) error
	DeleteAssessmentDisposition(runID string, itemID int64, ruleID string) error
	// AssessmentDispositions lists a run's dispositions, by item id then rule id.
	AssessmentDispositions(runID string) ([]Disposition, error)
}

// StatusTx is what ReadStatus reads.
type StatusTx interface {
	// AssessmentRuns lists every assessment run, newest first.
	AssessmentRuns() ([]Run, error)
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
