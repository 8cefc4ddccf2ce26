package cutover

import (
	"errors"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Step is one step of a plan (see package steps).
type Step = steps.Step

// PlanStatus is a cutover plan's lifecycle state
// (docs/migration-contract.md, "Cutover").
type PlanStatus string

const (
	// StatusDraft: created or rebuilt, not previewed (or its preview was
	// invalidated).
	StatusDraft PlanStatus = "draft"
	// StatusPreviewed: a preview read the live target and minted the
	// current preview token.
	StatusPreviewed PlanStatus = "previewed"
	// StatusApplied: every planned step applied.
	StatusApplied PlanStatus = "applied"
	// StatusAppliedWithFollowUp: every planned step applied, and the plan
	// also holds blocked, skipped or manual-follow-up steps.
	StatusAppliedWithFollowUp PlanStatus = "applied_with_follow_up"
	// StatusFailed: a planned step failed during execution.
	StatusFailed PlanStatus = "failed"
)

// Plan is a cutover plan: bound to one source, its snapshot and one
// completed assessment run, with the merge decisions and acknowledgements
// it was built from. Its steps are stored apart (Service.Steps).
type Plan struct {
	ID              string               `json:"id"`
	SourceID        string               `json:"source_id"`
	SourceName      string               `json:"source_name"`
	SourceKind      workspace.SourceKind `json:"source_kind"`
	SnapshotID      string               `json:"snapshot_id"`
	AssessmentRunID string               `json:"assessment_run_id"`
	Mode            workspace.Mode       `json:"mode"`
	Status          PlanStatus           `json:"status"`
	CreatedAt       time.Time            `json:"created_at"`
	CreatedBy       string               `json:"created_by"`
	UpdatedAt       time.Time            `json:"updated_at"`
	// Rebuilds counts how often the plan was rebuilt since it was created.
	Rebuilds int `json:"rebuilds"`
	// Counts are steps by disposition; KindCounts by kind, then
	// disposition; Binds counts planned binds among Counts[planned].
	Counts     map[steps.Disposition]int                `json:"counts"`
	KindCounts map[steps.Kind]map[steps.Disposition]int `json:"kind_counts"`
	Binds      int                                      `json:"binds"`
	StepCount  int                                      `json:"step_count"`
	// Unplanned counts the run's items that need no step: visibility-only
	// items, and items whose target contract creates nothing.
	Unplanned int `json:"unplanned_items"`
	// StepsDigest identifies the steps exactly; a preview token is bound
	// to it.
	StepsDigest string `json:"steps_digest"`
	// Review is the merge decisions and OCM acknowledgements the plan was
	// built from, each at its version then.
	Review Review `json:"review"`
	// Preview is the current preview, nil while the plan is draft.
	Preview *Preview `json:"preview,omitempty"`
}

// Review is the merge review and OCM state a plan rests on.
type Review struct {
	// Digest changes whenever a decision or acknowledgement changes.
	Digest           string            `json:"digest"`
	Decisions        []DecisionVersion `json:"decisions"`
	Acknowledgements []AckVersion      `json:"acknowledgements"`
}

// DecisionVersion is a merge decision as a plan was bound to it.
type DecisionVersion struct {
	ID           string `json:"id"`
	ItemSourceID string `json:"item_source_id"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Resolution   string `json:"resolution,omitempty"`
	TargetID     string `json:"target_id,omitempty"`
	NewName      string `json:"new_name,omitempty"`
	// By and At are who resolved it and when.
	By      string     `json:"by,omitempty"`
	At      *time.Time `json:"at,omitempty"`
	Version string     `json:"version"`
}

// AckVersion is an OCM impact's acknowledgement as a plan was bound to it.
type AckVersion struct {
	ImpactID string     `json:"impact_id"`
	Status   string     `json:"status"`
	By       string     `json:"by,omitempty"`
	At       *time.Time `json:"at,omitempty"`
	Version  string     `json:"version"`
}

// Preview is what a preview read and promised: apply proceeds only with
// its token, before ExpiresAt, while the target still passes Checks and
// the review is unchanged.
type Preview struct {
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	ExpiresAt time.Time `json:"expires_at"`
	// TokenHash is the SHA-256 of the token; the token itself is shown
	// once and never stored.
	TokenHash string `json:"-"`
	// Fingerprint is a digest of the target state Checks read.
	Fingerprint  string  `json:"fingerprint"`
	StepsDigest  string  `json:"steps_digest"`
	ReviewDigest string  `json:"review_digest"`
	Checks       []Check `json:"checks"`
}

// Check is one fact about the live target a preview relied on.
type Check struct {
	Step int `json:"step"`
	// Bound: the mapped object TargetID is at ETag. Free: no live object
	// holds Keys.
	What     string   `json:"what"`
	TargetID string   `json:"target_id,omitempty"`
	ETag     string   `json:"etag,omitempty"`
	Keys     []string `json:"keys,omitempty"`
}

// Check kinds.
const (
	CheckBound = "bound"
	CheckFree  = "free"
)

// Drift is one way the live target differs from what the plan assumed.
type Drift struct {
	Step  int    `json:"step"`
	Label string `json:"label"`
	// Kind is gone (a mapped object was deleted), changed (its ETag
	// moved), or collision (a live object now holds a key the create
	// needs).
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Drift kinds.
const (
	DriftGone      = "gone"
	DriftChanged   = "changed"
	DriftCollision = "collision"
)

func (d Drift) String() string { return fmt.Sprintf("step %d (%s): %s", d.Step, d.Label, d.Detail) }

// RunKind says what an execution run does.
type RunKind string

const (
	RunApply    RunKind = "apply"
	RunRollback RunKind = "rollback"
)

// RunStatus is an execution run's lifecycle state.
type RunStatus string

const (
	RunStarted               RunStatus = "started"
	RunCompleted             RunStatus = "completed"
	RunCompletedWithFollowUp RunStatus = "completed_with_follow_up"
	RunFailed                RunStatus = "failed"
)

// Run is one execution of a plan (apply) or of its undo (rollback). One
// run per workspace may be started at a time, across processes.
type Run struct {
	ID          string     `json:"id"`
	PlanID      string     `json:"plan_id"`
	Kind        RunKind    `json:"kind"`
	Status      RunStatus  `json:"status"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	// Owner is the process running it ("host/pid N"); "" once it let go
	// (cancelled) or finished.
	Owner string `json:"owner"`
	// Interrupted is derived, never stored: the run is started but its
	// process is gone (killed, crashed, cancelled); resume continues it.
	Interrupted bool   `json:"interrupted"`
	Resumes     int    `json:"resumes"`
	Error       string `json:"error,omitempty"`
	// Counts are journal entries by state.
	Counts map[StepState]int `json:"counts"`
	// Forced are the object ids a rollback was told to delete although
	// they changed since apply.
	Forced []string `json:"forced,omitempty"`
}

// StepState is a journal entry's state: the contract's step lifecycle
// during execution, intent while a request may be in flight, and a
// rollback's outcomes.
type StepState string

const (
	// StateIntent: journaled before the request; with no result after
	// it, the step is in doubt until resume reconciles it.
	StateIntent         StepState = "intent"
	StateApplied        StepState = "applied"
	StateFailed         StepState = "failed"
	StateBlocked        StepState = "blocked"
	StateSkipped        StepState = "skipped"
	StateManualFollowUp StepState = "manual_follow_up"
	// Rollback outcomes: the object was deleted, was already gone, or was
	// refused because it changed since apply.
	StateDeleted StepState = "deleted"
	StateGone    StepState = "gone"
	StateRefused StepState = "refused"
)

// Entry is the journal of one step in one run.
type Entry struct {
	RunID    string     `json:"run_id"`
	Step     int        `json:"step"`
	State    StepState  `json:"state"`
	IntentAt *time.Time `json:"intent_at,omitempty"`
	ResultAt *time.Time `json:"result_at,omitempty"`
	TargetID string     `json:"target_id,omitempty"`
	ETag     string     `json:"etag,omitempty"`
	// How says how the result was reached: created, replayed (the Portal
	// answered from its idempotency store), adopted (found by natural
	// key), bound, deleted.
	How      string `json:"how,omitempty"`
	Attempts int    `json:"attempts"`
	Reason   string `json:"reason,omitempty"`
	// Runtime marks a step blocked during execution because a step it
	// depends on did not apply; resume tries it again.
	Runtime bool `json:"runtime,omitempty"`
	// SecretIssued: the Portal returned a client secret for the object;
	// SecretDeliveredAt is when it was handed to the operator. The secret
	// itself is never stored.
	SecretIssued      bool       `json:"secret_issued,omitempty"`
	SecretDeliveredAt *time.Time `json:"secret_delivered_at,omitempty"`
	SecretRotations   int        `json:"secret_rotations,omitempty"`
}

// Hows.
const (
	HowCreated  = "created"
	HowReplayed = "replayed"
	HowAdopted  = "adopted"
	HowBound    = "bound"
	HowDeleted  = "deleted"
)

// Errors callers can tell apart.
var (
	ErrInvalid      = workspace.ErrInvalid
	ErrPlanNotFound = errors.New("no such cutover plan")
	ErrRunNotFound  = errors.New("no such cutover run")
	// ErrGateClosed: the preview handoff is not ready_for_future_preview.
	ErrGateClosed = errors.New("the preview-handoff gate is closed")
	// ErrPlanExists: the assessment run already has a plan.
	ErrPlanExists = errors.New("a cutover plan of this assessment already exists")
	// ErrPlanState: the plan is not in a state that allows the operation.
	ErrPlanState = errors.New("the cutover plan is not in a state that allows this")
	// ErrOutdated: a newer assessment of the plan's source exists.
	ErrOutdated = errors.New("the plan's assessment is no longer its source's newest")
	// ErrReviewChanged: a merge decision or acknowledgement changed since
	// the plan was built or previewed.
	ErrReviewChanged = errors.New("merge decisions or acknowledgements changed")
	// ErrDrift: the live target no longer matches what the plan assumed.
	ErrDrift = errors.New("the live target drifted from what the plan assumed")
	// ErrToken: the preview token is missing, wrong or expired.
	ErrToken = errors.New("the preview token is not the current one")
	// ErrRunActive: another process is executing a run in this workspace.
	ErrRunActive = errors.New("another cutover run is in progress in this workspace")
	// ErrNothingToResume: no interrupted or failed apply to resume.
	ErrNothingToResume = errors.New("nothing to resume")
	// ErrChangedObjects: rollback refuses objects changed since apply.
	ErrChangedObjects = errors.New("objects changed since apply")
	// ErrNoReview: a merge-mode plan needs merge review, which this build
	// does not provide.
	ErrNoReview = errors.New("merge review is not available")
)

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
