package inventory

// StatusTx is what ReadStatus reads: the snapshots' own records.
type StatusTx interface {
	// Snapshots lists every snapshot, newest first.
	Snapshots() ([]Snapshot, error)
}

// StageStatus is the inventory stage's state as the workspace summary
// reports it.
type StageStatus struct {
	// LatestCompleted is the newest completed snapshot of each source that
	// has one, by source id (archived sources included: which sources
	// count is the reader's call).
	LatestCompleted map[string]Snapshot
}

// ReadStatus is the inventory stage's read-only status query, run inside
// the caller's transaction. Only completed snapshots count: a collecting or
// failed one never makes a source's inventory done.
func ReadStatus(tx StatusTx) (StageStatus, error) {
	snaps, err := tx.Snapshots()
	if err != nil {
		return StageStatus{}, err
	}
	st := StageStatus{LatestCompleted: map[string]Snapshot{}}
	for _, sn := range snaps {
		if sn.Status != StatusCompleted {
			continue
		}
		if cur, seen := st.LatestCompleted[sn.SourceID]; !seen || newer(sn, cur) {
			st.LatestCompleted[sn.SourceID] = sn
		}
	}
	return st, nil
}

// newer reports whether a finished after b (by start time when either has
// no finish time), so the answer does not hang on the store's order.
func newer(a, b Snapshot) bool {
	if a.FinishedAt != nil && b.FinishedAt != nil {
		return a.FinishedAt.After(*b.FinishedAt)
	}
	return a.StartedAt.After(b.StartedAt)
}
