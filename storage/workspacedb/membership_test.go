package workspacedb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// memberCollector emits groups and their members the way the vendors'
// collectors do: pages of members interleaved across groups, a member
// repeated on two pages, then each listing's end.
type memberCollector struct {
	groups  []inventory.Item
	members map[string][]inventory.Member
	// unlisted groups get members but no end of listing (a listing cut
	// short).
	unlisted map[string]bool
}

func (c *memberCollector) Collect(ctx context.Context, emit inventory.Emitter) error {
	if err := emit.Emit(ctx, c.groups...); err != nil {
		return err
	}
	if c.members == nil {
		return nil // a collector from before memberships were read
	}
	for _, g := range c.groups {
		ms := c.members[g.SourceID]
		for i := 0; i < len(ms); i += 3 {
			page := ms[i:min(i+3, len(ms))]
			// The vendor repeats the first member of each page.
			if err := emit.EmitMembers(ctx, append(slices.Clone(page), page[0])...); err != nil {
				return err
			}
		}
		if c.unlisted[g.SourceID] {
			continue
		}
		if err := emit.MembersListed(ctx, inventory.MemberListing{GroupID: g.SourceID, Members: len(ms)}); err != nil {
			return err
		}
	}
	return nil
}

type memberIncumbents struct {
	fixtureIncumbents
	coll inventory.Collector
}

func (i memberIncumbents) Incumbent(workspace.SourceKind) (inventory.Incumbent, error) { return i, nil }

func (i memberIncumbents) Open(context.Context, json.RawMessage, secret.Value, *http.Client) (inventory.Collector, error) {
	return i.coll, nil
}

func group(id, name string) inventory.Item {
	return inventory.NewItem(id, name, inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: name}}, []byte(`{"id":"`+id+`"}`))
}

func user(gid, id, email string, page int64) inventory.Member {
	return inventory.Member{GroupID: gid, SourceID: id, Type: inventory.MemberUser, Login: email, Email: email,
		State: inventory.StateActive, VendorStatus: "ACTIVE", EvidencePage: page}
}

func collectMembers(t *testing.T, coll *memberCollector) (*inventoryFixture, inventory.Snapshot) {
	t.Helper()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 1, 0, 0)
	f.inv.Incumbents = memberIncumbents{fixtureIncumbents{f}, coll}
	snap, err := f.inv.Collect(context.Background(), "okta-prod", inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, snap
}

func TestMembershipIsStoredOnceAndQueriedBothWays(t *testing.T) {
	ctx := context.Background()
	zoe := "Zoë.Ärger@Example.COM"
	coll := &memberCollector{
		groups: []inventory.Item{group("00gfin", "Finance"), group("00geng", "Engineering"), group("00gall", "All staff")},
		members: map[string][]inventory.Member{
			"00gfin": {user("00gfin", "00u1", "ann@example.test", 1), user("00gfin", "00u2", zoe, 1), user("00gfin", "00u3", "bob@example.test", 2),
				user("00gfin", "00u4", "cy@example.test", 2)},
			"00geng": {user("00geng", "00u2", zoe, 3), user("00geng", "00u5", "dee@example.test", 3)},
			"00gall": {{GroupID: "00gall", SourceID: "00gfin", Type: inventory.MemberGroup, DisplayName: "Finance", State: inventory.StateUnknown, EvidencePage: 4},
				{GroupID: "00gall", SourceID: "dev1", Type: inventory.MemberDevice, DisplayName: "Kiosk", State: inventory.StateActive, EvidencePage: 4},
				user("00gall", "00u5", "dee@example.test", 4)},
		},
	}
	f, snap := collectMembers(t, coll)

	sum, err := f.inv.Membership(ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.MembershipSummary{Collected: true, Groups: 3, Listed: 3, Memberships: 9,
		Members: map[inventory.MemberType]int{inventory.MemberUser: 5, inventory.MemberGroup: 1, inventory.MemberDevice: 1}}
	if fmt.Sprint(sum) != fmt.Sprint(want) {
		t.Fatalf("summary %+v, want %+v", sum, want)
	}

	g, page, err := f.inv.GroupMembers(ctx, snap.ID, "finance", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.SourceID != "00gfin" || page.Total != 4 || len(page.Members) != 2 || page.Members[0].Email != "bob@example.test" || page.Members[1].Email != "cy@example.test" {
		t.Fatalf("the second window of Finance: %+v %+v", g, page)
	}

	// A person is found by email whatever its case and Unicode form.
	for _, who := range []string{norm.NFD.String("zoë.ärger@example.com"), "00u2"} {
		got, err := f.inv.MemberGroups(ctx, snap.ID, who)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Member.Email != zoe || fmt.Sprint(got[0].Groups) != "[{00geng Engineering} {00gfin Finance}]" {
			t.Fatalf("groups of %q: %+v", who, got)
		}
	}
	if got, err := f.inv.MemberGroups(ctx, snap.ID, "nobody@example.test"); err != nil || len(got) != 0 {
		t.Fatalf("groups of nobody: %+v %v", got, err)
	}

	var users []string
	err = f.db.ViewTx(ctx, func(tx *Tx) error {
		return tx.EachMember(snap.ID, inventory.MemberUser, func(m inventory.Member, groups []string) error {
			slices.Sort(groups)
			users = append(users, fmt.Sprintf("%s:%v", m.SourceID, groups))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(users) != "[00u1:[00gfin] 00u2:[00geng 00gfin] 00u3:[00gfin] 00u4:[00gfin] 00u5:[00gall 00geng]]" {
		t.Fatalf("users and their groups: %v", users)
	}

	entries, _, err := f.ws.AuditTrail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Event != audit.InventoryCollected || last.Facts["memberships"] != "9" || last.Facts["membership_groups_listed"] != "3" {
		t.Fatalf("the collection's audit entry: %+v", last)
	}
}

func TestMembershipNotCollectedIsSaid(t *testing.T) {
	ctx := context.Background()
	// An old snapshot: groups, no member listing at all.
	f, old := collectMembers(t, &memberCollector{groups: []inventory.Item{group("00ga", "Alpha")}})
	sum, err := f.inv.Membership(ctx, old.ID)
	if err != nil || sum.Collected || sum.Groups != 1 || sum.Listed != 0 {
		t.Fatalf("summary of a snapshot without membership: %+v %v", sum, err)
	}
	if _, _, err := f.inv.GroupMembers(ctx, old.ID, "Alpha", 0, 0); !errors.Is(err, inventory.ErrMembershipNotCollected) {
		t.Fatalf("members of a group never listed: %v", err)
	}
	if _, err := f.inv.MemberGroups(ctx, old.ID, "ann@example.test"); !errors.Is(err, inventory.ErrMembershipNotCollected) {
		t.Fatalf("groups of a person in a snapshot without membership: %v", err)
	}

	// A listing that never ended is not counted as read.
	f, snap := collectMembers(t, &memberCollector{
		groups:   []inventory.Item{group("00ga", "Alpha"), group("00gb", "Beta")},
		members:  map[string][]inventory.Member{"00ga": {user("00ga", "00u1", "ann@example.test", 1)}, "00gb": {user("00gb", "00u1", "ann@example.test", 2)}},
		unlisted: map[string]bool{"00gb": true},
	})
	if sum, err := f.inv.Membership(ctx, snap.ID); err != nil || sum.Collected || sum.Listed != 1 {
		t.Fatalf("summary with one listing cut short: %+v %v", sum, err)
	}
}

func TestFindGroupRefusesASharedName(t *testing.T) {
	ctx := context.Background()
	f, snap := collectMembers(t, &memberCollector{groups: []inventory.Item{group("00g1", "Sales"), group("00g2", "sales"), group("00g3", "00g1")},
		members: map[string][]inventory.Member{}})
	err := f.db.ViewTx(ctx, func(tx *Tx) error {
		if _, err := inventory.FindGroup(tx, snap.ID, "SALES"); !errors.Is(err, inventory.ErrAmbiguousGroup) {
			t.Errorf("a name two groups share: %v", err)
		}
		if g, err := inventory.FindGroup(tx, snap.ID, "00g1"); err != nil || g.Name != "Sales" {
			t.Errorf("an id that is also another group's name: %+v %v", g, err)
		}
		if _, err := inventory.FindGroup(tx, snap.ID, "Marketing"); !errors.Is(err, inventory.ErrGroupNotFound) {
			t.Errorf("an unknown group: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
