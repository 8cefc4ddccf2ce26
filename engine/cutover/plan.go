package cutover

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/workspace"
)

// CreateRequest names the source whose newest completed assessment the plan
// is built from; Source may be empty when the workspace has one configured
// source.
type CreateRequest struct {
	Source string
}

// Create builds a draft plan from the source's newest completed assessment
// and its merge decisions, and audits migration.cutover_plan.created. It is
// refused while the preview-handoff gate is closed, and when the
// assessment already has a plan (rebuild that one).
func (s *Service) Create(ctx context.Context, req CreateRequest) (Plan, error) {
	if err := s.checkGate(ctx); err != nil {
		return Plan{}, fmt.Errorf("create cutover plan: %w", err)
	}
	var ws workspace.Workspace
	var src workspace.Source
	var run assessment.Run
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if src, err = pickSource(tx, req.Source); err != nil {
			return err
		}
		if run, err = currentRun(tx, src); err != nil {
			return err
		}
		plans, err := tx.CutoverPlans()
		if err != nil {
			return err
		}
		for _, p := range plans {
			if p.AssessmentRunID == run.ID {
				return fmt.Errorf("%w: plan %s (%s) is bound to assessment %s; rebuild it with `cutover plan rebuild --plan %s`", ErrPlanExists, p.ID, p.Status, run.ID, p.ID)
			}
		}
		return nil
	})
	if err != nil {
		return Plan{}, fmt.Errorf("create cutover plan: %w", err)
	}
	review, decisions, err := s.readReview(ctx, ws, run.ID)
	if err != nil {
		return Plan{}, fmt.Errorf("create cutover plan: %w", err)
	}
	var plan Plan
	err = s.Store.Update(ctx, func(tx Tx) error {
		built, stepList, err := s.build(tx, run, decisions)
		if err != nil {
			return err
		}
		now := s.now()
		plan = built
		plan.ID, plan.SourceID, plan.SourceName, plan.SourceKind = workspace.NewID(), src.ID, src.Name, src.Kind
		plan.SnapshotID, plan.AssessmentRunID, plan.Mode = run.SnapshotID, run.ID, ws.Mode
		plan.Status, plan.CreatedAt, plan.UpdatedAt, plan.CreatedBy = StatusDraft, now, now, s.Actor
		plan.Review = review
		if err := tx.InsertCutoverPlan(plan, stepList); err != nil {
			return err
		}
		return s.record(tx, audit.CutoverPlanCreated, plan.ID, planFacts(plan))
	})
	if err != nil {
		return Plan{}, fmt.Errorf("create cutover plan: %w", err)
	}
	return plan, nil
}

// Rebuild recomputes a draft or previewed plan's steps from its assessment
// and the merge decisions as they are now; the plan is draft again and any
// preview token is void. A plan whose apply started cannot be rebuilt.
func (s *Service) Rebuild(ctx context.Context, planID string) (Plan, error) {
	if err := s.checkGate(ctx); err != nil {
		return Plan{}, fmt.Errorf("rebuild cutover plan %s: %w", planID, err)
	}
	var plan Plan
	var ws workspace.Workspace
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if plan, err = tx.CutoverPlan(planID); err != nil {
			return err
		}
		return s.checkCurrent(tx, plan)
	})
	if err != nil {
		return Plan{}, fmt.Errorf("rebuild cutover plan %s: %w", planID, err)
	}
	review, decisions, err := s.readReview(ctx, ws, plan.AssessmentRunID)
	if err != nil {
		return Plan{}, fmt.Errorf("rebuild cutover plan %s: %w", planID, err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.CutoverPlan(planID)
		if err != nil {
			return err
		}
		if err := s.notStarted(tx, cur); err != nil {
			return err
		}
		run, err := tx.AssessmentRun(cur.AssessmentRunID)
		if err != nil {
			return err
		}
		built, stepList, err := s.build(tx, run, decisions)
		if err != nil {
			return err
		}
		plan = cur
		plan.Counts, plan.KindCounts, plan.Binds, plan.StepCount = built.Counts, built.KindCounts, built.Binds, built.StepCount
		plan.Unplanned, plan.StepsDigest = built.Unplanned, built.StepsDigest
		plan.Review, plan.Preview, plan.Status = review, nil, StatusDraft
		plan.Rebuilds++
		plan.UpdatedAt = s.now()
		if err := tx.UpdateCutoverPlan(plan, stepList); err != nil {
			return err
		}
		facts := planFacts(plan)
		facts["rebuilds"] = strconv.Itoa(plan.Rebuilds)
		facts["previous_status"] = string(cur.Status)
		return s.record(tx, audit.CutoverPlanRebuilt, plan.ID, facts)
	})
	if err != nil {
		return Plan{}, fmt.Errorf("rebuild cutover plan %s: %w", planID, err)
	}
	return plan, nil
}

// notStarted refuses a plan whose apply has begun: its steps are what the
// target was changed by, and stay as they are.
func (s *Service) notStarted(tx Tx, p Plan) error {
	if p.Status != StatusDraft && p.Status != StatusPreviewed {
		return fmt.Errorf("%w: plan %s is %s", ErrPlanState, p.ID, p.Status)
	}
	runs, err := tx.CutoverRuns(p.ID)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Kind == RunApply {
			return fmt.Errorf("%w: plan %s's apply (run %s) has started; resume or roll it back", ErrPlanState, p.ID, r.ID)
		}
	}
	return nil
}

func planFacts(p Plan) map[string]string {
	f := map[string]string{
		"source": p.SourceName, "source_id": p.SourceID, "snapshot_id": p.SnapshotID,
		"assessment_run_id": p.AssessmentRunID, "mode": string(p.Mode), "status": string(p.Status),
		"steps": strconv.Itoa(p.StepCount), "binds": strconv.Itoa(p.Binds), "review_digest": p.Review.Digest,
	}
	for _, d := range steps.Dispositions {
		f["count."+string(d)] = strconv.Itoa(p.Counts[d])
	}
	return f
}

// pickSource finds the named configured source, or the only one.
func pickSource(tx Tx, name string) (workspace.Source, error) {
	sources, err := tx.Sources()
	if err != nil {
		return workspace.Source{}, err
	}
	var configured []workspace.Source
	for _, src := range sources {
		if src.Status != workspace.SourceConfigured {
			continue
		}
		if name != "" && src.Name == name {
			return src, nil
		}
		configured = append(configured, src)
	}
	switch {
	case name != "":
		return workspace.Source{}, invalidf("no configured source is named %q", name)
	case len(configured) == 1:
		return configured[0], nil
	case len(configured) == 0:
		return workspace.Source{}, invalidf("the workspace has no configured source")
	}
	names := make([]string, len(configured))
	for i, c := range configured {
		names[i] = c.Name
	}
	return workspace.Source{}, invalidf("the workspace has %d sources (%s); name one with --source", len(names), strings.Join(names, ", "))
}

// currentRun is the source's newest assessment run, which must be
// completed.
func currentRun(tx Tx, src workspace.Source) (assessment.Run, error) {
	st, err := assessment.ReadStatus(tx)
	if err != nil {
		return assessment.Run{}, err
	}
	latest, ok := st.Latest[src.ID]
	if !ok {
		return assessment.Run{}, invalidf("source %q has no assessment; run one first", src.Name)
	}
	if latest.Status != assessment.StatusCompleted {
		return assessment.Run{}, fmt.Errorf("%w: source %q's newest assessment %s is %s", assessment.ErrRunNotCompleted, src.Name, latest.ID, latest.Status)
	}
	return latest, nil
}

// checkCurrent refuses a plan whose assessment is no longer its source's
// newest completed run.
func (s *Service) checkCurrent(tx Tx, p Plan) error {
	st, err := assessment.ReadStatus(tx)
	if err != nil {
		return err
	}
	if cur, ok := st.LatestCompleted[p.SourceID]; ok && cur.ID != p.AssessmentRunID {
		return fmt.Errorf("%w: source %q was assessed again (run %s); create a plan from that assessment", ErrOutdated, p.SourceName, cur.ID)
	}
	if latest, ok := st.Latest[p.SourceID]; ok && latest.ID != p.AssessmentRunID && latest.Status != assessment.StatusCompleted {
		return fmt.Errorf("%w: source %q's newest assessment %s is %s", ErrOutdated, p.SourceName, latest.ID, latest.Status)
	}
	return nil
}

// readReview reads the run's merge decisions and acknowledgements and
// digests their versions.
func (s *Service) readReview(ctx context.Context, ws workspace.Workspace, runID string) (Review, []merge.Decision, error) {
	var rv Review
	if s.Reviews == nil {
		if ws.Mode == workspace.ModeMergeIntoExisting {
			return rv, nil, fmt.Errorf("%w: a merge_into_existing plan needs the merge decisions, and this build has no merge review", ErrNoReview)
		}
		rv.Decisions, rv.Acknowledgements = []DecisionVersion{}, []AckVersion{}
		rv.Digest = digestOf(rv.Decisions, rv.Acknowledgements)
		return rv, nil, nil
	}
	decisions, err := s.Reviews.Decisions(ctx, runID)
	if err != nil {
		return rv, nil, fmt.Errorf("read the merge decisions of assessment %s: %w", runID, err)
	}
	impacts, err := s.Reviews.Impacts(ctx, runID)
	if err != nil {
		return rv, nil, fmt.Errorf("read the OCM acknowledgements of assessment %s: %w", runID, err)
	}
	rv.Decisions = make([]DecisionVersion, 0, len(decisions))
	for _, d := range decisions {
		rv.Decisions = append(rv.Decisions, DecisionVersion{ID: d.ID, ItemSourceID: d.ItemSourceID, Kind: string(d.Kind),
			Status: string(d.Status), Resolution: string(d.Resolution), TargetID: d.TargetID, NewName: d.NewName,
			By: d.ResolvedBy, At: d.ResolvedAt, Version: decisionVersion(d)})
	}
	slices.SortFunc(rv.Decisions, func(a, b DecisionVersion) int { return cmp.Compare(a.ID, b.ID) })
	rv.Acknowledgements = make([]AckVersion, 0, len(impacts))
	for _, im := range impacts {
		rv.Acknowledgements = append(rv.Acknowledgements, AckVersion{ImpactID: im.ID, Status: string(im.Status), By: im.AckedBy,
			At: im.AckedAt, Version: ackVersion(im)})
	}
	slices.SortFunc(rv.Acknowledgements, func(a, b AckVersion) int { return cmp.Compare(a.ImpactID, b.ImpactID) })
	rv.Digest = digestOf(rv.Decisions, rv.Acknowledgements)
	return rv, decisions, nil
}

// decisionVersion changes whenever a decision is resolved again, even to
// the same resolution (who and when change).
func decisionVersion(d merge.Decision) string {
	return digestOf(d.Status, d.Resolution, d.TargetID, d.NewName, d.Note, d.ResolvedBy, d.ResolvedAt)[:16]
}

// ackVersion changes whenever an acknowledgement is given, carried over or
// put back for review.
func ackVersion(im ocm.Impact) string {
	return digestOf(im.Status, im.AckedBy, im.AckedAt, im.Note, im.ItemsFingerprint, im.CarriedFrom)[:16]
}

// reviewDigest is the digest of the run's review as it is now.
func (s *Service) reviewDigest(ctx context.Context, ws workspace.Workspace, runID string) (string, error) {
	rv, _, err := s.readReview(ctx, ws, runID)
	return rv.Digest, err
}

func digestOf(v ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, x := range v {
		if err := enc.Encode(x); err != nil { // plain data always encodes
			panic(fmt.Sprintf("cutover: digest %T: %v", x, err))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// pageSize is how many results or items build reads per query.
const pageSize = 1000

// build computes a plan's steps from the run's results, the snapshot's
// item views and the merge decisions: one step per target mutation or
// binding, ordered so every step comes after the steps it refers to.
func (s *Service) build(tx Tx, run assessment.Run, decisions []merge.Decision) (Plan, []Step, error) {
	if run.Status != assessment.StatusCompleted {
		return Plan{}, nil, fmt.Errorf("%w: assessment %s is %s", assessment.ErrRunNotCompleted, run.ID, run.Status)
	}
	results, err := allResults(tx, run.ID)
	if err != nil {
		return Plan{}, nil, err
	}
	items, err := itemsOf(tx, run.SnapshotID, results)
	if err != nil {
		return Plan{}, nil, err
	}
	byItem := make(map[int64]merge.Decision, len(decisions))
	for _, d := range decisions {
		byItem[d.ItemID] = d
	}
	b := &builder{at: s.now()}
	for _, r := range results {
		it, ok := items[itemKey{r.Kind, r.SourceID}]
		if !ok {
			return Plan{}, nil, fmt.Errorf("assessment %s names %s %s, which snapshot %s does not hold", run.ID, r.Kind, r.SourceID, run.SnapshotID)
		}
		d, decided := byItem[r.ItemID]
		b.add(it, r, d, decided)
	}
	stepList := b.finish()
	p := Plan{Counts: map[steps.Disposition]int{}, KindCounts: map[steps.Kind]map[steps.Disposition]int{},
		StepCount: len(stepList), Unplanned: b.unplanned}
	for _, d := range steps.Dispositions {
		p.Counts[d] = 0
	}
	for _, st := range stepList {
		p.Counts[st.Disposition]++
		if p.KindCounts[st.Kind] == nil {
			p.KindCounts[st.Kind] = map[steps.Disposition]int{}
		}
		p.KindCounts[st.Kind][st.Disposition]++
		if st.Action == steps.Bind && st.Disposition == steps.Planned {
			p.Binds++
		}
	}
	p.StepsDigest = digestOf(stepList)
	return p, stepList, nil
}

func allResults(tx Tx, runID string) ([]assessment.Result, error) {
	var out []assessment.Result
	var kind inventory.Kind
	after := ""
	for {
		page, err := tx.AssessmentResultsByKey(runID, kind, after, pageSize)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < pageSize {
			return out, nil
		}
		last := page[len(page)-1]
		kind, after = last.Kind, last.SourceID
	}
}

type itemKey struct {
	kind inventory.Kind
	id   string
}

// itemsOf reads the snapshot's items of every kind the results hold.
func itemsOf(tx Tx, snapshotID string, results []assessment.Result) (map[itemKey]inventory.StoredItem, error) {
	kinds := map[inventory.Kind]bool{}
	for _, r := range results {
		kinds[r.Kind] = true
	}
	out := make(map[itemKey]inventory.StoredItem, len(results))
	for kind := range kinds {
		after := ""
		for {
			page, err := tx.ScanSnapshotItems(snapshotID, kind, after, pageSize)
			if err != nil {
				return nil, err
			}
			for _, it := range page {
				out[itemKey{it.Kind, it.SourceID}] = it
			}
			if len(page) < pageSize {
				break
			}
			after = page[len(page)-1].SourceID
		}
	}
	return out, nil
}

// draft is a step being built, with what its references still need.
type draft struct {
	step  Step
	needs []steps.Need
}

// builder turns assessed items into steps.
type builder struct {
	at        time.Time
	drafts    []*draft
	unplanned int
}

func (b *builder) add(it inventory.StoredItem, r assessment.Result, d merge.Decision, decided bool) {
	st := Step{ItemID: it.ID, ItemKind: it.Kind, ItemSourceID: it.SourceID, DisplayName: it.DisplayName,
		Class: r.Class, RuleID: r.RuleID, Action: steps.Create, Name: it.DisplayName}
	kind := steps.Kind(r.Target.Noun)
	if steps.Rank(kind) < 0 {
		kind = ""
	}
	switch {
	case r.Class == assessment.VisibilityOnly:
		b.unplanned++
		return
	case r.Class == assessment.Blocked:
		st.Disposition, st.Reason = steps.Blocked, firstLine(r.BlockedReason, r.Rationale)
	case r.Class == assessment.ManualRebuildRequired:
		st.Disposition, st.Reason = steps.ManualFollowUp, firstLine(r.ApproximationNotes, r.Rationale)
	case kind == "": // imports, but the target contract creates nothing
		b.unplanned++
		return
	case kind == steps.KindAuthSettings || kind == steps.KindSSOConfiguration:
		st.Disposition = steps.ManualFollowUp
		st.Reason = "an auth-policy approximation is applied by a person, not collapsed into one tenant-wide change"
		if n := firstLine(r.ApproximationNotes, ""); n != "" {
			st.Reason += ": " + n
		}
	default:
		st.Disposition = steps.Planned
	}
	if kind == "" {
		kind = steps.ForItem(it.Kind)
	}
	if kind == "" {
		b.unplanned++
		return
	}
	st.Kind = kind
	st.ID = string(kind) + "/" + it.SourceID
	dr := &draft{step: st}
	b.drafts = append(b.drafts, dr)
	if st.Disposition != steps.Planned {
		return
	}
	if decided {
		if !b.decide(dr, d) {
			return
		}
	}
	kinder, ok := steps.Of(kind)
	if !ok {
		dr.step.Disposition, dr.step.Reason = steps.ManualFollowUp, "the cutover never creates this noun automatically"
		return
	}
	out := kinder.Plan(steps.Subject{Item: it, Result: r, Name: dr.step.Name, At: b.at})
	if out.Disposition != steps.Planned {
		dr.step.Disposition, dr.step.Reason = out.Disposition, out.Reason
		return
	}
	dr.step.Request = encodeRequest(out.Request)
	dr.step.Keys = out.Keys
	dr.needs = out.Needs
	if out.Reason != "" {
		dr.step.Reason = out.Reason
	}
}

// decide applies a merge decision to a draft that would be planned: skip,
// bind to the mapped object, or create under the decision's name. It
// reports whether the kind should still plan a create.
func (b *builder) decide(dr *draft, d merge.Decision) bool {
	st := &dr.step
	st.DecisionID = d.ID
	switch {
	case d.Status != merge.StatusResolved:
		st.Disposition, st.Reason = steps.Blocked, fmt.Sprintf("merge decision %s is still pending", d.ID)
	case d.Resolution == merge.Skip:
		st.Disposition, st.Reason = steps.Skipped, withNote(fmt.Sprintf("merge decision %s: skip", d.ID), d.Note)
	case d.Resolution == merge.MapToExisting:
		m, ok := d.Matches(d.TargetID)
		if !ok {
			st.Disposition, st.Reason = steps.Blocked, fmt.Sprintf("merge decision %s maps to %s, which is not one of the live objects it matched", d.ID, d.TargetID)
			return false
		}
		st.Action, st.Name = steps.Bind, m.Name
		st.Bound = &steps.Bound{TargetID: m.TargetID, ETag: m.ETag, Name: m.Name}
		st.Reason = withNote(fmt.Sprintf("merge decision %s: map to existing %s", d.ID, m.TargetID), d.Note)
	case d.Resolution == merge.CreateNew:
		if d.NewName != "" {
			st.Name = d.NewName
		}
		if reason := stillCollides(st.Kind, st.Name, d); reason != "" {
			st.Disposition, st.Reason = steps.ManualFollowUp, fmt.Sprintf("merge decision %s: create_new, but %s", d.ID, reason)
			return false
		}
		st.Reason = withNote(fmt.Sprintf("merge decision %s: create new", d.ID), d.Note)
		return true
	default:
		st.Disposition, st.Reason = steps.Blocked, fmt.Sprintf("merge decision %s has resolution %q, which this console does not know", d.ID, d.Resolution)
	}
	return false
}

// stillCollides says why a create_new decision cannot avoid the overlap it
// was made for: the name still collides with a live object as merge review
// read it, or the overlap is on a key a new object cannot change (a
// routing rule's domains, an app-group pair). Merge review refuses these
// too; the plan checks again rather than trust a row.
func stillCollides(kind steps.Kind, name string, d merge.Decision) string {
	switch kind {
	case steps.KindRoutingRule:
		return "a new routing rule cannot route domains the live rule already routes; map it or skip it"
	case steps.KindAppAssignment:
		return "the live tenant already assigns this application to this group; map it or skip it"
	}
	for _, m := range d.Matched {
		if steps.NameKey(m.Name) == steps.NameKey(name) {
			if d.NewName == "" {
				return fmt.Sprintf("no new name was given and the live object %q holds the name; give a new name", m.Name)
			}
			return fmt.Sprintf("the new name %q still collides with the live object %q", name, m.Name)
		}
	}
	return ""
}

func withNote(s, note string) string {
	if note = strings.TrimSpace(note); note != "" {
		return s + " (" + note + ")"
	}
	return s
}

// firstLine is the first non-empty line of text, else of fallback.
func firstLine(text, fallback string) string {
	for _, t := range []string{text, fallback} {
		for _, l := range strings.Split(t, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				return l
			}
		}
	}
	return ""
}

func encodeRequest(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil { // the api input types always encode
		panic(fmt.Sprintf("cutover: encode %T: %v", v, err))
	}
	return b
}

// finish orders the drafts, numbers them, resolves every reference to the
// step that creates or binds it (a step whose dependency is not planned is
// blocked, naming it) and keeps two creates from claiming one natural key.
func (b *builder) finish() []Step {
	slices.SortStableFunc(b.drafts, func(x, y *draft) int {
		return cmp.Or(
			cmp.Compare(steps.Rank(x.step.Kind), steps.Rank(y.step.Kind)),
			cmp.Compare(strings.ToLower(x.step.Name), strings.ToLower(y.step.Name)),
			cmp.Compare(x.step.ItemSourceID, y.step.ItemSourceID),
		)
	})
	type ref struct {
		kind steps.Kind
		id   string
	}
	index := make(map[ref]*draft, len(b.drafts))
	ids := make(map[string]bool, len(b.drafts))
	for i, dr := range b.drafts {
		dr.step.Seq = i + 1
		if ids[dr.step.ID] { // two items of different kinds with one source id
			dr.step.ID = fmt.Sprintf("%s#%d", dr.step.ID, dr.step.Seq)
		}
		ids[dr.step.ID] = true
		r := ref{dr.step.Kind, dr.step.ItemSourceID}
		if _, dup := index[r]; !dup {
			index[r] = dr
		}
	}
	claimed := map[string]int{}
	out := make([]Step, 0, len(b.drafts))
	for _, dr := range b.drafts {
		st := &dr.step
		if st.Disposition == steps.Planned && st.Action == steps.Create {
			b.resolve(dr, func(k steps.Kind, id string) *draft { return index[ref{k, id}] })
		}
		if st.Disposition == steps.Planned && st.Action == steps.Create {
			claim(st, claimed)
		}
		out = append(out, *st)
	}
	return out
}

// resolve fills a draft's references with the steps that produce them.
func (b *builder) resolve(dr *draft, find func(steps.Kind, string) *draft) {
	st := &dr.step
	var refs []steps.Ref
	var deps []int
	for _, n := range dr.needs {
		dep := find(n.Kind, n.SourceID)
		switch {
		case dep == nil:
			st.Disposition, st.Reason = steps.Blocked, fmt.Sprintf("its %s is not created or mapped by this plan (not in the snapshot, or nothing the Portal creates)", n.What)
		case dep.step.Disposition != steps.Planned:
			st.Disposition, st.Reason = steps.Blocked, fmt.Sprintf("its %s is %s in step %d: %s", n.What, strings.ReplaceAll(string(dep.step.Disposition), "_", " "), dep.step.Seq, dep.step.Reason)
		}
		if st.Disposition != steps.Planned {
			st.Request, st.Refs, st.DependsOn, st.Keys = nil, nil, nil, nil
			return
		}
		refs = append(refs, steps.Ref{Field: n.Field, Step: dep.step.Seq})
		deps = append(deps, dep.step.Seq)
	}
	if len(refs) == 0 {
		return
	}
	ids := map[int]string{}
	for _, r := range refs {
		ids[r.Step] = steps.Placeholder(r.Step)
	}
	filled, err := steps.Fill(st.Request, refs, ids)
	if err != nil { // the request was encoded by this build a moment ago
		st.Disposition, st.Reason = steps.Blocked, "its request cannot be completed: "+err.Error()
		return
	}
	st.Request, st.Refs, st.DependsOn = filled, refs, deps
	if st.Kind == steps.KindAppAssignment && len(deps) == 2 {
		// Two items that assign one application to one group are one
		// Portal assignment.
		st.Keys = []string{fmt.Sprintf("pair:step %d/step %d", deps[0], deps[1])}
	}
}

// claim records the natural keys a create will hold; a later create
// wanting one of them is not created twice.
func claim(st *Step, claimed map[string]int) {
	for _, k := range st.Keys {
		if first, taken := claimed[k]; taken {
			if st.Kind == steps.KindAppAssignment {
				st.Disposition, st.Reason = steps.Skipped, fmt.Sprintf("step %d already assigns this application to this group; the Portal keeps one assignment per pair", first)
			} else {
				st.Disposition, st.Reason = steps.ManualFollowUp, fmt.Sprintf("step %d already creates the %s this one needs (%s); it must be renamed by a person", first, strings.ReplaceAll(string(st.Kind), "_", " "), k)
			}
			st.Request, st.Refs, st.DependsOn, st.Keys = nil, nil, nil, nil
			return
		}
	}
	for _, k := range st.Keys {
		claimed[k] = st.Seq
	}
}
