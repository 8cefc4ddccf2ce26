package workspacedb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/evidence"
)

var _ evidence.Tx = (*Tx)(nil)

// EvidenceStore is the workspace file as the evidence stage sees it.
func EvidenceStore(db *DB) evidence.Store {
	return NewStage(db, func(t *Tx) evidence.Tx { return t })
}

// EvidenceRecord returns the plan's evidence record, or the zero record
// with PlanID set when none has been saved.
func (t *Tx) EvidenceRecord(planID string) (evidence.Record, error) {
	rec := evidence.Record{PlanID: planID}
	var (
		rollback, completion string
		rAt, cAt             sql.NullString
	)
	err := t.tx.QueryRowContext(t.ctx, `SELECT rollback, rollback_updated_at, rollback_updated_by,
		completion, completion_updated_at, completion_updated_by FROM cutover_evidence WHERE plan_id = ?`, planID).
		Scan(&rollback, &rAt, &rec.RollbackUpdatedBy, &completion, &cAt, &rec.CompletionUpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("read cutover evidence of plan %s: %w", planID, err)
	}
	if err := json.Unmarshal([]byte(rollback), &rec.Rollback); err != nil {
		return rec, fmt.Errorf("read rollback guidance of plan %s: %w", planID, err)
	}
	if err := json.Unmarshal([]byte(completion), &rec.Completion); err != nil {
		return rec, fmt.Errorf("read completion evidence of plan %s: %w", planID, err)
	}
	if rec.RollbackUpdatedAt, err = parseOptTime(rAt); err != nil {
		return rec, err
	}
	rec.CompletionUpdatedAt, err = parseOptTime(cAt)
	return rec, err
}

// SaveEvidenceRecord inserts or replaces the plan's evidence record.
func (t *Tx) SaveEvidenceRecord(rec evidence.Record) error {
	rollback, err := json.Marshal(rec.Rollback)
	if err != nil {
		return fmt.Errorf("save rollback guidance of plan %s: %w", rec.PlanID, err)
	}
	completion, err := json.Marshal(rec.Completion)
	if err != nil {
		return fmt.Errorf("save completion evidence of plan %s: %w", rec.PlanID, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO cutover_evidence (plan_id, rollback, rollback_updated_at, rollback_updated_by,
		completion, completion_updated_at, completion_updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (plan_id) DO UPDATE SET rollback = excluded.rollback, rollback_updated_at = excluded.rollback_updated_at,
		rollback_updated_by = excluded.rollback_updated_by, completion = excluded.completion,
		completion_updated_at = excluded.completion_updated_at, completion_updated_by = excluded.completion_updated_by`,
		rec.PlanID, string(rollback), formatOptTime(rec.RollbackUpdatedAt), rec.RollbackUpdatedBy,
		string(completion), formatOptTime(rec.CompletionUpdatedAt), rec.CompletionUpdatedBy)
	if err != nil {
		return fmt.Errorf("save cutover evidence of plan %s: %w", rec.PlanID, err)
	}
	return nil
}
