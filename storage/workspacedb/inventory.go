package workspacedb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ inventory.Tx = (*Tx)(nil)

// InventoryStore serves the inventory stage from db.
func InventoryStore(db *DB) inventory.Store {
	return NewStage(db, func(t *Tx) inventory.Tx { return t })
}

const snapshotColumns = `id, source_id, source_name, source_kind, status, started_at, finished_at,
	heartbeat_at, owner, counts, item_count, page_count, error`

// InsertSnapshot stores a new snapshot; the partial unique index turns a
// second live collection of one source into inventory.ErrCollectionRunning.
func (t *Tx) InsertSnapshot(s inventory.Snapshot) error {
	counts, err := json.Marshal(nonNilCounts(s.Counts))
	if err != nil {
		return fmt.Errorf("encode snapshot counts: %w", err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO snapshots (`+snapshotColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.SourceID, s.SourceName, string(s.SourceKind), string(s.Status), formatTime(s.StartedAt),
		formatOptTime(s.FinishedAt), formatTime(s.HeartbeatAt), s.Owner, string(counts), s.ItemCount, s.PageCount, s.Error)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return inventory.ErrCollectionRunning
	}
	if err != nil {
		return fmt.Errorf("insert snapshot: %w", err)
	}
	return nil
}

// UpdateSnapshot rewrites a snapshot's mutable fields.
func (t *Tx) UpdateSnapshot(s inventory.Snapshot) error {
	counts, err := json.Marshal(nonNilCounts(s.Counts))
	if err != nil {
		return fmt.Errorf("encode snapshot counts: %w", err)
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE snapshots SET status = ?, finished_at = ?, heartbeat_at = ?,
		counts = ?, item_count = ?, page_count = ?, error = ? WHERE id = ?`,
		string(s.Status), formatOptTime(s.FinishedAt), formatTime(s.HeartbeatAt), string(counts),
		s.ItemCount, s.PageCount, s.Error, s.ID)
	if err != nil {
		return fmt.Errorf("update snapshot %s: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("snapshot %s: %w", s.ID, inventory.ErrSnapshotNotFound)
	}
	return nil
}

func nonNilCounts(m map[inventory.Kind]int) map[inventory.Kind]int {
	if m == nil {
		return map[inventory.Kind]int{}
	}
	return m
}

func scanSnapshot(row interface{ Scan(...any) error }) (inventory.Snapshot, error) {
	var (
		s                    inventory.Snapshot
		kind, status, counts string
		started, heartbeat   string
		finished             sql.NullString
	)
	if err := row.Scan(&s.ID, &s.SourceID, &s.SourceName, &kind, &status, &started, &finished,
		&heartbeat, &s.Owner, &counts, &s.ItemCount, &s.PageCount, &s.Error); err != nil {
		return s, err
	}
	s.SourceKind, s.Status = workspace.SourceKind(kind), inventory.Status(status)
	var err error
	if s.StartedAt, err = parseTime(started); err != nil {
		return s, err
	}
	if s.HeartbeatAt, err = parseTime(heartbeat); err != nil {
		return s, err
	}
	if s.FinishedAt, err = parseOptTime(finished); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(counts), &s.Counts); err != nil {
		return s, fmt.Errorf("decode snapshot %s counts: %w", s.ID, err)
	}
	return s, nil
}

// Snapshot returns one snapshot.
func (t *Tx) Snapshot(id string) (inventory.Snapshot, error) {
	s, err := scanSnapshot(t.tx.QueryRowContext(t.ctx, `SELECT `+snapshotColumns+` FROM snapshots WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("snapshot %s: %w", id, inventory.ErrSnapshotNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("read snapshot %s: %w", id, err)
	}
	return s, nil
}

// Snapshots lists every snapshot, newest first.
func (t *Tx) Snapshots() ([]inventory.Snapshot, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+snapshotColumns+` FROM snapshots ORDER BY pk DESC`)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	defer rows.Close()
	var out []inventory.Snapshot
	for rows.Next() {
		s, err := scanSnapshot(rows)
		if err != nil {
			return nil, fmt.Errorf("read snapshot row: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SavePages stores evidence pages, each distinct body once: keyed by the
// digest of the bytes as received, holding the redacted body, its own
// digest and the redaction record.
func (t *Tx) SavePages(snapshotID string, pages []inventory.Page) error {
	for _, p := range pages {
		stored, redactions, err := storedForm(p)
		if err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO page_bodies (sha256, body, stored_sha256, redactions) VALUES (?, ?, ?, ?)
			ON CONFLICT (sha256) DO NOTHING`, p.SHA256, p.Body, stored, redactions); err != nil {
			return fmt.Errorf("store page body %s: %w", p.SHA256, err)
		}
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO evidence_pages (snapshot_id, page_id, domain, method,
			endpoint, query, page_number, status, fetched_at, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			snapshotID, p.PageID, p.Domain, p.Method, p.Endpoint, p.Query, p.PageNumber, p.Status,
			formatTime(p.FetchedAt), p.Bytes, p.SHA256); err != nil {
			return fmt.Errorf("store evidence page %d: %w", p.PageID, err)
		}
	}
	return nil
}

// SaveItems stores items and indexes them for text search. An item the
// snapshot already holds (same kind and source id, e.g. a vendor listing
// that repeated a row across pages) is kept once.
func (t *Tx) SaveItems(snapshotID string, items []inventory.Item) error {
	ins, err := t.tx.PrepareContext(t.ctx, `INSERT INTO items (snapshot_id, kind, source_id, subtype, display_name,
		legacy_attributes, view, refs, raw, evidence_page) VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)
		ON CONFLICT (snapshot_id, kind, source_id) DO NOTHING RETURNING id`)
	if err != nil {
		return fmt.Errorf("prepare item insert: %w", err)
	}
	defer ins.Close()
	idx, err := t.prepareIndex()
	if err != nil {
		return err
	}
	defer idx.Close()
	for _, it := range items {
		view, refs, err := encodeItem(it)
		if err != nil {
			return err
		}
		raw := []byte(it.Raw)
		if raw == nil {
			raw = []byte{}
		}
		var id int64
		err = ins.QueryRowContext(t.ctx, snapshotID, string(it.Kind), it.SourceID, it.Subtype, it.DisplayName,
			view, refs, raw, it.EvidencePage).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already stored
		}
		if err != nil {
			return fmt.Errorf("store %s %s: %w", it.Kind, it.SourceID, err)
		}
		if err := idx.index(t, id, it); err != nil {
			return err
		}
	}
	return nil
}

func encodeItem(it inventory.Item) (view, refs string, err error) {
	v, err := json.Marshal(it.View)
	if err != nil {
		return "", "", fmt.Errorf("encode the view of %s %s: %w", it.Kind, it.SourceID, err)
	}
	r, err := json.Marshal(nonNilRefs(it.Refs))
	if err != nil {
		return "", "", fmt.Errorf("encode refs of %s %s: %w", it.Kind, it.SourceID, err)
	}
	return string(v), string(r), nil
}

// indexer writes search index entries; INSERT OR REPLACE replaces an
// item's entry (the index accepts deletes by rowid).
type indexer struct{ stmt *sql.Stmt }

func (t *Tx) prepareIndex() (indexer, error) {
	st, err := t.tx.PrepareContext(t.ctx, `INSERT OR REPLACE INTO items_fts (rowid, display_name, source_id, subtype, view)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return indexer{}, fmt.Errorf("prepare search index insert: %w", err)
	}
	return indexer{st}, nil
}

func (x indexer) Close() error { return x.stmt.Close() }

func (x indexer) index(t *Tx, id int64, it inventory.Item) error {
	if _, err := x.stmt.ExecContext(t.ctx, id, it.DisplayName, it.SourceID, it.Subtype, SearchText(it)); err != nil {
		return fmt.Errorf("index %s %s: %w", it.Kind, it.SourceID, err)
	}
	return nil
}

// SearchText is what the search index holds of an item besides its name,
// source id and subtype: its view's text (View.SearchText). Anything that
// rebuilds the index uses it, so search stays the same.
func SearchText(it inventory.Item) string { return it.View.SearchText() }

// ReplaceViews rewrites stored items' subtype, display name, references and
// view, and re-indexes them (a view rebuilt from the raw payload, or an
// assignment whose names were resolved).
func (t *Tx) ReplaceViews(items []inventory.StoredItem) error {
	up, err := t.tx.PrepareContext(t.ctx, `UPDATE items SET subtype = ?, display_name = ?, refs = ?, view = ? WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("prepare view update: %w", err)
	}
	defer up.Close()
	idx, err := t.prepareIndex()
	if err != nil {
		return err
	}
	defer idx.Close()
	for _, it := range items {
		view, refs, err := encodeItem(it.Item)
		if err != nil {
			return err
		}
		res, err := up.ExecContext(t.ctx, it.Subtype, it.DisplayName, refs, view, it.ID)
		if err != nil {
			return fmt.Errorf("update the view of item %d: %w", it.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("update the view of item %d: no such item", it.ID)
		}
		if err := idx.index(t, it.ID, it.Item); err != nil {
			return err
		}
	}
	return nil
}

// ItemsWithoutView returns up to limit items stored before views existed,
// with ids above after, oldest first.
func (t *Tx) ItemsWithoutView(after int64, limit int) ([]inventory.LegacyItem, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+qualifiedItemColumns+`, i.legacy_attributes, s.source_kind, s.started_at
		FROM items i JOIN snapshots s ON s.id = i.snapshot_id
		WHERE i.view IS NULL AND i.id > ? ORDER BY i.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list items without a view: %w", err)
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

// scanLegacyItem reads the item columns followed by its legacy fields, its
// snapshot's source kind and start time.
func scanLegacyItem(row interface{ Scan(...any) error }) (inventory.LegacyItem, error) {
	var (
		li              inventory.LegacyItem
		legacy, started string
		kind            string
	)
	it, err := scanItem(row, &legacy, &kind, &started)
	if err != nil {
		return li, err
	}
	li.StoredItem, li.SourceKind = it, workspace.SourceKind(kind)
	if li.CollectedAt, err = parseTime(started); err != nil {
		return li, err
	}
	if err := json.Unmarshal([]byte(legacy), &li.Legacy); err != nil {
		return li, fmt.Errorf("decode the legacy fields of item %d: %w", it.ID, err)
	}
	return li, nil
}

// UnresolvedAssignments returns a snapshot's assignments whose view could
// not name its application or principal.
func (t *Tx) UnresolvedAssignments(snapshotID string) ([]inventory.StoredItem, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+qualifiedItemColumns+` FROM items i
		WHERE i.snapshot_id = ? AND i.kind = ? AND json_array_length(i.view, '$.assignment.unresolved') > 0 ORDER BY i.id`,
		snapshotID, string(inventory.KindAssignment))
	if err != nil {
		return nil, fmt.Errorf("list unresolved assignments: %w", err)
	}
	defer rows.Close()
	var out []inventory.StoredItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ItemNames returns the display names of a snapshot's items of kind by
// source id; ids the snapshot lacks are absent.
func (t *Tx) ItemNames(snapshotID string, kind inventory.Kind, sourceIDs []string) (map[string]string, error) {
	out := map[string]string{}
	const chunk = 500
	for start := 0; start < len(sourceIDs); start += chunk {
		ids := sourceIDs[start:min(start+chunk, len(sourceIDs))]
		args := []any{snapshotID, string(kind)}
		for _, id := range ids {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, `SELECT source_id, display_name FROM items WHERE snapshot_id = ? AND kind = ?
			AND source_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read item names: %w", err)
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read item names: %w", err)
			}
			out[id] = name
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read item names: %w", err)
		}
	}
	return out, nil
}

func nonNilRefs(r []inventory.Ref) []inventory.Ref {
	if r == nil {
		return []inventory.Ref{}
	}
	return r
}

// CountItems returns a snapshot's stored items by kind and its page count.
func (t *Tx) CountItems(snapshotID string) (map[inventory.Kind]int, int, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT kind, count(*) FROM items WHERE snapshot_id = ? GROUP BY kind`, snapshotID)
	if err != nil {
		return nil, 0, fmt.Errorf("count items: %w", err)
	}
	defer rows.Close()
	counts := map[inventory.Kind]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, 0, fmt.Errorf("count items: %w", err)
		}
		counts[inventory.Kind(kind)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("count items: %w", err)
	}
	var pages int
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM evidence_pages WHERE snapshot_id = ?`, snapshotID).Scan(&pages); err != nil {
		return nil, 0, fmt.Errorf("count evidence pages: %w", err)
	}
	return counts, pages, nil
}

var sortColumns = map[string]string{
	"":             "i.display_name COLLATE NOCASE",
	"display_name": "i.display_name COLLATE NOCASE",
	"kind":         "i.kind",
	"subtype":      "i.subtype",
	"source_id":    "i.source_id",
}

// ftsQuery turns what a person typed into an FTS5 query: every word must
// match as a prefix. Words are quoted, so FTS5 syntax characters in the
// input are searched for, not interpreted.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	parts := make([]string, 0, len(words))
	for _, w := range words {
		parts = append(parts, `"`+w+`"*`)
	}
	return strings.Join(parts, " ")
}

// QueryItems returns one window of a snapshot's items, filtered and sorted.
func (t *Tx) QueryItems(q inventory.ItemQuery) (inventory.ItemPage, error) {
	order, ok := sortColumns[q.SortBy]
	if !ok {
		return inventory.ItemPage{}, fmt.Errorf("cannot sort items by %q", q.SortBy)
	}
	if q.Descending {
		order += " DESC"
	}
	// With a text filter the full-text index drives the query (CROSS JOIN
	// fixes the join order): it yields the few matching rows, where probing
	// it for every item of a large snapshot would cost a full scan.
	from, where := "items i", "i.snapshot_id = ?"
	args := []any{q.SnapshotID}
	if match := ftsQuery(q.Text); match != "" {
		from = "items_fts CROSS JOIN items i ON i.id = items_fts.rowid"
		where = "items_fts MATCH ? AND " + where
		args = []any{match, q.SnapshotID}
	} else if strings.TrimSpace(q.Text) != "" {
		return inventory.ItemPage{Items: []inventory.StoredItem{}}, nil // only punctuation: nothing can match
	}
	if q.Kind != "" {
		where += " AND i.kind = ?"
		args = append(args, string(q.Kind))
	}
	var page inventory.ItemPage
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+where+` LIMIT ?)`,
		append(args, inventory.MaxCount+1)...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count matching items: %w", err)
	}
	if page.Total > inventory.MaxCount {
		page.Total, page.Capped = inventory.MaxCount, true
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+qualifiedItemColumns+` FROM `+from+` WHERE `+where+
		` ORDER BY `+order+`, i.id LIMIT ? OFFSET ?`, append(args, limit, q.Offset)...)
	if err != nil {
		return page, fmt.Errorf("query items: %w", err)
	}
	defer rows.Close()
	page.Items = []inventory.StoredItem{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, it)
	}
	return page, rows.Err()
}

const (
	itemColumns          = `id, snapshot_id, kind, source_id, subtype, display_name, view, refs, raw, evidence_page`
	qualifiedItemColumns = `i.id, i.snapshot_id, i.kind, i.source_id, i.subtype, i.display_name, i.view, i.refs, i.raw, i.evidence_page`
)

// scanItem reads the item columns, then extra into the given destinations.
// An item stored before views has a missing view.
func scanItem(row interface{ Scan(...any) error }, extra ...any) (inventory.StoredItem, error) {
	var (
		it   inventory.StoredItem
		kind string
		view sql.NullString
		refs string
		raw  []byte
	)
	dest := append([]any{&it.ID, &it.SnapshotID, &kind, &it.SourceID, &it.Subtype, &it.DisplayName,
		&view, &refs, &raw, &it.EvidencePage}, extra...)
	if err := row.Scan(dest...); err != nil {
		return it, fmt.Errorf("read item: %w", err)
	}
	it.Kind, it.Raw = inventory.Kind(kind), raw
	if view.Valid {
		if err := json.Unmarshal([]byte(view.String), &it.View); err != nil {
			return it, fmt.Errorf("decode the view of item %d: %w", it.ID, err)
		}
	} else {
		it.View.Unbuilt = inventory.ViewNotBuiltYet
	}
	if err := json.Unmarshal([]byte(refs), &it.Refs); err != nil {
		return it, fmt.Errorf("decode refs of item %d: %w", it.ID, err)
	}
	return it, nil
}

// Item returns one stored item of a snapshot.
func (t *Tx) Item(snapshotID string, id int64) (inventory.StoredItem, error) {
	it, err := scanItem(t.tx.QueryRowContext(t.ctx, `SELECT `+itemColumns+` FROM items WHERE snapshot_id = ? AND id = ?`, snapshotID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("item %d is not in snapshot %s", id, snapshotID)
	}
	return it, err
}

// Pages returns a snapshot's evidence pages in fetch order.
func (t *Tx) Pages(snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error) {
	body := "NULL"
	if withBodies {
		body = "b.body"
	}
	query := `SELECT p.page_id, p.domain, p.method, p.endpoint, p.query, p.page_number, p.status, p.fetched_at,
		p.bytes, p.sha256, ` + body + `, length(b.body), coalesce(b.stored_sha256, ''), b.redactions
		FROM evidence_pages p JOIN page_bodies b ON b.sha256 = p.sha256
		WHERE p.snapshot_id = ?`
	args := []any{snapshotID}
	if len(ids) > 0 {
		query += ` AND p.page_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := t.tx.QueryContext(t.ctx, query+` ORDER BY p.page_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read evidence pages: %w", err)
	}
	defer rows.Close()
	var out []inventory.Page
	for rows.Next() {
		var p inventory.Page
		var fetched string
		var redactions sql.NullString
		if err := rows.Scan(&p.PageID, &p.Domain, &p.Method, &p.Endpoint, &p.Query, &p.PageNumber, &p.Status,
			&fetched, &p.Bytes, &p.SHA256, &p.Body, &p.StoredBytes, &p.StoredSHA256, &redactions); err != nil {
			return nil, fmt.Errorf("read evidence page: %w", err)
		}
		if redactions.Valid {
			if err := json.Unmarshal([]byte(redactions.String), &p.Redactions); err != nil {
				return nil, fmt.Errorf("decode the redaction record of evidence page %d: %w", p.PageID, err)
			}
		}
		if p.FetchedAt, err = parseTime(fetched); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
