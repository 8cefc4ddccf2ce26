package workspacedb

import (
	"database/sql"
	"fmt"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/ocm"
)

var _ ocm.Tx = (*Tx)(nil)

// OCMStore serves the OCM stage from db.
func OCMStore(db *DB) ocm.Store {
	return NewStage(db, func(t *Tx) ocm.Tx { return t })
}

// RunImpacts lists a run's impact rows with their acknowledgement and up
// to itemLimit items each (-1 for all).
func (t *Tx) RunImpacts(runID string, itemLimit int) ([]ocm.Impact, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT ordinal, key, rule_id, audience, severity, summary, item_count,
		ack_status, acked_by, acked_at, ack_note, ack_items, ack_carried_from, ack_review_reason
		FROM assessment_impacts WHERE run_id = ? ORDER BY ordinal`, runID)
	if err != nil {
		return nil, fmt.Errorf("read impacts of run %s: %w", runID, err)
	}
	var out []ocm.Impact
	for rows.Next() {
		var im ocm.Impact
		var aud, sev, status string
		var ackedAt sql.NullString
		if err := rows.Scan(&im.Ordinal, &im.Key, &im.RuleID, &aud, &sev, &im.Summary, &im.ItemCount, &status, &im.AckedBy,
			&ackedAt, &im.Note, &im.ItemsFingerprint, &im.CarriedFrom, &im.ReviewReason); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read impact of run %s: %w", runID, err)
		}
		im.RunID, im.Audience, im.Severity, im.Status = runID, assessment.Audience(aud), assessment.Severity(sev), ocm.Status(status)
		if im.AckedAt, err = parseOptTime(ackedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, im)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read impacts of run %s: %w", runID, err)
	}
	if itemLimit == 0 {
		return out, nil
	}
	for i := range out {
		if out[i].Items, err = t.impactItems(runID, out[i].Ordinal, itemLimit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImpactItemKeys lists every item an impact row touches, by kind and source
// id.
func (t *Tx) ImpactItemKeys(runID string, ordinal int) ([]assessment.ItemRef, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT r.kind, r.source_id
		FROM assessment_impact_items i JOIN assessment_results r ON r.run_id = i.run_id AND r.item_id = i.item_id
		WHERE i.run_id = ? AND i.ordinal = ?`, runID, ordinal)
	if err != nil {
		return nil, fmt.Errorf("read impact items: %w", err)
	}
	defer rows.Close()
	var out []assessment.ItemRef
	for rows.Next() {
		var ref assessment.ItemRef
		var kind string
		if err := rows.Scan(&kind, &ref.SourceID); err != nil {
			return nil, fmt.Errorf("read impact item: %w", err)
		}
		ref.Kind = inventory.Kind(kind)
		out = append(out, ref)
	}
	return out, rows.Err()
}

// SaveAck rewrites an impact row's acknowledgement columns.
func (t *Tx) SaveAck(im ocm.Impact) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE assessment_impacts SET ack_status = ?, acked_by = ?, acked_at = ?, ack_note = ?,
		ack_items = ?, ack_carried_from = ?, ack_review_reason = ? WHERE run_id = ? AND ordinal = ?`,
		string(im.Status), im.AckedBy, formatOptTime(im.AckedAt), im.Note, im.ItemsFingerprint, im.CarriedFrom, im.ReviewReason,
		im.RunID, im.Ordinal)
	if err != nil {
		return fmt.Errorf("acknowledge impact %s: %w", ocm.ImpactID(im.RunID, im.Ordinal), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ocm.ErrImpactNotFound, ocm.ImpactID(im.RunID, im.Ordinal))
	}
	return nil
}

// AckCounts counts a run's impact rows by acknowledgement status.
func (t *Tx) AckCounts(runID string) (map[ocm.Status]int, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT ack_status, count(*) FROM assessment_impacts WHERE run_id = ? GROUP BY ack_status`, runID)
	if err != nil {
		return nil, fmt.Errorf("count OCM acknowledgements of run %s: %w", runID, err)
	}
	defer rows.Close()
	out := map[ocm.Status]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[ocm.Status(s)] = n
	}
	return out, rows.Err()
}
