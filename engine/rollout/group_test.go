package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// snapshotWithMembers stores a completed snapshot of a new source holding
// items and group members, with every group's member listing read to its
// end (unless members is nil: a snapshot from before memberships were
// read).
func snapshotWithMembers(t *testing.T, tn *tenant, source string, items []inventory.Item, members []inventory.Member) string {
	t.Helper()
	ctx := context.Background()
	ws := &workspace.Service{Store: tn.db, Secrets: memSecrets{}, Kinds: anyKind{}, Actor: "consultant"}
	src, err := ws.AddSource(ctx, workspace.NewSource{Name: source, Kind: "okta", Credential: secret.New("fake-okta-token-for-tests"),
		Settings: map[string]string{"org_url": "https://" + source + ".okta.example"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	snap := inventory.Snapshot{ID: "snap-" + source, SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind, Status: inventory.StatusCollecting,
		StartedAt: now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}
	err = workspacedb.InventoryStore(tn.db).Update(ctx, func(tx inventory.Tx) error {
		if err := tx.InsertSnapshot(snap); err != nil {
			return err
		}
		if err := tx.SaveItems(snap.ID, items); err != nil {
			return err
		}
		if members != nil {
			if err := tx.SaveMembers(snap.ID, members); err != nil {
				return err
			}
			count := map[string]int{}
			for _, m := range members {
				count[m.GroupID]++
			}
			var listings []inventory.MemberListing
			for _, it := range items {
				if it.Kind == inventory.KindGroup {
					listings = append(listings, inventory.MemberListing{GroupID: it.SourceID, Members: count[it.SourceID]})
				}
			}
			if err := tx.SaveMemberListings(snap.ID, listings); err != nil {
				return err
			}
		}
		snap.Status, snap.FinishedAt = inventory.StatusCompleted, &now
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap.ID
}

func person_(gid, id, email string) inventory.Member {
	return inventory.Member{GroupID: gid, SourceID: id, Type: inventory.MemberUser, Login: email, Email: email, State: inventory.StateActive,
		VendorStatus: "ACTIVE", EvidencePage: 1}
}

func nestedGroup(gid, id, name string) inventory.Member {
	return inventory.Member{GroupID: gid, SourceID: id, Type: inventory.MemberGroup, DisplayName: name, State: inventory.StateUnknown, EvidencePage: 1}
}

// A wave chosen by incumbent group: its members and nested groups' members
// (a loop cut once) are matched to Portal users by canonical email; who has
// no account (JIT), whose email two accounts share, who is not active,
// not a person or has no email are named with why, kept with the wave,
// shown by its preview and counted in the audit trail.
func TestWaveByIncumbentGroup(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(3)
	tn.user(person{email: "Dup@example.test", username: "dup1"})
	tn.user(person{email: "dup@example.test", username: "dup2"})
	zoe := tn.user(person{email: "zoë@example.test", username: "zoe"})
	former := inventory.Member{GroupID: "g1", SourceID: "u-former", Type: inventory.MemberUser, Email: "staff002@example.test",
		State: inventory.StateInactive, VendorStatus: "DEPROVISIONED", EvidencePage: 1}
	snap := snapshotWithMembers(t, tn, "okta-prod", []inventory.Item{group("g1", "Finance"), group("g2", "Approvers"), group("g3", "Sales")},
		[]inventory.Member{
			person_("g1", "u0", "STAFF000@EXAMPLE.TEST"), nestedGroup("g1", "g2", "Approvers"),
			{GroupID: "g1", SourceID: "dev1", Type: inventory.MemberDevice, DisplayName: "Kiosk", State: inventory.StateActive, EvidencePage: 1},
			person_("g1", "u-dup", "dup@EXAMPLE.test"), person_("g1", "u-new", "new.hire@example.test"), former,
			{GroupID: "g1", SourceID: "u-noemail", Type: inventory.MemberUser, Login: "warehouse", DisplayName: "Warehouse", State: inventory.StateActive, EvidencePage: 1},
			person_("g2", "u1", "staff001@example.test"), person_("g2", "u-zoe", norm.NFD.String("ZOË@example.test")),
			nestedGroup("g2", "g1", "Finance"), nestedGroup("g2", "g9", "Auditors (other tenant)"),
			person_("g3", "u2", "someone.else@example.test"),
		})

	w, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "Finance pilot", Kind: rollout.KindPilot, Groups: []string{"finance"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Selection != rollout.ByGroup || w.SnapshotID != snap || !slices.Equal(w.Criteria, []string{"Finance"}) {
		t.Fatalf("wave %+v", w)
	}
	var moved []string
	for _, m := range w.Members {
		moved = append(moved, m.Label+" <- "+m.MatchedFrom)
	}
	if want := []string{"staff000@example.test <- STAFF000@EXAMPLE.TEST in Finance",
		"staff001@example.test <- staff001@example.test in Finance › Approvers",
		"zoë@example.test <- " + norm.NFD.String("ZOË@example.test") + " in Finance › Approvers"}; !slices.Equal(moved, want) {
		t.Fatalf("members:\n%s\nwant:\n%s", strings.Join(moved, "\n"), strings.Join(want, "\n"))
	}
	if w.Members[2].UserID != zoe {
		t.Errorf("the NFD, upper-case email matched %s, not zoë's account %s", w.Members[2].UserID, zoe)
	}
	wantLeft := map[string]string{
		"Kiosk": rollout.UnmatchedNotPerson, "dup@EXAMPLE.test": rollout.UnmatchedAmbiguous, "new.hire@example.test": rollout.UnmatchedNoAccount,
		"staff002@example.test": rollout.UnmatchedInactive, "warehouse": rollout.UnmatchedNoEmail, "Auditors (other tenant)": rollout.UnmatchedGroupNotListed,
	}
	check := func(where string, us []rollout.Unmatched) {
		t.Helper()
		got := map[string]string{}
		for _, u := range us {
			got[u.Label] = u.Reason
			switch u.Reason {
			case rollout.UnmatchedAmbiguous:
				if len(u.Accounts) != 2 || !strings.Contains(u.Detail, "Dup@example.test") || !strings.Contains(u.Detail, "dup@example.test") {
					t.Errorf("%s: the ambiguous email does not name both accounts: %+v", where, u)
				}
			case rollout.UnmatchedNoAccount:
				if !strings.Contains(u.Detail, "JIT will create") {
					t.Errorf("%s: no account without saying JIT creates one: %+v", where, u)
				}
			case rollout.UnmatchedInactive:
				if !strings.Contains(u.Detail, "DEPROVISIONED") || !strings.Contains(u.Detail, "okta-prod") {
					t.Errorf("%s: inactive without the incumbent's word: %+v", where, u)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(wantLeft) {
			t.Errorf("%s: left out %v, want %v", where, got, wantLeft)
		}
	}
	check("created", w.Unmatched)
	if len(w.Notes) != 1 || !strings.Contains(w.Notes[0], "Finance → Approvers → Finance") {
		t.Errorf("notes: %v", w.Notes)
	}

	p, err := tn.svc.PreviewWave(ctx, "Finance pilot")
	if err != nil {
		t.Fatal(err)
	}
	check("previewed", p.Wave.Unmatched)
	if ch := p.Changes(); len(ch) != 3 || !strings.HasPrefix(ch[0].Detail, "matched STAFF000@EXAMPLE.TEST in Finance") {
		t.Errorf("changes: %+v", ch)
	}

	trail, _, err := (&workspace.Service{Store: tn.db}).AuditTrail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range trail {
		if e.Event == audit.RolloutWaveCreated {
			if e.Facts["selection"] != "group" || e.Facts["snapshot_id"] != snap || e.Facts["unmatched.no_portal_account"] != "1" || e.Facts["members"] != "3" {
				t.Errorf("wave created: %v", e.Facts)
			}
		}
	}

	// Nothing to move: refused, saying why.
	_, err = tn.svc.CreateWave(ctx, rollout.NewWave{Name: "Nobody", Kind: rollout.KindPilot, Groups: []string{"Sales"}})
	if !errors.Is(err, rollout.ErrInvalid) || !strings.Contains(err.Error(), "1 has no Portal account (JIT will create it") {
		t.Errorf("a group with nobody to move: %v", err)
	}
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "Ghosts", Kind: rollout.KindPilot, Groups: []string{"Marketing"}}); !errors.Is(err, rollout.ErrInvalid) {
		t.Errorf("an unknown group: %v", err)
	}
}

// The snapshot a group wave reads: the one latest snapshot holding the
// group, or the one named; two sources holding it ask to choose, and a
// snapshot without membership says to collect again.
func TestGroupWaveSnapshotChoice(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(2)
	old := snapshotWithMembers(t, tn, "okta-old", []inventory.Item{group("o1", "Legacy Team")}, nil)
	_, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "Legacy", Kind: rollout.KindPilot, Groups: []string{"Legacy Team"}})
	if !errors.Is(err, inventory.ErrMembershipNotCollected) || !strings.Contains(err.Error(), old) {
		t.Fatalf("a snapshot without membership: %v", err)
	}
	a := snapshotWithMembers(t, tn, "okta-a", []inventory.Item{group("a1", "Finance")}, []inventory.Member{person_("a1", "u0", "staff000@example.test")})
	snapshotWithMembers(t, tn, "entra-b", []inventory.Item{group("b1", "Finance")}, []inventory.Member{person_("b1", "x1", "staff001@example.test")})
	_, err = tn.svc.CreateWave(ctx, rollout.NewWave{Name: "F", Kind: rollout.KindPilot, Groups: []string{"Finance"}})
	if !errors.Is(err, rollout.ErrInvalid) || !strings.Contains(err.Error(), "choose one snapshot") || !strings.Contains(err.Error(), "okta-a") {
		t.Fatalf("a group two sources hold: %v", err)
	}
	w, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "F", Kind: rollout.KindPilot, Groups: []string{"Finance"}, SnapshotID: a})
	if err != nil || len(w.Members) != 1 || w.Members[0].Label != "staff000@example.test" {
		t.Fatalf("the named snapshot: %+v %v", w, err)
	}
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "G", Kind: rollout.KindPilot, Domains: []string{"example.test"}, SnapshotID: a}); !errors.Is(err, rollout.ErrInvalid) {
		t.Errorf("a snapshot for a domain wave: %v", err)
	}

	// What the GUI's group picker offers: the sources whose newest
	// snapshot holds membership, by name, each with its groups by name.
	c := snapshotWithMembers(t, tn, "okta-c", []inventory.Item{group("c2", "payroll"), group("c1", "Audit"), group("c3", "Legal")},
		[]inventory.Member{person_("c1", "u1", "staff002@example.test"), person_("c2", "u1", "staff002@example.test")})
	srcs, err := tn.svc.GroupSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, src := range srcs {
		got = append(got, fmt.Sprintf("%s %s %v %d", src.Source, src.SnapshotID, src.Groups, src.Memberships))
	}
	want := []string{"entra-b snap-entra-b [Finance] 1", "okta-a " + a + " [Finance] 1", "okta-c " + c + " [Audit Legal payroll] 2"}
	if !slices.Equal(got, want) {
		t.Errorf("group sources:\n got %q\nwant %q (okta-old holds no membership)", got, want)
	}
}

// With membership known, the simulator gives each user the role of the
// first rule their groups claim matches, nested groups included, and names
// the users no rule matches and every elevation.
func TestRoleSimulatorPerUser(t *testing.T) {
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(1)
	snap := snapshotWithMembers(t, tn, "okta-prod",
		[]inventory.Item{group("g1", "Engineering"), group("g2", "Platform Admins"), group("g3", "Sales")},
		[]inventory.Member{
			person_("g1", "u1", "ann@example.test"), nestedGroup("g1", "g2", "Platform Admins"),
			person_("g2", "u2", "bo@example.test"), person_("g3", "u3", "cy@example.test"),
			{GroupID: "g3", SourceID: "u4", Type: inventory.MemberUser, Email: "dee@example.test", State: inventory.StateInactive, EvidencePage: 1},
		})
	if _, err := tn.svc.SetRoleMapping(ctx, []rollout.RoleRule{
		{SourceAttribute: "groups", MatchValue: "Platform Admins", Role: "admin"},
		{SourceAttribute: "groups", MatchValue: "Engineering", Role: "operator"},
	}, "member"); err != nil {
		t.Fatal(err)
	}
	sim, err := tn.svc.SimulateRoles(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !sim.PerUser || len(sim.Users) != 4 {
		t.Fatalf("users: %+v", sim.Users)
	}
	var got []string
	for _, u := range sim.Users {
		got = append(got, fmt.Sprintf("%s %s rule=%d via=%q groups=%d elevated=%t %s", u.Name, u.Grants, u.Rule, u.Via, u.Groups, u.Elevated, u.State))
	}
	want := []string{
		`ann@example.test role operator rule=2 via="Engineering" groups=1 elevated=false active`,
		`bo@example.test role admin rule=1 via="Platform Admins" groups=2 elevated=true active`,
		`cy@example.test role member (default) rule=0 via="" groups=1 elevated=false active`,
		`dee@example.test role member (default) rule=0 via="" groups=1 elevated=false inactive`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("users:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var unmatched, elevations []string
	for _, o := range sim.Unmatched {
		unmatched = append(unmatched, o.Kind+" "+o.Name)
	}
	for _, o := range sim.Elevations {
		elevations = append(elevations, o.Kind+" "+o.Name)
	}
	if fmt.Sprint(unmatched) != "[group Sales user cy@example.test user dee@example.test]" {
		t.Errorf("unmatched: %v", unmatched)
	}
	if fmt.Sprint(elevations) != "[group Platform Admins user bo@example.test]" {
		t.Errorf("elevations: %v", elevations)
	}
}
