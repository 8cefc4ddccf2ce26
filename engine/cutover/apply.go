package cutover

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// ApplyOptions are what an apply or resume reports to and how it paces.
type ApplyOptions struct {
	// Progress receives the run's progress about ten times a second, and
	// once when it stops.
	Progress func(Progress)
	// OnSecret receives each generated client secret right after its
	// step's result is journaled. Returning nil marks it delivered;
	// ErrDeliverLater leaves it for ConfirmSecrets (the caller shows it
	// later in the same process); any other error, or no OnSecret, leaves
	// it undelivered, and a resume rotates it so the operator gets one.
	OnSecret func(IssuedSecret) error
	// WriteRate paces the Portal writes (requests per second); 0 does not
	// pace (the client still honours 429 Retry-After).
	WriteRate float64
	// Parallel is how many independent steps an apply sends at once
	// (default DefaultParallel); a step starts only once every step it
	// depends on has finished. Progress and OnSecret may then be called
	// from several goroutines. Rollback deletes one object at a time.
	Parallel int
}

// DefaultParallel is how many independent steps an apply sends at once: a
// remote Portal answers in tens of milliseconds, so one at a time would
// leave most of its write budget unused.
const DefaultParallel = 4

// ErrDeliverLater is what OnSecret returns when it will show the secret
// once the run is over (and then calls ConfirmSecrets).
var ErrDeliverLater = errors.New("the secret is shown when the run ends")

// IssuedSecret is a confidential client's generated secret: shown once,
// never stored.
type IssuedSecret struct {
	PlanID   string       `json:"plan_id"`
	Step     int          `json:"step"`
	StepID   string       `json:"step_id"`
	AppName  string       `json:"application"`
	AppID    string       `json:"app_id"`
	ClientID string       `json:"client_id"`
	Secret   secret.Value `json:"-"`
	// Rotated: the secret replaces one that never reached the operator.
	Rotated bool `json:"rotated"`
}

// Progress is a run's progress.
type Progress struct {
	RunID string  `json:"run_id"`
	Kind  RunKind `json:"kind"`
	// Done of Total steps handled in this pass; Current is the step being
	// worked on.
	Done    int               `json:"done"`
	Total   int               `json:"total"`
	Current string            `json:"current,omitempty"`
	Counts  map[StepState]int `json:"counts"`
	// Finished is set on the last report of a pass.
	Finished bool `json:"finished"`
}

// Outcome is how an apply, resume or rollback pass ended.
type Outcome struct {
	Run  Run  `json:"run"`
	Plan Plan `json:"plan"`
	// Cancelled: the caller stopped the run after the current step; it is
	// interrupted and resumable.
	Cancelled bool `json:"cancelled"`
	// Undelivered counts secrets issued in the run that have not reached
	// the operator.
	Undelivered int `json:"undelivered_secrets"`
}

// Apply executes a previewed plan with its current preview token: it reads
// the target again and refuses on any drift from the preview, takes the
// workspace's one run slot (across processes), then executes every step in
// order, journaling each durably before and after its request. Cancelling
// ctx stops it after the current step and leaves the run resumable.
func (s *Service) Apply(ctx context.Context, planID, token string, t steps.Target, opts ApplyOptions) (Outcome, error) {
	fail := func(err error) (Outcome, error) {
		return Outcome{}, fmt.Errorf("apply cutover plan %s: %w", planID, err)
	}
	if err := s.checkGate(ctx); err != nil {
		return fail(err)
	}
	var plan Plan
	var stepList []Step
	var ws workspace.Workspace
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if plan, err = tx.CutoverPlan(planID); err != nil {
			return err
		}
		if err := s.applicable(tx, plan, token); err != nil {
			return err
		}
		stepList, err = tx.CutoverSteps(planID)
		return err
	})
	if err != nil {
		return fail(err)
	}
	digest, err := s.reviewDigest(ctx, ws, plan.AssessmentRunID)
	if err != nil {
		return fail(err)
	}
	if digest != plan.Preview.ReviewDigest {
		return fail(fmt.Errorf("%w since the preview; rebuild the plan and preview it again", ErrReviewChanged))
	}
	checks, drifts, err := s.inspect(ctx, t, stepList)
	if err != nil {
		return fail(err)
	}
	if len(drifts) > 0 {
		return fail(fmt.Errorf("%w; rebuild the plan or fix the target, then preview again", driftError(drifts)))
	}
	if digestOf(checks) != plan.Preview.Fingerprint {
		return fail(fmt.Errorf("%w: the target state read now differs from what the preview read; preview again", ErrDrift))
	}
	var run Run
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.CutoverPlan(planID)
		if err != nil {
			return err
		}
		if err := s.applicable(tx, cur, token); err != nil {
			return err
		}
		if err := s.freeSlot(tx); err != nil {
			return err
		}
		now := s.now()
		run = Run{ID: workspace.NewID(), PlanID: planID, Kind: RunApply, Status: RunStarted, StartedAt: now,
			HeartbeatAt: now, Owner: owner(), Counts: map[StepState]int{}}
		return tx.InsertCutoverRun(run)
	})
	if err != nil {
		return fail(err)
	}
	return s.execute(ctx, ws, plan, stepList, run, map[int]Entry{}, t, opts)
}

// applicable checks a plan may be applied with token now.
func (s *Service) applicable(tx Tx, p Plan, token string) error {
	if p.Status == StatusDraft {
		return fmt.Errorf("%w: plan %s is draft; preview it first (cutover preview --plan %s)", ErrPlanState, p.ID, p.ID)
	}
	if err := s.notStarted(tx, p); err != nil {
		return err
	}
	if err := s.checkCurrent(tx, p); err != nil {
		return err
	}
	switch {
	case p.Preview == nil:
		return fmt.Errorf("%w: plan %s has no preview", ErrToken, p.ID)
	case token == "":
		return fmt.Errorf("%w: give the token of the plan's latest preview (--preview-token)", ErrToken)
	case !tokenMatches(token, p.Preview.TokenHash):
		return fmt.Errorf("%w: it is not the token of plan %s's latest preview (a later preview or rebuild replaced it)", ErrToken, p.ID)
	case !s.now().Before(p.Preview.ExpiresAt):
		return fmt.Errorf("%w: the preview expired at %s; preview again", ErrToken, p.Preview.ExpiresAt.Format(time.RFC3339))
	case p.Preview.StepsDigest != p.StepsDigest:
		return fmt.Errorf("%w: the plan was rebuilt after the preview", ErrToken)
	}
	return nil
}

// freeSlot refuses while a run of the workspace is started. A started run
// whose process is gone is named as interrupted: it must be resumed or
// rolled back before anything else runs.
func (s *Service) freeSlot(tx Tx) error {
	runs, err := tx.CutoverRuns("")
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Status != RunStarted {
			continue
		}
		if s.ownerGone(r) {
			return fmt.Errorf("%w: the %s of plan %s (run %s) was interrupted; resume it (cutover resume) or roll it back first", ErrRunActive, r.Kind, r.PlanID, r.ID)
		}
		return fmt.Errorf("%w: the %s of plan %s (run %s) is running in %s", ErrRunActive, r.Kind, r.PlanID, r.ID, r.Owner)
	}
	return nil
}

// Resume continues an interrupted or failed apply: every step in doubt
// (journaled intent, no result) is sent again with the same idempotency key
// (the Portal answers with the object it made, or makes it now) and, when
// the Portal's idempotency window has passed, found by its natural key;
// failed steps and steps blocked behind them are tried again; the rest
// continue. No step is lost or done twice. planID may be empty: the
// workspace's interrupted apply, else its newest failed one.
func (s *Service) Resume(ctx context.Context, planID string, t steps.Target, opts ApplyOptions) (Outcome, error) {
	fail := func(err error) (Outcome, error) { return Outcome{}, fmt.Errorf("resume cutover apply: %w", err) }
	var run Run
	var plan Plan
	var stepList []Step
	var journal map[int]Entry
	var ws workspace.Workspace
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if run, err = s.resumable(tx, planID, RunApply); err != nil {
			return err
		}
		if plan, err = tx.CutoverPlan(run.PlanID); err != nil {
			return err
		}
		if stepList, err = tx.CutoverSteps(run.PlanID); err != nil {
			return err
		}
		if journal, err = journalMap(tx, run.ID); err != nil {
			return err
		}
		prev := run.Status
		inDoubt := 0
		for _, e := range journal {
			if e.State == StateIntent {
				inDoubt++
			}
		}
		run.Status, run.FinishedAt, run.Owner, run.HeartbeatAt, run.Error = RunStarted, nil, owner(), s.now(), ""
		run.Resumes++
		if err := tx.UpdateCutoverRun(run); err != nil {
			return err
		}
		return s.record(tx, audit.CutoverRunResumed, run.ID, map[string]string{"plan_id": plan.ID, "kind": string(run.Kind),
			"previous_status": string(prev), "in_doubt": strconv.Itoa(inDoubt), "resumes": strconv.Itoa(run.Resumes)})
	})
	if err != nil {
		return fail(err)
	}
	return s.execute(ctx, ws, plan, stepList, run, journal, t, opts)
}

// resumable finds the run a resume continues: planID's newest run of kind,
// or the workspace's; it must be interrupted or failed, and no other run
// may be live.
func (s *Service) resumable(tx Tx, planID string, kind RunKind) (Run, error) {
	runs, err := tx.CutoverRuns(planID)
	if err != nil {
		return Run{}, err
	}
	var pick *Run
	for i := range runs {
		r := s.shown(runs[i])
		if r.Status == RunStarted && !r.Interrupted {
			return Run{}, fmt.Errorf("%w: the %s of plan %s (run %s) is running in %s", ErrRunActive, r.Kind, r.PlanID, r.ID, r.Owner)
		}
		if pick == nil && r.Kind == kind {
			pick = &runs[i]
		}
		if planID == "" && r.Kind == kind && r.Status == RunStarted {
			pick = &runs[i] // an interrupted run comes before a failed one
		}
	}
	if pick == nil {
		where := "this workspace"
		if planID != "" {
			where = "plan " + planID
		}
		return Run{}, fmt.Errorf("%w: %s has no %s run", ErrNothingToResume, where, kind)
	}
	r := s.shown(*pick)
	if r.Status != RunStarted && r.Status != RunFailed {
		owed, err := secretsOwed(tx, r.ID)
		if err != nil {
			return Run{}, err
		}
		if owed == 0 {
			return Run{}, fmt.Errorf("%w: the newest %s of plan %s (run %s) is %s", ErrNothingToResume, kind, r.PlanID, r.ID, r.Status)
		}
		// A finished apply whose client secrets never reached the
		// operator is resumed to issue them again.
	}
	if kind == RunApply {
		for _, o := range runs {
			if o.PlanID == r.PlanID && o.Kind == RunRollback {
				return Run{}, fmt.Errorf("%w: plan %s is being rolled back (run %s); an apply is not resumed after its rollback", ErrPlanState, r.PlanID, o.ID)
			}
		}
	}
	if r.Status != RunStarted {
		if err := s.freeSlot(tx); err != nil {
			return Run{}, err
		}
	}
	return r, nil
}

// secretsOwed counts the run's client secrets that never reached the
// operator.
func secretsOwed(tx Tx, runID string) (int, error) {
	entries, err := tx.CutoverJournal(runID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.SecretIssued && e.SecretDeliveredAt == nil {
			n++
		}
	}
	return n, nil
}

// Interrupted returns the workspace's started run whose process is gone,
// if any: the GUI and migctl offer to resume it.
func (s *Service) Interrupted(ctx context.Context) (Run, bool, error) {
	var out Run
	var found bool
	err := s.Store.View(ctx, func(tx Tx) error {
		runs, err := tx.CutoverRuns("")
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r = s.shown(r); r.Interrupted {
				out, found = r, true
				return nil
			}
		}
		return nil
	})
	return out, found, err
}

// ConfirmSecrets records that the secrets of the given steps of the plan's
// newest apply run reached the operator (after OnSecret returned
// ErrDeliverLater).
func (s *Service) ConfirmSecrets(ctx context.Context, planID string, seqs []int) error {
	return s.Store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		runs, err := tx.CutoverRuns(planID)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Kind != RunApply {
				continue
			}
			journal, err := journalMap(tx, r.ID)
			if err != nil {
				return err
			}
			now := s.now()
			for _, seq := range seqs {
				e, ok := journal[seq]
				if !ok || !e.SecretIssued {
					return fmt.Errorf("step %d of plan %s issued no secret", seq, planID)
				}
				e.SecretDeliveredAt = &now
				if err := tx.SaveCutoverEntry(e); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("%w: plan %s has no apply run", ErrRunNotFound, planID)
	})
}

// executor is one pass over a run's steps.
type executor struct {
	s       *Service
	ws      workspace.Workspace
	plan    Plan
	run     *Run
	bySeq   map[int]Step
	journal map[int]Entry
	t       steps.Target
	opts    ApplyOptions
	limiter *rate.Limiter
	// reqCtx carries no cancellation: a request once sent is answered,
	// so cancel stops between steps, never in the middle of one.
	reqCtx context.Context

	// writes feeds the journal's group commit (commit, writeLoop).
	writes     chan write
	writerDone chan struct{}

	// mu guards journal, done, current and reported: apply runs
	// independent steps on several goroutines.
	mu       sync.Mutex
	done     int
	total    int
	current  string
	reported time.Time
}

// write is one journal write waiting for the group commit.
type write struct {
	fn   func(Tx) error
	done chan error
}

// maxBatch bounds how many journal writes one transaction carries.
const maxBatch = 64

// commit journals fn durably: it returns once the transaction holding it
// has committed. Writes that several steps make at the same moment share
// one transaction (a group commit), so the journal's fsyncs do not cap how
// fast independent steps can go; each write is still on disk before its
// step moves on.
func (x *executor) commit(fn func(Tx) error) error {
	w := write{fn: fn, done: make(chan error, 1)}
	x.writes <- w
	return <-w.done
}

// writeLoop commits queued journal writes in batches until writes closes.
func (x *executor) writeLoop() {
	defer close(x.writerDone)
	for w := range x.writes {
		batch := []write{w}
	drain:
		for len(batch) < maxBatch {
			select {
			case more, ok := <-x.writes:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		err := x.s.Store.Update(x.reqCtx, func(tx Tx) error {
			for _, b := range batch {
				if err := b.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		for _, b := range batch {
			b.done <- err
		}
	}
}

// startWriter and stopWriter bracket a pass: every step's writes go
// through the one writer.
func (x *executor) startWriter() {
	x.writes, x.writerDone = make(chan write, maxBatch), make(chan struct{})
	go x.writeLoop()
}

func (x *executor) stopWriter() {
	close(x.writes)
	<-x.writerDone
}

func (x *executor) entry(seq int) (Entry, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.journal[seq]
	return e, ok
}

func (x *executor) put(e Entry) {
	x.mu.Lock()
	x.journal[e.Step] = e
	x.mu.Unlock()
}

func (x *executor) started(label string) {
	x.mu.Lock()
	x.current = label
	x.mu.Unlock()
	x.report(false)
}

func (x *executor) finished() {
	x.mu.Lock()
	x.done++
	x.mu.Unlock()
	x.report(false)
}

func (s *Service) execute(ctx context.Context, ws workspace.Workspace, plan Plan, stepList []Step, run Run, journal map[int]Entry,
	t steps.Target, opts ApplyOptions) (Outcome, error) {
	x := &executor{s: s, ws: ws, plan: plan, run: &run, bySeq: map[int]Step{}, journal: journal, t: t, opts: opts,
		reqCtx: context.WithoutCancel(ctx), total: len(stepList)}
	for _, st := range stepList {
		x.bySeq[st.Seq] = st
	}
	if opts.WriteRate > 0 {
		x.limiter = rate.NewLimiter(rate.Limit(opts.WriteRate), 1)
	}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	stopBeat := s.beat(run.ID)
	x.startWriter()
	// Steps start in plan order, each once the steps it depends on have
	// settled, at most parallel at a time. Cancel stops starting steps;
	// those already sent finish and are journaled.
	settled := make(map[int]chan struct{}, len(stepList))
	for _, st := range stepList {
		settled[st.Seq] = make(chan struct{})
	}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var runErr error
	failed := func() bool { errMu.Lock(); defer errMu.Unlock(); return runErr != nil }
	cancelled := false
	for _, st := range stepList {
		for _, dep := range st.DependsOn {
			if ch, ok := settled[dep]; ok {
				<-ch
			}
		}
		if ctx.Err() != nil {
			cancelled = true
			break
		}
		if failed() {
			break
		}
		slots <- struct{}{}
		if ctx.Err() != nil { // cancelled while waiting for a slot
			<-slots
			cancelled = true
			break
		}
		wg.Add(1)
		go func(st Step) {
			defer wg.Done()
			defer func() { <-slots }()
			defer close(settled[st.Seq])
			x.started(st.Label())
			if err := x.step(st); err != nil {
				errMu.Lock()
				if runErr == nil {
					runErr = err
				}
				errMu.Unlock()
				return
			}
			x.finished()
		}(st)
	}
	wg.Wait()
	x.stopWriter()
	stopBeat()
	x.mu.Lock()
	x.current = ""
	x.mu.Unlock()
	out, err := x.finish(cancelled, runErr)
	x.report(true)
	return out, err
}

// step runs one step to a journaled result. An error here is the
// workspace file failing; a Portal error is the step's result.
func (x *executor) step(st Step) error {
	e, has := x.entry(st.Seq)
	if has {
		switch e.State {
		case StateApplied:
			return x.secretOwed(st, e)
		case StateSkipped, StateManualFollowUp:
			return nil
		case StateBlocked:
			if !e.Runtime {
				return nil
			}
		}
	} else {
		e = Entry{RunID: x.run.ID, Step: st.Seq}
	}
	if st.Disposition != steps.Planned {
		now := x.s.now()
		e.State, e.Reason, e.ResultAt = StepState(st.Disposition), st.Reason, &now
		return x.save(e, st)
	}
	ids := map[int]string{}
	for _, r := range st.Refs {
		dep, _ := x.entry(r.Step)
		if dep.State != StateApplied || dep.TargetID == "" {
			now := x.s.now()
			e.State, e.Runtime, e.ResultAt = StateBlocked, true, &now
			e.Reason = fmt.Sprintf("step %d (%s) did not apply: %s", r.Step, x.bySeq[r.Step].Label(), describeEntry(dep))
			return x.save(e, st)
		}
		ids[r.Step] = dep.TargetID
	}
	kind, ok := steps.Of(st.Kind)
	if !ok {
		now := x.s.now()
		e.State, e.Reason, e.ResultAt = StateFailed, "this build has no step kind "+string(st.Kind), &now
		return x.save(e, st)
	}
	killpoint(x.run.Kind, st.Seq, "before_intent")
	now := x.s.now()
	e.State, e.IntentAt, e.ResultAt, e.Reason, e.Runtime = StateIntent, &now, nil, "", false
	e.Attempts++
	if err := x.save(e, st); err != nil {
		return err
	}
	killpoint(x.run.Kind, st.Seq, "after_intent")
	if st.Action == steps.Bind {
		return x.bind(st, e, kind)
	}
	return x.create(st, e, kind, ids)
}

func (x *executor) wait() {
	if x.limiter != nil {
		_ = x.limiter.Wait(x.reqCtx)
	}
}

// create sends the step's request with its idempotency key. A conflict on
// a natural key (the object exists: an earlier create whose answer was lost
// and whose idempotency record expired) is resolved by finding the object
// and adopting it only when it holds exactly what the step asks for.
func (x *executor) create(st Step, e Entry, kind steps.Kinder, ids map[int]string) error {
	body, err := steps.Fill(st.Request, st.Refs, ids)
	if err == nil {
		x.wait()
		var created steps.Created
		created, err = kind.Create(x.reqCtx, x.t, body, x.key(st, "create"))
		killpoint(x.run.Kind, st.Seq, "after_response")
		how := HowCreated
		if created.Replayed {
			how = HowReplayed
		}
		if isConflict(err) {
			var o steps.Object
			var found bool
			if o, found, err = x.adopt(kind, body, err); found {
				created, how = steps.Created{Object: o}, HowAdopted
			}
		}
		if err == nil {
			now := x.s.now()
			e.State, e.TargetID, e.ETag, e.How, e.ResultAt = StateApplied, created.ID, created.ETag, how, &now
			e.SecretIssued = !created.Secret.IsEmpty()
			if err := x.save(e, st); err != nil {
				return err
			}
			killpoint(x.run.Kind, st.Seq, "after_result")
			if e.SecretIssued {
				return x.deliver(st, e, created, false)
			}
			if st.Kind == steps.KindApplication && steps.Confidential(body) {
				// The answer that carried the secret was lost (replayed
				// or adopted): mint a new one so the operator gets it.
				return x.rotate(st, e)
			}
			return nil
		}
	}
	now := x.s.now()
	e.Reason, e.ResultAt = err.Error(), &now
	e.State = StateFailed
	if !certain(err) {
		// The Portal may have committed the create before the answer was
		// lost: the step stays in doubt, and resume sends it again with
		// the same key (or rollback finds the object by its natural key).
		e.State, e.ResultAt = StateIntent, nil
		e.Reason = "in doubt: " + e.Reason
	}
	if err := x.save(e, st); err != nil {
		return err
	}
	killpoint(x.run.Kind, st.Seq, "after_result")
	return nil
}

// certain reports an error after which the Portal is known not to have
// acted: a 4xx answer other than a timeout or rate limit, or a refusal
// before anything was sent. Anything else (a dropped connection, a 5xx
// after the retries, an answer that did not decode) may follow a commit.
func certain(err error) bool {
	var p *client.Problem
	if errors.As(err, &p) {
		return p.Status >= 400 && p.Status < 500 && p.Status != 408 && p.Status != 429
	}
	return errors.Is(err, client.ErrMissingPermission) || errors.Is(err, client.ErrForbiddenContext) || errors.Is(err, client.ErrUnauthorized)
}

// adopt finds the live object holding the request's natural key; it is
// the step's own object only when it holds exactly what was asked for.
func (x *executor) adopt(kind steps.Kinder, body []byte, conflict error) (steps.Object, bool, error) {
	keys, err := kind.KeysOf(body)
	if err != nil {
		return steps.Object{}, false, err
	}
	live, err := kind.Live(x.reqCtx, x.t, x.s.maxLive())
	if err != nil {
		return steps.Object{}, false, fmt.Errorf("%w; then reading the live %s to find the object failed: %w", conflict, kindWords(kind.Kind()), err)
	}
	for _, o := range live {
		for _, k := range o.Keys {
			for _, want := range keys {
				if k != want {
					continue
				}
				if diffs := kind.Matches(body, o); len(diffs) > 0 {
					return steps.Object{}, false, fmt.Errorf("%w: the live %s %s holds %s but is not what this step creates (%s)",
						conflict, kindWords(kind.Kind()), o.ID, k, strings.Join(diffs, "; "))
				}
				got, err := kind.Get(x.reqCtx, x.t, o.ID)
				if err != nil {
					return steps.Object{}, false, fmt.Errorf("read %s %s: %w", kindWords(kind.Kind()), o.ID, err)
				}
				return got, true, nil
			}
		}
	}
	return steps.Object{}, false, conflict
}

func isConflict(err error) bool {
	return errors.Is(err, client.ErrConflict) && !errors.Is(err, client.ErrIdempotencyConflict)
}

// bind reads the mapped object: it must still be at the ETag merge review
// read. It is never changed.
func (x *executor) bind(st Step, e Entry, kind steps.Kinder) error {
	o, err := kind.Get(x.reqCtx, x.t, st.Bound.TargetID)
	killpoint(x.run.Kind, st.Seq, "after_response")
	now := x.s.now()
	e.ResultAt = &now
	switch {
	case errors.Is(err, client.ErrNotFound):
		e.State, e.Reason = StateFailed, fmt.Sprintf("the mapped %s %s is gone from the target", kindWords(st.Kind), st.Bound.TargetID)
	case err != nil:
		e.State, e.Reason = StateFailed, err.Error()
	case st.Bound.ETag != "" && o.ETag != st.Bound.ETag:
		e.State, e.Reason = StateFailed, fmt.Sprintf("the mapped %s %s changed since merge review read it (ETag %s, reviewed %s)", kindWords(st.Kind), o.ID, o.ETag, st.Bound.ETag)
	default:
		e.State, e.TargetID, e.ETag, e.How = StateApplied, o.ID, o.ETag, HowBound
	}
	if err := x.save(e, st); err != nil {
		return err
	}
	killpoint(x.run.Kind, st.Seq, "after_result")
	return nil
}

// secretOwed rotates an applied application's secret that never reached
// the operator (the process died between journaling it and showing it).
func (x *executor) secretOwed(st Step, e Entry) error {
	if !e.SecretIssued || e.SecretDeliveredAt != nil {
		return nil
	}
	return x.rotate(st, e)
}

// maxRotations bounds how often one pass rotates a step's secret (each
// rotation whose answer is lost needs another).
const maxRotations = 3

// rotate mints a new client secret. The rotation count is journaled
// before each attempt, so every attempt has its own idempotency key: a
// replayed rotation would not carry the secret.
func (x *executor) rotate(st Step, e Entry) error {
	for range maxRotations {
		e.SecretRotations++
		if err := x.save(e, Step{}); err != nil {
			return err
		}
		x.wait()
		// Read the current ETag: an earlier rotation whose answer was
		// lost moved it.
		etag := e.ETag
		if app, ok := steps.Of(steps.KindApplication); ok {
			if cur, err := app.Get(x.reqCtx, x.t, e.TargetID); err == nil {
				etag = cur.ETag
			}
		}
		got, err := steps.RotateSecret(x.reqCtx, x.t, e.TargetID, etag, x.key(st, "rotate-secret", strconv.Itoa(e.SecretRotations)))
		if err != nil {
			now := x.s.now()
			e.Reason = "created, but its client secret could not be issued again: " + err.Error()
			e.ResultAt = &now
			return x.save(e, Step{})
		}
		if got.Secret.IsEmpty() {
			continue
		}
		e.ETag, e.SecretIssued, e.SecretDeliveredAt = got.ETag, true, nil
		x.put(e)
		err = x.commit(func(tx Tx) error {
			if err := tx.SaveCutoverEntry(e); err != nil {
				return err
			}
			return x.s.record(tx, audit.CutoverStepSecretRotated, e.TargetID, map[string]string{
				"plan_id": x.plan.ID, "run_id": x.run.ID, "step": strconv.Itoa(st.Seq), "step_id": st.ID,
				"rotations": strconv.Itoa(e.SecretRotations), "reason": "the secret issued earlier never reached the operator"})
		})
		if err != nil {
			return err
		}
		return x.deliver(st, e, got, true)
	}
	return nil
}

// deliver hands a secret to the operator and records that it arrived.
func (x *executor) deliver(st Step, e Entry, c steps.Created, rotated bool) error {
	if x.opts.OnSecret == nil {
		return nil
	}
	clientID := ""
	if app, err := decodeApp(c.Body); err == nil {
		clientID = app.ClientId
	}
	err := x.opts.OnSecret(IssuedSecret{PlanID: x.plan.ID, Step: st.Seq, StepID: st.ID, AppName: st.Name, AppID: e.TargetID,
		ClientID: clientID, Secret: c.Secret, Rotated: rotated})
	if err != nil {
		return nil // undelivered: a resume, or ConfirmSecrets, settles it
	}
	now := x.s.now()
	e.SecretDeliveredAt = &now
	x.put(e)
	return x.commit(func(tx Tx) error { return tx.SaveCutoverEntry(e) })
}

// key is the idempotency key of one operation of a step: the same in every
// process, so a retried or resumed step never makes a second object.
func (x *executor) key(st Step, op string, more ...string) string {
	return client.OperationKey(append([]string{"cutover", x.ws.ID, x.plan.ID, st.ID, op}, more...)...)
}

// save journals e durably; a result (not an intent) is audited in the same
// transaction. st is zero for bookkeeping writes that are not audited.
func (x *executor) save(e Entry, st Step) error {
	x.put(e)
	return x.commit(func(tx Tx) error {
		if err := tx.SaveCutoverEntry(e); err != nil {
			return fmt.Errorf("journal step %d: %w", e.Step, err)
		}
		event := stepEvent(e.State)
		inDoubt := e.State == StateIntent && e.Reason != ""
		if inDoubt {
			event = audit.CutoverStepFailed
		}
		if st.ID == "" || event == "" {
			return nil
		}
		target := e.TargetID
		if target == "" {
			target = x.plan.ID + "/" + st.ID
		}
		facts := map[string]string{"plan_id": x.plan.ID, "run_id": x.run.ID, "step": strconv.Itoa(st.Seq), "step_id": st.ID,
			"kind": string(st.Kind), "action": string(st.Action), "item_source_id": st.ItemSourceID, "name": st.Name}
		if e.How != "" {
			facts["how"] = e.How
		}
		if e.Reason != "" {
			facts["reason"] = e.Reason
		}
		if st.RuleID != "" {
			facts["rule_id"] = st.RuleID
		}
		if st.DecisionID != "" {
			facts["decision_id"] = st.DecisionID
		}
		if inDoubt {
			facts["in_doubt"] = "true"
		}
		return x.s.record(tx, event, target, facts)
	})
}

func stepEvent(s StepState) string {
	switch s {
	case StateApplied:
		return audit.CutoverStepApplied
	case StateFailed:
		return audit.CutoverStepFailed
	case StateBlocked:
		return audit.CutoverStepBlocked
	case StateSkipped:
		return audit.CutoverStepSkipped
	case StateManualFollowUp:
		return audit.CutoverStepManualFollowUp
	}
	return ""
}

func describeEntry(e Entry) string {
	switch {
	case e.State == "":
		return "it has not run"
	case e.Reason != "":
		return string(e.State) + ": " + e.Reason
	}
	return string(e.State)
}

// report sends progress at most ten times a second, and always at the end.
func (x *executor) report(final bool) {
	if x.opts.Progress == nil {
		return
	}
	x.mu.Lock()
	now := time.Now()
	if !final && now.Sub(x.reported) < 100*time.Millisecond {
		x.mu.Unlock()
		return
	}
	x.reported = now
	p := Progress{RunID: x.run.ID, Kind: x.run.Kind, Done: x.done, Total: x.total, Current: x.current,
		Counts: countStates(x.journal), Finished: final}
	x.mu.Unlock()
	x.opts.Progress(p)
}

func countStates(j map[int]Entry) map[StepState]int {
	c := map[StepState]int{}
	for _, e := range j {
		c[e.State]++
	}
	return c
}

// ending says how a pass ends: the unit its progress counts, how an
// interrupted one continues, what its errors name, and what a pass that
// ran to its end records (inside the same transaction).
type ending struct {
	unit, resume, what string
	complete           func(tx Tx, run Run, plan Plan, journal map[int]Entry) (Outcome, error)
}

// end ends an apply or rollback pass: a cancelled or failed run lets go of
// its slot and stays started (interrupted, resumable); otherwise e.complete
// gives the run and the plan their final states.
func (x *executor) end(cancelled bool, runErr error, e ending) (Outcome, error) {
	s := x.s
	var out Outcome
	err := s.Store.Update(x.reqCtx, func(tx Tx) error {
		run, err := tx.CutoverRun(x.run.ID)
		if err != nil {
			return err
		}
		plan, err := tx.CutoverPlan(x.plan.ID)
		if err != nil {
			return err
		}
		journal, err := journalMap(tx, run.ID)
		if err != nil {
			return err
		}
		run.Counts, run.Owner = countStates(journal), ""
		if cancelled || runErr != nil {
			reason := "cancelled by the operator"
			if runErr != nil {
				reason = runErr.Error()
			}
			run.Error = fmt.Sprintf("interrupted after %d of %d %s: %s; %s", x.done, x.total, e.unit, reason, e.resume)
			if err := tx.UpdateCutoverRun(run); err != nil {
				return err
			}
			out = Outcome{Run: s.shown(run), Plan: plan, Cancelled: cancelled}
			return s.record(tx, audit.CutoverRunInterrupted, run.ID, map[string]string{"plan_id": plan.ID, "kind": string(run.Kind),
				"done": strconv.Itoa(x.done), "total": strconv.Itoa(x.total), "reason": reason})
		}
		out, err = e.complete(tx, run, plan, journal)
		return err
	})
	if err == nil && runErr != nil {
		err = runErr
	}
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", e.what, x.run.ID, err)
	}
	return out, nil
}

// finish ends an apply pass; a completed one gives the plan its applied
// (or failed) state. Secrets issued but not yet delivered are counted
// either way.
func (x *executor) finish(cancelled bool, runErr error) (Outcome, error) {
	s := x.s
	out, err := x.end(cancelled, runErr, ending{unit: "steps", resume: "resume to continue", what: "cutover run",
		complete: func(tx Tx, run Run, plan Plan, journal map[int]Entry) (Outcome, error) {
			now := s.now()
			run.FinishedAt = &now
			run.Status, plan.Status = outcomeOf(journal)
			plan.UpdatedAt = now
			if err := tx.UpdateCutoverRun(run); err != nil {
				return Outcome{}, err
			}
			if err := tx.UpdateCutoverPlan(plan, nil); err != nil {
				return Outcome{}, err
			}
			facts := planFacts(plan)
			facts["run_id"], facts["run_status"], facts["resumes"] = run.ID, string(run.Status), strconv.Itoa(run.Resumes)
			for st, n := range run.Counts {
				facts["state."+string(st)] = strconv.Itoa(n)
			}
			event := audit.CutoverPlanApplied
			if plan.Status == StatusFailed {
				event = audit.CutoverPlanApplyFailed
			}
			return Outcome{Run: s.shown(run), Plan: plan}, s.record(tx, event, plan.ID, facts)
		}})
	for _, e := range x.journal {
		if e.SecretIssued && e.SecretDeliveredAt == nil {
			out.Undelivered++
		}
	}
	return out, err
}

// outcomeOf is the run's and the plan's final state from its journal.
func outcomeOf(journal map[int]Entry) (RunStatus, PlanStatus) {
	followUp := false
	for _, e := range journal {
		switch {
		case e.State == StateFailed || e.State == StateIntent || (e.State == StateBlocked && e.Runtime):
			return RunFailed, StatusFailed
		case e.State == StateBlocked || e.State == StateSkipped || e.State == StateManualFollowUp:
			followUp = true
		}
	}
	if followUp {
		return RunCompletedWithFollowUp, StatusAppliedWithFollowUp
	}
	return RunCompleted, StatusApplied
}

// beat refreshes the run's heartbeat until the returned stop is called, so
// another process can tell a live run from one whose process died.
func (s *Service) beat(runID string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	me := owner()
	go func() {
		defer close(done)
		tick := time.NewTicker(s.staleAfter() / 6)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				// A missed beat only risks another process calling the run
				// interrupted; the journal writes fail on their own if the
				// file is gone.
				_ = s.Store.Update(ctx, func(tx Tx) error {
					r, err := tx.CutoverRun(runID)
					if err != nil || r.Owner != me || r.Status != RunStarted {
						return err
					}
					r.HeartbeatAt = s.now()
					return tx.UpdateCutoverRun(r)
				})
			}
		}
	}()
	return func() { cancel(); <-done }
}
