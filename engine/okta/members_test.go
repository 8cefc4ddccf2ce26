package okta_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/demoteams"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

// Group members come through the SDK page by page (Link rel="next" at
// Okta's 1,000 per page), every member once per group with the bytes of
// the page it came in, and every group's listing ends once with its count.
func TestGroupMembersThroughTheSDK(t *testing.T) {
	org := oktareplay.Generate(oktareplay.Spec{Groups: 8, Users: 2300, GroupsPerUser: 2, Teams: demoteams.Teams, Seed: 3})
	srv := oktareplay.Start(t, org, oktareplay.Options{})
	rec := &recorder{}
	if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.members) != org.Memberships() {
		t.Fatalf("collected %d memberships, the org holds %d", len(rec.members), org.Memberships())
	}
	if len(rec.listings) != len(org.Groups) {
		t.Fatalf("%d listings ended, the org has %d groups", len(rec.listings), len(org.Groups))
	}
	everyone := rec.items[0].SourceID
	for _, it := range rec.items {
		if it.Kind == inventory.KindGroup && it.DisplayName == "Everyone" {
			everyone = it.SourceID
		}
	}
	for _, l := range rec.listings {
		if want := len(org.GroupUsers[l.GroupID]); l.Members != want {
			t.Errorf("group %s ended with %d members, holds %d", l.GroupID, l.Members, want)
		}
	}
	pages := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/groups/"+everyone+"/users" {
			pages++
			if pages > 1 && !strings.Contains(r.Query, "after=") {
				t.Errorf("page %d of Everyone's members was not asked for with the next link's cursor: %s", pages, r.Query)
			}
		}
	}
	if want := (len(org.GroupUsers[everyone]) + 999) / 1000; pages != want || want < 3 {
		t.Errorf("Everyone's %d members came in %d pages, want %d", len(org.GroupUsers[everyone]), pages, want)
	}
	bodies := map[int64][]byte{}
	for _, p := range rec.pages {
		bodies[p.PageID] = p.Body
	}
	var former *inventory.Member
	for i, m := range rec.members {
		if !bytes.Contains(bodies[m.EvidencePage], m.Raw) {
			t.Fatalf("member %s of %s: its raw payload is not in its evidence page %d", m.SourceID, m.GroupID, m.EvidencePage)
		}
		if m.Email == "former.employee@example-corp.com" {
			former = &rec.members[i]
		}
	}
	// A user who left: Okta keeps them in their groups, DEPROVISIONED.
	if former == nil || former.State != inventory.StateInactive || former.VendorStatus != "DEPROVISIONED" || former.Type != inventory.MemberUser {
		t.Fatalf("the deprovisioned user: %+v", former)
	}
}

// The published user examples read as members: the group-users example's
// ACTIVE user and the filtered listing's LOCKED_OUT one, both able to sign
// in once they act.
func TestPublishedUsersReadAsMembers(t *testing.T) {
	orgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := open(t, oktareplay.Start(t, orgs[0], oktareplay.Options{}), rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	got := map[string]inventory.Member{}
	for _, m := range rec.members {
		got[m.Login] = m
	}
	for login, status := range map[string]string{"alice.smith@example.com": "ACTIVE", "johnrichards@example.com": "LOCKED_OUT"} {
		m, ok := got[login]
		if !ok || m.VendorStatus != status || m.State != inventory.StateActive || m.Email != login || m.DisplayName == "" {
			t.Errorf("%s: %+v", login, m)
		}
	}
}
