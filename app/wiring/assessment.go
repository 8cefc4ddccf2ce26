package wiring

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/assessment/rules"
	"github.com/portal-id/migration-console/engine/snapdiff"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func newAssessment(w *Workspace, actor string) *assessment.Service {
	db := w.DB
	cat, err := rules.Catalogue()
	if err != nil {
		// The catalogue is code; its test (engine/assessment/rules) fails
		// before a build with an invalid one ships.
		panic(fmt.Sprintf("the rule catalogue is invalid: %v", err))
	}
	return &assessment.Service{
		Store:        workspacedb.AssessmentStore(db),
		Catalogue:    cat,
		Contributors: assessmentContributors(w),
		Actor:        actor,
	}
}

// assessmentContributors lists what adds rows to every assessment run
// before it completes (assessment.Contributor), in order: merge-mode overlap
// detection and OCM acknowledgement carry-over, each in its own file
// (merge.go).
func assessmentContributors(w *Workspace) []assessment.Contributor {
	return []assessment.Contributor{
		overlapDetector(w),
		ocmCarrier(w.DB),
	}
}

// InventoryDiff compares two completed snapshots of one source item by
// item (engine/snapdiff), listing at most limit entries per bucket.
func (w *Workspace) InventoryDiff(ctx context.Context, fromID, toID string, limit int) (snapdiff.Diff, error) {
	return snapdiff.Compare(ctx, workspacedb.SnapDiffStore(w.DB), fromID, toID, limit)
}
