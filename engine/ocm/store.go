package ocm

import (
	"context"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Tx is what the OCM stage reads and writes inside one transaction.
type Tx interface {
	audit.Log
	StatusTx
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	// Runs lists every assessment run, newest first.
	AssessmentRuns() ([]assessment.Run, error)
	// RunImpacts lists a run's impact rows with their acknowledgement and
	// up to itemLimit of the items each touches (-1 for all), in ordinal
	// order (Kind, Owner and ID are left for the caller).
	RunImpacts(runID string, itemLimit int) ([]Impact, error)
	// ImpactItemKeys lists every item one impact row touches, by kind and
	// source id only.
	ImpactItemKeys(runID string, ordinal int) ([]assessment.ItemRef, error)
	// SaveAck rewrites the acknowledgement columns of one impact row.
	SaveAck(im Impact) error
}

// StatusTx is what ReadStatus reads.
type StatusTx interface {
	// AckCounts counts a run's impact rows by acknowledgement status.
	AckCounts(runID string) (map[Status]int, error)
}

// Store is the workspace file as the OCM stage sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}
