package workspacedb

import (
	"encoding/json"
	"fmt"

	"github.com/portal-id/migration-console/engine/audit"
)

// AuditHead returns the last entry's sequence number and hash (0 and "" for
// an empty trail).
func (t *Tx) AuditHead() (audit.Head, error) {
	var h audit.Head
	err := t.tx.QueryRowContext(t.ctx, "SELECT seq, hash FROM audit_head WHERE singleton = 1").Scan(&h.Seq, &h.Hash)
	if err != nil {
		return audit.Head{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// AppendAudit stores e and moves the head to it, in this transaction.
func (t *Tx) AppendAudit(e audit.Entry) error {
	facts := e.Facts
	if facts == nil {
		facts = map[string]string{}
	}
	b, err := json.Marshal(facts)
	if err != nil {
		return fmt.Errorf("append audit entry %d: encode facts: %w", e.Seq, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO audit_entries (seq, at, event, tenant, actor, target_id,
		facts, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, formatTime(e.At), e.Event, e.Tenant, e.Actor, e.TargetID, string(b), e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE singleton = 1", e.Seq, e.Hash); err != nil {
		return fmt.Errorf("move audit head to entry %d: %w", e.Seq, err)
	}
	return nil
}

// AuditEntries returns the whole trail in sequence order. Facts come back
// nil when empty; the hash treats nil and empty alike.
func (t *Tx) AuditEntries() ([]audit.Entry, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT seq, at, event, tenant, actor, target_id, facts,
		prev_hash, hash FROM audit_entries ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var (
			e         audit.Entry
			at, facts string
		)
		if err := rows.Scan(&e.Seq, &at, &e.Event, &e.Tenant, &e.Actor, &e.TargetID, &facts, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("read audit trail: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read audit entry %d: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(facts), &e.Facts); err != nil {
			return nil, fmt.Errorf("read audit entry %d: facts: %w", e.Seq, err)
		}
		if len(e.Facts) == 0 {
			e.Facts = nil
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	return out, nil
}
