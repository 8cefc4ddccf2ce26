package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
)

// Progress is an apply's running tally, reported about ten times a second
// and once at the end.
type Progress struct {
	RunID    string    `json:"run_id"`
	Op       Op        `json:"op"`
	Total    int       `json:"total"`
	Done     int       `json:"done"`
	Applied  int       `json:"applied"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
	Current  string    `json:"current,omitempty"`
	Finished bool      `json:"finished"`
	Status   RunStatus `json:"status"`
}

// ErrInDoubt wraps a write whose answer never came: the Portal may or may
// not have made it. The run stops with the step in sending; resume reads
// the object back before sending anything again.
var ErrInDoubt = errors.New("the Portal's answer was lost")

// Apply runs the preview run id, which must be the latest of its operation
// and carry token. Every write is conditional (If-Match) and journalled in
// the workspace file before its request and after its answer. Cancelling
// ctx stops between two steps (resume continues). progress may be nil.
func (s *Service) Apply(ctx context.Context, runID, token string, progress func(Progress)) (Run, []Step, error) {
	run, steps, err := s.RunDetail(ctx, runID)
	if err != nil {
		return Run{}, nil, fmt.Errorf("apply: %w", err)
	}
	switch {
	case run.Status == RunSuperseded:
		return run, steps, fmt.Errorf("apply run %s: %w: a newer preview replaced it; apply that one", run.ID, ErrStale)
	case run.Status == RunApplying || run.Status == RunCancelled:
		return run, steps, fmt.Errorf("apply run %s: %w: it already started; resume it instead", run.ID, ErrStale)
	case run.Status != RunPreviewed:
		return run, steps, fmt.Errorf("apply run %s: %w: it was already applied (%s); preview again", run.ID, ErrStale, run.Status)
	case token != run.Token:
		return run, steps, fmt.Errorf("apply run %s: %w: the preview token does not match; apply the preview you reviewed", run.ID, ErrStale)
	}
	if err := s.gate(ctx, run); err != nil {
		return run, steps, err
	}
	now := s.now()
	run.Status, run.StartedAt = RunApplying, &now
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.RolloutRun(run.ID)
		if err != nil {
			return err
		}
		if cur.Status != RunPreviewed {
			return fmt.Errorf("apply run %s: %w: it is %s now", run.ID, ErrStale, cur.Status)
		}
		if run.Op == OpWave {
			w, err := tx.Wave(run.WaveID)
			if err != nil {
				return err
			}
			w.Status = WaveApplying
			if w.StartedAt == nil {
				w.StartedAt = &now
			}
			if err := tx.UpdateWave(w); err != nil {
				return err
			}
		}
		return tx.SaveRolloutRun(run, nil)
	})
	if err != nil {
		return run, steps, err
	}
	return s.exec(ctx, run, steps, progress)
}

// Resume continues a run that was cancelled or stopped by a crash; an empty
// runID picks the latest such run.
func (s *Service) Resume(ctx context.Context, runID string, progress func(Progress)) (Run, []Step, error) {
	if runID == "" {
		runs, err := s.Runs(ctx)
		if err != nil {
			return Run{}, nil, err
		}
		for _, r := range runs {
			if r.Status == RunApplying || r.Status == RunCancelled {
				runID = r.ID
				break
			}
		}
		if runID == "" {
			return Run{}, nil, fmt.Errorf("resume: %w: no run was interrupted", ErrRunNotFound)
		}
	}
	run, steps, err := s.RunDetail(ctx, runID)
	if err != nil {
		return Run{}, nil, fmt.Errorf("resume: %w", err)
	}
	if run.Status != RunApplying && run.Status != RunCancelled {
		return run, steps, fmt.Errorf("resume run %s: %w: it is %s, not interrupted", run.ID, ErrStale, run.Status)
	}
	if run.Status == RunCancelled {
		run.Status = RunApplying
		err := s.Store.Update(ctx, func(tx Tx) error {
			if run.Op == OpWave {
				w, err := tx.Wave(run.WaveID)
				if err != nil {
					return err
				}
				w.Status = WaveApplying
				if err := tx.UpdateWave(w); err != nil {
					return err
				}
			}
			return tx.SaveRolloutRun(run, nil)
		})
		if err != nil {
			return run, steps, err
		}
	}
	return s.exec(ctx, run, steps, progress)
}

// gate refuses an apply the current state does not allow.
func (s *Service) gate(ctx context.Context, run Run) error {
	switch run.Op {
	case OpWave:
		c, err := s.Checklist(ctx)
		if err != nil {
			return err
		}
		if c.TenantBlocked {
			var why []string
			for _, it := range c.Items {
				if it.Status == CheckBlock && it.Scope == ScopeTenant {
					why = append(why, it.Summary)
				}
			}
			return fmt.Errorf("%w: the pre-migration checklist blocks every wave: %s", ErrRefused, strings.Join(why, " "))
		}
		w, err := s.Wave(ctx, run.WaveID)
		if err != nil {
			return err
		}
		if w.Kind == KindWave {
			waves, err := s.Waves(ctx)
			if err != nil {
				return err
			}
			piloted := false
			for _, p := range waves {
				piloted = piloted || (p.Kind == KindPilot && (p.Status == WaveApplied || p.Status == WaveAppliedWithFailures))
			}
			if !piloted {
				return fmt.Errorf("%w: apply a pilot before wave %q: always test with pilot users first", ErrRefused, w.Name)
			}
		}
	case OpScim:
		if run.Options.ScimEnable {
			pf, err := s.ScimPreflight(ctx)
			if err != nil {
				return err
			}
			if !pf.Stable {
				return fmt.Errorf("%w: SCIM deprovisioning is offered only once the rollout is stable: %s", ErrRefused, strings.Join(pf.Unstable, "; "))
			}
		}
	}
	return nil
}

// exec runs the steps not yet final, in order.
func (s *Service) exec(ctx context.Context, run Run, steps []Step, progress func(Progress)) (Run, []Step, error) {
	l, err := s.readLive(ctx)
	if err != nil {
		return run, steps, err
	}
	rep := reporter{fn: progress, p: Progress{RunID: run.ID, Op: run.Op, Status: RunApplying}}
	for _, st := range steps {
		if st.State != StepRefused {
			rep.p.Total++
		}
	}
	rep.count(steps)
	rep.report(true)
	for i := range steps {
		st := &steps[i]
		if st.State.Final() {
			continue
		}
		if ctx.Err() != nil {
			return s.stop(run, steps, rep)
		}
		rep.p.Current = st.Label
		if err := s.step(ctx, l, run, st); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return s.stop(run, steps, rep)
			}
			return run, steps, fmt.Errorf("apply run %s stopped at %s: %w", run.ID, st.Label, err)
		}
		rep.count(steps)
		rep.report(false)
	}
	run, err = s.finish(run, steps)
	rep.p.Finished, rep.p.Status, rep.p.Current = true, run.Status, ""
	rep.count(steps)
	rep.report(true)
	return run, steps, err
}

// stop records a cancellation between two steps; the journal already
// holds every finished step.
func (s *Service) stop(run Run, steps []Step, rep reporter) (Run, []Step, error) {
	run.Status = RunCancelled
	run.Counts = countSteps(steps)
	err := s.Store.Update(context.WithoutCancel(context.Background()), func(tx Tx) error {
		if run.Op == OpWave {
			w, err := tx.Wave(run.WaveID)
			if err != nil {
				return err
			}
			w.Status = WaveInterrupted
			if err := tx.UpdateWave(w); err != nil {
				return err
			}
		}
		if err := tx.SaveRolloutRun(run, nil); err != nil {
			return err
		}
		return s.record(tx, audit.RolloutRunCancelled, run.ID, map[string]string{"op": string(run.Op),
			"applied": strconv.Itoa(run.Counts.Applied), "remaining": strconv.Itoa(run.Counts.Planned)})
	})
	rep.p.Finished, rep.p.Status, rep.p.Current = true, RunCancelled, ""
	rep.report(true)
	if err != nil {
		return run, steps, err
	}
	return run, steps, fmt.Errorf("apply run %s: %w (resume continues where it stopped)", run.ID, context.Canceled)
}

func (s *Service) finish(run Run, steps []Step) (Run, error) {
	now := s.now()
	run.Counts = countSteps(steps)
	run.Status, run.FinishedAt = RunCompleted, &now
	if run.Counts.Failed > 0 {
		run.Status = RunCompletedWithFailures
	}
	event := map[Op]string{OpWave: audit.RolloutWaveApplied, OpEnforce: audit.RolloutEnforcementApplied,
		OpRollback: audit.RolloutRolledBack, OpScim: audit.RolloutScimDeprovisioningChanged}[run.Op]
	facts := map[string]string{"run_id": run.ID, "status": string(run.Status), "applied": strconv.Itoa(run.Counts.Applied),
		"failed": strconv.Itoa(run.Counts.Failed), "skipped": strconv.Itoa(run.Counts.Skipped), "refused": strconv.Itoa(run.Counts.Refused)}
	if run.Op == OpScim {
		facts["scim_deprovisioning_enabled"] = strconv.FormatBool(run.Options.ScimEnable)
	}
	target := run.ID
	err := s.Store.Update(context.Background(), func(tx Tx) error {
		if run.WaveID != "" {
			w, err := tx.Wave(run.WaveID)
			if err != nil {
				return err
			}
			facts["wave"], target = w.Name, w.ID
			if run.Op == OpWave {
				w.Status, w.FinishedAt = WaveApplied, &now
				if run.Counts.Failed > 0 {
					w.Status = WaveAppliedWithFailures
				}
				if err := tx.UpdateWave(w); err != nil {
					return err
				}
			}
		}
		if err := tx.SaveRolloutRun(run, nil); err != nil {
			return err
		}
		return s.record(tx, event, target, facts)
	})
	return run, err
}

// step runs one step: read the object back, check the change is still
// wanted and allowed, journal "sending", write with If-Match, journal the
// answer. A 412 (changed meanwhile) is read back and tried once more.
func (s *Service) step(ctx context.Context, l *live, run Run, st *Step) error {
	for attempt := 0; ; attempt++ {
		etag, reached, why, err := s.readBack(ctx, l, run, st)
		if err != nil {
			if errors.Is(err, client.ErrNotFound) {
				return s.settle(run, st, StepSkipped, "not_found", "no longer exists in the Portal", "")
			}
			return err
		}
		switch {
		case reached && st.State == StepSending:
			return s.settle(run, st, StepApplied, "", "already made: the write before the interruption reached the Portal, so it was not sent again", etag)
		case reached:
			return s.settle(run, st, StepSkipped, "already_done", "already "+st.To+" when the apply reached it", etag)
		case why != "":
			return s.settle(run, st, StepSkipped, "no_longer_allowed", why, etag)
		}
		st.State, st.ETag, st.UpdatedAt = StepSending, etag, s.now()
		if err := s.journal(*st); err != nil {
			return err
		}
		newETag, obj, err := s.write(ctx, st)
		switch {
		case err == nil:
			st.Object = obj
			return s.settle(run, st, StepApplied, "", "", newETag)
		case errors.Is(err, client.ErrPreconditionFailed) && attempt == 0:
			// Changed since it was read, so this write did not land: read
			// it again and decide again.
			st.State = StepPlanned
			continue
		}
		var p *client.Problem
		if errors.As(err, &p) && p.Status < 500 {
			return s.settle(run, st, StepFailed, p.Code, p.Error(), st.ETag)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %w", ErrInDoubt, err)
	}
}

// readBack reads the step's object now and reports its ETag, whether the
// change is already made, and why it may no longer be made ("" if it may).
func (s *Service) readBack(ctx context.Context, l *live, run Run, st *Step) (string, bool, string, error) {
	if st.Kind != StepSetAuthMode {
		v, err := s.Target.GetSsoConfiguration(ctx, st.TargetID)
		if err != nil {
			return "", false, "", err
		}
		st.Object, _ = json.Marshal(v.Value)
		cur := v.Value.Enabled
		if st.Kind == StepSetScimDeprovis {
			cur = v.Value.ScimDeprovisioningEnabled
		}
		return v.ETag, strconv.FormatBool(cur) == st.To, "", nil
	}
	v, err := s.Target.GetUser(ctx, st.TargetID)
	if err != nil {
		return "", false, "", err
	}
	u := v.Value
	st.Object, _ = json.Marshal(u)
	reached := string(u.AuthMode) == st.To && (st.SetEmail == "" || emailOf(u) == st.SetEmail)
	if reached {
		return v.ETag, true, "", nil
	}
	var why string
	switch run.Op {
	case OpWave:
		_, why, err = s.waveRefusal(ctx, l, u, st.SetEmail)
		if string(u.AuthMode) != st.From && why == "" {
			why = "its auth_mode changed to " + string(u.AuthMode) + " since the preview"
		}
	case OpEnforce:
		_, why, err = s.enforceRefusal(ctx, l, u, run.Options.GuaranteedRouting)
	}
	return v.ETag, false, why, err
}

// write sends the step's conditional write and returns the new ETag and
// object.
func (s *Service) write(ctx context.Context, st *Step) (string, json.RawMessage, error) {
	if st.Kind != StepSetAuthMode {
		var c api.SsoConfiguration
		if err := json.Unmarshal(st.Object, &c); err != nil {
			return "", nil, fmt.Errorf("decode the configuration as read: %w", err)
		}
		in := configInput(c)
		if st.Kind == StepSetScimDeprovis {
			in.ScimDeprovisioningEnabled = st.To == "true"
		} else {
			in.Enabled = st.To == "true"
		}
		v, err := s.Target.ReplaceSsoConfiguration(ctx, st.TargetID, st.ETag, in)
		if err != nil {
			return "", nil, err
		}
		obj, _ := json.Marshal(v.Value)
		return v.ETag, obj, nil
	}
	var u api.User
	if err := json.Unmarshal(st.Object, &u); err != nil {
		return "", nil, fmt.Errorf("decode the user as read: %w", err)
	}
	in := inputOf(u)
	in.AuthMode = api.AuthMode(st.To)
	if st.SetEmail != "" && emailOf(u) == "" {
		in.Email = &st.SetEmail
	}
	v, err := s.Target.ReplaceUser(ctx, st.TargetID, st.ETag, in)
	if err != nil {
		return "", nil, err
	}
	obj, _ := json.Marshal(v.Value)
	return v.ETag, obj, nil
}

// journal makes a step's entry durable.
func (s *Service) journal(st Step) error {
	return s.Store.Update(context.Background(), func(tx Tx) error { return tx.SaveRolloutStep(st) })
}

// settle journals a step's final state with its audit entry, in one
// transaction.
func (s *Service) settle(run Run, st *Step, state StepState, reason, detail, etag string) error {
	st.State, st.Reason, st.Detail, st.UpdatedAt = state, reason, detail, s.now()
	if etag != "" {
		st.ETag = etag
	}
	event := map[StepState]string{StepApplied: audit.RolloutStepApplied, StepFailed: audit.RolloutStepFailed, StepSkipped: audit.RolloutStepSkipped}[state]
	facts := map[string]string{"op": string(run.Op), "run_id": run.ID, "kind": string(st.Kind), "target": st.Label,
		"from": st.From, "to": st.To}
	if st.SetEmail != "" {
		facts["email_set"] = st.SetEmail
	}
	if reason != "" {
		facts["reason"] = reason
	}
	return s.Store.Update(context.Background(), func(tx Tx) error {
		if err := tx.SaveRolloutStep(*st); err != nil {
			return err
		}
		return s.record(tx, event, st.TargetID, facts)
	})
}

// reporter coalesces progress to about ten reports a second.
type reporter struct {
	fn   func(Progress)
	p    Progress
	last time.Time
}

func (r *reporter) count(steps []Step) {
	c := countSteps(steps)
	r.p.Applied, r.p.Failed, r.p.Skipped = c.Applied, c.Failed, c.Skipped
	r.p.Done = c.Applied + c.Failed + c.Skipped
}

func (r *reporter) report(force bool) {
	if r.fn == nil || (!force && time.Since(r.last) < 100*time.Millisecond) {
		return
	}
	r.last = time.Now()
	r.fn(r.p)
}
