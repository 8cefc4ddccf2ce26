package workspacedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/audit"
)

// SealAuditWith has every later append seal the new head with s (nil:
// appends stop sealing).
func (db *DB) SealAuditWith(s *audit.Sealer) { db.sealer.Store(s) }

// OnAuditCommit has fn called after every transaction that appended audit
// entries has committed (the Anchorer's Committed). fn must not block.
func (db *DB) OnAuditCommit(fn func()) { db.onAudit.Store(&fn) }

// AuditHead returns the last entry's sequence number, hash and seal (0, ""
// and "" for an empty trail).
func (t *Tx) AuditHead() (audit.Head, error) {
	q := "SELECT seq, hash, '' FROM audit_head WHERE singleton = 1"
	if t.db.version >= cleanCloseSchema {
		q = "SELECT seq, hash, seal FROM audit_head WHERE singleton = 1"
	}
	var h audit.Head
	if err := t.tx.QueryRowContext(t.ctx, q).Scan(&h.Seq, &h.Hash, &h.Seal); err != nil {
		return audit.Head{}, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// AppendAudit stores e and moves the head to it, sealed when the file has
// the workspace's sealer, in this transaction.
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
	head := audit.Head{Seq: e.Seq, Hash: e.Hash}
	if s := t.db.sealer.Load(); s != nil {
		head.Seal = s.Seal(head)
	}
	q, args := "UPDATE audit_head SET seq = ?, hash = ? WHERE singleton = 1", []any{head.Seq, head.Hash}
	if t.db.version >= cleanCloseSchema {
		q, args = "UPDATE audit_head SET seq = ?, hash = ?, seal = ? WHERE singleton = 1", append(args, head.Seal)
	}
	if _, err := t.tx.ExecContext(t.ctx, q, args...); err != nil {
		return fmt.Errorf("move audit head to entry %d: %w", e.Seq, err)
	}
	t.appended = true
	return nil
}

// TrailFrom reads the head, the last sequence number and the entries from
// seq from on, in one read transaction: what the Anchorer compares with
// the keychain's anchor.
func (db *DB) TrailFrom(ctx context.Context, from int64) (audit.Tail, error) {
	var tail audit.Tail
	err := db.ViewTx(ctx, func(t *Tx) error {
		var err error
		if tail.Head, err = t.AuditHead(); err != nil {
			return err
		}
		err = t.tx.QueryRowContext(t.ctx, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").Scan(&tail.Last, &tail.LastHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read audit trail: %w", err)
		}
		tail.Entries, err = t.auditEntries(from)
		return err
	})
	return tail, err
}

// AuditEntries returns the whole trail in sequence order. Facts come back
// nil when empty; the hash treats nil and empty alike.
func (t *Tx) AuditEntries() ([]audit.Entry, error) { return t.auditEntries(1) }

func (t *Tx) auditEntries(from int64) ([]audit.Entry, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT seq, at, event, tenant, actor, target_id, facts,
		prev_hash, hash FROM audit_entries WHERE seq >= ? ORDER BY seq`, from)
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
