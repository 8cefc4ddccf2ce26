package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Group members come through the SDK page by page (@odata.nextLink), each
// with its type (users, nested groups, devices, service principals,
// contacts, and types this build or the SDK does not know kept as
// "other"), its account state, and the bytes of the page it came in; each
// group's listing ends once with its count.
func TestGroupMembersThroughTheSDK(t *testing.T) {
	tenant := graphreplay.Demo()
	finance := ""
	for _, g := range tenant.Groups {
		var e struct{ ID, DisplayName string }
		json.Unmarshal(g, &e)
		if e.DisplayName == "Finance" {
			finance = e.ID
		}
	}
	// Members of kinds Graph has and this build does not map, and one the
	// SDK does not know either.
	tenant.GroupMembers[finance] = append(tenant.GroupMembers[finance],
		json.RawMessage(`{"@odata.type":"#microsoft.graph.administrativeUnit","id":"aa000000-0000-4000-8000-000000000001","displayName":"EMEA unit"}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.futureThing","id":"aa000000-0000-4000-8000-000000000002","displayName":"Something new"}`))
	s := startReplay(t, graphreplay.Options{Tenant: tenant, DefaultPageSize: 4, MaxPageSize: 4})
	mem := &memory{}
	if err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	if want := tenant.Counts()[graphreplay.GroupMembers]; len(mem.members) != want {
		t.Fatalf("collected %d memberships, the tenant holds %d", len(mem.members), want)
	}
	if len(mem.listings) != len(tenant.Groups) {
		t.Fatalf("%d listings ended, the tenant has %d groups", len(mem.listings), len(tenant.Groups))
	}
	pages := 0
	for _, r := range s.Requests() {
		if r.Path == "/v1.0/groups/"+finance+"/members" {
			pages++
			if q, _ := url.ParseQuery(r.Query); q.Get("$select") != "id,userPrincipalName,mail,displayName,accountEnabled" {
				t.Errorf("members asked for without the $select: %s", r.Query)
			}
		}
	}
	if want := (len(tenant.GroupMembers[finance]) + 3) / 4; pages != want || want < 3 {
		t.Errorf("Finance's %d members came in %d pages, want %d", len(tenant.GroupMembers[finance]), pages, want)
	}
	types := map[string]string{}
	for _, m := range mem.members {
		if !bytes.Contains(mem.pages[m.EvidencePage].Body, m.Raw) {
			t.Fatalf("member %s of %s: its raw payload is not in its evidence page", m.SourceID, m.GroupID)
		}
		if m.GroupID == finance || m.Type != inventory.MemberUser {
			types[m.Label()] = fmt.Sprintf("%s %s %s", m.Type, m.VendorType, m.State)
		}
	}
	for label, want := range map[string]string{
		"priya.patel@example-corp.com":     "user #microsoft.graph.user active",
		"former.employee@example-corp.com": "user #microsoft.graph.user inactive",
		"Finance Approvers":                "group #microsoft.graph.group unknown",
		"BUILD-AGENT-01":                   "device #microsoft.graph.device active",
		"Build Agent Automation":           "service_principal #microsoft.graph.servicePrincipal active",
		"builds@contoso-partner.example":   "contact #microsoft.graph.orgContact unknown",
		"EMEA unit":                        "other #microsoft.graph.administrativeUnit unknown",
		"Something new":                    "other #microsoft.graph.futureThing unknown",
	} {
		if types[label] != want {
			t.Errorf("%s: %q, want %q", label, types[label], want)
		}
	}
}

// The published member listings: one without "@odata.type" (kept as
// other, with its mail), and a user and a Microsoft 365 group of another
// listing, the group not a group of the tenant.
func TestPublishedMembers(t *testing.T) {
	mem := &memory{}
	if err := tokenCollector(t, startReplay(t, graphreplay.Options{Tenant: vendorTenant(t)}), mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range mem.members {
		got[m.SourceID] = fmt.Sprintf("%s|%s|%s|%s", m.Type, m.Email, m.DisplayName, m.State)
	}
	for id, want := range map[string]string{
		"11111111-2222-3333-4444-555555555555": "other|user1@contoso.com||unknown",
		"fc9a2c2b-1ddc-486d-a211-5fe8ca77fa1f": "user|AdeleV@Contoso.com|Adele Vance|active",
		"eac82bd3-931c-4d47-9e68-735595a8eb8a": "group|ceoconnection@Contoso.com|CEO Connection|unknown",
	} {
		if got[id] != want {
			t.Errorf("%s: %q, want %q", id, got[id], want)
		}
	}
}

// Without GroupMember.Read.All (or Group.Read.All) the source test says
// members are not readable, in Graph's words, and a collection fails with
// them rather than completing without membership.
func TestGroupMembersDenied(t *testing.T) {
	s := startReplay(t, graphreplay.Options{Tenant: graphreplay.Demo(), Denied: []string{graphreplay.GroupMembers}})
	c := tokenCollector(t, s, &memory{}, nil)
	for _, ch := range c.Test(context.Background()) {
		if ch.Domain == DomainGroupMembers && (ch.Readable || ch.Code != "Authorization_RequestDenied") {
			t.Errorf("group members reported as %+v", ch)
		}
		if ch.Domain != DomainGroupMembers && !ch.Readable {
			t.Errorf("%s reported unreadable: %+v", ch.Domain, ch)
		}
	}
	mem := &memory{}
	err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem)
	if err == nil || !strings.Contains(err.Error(), "Insufficient privileges") || !strings.Contains(err.Error(), "group_members") {
		t.Fatalf("a collection without membership rights: %v", err)
	}
}
