package rollout_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func TestRoleMappingFirstMatchWins(t *testing.T) {
	m := rollout.RoleMapping{DefaultRole: "member", Rules: []rollout.RoleRule{
		{SourceAttribute: "groups", MatchValue: "ml-platform-team", Role: "admin"},
		{SourceAttribute: "department", MatchValue: "data-science", Role: "operator"},
		{SourceAttribute: "groups", MatchValue: "engineering-leads", Role: "owner"},
	}}
	cases := []struct {
		attrs map[string][]string
		role  string
		rule  int
	}{
		{map[string][]string{"groups": {"engineering-leads", "ml-platform-team"}}, "admin", 0},
		{map[string][]string{"groups": {"engineering-leads"}, "department": {"data-science"}}, "operator", 1},
		{map[string][]string{"groups": {"engineering-leads"}}, "owner", 2},
		{map[string][]string{"groups": {"ML-Platform-Team"}}, "member", -1}, // exact, case-sensitive
		{nil, "member", -1},
	}
	for _, c := range cases {
		r, i := m.Evaluate(c.attrs)
		if r.Role != c.role || i != c.rule {
			t.Errorf("Evaluate(%v) = %s (rule %d), want %s (rule %d)", c.attrs, r.Role, i, c.role, c.rule)
		}
	}
}

// TestElevationNeedsApproval: a mapping granting admin is refused until the
// elevation is approved (who and when recorded); editing the rule voids the
// approval; the Portal itself refuses an unapproved elevation too.
func TestElevationNeedsApproval(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(1)
	rules := []rollout.RoleRule{
		{SourceAttribute: "groups", MatchValue: "Engineering", Role: "operator"},
		{SourceAttribute: "groups", MatchValue: "Platform Admins", Role: "admin"},
	}
	if _, err := tn.svc.SetRoleMapping(ctx, rules, "owner"); !errors.Is(err, rollout.ErrRefused) {
		t.Fatalf("an elevated default: %v, want refused", err)
	}
	if _, err := tn.svc.SetRoleMapping(ctx, rules, "member"); err != nil {
		t.Fatal(err)
	}
	_, err := tn.svc.ApplyRoleMapping(ctx)
	if !errors.Is(err, rollout.ErrRefused) || !strings.Contains(err.Error(), "rule 2") {
		t.Fatalf("applying an unapproved elevation: %v, want refused naming rule 2", err)
	}
	if _, err := tn.svc.ApproveElevation(ctx, 1); !errors.Is(err, rollout.ErrInvalid) {
		t.Fatalf("approving a rule that is not elevated: %v", err)
	}
	m, err := tn.svc.ApproveElevation(ctx, 2)
	if err != nil || m.Rules[1].Approval == nil || m.Rules[1].Approval.By != "consultant" {
		t.Fatalf("approve: %+v %v", m.Rules[1].Approval, err)
	}
	cfg, err := tn.svc.ApplyRoleMapping(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.RoleMapping.Rules[1]
	if got.ElevationApproval == nil || got.ElevationApproval.ApprovedBy != "consultant" {
		t.Fatalf("the Portal's rule carries no approval: %+v", got)
	}

	// Edit the elevated rule: its approval no longer holds.
	rules[1].MatchValue = "Platform Owners"
	if m, err = tn.svc.SetRoleMapping(ctx, rules, "member"); err != nil || m.Rules[1].Approval != nil {
		t.Fatalf("edited rule kept its approval: %+v %v", m.Rules[1].Approval, err)
	}
	if _, err := tn.svc.ApplyRoleMapping(ctx); !errors.Is(err, rollout.ErrRefused) {
		t.Fatalf("applying an edited, unapproved elevation: %v", err)
	}

	// The Portal refuses an unapproved elevated rule whoever sends it.
	v, err := tn.c.GetSsoConfiguration(ctx, cfg.Id)
	if err != nil {
		t.Fatal(err)
	}
	in := api.SsoConfigurationInput{ProviderId: v.Value.ProviderId, Audience: v.Value.Audience, UserTemplateId: v.Value.UserTemplateId,
		Enabled: true, RoleMapping: &api.RoleMapping{DefaultRole: "member", Rules: []api.RoleMappingRule{
			{SourceAttribute: "groups", MatchValue: "x", Role: ptr("owner")}}}}
	_, err = tn.c.ReplaceSsoConfiguration(ctx, cfg.Id, v.ETag, in)
	var p *client.Problem
	if !errors.As(err, &p) || p.Code != string(api.ProblemCodeElevationNotApproved) {
		t.Fatalf("the Portal accepted an unapproved elevation: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// anyKind accepts a source of any kind with its settings as given: these
// tests need a source to hang a snapshot on, not a vendor's validation.
type anyKind struct{}

func (anyKind) CheckSource(_ workspace.SourceKind, settings map[string]string, _ secret.Value) (json.RawMessage, error) {
	return json.Marshal(settings)
}

func (anyKind) SourceFacts(workspace.SourceKind, json.RawMessage) map[string]string {
	return map[string]string{}
}

// snapshotWith stores a completed inventory snapshot holding items, for
// the simulator and the SCIM pre-flight.
func snapshotWith(t *testing.T, tn *tenant, items []inventory.Item) string {
	t.Helper()
	ctx := context.Background()
	ws := &workspace.Service{Store: tn.db, Secrets: memSecrets{}, Kinds: anyKind{}, Actor: "consultant"}
	src, err := ws.AddSource(ctx, workspace.NewSource{Name: "okta", Kind: "okta", Credential: secret.New("fake-okta-token-for-tests"),
		Settings: map[string]string{"org_url": "https://example.okta.com"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	snap := inventory.Snapshot{ID: "snap-1", SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind, Status: inventory.StatusCollecting,
		StartedAt: now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}
	err = workspacedb.InventoryStore(tn.db).Update(ctx, func(tx inventory.Tx) error {
		if err := tx.InsertSnapshot(snap); err != nil {
			return err
		}
		if err := tx.SaveItems(snap.ID, items); err != nil {
			return err
		}
		snap.Status, snap.FinishedAt = inventory.StatusCompleted, &now
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap.ID
}

type memSecrets struct{}

func (memSecrets) Set(context.Context, string, string, secret.Value) error { return nil }
func (memSecrets) Get(context.Context, string, string) (secret.Value, error) {
	return secret.Value{}, errors.New("not kept")
}
func (memSecrets) Delete(context.Context, string, string) error { return nil }

func group(id, name string) inventory.Item {
	return inventory.NewItem(id, name, inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: name}}, []byte(`{}`))
}

// assignment grants the app (named appName) to a group.
func assignment(app, appName, grp string) inventory.Item {
	v := inventory.View{Assignment: &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: app, AppName: appName, PrincipalID: grp}}
	return inventory.NewItem(app+"/"+grp, appName+" ← "+grp, v, []byte(`{}`),
		inventory.Ref{Role: "app", Kind: inventory.KindApplication, SourceID: app}, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: grp})
}

func TestRoleSimulatorOverSnapshot(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(1)
	snap := snapshotWith(t, tn, []inventory.Item{
		group("g1", "Engineering"), group("g2", "Platform Admins"), group("g3", "Sales"),
		assignment("app1", "Portal SCIM", "g1"), assignment("app1", "Portal SCIM", "g2"),
	})
	if _, err := tn.svc.SetRoleMapping(ctx, []rollout.RoleRule{
		{SourceAttribute: "groups", MatchValue: "Engineering", Role: "operator"},
		{SourceAttribute: "groups", MatchValue: "Platform Admins", Role: "admin"},
		{SourceAttribute: "department", MatchValue: "finance", Role: "viewer"},
	}, "member"); err != nil {
		t.Fatal(err)
	}
	sim, err := tn.svc.SimulateRoles(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]rollout.RoleOutcome{}
	for _, g := range sim.Groups {
		byName[g.Name] = g
	}
	if g := byName["Engineering"]; g.Rule != 1 || g.Grants != "role operator" || g.Apps != 1 {
		t.Errorf("Engineering = %+v", g)
	}
	if g := byName["Platform Admins"]; !g.Elevated || g.Approved {
		t.Errorf("Platform Admins = %+v, want an unapproved elevation", g)
	}
	if len(sim.Unmatched) != 1 || sim.Unmatched[0].Name != "Sales" || !strings.Contains(sim.Unmatched[0].Grants, "default") {
		t.Errorf("unmatched = %+v", sim.Unmatched)
	}
	if len(sim.Elevations) != 1 || len(sim.Unsimulated) != 1 {
		t.Errorf("elevations %+v, unsimulated %v", sim.Elevations, sim.Unsimulated)
	}
}

func TestScimPreflight(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(3)
	snapshotWith(t, tn, []inventory.Item{
		group("00g1", "Everyone"), group("00g2", "Engineering"),
		assignment("0oa1", "Portal SCIM", "00g1"), assignment("0oa1", "Portal SCIM", "00g2"),
	})
	pf, err := tn.svc.ScimPreflight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Stable || pf.LinkedEnabled != 0 || len(pf.NoOp) != 5 || len(pf.WouldDisable) != 0 {
		t.Fatalf("nobody linked: %+v", pf)
	}
	if len(pf.ReservedGroups) != 1 || pf.ReservedGroups[0].Group != "Everyone" || pf.ReservedGroups[0].App != "Portal SCIM" {
		t.Errorf("reserved groups = %+v", pf.ReservedGroups)
	}
	p, err := tn.svc.PreviewScim(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps[0].State != rollout.StepRefused || p.Steps[0].Reason != "not_stable" {
		t.Fatalf("enabling while unstable: %+v", p.Steps[0])
	}
	for id, u := range tn.users() {
		if !u.BreakGlass {
			tn.link(id)
		}
	}
	if _, err := tn.svc.Configure(ctx, "", 0.5); err != nil {
		t.Fatal(err)
	}
	if pf, err = tn.svc.ScimPreflight(ctx); err != nil || !pf.Stable || len(pf.WouldDisable) != 3 || len(pf.NoOp) != 2 {
		t.Fatalf("3 of 5 linked, threshold 50%%: %+v %v", pf, err)
	}
	if p, err = tn.svc.PreviewScim(ctx, true); err != nil || len(p.Changes()) != 1 || p.Warning == "" {
		t.Fatalf("preview: %+v %v", p, err)
	}
	apply(t, tn, p)
	cfgs, err := tn.c.ListSsoConfigurations(ctx)
	if err != nil || !cfgs[0].ScimDeprovisioningEnabled {
		t.Fatalf("SCIM deprovisioning not on: %+v %v", cfgs, err)
	}
}
