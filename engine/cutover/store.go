package cutover

import (
	"context"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Tx is what the cutover stage reads and writes inside one transaction.
type Tx interface {
	audit.Log
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	// AssessmentRuns lists every assessment run, newest first;
	// AssessmentRun reads one.
	AssessmentRuns() ([]assessment.Run, error)
	AssessmentRun(id string) (assessment.Run, error)
	// AssessmentResultsByKey pages a run's results in (kind, source id)
	// order.
	AssessmentResultsByKey(runID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]assessment.Result, error)
	// ScanSnapshotItems pages a snapshot's items of one kind in source id
	// order, with their views.
	ScanSnapshotItems(snapshotID string, kind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error)

	// InsertCutoverPlan stores a new plan with its steps.
	InsertCutoverPlan(p Plan, steps []Step) error
	// UpdateCutoverPlan rewrites a plan's row; with steps non-nil it also
	// replaces its steps (a rebuild).
	UpdateCutoverPlan(p Plan, steps []Step) error
	// CutoverPlan returns ErrPlanNotFound for an unknown id.
	CutoverPlan(id string) (Plan, error)
	// CutoverPlans lists every plan, newest first.
	CutoverPlans() ([]Plan, error)
	CutoverSteps(planID string) ([]Step, error)

	// InsertCutoverRun returns ErrRunActive when a run of the workspace is
	// already started (the file enforces it, so it holds across
	// processes).
	InsertCutoverRun(r Run) error
	UpdateCutoverRun(r Run) error
	// CutoverRun returns ErrRunNotFound for an unknown id.
	CutoverRun(id string) (Run, error)
	// CutoverRuns lists the runs of a plan ("" for every plan), newest
	// first.
	CutoverRuns(planID string) ([]Run, error)
	// CutoverJournal returns a run's entries in step order.
	CutoverJournal(runID string) ([]Entry, error)
	// SaveCutoverEntry inserts or replaces one step's entry.
	SaveCutoverEntry(e Entry) error

	SaveCutoverProbes(planID string, results []ProbeResult) error
	// CutoverProbes lists a plan's probe results, newest run first.
	CutoverProbes(planID string) ([]ProbeResult, error)
}

// Store is the workspace file as the cutover stage sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Gate is the preview-handoff gate above the stages (engine/readiness
// computes it; the cutover must not import it).
type Gate interface {
	Handoff(ctx context.Context) (Handoff, error)
}

// Handoff is the gate's state.
type Handoff struct {
	Ready    bool
	Blockers []Blocker
}

// Blocker is one reason the gate is closed.
type Blocker struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Reviews is merge review and OCM as the cutover reads them: the merge
// decisions of an assessment run (engine/merge) and its OCM impacts with
// their acknowledgements (engine/ocm). The workspace store implements it; a
// nil Reviews means the build has neither, which only a first-run adoption
// plan can do without.
type Reviews interface {
	// Decisions returns every merge decision of the run (none in
	// first-run adoption).
	Decisions(ctx context.Context, runID string) ([]merge.Decision, error)
	// Impacts returns the run's OCM impacts with their acknowledgement
	// state, IDs filled.
	Impacts(ctx context.Context, runID string) ([]ocm.Impact, error)
}
