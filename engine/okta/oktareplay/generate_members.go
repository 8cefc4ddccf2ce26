package oktareplay

import (
	"encoding/json"
	"fmt"
)

// teamUserBase numbers the team people's user ids apart from the
// synthetic users'.
const teamUserBase = 90_000_000_000_000_000

// members fills the org's group members in the shape of Okta's User object
// (GET /api/v1/groups/{id}/users; the spec's ListUsersResponse example is
// the model): s.Users synthetic users (user<i>@<domain>, the ids and names
// the app user assignments use), each in s.GroupsPerUser of the ordinary
// groups, then s.Teams, each an OKTA_GROUP of its own unless a generated
// group already has its name; everyone is in Everyone (the first group).
// names are the generated groups' names by index.
func members(o *Org, s Spec, names []string, ts string) {
	if len(o.Groups) == 0 {
		return
	}
	everyone := idOf(o.Groups[0])
	add := func(gid string, u json.RawMessage) { o.GroupUsers[gid] = append(o.GroupUsers[gid], u) }
	ordinary := len(o.Groups) - 2 // not Everyone, not Admin Center Administrators
	for i := range s.Users {
		u := user(fmt.Sprintf("%s%017d", "00u", i), "ACTIVE", "User", fmt.Sprint(i), fmt.Sprintf("user%d@%s", i, s.EmailDomain), ts)
		add(everyone, u)
		seen := map[int]bool{}
		for k := 0; k < s.GroupsPerUser && ordinary > 0; k++ {
			g := 2 + (i*7+k*131)%ordinary
			if !seen[g] {
				seen[g] = true
				add(idOf(o.Groups[g]), u)
			}
		}
	}
	byName := map[string]string{}
	for i, n := range names {
		byName[n] = idOf(o.Groups[i])
	}
	people := map[string]json.RawMessage{}
	for _, t := range s.Teams {
		gid, ok := byName[t.Name]
		if !ok {
			gid = fmt.Sprintf("00g%017d", len(o.Groups))
			byName[t.Name] = gid
			o.Groups = append(o.Groups, element(map[string]any{
				"id": gid, "created": ts, "lastUpdated": ts, "lastMembershipUpdated": ts,
				"objectClass": []string{"okta:user_group"}, "type": "OKTA_GROUP",
				"profile": map[string]any{"name": t.Name, "description": t.Description},
				"_links":  map[string]any{"self": map[string]any{"href": "/api/v1/groups/" + gid}},
			}))
		}
		for _, p := range t.Members {
			u, ok := people[p.Email]
			if !ok {
				status := "ACTIVE"
				if p.Inactive {
					status = "DEPROVISIONED"
				}
				u = user(fmt.Sprintf("00u%017d", teamUserBase+len(people)), status, p.First, p.Last, p.Email, ts)
				people[p.Email] = u
				add(everyone, u)
			}
			add(gid, u)
		}
	}
}

// user is one User object as a group's member listing returns it.
func user(uid, status, first, last, login, ts string) json.RawMessage {
	u := map[string]any{
		"id": uid, "status": status, "created": ts, "activated": ts, "statusChanged": ts, "lastLogin": nil,
		"lastUpdated": ts, "passwordChanged": ts, "type": map[string]any{"id": "oty1demo0000000000000"},
		"profile": map[string]any{"firstName": first, "lastName": last, "mobilePhone": nil, "secondEmail": nil,
			"login": login, "email": login},
		"credentials": map[string]any{"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
		"_links":      map[string]any{"self": map[string]any{"href": "/api/v1/users/" + uid}},
	}
	if status == "DEPROVISIONED" {
		u["credentials"] = map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}}
	}
	return element(u)
}
