package workspacedb

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// SaveMembers stores group members: each member once per snapshot (the
// first listing that names it gives its facts), each group once, and each
// (group, member) pair once.
func (t *Tx) SaveMembers(snapshotID string, members []inventory.Member) error {
	if len(members) == 0 {
		return nil
	}
	w, err := t.memberWriter(snapshotID)
	if err != nil {
		return err
	}
	defer w.close()
	for _, m := range members {
		g, err := w.group(m.GroupID)
		if err != nil {
			return err
		}
		p, err := w.principal(m)
		if err != nil {
			return err
		}
		if _, err := w.pair.ExecContext(t.ctx, g, p, m.EvidencePage); err != nil {
			return fmt.Errorf("store group %s member %s: %w", m.GroupID, m.SourceID, err)
		}
	}
	return nil
}

// memberWriter holds one batch's prepared statements and the group keys it
// has resolved.
type memberWriter struct {
	t                  *Tx
	snapshotID         string
	groups             map[string]int64
	insGroup, getGroup *sql.Stmt
	insPrinc, getPrinc *sql.Stmt
	pair               *sql.Stmt
	stmts              []*sql.Stmt
}

func (t *Tx) memberWriter(snapshotID string) (*memberWriter, error) {
	w := &memberWriter{t: t, snapshotID: snapshotID, groups: map[string]int64{}}
	for _, s := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.insGroup, `INSERT INTO membership_groups (snapshot_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING pk`},
		{&w.getGroup, `SELECT pk FROM membership_groups WHERE snapshot_id = ? AND group_id = ?`},
		{&w.insPrinc, `INSERT INTO membership_principals (snapshot_id, source_id, type, vendor_type, login, email, display_name,
			state, vendor_status, email_key, login_key, evidence_page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING pk`},
		{&w.getPrinc, `SELECT pk FROM membership_principals WHERE snapshot_id = ? AND source_id = ?`},
		{&w.pair, `INSERT INTO memberships (group_pk, principal_pk, evidence_page) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`},
	} {
		st, err := t.tx.PrepareContext(t.ctx, s.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare membership statements: %w", err)
		}
		*s.dst = st
		w.stmts = append(w.stmts, st)
	}
	return w, nil
}

func (w *memberWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

// upsert inserts a row or finds the one already there, returning its key.
func (w *memberWriter) upsert(ins, get *sql.Stmt, key string, args ...any) (int64, error) {
	var pk int64
	err := ins.QueryRowContext(w.t.ctx, args...).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		err = get.QueryRowContext(w.t.ctx, w.snapshotID, key).Scan(&pk)
	}
	return pk, err
}

func (w *memberWriter) group(groupID string) (int64, error) {
	if pk, ok := w.groups[groupID]; ok {
		return pk, nil
	}
	pk, err := w.upsert(w.insGroup, w.getGroup, groupID, w.snapshotID, groupID)
	if err != nil {
		return 0, fmt.Errorf("store group %s of the membership: %w", groupID, err)
	}
	w.groups[groupID] = pk
	return pk, nil
}

func (w *memberWriter) principal(m inventory.Member) (int64, error) {
	pk, err := w.upsert(w.insPrinc, w.getPrinc, m.SourceID, w.snapshotID, m.SourceID, string(m.Type), m.VendorType, m.Login,
		m.Email, m.DisplayName, string(m.State), m.VendorStatus, inventory.CanonicalEmail(m.Email), inventory.CanonicalEmail(m.Login), m.EvidencePage)
	if err != nil {
		return 0, fmt.Errorf("store group member %s: %w", m.SourceID, err)
	}
	return pk, nil
}

// SaveMemberListings records each group's listing as read to its end.
func (t *Tx) SaveMemberListings(snapshotID string, listings []inventory.MemberListing) error {
	for _, l := range listings {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO membership_groups (snapshot_id, group_id, members) VALUES (?, ?, ?)
			ON CONFLICT (snapshot_id, group_id) DO UPDATE SET members = excluded.members`, snapshotID, l.GroupID, l.Members); err != nil {
			return fmt.Errorf("record the member listing of group %s: %w", l.GroupID, err)
		}
	}
	return nil
}

// MembershipSummary counts what a snapshot holds of group membership.
func (t *Tx) MembershipSummary(snapshotID string) (inventory.MembershipSummary, error) {
	sum := inventory.MembershipSummary{Members: map[inventory.MemberType]int{}}
	q := func(query string, dst ...any) error {
		if err := t.tx.QueryRowContext(t.ctx, query, snapshotID).Scan(dst...); err != nil {
			return fmt.Errorf("count the membership of snapshot %s: %w", snapshotID, err)
		}
		return nil
	}
	if err := q(`SELECT count(*) FROM items WHERE snapshot_id = ? AND kind = 'group'`, &sum.Groups); err != nil {
		return sum, err
	}
	if err := q(`SELECT count(*) FROM membership_groups WHERE snapshot_id = ? AND members IS NOT NULL`, &sum.Listed); err != nil {
		return sum, err
	}
	if err := q(`SELECT count(*) FROM memberships m JOIN membership_groups g ON g.pk = m.group_pk WHERE g.snapshot_id = ?`, &sum.Memberships); err != nil {
		return sum, err
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT type, count(*) FROM membership_principals WHERE snapshot_id = ? GROUP BY type`, snapshotID)
	if err != nil {
		return sum, fmt.Errorf("count the members of snapshot %s: %w", snapshotID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ string
		var n int
		if err := rows.Scan(&typ, &n); err != nil {
			return sum, fmt.Errorf("count the members of snapshot %s: %w", snapshotID, err)
		}
		sum.Members[inventory.MemberType(typ)] = n
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("count the members of snapshot %s: %w", snapshotID, err)
	}
	// Every group listed, and at least one listing read (a snapshot with
	// no group says nothing either way).
	sum.Collected = sum.Listed > 0 && sum.Listed >= sum.Groups
	return sum, nil
}

// FindGroups returns the snapshot's groups with source id ref, or named ref
// up to case.
func (t *Tx) FindGroups(snapshotID, ref string) ([]inventory.GroupRef, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT source_id, display_name FROM items WHERE snapshot_id = ? AND kind = 'group' AND source_id = ?
		UNION SELECT source_id, display_name FROM items WHERE snapshot_id = ? AND kind = 'group' AND display_name = ? COLLATE NOCASE
		ORDER BY 2, 1`, snapshotID, ref, snapshotID, ref)
	if err != nil {
		return nil, fmt.Errorf("find group %q: %w", ref, err)
	}
	defer rows.Close()
	var out []inventory.GroupRef
	for rows.Next() {
		var g inventory.GroupRef
		if err := rows.Scan(&g.SourceID, &g.Name); err != nil {
			return nil, fmt.Errorf("find group %q: %w", ref, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find group %q: %w", ref, err)
	}
	// An exact id wins over a name that happens to equal it.
	for _, g := range out {
		if g.SourceID == ref {
			return []inventory.GroupRef{g}, nil
		}
	}
	return out, nil
}

const principalColumns = `p.source_id, p.type, p.vendor_type, p.login, p.email, p.display_name, p.state, p.vendor_status`

func scanPrincipal(row interface{ Scan(...any) error }, m *inventory.Member, extra ...any) error {
	var typ, state string
	dest := append([]any{&m.SourceID, &typ, &m.VendorType, &m.Login, &m.Email, &m.DisplayName, &state, &m.VendorStatus}, extra...)
	if err := row.Scan(dest...); err != nil {
		return fmt.Errorf("read group member: %w", err)
	}
	m.Type, m.State = inventory.MemberType(typ), inventory.State(state)
	return nil
}

// GroupMembers returns a window of a group's direct members, ordered by
// label, and whether its listing was read to its end.
func (t *Tx) GroupMembers(q inventory.MemberQuery) (inventory.MemberPage, bool, error) {
	page := inventory.MemberPage{Members: []inventory.Member{}}
	var gpk int64
	var listed sql.NullInt64
	err := t.tx.QueryRowContext(t.ctx, `SELECT pk, members FROM membership_groups WHERE snapshot_id = ? AND group_id = ?`,
		q.SnapshotID, q.GroupID).Scan(&gpk, &listed)
	if errors.Is(err, sql.ErrNoRows) {
		return page, false, nil
	}
	if err != nil {
		return page, false, fmt.Errorf("read the members of group %s: %w", q.GroupID, err)
	}
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM memberships WHERE group_pk = ?`, gpk).Scan(&page.Total); err != nil {
		return page, false, fmt.Errorf("count the members of group %s: %w", q.GroupID, err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+principalColumns+`, m.evidence_page FROM memberships m
		JOIN membership_principals p ON p.pk = m.principal_pk WHERE m.group_pk = ?
		ORDER BY coalesce(nullif(p.email, ''), nullif(p.login, ''), nullif(p.display_name, ''), p.source_id) COLLATE NOCASE, p.pk
		LIMIT ? OFFSET ?`, gpk, limit, q.Offset)
	if err != nil {
		return page, false, fmt.Errorf("read the members of group %s: %w", q.GroupID, err)
	}
	defer rows.Close()
	for rows.Next() {
		m := inventory.Member{GroupID: q.GroupID}
		if err := scanPrincipal(rows, &m, &m.EvidencePage); err != nil {
			return page, false, err
		}
		page.Members = append(page.Members, m)
	}
	return page, listed.Valid, rows.Err()
}

// MemberGroups finds the members a person is known by (source id, or
// canonical email or login) and the groups each is directly in.
func (t *Tx) MemberGroups(snapshotID, who string) ([]inventory.MemberOf, error) {
	who = strings.TrimSpace(who)
	key := inventory.CanonicalEmail(who)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+principalColumns+`, p.evidence_page, g.group_id, coalesce(i.display_name, '')
		FROM membership_principals p
		JOIN memberships m ON m.principal_pk = p.pk
		JOIN membership_groups g ON g.pk = m.group_pk
		LEFT JOIN items i ON i.snapshot_id = g.snapshot_id AND i.kind = 'group' AND i.source_id = g.group_id
		WHERE p.pk IN (
			SELECT pk FROM membership_principals WHERE snapshot_id = ?1 AND source_id = ?2
			UNION SELECT pk FROM membership_principals WHERE snapshot_id = ?1 AND email_key = ?3 AND ?3 <> ''
			UNION SELECT pk FROM membership_principals WHERE snapshot_id = ?1 AND login_key = ?3 AND ?3 <> '')
		ORDER BY p.pk`, snapshotID, who, key)
	if err != nil {
		return nil, fmt.Errorf("find the groups of %q: %w", who, err)
	}
	defer rows.Close()
	var out []inventory.MemberOf
	for rows.Next() {
		var m inventory.Member
		var g inventory.GroupRef
		if err := scanPrincipal(rows, &m, &m.EvidencePage, &g.SourceID, &g.Name); err != nil {
			return nil, err
		}
		if g.Name == "" {
			g.Name = g.SourceID
		}
		if n := len(out); n == 0 || out[n-1].Member.SourceID != m.SourceID {
			out = append(out, inventory.MemberOf{Member: m})
		}
		last := &out[len(out)-1]
		last.Groups = append(last.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find the groups of %q: %w", who, err)
	}
	for _, mo := range out {
		sort.Slice(mo.Groups, func(i, j int) bool { return strings.ToLower(mo.Groups[i].Name) < strings.ToLower(mo.Groups[j].Name) })
	}
	return out, nil
}

// EachMember streams a snapshot's members of type typ, each once with the
// ids of the groups it is directly in, in the order they were first
// stored. fn must not use tx.
func (t *Tx) EachMember(snapshotID string, typ inventory.MemberType, fn func(m inventory.Member, groups []string) error) error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+principalColumns+`, p.evidence_page, p.pk, g.group_id
		FROM membership_principals p
		JOIN memberships m ON m.principal_pk = p.pk
		JOIN membership_groups g ON g.pk = m.group_pk
		WHERE p.snapshot_id = ? AND p.type = ? ORDER BY p.pk`, snapshotID, string(typ))
	if err != nil {
		return fmt.Errorf("read the %s members of snapshot %s: %w", typ, snapshotID, err)
	}
	defer rows.Close()
	var (
		cur    inventory.Member
		curPK  int64 = -1
		groups []string
	)
	for rows.Next() {
		var m inventory.Member
		var pk int64
		var g string
		if err := scanPrincipal(rows, &m, &m.EvidencePage, &pk, &g); err != nil {
			return err
		}
		if pk != curPK {
			if curPK >= 0 {
				if err := fn(cur, groups); err != nil {
					return err
				}
			}
			cur, curPK, groups = m, pk, groups[:0:0]
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the %s members of snapshot %s: %w", typ, snapshotID, err)
	}
	if curPK >= 0 {
		return fn(cur, groups)
	}
	return nil
}
