package workspacedb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/workspace"
)

var _ merge.Tx = (*Tx)(nil)

// MergeStore serves merge review from db.
func MergeStore(db *DB) merge.Store {
	return NewStage(db, func(t *Tx) merge.Tx { return t })
}

// ItemViews reads the given items of a snapshot without raw payloads.
func (t *Tx) ItemViews(snapshotID string, ids []int64) ([]inventory.StoredItem, error) {
	var out []inventory.StoredItem
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{snapshotID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, `SELECT `+itemColumnsWithoutRaw+` FROM items WHERE snapshot_id = ? AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read items of snapshot %s: %w", snapshotID, err)
		}
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ItemBySource reads one item of a snapshot by kind and source id, without
// its raw payload.
func (t *Tx) ItemBySource(snapshotID string, kind inventory.Kind, sourceID string) (inventory.StoredItem, bool, error) {
	it, err := scanItem(t.tx.QueryRowContext(t.ctx, `SELECT `+itemColumnsWithoutRaw+` FROM items
		WHERE snapshot_id = ? AND kind = ? AND source_id = ?`, snapshotID, string(kind), sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("read %s %s of snapshot %s: %w", kind, sourceID, snapshotID, err)
	}
	return it, true, nil
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// SaveScan stores a run's overlap scan.
func (t *Tx) SaveScan(s merge.Scan) error {
	counts, err := jsonText(nonNil(s.Counts))
	if err != nil {
		return err
	}
	samples, err := jsonText(nonNil(s.Samples))
	if err != nil {
		return err
	}
	unmoved := s.UnmovedSamples
	if unmoved == nil {
		unmoved = []string{}
	}
	us, err := jsonText(unmoved)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO merge_scans (run_id, mode, status, reason, target_url, counts, samples,
		decisions, unmoved, unmoved_samples, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.RunID, string(s.Mode), string(s.Status), s.Reason, s.TargetURL, counts, samples, s.Decisions, s.Unmoved, us, formatTime(s.ReadAt))
	if err != nil {
		return fmt.Errorf("store the overlap scan of run %s: %w", s.RunID, err)
	}
	return nil
}

// Scan reads a run's overlap scan.
func (t *Tx) Scan(runID string) (merge.Scan, bool, error) {
	s := merge.Scan{RunID: runID}
	var mode, status, counts, samples, us, readAt string
	err := t.tx.QueryRowContext(t.ctx, `SELECT mode, status, reason, target_url, counts, samples, decisions, unmoved,
		unmoved_samples, read_at FROM merge_scans WHERE run_id = ?`, runID).
		Scan(&mode, &status, &s.Reason, &s.TargetURL, &counts, &samples, &s.Decisions, &s.Unmoved, &us, &readAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read the overlap scan of run %s: %w", runID, err)
	}
	s.Mode, s.Status = workspace.Mode(mode), merge.ScanStatus(status)
	for _, dec := range []struct {
		s string
		v any
	}{{counts, &s.Counts}, {samples, &s.Samples}, {us, &s.UnmovedSamples}} {
		if err := json.Unmarshal([]byte(dec.s), dec.v); err != nil {
			return s, false, fmt.Errorf("decode the overlap scan of run %s: %w", runID, err)
		}
	}
	if s.ReadAt, err = parseTime(readAt); err != nil {
		return s, false, err
	}
	return s, true, nil
}

// SaveLiveNames stores the names a run read on the live target.
func (t *Tx) SaveLiveNames(runID string, names []merge.LiveName) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT OR IGNORE INTO merge_live_names (run_id, noun, name_key, target_id, name)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare live name insert: %w", err)
	}
	defer stmt.Close()
	for _, n := range names {
		if _, err := stmt.ExecContext(t.ctx, runID, string(n.Noun), n.Key, n.TargetID, n.Name); err != nil {
			return fmt.Errorf("store live name of %s %s: %w", n.Noun, n.TargetID, err)
		}
	}
	return nil
}

// LiveName finds a live name a run read, by noun and key.
func (t *Tx) LiveName(runID string, noun assessment.Noun, key string) (merge.LiveName, bool, error) {
	n := merge.LiveName{Noun: noun, Key: key}
	err := t.tx.QueryRowContext(t.ctx, `SELECT target_id, name FROM merge_live_names WHERE run_id = ? AND noun = ? AND name_key = ?
		ORDER BY target_id LIMIT 1`, runID, string(noun), key).Scan(&n.TargetID, &n.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return n, false, nil
	}
	if err != nil {
		return n, false, fmt.Errorf("read live names of run %s: %w", runID, err)
	}
	return n, true, nil
}

const decisionColumns = `id, run_id, source_id, source_kind, item_id, kind, item_source_id, display_name, class, noun,
	match_types, matched_resources, status, resolution, target_id, new_name, note, resolved_by, resolved_at, created_at, carried_from`

// InsertDecision stores a new decision row and its first history entries.
func (t *Tx) InsertDecision(d merge.Decision, history []merge.HistoryEntry) error {
	types, err := jsonText(nonNilSlice(d.MatchTypes))
	if err != nil {
		return err
	}
	matched, err := jsonText(nonNilSlice(d.Matched))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO merge_decisions (`+decisionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.RunID, d.SourceID, string(d.SourceKind), d.ItemID, string(d.Kind), d.ItemSourceID, d.DisplayName, string(d.Class),
		string(d.Noun), types, matched, string(d.Status), string(d.Resolution), d.TargetID, d.NewName, d.Note, d.ResolvedBy,
		formatOptTime(d.ResolvedAt), formatTime(d.CreatedAt), d.CarriedFrom)
	if err != nil {
		return fmt.Errorf("store merge decision for %s %q: %w", d.Kind, d.DisplayName, err)
	}
	for _, h := range history {
		if err := t.appendHistory(d.ID, h); err != nil {
			return err
		}
	}
	return nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (t *Tx) appendHistory(id string, h merge.HistoryEntry) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO merge_decision_history (decision_id, seq, resolution, target_id, new_name,
		note, actor, at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, h.Seq, string(h.Resolution), h.TargetID, h.NewName, h.Note, h.Actor, formatTime(h.At), h.CarriedFrom)
	if err != nil {
		return fmt.Errorf("record the history of merge decision %s: %w", id, err)
	}
	return nil
}

// UpdateDecision rewrites a row's resolution and appends h to its history.
func (t *Tx) UpdateDecision(d merge.Decision, h merge.HistoryEntry) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE merge_decisions SET status = ?, resolution = ?, target_id = ?, new_name = ?,
		note = ?, resolved_by = ?, resolved_at = ?, carried_from = ? WHERE id = ?`,
		string(d.Status), string(d.Resolution), d.TargetID, d.NewName, d.Note, d.ResolvedBy, formatOptTime(d.ResolvedAt), d.CarriedFrom, d.ID)
	if err != nil {
		return fmt.Errorf("update merge decision %s: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("merge decision %s: %w", d.ID, merge.ErrDecisionNotFound)
	}
	return t.appendHistory(d.ID, h)
}

func scanDecision(row interface{ Scan(...any) error }) (merge.Decision, error) {
	var (
		d                                                 merge.Decision
		sourceKind, kind, class, noun, status, resolution string
		types, matched, created                           string
		resolvedAt                                        sql.NullString
	)
	if err := row.Scan(&d.ID, &d.RunID, &d.SourceID, &sourceKind, &d.ItemID, &kind, &d.ItemSourceID, &d.DisplayName, &class, &noun,
		&types, &matched, &status, &resolution, &d.TargetID, &d.NewName, &d.Note, &d.ResolvedBy, &resolvedAt, &created, &d.CarriedFrom); err != nil {
		return d, err
	}
	d.SourceKind, d.Kind, d.Class, d.Noun = workspace.SourceKind(sourceKind), inventory.Kind(kind), assessment.Class(class), assessment.Noun(noun)
	d.Status, d.Resolution = merge.Status(status), merge.Resolution(resolution)
	if err := json.Unmarshal([]byte(types), &d.MatchTypes); err != nil {
		return d, fmt.Errorf("decode merge decision %s: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(matched), &d.Matched); err != nil {
		return d, fmt.Errorf("decode merge decision %s: %w", d.ID, err)
	}
	var err error
	if d.ResolvedAt, err = parseOptTime(resolvedAt); err != nil {
		return d, err
	}
	d.CreatedAt, err = parseTime(created)
	return d, err
}

// Decision reads one decision row.
func (t *Tx) Decision(id string) (merge.Decision, error) {
	d, err := scanDecision(t.tx.QueryRowContext(t.ctx, `SELECT `+decisionColumns+` FROM merge_decisions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%w: %s (see merge list)", merge.ErrDecisionNotFound, id)
	}
	if err != nil {
		return d, fmt.Errorf("read merge decision %s: %w", id, err)
	}
	return d, nil
}

// Decisions lists the rows of runs that pass f, pending first.
func (t *Tx) Decisions(runIDs []string, f merge.Filter) ([]merge.Decision, error) {
	out := []merge.Decision{}
	if len(runIDs) == 0 {
		return out, nil
	}
	where := `run_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(runIDs)), ",") + `)`
	args := make([]any, 0, len(runIDs)+3)
	for _, id := range runIDs {
		args = append(args, id)
	}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Kind != "" {
		where += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.Class != "" {
		where += ` AND class = ?`
		args = append(args, string(f.Class))
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+decisionColumns+` FROM merge_decisions WHERE `+where+`
		ORDER BY status = 'resolved', kind, display_name COLLATE NOCASE, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list merge decisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, fmt.Errorf("read merge decision row: %w", err)
		}
		if f.Keep(d) { // the match type filter
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// History lists a decision's history, oldest first.
func (t *Tx) History(id string) ([]merge.HistoryEntry, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT seq, resolution, target_id, new_name, note, actor, at, carried_from
		FROM merge_decision_history WHERE decision_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read the history of merge decision %s: %w", id, err)
	}
	defer rows.Close()
	out := []merge.HistoryEntry{}
	for rows.Next() {
		var h merge.HistoryEntry
		var res, at string
		if err := rows.Scan(&h.Seq, &res, &h.TargetID, &h.NewName, &h.Note, &h.Actor, &at, &h.CarriedFrom); err != nil {
			return nil, fmt.Errorf("read the history of merge decision %s: %w", id, err)
		}
		h.Resolution = merge.Resolution(res)
		if h.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// DecisionCounts counts a run's decision rows by status.
func (t *Tx) DecisionCounts(runID string) (map[merge.Status]int, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT status, count(*) FROM merge_decisions WHERE run_id = ? GROUP BY status`, runID)
	if err != nil {
		return nil, fmt.Errorf("count merge decisions of run %s: %w", runID, err)
	}
	defer rows.Close()
	out := map[merge.Status]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[merge.Status(s)] = n
	}
	return out, rows.Err()
}
