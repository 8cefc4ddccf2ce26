package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
)

type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func app(raw string, edit func(*inventory.ApplicationView)) inventory.Item {
	a := &inventory.ApplicationView{Protocol: inventory.ProtocolOIDC, VendorType: "OPENID_CONNECT", Object: inventory.AppObjectOktaApp,
		State: inventory.StateActive, Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant,
		ClientID: "0oaclient", OIDC: &inventory.OIDCSettings{}}
	if edit != nil {
		edit(a)
	}
	return inventory.NewItem("0oa1", "App", inventory.View{Application: a}, json.RawMessage(raw))
}

// Each broken collection must fail the suite, naming what is wrong; the
// sound one must pass.
func TestTheSuiteCatchesWhatIsWrong(t *testing.T) {
	const raw = `{"id":"0oa1","credentials":{"oauthClient":{"client_id":"0oaclient","client_secret":"s3cr3t-test-only"}}}`
	group := inventory.NewItem("00g1", "Finance", inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: "Finance"}},
		json.RawMessage(`{"id":"00g1","profile":{"name":"Finance"}}`))
	assign := func(name string, unresolved ...string) inventory.Item {
		a := &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: "0oa1", AppName: "App", PrincipalID: "00g1",
			PrincipalName: name, Unresolved: unresolved, Direct: inventory.Yes}
		return inventory.NewItem("0oa1/00g1", inventory.AssignmentDisplayName(a), inventory.View{Assignment: a}, json.RawMessage(`{"id":"00g1"}`),
			inventory.Ref{Role: "app", Kind: inventory.KindApplication, SourceID: "0oa1"},
			inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: "00g1"})
	}
	cases := map[string]struct {
		items    []inventory.Item
		complete bool
		want     string
	}{
		"sound": {items: []inventory.Item{app(raw, nil), group, assign("Finance")}, complete: true},
		"invented copied value": {items: []inventory.Item{app(raw, func(a *inventory.ApplicationView) { a.ClientID = "0oaother" })},
			want: "does not hold it"},
		"secret in the view": {items: []inventory.Item{app(raw, func(a *inventory.ApplicationView) { a.OIDC.ConfidentialEvidence = "secret s3cr3t-test-only" })},
			want: "a secret of the raw payload is in the view"},
		"open subtype": {items: []inventory.Item{app(raw, func(a *inventory.ApplicationView) { a.Protocol = "openid" })},
			want: "not one of"},
		"dangling reference": {items: []inventory.Item{app(raw, nil), assign("Finance")}, complete: true,
			want: "does not resolve"},
		"unnamed in a complete tenant": {items: []inventory.Item{app(raw, nil), assign("", "principal")}, complete: true,
			want: "left [principal] unnamed"},
		"missing kind": {items: []inventory.Item{app(raw, nil)}, want: "no domain item"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			f := Fixture{Complete: c.complete}
			if name == "missing kind" {
				f.Kinds = []inventory.Kind{inventory.KindDomain}
			}
			Check(r, inventory.NameAssignments(c.items), f)
			got := strings.Join(r.errs, "\n")
			switch {
			case c.want == "" && got != "":
				t.Fatalf("a sound collection failed:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Fatalf("want a failure mentioning %q, got:\n%s", c.want, got)
			}
		})
	}
}

// NameAssignments names from the items what a payload did not.
func TestNameAssignmentsInMemory(t *testing.T) {
	a := &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: "0oa1", PrincipalID: "00g1", Unresolved: []string{"app", "principal"}, Direct: inventory.Yes}
	items := inventory.NameAssignments([]inventory.Item{
		app(`{"id":"0oa1"}`, nil),
		inventory.NewItem("00g1", "Finance", inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant}}, nil),
		inventory.NewItem("0oa1/00g1", "x", inventory.View{Assignment: a}, nil),
	})
	got := items[2]
	if got.DisplayName != "App ← group Finance" || len(got.View.Assignment.Unresolved) != 0 {
		t.Fatalf("%q %v", got.DisplayName, got.View.Assignment.Unresolved)
	}
	if a.AppName != "" {
		t.Fatal("NameAssignments changed its input")
	}
}

// Each broken membership must fail the suite, naming what is wrong; the
// sound one must pass.
func TestTheSuiteCatchesBrokenMembership(t *testing.T) {
	group := func(id, name string) inventory.Item {
		return inventory.NewItem(id, name, inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: name}},
			json.RawMessage(`{"id":"`+id+`"}`))
	}
	items := []inventory.Item{group("g1", "Finance"), group("g2", "Approvers")}
	user := func(gid, id, email string) inventory.Member {
		return inventory.Member{GroupID: gid, SourceID: id, Type: inventory.MemberUser, Email: email, State: inventory.StateActive,
			EvidencePage: 1, Raw: []byte(`{"id":"` + id + `","mail":"` + email + `"}`)}
	}
	nested := func(gid, id string) inventory.Member {
		return inventory.Member{GroupID: gid, SourceID: id, Type: inventory.MemberGroup, State: inventory.StateUnknown, EvidencePage: 1,
			Raw: []byte(`{"id":"` + id + `"}`)}
	}
	sound := []inventory.Member{user("g1", "u1", "ann@example.test"), nested("g1", "g2"), user("g2", "u2", "bo@example.test"), nested("g2", "g1")}
	listings := []inventory.MemberListing{{GroupID: "g1", Members: 2}, {GroupID: "g2", Members: 2}}
	cases := map[string]struct {
		members  []inventory.Member
		listings []inventory.MemberListing
		want     string
	}{
		"sound, with a loop": {members: sound, listings: listings},
		"unknown group":      {members: append(slices.Clone(sound), user("g9", "u3", "cy@example.test")), listings: listings, want: "the group is not in the snapshot"},
		"invented email": {members: []inventory.Member{func() inventory.Member {
			m := user("g1", "u1", "ann@example.test")
			m.Email = "x@example.test"
			return m
		}()}, listings: []inventory.MemberListing{{GroupID: "g1", Members: 1}, {GroupID: "g2"}}, want: "does not hold it"},
		"listing miscounted":   {members: sound, listings: []inventory.MemberListing{{GroupID: "g1", Members: 5}, {GroupID: "g2", Members: 2}}, want: "ended with 5 members, 2 were emitted"},
		"a group never listed": {members: sound[:2], listings: listings[:1], want: "ended 0 times"},
		"dangling nested group": {members: []inventory.Member{nested("g1", "g7")}, listings: []inventory.MemberListing{{GroupID: "g1", Members: 1}, {GroupID: "g2"}},
			want: "nested group g7 (g7) does not resolve"},
		"no members": {want: "none was emitted"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			CheckMembers(r, items, c.members, c.listings, Fixture{Complete: true, Members: true})
			got := strings.Join(r.errs, "\n")
			switch {
			case c.want == "" && got != "":
				t.Fatalf("a sound membership failed:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Fatalf("want a failure mentioning %q, got:\n%s", c.want, got)
			}
		})
	}
}
