package readiness

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
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
	// scans, decisions and acks are the merge and OCM records by run id.
	scans     map[string]merge.Scan
	decisions map[string]map[merge.Status]int
	acks      map[string]map[ocm.Status]int
}

// Scan reads a run's overlap scan; a test that sets no scans stands for
// runs that read an empty live target.
func (f *fileTx) Scan(id string) (merge.Scan, bool, error) {
	if f.scans == nil {
		return merge.Scan{RunID: id, Status: merge.ScanRead}, true, nil
	}
	s, ok := f.scans[id]
	return s, ok, nil
}
func (f *fileTx) DecisionCounts(id string) (map[merge.Status]int, error) { return f.decisions[id], nil }
func (f *fileTx) AckCounts(id string) (map[ocm.Status]int, error)        { return f.acks[id], nil }

func (f *fileTx) AssessmentRuns() ([]assessment.Run, error) { return f.runs, nil }

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
	tx.runs = append([]assessment.Run{completed}, tx.runs...)
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

// reviewTx is a workspace with one configured source, a completed snapshot
// and a completed assessment of it.
func reviewTx(mode workspace.Mode) *fileTx {
	done := at(11)
	return &fileTx{
		ws:      workspace.Workspace{ID: "w", Tenant: "acme", Mode: mode, Status: workspace.StatusReadyForInventory},
		sources: []workspace.Source{{ID: "okta", Name: "okta-prod", Status: workspace.SourceConfigured}},
		snaps:   []inventory.Snapshot{snapshot("okta", inventory.StatusCompleted, at(10))},
		runs: []assessment.Run{{ID: "run-1", SnapshotID: "okta-completed", SourceID: "okta", Status: assessment.StatusCompleted,
			StartedAt: *at(10), FinishedAt: done, HeartbeatAt: *done, UnavoidableChangeCount: 4}},
		scans:     map[string]merge.Scan{"run-1": {RunID: "run-1", Status: merge.ScanRead, Counts: map[assessment.Noun]int{}}},
		decisions: map[string]map[merge.Status]int{"run-1": {}},
		acks:      map[string]map[ocm.Status]int{"run-1": {}},
	}
}

func blocker(s Summary, code string) (Blocker, bool) {
	for _, b := range s.PreviewHandoffBlockers {
		if b.Code == code {
			return b, true
		}
	}
	return Blocker{}, false
}

func TestReviewParts(t *testing.T) {
	tx := reviewTx(workspace.ModeMergeIntoExisting)
	tx.decisions["run-1"] = map[merge.Status]int{merge.StatusPending: 2, merge.StatusResolved: 3}
	tx.acks["run-1"] = map[ocm.Status]int{ocm.StatusPending: 1, ocm.StatusNeedsReview: 2, ocm.StatusAcknowledged: 5}
	sum, err := Compute(tx)
	if err != nil {
		t.Fatal(err)
	}
	if codes(sum) != "ocm_impacts_unacknowledged,ocm_impacts_need_review,merge_decisions_pending" {
		t.Fatalf("blockers %s", codes(sum))
	}
	if b, _ := blocker(sum, BlockerMergePending); b.Count != 2 {
		t.Errorf("pending decisions blocker %+v", b)
	}
	if sum.PendingMergeDecisionCount != 2 || sum.ResolvedMergeDecisionCount != 3 || sum.MergeReviewStatus != merge.ReviewPending ||
		sum.OCMStatus != ocm.OCMImpactsRaised || sum.OCMReviewStatus != ocm.ReviewNeedsReview || sum.AssessmentStatus != "completed" ||
		sum.UnavoidableChangeCount != 4 || sum.LatestAssessmentCompletedAt == nil {
		t.Fatalf("summary %+v", sum)
	}
	tx.decisions["run-1"] = map[merge.Status]int{merge.StatusResolved: 5}
	tx.acks["run-1"] = map[ocm.Status]int{ocm.StatusAcknowledged: 8}
	if sum, _ = Compute(tx); sum.PreviewHandoffStatus != HandoffReady || sum.MergeReviewStatus != merge.ReviewComplete ||
		sum.OCMReviewStatus != ocm.ReviewAcknowledged {
		t.Fatalf("all decided and acknowledged: %+v", sum)
	}
	// A newer snapshot than the assessment, a run that did not read the
	// target, and a newer failed run each close the gate again.
	tx.snaps = append(tx.snaps, inventory.Snapshot{ID: "newer", SourceID: "okta", Status: inventory.StatusCompleted, StartedAt: *at(12), FinishedAt: at(13)})
	if sum, _ = Compute(tx); codes(sum) != BlockerAssessmentOutdated {
		t.Fatalf("outdated: %s", codes(sum))
	}
	tx.snaps = tx.snaps[:1]
	tx.scans["run-1"] = merge.Scan{RunID: "run-1", Status: merge.ScanNotConfigured, Reason: "no target"}
	if sum, _ = Compute(tx); codes(sum) != BlockerLiveTargetNotRead || sum.MergeReviewStatus != merge.ReviewTargetNotRead {
		t.Fatalf("target not read: %s, %s", codes(sum), sum.MergeReviewStatus)
	}
	delete(tx.scans, "run-1")
	tx.runs = append([]assessment.Run{{ID: "run-2", SnapshotID: "okta-completed", SourceID: "okta", Status: assessment.StatusFailed,
		StartedAt: *at(12), FinishedAt: at(12), HeartbeatAt: *at(12), Error: "disk full"}}, tx.runs...)
	if sum, _ = Compute(tx); codes(sum) != BlockerLatestAssessmentNotCompleted || sum.AssessmentStatus != "failed" || sum.OCMStatus != StageNotStarted {
		t.Fatalf("failed rerun: %s, %+v", codes(sum), sum)
	}
}

// First-run adoption needs an empty live target; the blocker names what is
// there.
func TestFirstRunNeedsAnEmptyTarget(t *testing.T) {
	tx := reviewTx(workspace.ModeFirstRunAdoption)
	sum, err := Compute(tx)
	if err != nil || sum.PreviewHandoffStatus != HandoffReady || sum.MergeReviewStatus != StageNotApplicable {
		t.Fatalf("empty target: %+v, %v", sum, err)
	}
	tx.scans["run-1"] = merge.Scan{RunID: "run-1", Status: merge.ScanRead,
		Counts:  map[assessment.Noun]int{assessment.NounGroup: 5, assessment.NounApplication: 1},
		Samples: map[assessment.Noun][]string{assessment.NounGroup: {"Engineering", "Finance", "Sales"}, assessment.NounApplication: {"Expense Portal"}}}
	sum, _ = Compute(tx)
	b, ok := blocker(sum, BlockerLiveTargetNotEmpty)
	if !ok || b.Count != 6 || !strings.Contains(b.Message, `5 groups ("Engineering", "Finance", "Sales", …)`) ||
		!strings.Contains(b.Message, `1 application ("Expense Portal")`) {
		t.Fatalf("blocker %+v", b)
	}
}
