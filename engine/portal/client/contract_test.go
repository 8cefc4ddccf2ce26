package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// TestClientContract drives every operation of the contract through the
// client against the sandbox; the harness validates each request and answer
// against the OpenAPI document, and the test fails if an operation was never
// exercised.
func TestClientContract(t *testing.T) {
	ctx := context.Background()
	h := newCTHarness(t, sandbox.Options{})
	c := h.client(h.manager(), client.WithPageSize(2)) // small pages: every list walks cursors

	id, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if id.Tenant != ctTenant || id.SessionContext != string(api.CustomerTenant) || !id.CanManage {
		t.Fatalf("identity = %+v", id)
	}
	key := func(parts ...string) string {
		return client.OperationKey(append([]string{"contract", "plan-1"}, parts...)...)
	}

	// Upstream providers: SAML and OIDC.
	saml, err := c.CreateUpstreamProvider(ctx, key("provider", "saml"), api.UpstreamProviderInput{
		Name: "Okta Corporate SAML", Type: api.Saml,
		Saml: &api.SamlSettings{EntityId: "http://www.okta.com/exk1test", SsoUrl: "https://example-corp.okta.com/app/sso/saml", SigningCertificate: testCertificate(t)},
	})
	if err != nil {
		t.Fatalf("create SAML provider: %v", err)
	}
	if saml.ETag == "" || saml.Value.Id == "" || saml.Replayed {
		t.Fatalf("create answer = %+v", saml)
	}
	oidc, err := c.CreateUpstreamProvider(ctx, key("provider", "oidc"), api.UpstreamProviderInput{
		Name: "Entra OIDC", Type: api.Oidc,
		Oidc: &api.OidcSettings{Issuer: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0", ClientId: "11111111-2222-3333-4444-555555555555"},
	})
	if err != nil {
		t.Fatalf("create OIDC provider: %v", err)
	}
	got, err := c.GetUpstreamProvider(ctx, saml.Value.Id)
	if err != nil || got.ETag != saml.ETag || got.Value.Saml == nil {
		t.Fatalf("get provider = %+v, %v", got, err)
	}
	renamed, err := c.ReplaceUpstreamProvider(ctx, oidc.Value.Id, oidc.ETag, api.UpstreamProviderInput{Name: "Entra OIDC (staff)", Type: api.Oidc, Oidc: oidc.Value.Oidc})
	if err != nil || renamed.ETag == oidc.ETag {
		t.Fatalf("replace provider = %+v, %v", renamed, err)
	}
	_, err = c.ReplaceUpstreamProvider(ctx, oidc.Value.Id, oidc.ETag, api.UpstreamProviderInput{Name: "stale write", Type: api.Oidc, Oidc: oidc.Value.Oidc})
	if !errors.Is(err, client.ErrPreconditionFailed) {
		t.Fatalf("replace with a stale ETag: want ErrPreconditionFailed, got %v", err)
	}

	// Routing rules: a second rule for a routed domain is refused.
	rule, err := c.CreateRoutingRule(ctx, key("rule", "corp"), api.RoutingRuleInput{Name: "Staff to Okta", Domains: []string{"example-corp.test"}, ProviderId: saml.Value.Id, Priority: 10})
	if err != nil {
		t.Fatalf("create routing rule: %v", err)
	}
	_, err = c.CreateRoutingRule(ctx, key("rule", "again"), api.RoutingRuleInput{Name: "Staff to Entra", Domains: []string{"EXAMPLE-CORP.test"}, ProviderId: oidc.Value.Id, Priority: 20})
	if !errors.Is(err, client.ErrRoutingConflict) || !errors.Is(err, client.ErrConflict) {
		t.Fatalf("second rule for a routed domain: want ErrRoutingConflict, got %v", err)
	}
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusConflict || p.Code != client.CodeRoutingConflict {
		t.Fatalf("routing conflict problem = %+v", p)
	}
	if _, err := c.GetRoutingRule(ctx, rule.Value.Id); err != nil {
		t.Fatal(err)
	}
	rule, err = c.ReplaceRoutingRule(ctx, rule.Value.Id, rule.ETag, api.RoutingRuleInput{Name: "Staff to Okta", Domains: []string{"example-corp.test", "example-corp-eu.test"}, ProviderId: saml.Value.Id, Priority: 5})
	if err != nil {
		t.Fatalf("replace routing rule: %v", err)
	}

	// Groups, with a conflicting reuse of an idempotency key.
	var groups []client.Versioned[api.Group]
	for _, name := range []string{"Finance Team", "Engineering", "Sales"} {
		g, err := c.CreateGroup(ctx, key("group", name), api.GroupInput{Name: name})
		if err != nil {
			t.Fatalf("create group %s: %v", name, err)
		}
		groups = append(groups, g)
	}
	again, err := c.CreateGroup(ctx, key("group", "Sales"), api.GroupInput{Name: "Sales"})
	if err != nil || !again.Replayed || again.Value.Id != groups[2].Value.Id {
		t.Fatalf("same key, same body: want the stored answer, got %+v, %v", again, err)
	}
	_, err = c.CreateGroup(ctx, key("group", "Sales"), api.GroupInput{Name: "Sales EMEA"})
	if !errors.Is(err, client.ErrIdempotencyConflict) {
		t.Fatalf("same key, other body: want ErrIdempotencyConflict, got %v", err)
	}
	if _, err := c.GetGroup(ctx, groups[0].Value.Id); err != nil {
		t.Fatal(err)
	}
	desc := "Finance and accounting"
	if _, err := c.ReplaceGroup(ctx, groups[0].Value.Id, groups[0].ETag, api.GroupInput{Name: "Finance Team", Description: &desc}); err != nil {
		t.Fatalf("replace group: %v", err)
	}
	if _, err := c.GetGroup(ctx, "grp_missing"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("get a missing group: want ErrNotFound, got %v", err)
	}

	// Applications: the secret comes once, a replay omits it, rotation mints
	// a new one.
	appIn := api.ApplicationInput{Name: "Expense Tracker", ClientType: api.Confidential,
		GrantTypes: []api.GrantType{api.AuthorizationCode, api.RefreshToken}, RedirectUris: []string{"https://expenses.example-corp.test/oauth/callback"}}
	app, appSecret, err := c.CreateApplication(ctx, key("app", "expenses"), appIn)
	if err != nil || appSecret.IsEmpty() {
		t.Fatalf("create application: secret given %v, %v", !appSecret.IsEmpty(), err)
	}
	replayed, replayedSecret, err := c.CreateApplication(ctx, key("app", "expenses"), appIn)
	if err != nil || !replayed.Replayed || !replayedSecret.IsEmpty() || replayed.Value.Id != app.Value.Id {
		t.Fatalf("replayed create: replayed %v, secret given %v, %v", replayed.Replayed, !replayedSecret.IsEmpty(), err)
	}
	rotated, newSecret, err := c.RotateApplicationSecret(ctx, app.Value.Id, app.ETag, key("app", "expenses", "rotate", "1"))
	if err != nil || newSecret.IsEmpty() || newSecret.Reveal() == appSecret.Reveal() {
		t.Fatalf("rotate secret: %v", err)
	}
	if _, err := c.GetApplication(ctx, app.Value.Id); err != nil {
		t.Fatal(err)
	}
	appIn.RedirectUris = append(appIn.RedirectUris, "https://expenses.example-corp.test/oauth/callback2")
	app, err = c.ReplaceApplication(ctx, app.Value.Id, rotated.ETag, appIn)
	if err != nil {
		t.Fatalf("replace application: %v", err)
	}

	// App assignments.
	asg, err := c.CreateAppAssignment(ctx, key("assign", "expenses", "finance"), api.AppAssignmentInput{AppId: app.Value.Id, GroupId: groups[0].Value.Id})
	if err != nil {
		t.Fatalf("create app assignment: %v", err)
	}
	if _, err := c.GetAppAssignment(ctx, asg.Value.Id); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGroup(ctx, groups[0].Value.Id, ""); !errors.Is(err, client.ErrConflict) {
		t.Fatalf("delete a group an assignment refers to: want ErrConflict, got %v", err)
	}

	// User templates and SSO configurations.
	tplDesc := "Users arriving through Okta"
	tpl, err := c.CreateUserTemplate(ctx, key("template", "okta"), api.UserTemplateInput{Name: "Okta federated staff", Description: &tplDesc, DefaultAuthMode: api.SSOPREFERRED})
	if err != nil {
		t.Fatalf("create user template: %v", err)
	}
	if _, err := c.GetUserTemplate(ctx, tpl.Value.Id); err != nil {
		t.Fatal(err)
	}
	tpl, err = c.ReplaceUserTemplate(ctx, tpl.Value.Id, tpl.ETag, api.UserTemplateInput{Name: "Okta federated staff", DefaultAuthMode: api.SSOREQUIRED})
	if err != nil {
		t.Fatalf("replace user template: %v", err)
	}
	sso, err := c.CreateSsoConfiguration(ctx, key("sso", "okta"), api.SsoConfigurationInput{ProviderId: saml.Value.Id, Audience: "https://portal.example.test/saml/" + ctTenant,
		UserTemplateId: &tpl.Value.Id, ScimDeprovisioningEnabled: true})
	if err != nil {
		t.Fatalf("create SSO configuration: %v", err)
	}
	if _, err := c.GetSsoConfiguration(ctx, sso.Value.Id); err != nil {
		t.Fatal(err)
	}
	sso, err = c.ReplaceSsoConfiguration(ctx, sso.Value.Id, sso.ETag, api.SsoConfigurationInput{ProviderId: saml.Value.Id, Audience: sso.Value.Audience,
		UserTemplateId: &tpl.Value.Id, ScimDeprovisioningEnabled: true, Enabled: true})
	if err != nil || !sso.Value.Enabled {
		t.Fatalf("replace SSO configuration: %v", err)
	}

	// Users in every auth mode, one break-glass admin.
	yes := true
	var users []client.Versioned[api.User]
	for i, mode := range []api.AuthMode{api.LOCALONLY, api.SSOPREFERRED, api.SSOREQUIRED} {
		email := strings.ToLower(string(mode)) + "@example-corp.test"
		in := api.UserInput{Email: &email, Username: string(mode), AuthMode: mode, AccountState: api.Active}
		if i == 0 {
			in.BreakGlass = &yes
		}
		u, err := c.CreateUser(ctx, key("user", string(mode)), in)
		if err != nil {
			t.Fatalf("create user %s: %v", mode, err)
		}
		users = append(users, u)
	}
	if _, err := c.GetUser(ctx, users[1].Value.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReplaceUser(ctx, users[1].Value.Id, users[1].ETag, api.UserInput{Email: users[1].Value.Email, Username: users[1].Value.Username, AuthMode: api.SSOREQUIRED, AccountState: api.Active}); err != nil {
		t.Fatalf("replace user: %v", err)
	}

	// Lists walk every page; Counts sees the live state.
	if all, err := c.ListGroups(ctx); err != nil || len(all) != 3 {
		t.Fatalf("list groups: %d, %v", len(all), err)
	}
	for _, list := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := c.ListUpstreamProviders(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListRoutingRules(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListApplications(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListAppAssignments(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListSsoConfigurations(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListUsers(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListUserTemplates(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListSsoEvents(ctx); return err },
		func(ctx context.Context) error { _, err := c.ListRoles(ctx); return err },
		func(ctx context.Context) error {
			_, err := c.ResolveRouting(ctx, "localonly@example-corp.test")
			return err
		},
	} {
		if err := list(ctx); err != nil {
			t.Fatal(err)
		}
	}
	trail, err := c.ListAuditEvents(ctx)
	if err != nil || len(trail) < 15 {
		t.Fatalf("audit trail: %d events, %v", len(trail), err)
	}
	counts, err := c.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{client.NounUpstreamProviders: 2, client.NounRoutingRules: 1, client.NounGroups: 3, client.NounApplications: 1,
		client.NounAppAssignments: 1, client.NounSsoConfigurations: 1, client.NounUsers: 3, client.NounUserTemplates: 1}
	for noun, n := range want {
		if counts[noun] != n {
			t.Errorf("Counts[%s] = %d, want %d", noun, counts[noun], n)
		}
	}

	// Deletes, dependants first; a stale ETag is refused.
	if err := c.DeleteAppAssignment(ctx, asg.Value.Id, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSsoConfiguration(ctx, sso.Value.Id, sso.ETag); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUserTemplate(ctx, tpl.Value.Id, "\"stale\""); !errors.Is(err, client.ErrPreconditionFailed) {
		t.Fatalf("delete with a stale ETag: want ErrPreconditionFailed, got %v", err)
	}
	if err := c.DeleteUserTemplate(ctx, tpl.Value.Id, tpl.ETag); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteApplication(ctx, app.Value.Id, app.ETag); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGroup(ctx, groups[0].Value.Id, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRoutingRule(ctx, rule.Value.Id, rule.ETag); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUpstreamProvider(ctx, saml.Value.Id, ""); err != nil {
		t.Fatal(err)
	}

	assertEveryOperationExercised(t, h.check.Seen())
}

func assertEveryOperationExercised(t *testing.T, seen map[string]int) {
	t.Helper()
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if seen[op.OperationID] == 0 {
				missing = append(missing, method+" "+path+" ("+op.OperationID+")")
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("operations the client never exercised:\n%s", strings.Join(missing, "\n"))
	}
}

// testCertificate is a throwaway self-signed signing certificate.
func testCertificate(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "contract-test-signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestConnectRefusesGuestAndSupportSessions: such tokens never get as far
// as a write, and the error says what is missing.
func TestConnectRefusesGuestAndSupportSessions(t *testing.T) {
	ctx := context.Background()
	h := newCTHarness(t, sandbox.Options{})
	for _, sc := range []api.SessionContext{api.GuestAccess, api.SupportAccess} {
		c := h.client(h.token(sc, api.PortalMigrationsView, api.PortalMigrationsManage))
		_, err := c.Connect(ctx)
		if !errors.Is(err, client.ErrForbiddenContext) {
			t.Fatalf("%s: want ErrForbiddenContext, got %v", sc, err)
		}
		if msg := err.Error(); !strings.Contains(msg, string(sc)) || !strings.Contains(msg, "membership-backed tenant context") {
			t.Errorf("%s: the error does not say what is wrong: %s", sc, msg)
		}
		if _, err := c.CreateGroup(ctx, client.OperationKey("refused", string(sc)), api.GroupInput{Name: "never"}); !errors.Is(err, client.ErrForbiddenContext) {
			t.Errorf("%s: create: want ErrForbiddenContext, got %v", sc, err)
		}
	}
	for _, a := range h.log.all() {
		if a.Path != "/api/v1/whoami" {
			t.Errorf("a refused session sent %s %s", a.Method, a.Path)
		}
	}
}

// TestWritesWithoutManageAreRefusedClientSide: a view-only token connects
// and reads, but no write leaves the client.
func TestWritesWithoutManageAreRefusedClientSide(t *testing.T) {
	ctx := context.Background()
	h := newCTHarness(t, sandbox.Options{})
	c := h.client(h.token(api.OperatorTenant, api.PortalMigrationsView))
	id, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("a view-only token must connect: %v", err)
	}
	if id.CanManage {
		t.Fatal("CanManage without portal.migrations.manage")
	}
	if _, err := c.ListGroups(ctx); err != nil {
		t.Fatalf("a view-only token must read: %v", err)
	}
	err = c.RequireManage()
	if !errors.Is(err, client.ErrMissingPermission) || !strings.Contains(err.Error(), client.PermissionManage) {
		t.Fatalf("RequireManage: want ErrMissingPermission naming %s, got %v", client.PermissionManage, err)
	}
	if _, err := c.CreateGroup(ctx, client.OperationKey("view-only", "group"), api.GroupInput{Name: "never"}); !errors.Is(err, client.ErrMissingPermission) {
		t.Fatalf("create: want ErrMissingPermission, got %v", err)
	}
	if err := c.DeleteGroup(ctx, "grp_any", ""); !errors.Is(err, client.ErrMissingPermission) {
		t.Fatalf("delete: want ErrMissingPermission, got %v", err)
	}
	for _, a := range h.log.all() {
		if a.Method != http.MethodGet {
			t.Errorf("a view-only client sent %s %s", a.Method, a.Path)
		}
	}

	none := h.client(h.token(api.VendorTenant))
	if _, err := none.Connect(ctx); !errors.Is(err, client.ErrMissingPermission) {
		t.Fatalf("a token with no migration permission: want ErrMissingPermission, got %v", err)
	}
}
