package cutover

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Rollback actions, per object.
const (
	// RollbackDelete: created by the apply and unchanged since; it will be
	// deleted.
	RollbackDelete = "delete"
	// RollbackForced: changed since apply, deleted because the operator
	// named it.
	RollbackForced = "forced"
	// RollbackRefused: changed since apply (its ETag moved); kept unless
	// named with --force-object.
	RollbackRefused = "refused"
	// RollbackGone: already deleted, by someone or an earlier rollback.
	RollbackGone = "gone"
	// RollbackKeep: a mapped, pre-existing object the apply only bound
	// to; rollback never touches it.
	RollbackKeep = "keep"
	// RollbackDone: deleted by this rollback already.
	RollbackDone = "deleted"
)

// RollbackItem is one object of a rollback, in the order it is deleted.
type RollbackItem struct {
	Step     int        `json:"step"`
	StepID   string     `json:"step_id"`
	Label    string     `json:"label"`
	Kind     steps.Kind `json:"kind"`
	TargetID string     `json:"target_id"`
	// ETag is what apply recorded; CurrentETag what the target holds now.
	ETag        string `json:"etag"`
	CurrentETag string `json:"current_etag,omitempty"`
	Action      string `json:"action"`
	Reason      string `json:"reason,omitempty"`
}

// RollbackPlan is what a rollback will do: exactly the objects the apply
// created, newest first (so nothing is deleted while something it created
// still refers to it), by the target ids and ETags the apply recorded.
type RollbackPlan struct {
	Plan     Plan           `json:"plan"`
	ApplyRun Run            `json:"apply_run"`
	Items    []RollbackItem `json:"items"`
	// Deletes counts the objects that will be deleted; Refused names the
	// ones kept because they changed since apply.
	Deletes int      `json:"deletes"`
	Refused []string `json:"refused"`
	// Rollback is the plan's rollback run so far, if one started.
	Rollback *Run `json:"rollback,omitempty"`
}

// RollbackPreview lists what a rollback of the plan's apply would delete.
// Objects changed since apply are refused unless their id is in force. An
// apply step left in doubt is looked up by its natural key: the object is
// listed only when it holds exactly what the step asked for.
func (s *Service) RollbackPreview(ctx context.Context, planID string, t steps.Target, force []string) (RollbackPlan, error) {
	rp, _, err := s.rollbackPlan(ctx, planID, t, force)
	if err != nil {
		return RollbackPlan{}, fmt.Errorf("preview the rollback of plan %s: %w", planID, err)
	}
	return rp, nil
}

type rollbackState struct {
	ws       workspace.Workspace
	plan     Plan
	bySeq    map[int]Step
	apply    Run
	rollback *Run
	journal  map[int]Entry // of the rollback run
}

func (s *Service) rollbackPlan(ctx context.Context, planID string, t steps.Target, force []string) (RollbackPlan, rollbackState, error) {
	var st rollbackState
	var applied map[int]Entry
	err := s.Store.View(ctx, func(tx Tx) error {
		d, err := s.detail(tx, planID)
		if err != nil {
			return err
		}
		if st.ws, err = tx.Workspace(); err != nil {
			return err
		}
		if d.Apply == nil {
			return fmt.Errorf("%w: plan %s was never applied, so there is nothing to roll back", ErrPlanState, planID)
		}
		if d.Apply.Status == RunStarted && !d.Apply.Interrupted {
			return fmt.Errorf("%w: the apply of plan %s is running in %s; wait for it or cancel it first", ErrRunActive, planID, d.Apply.Owner)
		}
		st.plan, st.apply, st.rollback, applied = d.Plan, *d.Apply, d.Rollback, d.Applied
		st.journal = d.RolledBack
		if st.journal == nil {
			st.journal = map[int]Entry{}
		}
		st.bySeq = map[int]Step{}
		for _, step := range d.Steps {
			st.bySeq[step.Seq] = step
		}
		return nil
	})
	if err != nil {
		return RollbackPlan{}, st, err
	}
	rp := RollbackPlan{Plan: st.plan, ApplyRun: st.apply, Rollback: st.rollback, Refused: []string{}}
	forced := map[string]bool{}
	for _, id := range force {
		forced[id] = true
	}
	seqs := make([]int, 0, len(st.bySeq))
	for seq := range st.bySeq {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	slices.Reverse(seqs)
	ids := map[int]string{}
	for seq, e := range applied {
		if e.State == StateApplied {
			ids[seq] = e.TargetID
		}
	}
	for _, seq := range seqs {
		step := st.bySeq[seq]
		e, ok := applied[seq]
		if !ok || step.Disposition != steps.Planned {
			continue
		}
		kind, _ := steps.Of(step.Kind)
		item := RollbackItem{Step: seq, StepID: step.ID, Label: step.Label(), Kind: step.Kind, TargetID: e.TargetID, ETag: e.ETag}
		switch {
		case step.Action == steps.Bind:
			if e.State == StateApplied {
				item.Action, item.Reason = RollbackKeep, "a mapped, pre-existing object: rollback never touches it"
				rp.Items = append(rp.Items, item)
			}
			continue
		case e.State == StateIntent:
			o, found, err := s.findInDoubt(ctx, t, kind, step, ids)
			if err != nil {
				return rp, st, err
			}
			if !found {
				continue // the create never reached the target
			}
			item.TargetID, item.ETag = o.ID, o.ETag
			item.Reason = "its apply was in doubt; found by its natural key, holding exactly what the step asked for"
		case e.State != StateApplied:
			continue
		}
		if done, ok := st.journal[seq]; ok && (done.State == StateDeleted || done.State == StateGone) {
			item.Action = RollbackDone
			if done.State == StateGone {
				item.Action = RollbackGone
			}
			rp.Items = append(rp.Items, item)
			continue
		}
		cur, err := kind.Get(ctx, t, item.TargetID)
		switch {
		case errors.Is(err, client.ErrNotFound):
			item.Action, item.Reason = RollbackGone, "already gone from the target"
		case err != nil:
			return rp, st, fmt.Errorf("read %s %s: %w", kindWords(step.Kind), item.TargetID, err)
		case cur.ETag == item.ETag:
			item.Action, item.CurrentETag = RollbackDelete, cur.ETag
			rp.Deletes++
		case forced[item.TargetID]:
			item.Action, item.CurrentETag = RollbackForced, cur.ETag
			item.Reason = fmt.Sprintf("changed since apply (ETag %s, recorded %s); deleted because it was named with --force-object", cur.ETag, item.ETag)
			rp.Deletes++
		default:
			item.Action, item.CurrentETag = RollbackRefused, cur.ETag
			item.Reason = fmt.Sprintf("changed since apply (ETag %s, recorded %s); name it with --force-object %s to delete it anyway", cur.ETag, item.ETag, item.TargetID)
			rp.Refused = append(rp.Refused, item.TargetID)
		}
		rp.Items = append(rp.Items, item)
	}
	for id := range forced {
		if !slices.ContainsFunc(rp.Items, func(i RollbackItem) bool { return i.TargetID == id && i.Action != RollbackKeep }) {
			return rp, st, invalidf("--force-object %s is not an object the apply of plan %s created", id, planID)
		}
	}
	return rp, st, nil
}

// findInDoubt looks up the object of an apply step left in doubt by its
// natural key; it counts as created only when it holds exactly what the
// step asked for.
func (s *Service) findInDoubt(ctx context.Context, t steps.Target, kind steps.Kinder, step Step, ids map[int]string) (steps.Object, bool, error) {
	body, err := steps.Fill(step.Request, step.Refs, ids)
	if err != nil {
		return steps.Object{}, false, nil // a dependency never applied, so neither did this
	}
	keys, err := kind.KeysOf(body)
	if err != nil {
		return steps.Object{}, false, err
	}
	live, err := kind.Live(ctx, t, s.maxLive())
	if err != nil {
		return steps.Object{}, false, fmt.Errorf("read the live %s: %w", kindWords(step.Kind), err)
	}
	for _, o := range live {
		if slices.ContainsFunc(o.Keys, func(k string) bool { return slices.Contains(keys, k) }) && len(kind.Matches(body, o)) == 0 {
			got, err := kind.Get(ctx, t, o.ID)
			return got, err == nil, err
		}
	}
	return steps.Object{}, false, nil
}

// RollbackApply deletes exactly the objects the plan's apply created, newest
// first, each only while it is still at the ETag apply recorded (or named
// in force). It refuses to start while any object changed since apply is
// not named in force. Each delete is journaled before and after, so an
// interrupted rollback continues where it stopped when run again. An
// interrupted apply is marked failed first: it will not be resumed.
func (s *Service) RollbackApply(ctx context.Context, planID string, t steps.Target, force []string, opts ApplyOptions) (Outcome, error) {
	fail := func(err error) (Outcome, error) { return Outcome{}, fmt.Errorf("roll back plan %s: %w", planID, err) }
	rp, st, err := s.rollbackPlan(ctx, planID, t, force)
	if err != nil {
		return fail(err)
	}
	if len(rp.Refused) > 0 {
		return fail(fmt.Errorf("%w: %s; name each with --force-object ID to delete it anyway, or leave the rollback", ErrChangedObjects,
			strings.Join(rp.Refused, ", ")))
	}
	var run Run
	err = s.Store.Update(ctx, func(tx Tx) error {
		if st.rollback != nil && st.rollback.Status != RunCompleted {
			r, err := s.resumable(tx, planID, RunRollback)
			if err != nil {
				return err
			}
			run = r
			run.Status, run.FinishedAt, run.Owner, run.HeartbeatAt, run.Error = RunStarted, nil, owner(), s.now(), ""
			run.Resumes++
			run.Forced = force
			if err := tx.UpdateCutoverRun(run); err != nil {
				return err
			}
			return s.record(tx, audit.CutoverRunResumed, run.ID, map[string]string{"plan_id": planID, "kind": string(RunRollback),
				"resumes": strconv.Itoa(run.Resumes)})
		}
		if st.rollback != nil {
			return fmt.Errorf("%w: plan %s was already rolled back (run %s)", ErrPlanState, planID, st.rollback.ID)
		}
		apply, err := tx.CutoverRun(st.apply.ID)
		if err != nil {
			return err
		}
		if apply = s.shown(apply); apply.Status == RunStarted {
			if !apply.Interrupted {
				return fmt.Errorf("%w: the apply of plan %s is running in %s", ErrRunActive, planID, apply.Owner)
			}
			now := s.now()
			apply.Status, apply.FinishedAt, apply.Owner = RunFailed, &now, ""
			apply.Error = "interrupted, then rolled back instead of resumed"
			if err := tx.UpdateCutoverRun(apply); err != nil {
				return err
			}
		}
		if err := s.freeSlot(tx); err != nil {
			return err
		}
		now := s.now()
		run = Run{ID: workspace.NewID(), PlanID: planID, Kind: RunRollback, Status: RunStarted, StartedAt: now,
			HeartbeatAt: now, Owner: owner(), Counts: map[StepState]int{}, Forced: force}
		if err := tx.InsertCutoverRun(run); err != nil {
			return err
		}
		return s.record(tx, audit.CutoverRollbackStarted, run.ID, map[string]string{"plan_id": planID, "apply_run_id": st.apply.ID,
			"deletes": strconv.Itoa(rp.Deletes), "forced": strings.Join(force, ",")})
	})
	if err != nil {
		return fail(err)
	}
	x := &executor{s: s, ws: st.ws, plan: st.plan, run: &run, bySeq: st.bySeq, journal: st.journal, t: t, opts: opts,
		reqCtx: context.WithoutCancel(ctx), total: len(rp.Items)}
	stopBeat := s.beat(run.ID)
	x.startWriter()
	var runErr error
	cancelled := false
	for _, item := range rp.Items {
		if ctx.Err() != nil {
			cancelled = true
			break
		}
		x.started(item.Label)
		if item.Action == RollbackDelete || item.Action == RollbackForced || item.Action == RollbackGone {
			if err := x.undo(item); err != nil {
				runErr = err
				break
			}
		}
		x.finished()
	}
	x.stopWriter()
	stopBeat()
	x.started("")
	out, err := x.finishRollback(cancelled, runErr)
	x.report(true)
	return out, err
}

// undo deletes one object if it is still at the ETag apply recorded (the
// current one when forced), journaling before and after.
func (x *executor) undo(item RollbackItem) error {
	step := x.bySeq[item.Step]
	e, has := x.entry(item.Step)
	if has && (e.State == StateDeleted || e.State == StateGone) {
		return nil
	}
	if !has {
		e = Entry{RunID: x.run.ID, Step: item.Step, TargetID: item.TargetID, ETag: item.ETag}
	}
	kind, _ := steps.Of(step.Kind)
	killpoint(x.run.Kind, item.Step, "before_intent")
	now := x.s.now()
	e.State, e.IntentAt, e.ResultAt, e.Reason = StateIntent, &now, nil, ""
	e.Attempts++
	if err := x.saveUndo(e, step); err != nil {
		return err
	}
	killpoint(x.run.Kind, item.Step, "after_intent")
	etag := item.ETag
	if item.Action == RollbackForced {
		etag = item.CurrentETag
	}
	x.wait()
	err := kind.Delete(x.reqCtx, x.t, item.TargetID, etag)
	killpoint(x.run.Kind, item.Step, "after_response")
	now = x.s.now()
	e.ResultAt = &now
	switch {
	case err == nil:
		e.State, e.How = StateDeleted, HowDeleted
	case errors.Is(err, client.ErrNotFound):
		e.State, e.Reason = StateGone, "already gone from the target"
	case errors.Is(err, client.ErrPreconditionFailed):
		e.State, e.Reason = StateRefused, "changed since it was read; preview the rollback again"
	case certain(err):
		e.State, e.Reason = StateFailed, err.Error()
	default:
		e.State, e.ResultAt, e.Reason = StateIntent, nil, "in doubt: "+err.Error()
	}
	if err := x.saveUndo(e, step); err != nil {
		return err
	}
	killpoint(x.run.Kind, item.Step, "after_result")
	return nil
}

func (x *executor) saveUndo(e Entry, step Step) error {
	x.put(e)
	return x.commit(func(tx Tx) error {
		if err := tx.SaveCutoverEntry(e); err != nil {
			return fmt.Errorf("journal rollback of step %d: %w", e.Step, err)
		}
		event := ""
		switch {
		case e.State == StateDeleted || e.State == StateGone:
			event = audit.CutoverRollbackObjectDeleted
		case e.State == StateFailed || e.State == StateRefused || (e.State == StateIntent && e.Reason != ""):
			event = audit.CutoverRollbackObjectFailed
		}
		if event == "" {
			return nil
		}
		facts := map[string]string{"plan_id": x.plan.ID, "run_id": x.run.ID, "step": strconv.Itoa(step.Seq), "step_id": step.ID,
			"kind": string(step.Kind), "state": string(e.State), "etag": e.ETag}
		if e.Reason != "" {
			facts["reason"] = e.Reason
		}
		return x.s.record(tx, event, e.TargetID, facts)
	})
}

func (x *executor) finishRollback(cancelled bool, runErr error) (Outcome, error) {
	s := x.s
	return x.end(cancelled, runErr, ending{unit: "objects", resume: "roll back again to continue", what: "cutover rollback run",
		complete: func(tx Tx, run Run, plan Plan, journal map[int]Entry) (Outcome, error) {
			now := s.now()
			run.FinishedAt, run.Status = &now, RunCompleted
			for _, e := range journal {
				if e.State != StateDeleted && e.State != StateGone {
					run.Status = RunFailed
				}
			}
			if err := tx.UpdateCutoverRun(run); err != nil {
				return Outcome{}, err
			}
			facts := map[string]string{"plan_id": plan.ID, "run_id": run.ID, "status": string(run.Status), "resumes": strconv.Itoa(run.Resumes)}
			for st, n := range run.Counts {
				facts["state."+string(st)] = strconv.Itoa(n)
			}
			return Outcome{Run: s.shown(run), Plan: plan}, s.record(tx, audit.CutoverRollbackApplied, plan.ID, facts)
		}})
}
