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
// (group, member) pair once. A batch is written with a few multi-row
// statements, not three per member: a collection stores hundreds of
// thousands of pairs.
func (t *Tx) SaveMembers(snapshotID string, members []inventory.Member) error {
	if len(members) == 0 {
		return nil
	}
	var groupIDs, memberIDs []string
	firstOf := map[string]inventory.Member{}
	seenGroup := map[string]bool{}
	for _, m := range members {
		if !seenGroup[m.GroupID] {
			seenGroup[m.GroupID] = true
			groupIDs = append(groupIDs, m.GroupID)
		}
		if _, ok := firstOf[m.SourceID]; !ok {
			firstOf[m.SourceID] = m
			memberIDs = append(memberIDs, m.SourceID)
		}
	}
	groups, err := t.keys(snapshotID, "membership_groups", "group_id", groupIDs, `(snapshot_id, group_id)`, 2,
		func(id string) []any { return []any{snapshotID, id} })
	if err != nil {
		return fmt.Errorf("store the groups of %d memberships: %w", len(members), err)
	}
	principals, err := t.keys(snapshotID, "membership_principals", "source_id", memberIDs,
		`(snapshot_id, source_id, type, vendor_type, login, email, display_name, state, vendor_status, email_key, login_key, evidence_page)`, 12,
		func(id string) []any {
			m := firstOf[id]
			return []any{snapshotID, m.SourceID, string(m.Type), m.VendorType, m.Login, m.Email, m.DisplayName, string(m.State),
				m.VendorStatus, inventory.CanonicalEmail(m.Email), inventory.CanonicalEmail(m.Login), m.EvidencePage}
		})
	if err != nil {
		return fmt.Errorf("store %d group members: %w", len(memberIDs), err)
	}
	const rowsPerInsert = 300
	for start := 0; start < len(members); start += rowsPerInsert {
		chunk := members[start:min(start+rowsPerInsert, len(members))]
		args := make([]any, 0, 3*len(chunk))
		for _, m := range chunk {
			args = append(args, groups[m.GroupID], principals[m.SourceID], m.EvidencePage)
		}
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO memberships (group_pk, principal_pk, evidence_page) VALUES `+
			placeholders(len(chunk), 3)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("store %d group memberships: %w", len(chunk), err)
		}
	}
	return nil
}

// keys returns the primary keys of a snapshot's rows of table whose column
// idCol holds ids: rows already stored are looked up, the others inserted
// (columns, with values(id) for each), several per statement.
func (t *Tx) keys(snapshotID, table, idCol string, ids []string, columns string, ncols int, values func(id string) []any) (map[string]int64, error) {
	keys := make(map[string]int64, len(ids))
	scan := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id string
			var pk int64
			if err := rows.Scan(&id, &pk); err != nil {
				return err
			}
			keys[id] = pk
		}
		return rows.Err()
	}
	const idsPerQuery = 500
	for start := 0; start < len(ids); start += idsPerQuery {
		chunk := ids[start:min(start+idsPerQuery, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, snapshotID)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, `SELECT `+idCol+`, pk FROM `+table+` WHERE snapshot_id = ? AND `+idCol+` IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
		if err := scan(rows); err != nil {
			return nil, err
		}
	}
	var fresh []string
	for _, id := range ids {
		if _, ok := keys[id]; !ok {
			fresh = append(fresh, id)
		}
	}
	rowsPerInsert := 2400 / ncols
	for start := 0; start < len(fresh); start += rowsPerInsert {
		chunk := fresh[start:min(start+rowsPerInsert, len(fresh))]
		args := make([]any, 0, ncols*len(chunk))
		for _, id := range chunk {
			args = append(args, values(id)...)
		}
		rows, err := t.tx.QueryContext(t.ctx, `INSERT INTO `+table+` `+columns+` VALUES `+placeholders(len(chunk), ncols)+
			` RETURNING `+idCol+`, pk`, args...)
		if err != nil {
			return nil, err
		}
		if err := scan(rows); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// placeholders is "(?, ?), (?, ?)" for rows rows of cols values.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
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
	// A window is ordered by label for people; the whole list (what an
	// expansion reads) in the order stored, which needs no sort of a
	// 100,000-member group.
	order, limit := `coalesce(nullif(p.email, ''), nullif(p.login, ''), nullif(p.display_name, ''), p.source_id) COLLATE NOCASE, p.pk`, q.Limit
	if limit <= 0 {
		order, limit = `m.principal_pk`, -1
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+principalColumns+`, m.evidence_page FROM memberships m
		JOIN membership_principals p ON p.pk = m.principal_pk WHERE m.group_pk = ?
		ORDER BY `+order+` LIMIT ? OFFSET ?`, gpk, limit, q.Offset)
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

// EachMember streams a snapshot's members of type typ, each once with
// the ids of the groups it is directly in, in the order they were first
// stored. fn must not use tx.
func (t *Tx) EachMember(snapshotID string, typ inventory.MemberType, fn func(m inventory.Member, groups []string) error) error {
	// One row per member, its groups joined by the unit separator (which no
	// vendor id holds).
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+principalColumns+`, p.evidence_page,
		(SELECT group_concat(g.group_id, char(31)) FROM memberships m JOIN membership_groups g ON g.pk = m.group_pk WHERE m.principal_pk = p.pk)
		FROM membership_principals p WHERE p.snapshot_id = ? AND p.type = ? ORDER BY p.pk`, snapshotID, string(typ))
	if err != nil {
		return fmt.Errorf("read the %s members of snapshot %s: %w", typ, snapshotID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m inventory.Member
		var groups sql.NullString
		if err := scanPrincipal(rows, &m, &m.EvidencePage, &groups); err != nil {
			return err
		}
		var ids []string
		if groups.Valid {
			ids = strings.Split(groups.String, "\x1f")
		}
		if err := fn(m, ids); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the %s members of snapshot %s: %w", typ, snapshotID, err)
	}
	return nil
}
