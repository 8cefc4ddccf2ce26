package graphreplay

import (
	"encoding/json"

	"github.com/portal-id/migration-console/engine/demoteams"
)

// demoMembers gives the demo tenant's groups their members, in the shape
// of Graph's directoryObjects (user, group, device, servicePrincipal,
// orgContact, each with its "@odata.type"): the demo teams in the
// department groups of the same name, everyone in "All Employees", and
// what only Entra has: a nested group ("Finance Approvers", inside Finance
// and holding Finance again, a loop an expansion must cut), a device, a
// service principal and an organizational contact among Engineering's
// members.
func demoMembers(t *Tenant, groupIDs, groupNames []string) {
	t.GroupMembers = map[string][]json.RawMessage{}
	byName := map[string]string{}
	for i, n := range groupNames {
		byName[n] = groupIDs[i]
	}
	people := map[string]json.RawMessage{}
	person := func(p demoteams.Person) json.RawMessage {
		if u, ok := people[p.Email]; ok {
			return u
		}
		u := mustJSON(userMember(guid("demo-person", len(people)), p))
		people[p.Email] = u
		t.GroupMembers[byName["All Employees"]] = append(t.GroupMembers[byName["All Employees"]], u)
		return u
	}
	for _, team := range demoteams.Teams {
		gid := byName[team.Name]
		for _, p := range team.Members {
			t.GroupMembers[gid] = append(t.GroupMembers[gid], person(p))
		}
	}

	approvers := guid("demo-group", len(groupIDs))
	t.Groups = append(t.Groups, mustJSON(groupEntity(approvers, "Finance Approvers", "security", "")))
	finance := byName["Finance"]
	t.GroupMembers[finance] = append(t.GroupMembers[finance], mustJSON(groupMember(approvers, "Finance Approvers")))
	t.GroupMembers[approvers] = []json.RawMessage{
		person(demoteams.Teams[0].Members[0]),
		person(demoteams.Person{First: "Helena", Last: "Varga", Email: "helena.varga@example-corp.com"}),
		mustJSON(groupMember(finance, "Finance")),
	}

	eng := byName["Engineering"]
	t.GroupMembers[eng] = append(t.GroupMembers[eng],
		mustJSON(map[string]any{"@odata.type": "#microsoft.graph.device", "id": guid("demo-device", 1), "accountEnabled": true,
			"deviceId": guid("demo-deviceid", 1), "displayName": "BUILD-AGENT-01", "operatingSystem": "Linux", "operatingSystemVersion": "22.04"}),
		mustJSON(map[string]any{"@odata.type": "#microsoft.graph.servicePrincipal", "id": guid("demo-sp", 42), "accountEnabled": true,
			"appId": guid("demo-spapp", 42), "displayName": demoApps[42].name, "servicePrincipalType": "Application"}),
		mustJSON(map[string]any{"@odata.type": "#microsoft.graph.orgContact", "id": guid("demo-contact", 1),
			"displayName": "Contoso Build Partner", "mail": "builds@contoso-partner.example", "mailNickname": "contosobuilds"}),
	)
}

// userMember is a user as a group's member listing returns it (Graph user
// resource).
func userMember(id string, p demoteams.Person) map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.user", "id": id, "accountEnabled": !p.Inactive, "businessPhones": []string{},
		"displayName": p.Name(), "givenName": p.First, "surname": p.Last, "jobTitle": nil, "mail": p.Email,
		"mobilePhone": nil, "officeLocation": nil, "preferredLanguage": "en-GB", "userPrincipalName": p.Email,
	}
}

// groupMember is a nested group as a member listing returns it.
func groupMember(id, name string) map[string]any {
	return map[string]any{"@odata.type": "#microsoft.graph.group", "id": id, "displayName": name, "groupTypes": []string{},
		"mail": nil, "mailEnabled": false, "securityEnabled": true}
}
