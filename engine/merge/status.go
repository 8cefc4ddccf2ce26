package merge

// Merge review states as the workspace summary reports them
// (merge_review_status).
const (
	// ReviewPending: at least one decision of a current run is pending.
	ReviewPending = "pending"
	// ReviewComplete: every decision of the current runs is resolved (or
	// there is none: no overlap was found).
	ReviewComplete = "complete"
	// ReviewTargetNotRead: a current run could not read the live target,
	// so its overlaps are unknown.
	ReviewTargetNotRead = "target_not_read"
)

// StageStatus is merge review's part of the workspace summary, over the
// current runs (CurrentRuns).
type StageStatus struct {
	Pending  int
	Resolved int
	// Scans are the current runs' scans; Unscanned the current runs that
	// have none.
	Scans     []Scan
	Unscanned []string
}

// ReadStatus reads merge review's status for the given current runs,
// inside the caller's transaction.
func ReadStatus(tx StatusTx, runIDs []string) (StageStatus, error) {
	var st StageStatus
	for _, id := range runIDs {
		sc, ok, err := tx.Scan(id)
		if err != nil {
			return st, err
		}
		if !ok {
			st.Unscanned = append(st.Unscanned, id)
		} else {
			st.Scans = append(st.Scans, sc)
		}
		counts, err := tx.DecisionCounts(id)
		if err != nil {
			return st, err
		}
		st.Pending += counts[StatusPending]
		st.Resolved += counts[StatusResolved]
	}
	return st, nil
}

// Review is merge_review_status of a merge_into_existing workspace with
// this status (first-run adoption has no merge review).
func (st StageStatus) Review() string {
	switch {
	case st.Pending > 0:
		return ReviewPending
	case len(st.Unscanned) > 0 || st.notRead():
		return ReviewTargetNotRead
	}
	return ReviewComplete
}

func (st StageStatus) notRead() bool {
	for _, s := range st.Scans {
		if s.Status != ScanRead {
			return true
		}
	}
	return false
}
