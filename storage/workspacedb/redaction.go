package workspacedb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/workspace"
)

// storedForm is a page body's stored digest and redaction record. The
// digest is computed here from the bytes about to be stored; a page that
// carries its own must agree.
func storedForm(p inventory.Page) (string, string, error) {
	sum := sha256.Sum256(p.Body)
	stored := hex.EncodeToString(sum[:])
	if p.StoredSHA256 != "" && p.StoredSHA256 != stored {
		return "", "", fmt.Errorf("evidence page %d: its stored body hashes to %s, not the %s it claims", p.PageID, stored, p.StoredSHA256)
	}
	reds := p.Redactions
	if reds == nil {
		reds = []redact.Redaction{}
	}
	b, err := json.Marshal(reds)
	if err != nil {
		return "", "", fmt.Errorf("encode the redaction record of evidence page %d: %w", p.PageID, err)
	}
	return stored, string(b), nil
}

var _ inventory.RedactionTx = (*Tx)(nil)

// RedactionStore serves the upgrade that redacts evidence stored before
// secret redaction existed (inventory.RedactionUpgrade).
func RedactionStore(db *DB) inventory.RedactionStore {
	return NewStage(db, func(t *Tx) inventory.RedactionTx { return t })
}

// RedactionPending reports whether a body or a snapshot predates redaction.
func (t *Tx) RedactionPending() (bool, error) {
	var pending bool
	err := t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM page_bodies WHERE stored_sha256 IS NULL)
		OR EXISTS (SELECT 1 FROM snapshots WHERE secrets_redacted = 0)`).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("look for evidence stored before redaction: %w", err)
	}
	return pending, nil
}

// UnredactedBodies returns up to limit page bodies stored before redaction.
func (t *Tx) UnredactedBodies(limit int) ([]inventory.StoredBody, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT sha256, body FROM page_bodies WHERE stored_sha256 IS NULL ORDER BY sha256 LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read page bodies stored before redaction: %w", err)
	}
	defer rows.Close()
	var out []inventory.StoredBody
	for rows.Next() {
		var b inventory.StoredBody
		if err := rows.Scan(&b.SHA256, &b.Body); err != nil {
			return nil, fmt.Errorf("read page body: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SaveRedactedBody replaces a body stored before redaction. Its key, the
// digest of the bytes as received, stays.
func (t *Tx) SaveRedactedBody(sha string, body []byte, storedSHA string, reds []redact.Redaction) error {
	_, record, err := storedForm(inventory.Page{Body: body, StoredSHA256: storedSHA, Redactions: reds})
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE page_bodies SET body = ?, stored_sha256 = ?, redactions = ? WHERE sha256 = ?`,
		body, storedSHA, record, sha)
	if err != nil {
		return fmt.Errorf("store redacted page body %s: %w", sha, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store redacted page body %s: no such body", sha)
	}
	return nil
}

// UnredactedItems returns up to limit items after afterID of snapshots not
// yet marked redacted, with their legacy fields and their source's kind.
func (t *Tx) UnredactedItems(afterID int64, limit int) ([]inventory.LegacyItem, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+qualifiedItemColumns+`, i.legacy_attributes, s.source_kind, s.started_at
		FROM items i JOIN snapshots s ON s.id = i.snapshot_id
		WHERE i.id > ? AND s.secrets_redacted = 0 ORDER BY i.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read items stored before redaction: %w", err)
	}
	defer rows.Close()
	var out []inventory.LegacyItem
	for rows.Next() {
		li, err := scanLegacyItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, li)
	}
	return out, rows.Err()
}

// SaveRedactedItem replaces an item's raw payload, legacy fields and, when
// it has one, its view; the search index is rebuilt once every item is
// done.
func (t *Tx) SaveRedactedItem(it inventory.RedactedItem) error {
	legacy := it.Legacy
	if legacy == nil {
		legacy = map[string]any{}
	}
	lb, err := json.Marshal(legacy)
	if err != nil {
		return fmt.Errorf("encode the legacy fields of item %d: %w", it.ID, err)
	}
	query, args := `UPDATE items SET raw = ?, legacy_attributes = ? WHERE id = ?`, []any{it.Raw, string(lb), it.ID}
	if it.View != nil {
		vb, err := json.Marshal(it.View)
		if err != nil {
			return fmt.Errorf("encode the view of item %d: %w", it.ID, err)
		}
		query, args = `UPDATE items SET raw = ?, legacy_attributes = ?, view = ? WHERE id = ?`, []any{it.Raw, string(lb), string(vb), it.ID}
	}
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store redacted item %d: %w", it.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store redacted item %d: no such item", it.ID)
	}
	return nil
}

// RebuildSearchIndex empties the full-text index and indexes every item
// again, as SaveItems would (SearchText of its view), or, for an item whose
// view is not built yet, by its legacy fields' values as schema migration
// 00004 did. The index is contentless (it holds no copy of the text), so
// its rows cannot be updated one by one without the exact text they were
// built from; a rebuild is the one way to drop what it learnt from old
// values.
func (t *Tx) RebuildSearchIndex() error {
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO items_fts (items_fts) VALUES ('delete-all')`); err != nil {
		return fmt.Errorf("empty the search index: %w", err)
	}
	type row struct {
		id                      int64
		name, sourceID, subtype string
		view                    sql.NullString
		legacyText              string
	}
	ins, err := t.prepareIndex()
	if err != nil {
		return err
	}
	defer ins.Close()
	var after int64
	for {
		rows, err := t.tx.QueryContext(t.ctx, `SELECT id, display_name, source_id, subtype, view,
			CASE WHEN view IS NULL THEN coalesce((SELECT group_concat(j.value, ' ') FROM json_tree(legacy_attributes) j WHERE j.type = 'text'), '') ELSE '' END
			FROM items WHERE id > ? ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return fmt.Errorf("read items to index: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name, &r.sourceID, &r.subtype, &r.view, &r.legacyText); err != nil {
				rows.Close()
				return fmt.Errorf("read item to index: %w", err)
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			text := r.legacyText
			if r.view.Valid {
				var it inventory.Item
				if err := json.Unmarshal([]byte(r.view.String), &it.View); err != nil {
					return fmt.Errorf("decode the view of item %d: %w", r.id, err)
				}
				text = SearchText(it)
			}
			if _, err := ins.stmt.ExecContext(t.ctx, r.id, r.name, r.sourceID, r.subtype, text); err != nil {
				return fmt.Errorf("index item %d: %w", r.id, err)
			}
			after = r.id
		}
	}
}

// MarkSnapshotsRedacted marks every snapshot's items redacted.
func (t *Tx) MarkSnapshotsRedacted() (int, error) {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE snapshots SET secrets_redacted = 1 WHERE secrets_redacted = 0`)
	if err != nil {
		return 0, fmt.Errorf("mark snapshots redacted: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// VendorSecrets lists the vendor secrets the source's collections kept in
// the keychain: the Keep entries, with the id of the resource that held
// them, of the redaction records of its snapshots' pages.
//
// The workspace stage runs on a file at any schema (its tables are all in
// migration 1): a file from before redaction records (schema 5) has kept
// no vendor secret, so it lists none.
func (t *Tx) VendorSecrets(sourceID string) ([]workspace.VendorSecret, error) {
	var recorded bool
	if err := t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM pragma_table_info('page_bodies') WHERE name = 'redactions')`).Scan(&recorded); err != nil {
		return nil, fmt.Errorf("look for redaction records: %w", err)
	}
	if !recorded {
		return nil, nil
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT DISTINCT json_extract(r.value, '$.resource_id'), json_extract(r.value, '$.path')
		FROM snapshots s JOIN evidence_pages p ON p.snapshot_id = s.id JOIN page_bodies b ON b.sha256 = p.sha256,
			json_each(coalesce(b.redactions, '[]')) r
		WHERE s.source_id = ? AND json_extract(r.value, '$.keep') = 1
			AND coalesce(json_extract(r.value, '$.resource_id'), '') != '' AND coalesce(json_extract(r.value, '$.path'), '') != ''
		ORDER BY 1, 2`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("list the vendor secrets kept for source %s: %w", sourceID, err)
	}
	defer rows.Close()
	var out []workspace.VendorSecret
	for rows.Next() {
		var v workspace.VendorSecret
		if err := rows.Scan(&v.ResourceID, &v.Field); err != nil {
			return nil, fmt.Errorf("read a vendor secret kept for source %s: %w", sourceID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// redactionSchema is the schema version that introduced redaction: every
// backup of an older file holds whatever secrets the file held.
const redactionSchema = 5

// RemoveUnredactedBackups deletes the "<path>.pre-schema-N.bak" copies made
// before the file's evidence was redacted: those of schemas older than
// redaction, or every one when upToCurrent is set (right after an upgrade
// that redacted, when all of them predate it). It returns the removed
// paths.
func (db *DB) RemoveUnredactedBackups(ctx context.Context, upToCurrent bool) ([]string, error) {
	limit := int64(redactionSchema - 1)
	if upToCurrent {
		v, err := db.schemaVersion(ctx)
		if err != nil {
			return nil, err
		}
		limit = v
	}
	var removed []string
	for v := int64(0); v <= limit; v++ {
		p := backupPath(db.path, v)
		for _, f := range []string{p, p + ".tmp"} {
			err := os.Remove(f)
			switch {
			case err == nil:
				removed = append(removed, f)
			case !errors.Is(err, fs.ErrNotExist):
				return removed, fmt.Errorf("remove %s, a backup that holds unredacted vendor secrets: %w", f, err)
			}
		}
	}
	return removed, nil
}

// Checkpoint copies the WAL into the file and truncates it, so no earlier
// version of a page survives in the WAL.
func (db *DB) Checkpoint(ctx context.Context) error { return db.checkpoint(ctx) }
