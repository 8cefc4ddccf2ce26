// Package evidence is the post-cutover evidence stage (docs/evidence.md,
// "Post-cutover evidence"; docs/migration-contract.md, "Cutover and
// evidence"): the rollback guidance and completion evidence an operator
// records on a cutover plan, each change audited as
// migration.cutover_evidence.updated, and the handoff criteria, which are
// derived on every read from the plan, its execution record and those two
// forms, and never stored.
//
// The cutover stage owns plans, apply runs and probes. This package reads
// them only through Plans, declared here, so it builds and tests without
// the cutover stage; with no Plans (a console without the cutover stage)
// it says so rather than inventing a plan.
package evidence

import (
	"context"
	"errors"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Plans is what the evidence stage reads from the cutover stage. The
// cutover stage implements it over its own records.
type Plans interface {
	// EvidencePlan returns one plan's facts; ErrPlanNotFound (wrapped)
	// for an id the workspace does not hold.
	EvidencePlan(ctx context.Context, planID string) (PlanFacts, error)
	// EvidencePlans lists every plan's facts, newest first.
	EvidencePlans(ctx context.Context) ([]PlanFacts, error)
}

// PlanFacts is what the evidence stage needs to know about one cutover
// plan. Every field is the cutover stage's record, read back as it is.
type PlanFacts struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"` // the plan's state: draft, previewed, applied, ...
	CreatedAt time.Time `json:"created_at"`
	// Execution is the latest apply run, nil when apply was never run.
	Execution *Execution `json:"execution"`
	// Blocked and ManualFollowUp are the plan's steps in those
	// dispositions, by name, as the latest execution (or, before one, the
	// plan) records them. They stay listed whatever the operator records.
	Blocked        []Step `json:"blocked"`
	ManualFollowUp []Step `json:"manual_follow_up"`
	// Probes are the machine-collected checks of the target after apply.
	Probes []Probe `json:"probes"`
}

// Execution is one apply run of a plan.
type Execution struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"` // started, completed, completed_with_follow_up, failed
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Step names one plan step and why it is in its disposition.
type Step struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Probe is one machine-collected check of the target.
type Probe struct {
	Name    string    `json:"name"`
	Outcome string    `json:"outcome"` // as the cutover stage names it: passed, failed, ...
	Detail  string    `json:"detail"`
	At      time.Time `json:"at"`
}

// Rollback is the operator's rollback guidance for a plan.
type Rollback struct {
	Summary string   `json:"summary"`
	Owner   string   `json:"owner"`
	Steps   []string `json:"steps"`
}

// Completion is the operator's completion evidence for a plan.
type Completion struct {
	CommunicationsComplete  bool   `json:"communications_complete"`
	CommunicationsSummary   string `json:"communications_summary"`
	ArtifactReference       string `json:"artifact_reference"`
	ManualValidationSummary string `json:"manual_validation_summary"`
	FollowUpReviewed        bool   `json:"follow_up_reviewed"`
	FollowUpSummary         string `json:"follow_up_summary"`
}

// Record is what is stored for one plan: the two forms, and who last
// saved each and when (nil before the first save).
type Record struct {
	PlanID              string     `json:"plan_id"`
	Rollback            Rollback   `json:"rollback"`
	RollbackUpdatedAt   *time.Time `json:"rollback_updated_at"`
	RollbackUpdatedBy   string     `json:"rollback_updated_by"`
	Completion          Completion `json:"completion"`
	CompletionUpdatedAt *time.Time `json:"completion_updated_at"`
	CompletionUpdatedBy string     `json:"completion_updated_by"`
}

// Tx is what the stage reads and writes in the workspace file inside one
// transaction.
type Tx interface {
	audit.Log
	Workspace() (workspace.Workspace, error)
	// EvidenceRecord returns the plan's record; a plan with none yet
	// returns the zero Record with PlanID set.
	EvidenceRecord(planID string) (Record, error)
	// SaveEvidenceRecord inserts or replaces the plan's record.
	SaveEvidenceRecord(Record) error
}

// Store is the workspace file as the stage sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Errors callers can tell apart.
var (
	// ErrNoCutoverStage: the console has no cutover stage to read plans
	// from, so there is no plan to record evidence on.
	ErrNoCutoverStage = errors.New("the cutover stage is not available in this console, so there is no cutover plan to record evidence on")
	// ErrPlanNotFound: the workspace holds no plan of that id.
	ErrPlanNotFound = errors.New("no such cutover plan")
	// ErrInvalid is bad input (the workspace stage's, so entry points map
	// it to bad usage).
	ErrInvalid = workspace.ErrInvalid
)
