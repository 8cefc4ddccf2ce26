package rollout_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/workspace"
)

func stepOf(t *testing.T, steps []rollout.Step, label string) rollout.Step {
	t.Helper()
	for _, s := range steps {
		if s.Label == label {
			return s
		}
	}
	t.Fatalf("no step for %s", label)
	return rollout.Step{}
}

func apply(t *testing.T, tn *tenant, p rollout.Preview) (rollout.Run, []rollout.Step) {
	t.Helper()
	run, steps, err := tn.svc.Apply(context.Background(), p.Run.ID, p.Run.Token, nil)
	if err != nil {
		t.Fatalf("apply %s: %v", p.Run.Op, err)
	}
	return run, steps
}

// TestPilotWaveEnforceRollback walks the procedure end to end on one
// tenant: a pilot, a wave, logins, enforcement of the linked users with the
// others refused by name, and a rollback that keeps every link.
func TestPilotWaveEnforceRollback(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(8)
	already := tn.user(person{email: "early@example.test", mode: api.SSOPREFERRED})
	tn.user(person{email: "svc-sync@example.test", service: true})
	tn.user(person{email: "lab@example-labs.test"})

	pilotUsers := []string{"staff000@example.test", "staff001@example.test", "staff002@example.test", "staff003@example.test", "staff004@example.test"}
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "wave 1", Kind: rollout.KindWave, Domains: []string{"example.test"}}); err != nil {
		t.Fatal(err)
	}
	pw, err := tn.svc.PreviewWave(ctx, "wave 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tn.svc.Apply(ctx, pw.Run.ID, pw.Run.Token, nil); !errors.Is(err, rollout.ErrRefused) {
		t.Fatalf("a wave before any pilot: %v, want refused", err)
	}

	pilot, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, Users: pilotUsers})
	if err != nil || pilot.MemberCount != 5 {
		t.Fatalf("pilot: %+v %v", pilot, err)
	}
	pp, err := tn.svc.PreviewWave(ctx, "pilot")
	if err != nil || len(pp.Changes()) != 5 || len(pp.Refusals()) != 0 {
		t.Fatalf("pilot preview: %d changes, %d refusals, %v", len(pp.Changes()), len(pp.Refusals()), err)
	}
	run, _ := apply(t, tn, pp)
	if run.Status != rollout.RunCompleted || run.Counts.Applied != 5 {
		t.Fatalf("pilot run = %+v", run)
	}

	pw, err = tn.svc.PreviewWave(ctx, "wave 1") // the wave again, now that the pilot moved
	if err != nil {
		t.Fatal(err)
	}
	for label, reason := range map[string]string{"bg1@example.test": "excluded", "staff000@example.test": "already_sso",
		"early@example.test": "already_sso", "svc-sync@example.test": "excluded"} {
		if s := stepOf(t, pw.Steps, label); s.State != rollout.StepRefused || s.Reason != reason {
			t.Errorf("%s in the wave: %s %s (%s), want refused %s", label, s.State, s.Reason, s.Detail, reason)
		}
	}
	if slices.ContainsFunc(pw.Steps, func(s rollout.Step) bool { return s.Label == "lab@example-labs.test" }) {
		t.Error("a user of another domain joined the domain wave")
	}
	if run, _ = apply(t, tn, pw); run.Counts.Applied != 3 {
		t.Fatalf("wave applied %d users, want the 3 staff left", run.Counts.Applied)
	}

	// Three pilot users log in; two never do.
	users := tn.users()
	for id, u := range users {
		if slices.Contains(pilotUsers[:3], label(u)) {
			tn.link(id)
		}
	}
	pe, err := tn.svc.PreviewEnforce(ctx, "pilot", false)
	if err != nil {
		t.Fatal(err)
	}
	if pe.Warning == "" || !strings.Contains(pe.Warning, "locked out") {
		t.Errorf("enforcement preview carries no lockout warning: %q", pe.Warning)
	}
	for _, l := range pilotUsers[3:] {
		if s := stepOf(t, pe.Steps, l); s.State != rollout.StepRefused || s.Reason != "not_linked" {
			t.Errorf("unlinked %s: %s %s, want refused not_linked", l, s.State, s.Reason)
		}
	}
	if run, _ = apply(t, tn, pe); run.Counts.Applied != 3 {
		t.Fatalf("enforcement applied %d, want the 3 linked users", run.Counts.Applied)
	}
	users = tn.users()
	for _, u := range users {
		want := api.SSOPREFERRED
		switch {
		case slices.Contains(pilotUsers[:3], label(u)):
			want = api.SSOREQUIRED
		case u.BreakGlass || u.ServiceAccount || label(u) == "lab@example-labs.test":
			want = api.LOCALONLY
		}
		if u.AuthMode != want {
			t.Errorf("%s is %s, want %s", label(u), u.AuthMode, want)
		}
	}

	pr, err := tn.svc.PreviewRollback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := stepOf(t, pr.Steps, "early@example.test"); !strings.Contains(s.Detail, "before this rollout") {
		t.Errorf("a user on SSO before the rollout is not marked as such: %q", s.Detail)
	}
	kinds := []rollout.StepKind{}
	for _, s := range pr.Steps {
		if len(kinds) == 0 || kinds[len(kinds)-1] != s.Kind {
			kinds = append(kinds, s.Kind)
		}
	}
	if !slices.Equal(kinds, []rollout.StepKind{rollout.StepSetAuthMode, rollout.StepSetSsoEnabled}) {
		t.Errorf("rollback order = %v, want users first, then the configuration disabled", kinds)
	}
	apply(t, tn, pr)
	for id, u := range tn.users() {
		if u.AuthMode != api.LOCALONLY {
			t.Errorf("%s is %s after rollback", label(u), u.AuthMode)
		}
		if had := users[id]; had.SsoLink != nil && (u.SsoLink == nil || *u.SsoLink != *had.SsoLink) {
			t.Errorf("%s lost its SSO link in the rollback", label(u))
		}
	}
	_ = already
	cfgs, err := tn.c.ListSsoConfigurations(ctx)
	if err != nil || cfgs[0].Enabled {
		t.Fatalf("the SSO configuration is still enabled after rollback: %+v %v", cfgs, err)
	}

	trail, brk, err := (&workspace.Service{Store: tn.db}).AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", err, brk)
	}
	seen := map[string]int{}
	for _, e := range trail {
		seen[e.Event]++
	}
	for _, ev := range []string{audit.RolloutWaveCreated, audit.RolloutWavePreviewed, audit.RolloutWaveApplied, audit.RolloutEnforcementPreviewed,
		audit.RolloutEnforcementApplied, audit.RolloutRollbackPreviewed, audit.RolloutRolledBack, audit.RolloutStepApplied} {
		if seen[ev] == 0 {
			t.Errorf("no %s in the audit trail", ev)
		}
	}
	if seen[audit.RolloutStepApplied] != 5+3+3+len(pr.Changes()) {
		t.Errorf("%d step entries, want one per change made", seen[audit.RolloutStepApplied])
	}
}

func label(u api.User) string {
	if u.Email != nil {
		return *u.Email
	}
	return u.Username
}

func TestWaveListSetsMissingEmail(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(1)
	tn.user(person{username: "kiosk.lead"})
	tn.user(person{username: "no.mail"})
	list := "username,set_email\nkiosk.lead,kiosk.lead@example.test\nstaff000@example.test,\nno.mail,\n"
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, List: strings.NewReader(list), ListName: "pilot.csv"}); err != nil {
		t.Fatal(err)
	}
	p, err := tn.svc.PreviewWave(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	if s := stepOf(t, p.Steps, "kiosk.lead"); s.State != rollout.StepPlanned || s.SetEmail != "kiosk.lead@example.test" {
		t.Fatalf("kiosk.lead step = %+v", s)
	}
	if s := stepOf(t, p.Steps, "no.mail"); s.State != rollout.StepRefused || s.Reason != "no_email" {
		t.Fatalf("no.mail step = %+v", s)
	}
	apply(t, tn, p)
	for _, u := range tn.users() {
		if u.Username == "kiosk.lead" && (u.Email == nil || *u.Email != "kiosk.lead@example.test" || u.AuthMode != api.SSOPREFERRED) {
			t.Fatalf("kiosk.lead after the pilot = %+v", u)
		}
	}
	_, err = tn.svc.CreateWave(ctx, rollout.NewWave{Name: "bad", Kind: rollout.KindWave, List: strings.NewReader("email\nnobody@example.test\nstaff000@example.test\nghost\n")})
	if !errors.Is(err, rollout.ErrInvalid) || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("a list naming unknown users: %v", err)
	}
}

func TestApplyNeedsTheLatestPreview(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(3)
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, Domains: []string{"example.test"}}); err != nil {
		t.Fatal(err)
	}
	first, err := tn.svc.PreviewWave(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	second, err := tn.svc.PreviewWave(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tn.svc.Apply(ctx, first.Run.ID, first.Run.Token, nil); !errors.Is(err, rollout.ErrStale) {
		t.Fatalf("applying a superseded preview: %v", err)
	}
	if _, _, err := tn.svc.Apply(ctx, second.Run.ID, "not-the-token", nil); !errors.Is(err, rollout.ErrStale) {
		t.Fatalf("applying with the wrong token: %v", err)
	}
	apply(t, tn, second)
	if _, _, err := tn.svc.Apply(ctx, second.Run.ID, second.Run.Token, nil); !errors.Is(err, rollout.ErrStale) {
		t.Fatalf("applying twice: %v", err)
	}
}

// TestCancelThenResume stops an apply between two steps and continues it.
func TestCancelThenResume(t *testing.T) {
	tn := newPortal(t).tenant()
	tn.healthy(20)
	bg := context.Background()
	if _, err := tn.svc.CreateWave(bg, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, Domains: []string{"example.test"}}); err != nil {
		t.Fatal(err)
	}
	p, err := tn.svc.PreviewWave(bg, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	svc := *tn.svc
	svc.Target = &cancelAfter{Target: tn.c, n: 5, cancel: cancel}
	run, _, err := svc.Apply(ctx, p.Run.ID, p.Run.Token, nil)
	if !errors.Is(err, context.Canceled) || run.Status != rollout.RunCancelled {
		t.Fatalf("cancelled apply: %v, status %s", err, run.Status)
	}
	w, _ := tn.svc.Wave(bg, "pilot")
	if w.Status != rollout.WaveInterrupted {
		t.Errorf("wave status after cancel = %s", w.Status)
	}
	run, _, err = tn.svc.Resume(bg, "", nil)
	if err != nil || run.Status != rollout.RunCompleted || run.Counts.Applied != 20 {
		t.Fatalf("resume: %+v %v", run.Counts, err)
	}
	for id, n := range tn.userUpdates() {
		if n != 1 {
			t.Errorf("user %s was changed %d times", id, n)
		}
	}
}

// cancelAfter cancels the apply's context after n writes, as an operator
// pressing Cancel would.
type cancelAfter struct {
	rollout.Target
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) ReplaceUser(ctx context.Context, id, etag string, in api.UserInput) (client.Versioned[api.User], error) {
	v, err := c.Target.ReplaceUser(ctx, id, etag, in)
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return v, err
}
