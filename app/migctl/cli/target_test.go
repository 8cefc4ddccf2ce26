package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// portalSandbox is the real sandbox on its own SQLite file, served over
// HTTP on 127.0.0.1 (httptest binds loopback only).
type portalSandbox struct {
	t     *testing.T
	store *sandboxdb.DB
	url   string
}

func newPortalSandbox(t *testing.T, seed string) *portalSandbox {
	t.Helper()
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatalf("open sandbox store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sandbox.Seed(ctx, db, seed, time.Now()); err != nil {
		t.Fatalf("seed sandbox: %v", err)
	}
	srv := httptest.NewServer(sandbox.NewServer(db, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return &portalSandbox{t: t, store: db, url: srv.URL}
}

// token makes the sandbox accept an obviously fake token standing for a
// session of tenant.
func (p *portalSandbox) token(tenant string, sc api.SessionContext, perms ...api.Permission) string {
	p.t.Helper()
	tok := fmt.Sprintf("fake-portal-token-for-tests-%s-%s-%d", tenant, sc, len(perms))
	spec := sandbox.TokenSpec{Tenant: tenant, Actor: "consultant@example-corp.test", SessionContext: sc, Permissions: perms}
	if err := sandbox.AcceptToken(context.Background(), p.store, secret.New(tok), spec); err != nil {
		p.t.Fatalf("accept token: %v", err)
	}
	return tok
}

func (p *portalSandbox) manager() string {
	return p.token(sandbox.DemoTenant, api.CustomerTenant, api.PortalMigrationsView, api.PortalMigrationsManage)
}

// demoWorkspace creates the harness's workspace for the demo tenant.
func demoWorkspace(t *testing.T) (*harness, *keychain.Keychain) {
	t.Helper()
	h := newHarness(t)
	kc := requireKeychain(t, h)
	h.okJSON("", "workspace", "create", "--tenant", sandbox.DemoTenant, "--mode", "merge_into_existing")
	return h, kc
}

// stored is what the workspace file and the keychain hold about the target.
type stored struct {
	ws     workspace.Workspace
	trail  []audit.Entry
	token  string
	hasTok bool
}

func readStored(t *testing.T, h *harness, kc *keychain.Keychain) stored {
	t.Helper()
	ctx := context.Background()
	w, err := wiring.Open(ctx, h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var s stored
	if s.ws, err = w.Service.Get(ctx); err != nil {
		t.Fatal(err)
	}
	var brk *audit.Break
	if s.trail, brk, err = w.Service.AuditTrail(ctx); err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", err, brk)
	}
	v, err := kc.Get(ctx, s.ws.ID, workspace.RoleTargetToken)
	switch {
	case err == nil:
		s.token, s.hasTok = v.Reveal(), true
	case !errors.Is(err, keychain.ErrNotFound):
		t.Fatalf("read target token: %v", err)
	}
	return s
}

func TestWorkspaceConnectReportsIdentity(t *testing.T) {
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	h, kc := demoWorkspace(t)
	tok := portal.manager()

	doc := h.okJSON(tok+"\n", "workspace", "connect", "--target-url", portal.url+"/", "--target-token-stdin")
	want := map[string]any{
		"url": portal.url, "tenant": sandbox.DemoTenant, "actor": "consultant@example-corp.test",
		"session_context": "customer_tenant",
		"permissions":     []any{"portal.migrations.view", "portal.migrations.manage"},
		"writes_allowed":  true, "token_stored": true,
	}
	for k, v := range want {
		if diff := cmp.Diff(v, doc[k]); diff != "" {
			t.Errorf("connect --json %s (-want +got):\n%s", k, diff)
		}
	}
	connectedAt := timeField(t, doc, "connected_at")

	s := readStored(t, h, kc)
	wantTarget := workspace.Target{URL: portal.url, TenantID: sandbox.DemoTenant, SessionContext: "customer_tenant",
		Permissions: []string{"portal.migrations.view", "portal.migrations.manage"}}
	got := s.ws.Target
	if got.ConnectedAt == nil || got.ConnectedAt.Format("2006-01-02T15:04:05.999999999Z07:00") != connectedAt {
		t.Errorf("workspace connected_at = %v, the report said %s", got.ConnectedAt, connectedAt)
	}
	got.ConnectedAt = nil
	if diff := cmp.Diff(wantTarget, got); diff != "" {
		t.Errorf("workspace target (-want +got):\n%s", diff)
	}
	if !s.hasTok || s.token != tok {
		t.Errorf("the keychain does not hold the connected token")
	}
	last := s.trail[len(s.trail)-1]
	wantFacts := map[string]string{
		"target_url": portal.url, "target_tenant_id": sandbox.DemoTenant, "target_actor": "consultant@example-corp.test",
		"session_context": "customer_tenant", "permissions": "portal.migrations.view,portal.migrations.manage",
		"writes_allowed": "true", "target_token_stored": "true",
	}
	if last.Event != audit.WorkspaceTargetConnected || last.Actor != "test-consultant" || last.Tenant != sandbox.DemoTenant {
		t.Errorf("last audit entry = %s by %s for %s, want %s by test-consultant", last.Event, last.Actor, last.Tenant, audit.WorkspaceTargetConnected)
	}
	if diff := cmp.Diff(wantFacts, last.Facts); diff != "" {
		t.Errorf("audit facts (-want +got):\n%s", diff)
	}

	// The human form says the same, and the token from a named variable
	// works as well as stdin.
	h.env["PORTAL_TOKEN"] = tok
	r := h.ok("", "workspace", "connect", "--target-url", portal.url, "--target-token-env", "PORTAL_TOKEN")
	for _, line := range []string{"Tenant           demo-tenant", "Session context  customer_tenant",
		"Permissions      portal.migrations.view, portal.migrations.manage", "Writes           allowed"} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("human output lacks %q:\n%s", line, r.stdout)
		}
	}
}

func TestWorkspaceConnectRefusals(t *testing.T) {
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	closed := httptest.NewServer(nil)
	closed.Close()
	cases := []struct {
		name, url, token, says string
	}{
		{"guest session", portal.url, portal.token(sandbox.DemoTenant, api.GuestAccess, api.PortalMigrationsView, api.PortalMigrationsManage), "guest_access"},
		{"support session", portal.url, portal.token(sandbox.DemoTenant, api.SupportAccess, api.PortalMigrationsView, api.PortalMigrationsManage), "support_access"},
		{"no migration permission", portal.url, portal.token(sandbox.DemoTenant, api.OperatorTenant), "neither portal.migrations.view nor portal.migrations.manage"},
		{"another tenant", portal.url, portal.token("other-tenant", api.CustomerTenant, api.PortalMigrationsView, api.PortalMigrationsManage), `belongs to tenant "other-tenant"`},
		{"unknown token", portal.url, "fake-portal-token-for-tests-never-issued", "did not accept the token (unknown, revoked or expired)"},
		{"unreachable", closed.URL, portal.manager(), "cannot reach it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, kc := demoWorkspace(t)
			before := readStored(t, h, kc)
			r := h.run(tc.token, "workspace", "connect", "--target-url", tc.url, "--target-token-stdin")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.says) || r.stdout != "" {
				t.Errorf("stderr should say %q and stdout stay empty:\nstdout: %s\nstderr: %s", tc.says, r.stdout, r.stderr)
			}
			after := readStored(t, h, kc)
			if diff := cmp.Diff(before, after, cmp.AllowUnexported(stored{})); diff != "" {
				t.Errorf("a refused connection changed the workspace or keychain (-before +after):\n%s", diff)
			}
			if after.hasTok {
				t.Error("a refused token is in the keychain")
			}
		})
	}
}

func TestWorkspaceConnectViewOnly(t *testing.T) {
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	h, kc := demoWorkspace(t)
	tok := portal.token(sandbox.DemoTenant, api.VendorTenant, api.PortalMigrationsView)

	doc := h.okJSON(tok, "workspace", "connect", "--target-url", portal.url, "--target-token-stdin")
	if doc["writes_allowed"] != false || doc["session_context"] != "vendor_tenant" || !cmp.Equal(doc["permissions"], []any{"portal.migrations.view"}) {
		t.Errorf("view-only connect: writes_allowed %v, session %v, permissions %v", doc["writes_allowed"], doc["session_context"], doc["permissions"])
	}
	if s := readStored(t, h, kc); s.ws.Target.TenantID != sandbox.DemoTenant || !s.hasTok {
		t.Errorf("a view-only token should connect: target %+v, token stored %v", s.ws.Target, s.hasTok)
	}
	r := h.ok("", "target", "show")
	if !strings.Contains(r.stdout, "not allowed: read-only") {
		t.Errorf("target show should say writes are not allowed:\n%s", r.stdout)
	}
}

func TestTargetShowCountsDemoSeed(t *testing.T) {
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	h, _ := demoWorkspace(t)
	if r := h.run("", "target", "show"); r.code != 1 || !strings.Contains(r.stderr, "no target yet") {
		t.Errorf("target show before connecting: exit %d, stderr %s", r.code, r.stderr)
	}
	h.ok(portal.manager(), "workspace", "connect", "--target-url", portal.url, "--target-token-stdin")

	doc := h.okJSON("", "target", "show")
	want := map[string]any{}
	kinds := map[string]sandbox.Kind{
		client.NounUpstreamProviders: sandbox.KindUpstreamProvider, client.NounRoutingRules: sandbox.KindRoutingRule,
		client.NounGroups: sandbox.KindGroup, client.NounApplications: sandbox.KindApplication,
		client.NounAppAssignments: sandbox.KindAppAssignment, client.NounSsoConfigurations: sandbox.KindSsoConfiguration,
		client.NounUsers: sandbox.KindUser, client.NounUserTemplates: sandbox.KindUserTemplate,
	}
	err := portal.store.View(context.Background(), func(tx sandbox.Tx) error {
		for noun, kind := range kinds {
			objs, err := tx.List(sandbox.DemoTenant, kind, 0, 100000)
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				return fmt.Errorf("the demo seed holds no %s: this comparison would prove little", noun)
			}
			want[noun] = float64(len(objs))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, doc["counts"]); diff != "" {
		t.Errorf("target show counts (-seed +reported):\n%s", diff)
	}
	if doc["tenant"] != sandbox.DemoTenant || doc["writes_allowed"] != true || doc["url"] != portal.url {
		t.Errorf("target show identity: %v", doc)
	}

	r := h.ok("", "target", "show")
	usersLine := regexp.MustCompile(fmt.Sprintf(`(?m)^\s+users\s+%v$`, want[client.NounUsers]))
	if !strings.Contains(r.stdout, "Live target state:") || !usersLine.MatchString(r.stdout) {
		t.Errorf("human target show lacks the users count:\n%s", r.stdout)
	}
}

// TestConnectCanaryNeverLeaks connects with a unique token (accepted and
// refused) at debug level and searches everything written for it.
func TestConnectCanaryNeverLeaks(t *testing.T) {
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	h, kc := demoWorkspace(t)
	canary := "canary-" + randomHex(t, 16)
	spec := sandbox.AdminTokenSpec(sandbox.DemoTenant, "consultant@example-corp.test")
	if err := sandbox.AcceptToken(context.Background(), portal.store, secret.New(canary), spec); err != nil {
		t.Fatal(err)
	}
	h.env["PMC_LOG_LEVEL"] = "debug"
	h.env["CANARY_TOKEN"] = canary

	checkAnyError(t, h.run(canary+"-refused", "workspace", "connect", "--target-url", portal.url, "--target-token-stdin"))
	checkAnyError(t, h.run("", "workspace", "connect", "--target-url", portal.url, "--target-token-env", canary))
	checkAnyError(t, h.run("", "workspace", "connect", "--target-url", portal.url, "--target-token-stdin="+canary))
	h.ok(canary+"\n", "workspace", "connect", "--target-url", portal.url, "--target-token-stdin")
	h.ok("", "workspace", "connect", "--target-url", portal.url, "--target-token-env", "CANARY_TOKEN", "--json")
	h.ok("", "target", "show")
	h.ok("", "target", "show", "--json")
	h.ok("", "audit", "list", "--json")

	if s := readStored(t, h, kc); s.token != canary {
		t.Fatal("the canary never reached the keychain: the search below would prove nothing")
	}
	// Open through the engine so the -wal exists while it is searched.
	w, err := wiring.Open(context.Background(), h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(h.path + suffix)
		if suffix != "" && errors.Is(err, os.ErrNotExist) {
			continue // checkpointed away on close
		}
		if err != nil {
			t.Fatalf("read workspace file%s: %v", suffix, err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the token is in the workspace file%s", suffix)
		}
	}
	all := strings.Join(h.printed, "\n")
	if !strings.Contains(all, "level=DEBUG") {
		t.Fatal("debug logging did not run: the output search would prove nothing")
	}
	for i, p := range h.printed {
		if strings.Contains(p, canary) {
			t.Errorf("output %d leaks the token:\n%s", i, p)
		}
	}
	if !slices.ContainsFunc(h.printed, func(p string) bool { return strings.Contains(p, "target connected") }) {
		t.Error("connect logged nothing at debug: the log search would prove little")
	}
}
