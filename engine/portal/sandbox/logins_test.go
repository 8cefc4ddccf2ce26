package sandbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/portaltest"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// demoPortal is the demo seed served on 127.0.0.1 with opts, and a client
// of its demo tenant whose traffic is validated against the contract.
func demoPortal(t *testing.T, opts sandbox.Options) (*sandboxdb.DB, *client.Client) {
	t.Helper()
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sandbox.Seed(ctx, db, sandbox.SeedDemo, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok := secret.New("fake-portal-token-for-sandbox-tests")
	if err := sandbox.AcceptToken(ctx, db, tok, sandbox.AdminTokenSpec(sandbox.DemoTenant, "consultant@example.test")); err != nil {
		t.Fatal(err)
	}
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(sandbox.NewServer(db, opts))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, tok, client.WithRetryWait(time.Millisecond, 10*time.Millisecond),
		client.WithTransport(portaltest.NewValidator(t, srv.URL).Transport(http.DefaultTransport)))
	if err != nil {
		t.Fatal(err)
	}
	return db, c
}

func byEmail(t *testing.T, c *client.Client) map[string]api.User {
	t.Helper()
	us, err := c.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]api.User{}
	for _, u := range us {
		if u.Email != nil {
			m[*u.Email] = u
		}
	}
	return m
}

// TestLoginSimulation: SSO_PREFERRED users who log in get linked; accounts
// sharing an email up to case always fail binding; suspended ones fail to
// log in; LOCAL_ONLY users never try; a JIT login creates a user from the
// template; everything lands in the SSO event log, typed.
func TestLoginSimulation(t *testing.T) {
	ctx := context.Background()
	db, c := demoPortal(t, sandbox.Options{})
	users := byEmail(t, c)
	for _, e := range []string{"Alex.Kim@example-corp.com", "alex.kim@example-corp.com", "priya.patel@example-corp.com"} {
		u := users[e]
		in := api.UserInput{Email: u.Email, Username: u.Username, AuthMode: api.SSOPREFERRED, AccountState: u.AccountState}
		v, err := c.GetUser(ctx, u.Id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ReplaceUser(ctx, u.Id, v.ETag, in); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().UTC().Add(-time.Second)
	rng := rand.New(rand.NewPCG(7, 7))
	var jit int
	for range 12 {
		round, err := sandbox.SimulateLogins(ctx, db, sandbox.DemoTenant, sandbox.LoginSimulation{Every: time.Second, JITRate: 0.5}, time.Now(), rng)
		if err != nil {
			t.Fatal(err)
		}
		jit += round.JIT
	}
	after := byEmail(t, c)
	if u := after["priya.patel@example-corp.com"]; u.SsoLink == nil || u.LastSsoLoginAt == nil {
		t.Errorf("priya.patel (SSO_PREFERRED, routed, present) never linked: %+v", u)
	}
	for _, e := range []string{"Alex.Kim@example-corp.com", "alex.kim@example-corp.com"} {
		if after[e].SsoLink != nil {
			t.Errorf("%s linked though another account shares its email", e)
		}
	}
	if u := after["lena.fischer@eu.example-corp.com"]; u.SsoLink != nil {
		t.Errorf("a LOCAL_ONLY user logged in by SSO")
	}
	if jit == 0 {
		t.Error("no JIT login in 12 rounds at rate 0.5")
	}
	types := map[api.SsoEventType]int{}
	reasons := map[string]int{}
	for ev, err := range c.SsoEventsSince(ctx, start) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.At.Before(start) {
			t.Fatalf("since filter returned an event from %s", ev.At)
		}
		types[ev.Type]++
		if ev.Reason != nil {
			reasons[*ev.Reason]++
		}
	}
	if types[api.IdentityLinked] == 0 || types[api.LoginSucceeded] == 0 || types[api.BindingFailed] == 0 || types[api.JitProvisioned] != jit {
		t.Errorf("event types %v (jit %d)", types, jit)
	}
	if reasons["email_matches_several_users"] == 0 || reasons["account_suspended"] == 0 {
		t.Errorf("reasons %v", reasons)
	}
	for _, u := range byEmail(t, c) {
		if u.Origin == api.Jit && u.AuthMode != api.SSOPREFERRED {
			t.Errorf("JIT user %s did not get the template's auth mode: %s", *u.Email, u.AuthMode)
		}
	}
}

// TestLoginSimulationSwitch: with the switch on, rounds run as the tenant's
// requests arrive, no more often than Every.
func TestLoginSimulationSwitch(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	_, c := demoPortal(t, sandbox.Options{Now: clock, Seed: 3, Logins: sandbox.LoginSimulation{Every: time.Minute}})
	olivia := byEmail(t, c)["olivia.brown@example-corp.com"]
	since := now.Add(-time.Second)
	count := func() int {
		n := 0
		for _, err := range c.SsoEventsSince(ctx, since) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	first := count()
	if first == 0 {
		t.Fatalf("no round ran on the first request (olivia.brown is SSO_PREFERRED and unlinked: %+v)", olivia.SsoLink)
	}
	if again := count(); again != first {
		t.Errorf("a second round ran within Every: %d events, then %d", first, again)
	}
	// A round draws who logs in, so one may log nobody; ten in a row do not.
	later := first
	for i := 0; i < 10 && later == first; i++ {
		now = now.Add(time.Minute)
		later = count()
	}
	if later == first {
		t.Errorf("no round ran in ten periods of Every: %d events throughout", first)
	}
}

// TestEmailsUniqueAsWritten: legacy accounts may differ only in case, an
// exact duplicate is refused, and a user may have no email.
func TestEmailsUniqueAsWritten(t *testing.T) {
	ctx := context.Background()
	_, c := demoPortal(t, sandbox.Options{})
	mail := "Priya.Patel@example-corp.com"
	if _, err := c.CreateUser(ctx, client.OperationKey("case"), api.UserInput{Email: &mail, Username: "ppatel2", AuthMode: api.LOCALONLY, AccountState: api.Active}); err != nil {
		t.Fatalf("an email differing only in case was refused: %v", err)
	}
	exact := "priya.patel@example-corp.com"
	_, err := c.CreateUser(ctx, client.OperationKey("exact"), api.UserInput{Email: &exact, Username: "ppatel3", AuthMode: api.LOCALONLY, AccountState: api.Active})
	if !errors.Is(err, client.ErrConflict) {
		t.Fatalf("an exact duplicate email: %v, want conflict", err)
	}
	v, err := c.CreateUser(ctx, client.OperationKey("none"), api.UserInput{Username: "no.email", AuthMode: api.LOCALONLY, AccountState: api.Active})
	if err != nil || v.Value.Email != nil || v.Value.Origin != api.Admin {
		t.Fatalf("a user without email: %+v %v", v.Value, err)
	}
	r, err := c.ResolveRouting(ctx, "no.email")
	if err != nil || r.Outcome != api.Unrouted || r.UserId == nil {
		t.Fatalf("routing a username without email: %+v %v", r, err)
	}
	r, err = c.ResolveRouting(ctx, "nobody-here")
	if err != nil || r.Outcome != api.Unrouted || r.UserId != nil {
		t.Fatalf("routing an unknown username: %+v %v", r, err)
	}
	roles, err := c.ListRoles(ctx)
	if err != nil || len(roles) == 0 {
		t.Fatalf("roles: %v %v", roles, err)
	}
}
