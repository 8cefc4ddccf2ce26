package workspacedb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/assessment/rules"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// mergeFixture is a merge_into_existing workspace file whose assessment
// runs overlap detection against a sandbox Portal served over HTTP, and
// carries OCM acknowledgements over.
type mergeFixture struct {
	*assessFixture
	live   *client.Client
	merge  *merge.Service
	ocm    *ocm.Service
	plans  *fakePlans
	target bool // whether Connect finds a target
	// down makes Connect hand out a client of a Portal nobody answers for.
	down bool
}

// fakePlans stands for the cutover stage: it reports the runs whose plan
// was applied.
type fakePlans struct{ applied map[string]string }

func (p *fakePlans) AppliedPlan(_ context.Context, runID string) (string, bool, error) {
	id, ok := p.applied[runID]
	return id, ok, nil
}

func newMergeFixture(t *testing.T, mode workspace.Mode) *mergeFixture {
	t.Helper()
	ctx := context.Background()
	sdb, err := sandboxdb.Open(ctx, filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	srv := httptest.NewServer(sandbox.NewServer(sdb, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	tok := secret.New("fake-portal-token-for-merge-storage-tests")
	if err := sandbox.AcceptToken(ctx, sdb, tok, sandbox.AdminTokenSpec("acme", "consultant@example-corp.test")); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, tok, client.WithPageSize(3))
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "acme.pmw")
	db, err := Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ws := &workspace.Service{Store: db, Secrets: memSecrets{}, Actor: "consultant", Kinds: testKinds{}}
	if _, err := ws.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: mode}); err != nil {
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
	f := &mergeFixture{live: c, plans: &fakePlans{applied: map[string]string{}}, target: true}
	det := &merge.Detector{Store: MergeStore(db), PageSize: 37, Connect: func(context.Context) (merge.Target, error) {
		if !f.target {
			return nil, merge.ErrTargetNotConfigured
		}
		if f.down {
			return client.New("http://127.0.0.1:1", tok, client.WithMaxAttempts(1), client.WithTimeout(2*time.Second))
		}
		return c, nil
	}}
	f.assessFixture = &assessFixture{db: db, path: path, ws: ws, source: src, svc: &assessment.Service{
		Store: AssessmentStore(db), Catalogue: cat, Actor: "consultant", BatchSize: 97, PageSize: 89,
		Contributors: []assessment.Contributor{det, &ocm.Carrier{Store: OCMStore(db)}}}}
	f.merge = &merge.Service{Store: MergeStore(db), Plans: f.plans, Actor: "consultant"}
	f.ocm = &ocm.Service{Store: OCMStore(db), Actor: "consultant"}
	return f
}

// items reads every item of a snapshot with its view.
func (f *mergeFixture) items(t *testing.T, snapshotID string, kind inventory.Kind) []inventory.StoredItem {
	t.Helper()
	var out []inventory.StoredItem
	if err := f.db.ViewTx(context.Background(), func(tx *Tx) error {
		var err error
		out, err = tx.ScanSnapshotItems(snapshotID, kind, "", 100000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// overlaps seeds the live target with one object per noun that collides
// with an item of snap, and returns the items' source ids by noun.
func (f *mergeFixture) overlaps(t *testing.T, snap inventory.Snapshot) map[assessment.Noun]string {
	t.Helper()
	ctx := context.Background()
	out := map[assessment.Noun]string{}
	prov := f.items(t, snap.ID, inventory.KindProvider)[0]
	p, err := f.live.CreateUpstreamProvider(ctx, "k-prov", api.UpstreamProviderInput{Name: "Live partner", Type: api.Saml,
		Saml: &api.SamlSettings{EntityId: strings.ToUpper(prov.View.Provider.Issuer[:8]) + prov.View.Provider.Issuer[8:] + "/",
			SsoUrl: "https://live.example.test/sso", SigningCertificate: sandbox.DemoSAMLCertificate[1:]}})
	if err != nil {
		t.Fatal(err)
	}
	out[assessment.NounUpstreamProvider] = prov.SourceID
	rr := f.items(t, snap.ID, inventory.KindRoutingRule)[0]
	if _, err := f.live.CreateRoutingRule(ctx, "k-rule", api.RoutingRuleInput{Name: "Live route", Domains: []string{rr.View.RoutingRule.Domains[0]},
		ProviderId: p.Value.Id, Priority: 1}); err != nil {
		t.Fatal(err)
	}
	out[assessment.NounRoutingRule] = rr.SourceID
	var app, grp inventory.StoredItem
	for _, it := range f.items(t, snap.ID, inventory.KindApplication) {
		if it.View.Application.Protocol == inventory.ProtocolOIDC && !slices.Contains(it.View.Application.OIDC.GrantTypes, "implicit") {
			app = it
			break
		}
	}
	for _, a := range f.items(t, snap.ID, inventory.KindAssignment) {
		if a.View.Assignment.AppID == app.SourceID && a.View.Assignment.Target == inventory.AssignGroup {
			for _, g := range f.items(t, snap.ID, inventory.KindGroup) {
				if g.SourceID == a.View.Assignment.PrincipalID && g.View.Group.Type == inventory.GroupTenant {
					grp = g
					out[assessment.NounAppAssignment] = a.SourceID
				}
			}
			if grp.SourceID != "" {
				break
			}
		}
	}
	if app.SourceID == "" || grp.SourceID == "" {
		t.Fatal("the estate has no OIDC app assigned to a tenant group")
	}
	la, _, err := f.live.CreateApplication(ctx, "k-app", api.ApplicationInput{Name: "Live app", ClientType: api.Confidential,
		RedirectUris: app.View.Application.OIDC.RedirectURIs, GrantTypes: []api.GrantType{api.AuthorizationCode}})
	if err != nil {
		t.Fatal(err)
	}
	out[assessment.NounApplication] = app.SourceID
	lg, err := f.live.CreateGroup(ctx, "k-grp", api.GroupInput{Name: strings.ToUpper(grp.View.Group.Name)})
	if err != nil {
		t.Fatal(err)
	}
	out[assessment.NounGroup] = grp.SourceID
	if _, err := f.live.CreateAppAssignment(ctx, "k-asg", api.AppAssignmentInput{AppId: la.Value.Id, GroupId: lg.Value.Id}); err != nil {
		t.Fatal(err)
	}
	return out
}

func decisionOf(t *testing.T, p merge.Page, noun assessment.Noun, sourceID string) merge.Decision {
	t.Helper()
	for _, d := range p.Decisions {
		if d.Noun == noun && d.ItemSourceID == sourceID {
			return d
		}
	}
	t.Fatalf("no %s decision for %s among %d", noun, sourceID, len(p.Decisions))
	return merge.Decision{}
}

func TestMergeDetectionAndDecisions(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, workspace.ModeMergeIntoExisting)
	snap := f.snapshot(t, estate(400, 3))
	want := f.overlaps(t, snap)
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Scans) != 1 || page.Scans[0].Status != merge.ScanRead || page.Scans[0].Counts[assessment.NounGroup] != 1 {
		t.Fatalf("scans %+v", page.Scans)
	}
	results := map[string]assessment.Result{}
	for _, r := range allResults(t, f.assessFixture, run.ID) {
		results[string(r.Kind)+"/"+r.SourceID] = r
	}
	for _, d := range page.Decisions {
		if d.Status != merge.StatusPending || len(d.Matched) == 0 || d.Matched[0].ETag == "" || len(d.Matched[0].Object) == 0 {
			t.Errorf("row %+v: want pending with matched resources carrying ETag and object", d)
		}
		if c := results[string(d.Kind)+"/"+d.ItemSourceID].Class; c == assessment.VisibilityOnly || c == assessment.Blocked {
			t.Errorf("row for %s %s classed %s: only moving items get a decision", d.Kind, d.DisplayName, c)
		}
	}
	for noun, id := range want {
		r := results[string(map[assessment.Noun]inventory.Kind{assessment.NounUpstreamProvider: inventory.KindProvider,
			assessment.NounRoutingRule: inventory.KindRoutingRule, assessment.NounGroup: inventory.KindGroup,
			assessment.NounApplication: inventory.KindApplication, assessment.NounAppAssignment: inventory.KindAssignment}[noun])+"/"+id]
		if r.Class == assessment.VisibilityOnly || r.Class == assessment.Blocked {
			continue // not moving: counted in the scan instead
		}
		decisionOf(t, page, noun, id)
	}
	for _, d := range page.Decisions {
		t.Logf("row %s %q (%s) %v -> %s", d.Noun, d.DisplayName, d.Class, d.MatchTypes, d.Matched[0].Name)
	}
	if page.Pending != len(page.Decisions) || page.Pending < 3 {
		t.Fatalf("pending %d of %d rows", page.Pending, len(page.Decisions))
	}

	grp := decisionOf(t, page, assessment.NounGroup, want[assessment.NounGroup])
	// map_to_existing must name one of the row's matched resources.
	_, err = f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.MapToExisting, TargetID: "grp_not_matched"})
	if !errors.Is(err, merge.ErrInvalid) || !strings.Contains(err.Error(), "not one of") {
		t.Fatalf("map to an unmatched resource: %v", err)
	}
	// create_new under the colliding name is refused; a free name is not.
	if _, err = f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.CreateNew}); !errors.Is(err, merge.ErrStillCollides) {
		t.Fatalf("create_new under the live name: %v", err)
	}
	if _, err = f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.CreateNew,
		NewName: "  " + strings.ToLower(grp.Matched[0].Name) + " "}); !errors.Is(err, merge.ErrStillCollides) {
		t.Fatalf("create_new under the live name in other case: %v", err)
	}
	d, err := f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.CreateNew, NewName: grp.DisplayName + " (Okta)", Note: "kept apart"})
	if err != nil || d.Status != merge.StatusResolved || d.ResolvedBy != "consultant" || d.ResolvedAt == nil {
		t.Fatalf("create_new with a free name: %+v, %v", d, err)
	}
	// A resolved decision changes, with its history kept.
	if d, err = f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.MapToExisting, TargetID: grp.Matched[0].TargetID}); err != nil {
		t.Fatal(err)
	}
	det, err := f.merge.Get(ctx, grp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Decision.History) != 2 || det.Decision.History[0].Resolution != merge.CreateNew || det.Decision.History[1].Resolution != merge.MapToExisting {
		t.Fatalf("history %+v", det.Decision.History)
	}
	if len(det.Diffs) != 1 || det.Diffs[0].Fields[0].Field != "name" || !det.Diffs[0].Fields[0].Differs ||
		det.Diffs[0].Fields[0].Outcome != merge.KeptFromTarget {
		t.Fatalf("diff %+v", det.Diffs)
	}
	// Routing rules cannot be created next to a live rule for the domain.
	if rr, ok := findRow(page, assessment.NounRoutingRule); ok {
		if _, err := f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: rr.ID, Resolution: merge.CreateNew}); !errors.Is(err, merge.ErrStillCollides) {
			t.Fatalf("create a routing rule for a routed domain: %v", err)
		}
	}
	// The audit trail has the decisions with their facts.
	var entries []audit.Entry
	f.db.ViewTx(ctx, func(tx *Tx) error { entries, err = tx.AuditEntries(); return err })
	var resolved []audit.Entry
	for _, e := range entries {
		if e.Event == audit.MergeDecisionResolved {
			resolved = append(resolved, e)
		}
	}
	if len(resolved) != 2 || resolved[1].Facts["resolution"] != "map_to_existing" || resolved[1].Facts["previous_resolution"] != "create_new" ||
		resolved[1].Facts["target_id"] != grp.Matched[0].TargetID || resolved[1].TargetID != grp.ID {
		t.Fatalf("audit %+v", resolved)
	}

	// Bulk: a dry run changes nothing; the real run skips every pending row.
	dry, err := f.merge.ResolveAll(ctx, merge.BulkRequest{Filter: merge.Filter{Status: merge.StatusPending}, Resolution: merge.Skip, DryRun: true})
	if err != nil || dry.Resolved != page.Pending-1 {
		t.Fatalf("dry run %+v, %v", dry, err)
	}
	if p2, _ := f.merge.List(ctx, merge.Filter{}); p2.Pending != page.Pending-1 {
		t.Fatalf("a dry run changed rows: %d pending", p2.Pending)
	}
	if _, err := f.merge.ResolveAll(ctx, merge.BulkRequest{Filter: merge.Filter{Status: merge.StatusPending}, Resolution: merge.Skip}); err != nil {
		t.Fatal(err)
	}
	if p2, _ := f.merge.List(ctx, merge.Filter{}); p2.Pending != 0 || p2.Resolved != len(page.Decisions) {
		t.Fatalf("after bulk skip: %d pending, %d resolved", p2.Pending, p2.Resolved)
	}

	// Once a plan of the run is applied, its decisions are final.
	f.plans.applied[run.ID] = "plan-1"
	_, err = f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.Skip})
	if !errors.Is(err, merge.ErrPlanApplied) {
		t.Fatalf("resolve after apply: %v", err)
	}
	delete(f.plans.applied, run.ID)

	// A rerun over the same live state carries every decision over.
	run2, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := f.merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if p3.Pending != 0 || p3.Resolved != len(page.Decisions) || p3.Decisions[0].RunID != run2.ID || p3.Decisions[0].CarriedFrom == "" {
		t.Fatalf("rerun: %d pending, %d resolved, first %+v", p3.Pending, p3.Resolved, p3.Decisions[0])
	}
	// An old run's row can no longer be decided.
	if _, err := f.merge.Resolve(ctx, merge.ResolveRequest{DecisionID: grp.ID, Resolution: merge.Skip}); !errors.Is(err, merge.ErrNotCurrent) {
		t.Fatalf("resolve an old run's row: %v", err)
	}
}

func findRow(p merge.Page, noun assessment.Noun) (merge.Decision, bool) {
	for _, d := range p.Decisions {
		if d.Noun == noun {
			return d, true
		}
	}
	return merge.Decision{}, false
}

// In first_run_adoption no rows are made; the scan records what the live
// target holds. Without a target the scan says so.
func TestFirstRunScansWithoutDecisions(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, workspace.ModeFirstRunAdoption)
	snap := f.snapshot(t, estate(200, 5))
	f.overlaps(t, snap)
	if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	p, err := f.merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Decisions) != 0 || len(p.Scans) != 1 || p.Scans[0].Empty() || p.Scans[0].Samples[assessment.NounGroup][0] == "" {
		t.Fatalf("first run: %d rows, scans %+v", len(p.Decisions), p.Scans)
	}
	f.target = false
	if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	p, _ = f.merge.List(ctx, merge.Filter{})
	if len(p.Scans) != 1 || p.Scans[0].Status != merge.ScanNotConfigured || !strings.Contains(p.Scans[0].Reason, "no target") {
		t.Fatalf("no target: scans %+v", p.Scans)
	}
}

// Acknowledgements update the impact rows, carry over to an unchanged
// impact on a rerun and flag a changed one for review.
func TestOCMAcknowledgementCarryOver(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, workspace.ModeFirstRunAdoption)
	f.target = false
	snap := f.snapshot(t, estate(300, 9))
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.ocm.List(ctx, ocm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != run.ImpactCount || l.Pending != l.Total || l.Total < 3 {
		t.Fatalf("listing %+v for %d impacts", l, run.ImpactCount)
	}
	// Acknowledge everything: one impact, then the rest by filter.
	first := l.Groups[0].Impacts[0]
	if first.Kind == "" || first.Owner == "" {
		t.Fatalf("impact without kind or owner: %+v", first)
	}
	res, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{ImpactID: first.ID, Note: "sponsor agreed"})
	if err != nil || len(res.Acknowledged) != 1 {
		t.Fatalf("ack one: %+v, %v", res, err)
	}
	dry, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{DryRun: true})
	if err != nil || len(dry.Acknowledged) != l.Total-1 || dry.Unchanged != 1 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if _, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{Note: "workshop 3"}); err != nil {
		t.Fatal(err)
	}
	if l, _ = f.ocm.List(ctx, ocm.Filter{}); l.Acknowledged != l.Total {
		t.Fatalf("after ack all: %+v", l)
	}
	// A rerun of the same snapshot carries every acknowledgement over.
	run2, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, _ = f.ocm.List(ctx, ocm.Filter{})
	if l.Acknowledged != l.Total || l.Runs[0] != run2.ID {
		t.Fatalf("rerun of the same snapshot: %+v", l)
	}
	for _, g := range l.Groups {
		for _, im := range g.Impacts {
			if im.CarriedFrom != run.ID || im.AckedBy != "consultant" {
				t.Fatalf("carried impact %+v", im)
			}
		}
	}
	// A bigger estate changes some impacts' items: those need review, the
	// rest stay acknowledged.
	snap2 := f.snapshot(t, estate(330, 9))
	if _, err := f.svc.Run(ctx, snap2.ID, nil); err != nil {
		t.Fatal(err)
	}
	l, _ = f.ocm.List(ctx, ocm.Filter{})
	if l.NeedsReview == 0 || l.Acknowledged == 0 {
		t.Fatalf("after a changed estate: %+v", l)
	}
	for _, g := range l.Groups {
		for _, im := range g.Impacts {
			if im.Status == ocm.StatusNeedsReview && (im.ReviewReason == "" || im.AckedBy == "") {
				t.Fatalf("needs-review row without reason or earlier acknowledgement: %+v", im)
			}
		}
	}
	// Acknowledging the rows that need review closes OCM.
	res, err = f.ocm.Acknowledge(ctx, ocm.AckRequest{Filter: ocm.Filter{Status: ocm.StatusNeedsReview}})
	if err != nil || len(res.Acknowledged) != l.NeedsReview {
		t.Fatalf("ack needs-review rows: %+v, %v", res, err)
	}
	if l, _ = f.ocm.List(ctx, ocm.Filter{}); l.Acknowledged != l.Total {
		t.Fatalf("after re-acknowledging: %+v", l)
	}
}

// A target that cannot be read leaves the classification standing: the run
// completes, its scan says why the overlaps are unknown, no row is made,
// and the gate stays closed.
func TestUnreachableTargetCompletesTheRunWithoutOverlaps(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, workspace.ModeMergeIntoExisting)
	snap := f.snapshot(t, estate(200, 5))
	f.overlaps(t, snap)
	f.down = true
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil || run.Status != assessment.StatusCompleted {
		t.Fatalf("run %+v, %v", run, err)
	}
	p, err := f.merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Decisions) != 0 || len(p.Scans) != 1 || p.Scans[0].Status != merge.ScanFailed || !strings.Contains(p.Scans[0].Reason, "127.0.0.1:1") {
		t.Fatalf("rows %d, scans %+v", len(p.Decisions), p.Scans)
	}
	sum, err := (&readiness.Service{Store: ReadinessStore(f.db)}).Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.MergeReviewStatus != merge.ReviewTargetNotRead || !strings.Contains(codesOf(sum), readiness.BlockerLiveTargetNotRead) {
		t.Fatalf("summary %s, blockers %s", sum.MergeReviewStatus, codesOf(sum))
	}
	// Once the target answers, a rerun finds the overlaps.
	f.down = false
	if _, err := f.svc.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ = f.merge.List(ctx, merge.Filter{}); len(p.Decisions) == 0 || p.Scans[0].Status != merge.ScanRead {
		t.Fatalf("after the target came back: %d rows, scans %+v", len(p.Decisions), p.Scans)
	}
}

func codesOf(s readiness.Summary) string {
	var c []string
	for _, b := range s.PreviewHandoffBlockers {
		c = append(c, b.Code)
	}
	return strings.Join(c, ",")
}
