package merge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// ErrTargetNotConfigured is what Connect returns for a workspace that names
// no target admin API.
var ErrTargetNotConfigured = errors.New("the workspace has no target admin API configured")

// Detector is merge-mode overlap detection, an assessment.Contributor: once
// a run's results are persisted it reads the live target and records a
// decision row for every moving item that truthfully collides with live
// state, and for every run the Scan (what the target held).
//
// Which items get a row: those the run classed native_import,
// import_with_approximation or manual_rebuild_required, whose target noun
// is an upstream provider, routing rule, group, application or app
// assignment. The first two are created by the cutover and the third is
// built on the target by a person: for all three an overlap decides
// whether the live object is used, a new one made, or the item skipped.
// Items classed visibility_only or blocked will not be created, so a
// decision about them would be asked for nothing: their overlaps are
// counted and named in the Scan instead, where merge review shows them.
// A blocked item that is fixed gets its row on the rerun that moves it.
//
// In first_run_adoption workspaces no rows are made; the Scan records the
// live counts, so a live target that is not empty blocks the handoff,
// naming what is there.
type Detector struct {
	Store Store
	// Connect opens the workspace's target, or returns
	// ErrTargetNotConfigured.
	Connect func(ctx context.Context) (Target, error)
	Limits  Limits
	Now     func() time.Time
	// PageSize is how many results are read at a time (default 500).
	PageSize int
}

// Name is the contributor's name in progress and errors.
func (d *Detector) Name() string { return "merge overlap detection" }

func (d *Detector) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

// Contribute records the run's scan and, in merge mode, its decisions. A
// target that cannot be read (not configured, unreachable, refusing the
// token, failing a page) does not fail the run: the classification stands,
// and the scan records that overlaps are unknown and why, which keeps the
// preview-handoff gate closed until a rerun reads the target. Only a
// cancelled run stops here.
func (d *Detector) Contribute(ctx context.Context, run assessment.Run, results assessment.ResultReader) error {
	var ws workspace.Workspace
	if err := d.Store.View(ctx, func(tx Tx) error {
		var err error
		ws, err = tx.Workspace()
		return err
	}); err != nil {
		return err
	}
	scan := Scan{RunID: run.ID, Mode: ws.Mode, TargetURL: ws.Target.URL, Counts: map[assessment.Noun]int{}, Samples: map[assessment.Noun][]string{}}
	unread := func(status ScanStatus, err error) error {
		if ctx.Err() != nil {
			return err
		}
		scan.Status, scan.Reason, scan.ReadAt = status, err.Error(), d.now()
		return d.Store.Update(ctx, func(tx Tx) error { return tx.SaveScan(scan) })
	}
	target, err := d.Connect(ctx)
	if errors.Is(err, ErrTargetNotConfigured) {
		return unread(ScanNotConfigured, err)
	}
	if err != nil {
		return unread(ScanFailed, fmt.Errorf("connect to the target: %w", err))
	}
	live, err := ReadLive(ctx, target, d.Limits, d.now())
	if err != nil {
		return unread(ScanFailed, err)
	}
	scan.Status, scan.ReadAt, scan.Counts, scan.Samples = ScanRead, live.ReadAt, live.Counts(), live.Samples()
	if ws.Mode != workspace.ModeMergeIntoExisting {
		return d.Store.Update(ctx, func(tx Tx) error { return tx.SaveScan(scan) })
	}
	rows, err := d.detect(ctx, run, results, target, live, &scan)
	if err != nil {
		if errors.As(err, new(*targetError)) {
			scan.Counts, scan.Samples, scan.Unmoved, scan.UnmovedSamples = map[assessment.Noun]int{}, map[assessment.Noun][]string{}, 0, nil
			return unread(ScanFailed, err)
		}
		return err
	}
	return d.Store.Update(ctx, func(tx Tx) error {
		prev, err := d.previous(tx, run)
		if err != nil {
			return err
		}
		for _, r := range rows {
			history := carry(&r, prev[itemKey{r.Kind, r.ItemSourceID}], live, d.now())
			if err := tx.InsertDecision(r, history); err != nil {
				return err
			}
		}
		scan.Decisions = len(rows)
		if err := tx.SaveLiveNames(run.ID, live.Names()); err != nil {
			return err
		}
		return tx.SaveScan(scan)
	})
}

// targetError is a failure to read the live target, as opposed to one of
// the workspace file.
type targetError struct{ err error }

func (e *targetError) Error() string { return e.err.Error() }
func (e *targetError) Unwrap() error { return e.err }

type itemKey struct {
	kind     inventory.Kind
	sourceID string
}

// moves reports a class whose item ends up on the target (see Detector).
func moves(c assessment.Class) bool {
	return c.Imports() || c == assessment.ManualRebuildRequired
}

// liveNouns are the target nouns overlaps are looked for in.
var liveNouns = []assessment.Noun{assessment.NounUpstreamProvider, assessment.NounRoutingRule, assessment.NounGroup,
	assessment.NounApplication, assessment.NounAppAssignment}

func (d *Detector) pageSize() int {
	if d.PageSize > 0 {
		return d.PageSize
	}
	return 500
}

// detect walks the run's results and builds a row per colliding moving
// item.
func (d *Detector) detect(ctx context.Context, run assessment.Run, results assessment.ResultReader, t Target, live *Live, scan *Scan) ([]Decision, error) {
	m := &matcher{ctx: ctx, store: d.Store, snapshot: run.SnapshotID, live: live, apps: map[string][]Hit{}, groups: map[string][]Hit{}}
	resolved := map[string]MatchedResource{}
	gone := map[string]bool{}
	var rows []Decision
	afterKind, afterID := inventory.Kind(""), ""
	for {
		page, err := results.Scan(ctx, afterKind, afterID, d.pageSize())
		if err != nil {
			return nil, err
		}
		var wanted []assessment.Result
		for _, r := range page {
			if slices.Contains(liveNouns, r.Target.Noun) && !carriedByRegistration(r) {
				wanted = append(wanted, r)
			}
		}
		items, err := m.views(wanted)
		if err != nil {
			return nil, err
		}
		for _, r := range wanted {
			it, ok := items[r.ItemID]
			if !ok {
				return nil, fmt.Errorf("item %d of result %s/%s is not in snapshot %s", r.ItemID, r.Kind, r.SourceID, run.SnapshotID)
			}
			hits, err := m.match(r.Target.Noun, &it)
			if err != nil {
				return nil, err
			}
			if len(hits) == 0 {
				continue
			}
			if !moves(r.Class) {
				scan.Unmoved++
				if len(scan.UnmovedSamples) < SampleNames {
					scan.UnmovedSamples = append(scan.UnmovedSamples, fmt.Sprintf("%s %q (%s)", r.Kind, r.DisplayName, r.Class))
				}
				continue
			}
			row := Decision{ID: workspace.NewID(), RunID: run.ID, SourceID: run.SourceID, SourceKind: run.SourceKind, ItemID: r.ItemID,
				Kind: r.Kind, ItemSourceID: r.SourceID, DisplayName: r.DisplayName, Class: r.Class, Noun: r.Target.Noun,
				Status: StatusPending, CreatedAt: d.now()}
			for _, h := range hits {
				if gone[h.ID] {
					continue
				}
				mr, ok := resolved[h.ID]
				if !ok {
					var isGone bool
					if mr, isGone, err = resolve(ctx, t, live, h, d.now()); err != nil {
						return nil, &targetError{err}
					}
					if isGone {
						gone[h.ID] = true
						continue
					}
					resolved[h.ID] = mr
				}
				mr.Evidence = h.Evidence
				row.Matched = append(row.Matched, mr)
			}
			if len(row.Matched) == 0 {
				continue // every match was deleted since the list was read
			}
			row.MatchTypes = matchTypesOf(row.Matched)
			rows = append(rows, row)
		}
		if len(page) < d.pageSize() {
			return rows, nil
		}
		afterKind, afterID = page[len(page)-1].Kind, page[len(page)-1].SourceID
	}
}

// carriedByRegistration reports an Entra service principal whose Portal
// application is created from its app registration: the registration's
// row stands for both.
func carriedByRegistration(r assessment.Result) bool {
	return r.Kind == inventory.KindApplication && r.AppKey != "" && r.AppKey != r.SourceID
}

func matchTypesOf(ms []MatchedResource) []MatchType {
	var out []MatchType
	for _, t := range MatchTypes {
		for _, m := range ms {
			if slices.ContainsFunc(m.Evidence, func(e Evidence) bool { return e.Type == t }) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// matcher matches items of one snapshot against the live state, looking
// up the application and group an assignment names.
type matcher struct {
	ctx      context.Context
	store    Store
	snapshot string
	live     *Live
	// apps and groups cache the hits of assignments' applications and
	// groups by source id.
	apps, groups map[string][]Hit
}

func (m *matcher) views(rs []assessment.Result) (map[int64]inventory.StoredItem, error) {
	out := make(map[int64]inventory.StoredItem, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ItemID
	}
	err := m.store.View(m.ctx, func(tx Tx) error {
		items, err := tx.ItemViews(m.snapshot, ids)
		for _, it := range items {
			out[it.ID] = it
		}
		return err
	})
	return out, err
}

// match finds the live objects of noun the item collides with.
func (m *matcher) match(noun assessment.Noun, it *inventory.StoredItem) ([]Hit, error) {
	v := it.View
	switch noun {
	case assessment.NounUpstreamProvider:
		if v.Provider != nil {
			return m.live.MatchProvider(it.DisplayName, v.Provider.Issuer), nil
		}
	case assessment.NounRoutingRule:
		switch {
		case v.RoutingRule != nil:
			return m.live.MatchRoutingRule(v.RoutingRule.Domains), nil
		case v.Domain != nil:
			return m.live.MatchRoutingRule([]string{v.Domain.Name}), nil
		}
	case assessment.NounGroup:
		return m.live.MatchGroup(groupName(it)), nil
	case assessment.NounApplication:
		return m.live.MatchApplication(it.DisplayName, redirectURIs(v.Application)), nil
	case assessment.NounAppAssignment:
		if a := v.Assignment; a != nil && a.Target == inventory.AssignGroup {
			apps, err := m.related(inventory.KindApplication, a.AppID, m.apps)
			if err != nil || len(apps) == 0 {
				return nil, err
			}
			groups, err := m.related(inventory.KindGroup, a.PrincipalID, m.groups)
			if err != nil || len(groups) == 0 {
				return nil, err
			}
			return m.live.MatchAssignment(a.AppName, a.PrincipalName, apps, groups), nil
		}
	}
	return nil, nil
}

// related returns the live matches of the application or group an
// assignment names, whatever that item's own class: if it collides, the
// pair may already exist on the target.
func (m *matcher) related(kind inventory.Kind, sourceID string, cache map[string][]Hit) ([]Hit, error) {
	if hits, ok := cache[sourceID]; ok {
		return hits, nil
	}
	var it inventory.StoredItem
	var found bool
	err := m.store.View(m.ctx, func(tx Tx) error {
		var err error
		it, found, err = tx.ItemBySource(m.snapshot, kind, sourceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s %s of snapshot %s: %w", kind, sourceID, m.snapshot, err)
	}
	var hits []Hit
	if found {
		switch kind {
		case inventory.KindApplication:
			hits = m.live.MatchApplication(it.DisplayName, redirectURIs(it.View.Application))
		case inventory.KindGroup:
			hits = m.live.MatchGroup(groupName(&it))
		}
	}
	cache[sourceID] = hits
	return hits, nil
}

func groupName(it *inventory.StoredItem) string {
	if g := it.View.Group; g != nil && g.Name != "" {
		return g.Name
	}
	return it.DisplayName
}

func redirectURIs(a *inventory.ApplicationView) []string {
	if a == nil || a.OIDC == nil {
		return nil
	}
	return a.OIDC.RedirectURIs
}

// previous returns the resolved rows of the source's previous completed
// run, by item.
func (d *Detector) previous(tx Tx, run assessment.Run) (map[itemKey]Decision, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return nil, err
	}
	out := map[itemKey]Decision{}
	for _, r := range runs { // newest first
		if r.ID == run.ID || r.SourceID != run.SourceID || r.Status != assessment.StatusCompleted {
			continue
		}
		rows, err := tx.Decisions([]string{r.ID}, Filter{Status: StatusResolved})
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			out[itemKey{row.Kind, row.ItemSourceID}] = row
		}
		break
	}
	return out, nil
}

// carry copies prev's resolution onto row when the overlap is the same:
// the same live objects matched for the same reasons, a mapped object
// unchanged since it was decided (same ETag), and a create_new name still
// free in the live state just read. Anything else is asked again. It
// returns the history entry to record, if any.
func carry(row *Decision, prev Decision, live *Live, now time.Time) []HistoryEntry {
	if prev.ID == "" || !sameOverlap(*row, prev) {
		return nil
	}
	switch prev.Resolution {
	case MapToExisting:
		cur, ok := row.Matches(prev.TargetID)
		old, _ := prev.Matches(prev.TargetID)
		if !ok || cur.ETag != old.ETag {
			return nil
		}
	case CreateNew:
		if createNewRefusal(*row, prev.NewName, func(noun assessment.Noun, name string) (string, bool) {
			_, taken, ok := live.NameTaken(noun, name)
			return taken, ok
		}) != "" {
			return nil
		}
	}
	t := now
	row.Status, row.Resolution, row.TargetID, row.NewName, row.Note = StatusResolved, prev.Resolution, prev.TargetID, prev.NewName, prev.Note
	row.ResolvedBy, row.ResolvedAt, row.CarriedFrom = prev.ResolvedBy, &t, prev.ID
	return []HistoryEntry{{Seq: 1, Resolution: prev.Resolution, TargetID: prev.TargetID, NewName: prev.NewName, Note: prev.Note,
		Actor: prev.ResolvedBy, At: now, CarriedFrom: prev.ID}}
}

func sameOverlap(a, b Decision) bool {
	if len(a.Matched) != len(b.Matched) {
		return false
	}
	for _, m := range a.Matched {
		o, ok := b.Matches(m.TargetID)
		if !ok || len(o.Evidence) != len(m.Evidence) {
			return false
		}
		for _, e := range m.Evidence {
			if !containsEvidence(o.Evidence, e) {
				return false
			}
		}
	}
	return true
}
