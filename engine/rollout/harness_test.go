package rollout_test

// The rollout's test harness: the real sandbox Portal on its own SQLite
// file, served on 127.0.0.1 and reached through the real client, whose every
// request and answer is checked against the admin API contract; and a real
// workspace file. Tenants are built over HTTP; only what the API cannot
// write (an SSO link, a legacy row) is put straight into the sandbox's store,
// as its login simulation does.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/portaltest"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/sandboxdb"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// portalServer is one sandbox, shared by the tenants of a test.
type portalServer struct {
	tb    testing.TB
	store *sandboxdb.DB
	url   string
	check *portaltest.Validator
}

func newPortal(tb testing.TB) *portalServer {
	tb.Helper()
	db, err := sandboxdb.Open(context.Background(), filepath.Join(tb.TempDir(), "sandbox.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(sandbox.NewServer(db, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	tb.Cleanup(srv.Close)
	return &portalServer{tb: tb, store: db, url: srv.URL, check: portaltest.NewValidator(tb, srv.URL)}
}

// failer is what a tenant reports failures to: a *testing.T, or a
// *rapid.T inside a property.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// tenant is one sandbox tenant and a workspace file for it.
type tenant struct {
	tb     failer
	p      *portalServer
	name   string
	c      *client.Client
	db     *workspacedb.DB
	svc    *rollout.Service
	keySeq int
}

var tenantSeq struct {
	sync.Mutex
	n int
}

func (p *portalServer) tenant() *tenant {
	p.tb.Helper()
	tenantSeq.Lock()
	tenantSeq.n++
	name := fmt.Sprintf("t%d", tenantSeq.n)
	tenantSeq.Unlock()
	ctx := context.Background()
	tok := secret.New("fake-portal-token-for-tests-" + name)
	if err := sandbox.AcceptToken(ctx, p.store, tok, sandbox.AdminTokenSpec(name, "consultant@example.test")); err != nil {
		p.tb.Fatal(err)
	}
	c, err := client.New(p.url, tok, client.WithTransport(p.check.Transport(http.DefaultTransport)),
		client.WithRetryWait(time.Millisecond, 20*time.Millisecond))
	if err != nil {
		p.tb.Fatal(err)
	}
	db, err := workspacedb.Create(ctx, filepath.Join(p.tb.TempDir(), name+".pmcw"))
	if err != nil {
		p.tb.Fatal(err)
	}
	p.tb.Cleanup(func() { db.Close() })
	if _, err := (&workspace.Service{Store: db, Actor: "consultant"}).Create(ctx, workspace.CreateRequest{Tenant: name, Mode: workspace.ModeFirstRunAdoption}); err != nil {
		p.tb.Fatal(err)
	}
	t := &tenant{tb: p.tb, p: p, name: name, c: c, db: db}
	t.svc = &rollout.Service{Store: workspacedb.RolloutStore(db), Target: c, Actor: "consultant"}
	return t
}

func (t *tenant) key(parts ...string) string {
	t.keySeq++
	return client.OperationKey(append([]string{t.name, fmt.Sprint(t.keySeq)}, parts...)...)
}

func (t *tenant) must(err error) {
	t.tb.Helper()
	if err != nil {
		t.tb.Fatal(err)
	}
}

func (t *tenant) provider(name string) string {
	t.tb.Helper()
	v, err := t.c.CreateUpstreamProvider(context.Background(), t.key("provider", name), api.UpstreamProviderInput{
		Name: name, Type: api.Saml, Saml: &api.SamlSettings{EntityId: "http://idp.example.test/" + name,
			SsoUrl: "https://idp.example.test/sso", SigningCertificate: sandbox.DemoSAMLCertificate[1:]}})
	t.must(err)
	return v.Value.Id
}

func (t *tenant) rule(name string, providerID string, priority int, domains ...string) {
	t.tb.Helper()
	_, err := t.c.CreateRoutingRule(context.Background(), t.key("rule", name), api.RoutingRuleInput{
		Name: name, Domains: domains, ProviderId: providerID, Priority: priority})
	t.must(err)
}

func (t *tenant) template(name string) string {
	t.tb.Helper()
	v, err := t.c.CreateUserTemplate(context.Background(), t.key("tpl", name), api.UserTemplateInput{Name: name, DefaultAuthMode: api.SSOPREFERRED})
	t.must(err)
	return v.Value.Id
}

func (t *tenant) config(providerID string, templateID *string, enabled, scim bool) string {
	t.tb.Helper()
	v, err := t.c.CreateSsoConfiguration(context.Background(), t.key("sso", providerID), api.SsoConfigurationInput{
		ProviderId: providerID, Audience: "https://portal.example.test/saml/" + t.name, UserTemplateId: templateID,
		Enabled: enabled, ScimDeprovisioningEnabled: scim})
	t.must(err)
	return v.Value.Id
}

// person is a user to create.
type person struct {
	email, username     string
	mode                api.AuthMode
	state               api.AccountState
	breakGlass, service bool
}

func (t *tenant) user(p person) string {
	t.tb.Helper()
	if p.mode == "" {
		p.mode = api.LOCALONLY
	}
	if p.state == "" {
		p.state = api.Active
	}
	if p.username == "" {
		p.username = strings.SplitN(p.email, "@", 2)[0]
	}
	in := api.UserInput{Username: p.username, AuthMode: p.mode, AccountState: p.state, BreakGlass: &p.breakGlass, ServiceAccount: &p.service}
	if p.email != "" {
		in.Email = &p.email
	}
	v, err := t.c.CreateUser(context.Background(), t.key("user", p.username), in)
	t.must(err)
	return v.Value.Id
}

// link records an SSO link and a successful login, as a login would.
func (t *tenant) link(userID string) {
	t.tb.Helper()
	err := t.p.store.Update(context.Background(), func(tx sandbox.Tx) error {
		o, err := tx.Get(t.name, sandbox.KindUser, userID)
		if err != nil {
			return err
		}
		var u api.User
		if err := json.Unmarshal(o.Body, &u); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		u.SsoLink, u.LastSsoLoginAt = &api.SsoLink{Issuer: "http://idp.example.test/p", Subject: "sub-" + userID}, &now
		o.Body, _ = json.Marshal(u)
		o.ETag = fmt.Sprintf(`"linked-%d"`, now.UnixNano())
		return tx.Replace(o)
	})
	t.must(err)
}

// healthy builds a tenant every checklist item passes on: two break-glass
// admins, staff on a routed domain, an enabled configuration with a
// template. It returns the provider's id.
func (t *tenant) healthy(staff int) string {
	t.tb.Helper()
	prov := t.provider("Corp IdP")
	t.rule("staff", prov, 10, "example.test")
	tpl := t.template("Staff")
	t.config(prov, &tpl, true, false)
	t.user(person{email: "bg1@example.test", breakGlass: true})
	t.user(person{email: "bg2@example.test", breakGlass: true})
	for i := range staff {
		t.user(person{email: fmt.Sprintf("staff%03d@example.test", i)})
	}
	return prov
}

// users reads the tenant's users by id.
func (t *tenant) users() map[string]api.User {
	t.tb.Helper()
	us, err := t.c.ListUsers(context.Background())
	t.must(err)
	m := map[string]api.User{}
	for _, u := range us {
		m[u.Id] = u
	}
	return m
}

// portalAudit counts the sandbox's user updates per user id.
func (t *tenant) userUpdates() map[string]int {
	t.tb.Helper()
	evs, err := t.c.ListAuditEvents(context.Background())
	t.must(err)
	n := map[string]int{}
	for _, e := range evs {
		if e.Event == "portal.user.updated" {
			n[e.TargetId]++
		}
	}
	return n
}

// simulate plays one login round on the tenant, without random failures
// unless failureRate says so.
func simulate(t *tenant, failureRate, jitRate float64) sandbox.LoginRound {
	t.tb.Helper()
	round, err := sandbox.SimulateLogins(context.Background(), t.p.store, t.name,
		sandbox.LoginSimulation{Every: time.Second, FailureRate: failureRate, JITRate: jitRate}, time.Now(), rand.New(rand.NewPCG(1, 2)))
	t.must(err)
	return round
}
