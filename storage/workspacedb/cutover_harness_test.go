package workspacedb

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/portaltest"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// cutoverFixture is a workspace file holding an assessed test estate, a
// cutover service on it, and a sandbox Portal on its own file served on
// 127.0.0.1, reached through a client whose every request and answer is
// checked against the contract.
type cutoverFixture struct {
	*assessFixture
	shape cutovertest.Shape
	snap  inventory.Snapshot
	run   assessment.Run
	svc   *cutover.Service
	merge *merge.Service
	ocm   *ocm.Service
	box   *sandboxFixture
}

type sandboxFixture struct {
	tb    testing.TB
	db    *sandboxdb.DB
	url   string
	token secret.Value
	check *portaltest.Validator
	srv   *httptest.Server

	mu      sync.Mutex
	handler http.Handler
	// answered, when set, is called after each request is answered.
	answered func(*http.Request)
}

func (b *sandboxFixture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	h, after := b.handler, b.answered
	b.mu.Unlock()
	h.ServeHTTP(w, r)
	if after != nil {
		after(r)
	}
}

// serve replaces the sandbox's switches (the same file stays behind it).
func (b *sandboxFixture) serve(opts sandbox.Options) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b.mu.Lock()
	b.handler = sandbox.NewServer(b.db, opts)
	b.mu.Unlock()
}

// afterCreates calls fn once the sandbox has answered n creates.
func (b *sandboxFixture) afterCreates(n int, fn func()) {
	var mu sync.Mutex
	seen := 0
	b.mu.Lock()
	b.answered = func(r *http.Request) {
		if r.Method != http.MethodPost {
			return
		}
		mu.Lock()
		seen++
		fire := seen == n
		mu.Unlock()
		if fire {
			fn()
		}
	}
	b.mu.Unlock()
}

const cutoverTenant = "acme"

func newSandbox(tb testing.TB, opts sandbox.Options) *sandboxFixture {
	tb.Helper()
	db, err := sandboxdb.Open(context.Background(), filepath.Join(tb.TempDir(), "sandbox.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b := &sandboxFixture{tb: tb, db: db}
	b.serve(opts)
	b.srv = httptest.NewServer(b)
	tb.Cleanup(b.srv.Close)
	b.url, b.check = b.srv.URL, portaltest.NewValidator(tb, b.srv.URL)
	b.token = secret.New("fake-portal-token-for-cutover-tests")
	if err := sandbox.AcceptToken(context.Background(), db, b.token, sandbox.AdminTokenSpec(cutoverTenant, "consultant@example.test")); err != nil {
		tb.Fatal(err)
	}
	return b
}

// client is a validated client of the sandbox with fast retries.
func (b *sandboxFixture) client(opts ...client.Option) *client.Client {
	b.tb.Helper()
	opts = append([]client.Option{
		client.WithTransport(b.check.Transport(http.DefaultTransport)),
		client.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		client.WithMaxAttempts(10),
	}, opts...)
	c, err := client.New(b.url, b.token, opts...)
	if err != nil {
		b.tb.Fatal(err)
	}
	return c
}

// objects lists the live target: per noun, a sorted line per object that
// identifies it by what it holds (names, domains, references by name), so
// two targets built by different runs compare equal when they hold the
// same objects.
func (b *sandboxFixture) objects() map[string][]string {
	b.tb.Helper()
	ctx := context.Background()
	c := b.client()
	out := map[string][]string{}
	provs, err := c.ListUpstreamProviders(ctx)
	if err != nil {
		b.tb.Fatal(err)
	}
	provName := map[string]string{}
	for _, p := range provs {
		provName[p.Id] = p.Name
		out["providers"] = append(out["providers"], p.Name+" "+p.Saml.EntityId)
	}
	rules, err := c.ListRoutingRules(ctx)
	if err != nil {
		b.tb.Fatal(err)
	}
	for _, r := range rules {
		out["routing_rules"] = append(out["routing_rules"], r.Name+" "+strings.Join(r.Domains, ",")+" → "+provName[r.ProviderId])
	}
	groups, err := c.ListGroups(ctx)
	if err != nil {
		b.tb.Fatal(err)
	}
	groupName := map[string]string{}
	for _, g := range groups {
		groupName[g.Id] = g.Name
		out["groups"] = append(out["groups"], g.Name)
	}
	apps, err := c.ListApplications(ctx)
	if err != nil {
		b.tb.Fatal(err)
	}
	appName := map[string]string{}
	for _, a := range apps {
		appName[a.Id] = a.Name
		out["applications"] = append(out["applications"], a.Name+" "+string(a.ClientType))
	}
	asgs, err := c.ListAppAssignments(ctx)
	if err != nil {
		b.tb.Fatal(err)
	}
	for _, a := range asgs {
		out["app_assignments"] = append(out["app_assignments"], appName[a.AppId]+" ← "+groupName[a.GroupId])
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// count is how many objects the target holds in all.
func count(objs map[string][]string) int {
	n := 0
	for _, v := range objs {
		n += len(v)
	}
	return n
}

// readinessGate adapts the workspace summary to the cutover's gate, as
// app/wiring does.
type readinessGate struct{ r *readiness.Service }

func (g readinessGate) Handoff(ctx context.Context) (cutover.Handoff, error) {
	sum, err := g.r.Summary(ctx)
	if err != nil {
		return cutover.Handoff{}, err
	}
	h := cutover.Handoff{Ready: sum.PreviewHandoffStatus == readiness.HandoffReady}
	for _, b := range sum.PreviewHandoffBlockers {
		h.Blockers = append(h.Blockers, cutover.Blocker{Code: b.Code, Message: b.Message})
	}
	return h, nil
}

// newCutoverFixture assesses an estate of shape in a first-run workspace.
func newCutoverFixture(t testing.TB, shape cutovertest.Shape, opts sandbox.Options) *cutoverFixture {
	t.Helper()
	return newCutoverFixtureIn(t, workspace.ModeFirstRunAdoption, shape, opts)
}

// newCutoverFixtureIn assesses an estate of shape in a workspace of mode,
// with merge overlap detection reading the sandbox and every OCM impact
// acknowledged, so the preview-handoff gate is open (unless live objects
// call for merge decisions).
func newCutoverFixtureIn(t testing.TB, mode workspace.Mode, shape cutovertest.Shape, opts sandbox.Options) *cutoverFixture {
	t.Helper()
	af := newAssessFixture(t)
	if mode != workspace.ModeFirstRunAdoption {
		err := af.db.UpdateTx(context.Background(), func(tx *Tx) error {
			_, err := tx.tx.ExecContext(tx.ctx, "UPDATE workspace SET mode = ?", string(mode))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &cutoverFixture{assessFixture: af, shape: shape}
	f.box = newSandbox(t, opts)
	f.assessFixture.svc.Contributors = []assessment.Contributor{
		&merge.Detector{Store: MergeStore(f.db), Connect: func(context.Context) (merge.Target, error) { return f.box.client(), nil }},
		&ocm.Carrier{Store: OCMStore(f.db)},
	}
	f.svc = &cutover.Service{Store: CutoverStore(f.db), Gate: readinessGateOf(f.db), Reviews: CutoverReviews(f.db),
		Actor: "consultant", StaleAfter: 2 * time.Second}
	f.merge = &merge.Service{Store: MergeStore(f.db), Plans: f.svc, Actor: "consultant"}
	f.ocm = &ocm.Service{Store: OCMStore(f.db), Actor: "customer"}
	f.snap = f.snapshot(t, func(emit func(inventory.Item) error) error { return cutovertest.Generate(shape, emit) })
	f.assess(t)
	return f
}

// assess runs an assessment of the fixture's snapshot against the live
// sandbox and acknowledges every OCM impact, as the customer would.
func (f *cutoverFixture) assess(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	run, err := f.assessFixture.svc.Run(ctx, f.snap.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.run = run
	if _, err := f.ocm.Acknowledge(ctx, ocm.AckRequest{Note: "accepted in the test-only change review"}); err != nil {
		t.Fatal(err)
	}
}

// secrets collects the generated client secrets an apply hands over
// (from several goroutines: apply runs independent steps in parallel).
type secrets struct {
	mu  sync.Mutex
	got []cutover.IssuedSecret
}

func (s *secrets) take(is cutover.IssuedSecret) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, is)
	return nil
}

// planned lists the names the estate's plan creates, per noun, as
// sandboxFixture.objects prints them.
func (f *cutoverFixture) planned() map[string][]string {
	s := f.shape
	out := map[string][]string{}
	for i := range s.Providers {
		out["providers"] = append(out["providers"], cutovertest.ProviderName(i)+" "+"https://idp"+strconv.Itoa(i)+".example.test/entity")
		out["routing_rules"] = append(out["routing_rules"], "Route "+cutovertest.Domain(i)+" "+cutovertest.Domain(i)+" → "+cutovertest.ProviderName(i))
	}
	for i := range s.Groups {
		out["groups"] = append(out["groups"], cutovertest.GroupName(i))
	}
	for i := range s.Apps {
		ct := string(api.Confidential)
		if i%4 == 3 {
			ct = string(api.Public)
		}
		out["applications"] = append(out["applications"], cutovertest.AppName(i)+" "+ct)
	}
	for i := range s.Assignments {
		a := i % max(s.Apps, 1)
		g := (i/max(s.Apps, 1) + a) % max(s.Groups, 1)
		out["app_assignments"] = append(out["app_assignments"], cutovertest.AppName(a)+" ← "+cutovertest.GroupName(g))
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// sameObjects fails unless got holds exactly want, noun by noun.
func sameObjects(t testing.TB, what string, got, want map[string][]string) {
	t.Helper()
	for _, noun := range []string{"providers", "routing_rules", "groups", "applications", "app_assignments"} {
		if !slices.Equal(got[noun], want[noun]) {
			t.Errorf("%s: the target's %s are not the planned ones:\n got %d: %.400v\nwant %d: %.400v", what, noun, len(got[noun]), got[noun], len(want[noun]), want[noun])
		}
	}
}

func readinessService(db *DB) *readiness.Service {
	return &readiness.Service{Store: ReadinessStore(db)}
}
