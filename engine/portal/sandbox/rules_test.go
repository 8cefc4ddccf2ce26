package sandbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
)

func countGroups(t *testing.T, h *sbx, tok string) int {
	t.Helper()
	var page api.GroupList
	h.do(tok, "GET", "/api/v1/groups?limit=500", nil).decode(t, &page)
	return len(page.Items)
}

func TestSandboxIdempotency(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	body := mustJSON(t, api.GroupInput{Name: "Finance Team"})
	first := h.do(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", "create-finance")
	again := h.do(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", "create-finance")
	if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) {
		t.Fatalf("replay = %d %s, first = %d %s", again.status, again.body, first.status, first.body)
	}
	if again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != first.header.Get("ETag") {
		t.Errorf("replay headers = %v", again.header)
	}
	other := h.do(tok, "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: "Sales"}), "Idempotency-Key", "create-finance")
	if other.status != 409 || other.problem(t).Code != api.ProblemCodeIdempotencyKeyReused {
		t.Errorf("same key, other body = %d %s", other.status, other.body)
	}
	otherPath := h.do(tok, "POST", "/api/v1/user-templates", mustJSON(t, api.UserTemplateInput{Name: "Finance Team", DefaultAuthMode: api.LOCALONLY}), "Idempotency-Key", "create-finance")
	if otherPath.status != 409 {
		t.Errorf("same key on another endpoint = %d %s", otherPath.status, otherPath.body)
	}
	if n := countGroups(t, h, tok); n != 1 {
		t.Errorf("%d groups after replays, want 1", n)
	}

	// Keys are per tenant: another tenant's identical key is its own.
	otherTenant := "fake-other-tenant-token-for-tests"
	if err := sandbox.AcceptToken(context.Background(), h.store, secret.New(otherTenant), sandbox.AdminTokenSpec("other-tenant", "tester")); err != nil {
		t.Fatal(err)
	}
	if a := h.do(otherTenant, "POST", "/api/v1/groups", body, "Idempotency-Key", "create-finance"); a.status != 201 || a.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("other tenant's create = %d %v", a.status, a.header)
	}

	// After 24 hours the key is forgotten: the same request creates again
	// (and here meets the unique name).
	h.clock.Advance(sandbox.IdempotencyTTL + time.Minute)
	if a := h.do(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", "create-finance"); a.status != 409 || a.problem(t).Code != api.ProblemCodeConflict {
		t.Errorf("create after the key expired = %d %s", a.status, a.body)
	}
}

func TestSandboxRoutingConflict(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	if err := sandbox.Seed(context.Background(), h.store, sandbox.SeedDemo, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tok := h.demoAdmin()
	var providers api.UpstreamProviderList
	h.do(tok, "GET", "/api/v1/upstream-providers", nil).decode(t, &providers)
	if len(providers.Items) == 0 || providers.Items[0].Name != sandbox.DemoProviderName {
		t.Fatalf("demo providers = %+v", providers.Items)
	}
	rule := api.RoutingRuleInput{Name: "Second route", Domains: []string{"new-subsidiary.example", strings.ToUpper(sandbox.DemoSharedDomain)},
		ProviderId: providers.Items[0].Id, Priority: 5}
	a := h.do(tok, "POST", "/api/v1/routing-rules", mustJSON(t, rule), "Idempotency-Key", "rr-2")
	if a.status != 409 || a.problem(t).Code != api.ProblemCodeRoutingConflict {
		t.Fatalf("second rule for the shared domain = %d %s", a.status, a.body)
	}
	rule.Domains = []string{"new-subsidiary.example"}
	if a := h.do(tok, "POST", "/api/v1/routing-rules", mustJSON(t, rule), "Idempotency-Key", "rr-3"); a.status != 201 {
		t.Errorf("rule for a new domain = %d %s", a.status, a.body)
	}
}

func (h *sbx) demoAdmin() string {
	h.t.Helper()
	tok := "fake-demo-admin-token-for-tests"
	if err := sandbox.AcceptToken(context.Background(), h.store, secret.New(tok), sandbox.AdminTokenSpec(sandbox.DemoTenant, "tester")); err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// TestSandboxSecretsOnlyAsHashes looks for the plaintext client secret and
// token in the SQLite file and its WAL, and for the secret's hash.
func TestSandboxSecretsOnlyAsHashes(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	in := mustJSON(t, api.ApplicationInput{Name: "Expense Tracker", ClientType: api.Confidential,
		GrantTypes: []api.GrantType{api.AuthorizationCode, api.ClientCredentials}, RedirectUris: []string{"https://expenses.example-corp.com/cb"}})
	first := h.do(tok, "POST", "/api/v1/applications", in, "Idempotency-Key", "app")
	var app api.ApplicationWithSecret
	first.decode(t, &app)
	if first.status != 201 || app.ClientSecret == nil || len(*app.ClientSecret) < 32 {
		t.Fatalf("create confidential app = %d %s", first.status, first.body)
	}
	replay := h.do(tok, "POST", "/api/v1/applications", in, "Idempotency-Key", "app")
	var replayed api.ApplicationWithSecret
	replay.decode(t, &replayed)
	if replay.status != 201 || replayed.ClientSecret != nil || replayed.Id != app.Id {
		t.Errorf("replay = %d %s, want the app without its secret", replay.status, replay.body)
	}
	rotated := h.do(tok, "POST", "/api/v1/applications/"+app.Id+"/client-secret", nil, "Idempotency-Key", "rotate-1", "If-Match", first.header.Get("ETag"))
	var r api.ApplicationWithSecret
	rotated.decode(t, &r)
	if rotated.status != 200 || r.ClientSecret == nil || *r.ClientSecret == *app.ClientSecret {
		t.Fatalf("rotate = %d %s", rotated.status, rotated.body)
	}
	if a := h.do(tok, "GET", "/api/v1/applications/"+app.Id, nil); bytes.Contains(a.body, []byte("client_secret")) {
		t.Errorf("read answer carries a secret: %s", a.body)
	}

	raw := fileBytes(t, h.path)
	for _, plain := range []string{*app.ClientSecret, *r.ClientSecret, tok} {
		if bytes.Contains(raw, []byte(plain)) {
			t.Errorf("the sandbox file holds a plaintext secret (%d bytes)", len(plain))
		}
	}
	sum := sha256.Sum256([]byte(*r.ClientSecret))
	if !bytes.Contains(raw, []byte(hex.EncodeToString(sum[:]))) {
		t.Error("the sandbox file does not hold the current secret's SHA-256")
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestSandboxDemoSeed(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	ctx := context.Background()
	for range 2 { // the second run must be a no-op
		if err := sandbox.Seed(ctx, h.store, sandbox.SeedDemo, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tok := h.demoAdmin()
	var users api.UserList
	h.do(tok, "GET", "/api/v1/users", nil).decode(t, &users)
	modes := map[api.AuthMode]int{}
	breakGlass, linked := 0, 0
	for _, u := range users.Items {
		modes[u.AuthMode]++
		if u.BreakGlass {
			breakGlass++
			if u.Email == nil || *u.Email != sandbox.DemoBreakGlassEmail || u.AuthMode == api.SSOREQUIRED {
				t.Errorf("break-glass user = %+v", u)
			}
		}
		if u.SsoLink != nil && u.LastSsoLoginAt != nil {
			linked++
		}
	}
	if len(modes) != 3 || breakGlass != 1 || linked == 0 || len(users.Items) < 6 {
		t.Errorf("demo users: modes %v, %d break-glass, %d linked, %d users", modes, breakGlass, linked, len(users.Items))
	}
	var groups api.GroupList
	h.do(tok, "GET", "/api/v1/groups", nil).decode(t, &groups)
	var apps api.ApplicationList
	h.do(tok, "GET", "/api/v1/applications", nil).decode(t, &apps)
	var rules api.RoutingRuleList
	h.do(tok, "GET", "/api/v1/routing-rules", nil).decode(t, &rules)
	if len(groups.Items) != 3 || groups.Items[0].Name != sandbox.DemoGroupName ||
		len(apps.Items) != 3 || apps.Items[0].Name != sandbox.DemoAppName ||
		len(rules.Items) != 2 || rules.Items[0].Domains[0] != sandbox.DemoSharedDomain {
		t.Errorf("demo state: groups %+v apps %+v rules %+v", groups.Items, apps.Items, rules.Items)
	}
	for _, path := range []string{"/api/v1/app-assignments", "/api/v1/sso-configurations", "/api/v1/user-templates", "/api/v1/audit-events", "/api/v1/sso-events"} {
		var page struct{ Items []any }
		h.do(tok, "GET", path, nil).decode(t, &page)
		if len(page.Items) == 0 {
			t.Errorf("%s is empty in the demo seed", path)
		}
	}
	if err := sandbox.Seed(ctx, h.store, "nonsense", h.clock.Now()); err == nil {
		t.Error("an unknown seed was accepted")
	}
}
