package workspacedb

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/assessment/rules"
	"github.com/portal-id/migration-console/engine/assessment/synth"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// assessFixture is a workspace file with an Okta source and a helper that
// stores completed snapshots of synthetic items, and an assessment service
// with the console's catalogue.
type assessFixture struct {
	db     *DB
	path   string
	ws     *workspace.Service
	source workspace.Source
	svc    *assessment.Service
}

func newAssessFixture(t testing.TB) *assessFixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acme.pmw")
	db, err := Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ws := &workspace.Service{Store: db, Secrets: memSecrets{}, Actor: "consultant", Kinds: testKinds{}}
	if _, err := ws.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}); err != nil {
		t.Fatal(err)
	}
	src, err := ws.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: "okta",
		Settings: map[string]string{"org_url": "https://acme.okta.example"}, Credential: secret.New(fakeOktaToken)})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := rules.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	return &assessFixture{db: db, path: path, ws: ws, source: src, svc: &assessment.Service{
		Store: AssessmentStore(db), Catalogue: cat, Actor: "consultant", BatchSize: 97, PageSize: 89,
		StaleAfter: 600 * time.Millisecond,
	}}
}

// snapshot stores a completed snapshot of the fixture's source holding the
// items gen emits.
func (f *assessFixture) snapshot(t testing.TB, gen func(emit func(inventory.Item) error) error) inventory.Snapshot {
	t.Helper()
	return f.snapshotOf(t, f.source, gen)
}

func (f *assessFixture) snapshotOf(t testing.TB, src workspace.Source, gen func(emit func(inventory.Item) error) error) inventory.Snapshot {
	t.Helper()
	ctx := context.Background()
	now := synth.At
	snap := inventory.Snapshot{ID: workspace.NewID(), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
		Status: inventory.StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}
	if err := f.db.UpdateTx(ctx, func(tx *Tx) error { return tx.InsertSnapshot(snap) }); err != nil {
		t.Fatal(err)
	}
	var batch []inventory.Item
	flush := func() error {
		err := f.db.UpdateTx(ctx, func(tx *Tx) error { return tx.SaveItems(snap.ID, batch) })
		batch = batch[:0]
		return err
	}
	err := gen(func(it inventory.Item) error {
		batch = append(batch, it)
		if len(batch) == 5000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.UpdateTx(ctx, func(tx *Tx) error {
		counts, pages, err := tx.CountItems(snap.ID)
		if err != nil {
			return err
		}
		done := now.Add(time.Minute)
		snap.Status, snap.FinishedAt, snap.Counts, snap.PageCount = inventory.StatusCompleted, &done, counts, pages
		for _, n := range counts {
			snap.ItemCount += n
		}
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func estate(n int, seed uint64) func(emit func(inventory.Item) error) error {
	return func(emit func(inventory.Item) error) error { return synth.Generate(n, seed, synth.Large, emit) }
}

// allResults reads every result of a run in key order.
func allResults(t testing.TB, f *assessFixture, runID string) []assessment.Result {
	t.Helper()
	var out []assessment.Result
	var kind inventory.Kind
	after := ""
	for {
		var page []assessment.Result
		err := f.db.ViewTx(context.Background(), func(tx *Tx) error {
			var err error
			page, err = tx.AssessmentResultsByKey(runID, kind, after, 500)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
		kind, after = page[len(page)-1].Kind, page[len(page)-1].SourceID
	}
}

func TestAssessmentRunCompletesWithEveryItemJudged(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(2000, 1))
	var last assessment.Progress
	run, err := f.svc.Run(ctx, snap.ID, func(p assessment.Progress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != assessment.StatusCompleted || run.ItemCount != snap.ItemCount || !last.Done || last.Items != snap.ItemCount {
		t.Fatalf("run %+v, last progress %+v", run, last)
	}
	t.Logf("classes %v, impacts %d, unavoidable %d", run.Counts, run.ImpactCount, run.UnavoidableChangeCount)
	total := 0
	for _, c := range assessment.Classes {
		total += run.Counts[c]
	}
	if total != snap.ItemCount {
		t.Errorf("class counts add up to %d of %d items", total, snap.ItemCount)
	}
	results := allResults(t, f, run.ID)
	if len(results) != snap.ItemCount {
		t.Fatalf("%d results for %d items", len(results), snap.ItemCount)
	}
	seen := map[int64]bool{}
	for _, r := range results {
		if seen[r.ItemID] {
			t.Fatalf("item %d has two results", r.ItemID)
		}
		seen[r.ItemID] = true
		if !r.Class.Valid() || r.RuleID == "" || len(r.Findings) == 0 || r.Findings[0].RuleID != r.RuleID {
			t.Fatalf("result %+v", r)
		}
	}
	// The estate's shapes land where the rules put them.
	want := map[string]assessment.Class{}
	for _, r := range results {
		switch {
		case r.Kind == inventory.KindAssignment && strings.Contains(r.SourceID, "/00u"):
			want[r.SourceID] = assessment.Blocked
		case r.Kind == inventory.KindProvider:
			want[r.SourceID] = assessment.NativeImport
		}
	}
	for _, r := range results {
		if w, ok := want[r.SourceID]; ok && r.Class != w {
			t.Errorf("%s %s is %s by %s, want %s", r.Kind, r.SourceID, r.Class, r.RuleID, w)
		}
	}
	if run.ImpactCount == 0 || run.UnavoidableChangeCount == 0 {
		t.Errorf("no impacts raised: %+v", run)
	}
	// The audit trail has the completion with its facts.
	var entries []audit.Entry
	f.db.ViewTx(ctx, func(tx *Tx) error { entries, err = tx.AuditEntries(); return err })
	last2 := entries[len(entries)-1]
	if last2.Event != audit.AssessmentCompleted || last2.TargetID != run.ID || last2.Facts["classifier_version"] != run.ClassifierVersion ||
		last2.Facts["count.blocked"] == "" {
		t.Errorf("last audit entry %+v", last2)
	}
}

func TestAssessmentIsDeterministicAcrossRuns(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(1500, 7))
	var docs [2][]byte
	var impacts [2][]assessment.Impact
	for i := range docs {
		run, err := f.svc.Run(ctx, snap.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		rs := allResults(t, f, run.ID)
		for j := range rs {
			rs[j].RunID = ""
		}
		docs[i], _ = json.Marshal(rs)
		impacts[i], err = f.svc.Impacts(ctx, assessment.ImpactQuery{RunID: run.ID, ItemLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		for j := range impacts[i] {
			impacts[i][j].RunID = ""
		}
	}
	if string(docs[0]) != string(docs[1]) {
		t.Fatal("two runs of the same snapshot and catalogue stored different results")
	}
	a, _ := json.Marshal(impacts[0])
	b, _ := json.Marshal(impacts[1])
	if string(a) != string(b) || len(impacts[0]) == 0 {
		t.Fatal("two runs raised different OCM impacts")
	}
	runs, _ := f.svc.Runs(ctx)
	if len(runs) != 2 || runs[0].ID == runs[1].ID {
		t.Fatalf("a rerun must add a run, not overwrite: %d runs", len(runs))
	}
}

func TestOneAssessingRunPerSnapshot(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(100, 2))
	live := assessment.Run{ID: workspace.NewID(), SnapshotID: snap.ID, SourceID: snap.SourceID, SourceName: snap.SourceName,
		SourceKind: snap.SourceKind, Status: assessment.StatusAssessing, StartedAt: time.Now().UTC(), HeartbeatAt: time.Now().UTC(),
		Owner: "other process", ClassifierVersion: "x", CatalogueVersion: "x"}
	if err := f.db.UpdateTx(ctx, func(tx *Tx) error { return tx.InsertAssessmentRun(live) }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Run(ctx, snap.ID, nil); !errors.Is(err, assessment.ErrRunActive) {
		t.Fatalf("a second run of an assessing snapshot: %v", err)
	}
	// The other process dies: its run goes stale, reads failed, and a new
	// run records it failed before it starts.
	time.Sleep(700 * time.Millisecond)
	shown, err := f.svc.Get(ctx, live.ID)
	if err != nil || shown.Status != assessment.StatusFailed || !strings.Contains(shown.Error, "interrupted") {
		t.Fatalf("a stale run reads %+v (%v)", shown, err)
	}
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil || run.Status != assessment.StatusCompleted {
		t.Fatalf("run after the stale one: %+v %v", run, err)
	}
	var stored assessment.Run
	f.db.ViewTx(ctx, func(tx *Tx) error { stored, err = tx.AssessmentRun(live.ID); return err })
	if stored.Status != assessment.StatusFailed {
		t.Errorf("the stale run is stored %s", stored.Status)
	}
}

func TestCancelledRunIsFailedAndNeverShown(t *testing.T) {
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(3000, 3))
	ctx, cancel := context.WithCancel(context.Background())
	run, err := f.svc.Run(ctx, snap.ID, func(p assessment.Progress) {
		if p.Items > 300 {
			cancel()
		}
	})
	if err == nil || run.Status != assessment.StatusFailed || !strings.Contains(run.Error, "cancelled") {
		t.Fatalf("cancelled run: %+v %v", run, err)
	}
	if _, err := f.svc.Results(context.Background(), assessment.ResultQuery{RunID: run.ID}); !errors.Is(err, assessment.ErrRunNotCompleted) {
		t.Fatalf("the results of a failed run were served: %v", err)
	}
	if _, err := f.svc.Results(context.Background(), assessment.ResultQuery{}); !errors.Is(err, assessment.ErrRunNotFound) {
		t.Fatalf("with no completed run, the newest completed run: %v", err)
	}
}

func TestSnapshotMustBeCompleted(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := inventory.Snapshot{ID: workspace.NewID(), SourceID: f.source.ID, SourceName: f.source.Name, SourceKind: f.source.Kind,
		Status: inventory.StatusFailed, StartedAt: synth.At, HeartbeatAt: synth.At, Owner: "test", Counts: map[inventory.Kind]int{}}
	if err := f.db.UpdateTx(ctx, func(tx *Tx) error { return tx.InsertSnapshot(snap) }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Run(ctx, snap.ID, nil); !errors.Is(err, assessment.ErrSnapshotNotReady) {
		t.Fatalf("assessing a failed snapshot: %v", err)
	}
}

func TestResultQueries(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(1200, 4))
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	blocked, err := f.svc.Results(ctx, assessment.ResultQuery{Class: assessment.Blocked, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if blocked.Total != run.Counts[assessment.Blocked] || len(blocked.Results) != blocked.Total {
		t.Fatalf("%d blocked results of %d", blocked.Total, run.Counts[assessment.Blocked])
	}
	for _, r := range blocked.Results {
		if r.Class != assessment.Blocked || r.BlockedReason == "" {
			t.Fatalf("blocked result without its reason: %+v", r)
		}
	}
	// A rule that only annotates finds the items it matched though it
	// decided none.
	creds, err := f.svc.Results(ctx, assessment.ResultQuery{RuleID: "ANY-APP-CREDENTIALS-001", Limit: 5000})
	if err != nil || creds.Total == 0 {
		t.Fatalf("results by a matched rule: %d %v", creds.Total, err)
	}
	for _, r := range creds.Results {
		if r.RuleID == "ANY-APP-CREDENTIALS-001" || !slices.ContainsFunc(r.Findings, func(fd assessment.Finding) bool { return fd.RuleID == "ANY-APP-CREDENTIALS-001" }) {
			t.Fatalf("rule filter returned %+v", r)
		}
	}
	// Text search goes through the snapshot's full-text index.
	byText, err := f.svc.Results(ctx, assessment.ResultQuery{Text: "Team 17", Kind: inventory.KindGroup})
	if err != nil || byText.Total == 0 {
		t.Fatalf("text search: %+v %v", byText, err)
	}
	for _, r := range byText.Results {
		if !strings.HasPrefix(r.DisplayName, "Team 17") {
			t.Errorf("text search returned %q", r.DisplayName)
		}
	}
	// Most restrictive first by default.
	all, _ := f.svc.Results(ctx, assessment.ResultQuery{Limit: 5000})
	for i := 1; i < len(all.Results); i++ {
		if all.Results[i-1].Class.Rank() < all.Results[i].Class.Rank() {
			t.Fatalf("results out of class order at %d", i)
		}
	}
	d, err := f.svc.Detail(ctx, "", blocked.Results[0].ItemID)
	if err != nil || d.Item.SourceID != blocked.Results[0].SourceID || len(d.Rules) != len(d.Result.Findings) || len(d.Item.Raw) == 0 {
		t.Fatalf("detail %+v %v", d, err)
	}
}

func TestDispositionsCountInReadinessAndCarryOver(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(600, 5))
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := f.svc.Results(ctx, assessment.ResultQuery{RuleID: "ANY-ASSIGN-USER-001", Limit: 2})
	if err != nil || len(users.Results) != 2 {
		t.Fatalf("user assignments: %v", err)
	}
	before, err := f.svc.Readiness(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	target := users.Results[0]
	if _, err := f.svc.Dispose(ctx, assessment.DisposeRequest{ItemID: target.ItemID, RuleID: "ANY-ASSIGN-USER-001",
		Disposition: assessment.WillFix, Note: "moving them into a group", Owner: "IAM lead", ReviewDate: "2026-03-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Dispose(ctx, assessment.DisposeRequest{ItemID: target.ItemID, RuleID: "ANY-ASSIGN-USER-001",
		Disposition: assessment.RiskAccepted, Note: "x", Owner: "y"}); !errors.Is(err, assessment.ErrInvalid) {
		t.Fatalf("risk accepted without a review date: %v", err)
	}
	after, err := f.svc.Readiness(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	kind := func(r assessment.Readiness) assessment.KindRollup {
		for _, k := range r.Kinds {
			if k.Kind == inventory.KindAssignment {
				return k
			}
		}
		t.Fatal("no assignment roll-up")
		return assessment.KindRollup{}
	}
	b, a := kind(before), kind(after)
	if a.Outstanding[assessment.Blocked] != b.Outstanding[assessment.Blocked]-1 || a.Resolved != b.Resolved+1 || a.Ready != b.Ready+1 {
		t.Fatalf("the what-if did not move the roll-up: before %+v after %+v", b, a)
	}
	if a.Counts[assessment.Blocked] != b.Counts[assessment.Blocked] {
		t.Fatal("a disposition changed a verdict")
	}
	page, _ := f.svc.Results(ctx, assessment.ResultQuery{RuleID: "ANY-ASSIGN-USER-001", Limit: 1})
	if page.Results[0].Class != assessment.Blocked || page.Results[0].Findings[0].Disposition == nil {
		t.Fatalf("disposed result %+v", page.Results[0])
	}
	// A rerun of the same source carries the disposition over: the finding
	// is unchanged.
	run2, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil || run2.CarriedDispositions != 1 {
		t.Fatalf("rerun carried %d dispositions (%v)", run2.CarriedDispositions, err)
	}
	p2, _ := f.svc.Results(ctx, assessment.ResultQuery{RunID: run2.ID, RuleID: "ANY-ASSIGN-USER-001", Limit: 1})
	if d := p2.Results[0].Findings[0].Disposition; d == nil || d.CarriedFrom != run.ID || d.Owner != "IAM lead" {
		t.Fatalf("carried disposition %+v", d)
	}
	var entries []audit.Entry
	f.db.ViewTx(ctx, func(tx *Tx) error { entries, err = tx.AuditEntries(); return err })
	if !slices.ContainsFunc(entries, func(e audit.Entry) bool {
		return e.Event == audit.AssessmentFindingDisposed && e.Facts["rule_id"] == "ANY-ASSIGN-USER-001"
	}) {
		t.Error("the disposition is not in the audit trail")
	}
	// A finding that changes asks again: a snapshot where the user's name
	// changed changes the finding's text.
	renamed := f.snapshot(t, func(emit func(inventory.Item) error) error {
		return synth.Generate(600, 5, synth.Large, func(it inventory.Item) error {
			if it.SourceID == target.SourceID {
				it.View.Assignment.PrincipalName = "renamed@example.test"
				it.DisplayName = it.View.Assignment.AppName + " ← renamed@example.test"
			}
			return emit(it)
		})
	})
	run3, err := f.svc.Run(ctx, renamed.ID, nil)
	if err != nil || run3.CarriedDispositions != 0 {
		t.Fatalf("a changed finding carried its disposition: %d (%v)", run3.CarriedDispositions, err)
	}
	// And the diff names the one change.
	d, err := f.svc.DiffRuns(ctx, run2.ID, run3.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if d.CatalogueChanged || d.Buckets[3].Count != 1 || d.Buckets[3].Entries[0].SourceID != target.SourceID ||
		d.Buckets[3].Entries[0].Cause != assessment.CauseInventory || d.Buckets[0].Count+d.Buckets[1].Count+d.Buckets[2].Count != 0 {
		t.Fatalf("diff %+v", d)
	}
	changes, ok, err := f.svc.Changes(ctx, run3.ID, 10)
	if err != nil || !ok || changes.From.ID != run2.ID {
		t.Fatalf("changes since the last run: %+v %v %v", changes.From, ok, err)
	}
}

func TestReadinessPerApplication(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	snap := f.snapshot(t, estate(800, 6))
	if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Readiness(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	apps, _, _, _, _, _, _, _ := synth.Large.Counts(800)
	if len(r.Apps) != apps {
		t.Fatalf("%d application roll-ups for %d applications", len(r.Apps), apps)
	}
	related := 0
	for _, a := range r.Apps {
		related += a.Related
		if a.Effective.Rank() < a.Class.Rank() {
			t.Errorf("%s: effective %s is less restrictive than its own verdict %s", a.Name, a.Effective, a.Class)
		}
		if a.Ready != (a.Effective == "" || a.Effective.Imports()) {
			t.Errorf("%s: ready %t with effective %s", a.Name, a.Ready, a.Effective)
		}
	}
	if related != countKind(r, inventory.KindAssignment) {
		t.Errorf("applications hold %d related items, the snapshot %d assignments", related, countKind(r, inventory.KindAssignment))
	}
}

func countKind(r assessment.Readiness, k inventory.Kind) int {
	for _, kr := range r.Kinds {
		if kr.Kind == k {
			return kr.Items
		}
	}
	return 0
}
