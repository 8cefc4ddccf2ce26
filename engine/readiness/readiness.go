// Package readiness computes the workspace summary and the preview-handoff
// gate from every stage's own records. It sits above the stages: it imports
// them, none imports it, so it can report on all of them without any stage
// storing a copy of what it derives (docs/architecture.md, "Readiness").
//
// Each stage contributes through a read-only status query in its own
// package, read inside the summary's one transaction; parts.go lists them
// in flow order.
package readiness

import (
	"context"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Summary is the workspace summary: the workspace's identity and every
// summary field of the migration contract (docs/migration-contract.md).
// The fields of a stage that has not run read not_started (not_applicable
// for merge review in first-run adoption) and count zero.
type Summary struct {
	WorkspaceID string           `json:"workspace_id"`
	Tenant      string           `json:"tenant"`
	Mode        workspace.Mode   `json:"mode"`
	Status      workspace.Status `json:"status"`
	TargetURL   string           `json:"target_url"`
	CreatedAt   time.Time        `json:"created_at"`
	// LastInventoryAt is when the newest completed snapshot of a configured
	// source finished.
	LastInventoryAt *time.Time `json:"last_inventory_at"`

	SourceCount                 int        `json:"source_count"`
	ConfiguredSourceCount       int        `json:"configured_source_count"`
	OCMStatus                   string     `json:"ocm_status"`
	OCMReviewStatus             string     `json:"ocm_review_status"`
	UnavoidableChangeCount      int        `json:"unavoidable_change_count"`
	AssessmentStatus            string     `json:"assessment_status"`
	LatestAssessmentStartedAt   *time.Time `json:"latest_assessment_started_at"`
	LatestAssessmentCompletedAt *time.Time `json:"latest_assessment_completed_at"`
	MergeReviewStatus           string     `json:"merge_review_status"`
	PendingMergeDecisionCount   int        `json:"pending_merge_decision_count"`
	ResolvedMergeDecisionCount  int        `json:"resolved_merge_decision_count"`
	PreviewHandoffStatus        string     `json:"preview_handoff_status"`
	PreviewHandoffBlockers      []Blocker  `json:"preview_handoff_blockers"`
}

// Blocker is one reason the preview-handoff gate is closed, with a stable
// code for scripts and a sentence for people.
type Blocker struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Count is how many things the blocker is about (pending decisions,
	// unacknowledged impacts, live objects), when it counts something.
	Count int `json:"count,omitempty"`
}

// Handoff gate states.
const (
	HandoffBlocked = "blocked"
	HandoffReady   = "ready_for_future_preview"
)

// Stage states a summary field reads before its stage has run.
const (
	StageNotStarted    = "not_started"
	StageNotApplicable = "not_applicable"
)

// Blocker codes, in the order the gate reports them.
const (
	BlockerWorkspaceArchived     = "workspace_archived"
	BlockerNoConfiguredSource    = "no_configured_source"
	BlockerNoCompletedInventory  = "no_completed_inventory"
	BlockerNoCompletedAssessment = "no_completed_assessment"
	// BlockerLatestAssessmentNotCompleted: a configured source's newest
	// assessment run failed or is still assessing.
	BlockerLatestAssessmentNotCompleted = "latest_assessment_not_completed"
	// BlockerAssessmentOutdated: a configured source has a completed
	// snapshot newer than the one its assessment judged.
	BlockerAssessmentOutdated = "assessment_outdated"
	// OCM and merge review (docs/merge-review.md).
	BlockerOCMUnacknowledged  = "ocm_impacts_unacknowledged"
	BlockerOCMNeedsReview     = "ocm_impacts_need_review"
	BlockerLiveTargetNotRead  = "live_target_not_read"
	BlockerMergePending       = "merge_decisions_pending"
	BlockerLiveTargetNotEmpty = "live_target_not_empty"
)

// Tx is one read-only transaction on the workspace file: the workspace, its
// sources and the status query of every stage in parts, so the summary is
// one consistent moment of the file. A stage's reader is embedded here when
// its part is listed.
type Tx interface {
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	inventory.StatusTx
	assessment.StatusTx
	ocm.StatusTx
	merge.StatusTx
}

// Store is the workspace file as readiness sees it.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// Service computes the summary of one workspace file.
type Service struct {
	Store Store
}

// Summary computes the workspace summary and the preview-handoff gate.
func (s *Service) Summary(ctx context.Context) (Summary, error) {
	var sum Summary
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		sum, err = Compute(tx)
		return err
	})
	if err != nil {
		return Summary{}, fmt.Errorf("workspace summary: %w", err)
	}
	return sum, nil
}

// Compute reads the workspace and every listed stage through tx and derives
// the summary. The gate is ready_for_future_preview only when no part
// reported a blocker.
func Compute(tx Tx) (Summary, error) {
	ws, err := tx.Workspace()
	if err != nil {
		return Summary{}, err
	}
	sources, err := tx.Sources()
	if err != nil {
		return Summary{}, err
	}
	in := &input{ws: ws, sources: sources, configured: map[string]bool{}, sum: Summary{
		WorkspaceID: ws.ID, Tenant: ws.Tenant, Mode: ws.Mode, Status: ws.Status,
		TargetURL: ws.Target.URL, CreatedAt: ws.CreatedAt,
		OCMStatus:              StageNotStarted,
		OCMReviewStatus:        StageNotStarted,
		AssessmentStatus:       StageNotStarted,
		MergeReviewStatus:      StageNotStarted,
		PreviewHandoffBlockers: []Blocker{},
	}}
	if ws.Mode == workspace.ModeFirstRunAdoption {
		in.sum.MergeReviewStatus = StageNotApplicable
	}
	for _, src := range sources {
		if src.Status == workspace.SourceConfigured {
			in.configured[src.ID] = true
		}
	}
	for _, p := range parts {
		if err := p.read(tx, in); err != nil {
			return Summary{}, fmt.Errorf("read the %s stage: %w", p.stage, err)
		}
	}
	in.sum.PreviewHandoffStatus = HandoffReady
	if len(in.sum.PreviewHandoffBlockers) > 0 {
		in.sum.PreviewHandoffStatus = HandoffBlocked
	}
	return in.sum, nil
}

// input is what the parts share while the summary is computed: what was
// read before them, and the summary they fill.
type input struct {
	ws      workspace.Workspace
	sources []workspace.Source
	// configured holds the ids of configured (not archived) sources: only
	// they count towards readiness.
	configured map[string]bool
	sum        Summary
}

func (in *input) block(code, message string) {
	in.sum.PreviewHandoffBlockers = append(in.sum.PreviewHandoffBlockers, Blocker{Code: code, Message: message})
}

// blockN adds a blocker about count things.
func (in *input) blockN(code string, count int, message string) {
	in.sum.PreviewHandoffBlockers = append(in.sum.PreviewHandoffBlockers, Blocker{Code: code, Message: message, Count: count})
}
