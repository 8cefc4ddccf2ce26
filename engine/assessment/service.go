package assessment

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Service runs and reads assessments of one workspace file.
type Service struct {
	Store     Store
	Catalogue *Catalogue
	// Contributors add their rows to every run after its results are
	// persisted and before it completes (see Contributor).
	Contributors []Contributor
	Actor        string
	Now          func() time.Time
	// BatchSize is the number of results written per transaction (default
	// 1000); PageSize the number of items read per query (default 1000).
	BatchSize int
	PageSize  int
	// StaleAfter is how long an assessing run may go without a heartbeat
	// before it is shown, and recorded, as failed (default 30 s;
	// heartbeats are written every StaleAfter/6).
	StaleAfter time.Duration
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * time.Second
}

func (s *Service) batchSize() int {
	if s.BatchSize > 0 {
		return s.BatchSize
	}
	return 1000
}

func (s *Service) pageSize() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return 1000
}

// Phase is the part of a run in progress.
type Phase string

const (
	PhaseIndexing    Phase = "indexing"
	PhaseClassifying Phase = "classifying"
	PhaseFinishing   Phase = "finishing"
)

// Progress is a run's running tally, reported about ten times a second and
// once at the end (Done set).
type Progress struct {
	Phase Phase `json:"phase"`
	// Items is how many items are classified, of Total.
	Items   int           `json:"items"`
	Total   int           `json:"total"`
	Elapsed time.Duration `json:"elapsed"`
	Done    bool          `json:"done"`
}

// ErrSourceNotReady: archived workspaces and sources that are not
// configured cannot run an assessment.
var ErrSourceNotReady = errors.New("the source cannot be assessed")

// RunSource assesses the newest completed snapshot of the named source.
func (s *Service) RunSource(ctx context.Context, sourceName string, progress func(Progress)) (Run, error) {
	var snapID string
	err := s.Store.View(ctx, func(tx Tx) error {
		snaps, err := tx.Snapshots()
		if err != nil {
			return err
		}
		seen := false
		for _, sn := range snaps { // newest first
			if sn.SourceName != sourceName {
				continue
			}
			seen = true
			if sn.Status == inventory.StatusCompleted {
				snapID = sn.ID
				return nil
			}
		}
		if seen {
			return fmt.Errorf("%w: source %q has no completed snapshot; collect one first", ErrSnapshotNotReady, sourceName)
		}
		return fmt.Errorf("source %q has no snapshot: %w", sourceName, inventory.ErrSnapshotNotFound)
	})
	if err != nil {
		return Run{}, fmt.Errorf("assess source %q: %w", sourceName, err)
	}
	return s.Run(ctx, snapID, progress)
}

// Run assesses a completed snapshot: the run is durable in state assessing
// before the first item is read, and ends completed only after every item
// result, impact row and contributor row is persisted; otherwise it ends
// failed with the reason (cancellation included). progress may be nil.
func (s *Service) Run(ctx context.Context, snapshotID string, progress func(Progress)) (Run, error) {
	if s.Catalogue == nil {
		return Run{}, errors.New("assess: no rule catalogue configured")
	}
	run, ws, snap, err := s.start(ctx, snapshotID)
	if err != nil {
		return Run{}, err
	}
	hbCtx, stopHeartbeat := context.WithCancel(context.Background())
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); s.heartbeat(hbCtx, run.ID) }()

	r := &runner{s: s, run: &run, snap: snap, progress: progress, started: time.Now(),
		x: newIndex(s.Catalogue), impactIdx: map[string]int{},
		counts: map[Class]int{}, kindCounts: map[inventory.Kind]map[Class]int{}}
	runErr := r.assess(ctx)
	if runErr == nil {
		r.report(PhaseFinishing, false)
		runErr = s.contribute(ctx, run)
	}
	stopHeartbeat()
	<-hbDone
	r.report(PhaseFinishing, true)
	if runErr != nil {
		if ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
			runErr = fmt.Errorf("cancelled: %w", runErr)
		}
		return s.fail(run, ws, runErr)
	}
	return s.complete(r, ws)
}

func (s *Service) start(ctx context.Context, snapshotID string) (Run, workspace.Workspace, inventory.Snapshot, error) {
	var (
		run  Run
		ws   workspace.Workspace
		snap inventory.Snapshot
	)
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if ws.Status == workspace.StatusArchived {
			return fmt.Errorf("%w: the workspace is archived", ErrSourceNotReady)
		}
		if snap, err = tx.Snapshot(snapshotID); err != nil {
			return err
		}
		if snap.Status != inventory.StatusCompleted {
			return fmt.Errorf("%w: snapshot %s is %s; only a completed snapshot can be assessed", ErrSnapshotNotReady, snap.ID, snap.Status)
		}
		sources, err := tx.Sources()
		if err != nil {
			return err
		}
		for _, src := range sources {
			if src.ID == snap.SourceID && src.Status != workspace.SourceConfigured {
				return fmt.Errorf("%w: source %q is %s", ErrSourceNotReady, src.Name, src.Status)
			}
		}
		if err := s.expireStale(tx, ws, snap.ID); err != nil {
			return err
		}
		now := s.now()
		run = Run{
			ID: workspace.NewID(), SnapshotID: snap.ID, SourceID: snap.SourceID, SourceName: snap.SourceName,
			SourceKind: snap.SourceKind, Status: StatusAssessing, StartedAt: now, HeartbeatAt: now, Owner: owner(),
			ClassifierVersion: s.Catalogue.ClassifierVersion(), CatalogueVersion: s.Catalogue.Version(),
			Counts: map[Class]int{}, KindCounts: map[inventory.Kind]map[Class]int{},
			ImpactsBySeverity: map[Severity]int{}, ImpactsByAudience: map[Audience]int{},
		}
		return tx.InsertAssessmentRun(run)
	})
	if err != nil {
		return Run{}, ws, snap, fmt.Errorf("start assessment of snapshot %s: %w", snapshotID, err)
	}
	return run, ws, snap, nil
}

// expireStale fails an assessing run of the snapshot whose process stopped
// heartbeating, so it never reads as completed and does not block a new
// run forever.
func (s *Service) expireStale(tx Tx, ws workspace.Workspace, snapshotID string) error {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return err
	}
	cutoff := s.now().Add(-s.staleAfter())
	for _, old := range runs {
		if old.SnapshotID != snapshotID || old.Status != StatusAssessing || old.HeartbeatAt.After(cutoff) {
			continue
		}
		now := s.now()
		old.Status, old.FinishedAt = StatusFailed, &now
		old.Error = fmt.Sprintf("interrupted: the assessing process (%s) stopped without finishing; last heartbeat %s", old.Owner, old.HeartbeatAt.Format(time.RFC3339))
		if err := tx.UpdateAssessmentRun(old); err != nil {
			return err
		}
		if _, err := audit.Record(tx, s.entry(ws, audit.AssessmentFailed, old, map[string]string{"error": old.Error})); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) heartbeat(ctx context.Context, runID string) {
	t := time.NewTicker(s.staleAfter() / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A missed beat only risks another process declaring the run
			// stale; the run's own writes fail if the file is gone.
			_ = s.Store.Update(ctx, func(tx Tx) error {
				run, err := tx.AssessmentRun(runID)
				if err != nil || run.Status != StatusAssessing {
					return err
				}
				run.HeartbeatAt = s.now()
				return tx.UpdateAssessmentRun(run)
			})
		}
	}
}

func (s *Service) contribute(ctx context.Context, run Run) error {
	for _, c := range s.Contributors {
		if err := c.Contribute(ctx, run, &runReader{s: s, runID: run.ID, snapshotID: run.SnapshotID}); err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
	}
	return nil
}

// finalise runs the closing transaction with a fresh context: the caller's
// may be cancelled, and the outcome must still be written.
func (s *Service) finalise(fn func(tx Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return s.Store.Update(ctx, fn)
}

func (s *Service) complete(r *runner, ws workspace.Workspace) (Run, error) {
	run := *r.run
	err := s.finalise(func(tx Tx) error {
		cur, err := tx.AssessmentRun(run.ID)
		if err != nil {
			return err
		}
		if cur.Status != StatusAssessing {
			return fmt.Errorf("run %s was marked %s while assessing (%s)", run.ID, cur.Status, cur.Error)
		}
		carried, err := s.carryDispositions(tx, run)
		if err != nil {
			return fmt.Errorf("carry dispositions over: %w", err)
		}
		now := s.now()
		run.HeartbeatAt = now
		run.Status, run.FinishedAt = StatusCompleted, &now
		run.Counts, run.KindCounts, run.ItemCount = r.counts, r.kindCounts, r.items
		run.ImpactCount, run.UnavoidableChangeCount, run.CarriedDispositions = len(r.impacts), r.unavoidable, carried
		run.ImpactsBySeverity, run.ImpactsByAudience = map[Severity]int{}, map[Audience]int{}
		for _, im := range r.impacts {
			run.ImpactsBySeverity[im.Severity]++
			run.ImpactsByAudience[im.Audience]++
		}
		if err := tx.UpdateAssessmentRun(run); err != nil {
			return err
		}
		facts := map[string]string{
			"snapshot_id": run.SnapshotID, "classifier_version": run.ClassifierVersion, "items": fmt.Sprint(run.ItemCount),
			"ocm_impacts": fmt.Sprint(run.ImpactCount), "unavoidable_changes": fmt.Sprint(run.UnavoidableChangeCount),
			"dispositions_carried": fmt.Sprint(carried),
		}
		for _, c := range Classes {
			facts["count."+string(c)] = fmt.Sprint(run.Counts[c])
		}
		_, err = audit.Record(tx, s.entry(ws, audit.AssessmentCompleted, run, facts))
		return err
	})
	if err != nil {
		if _, ferr := s.fail(run, ws, fmt.Errorf("complete the run: %w", err)); ferr != nil {
			return run, ferr
		}
		return run, fmt.Errorf("complete assessment run %s: %w", run.ID, err)
	}
	return run, nil
}

// fail records the run as failed and returns it with the cause.
func (s *Service) fail(run Run, ws workspace.Workspace, cause error) (Run, error) {
	msg := cause.Error()
	err := s.finalise(func(tx Tx) error {
		cur, err := tx.AssessmentRun(run.ID)
		if err != nil {
			return err
		}
		now := s.now()
		run = cur
		run.Status, run.FinishedAt, run.Error = StatusFailed, &now, msg
		if err := tx.UpdateAssessmentRun(run); err != nil {
			return err
		}
		_, err = audit.Record(tx, s.entry(ws, audit.AssessmentFailed, run, map[string]string{
			"snapshot_id": run.SnapshotID, "classifier_version": run.ClassifierVersion, "error": msg,
		}))
		return err
	})
	if err != nil {
		return run, fmt.Errorf("assessment failed (%s) and the failure could not be recorded: %w", msg, err)
	}
	return run, fmt.Errorf("assessment of snapshot %s failed: %s", run.SnapshotID, msg)
}

func (s *Service) entry(ws workspace.Workspace, event string, run Run, facts map[string]string) audit.Entry {
	facts["source_id"], facts["source_kind"], facts["status"] = run.SourceID, string(run.SourceKind), string(run.Status)
	return audit.Entry{At: s.now(), Event: event, Tenant: ws.Tenant, Actor: s.Actor, TargetID: run.ID, Facts: facts}
}

func owner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/pid %d", host, os.Getpid())
}

// runner is one run's classification: it reads the snapshot kind by kind,
// classifies, and hands batches to one writer.
type runner struct {
	s        *Service
	run      *Run
	snap     inventory.Snapshot
	progress func(Progress)
	started  time.Time
	reported time.Time

	x *index

	items       int
	counts      map[Class]int
	kindCounts  map[inventory.Kind]map[Class]int
	unavoidable int
	impactIdx   map[string]int
	impacts     []Impact
}

// referable are the kinds other items reference by id: only their outcomes
// are kept for the items after them (assignments, the bulk of a large
// tenant, are referenced by nothing).
var referable = map[inventory.Kind]bool{inventory.KindApplication: true, inventory.KindProvider: true,
	inventory.KindGroup: true, inventory.KindPolicy: true}

// indexKinds are the kinds the first pass reads: those whose names must be
// unique, whose client ids pair service principals with registrations,
// whose domains routing decisions compare, or that rules reference.
var indexKinds = []inventory.Kind{inventory.KindApplication, inventory.KindProvider, inventory.KindGroup,
	inventory.KindRoutingRule, inventory.KindPolicy}

type batch struct {
	results []Result
	impacts [][]int
	links   []AppLink
}

func (r *runner) assess(ctx context.Context) error {
	vendor := VendorOf(r.snap.SourceKind)
	for _, kind := range indexKinds {
		err := r.scan(ctx, kind, func(it *inventory.StoredItem) error {
			r.x.note(&it.Item)
			return nil
		})
		if err != nil {
			return err
		}
		r.report(PhaseIndexing, false)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan batch, 2)
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range batches {
			if writeErr != nil {
				continue // drain
			}
			err := r.s.Store.Update(ctx, func(tx Tx) error {
				if err := tx.SaveAssessmentResults(r.run.ID, b.results, b.impacts); err != nil {
					return err
				}
				if len(b.links) > 0 {
					return tx.SaveAssessmentAppLinks(r.run.ID, b.links)
				}
				return nil
			})
			if err != nil {
				writeErr = fmt.Errorf("store %d results: %w", len(b.results), err)
				cancel(writeErr)
			}
		}
	}()

	cur := batch{}
	flush := func() {
		if len(cur.results) > 0 {
			batches <- cur
		}
		cur = batch{}
	}
	classifyErr := func() error {
		for _, layer := range Layers {
			for _, kind := range layer {
				err := r.scan(ctx, kind, func(it *inventory.StoredItem) error {
					res, raised, links := r.classify(it, vendor)
					cur.results = append(cur.results, res)
					cur.impacts = append(cur.impacts, raised)
					cur.links = append(cur.links, links...)
					if len(cur.results) >= r.s.batchSize() {
						flush()
					}
					r.report(PhaseClassifying, false)
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
		flush()
		return nil
	}()
	close(batches)
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if classifyErr != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return classifyErr
	}
	if r.items != r.snap.ItemCount {
		return fmt.Errorf("the snapshot records %d items but %d were read; it may be damaged", r.snap.ItemCount, r.items)
	}
	ordinals := make([]int, len(r.impacts))
	for i := range ordinals {
		ordinals[i] = i
	}
	return r.s.Store.Update(ctx, func(tx Tx) error { return tx.SaveAssessmentImpacts(r.run.ID, r.impacts, ordinals) })
}

// scan reads every item of one kind of the snapshot, a page per read
// transaction, in source id order.
func (r *runner) scan(ctx context.Context, kind inventory.Kind, fn func(*inventory.StoredItem) error) error {
	after := ""
	for {
		var page []inventory.StoredItem
		err := r.s.Store.View(ctx, func(tx Tx) error {
			var err error
			page, err = tx.ScanSnapshotItems(r.snap.ID, kind, after, r.s.pageSize())
			return err
		})
		if err != nil {
			return fmt.Errorf("read %s items: %w", kind, err)
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < r.s.pageSize() {
			return nil
		}
		after = page[len(page)-1].SourceID
	}
}

// classify decides one item and records its outcome for the items after it.
func (r *runner) classify(it *inventory.StoredItem, vendor Vendor) (Result, []int, []AppLink) {
	if a := it.View.Application; a != nil && a.Object == inventory.AppObjectEntraServicePrincipal && a.Origin == inventory.OriginTenant {
		if reg, o := r.x.AppRegistration(a.ClientID); o.Exists {
			r.x.pair(it.SourceID, reg)
		}
	}
	subj := &Subject{
		SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName,
		View: it.View, Refs: it.Refs, Vendor: vendor, CollectedAt: r.snap.StartedAt, Snapshot: r.x,
	}
	d := r.s.Catalogue.Classify(subj)
	if referable[it.Kind] {
		r.x.decided(it.Kind, it.SourceID, d)
	}
	res := resultOf(r.run.ID, it, d)
	res.AppKey = r.appKey(it)

	r.items++
	r.counts[d.Class]++
	if r.kindCounts[it.Kind] == nil {
		r.kindCounts[it.Kind] = map[Class]int{}
	}
	r.kindCounts[it.Kind][d.Class]++
	if d.UserImpact != LevelNone {
		r.unavoidable++
	}
	var raised []int
	for _, im := range d.Impacts {
		k := im.Key()
		i, ok := r.impactIdx[k]
		if !ok {
			i = len(r.impacts)
			r.impactIdx[k] = i
			r.impacts = append(r.impacts, Impact{RunID: r.run.ID, Key: k, RuleID: im.RuleID, Audience: im.Audience,
				Severity: im.Severity, Summary: im.Summary})
		}
		r.impacts[i].ItemCount++
		raised = append(raised, i)
	}
	return res, raised, r.appLinks(it)
}

// appKey is the application an item belongs to in the roll-up.
func (r *runner) appKey(it *inventory.StoredItem) string {
	switch v := it.View; {
	case v.Application != nil && v.Application.Object == inventory.AppObjectEntraServicePrincipal:
		if reg, _ := r.x.Carrier(it.SourceID); reg != it.SourceID {
			return reg
		}
	case v.Assignment != nil:
		reg, _ := r.x.Carrier(v.Assignment.AppID)
		return reg
	}
	return ""
}

// appLinks ties routing rules and policies to the applications their
// conditions name (by source id, or for Entra by client id).
func (r *runner) appLinks(it *inventory.StoredItem) []AppLink {
	var apps []string
	switch v := it.View; {
	case v.RoutingRule != nil:
		apps = v.RoutingRule.Conditions.Apps.Include
	case v.Policy != nil:
		apps = v.Policy.Conditions.Apps.Include
	}
	var out []AppLink
	for _, a := range apps {
		id := ""
		if r.x.Outcome(inventory.KindApplication, a).Exists {
			id = a
		} else if reg, o := r.x.AppRegistration(a); o.Exists {
			id = reg
		}
		if id != "" && !slices.ContainsFunc(out, func(l AppLink) bool { return l.AppSourceID == id }) {
			out = append(out, AppLink{AppSourceID: id, ItemID: it.ID})
		}
	}
	return out
}

// report sends progress at most ten times a second, and always when done.
func (r *runner) report(phase Phase, done bool) {
	if r.progress == nil {
		return
	}
	now := time.Now()
	if !done && now.Sub(r.reported) < 100*time.Millisecond {
		return
	}
	r.reported = now
	r.progress(Progress{Phase: phase, Items: r.items, Total: r.snap.ItemCount, Elapsed: now.Sub(r.started), Done: done})
}

// VendorOf maps a source kind to the vendor rules are written for.
func VendorOf(k workspace.SourceKind) Vendor {
	switch strings.ToLower(string(k)) {
	case string(VendorOkta):
		return VendorOkta
	case string(VendorEntra):
		return VendorEntra
	}
	return VendorAny
}

// resultOf builds an item's result from its decision.
func resultOf(runID string, it *inventory.StoredItem, d Decision) Result {
	return Result{
		RunID: runID, ItemID: it.ID, SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName,
		Class: d.Class, RuleID: d.RuleID, Target: d.Target, Rationale: d.Rationale, ApproximationNotes: d.Notes,
		BlockedReason: d.BlockedReason, OperatorImpact: d.OperatorImpact, UserImpact: d.UserImpact, Findings: d.Findings,
	}
}

// Rebuild fills a stored result's derived fields (class, deciding rule,
// target, texts, levels) from its findings, exactly as Classify derived
// them: the store keeps the findings only.
func Rebuild(r Result) Result {
	if len(r.Findings) == 0 {
		return r
	}
	d := decide(r.Findings)
	r.Class, r.RuleID, r.Target, r.Rationale = d.Class, d.RuleID, d.Target, d.Rationale
	r.ApproximationNotes, r.BlockedReason, r.OperatorImpact, r.UserImpact = d.Notes, d.BlockedReason, d.OperatorImpact, d.UserImpact
	r.Findings = d.Findings
	return r
}
