package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
)

// TestRolloutSafetyProperties runs random wave, login and enforcement
// sequences on random tenants and checks what must always hold: nobody
// without an SSO link and without guaranteed routing is ever set to
// SSO_REQUIRED; no break-glass, service or test account is ever enforced;
// waves never enforce; and rollback ends with every moved user LOCAL_ONLY
// and every SSO link kept.
func TestRolloutSafetyProperties(t *testing.T) {
	p := newPortal(t)
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		tn := p.tenant()
		tn.tb = rt
		prov := tn.provider("Corp IdP")
		tn.rule("staff", prov, 10, "example.test")
		tpl := tn.template("Staff")
		tn.config(prov, &tpl, true, rapid.Bool().Draw(rt, "scim on"))
		if rapid.Bool().Draw(rt, "ambiguous subdomain") {
			tn.rule("eu", tn.provider("EU IdP"), 10, "eu.example.test")
		}
		tn.user(person{email: "bg@example.test", breakGlass: true})

		initial := map[string]api.AuthMode{}
		n := rapid.IntRange(3, 10).Draw(rt, "users")
		for i := range n {
			pr := person{
				email:   fmt.Sprintf("u%d@%s", i, rapid.SampledFrom([]string{"example.test", "example.test", "eu.example.test", "labs.test"}).Draw(rt, "domain")),
				mode:    rapid.SampledFrom([]api.AuthMode{api.LOCALONLY, api.LOCALONLY, api.SSOPREFERRED, api.SSOREQUIRED}).Draw(rt, "mode"),
				state:   rapid.SampledFrom([]api.AccountState{api.Active, api.Active, api.Active, api.Suspended, api.Staged}).Draw(rt, "state"),
				service: rapid.IntRange(0, 9).Draw(rt, "service") == 0,
			}
			pr.username = fmt.Sprintf("u%d", i)
			switch rapid.IntRange(0, 9).Draw(rt, "kind") {
			case 0:
				pr.breakGlass, pr.mode = true, api.LOCALONLY
			case 1:
				pr.email, pr.username = fmt.Sprintf("qa-test-%d@example.test", i), fmt.Sprintf("qa-test-%d", i)
			case 2:
				pr.email = ""
			}
			id := tn.user(pr)
			initial[id] = pr.mode
			if rapid.IntRange(0, 3).Draw(rt, "linked") == 0 {
				tn.link(id)
			}
		}
		ids := make([]string, 0, len(initial))
		for id := range initial {
			ids = append(ids, id)
		}

		var waves []string
		steps := rapid.IntRange(1, 6).Draw(rt, "actions")
		for i := range steps {
			switch action := rapid.IntRange(0, 2).Draw(rt, "action"); {
			case action == 0 || len(waves) == 0:
				members := rapid.SliceOfNDistinct(rapid.SampledFrom(ids), 1, len(ids), rapid.ID[string]).Draw(rt, "members")
				name := fmt.Sprintf("w%d", i)
				if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: name, Kind: rollout.KindPilot, Users: members}); err != nil {
					rt.Fatal(err)
				}
				waves = append(waves, name)
				pv, err := tn.svc.PreviewWave(ctx, name)
				if err != nil {
					rt.Fatal(err)
				}
				// An ambiguous domain blocks every wave: the refusal is the
				// expected answer then.
				if _, _, err := tn.svc.Apply(ctx, pv.Run.ID, pv.Run.Token, nil); err != nil && !errors.Is(err, rollout.ErrRefused) {
					rt.Fatal(err)
				}
			case action == 1:
				simulate(tn, rapid.Float64Range(0, 0.5).Draw(rt, "failure rate"), 0.2)
			default:
				wave := rapid.SampledFrom(waves).Draw(rt, "enforce wave")
				guaranteed := rapid.Bool().Draw(rt, "guaranteed routing")
				pv, err := tn.svc.PreviewEnforce(ctx, wave, guaranteed)
				if err != nil {
					rt.Fatal(err)
				}
				run, done, err := tn.svc.Apply(ctx, pv.Run.ID, pv.Run.Token, nil)
				if err != nil {
					rt.Fatal(err)
				}
				checkEnforced(rt, tn, run, done)
			}
			for id, u := range tn.users() {
				if from, ok := initial[id]; ok && from != api.SSOREQUIRED && u.AuthMode == api.SSOREQUIRED && !enforcedBy(tn, id) {
					rt.Fatalf("%s became SSO_REQUIRED outside an enforcement", label(u))
				}
			}
		}

		before := tn.users()
		moved := map[string]bool{}
		runs, err := tn.svc.Runs(ctx)
		if err != nil {
			rt.Fatal(err)
		}
		for _, r := range runs {
			_, st, _ := tn.svc.RunDetail(ctx, r.ID)
			for _, s := range st {
				if s.State == rollout.StepApplied {
					moved[s.TargetID] = true
				}
			}
		}
		pr, err := tn.svc.PreviewRollback(ctx)
		if err != nil {
			rt.Fatal(err)
		}
		if _, _, err := tn.svc.Apply(ctx, pr.Run.ID, pr.Run.Token, nil); err != nil {
			rt.Fatal(err)
		}
		for id, u := range tn.users() {
			if moved[id] && u.AuthMode != api.LOCALONLY {
				rt.Fatalf("%s was moved by the rollout and is %s after rollback", label(u), u.AuthMode)
			}
			if b := before[id]; b.SsoLink != nil && (u.SsoLink == nil || *u.SsoLink != *b.SsoLink) {
				rt.Fatalf("rollback changed %s's SSO link", label(u))
			}
		}
	})
}

// checkEnforced holds every user an enforcement run made SSO_REQUIRED to
// the pre-flight's rule, against the Portal's state right after the run.
func checkEnforced(rt *rapid.T, tn *tenant, run rollout.Run, steps []rollout.Step) {
	users := tn.users()
	for _, s := range steps {
		if s.State != rollout.StepApplied {
			continue
		}
		u := users[s.TargetID]
		if u.BreakGlass || u.ServiceAccount || strings.Contains(u.Username, "qa-test") {
			rt.Fatalf("%s (break-glass %t, service %t) was enforced", label(u), u.BreakGlass, u.ServiceAccount)
		}
		linked := u.SsoLink != nil && u.LastSsoLoginAt != nil
		if linked {
			continue
		}
		if !run.Options.GuaranteedRouting || u.Email == nil {
			rt.Fatalf("%s is not SSO-linked and was enforced without guaranteed routing", label(u))
		}
		r, err := tn.c.ResolveRouting(context.Background(), *u.Email)
		if err != nil {
			rt.Fatal(err)
		}
		if !r.Deterministic || r.Outcome != api.Routed {
			rt.Fatalf("%s is not SSO-linked and its routing is %s (deterministic %t), yet it was enforced", label(u), r.Outcome, r.Deterministic)
		}
	}
}

// enforcedBy reports whether an enforcement run of the tenant changed id.
func enforcedBy(tn *tenant, id string) bool {
	runs, _ := tn.svc.Runs(context.Background())
	for _, r := range runs {
		if r.Op != rollout.OpEnforce {
			continue
		}
		_, steps, _ := tn.svc.RunDetail(context.Background(), r.ID)
		for _, s := range steps {
			if s.TargetID == id && s.State == rollout.StepApplied {
				return true
			}
		}
	}
	return false
}
