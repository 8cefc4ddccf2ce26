package workspacedb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ assessment.Tx = (*Tx)(nil)

// AssessmentStore serves the assessment stage from db.
func AssessmentStore(db *DB) assessment.Store {
	return NewStage(db, func(t *Tx) assessment.Tx { return t })
}

const runColumns = `id, snapshot_id, source_id, source_name, source_kind, status, started_at, finished_at, heartbeat_at,
	owner, classifier_version, catalogue_version, counts, kind_counts, impact_counts, item_count, impact_count,
	unavoidable_change_count, carried_dispositions, error`

// impactCounts is how a run's impact tallies are stored.
type impactCounts struct {
	BySeverity map[assessment.Severity]int `json:"by_severity"`
	ByAudience map[assessment.Audience]int `json:"by_audience"`
}

func runArgs(r assessment.Run) ([]any, error) {
	counts, err := json.Marshal(nonNil(r.Counts))
	if err != nil {
		return nil, err
	}
	kinds, err := json.Marshal(nonNil(r.KindCounts))
	if err != nil {
		return nil, err
	}
	impacts, err := json.Marshal(impactCounts{BySeverity: nonNil(r.ImpactsBySeverity), ByAudience: nonNil(r.ImpactsByAudience)})
	if err != nil {
		return nil, err
	}
	return []any{string(counts), string(kinds), string(impacts)}, nil
}

func nonNil[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// InsertAssessmentRun stores a new run; the partial unique index turns a second
// assessing run of one snapshot into assessment.ErrRunActive.
func (t *Tx) InsertAssessmentRun(r assessment.Run) error {
	enc, err := runArgs(r)
	if err != nil {
		return fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO assessment_runs (`+runColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.SnapshotID, r.SourceID, r.SourceName, string(r.SourceKind), string(r.Status), formatTime(r.StartedAt),
		formatOptTime(r.FinishedAt), formatTime(r.HeartbeatAt), r.Owner, r.ClassifierVersion, r.CatalogueVersion,
		enc[0], enc[1], enc[2], r.ItemCount, r.ImpactCount, r.UnavoidableChangeCount, r.CarriedDispositions, r.Error)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return assessment.ErrRunActive
	}
	if err != nil {
		return fmt.Errorf("insert assessment run: %w", err)
	}
	return nil
}

// UpdateAssessmentRun rewrites a run's mutable fields.
func (t *Tx) UpdateAssessmentRun(r assessment.Run) error {
	enc, err := runArgs(r)
	if err != nil {
		return fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE assessment_runs SET status = ?, finished_at = ?, heartbeat_at = ?,
		counts = ?, kind_counts = ?, impact_counts = ?, item_count = ?, impact_count = ?, unavoidable_change_count = ?,
		carried_dispositions = ?, error = ? WHERE id = ?`,
		string(r.Status), formatOptTime(r.FinishedAt), formatTime(r.HeartbeatAt), enc[0], enc[1], enc[2],
		r.ItemCount, r.ImpactCount, r.UnavoidableChangeCount, r.CarriedDispositions, r.Error, r.ID)
	if err != nil {
		return fmt.Errorf("update assessment run %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("assessment run %s: %w", r.ID, assessment.ErrRunNotFound)
	}
	return nil
}

func scanRun(row interface{ Scan(...any) error }) (assessment.Run, error) {
	var (
		r                              assessment.Run
		kind, status                   string
		started, heartbeat             string
		finished                       sql.NullString
		counts, kindCounts, impactJSON string
	)
	if err := row.Scan(&r.ID, &r.SnapshotID, &r.SourceID, &r.SourceName, &kind, &status, &started, &finished, &heartbeat,
		&r.Owner, &r.ClassifierVersion, &r.CatalogueVersion, &counts, &kindCounts, &impactJSON, &r.ItemCount, &r.ImpactCount,
		&r.UnavoidableChangeCount, &r.CarriedDispositions, &r.Error); err != nil {
		return r, err
	}
	r.SourceKind, r.Status = workspace.SourceKind(kind), assessment.Status(status)
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return r, err
	}
	if r.HeartbeatAt, err = parseTime(heartbeat); err != nil {
		return r, err
	}
	if r.FinishedAt, err = parseOptTime(finished); err != nil {
		return r, err
	}
	var ic impactCounts
	for _, dec := range []struct {
		s string
		v any
	}{{counts, &r.Counts}, {kindCounts, &r.KindCounts}, {impactJSON, &ic}} {
		if err := json.Unmarshal([]byte(dec.s), dec.v); err != nil {
			return r, fmt.Errorf("decode assessment run %s counts: %w", r.ID, err)
		}
	}
	r.ImpactsBySeverity, r.ImpactsByAudience = ic.BySeverity, ic.ByAudience
	return r, nil
}

// AssessmentRun returns one assessment run.
func (t *Tx) AssessmentRun(id string) (assessment.Run, error) {
	r, err := scanRun(t.tx.QueryRowContext(t.ctx, `SELECT `+runColumns+` FROM assessment_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("assessment run %s: %w", id, assessment.ErrRunNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read assessment run %s: %w", id, err)
	}
	return r, nil
}

// AssessmentRuns lists every assessment run, newest first.
func (t *Tx) AssessmentRuns() ([]assessment.Run, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+runColumns+` FROM assessment_runs ORDER BY pk DESC`)
	if err != nil {
		return nil, fmt.Errorf("list assessment runs: %w", err)
	}
	defer rows.Close()
	var out []assessment.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("read assessment run row: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ScanSnapshotItems pages one kind of a snapshot's items in source id order, on
// the (snapshot, kind, source id) unique index. Raw payloads are not read.
func (t *Tx) ScanSnapshotItems(snapshotID string, kind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+itemColumnsWithoutRaw+` FROM items
		WHERE snapshot_id = ? AND kind = ? AND source_id > ? ORDER BY source_id LIMIT ?`,
		snapshotID, string(kind), afterSourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s items: %w", kind, err)
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

// itemColumnsWithoutRaw reads an item as scanItem expects it, with an
// empty raw payload: a classifier reads views, not payloads.
var itemColumnsWithoutRaw = strings.Replace(itemColumns, "raw", "x'' AS raw", 1)

// SaveAssessmentResults stores a batch of results, the findings other than the
// deciding one, and the items each impact row touches.
func (t *Tx) SaveAssessmentResults(runID string, results []assessment.Result, impacts [][]int) error {
	res, err := t.tx.PrepareContext(t.ctx, `INSERT INTO assessment_results (run_id, item_id, kind, source_id, subtype,
		display_name, class, class_rank, rule_id, app_key, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare result insert: %w", err)
	}
	defer res.Close()
	fnd, err := t.tx.PrepareContext(t.ctx, `INSERT OR IGNORE INTO assessment_findings (run_id, rule_id, item_id) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare finding insert: %w", err)
	}
	defer fnd.Close()
	imp, err := t.tx.PrepareContext(t.ctx, `INSERT OR IGNORE INTO assessment_impact_items (run_id, ordinal, item_id) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare impact item insert: %w", err)
	}
	defer imp.Close()
	for i, r := range results {
		findings, err := json.Marshal(r.Findings)
		if err != nil {
			return fmt.Errorf("encode findings of %s %s: %w", r.Kind, r.SourceID, err)
		}
		if _, err := res.ExecContext(t.ctx, runID, r.ItemID, string(r.Kind), r.SourceID, r.Subtype, r.DisplayName,
			string(r.Class), r.Class.Rank(), r.RuleID, r.AppKey, string(findings)); err != nil {
			return fmt.Errorf("store result of %s %s: %w", r.Kind, r.SourceID, err)
		}
		for _, f := range r.Findings {
			if f.RuleID == r.RuleID {
				continue
			}
			if _, err := fnd.ExecContext(t.ctx, runID, f.RuleID, r.ItemID); err != nil {
				return fmt.Errorf("store finding %s of %s %s: %w", f.RuleID, r.Kind, r.SourceID, err)
			}
		}
		if i < len(impacts) {
			for _, o := range impacts[i] {
				if _, err := imp.ExecContext(t.ctx, runID, o, r.ItemID); err != nil {
					return fmt.Errorf("store impact of %s %s: %w", r.Kind, r.SourceID, err)
				}
			}
		}
	}
	return nil
}

// SaveAssessmentImpacts stores a run's impact rows.
func (t *Tx) SaveAssessmentImpacts(runID string, impacts []assessment.Impact, ordinals []int) error {
	for i, im := range impacts {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO assessment_impacts (run_id, ordinal, key, rule_id, audience,
			severity, summary, item_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, ordinals[i], im.Key, im.RuleID, string(im.Audience), string(im.Severity), im.Summary, im.ItemCount); err != nil {
			return fmt.Errorf("store impact %s: %w", im.Key, err)
		}
	}
	return nil
}

// SaveAssessmentAppLinks stores application links of routing rules and policies.
func (t *Tx) SaveAssessmentAppLinks(runID string, links []assessment.AppLink) error {
	for _, l := range links {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT OR IGNORE INTO assessment_app_links (run_id, app_source_id, item_id)
			VALUES (?, ?, ?)`, runID, l.AppSourceID, l.ItemID); err != nil {
			return fmt.Errorf("store application link: %w", err)
		}
	}
	return nil
}

const resultColumns = `r.run_id, r.item_id, r.kind, r.source_id, r.subtype, r.display_name, r.app_key, r.findings`

func scanResult(row interface{ Scan(...any) error }) (assessment.Result, error) {
	var (
		r        assessment.Result
		kind     string
		findings string
	)
	if err := row.Scan(&r.RunID, &r.ItemID, &kind, &r.SourceID, &r.Subtype, &r.DisplayName, &r.AppKey, &findings); err != nil {
		return r, err
	}
	r.Kind = inventory.Kind(kind)
	if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
		return r, fmt.Errorf("decode findings of item %d: %w", r.ItemID, err)
	}
	return assessment.Rebuild(r), nil
}

func (t *Tx) queryResults(query string, args ...any) ([]assessment.Result, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query results: %w", err)
	}
	defer rows.Close()
	out := []assessment.Result{}
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return nil, fmt.Errorf("read result: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

var resultOrder = map[string]string{
	"":             "r.class_rank DESC, r.display_name COLLATE NOCASE",
	"class":        "r.class_rank DESC, r.display_name COLLATE NOCASE",
	"display_name": "r.display_name COLLATE NOCASE",
	"kind":         "r.kind, r.display_name COLLATE NOCASE",
	"rule_id":      "r.rule_id, r.display_name COLLATE NOCASE",
}

var resultOrderDesc = map[string]string{
	"":             "r.class_rank, r.display_name COLLATE NOCASE DESC",
	"class":        "r.class_rank, r.display_name COLLATE NOCASE DESC",
	"display_name": "r.display_name COLLATE NOCASE DESC",
	"kind":         "r.kind DESC, r.display_name COLLATE NOCASE DESC",
	"rule_id":      "r.rule_id DESC, r.display_name COLLATE NOCASE DESC",
}

// QueryAssessmentResults returns one window of a run's results, filtered and sorted.
func (t *Tx) QueryAssessmentResults(q assessment.ResultQuery) (assessment.ResultPage, error) {
	orders := resultOrder
	if q.Descending {
		orders = resultOrderDesc
	}
	order, ok := orders[q.SortBy]
	if !ok {
		return assessment.ResultPage{}, fmt.Errorf("cannot sort results by %q", q.SortBy)
	}
	from, where := "assessment_results r", "r.run_id = ?"
	args := []any{q.RunID}
	if match := ftsQuery(q.Text); match != "" {
		// The full-text index of the snapshot's items drives the query.
		from = "items_fts CROSS JOIN assessment_results r ON r.run_id = ? AND r.item_id = items_fts.rowid"
		where = "items_fts MATCH ?"
		args = []any{q.RunID, match}
	} else if strings.TrimSpace(q.Text) != "" {
		return assessment.ResultPage{Results: []assessment.Result{}}, nil
	}
	if q.Class != "" {
		// class_rank, not class: the rank leads the listing index.
		where += " AND r.class_rank = ?"
		args = append(args, q.Class.Rank())
	}
	if q.Kind != "" {
		where += " AND r.kind = ?"
		args = append(args, string(q.Kind))
	}
	if q.RuleID != "" {
		// Two index lookups (the deciding rule, the other findings) rather
		// than an OR that would scan the run.
		where += ` AND r.item_id IN (SELECT item_id FROM assessment_results WHERE run_id = ? AND rule_id = ?
			UNION ALL SELECT item_id FROM assessment_findings WHERE run_id = ? AND rule_id = ?)`
		args = append(args, q.RunID, q.RuleID, q.RunID, q.RuleID)
	}
	var page assessment.ResultPage
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+where+` LIMIT ?)`,
		append(args, inventory.MaxCount+1)...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count matching results: %w", err)
	}
	if page.Total > inventory.MaxCount {
		page.Total, page.Capped = inventory.MaxCount, true
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var err error
	page.Results, err = t.queryResults(`SELECT `+resultColumns+` FROM `+from+` WHERE `+where+
		` ORDER BY `+order+`, r.item_id LIMIT ? OFFSET ?`, append(args, limit, q.Offset)...)
	return page, err
}

// AssessmentResult returns one item's result.
func (t *Tx) AssessmentResult(runID string, itemID int64) (assessment.Result, error) {
	rs, err := t.queryResults(`SELECT `+resultColumns+` FROM assessment_results r WHERE r.run_id = ? AND r.item_id = ?`, runID, itemID)
	if err != nil {
		return assessment.Result{}, err
	}
	if len(rs) == 0 {
		return assessment.Result{}, fmt.Errorf("item %d: %w", itemID, assessment.ErrResultNotFound)
	}
	return rs[0], nil
}

// AssessmentResultBySource returns the result of the item of kind with sourceID.
func (t *Tx) AssessmentResultBySource(runID string, kind inventory.Kind, sourceID string) (assessment.Result, error) {
	rs, err := t.queryResults(`SELECT `+resultColumns+` FROM assessment_results r
		WHERE r.run_id = ? AND r.kind = ? AND r.source_id = ?`, runID, string(kind), sourceID)
	if err != nil {
		return assessment.Result{}, err
	}
	if len(rs) == 0 {
		return assessment.Result{}, fmt.Errorf("%s %s: %w", kind, sourceID, assessment.ErrResultNotFound)
	}
	return rs[0], nil
}

// AssessmentResultsByKey pages a run's results in (kind, source id) order.
func (t *Tx) AssessmentResultsByKey(runID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]assessment.Result, error) {
	return t.queryResults(`SELECT `+resultColumns+` FROM assessment_results r
		WHERE r.run_id = ? AND (r.kind, r.source_id) > (?, ?) ORDER BY r.kind, r.source_id LIMIT ?`,
		runID, string(afterKind), afterSourceID, limit)
}

// AssessmentResultHeads returns a kind's result heads: no findings are decoded.
func (t *Tx) AssessmentResultHeads(runID string, kind inventory.Kind) ([]assessment.Result, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT item_id, source_id, subtype, display_name, class, rule_id, app_key
		FROM assessment_results WHERE run_id = ? AND kind = ? ORDER BY source_id`, runID, string(kind))
	if err != nil {
		return nil, fmt.Errorf("read %s results: %w", kind, err)
	}
	defer rows.Close()
	var out []assessment.Result
	for rows.Next() {
		r := assessment.Result{RunID: runID, Kind: kind}
		var class string
		if err := rows.Scan(&r.ItemID, &r.SourceID, &r.Subtype, &r.DisplayName, &class, &r.RuleID, &r.AppKey); err != nil {
			return nil, fmt.Errorf("read %s results: %w", kind, err)
		}
		r.Class = assessment.Class(class)
		out = append(out, r)
	}
	return out, rows.Err()
}

// AssessmentResultsOf returns the results of the given items.
func (t *Tx) AssessmentResultsOf(runID string, itemIDs []int64) ([]assessment.Result, error) {
	var out []assessment.Result
	for len(itemIDs) > 0 {
		n := min(len(itemIDs), 500)
		args := []any{runID}
		for _, id := range itemIDs[:n] {
			args = append(args, id)
		}
		rs, err := t.queryResults(`SELECT `+resultColumns+` FROM assessment_results r WHERE r.run_id = ? AND r.item_id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", n), ",")+`) ORDER BY r.item_id`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		itemIDs = itemIDs[n:]
	}
	return out, nil
}

// AssessmentAppMembers returns the results linked to applications.
func (t *Tx) AssessmentAppMembers(runID string, apps []string) ([]assessment.AppMember, error) {
	q := `SELECT l.app_source_id, ` + resultColumns + ` FROM assessment_app_links l
		JOIN assessment_results r ON r.run_id = l.run_id AND r.item_id = l.item_id WHERE l.run_id = ?`
	args := []any{runID}
	if apps != nil {
		if len(apps) == 0 {
			return nil, nil
		}
		q += ` AND l.app_source_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(apps)), ",") + `)`
		for _, a := range apps {
			args = append(args, a)
		}
	}
	rows, err := t.tx.QueryContext(t.ctx, q+` ORDER BY l.app_source_id, r.item_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read application links: %w", err)
	}
	defer rows.Close()
	var out []assessment.AppMember
	for rows.Next() {
		var app string
		var r assessment.Result
		var kind, findings string
		if err := rows.Scan(&app, &r.RunID, &r.ItemID, &kind, &r.SourceID, &r.Subtype, &r.DisplayName, &r.AppKey, &findings); err != nil {
			return nil, fmt.Errorf("read application link: %w", err)
		}
		r.Kind = inventory.Kind(kind)
		if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
			return nil, fmt.Errorf("decode findings of item %d: %w", r.ItemID, err)
		}
		out = append(out, assessment.AppMember{App: app, Result: assessment.Rebuild(r)})
	}
	return out, rows.Err()
}

// AssessmentAppClassCounts counts a run's results by app key and class, for results
// that belong to an application (on the partial app-key index).
func (t *Tx) AssessmentAppClassCounts(runID string) (map[string]map[assessment.Class]int, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT app_key, class, count(*) FROM assessment_results
		WHERE run_id = ? AND app_key <> '' GROUP BY app_key, class`, runID)
	if err != nil {
		return nil, fmt.Errorf("count results by application: %w", err)
	}
	defer rows.Close()
	byApp := map[string]map[assessment.Class]int{}
	for rows.Next() {
		var key, class string
		var n int
		if err := rows.Scan(&key, &class, &n); err != nil {
			return nil, fmt.Errorf("count results by application: %w", err)
		}
		if byApp[key] == nil {
			byApp[key] = map[assessment.Class]int{}
		}
		byApp[key][assessment.Class(class)] = n
	}
	return byApp, rows.Err()
}

// QueryAssessmentImpacts lists a run's impact rows, most severe first, each with up
// to q.ItemLimit of its items (-1: all).
func (t *Tx) QueryAssessmentImpacts(q assessment.ImpactQuery) ([]assessment.Impact, error) {
	where, args := "run_id = ?", []any{q.RunID}
	if q.Audience != "" {
		where += " AND audience = ?"
		args = append(args, string(q.Audience))
	}
	if q.Severity != "" {
		where += " AND severity = ?"
		args = append(args, string(q.Severity))
	}
	if q.RuleID != "" {
		where += " AND rule_id = ?"
		args = append(args, q.RuleID)
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT ordinal, key, rule_id, audience, severity, summary, item_count
		FROM assessment_impacts WHERE `+where+`
		ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, audience, rule_id, summary`, args...)
	if err != nil {
		return nil, fmt.Errorf("read impacts: %w", err)
	}
	var out []assessment.Impact
	var ordinals []int
	for rows.Next() {
		im := assessment.Impact{RunID: q.RunID}
		var o int
		var aud, sev string
		if err := rows.Scan(&o, &im.Key, &im.RuleID, &aud, &sev, &im.Summary, &im.ItemCount); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read impact: %w", err)
		}
		im.Audience, im.Severity = assessment.Audience(aud), assessment.Severity(sev)
		out = append(out, im)
		ordinals = append(ordinals, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read impacts: %w", err)
	}
	for i := range out {
		items, err := t.impactItems(q.RunID, ordinals[i], q.ItemLimit)
		if err != nil {
			return nil, err
		}
		out[i].Items = items
	}
	return out, nil
}

func (t *Tx) impactItems(runID string, ordinal, limit int) ([]assessment.ItemRef, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT r.item_id, r.source_id, r.kind, r.display_name, r.class
		FROM assessment_impact_items i JOIN assessment_results r ON r.run_id = i.run_id AND r.item_id = i.item_id
		WHERE i.run_id = ? AND i.ordinal = ? ORDER BY i.item_id LIMIT ?`, runID, ordinal, limit)
	if err != nil {
		return nil, fmt.Errorf("read impact items: %w", err)
	}
	defer rows.Close()
	out := []assessment.ItemRef{}
	for rows.Next() {
		var ref assessment.ItemRef
		var kind, class string
		if err := rows.Scan(&ref.ItemID, &ref.SourceID, &kind, &ref.DisplayName, &class); err != nil {
			return nil, fmt.Errorf("read impact item: %w", err)
		}
		ref.Kind, ref.Class = inventory.Kind(kind), assessment.Class(class)
		out = append(out, ref)
	}
	return out, rows.Err()
}

// SaveAssessmentDisposition stores (or replaces) a finding's disposition.
func (t *Tx) SaveAssessmentDisposition(d assessment.Disposition) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO assessment_dispositions (run_id, item_id, kind, source_id, rule_id,
		fingerprint, disposition, note, owner, review_date, set_by, set_at, carried_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (run_id, item_id, rule_id) DO UPDATE SET fingerprint = excluded.fingerprint,
		disposition = excluded.disposition, note = excluded.note, owner = excluded.owner,
		review_date = excluded.review_date, set_by = excluded.set_by, set_at = excluded.set_at,
		carried_from = excluded.carried_from`,
		d.RunID, d.ItemID, string(d.Kind), d.SourceID, d.RuleID, d.Fingerprint, string(d.Disposition), d.Note, d.Owner,
		d.ReviewDate, d.SetBy, formatTime(d.SetAt), d.CarriedFrom)
	if err != nil {
		return fmt.Errorf("store disposition of %s on item %d: %w", d.RuleID, d.ItemID, err)
	}
	return nil
}

// DeleteAssessmentDisposition removes a finding's disposition; removing none is not
// an error.
func (t *Tx) DeleteAssessmentDisposition(runID string, itemID int64, ruleID string) error {
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM assessment_dispositions WHERE run_id = ? AND item_id = ? AND rule_id = ?`,
		runID, itemID, ruleID); err != nil {
		return fmt.Errorf("remove disposition of %s on item %d: %w", ruleID, itemID, err)
	}
	return nil
}

// AssessmentDispositions lists a run's dispositions by item id, then rule id.
func (t *Tx) AssessmentDispositions(runID string) ([]assessment.Disposition, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT run_id, item_id, kind, source_id, rule_id, fingerprint, disposition,
		note, owner, review_date, set_by, set_at, carried_from FROM assessment_dispositions WHERE run_id = ?
		ORDER BY item_id, rule_id`, runID)
	if err != nil {
		return nil, fmt.Errorf("read dispositions: %w", err)
	}
	defer rows.Close()
	var out []assessment.Disposition
	for rows.Next() {
		var d assessment.Disposition
		var kind, disp, setAt string
		if err := rows.Scan(&d.RunID, &d.ItemID, &kind, &d.SourceID, &d.RuleID, &d.Fingerprint, &disp, &d.Note, &d.Owner,
			&d.ReviewDate, &d.SetBy, &setAt, &d.CarriedFrom); err != nil {
			return nil, fmt.Errorf("read disposition: %w", err)
		}
		d.Kind, d.Disposition = inventory.Kind(kind), assessment.DispositionKind(disp)
		if d.SetAt, err = parseTime(setAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
