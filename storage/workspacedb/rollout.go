package workspacedb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/rollout"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ rollout.Tx = (*Tx)(nil)

// RolloutStore is the workspace file as the rollout stage sees it.
func RolloutStore(db *DB) rollout.Store {
	return NewStage(db, func(t *Tx) rollout.Tx { return t })
}

// RolloutSettings returns the stored settings (zero before any are saved).
func (t *Tx) RolloutSettings() (rollout.Settings, error) {
	var st rollout.Settings
	var raw string
	err := t.tx.QueryRowContext(t.ctx, `SELECT settings FROM rollout_settings WHERE singleton = 1`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read rollout settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, fmt.Errorf("read rollout settings: %w", err)
	}
	return st, nil
}

// SaveRolloutSettings replaces the settings.
func (t *Tx) SaveRolloutSettings(st rollout.Settings) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save rollout settings: %w", err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rollout_settings (singleton, settings) VALUES (1, ?)
		ON CONFLICT (singleton) DO UPDATE SET settings = excluded.settings`, string(b))
	if err != nil {
		return fmt.Errorf("save rollout settings: %w", err)
	}
	return nil
}

const waveColumns = `id, name, kind, selection, criteria, status, created_at, created_by, started_at, finished_at, member_count, snapshot_id`

func scanWave(row interface{ Scan(...any) error }) (rollout.Wave, error) {
	var (
		w                 rollout.Wave
		kind, sel, status string
		criteria, created string
		started, finished sql.NullString
		err               error
	)
	if err = row.Scan(&w.ID, &w.Name, &kind, &sel, &criteria, &status, &created, &w.CreatedBy, &started, &finished, &w.MemberCount, &w.SnapshotID); err != nil {
		return w, err
	}
	w.Kind, w.Selection, w.Status = rollout.WaveKind(kind), rollout.Selection(sel), rollout.WaveStatus(status)
	if err := json.Unmarshal([]byte(criteria), &w.Criteria); err != nil {
		return w, fmt.Errorf("wave %s criteria: %w", w.ID, err)
	}
	if w.CreatedAt, err = parseTime(created); err != nil {
		return w, err
	}
	if w.StartedAt, err = parseOptTime(started); err != nil {
		return w, err
	}
	w.FinishedAt, err = parseOptTime(finished)
	return w, err
}

// Waves lists the waves, oldest first, without members.
func (t *Tx) Waves() ([]rollout.Wave, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+waveColumns+` FROM rollout_waves ORDER BY pk`)
	if err != nil {
		return nil, fmt.Errorf("read waves: %w", err)
	}
	defer rows.Close()
	var out []rollout.Wave
	for rows.Next() {
		w, err := scanWave(rows)
		if err != nil {
			return nil, fmt.Errorf("read waves: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Wave returns a wave, by id or name, with its members.
func (t *Tx) Wave(ref string) (rollout.Wave, error) {
	w, err := scanWave(t.tx.QueryRowContext(t.ctx, `SELECT `+waveColumns+` FROM rollout_waves WHERE id = ? OR name = ?`, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return w, rollout.ErrWaveNotFound
	}
	if err != nil {
		return w, fmt.Errorf("read wave %s: %w", ref, err)
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT user_id, label, set_email, matched_from FROM rollout_wave_members WHERE wave_id = ? ORDER BY pos`, w.ID)
	if err != nil {
		return w, fmt.Errorf("read wave %s members: %w", w.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m rollout.Member
		if err := rows.Scan(&m.UserID, &m.Label, &m.SetEmail, &m.MatchedFrom); err != nil {
			return w, fmt.Errorf("read wave %s members: %w", w.Name, err)
		}
		w.Members = append(w.Members, m)
	}
	if err := rows.Err(); err != nil {
		return w, fmt.Errorf("read wave %s members: %w", w.Name, err)
	}
	w.Unmatched, err = t.waveUnmatched(w)
	return w, err
}

func (t *Tx) waveUnmatched(w rollout.Wave) ([]rollout.Unmatched, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT incumbent_id, label, via, reason, detail, accounts FROM rollout_wave_unmatched
		WHERE wave_id = ? ORDER BY pos`, w.ID)
	if err != nil {
		return nil, fmt.Errorf("read wave %s unmatched: %w", w.Name, err)
	}
	defer rows.Close()
	var out []rollout.Unmatched
	for rows.Next() {
		var u rollout.Unmatched
		var accounts string
		if err := rows.Scan(&u.IncumbentID, &u.Label, &u.Via, &u.Reason, &u.Detail, &accounts); err != nil {
			return nil, fmt.Errorf("read wave %s unmatched: %w", w.Name, err)
		}
		if err := json.Unmarshal([]byte(accounts), &u.Accounts); err != nil {
			return nil, fmt.Errorf("read wave %s unmatched: %w", w.Name, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// InsertWave stores a new wave with its members.
func (t *Tx) InsertWave(w rollout.Wave) error {
	criteria, err := json.Marshal(nonNilStrings(w.Criteria))
	if err != nil {
		return fmt.Errorf("save wave %s: %w", w.Name, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rollout_waves (`+waveColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.Name, string(w.Kind), string(w.Selection), string(criteria), string(w.Status), formatTime(w.CreatedAt), w.CreatedBy,
		formatOptTime(w.StartedAt), formatOptTime(w.FinishedAt), len(w.Members), w.SnapshotID)
	if isUnique(err) {
		return fmt.Errorf("wave %q: %w", w.Name, rollout.ErrWaveExists)
	}
	if err != nil {
		return fmt.Errorf("save wave %s: %w", w.Name, err)
	}
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO rollout_wave_members (wave_id, pos, user_id, label, set_email, matched_from) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("save wave %s members: %w", w.Name, err)
	}
	defer stmt.Close()
	for i, m := range w.Members {
		if _, err := stmt.ExecContext(t.ctx, w.ID, i, m.UserID, m.Label, m.SetEmail, m.MatchedFrom); err != nil {
			return fmt.Errorf("save wave %s members: %w", w.Name, err)
		}
	}
	um, err := t.tx.PrepareContext(t.ctx, `INSERT INTO rollout_wave_unmatched (wave_id, pos, incumbent_id, label, via, reason, detail, accounts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("save wave %s unmatched: %w", w.Name, err)
	}
	defer um.Close()
	for i, u := range w.Unmatched {
		accounts, err := json.Marshal(nonNilStrings(u.Accounts))
		if err != nil {
			return fmt.Errorf("save wave %s unmatched: %w", w.Name, err)
		}
		if _, err := um.ExecContext(t.ctx, w.ID, i, u.IncumbentID, u.Label, u.Via, u.Reason, u.Detail, string(accounts)); err != nil {
			return fmt.Errorf("save wave %s unmatched: %w", w.Name, err)
		}
	}
	return nil
}

// UpdateWave saves a wave's status and times.
func (t *Tx) UpdateWave(w rollout.Wave) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE rollout_waves SET status = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		string(w.Status), formatOptTime(w.StartedAt), formatOptTime(w.FinishedAt), w.ID)
	if err != nil {
		return fmt.Errorf("update wave %s: %w", w.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rollout.ErrWaveNotFound
	}
	return nil
}

const rolloutRunColumns = `id, op, wave_id, status, token, previewed_at, started_at, finished_at, options, counts`

func scanRolloutRun(row interface{ Scan(...any) error }) (rollout.Run, error) {
	var (
		r                 rollout.Run
		op, status, prev  string
		started, finished sql.NullString
		options, counts   string
		err               error
	)
	if err = row.Scan(&r.ID, &op, &r.WaveID, &status, &r.Token, &prev, &started, &finished, &options, &counts); err != nil {
		return r, err
	}
	r.Op, r.Status = rollout.Op(op), rollout.RunStatus(status)
	if r.PreviewedAt, err = parseTime(prev); err != nil {
		return r, err
	}
	if r.StartedAt, err = parseOptTime(started); err != nil {
		return r, err
	}
	if r.FinishedAt, err = parseOptTime(finished); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(options), &r.Options); err != nil {
		return r, fmt.Errorf("run %s options: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return r, fmt.Errorf("run %s counts: %w", r.ID, err)
	}
	return r, nil
}

// RolloutRuns lists every run, newest first.
func (t *Tx) RolloutRuns() ([]rollout.Run, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+rolloutRunColumns+` FROM rollout_runs ORDER BY pk DESC`)
	if err != nil {
		return nil, fmt.Errorf("read rollout runs: %w", err)
	}
	defer rows.Close()
	var out []rollout.Run
	for rows.Next() {
		r, err := scanRolloutRun(rows)
		if err != nil {
			return nil, fmt.Errorf("read rollout runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RolloutRun returns one run.
func (t *Tx) RolloutRun(id string) (rollout.Run, error) {
	r, err := scanRolloutRun(t.tx.QueryRowContext(t.ctx, `SELECT `+rolloutRunColumns+` FROM rollout_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %s: %w", id, rollout.ErrRunNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read run %s: %w", id, err)
	}
	return r, nil
}

// SaveRolloutRun inserts or updates a run; steps, when not nil, replace its steps.
func (t *Tx) SaveRolloutRun(r rollout.Run, steps []rollout.Step) error {
	options, err := json.Marshal(r.Options)
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rollout_runs (`+rolloutRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at,
		finished_at = excluded.finished_at, counts = excluded.counts`,
		r.ID, string(r.Op), r.WaveID, string(r.Status), r.Token, formatTime(r.PreviewedAt), formatOptTime(r.StartedAt),
		formatOptTime(r.FinishedAt), string(options), string(counts))
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	if steps == nil {
		return nil
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM rollout_steps WHERE run_id = ?`, r.ID); err != nil {
		return fmt.Errorf("save run %s steps: %w", r.ID, err)
	}
	for _, st := range steps {
		if err := t.SaveRolloutStep(st); err != nil {
			return err
		}
	}
	return nil
}

const stepColumns = `run_id, seq, kind, target_id, label, from_value, to_value, set_email, state, reason, detail, etag, object, updated_at`

// RolloutSteps returns a run's steps in order.
func (t *Tx) RolloutSteps(runID string) ([]rollout.Step, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+stepColumns+` FROM rollout_steps WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("read run %s steps: %w", runID, err)
	}
	defer rows.Close()
	var out []rollout.Step
	for rows.Next() {
		var (
			st               rollout.Step
			kind, state, upd string
			object           []byte
		)
		if err := rows.Scan(&st.RunID, &st.Seq, &kind, &st.TargetID, &st.Label, &st.From, &st.To, &st.SetEmail, &state,
			&st.Reason, &st.Detail, &st.ETag, &object, &upd); err != nil {
			return nil, fmt.Errorf("read run %s steps: %w", runID, err)
		}
		st.Kind, st.State, st.Object = rollout.StepKind(kind), rollout.StepState(state), object
		if st.UpdatedAt, err = parseTime(upd); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// SaveRolloutStep writes one step's journal entry.
func (t *Tx) SaveRolloutStep(st rollout.Step) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO rollout_steps (`+stepColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (run_id, seq) DO UPDATE SET state = excluded.state, reason = excluded.reason, detail = excluded.detail,
		etag = excluded.etag, object = excluded.object, updated_at = excluded.updated_at`,
		st.RunID, st.Seq, string(st.Kind), st.TargetID, st.Label, st.From, st.To, st.SetEmail, string(st.State),
		st.Reason, st.Detail, st.ETag, []byte(st.Object), formatTime(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("journal step %d of run %s: %w", st.Seq, st.RunID, err)
	}
	return nil
}

// RoleMapping returns the stored role mapping (zero before one is saved).
func (t *Tx) RoleMapping() (rollout.RoleMapping, error) {
	var m rollout.RoleMapping
	var raw string
	err := t.tx.QueryRowContext(t.ctx, `SELECT mapping FROM rollout_role_mapping WHERE singleton = 1`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("read role mapping: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, fmt.Errorf("read role mapping: %w", err)
	}
	return m, nil
}

// SaveRoleMapping replaces the role mapping.
func (t *Tx) SaveRoleMapping(m rollout.RoleMapping) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("save role mapping: %w", err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rollout_role_mapping (singleton, mapping) VALUES (1, ?)
		ON CONFLICT (singleton) DO UPDATE SET mapping = excluded.mapping`, string(b))
	if err != nil {
		return fmt.Errorf("save role mapping: %w", err)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
