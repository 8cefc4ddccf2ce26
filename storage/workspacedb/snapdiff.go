package workspacedb

import (
	"fmt"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/snapdiff"
)

var _ snapdiff.Tx = (*Tx)(nil)

// SnapDiffStore serves snapshot comparisons from db.
func SnapDiffStore(db *DB) snapdiff.Store {
	return NewStage(db, func(t *Tx) snapdiff.Tx { return t })
}

// SnapshotItemsByKey pages a snapshot's items in (kind, source id) order on the
// (snapshot, kind, source id) unique index, without raw payloads.
func (t *Tx) SnapshotItemsByKey(snapshotID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+itemColumnsWithoutRaw+` FROM items
		WHERE snapshot_id = ? AND (kind, source_id) > (?, ?) ORDER BY kind, source_id LIMIT ?`,
		snapshotID, string(afterKind), afterSourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	defer rows.Close()
	out := make([]inventory.StoredItem, 0, limit)
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
