package rollout_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
)

// TestChecklistItems builds a sandbox tenant for each state an item can
// take and checks the item, over HTTP, says so and names the right users.
// enabled_users has no block state: counting never stops a rollout.
func TestChecklistItems(t *testing.T) {
	p := newPortal(t)
	cases := []struct {
		name   string
		item   string
		want   rollout.CheckStatus
		build  func(*tenant)
		naming []string // labels the item must name
	}{
		{"enabled users counted", rollout.CheckEnabledUsers, rollout.CheckPass, func(t *tenant) {
			t.healthy(2)
			t.user(person{email: "gone@example.test", state: api.Suspended})
		}, nil},
		{"JIT users to review", rollout.CheckEnabledUsers, rollout.CheckWarn, func(t *tenant) {
			t.healthy(2)
			jitUser(t)
		}, []string{"new.hire."}},

		{"two break-glass admins", rollout.CheckBreakGlass, rollout.CheckPass, func(t *tenant) { t.healthy(1) }, []string{"bg1@example.test", "bg2@example.test"}},
		{"one break-glass admin", rollout.CheckBreakGlass, rollout.CheckWarn, func(t *tenant) {
			bareTenant(t)
			t.user(person{email: "bg@example.test", breakGlass: true})
		}, []string{"bg@example.test"}},
		{"no enabled break-glass admin", rollout.CheckBreakGlass, rollout.CheckBlock, func(t *tenant) {
			bareTenant(t)
			t.user(person{email: "bg@example.test", breakGlass: true, state: api.Suspended})
		}, nil},

		{"every user has an email", rollout.CheckEmails, rollout.CheckPass, func(t *tenant) { t.healthy(2) }, nil},
		{"a local user without email", rollout.CheckEmails, rollout.CheckWarn, func(t *tenant) {
			t.healthy(1)
			t.user(person{username: "kiosk.lead"})
		}, []string{"kiosk.lead"}},
		{"SSO_REQUIRED without email", rollout.CheckEmails, rollout.CheckBlock, func(t *tenant) {
			t.healthy(1)
			t.user(person{username: "locked.out", mode: api.SSOREQUIRED})
		}, []string{"locked.out"}},

		{"no duplicates", rollout.CheckDuplicateEmails, rollout.CheckPass, func(t *tenant) { t.healthy(2) }, nil},
		{"duplicates among disabled accounts", rollout.CheckDuplicateEmails, rollout.CheckWarn, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "Old.Timer@example.test", username: "old.timer", state: api.Deprovisioned})
			t.user(person{email: "old.timer@example.test", username: "otimer2", state: api.Suspended})
		}, []string{"Old.Timer@example.test", "old.timer@example.test"}},
		{"case-only duplicate", rollout.CheckDuplicateEmails, rollout.CheckBlock, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "Alex.Kim@example.test", username: "alex.kim"})
			t.user(person{email: "alex.kim@example.test", username: "akim2"})
		}, []string{"Alex.Kim@example.test", "alex.kim@example.test"}},
		{"Unicode-form duplicate", rollout.CheckDuplicateEmails, rollout.CheckBlock, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "jos\u00e9@example.test", username: "jose1"})  // é precomposed
			t.user(person{email: "jose\u0301@example.test", username: "jose2"}) // e + combining acute
		}, []string{"jos\u00e9@example.test", "jose\u0301@example.test"}},

		{"no service or test accounts", rollout.CheckServiceAndTest, rollout.CheckPass, func(t *tenant) { t.healthy(2) }, nil},
		{"service and test accounts stay local", rollout.CheckServiceAndTest, rollout.CheckWarn, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "svc-sync@example.test", service: true})
			t.user(person{email: "qa-test-user@example.test"})
			t.user(person{email: "celeste.testa@example.test"}) // a person, not a test account
		}, []string{"svc-sync@example.test", "qa-test-user@example.test"}},
		{"service account SSO_REQUIRED", rollout.CheckServiceAndTest, rollout.CheckBlock, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "svc-batch@example.test", service: true, mode: api.SSOREQUIRED})
		}, []string{"svc-batch@example.test"}},

		{"configuration ready", rollout.CheckSsoConfiguration, rollout.CheckPass, func(t *tenant) { t.healthy(1) }, nil},
		{"configuration disabled", rollout.CheckSsoConfiguration, rollout.CheckWarn, func(t *tenant) {
			prov := t.provider("Corp IdP")
			t.rule("staff", prov, 10, "example.test")
			tpl := t.template("Staff")
			t.config(prov, &tpl, false, false)
			admins(t)
		}, nil},
		{"configuration without template", rollout.CheckSsoConfiguration, rollout.CheckBlock, func(t *tenant) {
			prov := t.provider("Corp IdP")
			t.rule("staff", prov, 10, "example.test")
			t.config(prov, nil, true, false)
			admins(t)
		}, nil},
		{"no configuration", rollout.CheckSsoConfiguration, rollout.CheckBlock, func(t *tenant) {
			prov := t.provider("Corp IdP")
			t.rule("staff", prov, 10, "example.test")
			admins(t)
		}, nil},

		{"routing deterministic", rollout.CheckRouting, rollout.CheckPass, func(t *tenant) {
			t.healthy(2)
			t.user(person{email: "lena@eu.example.test"}) // covered by the staff rule
		}, nil},
		{"an unrouted domain", rollout.CheckRouting, rollout.CheckWarn, func(t *tenant) {
			t.healthy(1)
			t.user(person{email: "lab@example-labs.test"})
			t.user(person{email: "pref@example-labs.test", mode: api.SSOPREFERRED})
		}, []string{"pref@example-labs.test"}},
		{"ambiguous routing", rollout.CheckRouting, rollout.CheckBlock, func(t *tenant) {
			prov := t.healthy(1)
			other := t.provider("EU IdP")
			t.rule("eu staff", other, 10, "eu.example.test") // same priority as the staff rule, which also covers eu.
			t.user(person{email: "lena@eu.example.test"})
			_ = prov
		}, []string{"lena@eu.example.test"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := p.tenant()
			tc.build(tn)
			c, err := tn.svc.Checklist(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			it, ok := c.Item(tc.item)
			if !ok {
				t.Fatalf("no item %s", tc.item)
			}
			if it.Status != tc.want {
				t.Fatalf("%s = %s (%s), want %s", tc.item, it.Status, it.Summary, tc.want)
			}
			var named []string
			for _, u := range it.Users {
				named = append(named, u.Label)
			}
			for _, want := range tc.naming {
				if !slices.ContainsFunc(named, func(n string) bool { return strings.HasPrefix(n, want) }) {
					t.Errorf("%s does not name %s; it names %v", tc.item, want, named)
				}
			}
			if tc.item == rollout.CheckServiceAndTest && slices.Contains(named, "celeste.testa@example.test") {
				t.Errorf("a person whose name contains 'test' was taken for a test account")
			}
			if (tc.want == rollout.CheckBlock && it.Scope == rollout.ScopeTenant) != c.TenantBlocked && tc.want == rollout.CheckBlock {
				t.Errorf("tenant_blocked = %v for a %s-scope block", c.TenantBlocked, it.Scope)
			}
			if strings.TrimSpace(it.Summary) == "" {
				t.Errorf("%s has no summary", tc.item)
			}
		})
	}
}

// bareTenant has routing and an enabled configuration, and no users.
func bareTenant(t *tenant) {
	prov := t.provider("Corp IdP")
	t.rule("staff", prov, 10, "example.test")
	tpl := t.template("Staff")
	t.config(prov, &tpl, true, false)
}

func admins(t *tenant) {
	t.user(person{email: "bg1@example.test", breakGlass: true})
	t.user(person{email: "bg2@example.test", breakGlass: true})
}

// jitUser makes a user (new.hire.…) as a first SSO login would: through the
// sandbox's login simulation, which creates it from the configuration's
// template.
func jitUser(t *tenant) {
	t.tb.Helper()
	id := t.user(person{email: "pre@example.test", mode: api.SSOPREFERRED})
	t.link(id)
	round := simulate(t, 0, 1)
	if round.JIT != 1 {
		t.tb.Fatalf("the login simulation created %d JIT users, want 1", round.JIT)
	}
}

func TestRouteNamesProviderAndReason(t *testing.T) {
	tn := newPortal(t).tenant()
	tn.healthy(1)
	r, err := tn.svc.Route(context.Background(), "staff000@EXAMPLE.test")
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != api.Routed || !r.Deterministic || r.ProviderName == nil || *r.ProviderName != "Corp IdP" || !strings.Contains(r.Reason, "staff") {
		t.Fatalf("resolution = %+v", r)
	}
	r, err = tn.svc.Route(context.Background(), "bg1")
	if err != nil {
		t.Fatal(err)
	}
	if r.IdentifierType != api.Username || r.Email == nil || *r.Email != "bg1@example.test" || r.Outcome != api.Routed {
		t.Fatalf("username resolution = %+v", r)
	}
	if _, err := tn.svc.Route(context.Background(), "  "); err == nil {
		t.Fatal("an empty identifier was accepted")
	}
}
