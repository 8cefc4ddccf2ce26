package workspacedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/workspace"
)

// CutoverStore serves the cutover stage from the file.
func CutoverStore(db *DB) cutover.Store {
	return NewStage(db, func(t *Tx) cutover.Tx { return t })
}

// CutoverReviews reads, for the cutover, the merge decisions and OCM
// acknowledgements merge review and the OCM stage keep in the same file.
func CutoverReviews(db *DB) cutover.Reviews { return cutoverReviews{db} }

type cutoverReviews struct{ db *DB }

func (r cutoverReviews) Decisions(ctx context.Context, runID string) ([]merge.Decision, error) {
	var out []merge.Decision
	err := r.db.ViewTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Decisions([]string{runID}, merge.Filter{})
		return err
	})
	return out, err
}

func (r cutoverReviews) Impacts(ctx context.Context, runID string) ([]ocm.Impact, error) {
	var out []ocm.Impact
	err := r.db.ViewTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.RunImpacts(runID, 0)
		return err
	})
	for i := range out {
		out[i].ID = ocm.ImpactID(runID, out[i].Ordinal)
	}
	return out, err
}

const planColumns = `id, source_id, source_name, source_kind, snapshot_id, assessment_run_id, mode, status, created_at,
	created_by, updated_at, rebuilds, step_count, binds, unplanned, counts, kind_counts, steps_digest, review, preview,
	preview_token_hash`

func planArgs(p cutover.Plan) ([]any, error) {
	var enc [4]string
	var err error
	for i, v := range []any{nonNil(p.Counts), nonNil(p.KindCounts), p.Review} {
		if enc[i], err = jsonText(v); err != nil {
			return nil, fmt.Errorf("encode cutover plan %s: %w", p.ID, err)
		}
	}
	var preview, tokenHash any
	if p.Preview != nil {
		if enc[3], err = jsonText(p.Preview); err != nil {
			return nil, fmt.Errorf("encode cutover plan %s preview: %w", p.ID, err)
		}
		preview, tokenHash = enc[3], p.Preview.TokenHash
	}
	return []any{p.ID, p.SourceID, p.SourceName, string(p.SourceKind), p.SnapshotID, p.AssessmentRunID, string(p.Mode),
		string(p.Status), formatTime(p.CreatedAt), p.CreatedBy, formatTime(p.UpdatedAt), p.Rebuilds, p.StepCount, p.Binds,
		p.Unplanned, enc[0], enc[1], p.StepsDigest, enc[2], preview, tokenHash}, nil
}

// InsertCutoverPlan stores a new plan with its steps.
func (t *Tx) InsertCutoverPlan(p cutover.Plan, list []cutover.Step) error {
	args, err := planArgs(p)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO cutover_plans (`+planColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		return fmt.Errorf("insert cutover plan %s: %w", p.ID, err)
	}
	return t.insertSteps(p.ID, list)
}

// UpdateCutoverPlan rewrites a plan's row and, given steps, replaces them.
func (t *Tx) UpdateCutoverPlan(p cutover.Plan, list []cutover.Step) error {
	args, err := planArgs(p)
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE cutover_plans SET status = ?, updated_at = ?, rebuilds = ?, step_count = ?,
		binds = ?, unplanned = ?, counts = ?, kind_counts = ?, steps_digest = ?, review = ?, preview = ?, preview_token_hash = ?
		WHERE id = ?`, args[7], args[10], args[11], args[12], args[13], args[14], args[15], args[16], args[17], args[18],
		args[19], args[20], p.ID)
	if err != nil {
		return fmt.Errorf("update cutover plan %s: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("cutover plan %s: %w", p.ID, cutover.ErrPlanNotFound)
	}
	if list == nil {
		return nil
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM cutover_steps WHERE plan_id = ?`, p.ID); err != nil {
		return fmt.Errorf("replace the steps of cutover plan %s: %w", p.ID, err)
	}
	return t.insertSteps(p.ID, list)
}

func (t *Tx) insertSteps(planID string, list []cutover.Step) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO cutover_steps (plan_id, seq, id, kind, action, disposition, step)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store cutover steps: %w", err)
	}
	defer stmt.Close()
	for _, st := range list {
		body, err := jsonText(st)
		if err != nil {
			return fmt.Errorf("encode cutover step %d: %w", st.Seq, err)
		}
		if _, err := stmt.ExecContext(t.ctx, planID, st.Seq, st.ID, string(st.Kind), string(st.Action), string(st.Disposition), body); err != nil {
			return fmt.Errorf("store cutover step %d (%s): %w", st.Seq, st.ID, err)
		}
	}
	return nil
}

func scanPlan(row interface{ Scan(...any) error }) (cutover.Plan, error) {
	var (
		p                          cutover.Plan
		kind, mode, status         string
		created, updated           string
		counts, kindCounts, review string
		preview, tokenHash         sql.NullString
	)
	if err := row.Scan(&p.ID, &p.SourceID, &p.SourceName, &kind, &p.SnapshotID, &p.AssessmentRunID, &mode, &status,
		&created, &p.CreatedBy, &updated, &p.Rebuilds, &p.StepCount, &p.Binds, &p.Unplanned, &counts, &kindCounts,
		&p.StepsDigest, &review, &preview, &tokenHash); err != nil {
		return p, err
	}
	p.SourceKind, p.Mode, p.Status = workspace.SourceKind(kind), workspace.Mode(mode), cutover.PlanStatus(status)
	var err error
	if p.CreatedAt, err = parseTime(created); err != nil {
		return p, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return p, err
	}
	for _, dec := range []struct {
		s string
		v any
	}{{counts, &p.Counts}, {kindCounts, &p.KindCounts}, {review, &p.Review}} {
		if err := json.Unmarshal([]byte(dec.s), dec.v); err != nil {
			return p, fmt.Errorf("decode cutover plan %s: %w", p.ID, err)
		}
	}
	if preview.Valid {
		p.Preview = &cutover.Preview{}
		if err := json.Unmarshal([]byte(preview.String), p.Preview); err != nil {
			return p, fmt.Errorf("decode cutover plan %s preview: %w", p.ID, err)
		}
		p.Preview.TokenHash = tokenHash.String
	}
	return p, nil
}

// CutoverPlan returns one plan.
func (t *Tx) CutoverPlan(id string) (cutover.Plan, error) {
	p, err := scanPlan(t.tx.QueryRowContext(t.ctx, `SELECT `+planColumns+` FROM cutover_plans WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("cutover plan %s: %w", id, cutover.ErrPlanNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("read cutover plan %s: %w", id, err)
	}
	return p, nil
}

// CutoverPlans lists every plan, newest first.
func (t *Tx) CutoverPlans() ([]cutover.Plan, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+planColumns+` FROM cutover_plans ORDER BY pk DESC`)
	if err != nil {
		return nil, fmt.Errorf("list cutover plans: %w", err)
	}
	defer rows.Close()
	var out []cutover.Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("list cutover plans: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CutoverSteps returns a plan's steps in order.
func (t *Tx) CutoverSteps(planID string) ([]cutover.Step, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT step FROM cutover_steps WHERE plan_id = ? ORDER BY seq`, planID)
	if err != nil {
		return nil, fmt.Errorf("read the steps of cutover plan %s: %w", planID, err)
	}
	defer rows.Close()
	var out []cutover.Step
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read the steps of cutover plan %s: %w", planID, err)
		}
		var st steps.Step
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return nil, fmt.Errorf("decode a step of cutover plan %s: %w", planID, err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

const cutoverRunColumns = `id, plan_id, kind, status, started_at, finished_at, heartbeat_at, owner, resumes, error, counts, forced`

// InsertCutoverRun stores a new run; the partial unique index turns a
// second started run of the workspace into cutover.ErrRunActive.
func (t *Tx) InsertCutoverRun(r cutover.Run) error {
	counts, err := jsonText(nonNil(r.Counts))
	if err != nil {
		return err
	}
	forced, err := jsonText(nonNilSlice(r.Forced))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO cutover_runs (`+cutoverRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.PlanID, string(r.Kind), string(r.Status), formatTime(r.StartedAt), formatOptTime(r.FinishedAt),
		formatTime(r.HeartbeatAt), r.Owner, r.Resumes, r.Error, counts, forced)
	return runWriteErr(err, "insert cutover run "+r.ID)
}

// UpdateCutoverRun rewrites a run's mutable fields; making it started
// while another run is started is cutover.ErrRunActive.
func (t *Tx) UpdateCutoverRun(r cutover.Run) error {
	counts, err := jsonText(nonNil(r.Counts))
	if err != nil {
		return err
	}
	forced, err := jsonText(nonNilSlice(r.Forced))
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE cutover_runs SET status = ?, finished_at = ?, heartbeat_at = ?, owner = ?,
		resumes = ?, error = ?, counts = ?, forced = ? WHERE id = ?`,
		string(r.Status), formatOptTime(r.FinishedAt), formatTime(r.HeartbeatAt), r.Owner, r.Resumes, r.Error, counts, forced, r.ID)
	if err := runWriteErr(err, "update cutover run "+r.ID); err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("cutover run %s: %w", r.ID, cutover.ErrRunNotFound)
	}
	return nil
}

func runWriteErr(err error, what string) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return fmt.Errorf("%s: %w", what, cutover.ErrRunActive)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func scanCutoverRun(row interface{ Scan(...any) error }) (cutover.Run, error) {
	var (
		r                  cutover.Run
		kind, status       string
		started, heartbeat string
		finished           sql.NullString
		counts, forced     string
	)
	if err := row.Scan(&r.ID, &r.PlanID, &kind, &status, &started, &finished, &heartbeat, &r.Owner, &r.Resumes, &r.Error,
		&counts, &forced); err != nil {
		return r, err
	}
	r.Kind, r.Status = cutover.RunKind(kind), cutover.RunStatus(status)
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
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return r, fmt.Errorf("decode cutover run %s counts: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(forced), &r.Forced); err != nil {
		return r, fmt.Errorf("decode cutover run %s: %w", r.ID, err)
	}
	if len(r.Forced) == 0 {
		r.Forced = nil
	}
	return r, nil
}

// CutoverRun returns one run.
func (t *Tx) CutoverRun(id string) (cutover.Run, error) {
	r, err := scanCutoverRun(t.tx.QueryRowContext(t.ctx, `SELECT `+cutoverRunColumns+` FROM cutover_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("cutover run %s: %w", id, cutover.ErrRunNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read cutover run %s: %w", id, err)
	}
	return r, nil
}

// CutoverRuns lists a plan's runs ("" for every plan's), newest first.
func (t *Tx) CutoverRuns(planID string) ([]cutover.Run, error) {
	q, args := `SELECT `+cutoverRunColumns+` FROM cutover_runs ORDER BY pk DESC`, []any{}
	if planID != "" {
		q, args = `SELECT `+cutoverRunColumns+` FROM cutover_runs WHERE plan_id = ? ORDER BY pk DESC`, []any{planID}
	}
	rows, err := t.tx.QueryContext(t.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cutover runs: %w", err)
	}
	defer rows.Close()
	var out []cutover.Run
	for rows.Next() {
		r, err := scanCutoverRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list cutover runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const journalColumns = `run_id, step, state, intent_at, result_at, target_id, etag, how, attempts, reason, runtime,
	secret_issued, secret_delivered_at, secret_rotations`

// SaveCutoverEntry inserts or replaces one step's journal entry.
func (t *Tx) SaveCutoverEntry(e cutover.Entry) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT OR REPLACE INTO cutover_journal (`+journalColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.RunID, e.Step, string(e.State), formatOptTime(e.IntentAt), formatOptTime(e.ResultAt), e.TargetID, e.ETag, e.How,
		e.Attempts, e.Reason, boolInt(e.Runtime), boolInt(e.SecretIssued), formatOptTime(e.SecretDeliveredAt), e.SecretRotations)
	if err != nil {
		return fmt.Errorf("journal step %d of cutover run %s: %w", e.Step, e.RunID, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CutoverJournal returns a run's entries in step order.
func (t *Tx) CutoverJournal(runID string) ([]cutover.Entry, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT `+journalColumns+` FROM cutover_journal WHERE run_id = ? ORDER BY step`, runID)
	if err != nil {
		return nil, fmt.Errorf("read the journal of cutover run %s: %w", runID, err)
	}
	defer rows.Close()
	var out []cutover.Entry
	for rows.Next() {
		var (
			e                         cutover.Entry
			state                     string
			intent, result, delivered sql.NullString
			runtime, issued           int
		)
		if err := rows.Scan(&e.RunID, &e.Step, &state, &intent, &result, &e.TargetID, &e.ETag, &e.How, &e.Attempts, &e.Reason,
			&runtime, &issued, &delivered, &e.SecretRotations); err != nil {
			return nil, fmt.Errorf("read the journal of cutover run %s: %w", runID, err)
		}
		e.State, e.Runtime, e.SecretIssued = cutover.StepState(state), runtime == 1, issued == 1
		if e.IntentAt, err = parseOptTime(intent); err != nil {
			return nil, err
		}
		if e.ResultAt, err = parseOptTime(result); err != nil {
			return nil, err
		}
		if e.SecretDeliveredAt, err = parseOptTime(delivered); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SaveCutoverProbes appends a probe run's results.
func (t *Tx) SaveCutoverProbes(planID string, results []cutover.ProbeResult) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO cutover_probes (plan_id, probe_run_id, at, check_name, step, step_id,
		kind, target_id, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store probe results: %w", err)
	}
	defer stmt.Close()
	for _, r := range results {
		if _, err := stmt.ExecContext(t.ctx, planID, r.RunID, formatTime(r.At), r.Check, r.Step, r.StepID, string(r.Kind),
			r.TargetID, r.Subject, r.Outcome, r.Detail); err != nil {
			return fmt.Errorf("store probe result of step %d: %w", r.Step, err)
		}
	}
	return nil
}

// CutoverProbes lists a plan's probe results, newest probe run first, in
// the order each run recorded them.
func (t *Tx) CutoverProbes(planID string) ([]cutover.ProbeResult, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT plan_id, probe_run_id, at, check_name, step, step_id, kind, target_id, subject,
		outcome, detail FROM cutover_probes WHERE plan_id = ?
		ORDER BY (SELECT MIN(p2.pk) FROM cutover_probes p2 WHERE p2.probe_run_id = cutover_probes.probe_run_id) DESC, pk`, planID)
	if err != nil {
		return nil, fmt.Errorf("read the probe results of plan %s: %w", planID, err)
	}
	defer rows.Close()
	var out []cutover.ProbeResult
	for rows.Next() {
		var r cutover.ProbeResult
		var at, kind string
		if err := rows.Scan(&r.PlanID, &r.RunID, &at, &r.Check, &r.Step, &r.StepID, &kind, &r.TargetID, &r.Subject, &r.Outcome, &r.Detail); err != nil {
			return nil, fmt.Errorf("read the probe results of plan %s: %w", planID, err)
		}
		r.Kind = steps.Kind(kind)
		if r.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
