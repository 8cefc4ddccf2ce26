package readiness

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// fileTx is a workspace file's records held in memory; storage/workspacedb
// runs the same computation on a real file.
type fileTx struct {
	ws      workspace.Workspace
	sources []workspace.Source
	snaps   []inventory.Snapshot
	runs    []assessment.Run
	err     error
}

func (f *fileTx) Runs() ([]assessment.Run, error) { return f.runs, nil }

func (f *fileTx) Workspace() (workspace.Workspace, error) { return f.ws, nil }
func (f *fileTx) Sources() ([]workspace.Source, error)    { return f.sources, nil }
func (f *fileTx) Snapshots() ([]inventory.Snapshot, error) {
	return f.snaps, f.err
}

func codes(s Summary) string {
	var c []string
	for _, b := range s.PreviewHandoffBlockers {
		c = append(c, b.Code)
	}
	return strings.Join(c, ",")
}

func at(hour int) *time.Time {
	t := time.Date(2025, 3, 4, hour, 0, 0, 0, time.UTC)
	return &t
}

func snapshot(sourceID string, status inventory.Status, finished *time.Time) inventory.Snapshot {
	return inventory.Snapshot{ID: sourceID + "-" + string(status), SourceID: sourceID, Status: status,
		StartedAt: finished.Add(-time.Minute), FinishedAt: finished}
}

func TestSummaryGate(t *testing.T) {
	tx := &fileTx{ws: workspace.Workspace{ID: "w", Tenant: "acme", Mode: workspace.ModeFirstRunAdoption, Status: workspace.StatusDraft}}
	sum, err := Compute(tx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.PreviewHandoffStatus != HandoffBlocked || sum.MergeReviewStatus != StageNotApplicable {
		t.Fatalf("summary = %+v", sum)
	}
	if sum.AssessmentStatus != StageNotStarted || sum.OCMStatus != StageNotStarted || sum.OCMReviewStatus != StageNotStarted {
		t.Errorf("stages that have not run: assessment %s, ocm %s, ocm review %s; want not_started",
			sum.AssessmentStatus, sum.OCMStatus, sum.OCMReviewStatus)
	}
	if got := codes(sum); got != "no_configured_source,no_completed_inventory,no_completed_assessment" {
		t.Fatalf("blockers = %s", got)
	}
	tx.ws.Mode, tx.ws.Status = workspace.ModeMergeIntoExisting, workspace.StatusReadyForInventory
	tx.sources = []workspace.Source{{ID: "s1", Status: workspace.SourceConfigured}, {ID: "s2", Status: workspace.SourceArchived}}
	if sum, err = Compute(tx); err != nil {
		t.Fatal(err)
	}
	if sum.SourceCount != 2 || sum.ConfiguredSourceCount != 1 || sum.MergeReviewStatus != StageNotStarted {
		t.Fatalf("summary = %+v", sum)
	}
	if got := codes(sum); got != "no_completed_inventory,no_completed_assessment" {
		t.Fatalf("blockers = %s", got)
	}
	tx.ws.Status = workspace.StatusArchived
	if sum, _ = Compute(tx); codes(sum) != "workspace_archived,no_completed_inventory,no_completed_assessment" {
		t.Fatalf("archived workspace: blockers = %s", codes(sum))
	}
}

// Inventory is done only when a configured source has a completed
// snapshot; the source's own last_inventory_at proves nothing.
func TestInventoryIsDoneByCompletedSnapshotOfConfiguredSource(t *testing.T) {
	tx := &fileTx{
		ws: workspace.Workspace{ID: "w", Tenant: "acme", Mode: workspace.ModeFirstRunAdoption, Status: workspace.StatusReadyForInventory},
		sources: []workspace.Source{
			{ID: "okta", Status: workspace.SourceConfigured, LastInventoryAt: at(9)},
			{ID: "old", Status: workspace.SourceArchived},
		},
		snaps: []inventory.Snapshot{
			snapshot("okta", inventory.StatusFailed, at(12)),
			snapshot("okta", inventory.StatusCollecting, at(13)),
			snapshot("old", inventory.StatusCompleted, at(11)),
		},
	}
	sum, err := Compute(tx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(codes(sum), BlockerNoCompletedInventory) || sum.LastInventoryAt != nil {
		t.Fatalf("failed, collecting and archived-source snapshots made inventory done: blockers %s, last %v", codes(sum), sum.LastInventoryAt)
	}

	tx.snaps = append(tx.snaps, snapshot("okta", inventory.StatusCompleted, at(10)), snapshot("okta", inventory.StatusCompleted, at(8)))
	if sum, err = Compute(tx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(codes(sum), BlockerNoCompletedInventory) {
		t.Fatalf("a completed snapshot of a configured source still blocks: %s", codes(sum))
	}
	if sum.LastInventoryAt == nil || !sum.LastInventoryAt.Equal(*at(10)) {
		t.Fatalf("last inventory = %v, want the newest completed snapshot of a configured source (10:00)", sum.LastInventoryAt)
	}
}

// The gate opens only when no part blocks it, and a part that cannot read
// its records fails the summary instead of guessing.
func TestGateOpensOnlyWithoutBlockers(t *testing.T) {
	saved := parts
	t.Cleanup(func() { parts = saved })
	parts = []part{{"workspace", readWorkspace}, {"inventory", readInventory}}

	tx := &fileTx{
		ws:      workspace.Workspace{ID: "w", Tenant: "acme", Mode: workspace.ModeFirstRunAdoption, Status: workspace.StatusReadyForInventory},
		sources: []workspace.Source{{ID: "okta", Status: workspace.SourceConfigured}},
		snaps:   []inventory.Snapshot{snapshot("okta", inventory.StatusCompleted, at(10))},
	}
	sum, err := Compute(tx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.PreviewHandoffStatus != HandoffReady || len(sum.PreviewHandoffBlockers) != 0 {
		t.Fatalf("gate = %s with %v, want ready and no blockers", sum.PreviewHandoffStatus, sum.PreviewHandoffBlockers)
	}

	tx.err = errors.New("disk I/O error")
	if _, err := Compute(tx); err == nil || !strings.Contains(err.Error(), "inventory") {
		t.Fatalf("unreadable snapshots: err = %v, want one naming the inventory stage", err)
	}
}

func run(sourceID, snapshotID string, status assessment.Status, started *time.Time, unavoidable int) assessment.Run {
	r := assessment.Run{ID: sourceID + "-" + snapshotID + "-" + string(status), SourceID: sourceID, SourceName: sourceID,
		SnapshotID: snapshotID, Status: status, StartedAt: *started, HeartbeatAt: time.Now().UTC(), UnavoidableChangeCount: unavoidable}
	if status != assessment.StatusAssessing {
		f := started.Add(time.Minute)
		r.FinishedAt = &f
	}
	return r
}

// The assessment part: status from the newest run of a configured source,
// the gate needs a completed run of each source's newest snapshot and no
// newer failed or running one, and unavoidable changes add up over the
// sources' newest completed runs.
func TestAssessmentPart(t *testing.T) {
	done := snapshot("okta", inventory.StatusCompleted, at(10))
	tx := &fileTx{
		ws:      workspace.Workspace{ID: "w", Tenant: "acme", Mode: workspace.ModeFirstRunAdoption, Status: workspace.StatusReadyForInventory},
		sources: []workspace.Source{{ID: "okta", Status: workspace.SourceConfigured}, {ID: "gone", Status: workspace.SourceArchived}},
		snaps:   []inventory.Snapshot{done},
		// Runs are newest first, as the store lists them.
		runs: []assessment.Run{run("gone", "g1", assessment.StatusCompleted, at(14), 99), run("okta", done.ID, assessment.StatusFailed, at(12), 0)},
	}
	sum, err := Compute(tx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AssessmentStatus != "failed" || codes(sum) != "latest_assessment_not_completed,no_completed_assessment" || sum.UnavoidableChangeCount != 0 {
		t.Fatalf("only a failed run of a configured source: status %s, blockers %s, unavoidable %d", sum.AssessmentStatus, codes(sum), sum.UnavoidableChangeCount)
	}
	completed := run("okta", done.ID, assessment.StatusCompleted, at(13), 7)
	completed.ImpactCount = 3
	tx.runs = append([]assessment.Run{completed}, tx.runs...)
	if sum, err = Compute(tx); err != nil {
		t.Fatal(err)
	}
	// Its OCM impacts keep the gate closed until they are acknowledged.
	if codes(sum) != "ocm_impacts_unacknowledged" || !strings.Contains(sum.PreviewHandoffBlockers[0].Message, "3 OCM impacts") {
		t.Fatalf("a completed run with impacts: blockers %v", sum.PreviewHandoffBlockers)
	}
	tx.runs[0].ImpactCount = 0
	if sum, err = Compute(tx); err != nil {
		t.Fatal(err)
	}
	if sum.AssessmentStatus != "completed" || codes(sum) != "" || sum.PreviewHandoffStatus != HandoffReady || sum.UnavoidableChangeCount != 7 ||
		!sum.LatestAssessmentStartedAt.Equal(*at(13)) || !sum.LatestAssessmentCompletedAt.Equal(at(13).Add(time.Minute)) {
		t.Fatalf("a completed run of the newest snapshot: %+v, blockers %s", sum, codes(sum))
	}
	// A newer snapshot makes the assessment outdated.
	newer := snapshot("okta", inventory.StatusCompleted, at(15))
	newer.ID = "okta-newer"
	tx.snaps = append([]inventory.Snapshot{newer}, tx.snaps...)
	if sum, _ = Compute(tx); codes(sum) != "assessment_outdated" {
		t.Fatalf("newer snapshot: blockers %s", codes(sum))
	}
}
