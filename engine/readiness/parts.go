package readiness

import (
	"fmt"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// part is one stage's contribution to the summary: it reads the stage's own
// records through the stage's status query and fills the stage's summary
// fields and gate blockers.
type part struct {
	stage string
	read  func(tx Tx, in *input) error
}

// parts lists every stage the summary reports on, in flow order. A stage
// plugs in with a read-only status query in its own package (ReadStatus,
// with the reader it needs, StatusTx), that reader embedded in Tx, and one
// line here. A stage that does not exist yet is listed as pending: its
// fields keep their not_started defaults and the gate keeps its blocker.
var parts = []part{
	{"workspace", readWorkspace},
	{"inventory", readInventory},
	{"assessment", readAssessment},
	{"OCM", readOCM},
	{"merge review", readMerge},
}

// readWorkspace counts the sources and closes the gate on an archived
// workspace or one without a configured source.
func readWorkspace(_ Tx, in *input) error {
	in.sum.SourceCount = len(in.sources)
	in.sum.ConfiguredSourceCount = len(in.configured)
	if in.ws.Status == workspace.StatusArchived {
		in.block(BlockerWorkspaceArchived, "The workspace is archived.")
	}
	if in.sum.ConfiguredSourceCount == 0 {
		in.block(BlockerNoConfiguredSource, "Add an Okta or Entra source.")
	}
	return nil
}

// readInventory: inventory is done when a configured source has a
// completed snapshot. A source's last_inventory_at is not consulted: the
// snapshots are the record.
func readInventory(tx Tx, in *input) error {
	st, err := inventory.ReadStatus(tx)
	if err != nil {
		return err
	}
	completed := false
	for sourceID, snap := range st.LatestCompleted {
		if !in.configured[sourceID] {
			continue
		}
		completed = true
		if last := in.sum.LastInventoryAt; snap.FinishedAt != nil && (last == nil || snap.FinishedAt.After(*last)) {
			t := *snap.FinishedAt
			in.sum.LastInventoryAt = &t
		}
	}
	if !completed {
		in.block(BlockerNoCompletedInventory, "Collect an inventory snapshot from a source.")
	}
	return nil
}

// readAssessment: the assessment status is the newest run of a configured
// source (assessing, completed or failed; an assessing run whose process
// died reads failed). The gate needs, for every configured source with a
// completed snapshot, a completed run of its newest completed snapshot, and
// no newer run that failed or is still going. The unavoidable changes are
// those of each configured source's newest completed run.
func readAssessment(tx Tx, in *input) error {
	st, err := assessment.ReadStatus(tx)
	if err != nil {
		return err
	}
	snaps, err := inventory.ReadStatus(tx)
	if err != nil {
		return err
	}
	var newest *assessment.Run
	completed := false
	for sourceID, run := range st.Latest {
		if !in.configured[sourceID] {
			continue
		}
		if newest == nil || run.StartedAt.After(newest.StartedAt) {
			r := run
			newest = &r
		}
		if run.Status != assessment.StatusCompleted {
			in.block(BlockerLatestAssessmentNotCompleted, fmt.Sprintf("The newest assessment of source %q is %s; run it again.", run.SourceName, run.Status))
		}
	}
	for sourceID, run := range st.LatestCompleted {
		if !in.configured[sourceID] {
			continue
		}
		completed = true
		in.sum.UnavoidableChangeCount += run.UnavoidableChangeCount
		if last := in.sum.LatestAssessmentCompletedAt; run.FinishedAt != nil && (last == nil || run.FinishedAt.After(*last)) {
			t := *run.FinishedAt
			in.sum.LatestAssessmentCompletedAt = &t
		}
		if snap, ok := snaps.LatestCompleted[sourceID]; ok && snap.ID != run.SnapshotID && st.Latest[sourceID].Status == assessment.StatusCompleted {
			in.block(BlockerAssessmentOutdated, fmt.Sprintf("Source %q has a newer snapshot than its assessment; assess snapshot %s.", run.SourceName, snap.ID))
		}
	}
	if newest != nil {
		in.sum.AssessmentStatus = string(newest.Status)
		t := newest.StartedAt
		in.sum.LatestAssessmentStartedAt = &t
	}
	if !completed {
		in.block(BlockerNoCompletedAssessment, "Run a compatibility assessment on a completed snapshot.")
	}
	return nil
}
