package graphreplay

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// VendorFile says where one vendor-written response body goes in a payload
// set: the entities of its "value" array, the whole body (a single entity),
// or one member of it (the instantiate response's application and
// servicePrincipal).
type VendorFile struct {
	Path       string
	Collection string
	Pick       string // "value", "" for the whole body, or a member name
}

// VendorFiles lists the Microsoft Graph documentation payloads the vendor
// payload set is built from, relative to its directory (see that
// directory's SOURCES.md for where each was published).
var VendorFiles = []VendorFile{
	{"application/get_application.json", Applications, ""},
	{"application/get_application_by_appid_select.json", Applications, ""},
	{"servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json", Applications, "application"},
	{"servicePrincipal/list_serviceprincipals.json", ServicePrincipals, "value"},
	{"servicePrincipal/get_serviceprincipal.json", ServicePrincipals, ""},
	{"servicePrincipal/get_serviceprincipal_select_msgraph.json", ServicePrincipals, ""},
	{"servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json", ServicePrincipals, "servicePrincipal"},
	{"domain/list_domains.json", Domains, "value"},
	{"domain/get_domain.json", Domains, ""},
	{"group/list_groups.json", Groups, "value"},
	{"group/list_groups_count_select.json", Groups, "value"},
	{"group/create_security_group_response.json", Groups, ""},
	{"group/create_role_assignable_m365_group_response.json", Groups, ""},
	{"group/get_dynamic_group_beta_select.json", Groups, ""},
	{"conditionalAccessPolicy/list_policies.json", Policies, "value"},
	{"conditionalAccessPolicy/get_policy.json", Policies, ""},
	{"appRoleAssignment/list_approleassignedto.json", AppRoleAssignedTo, "value"},
	// Graph publishes group members as directoryObjects: the members
	// example (an id and a mail, no "@odata.type") goes to the first group,
	// a directoryObject listing holding a user and a group (List
	// domainNameReferences, the same collection type) to the second.
	{"group/list_group_members.json", GroupMembers, "value"},
	{"group/list_domainnamereferences_user_and_group.json", GroupMembers, "value"},
}

// LoadVendor builds a payload set from the vendor-written Graph responses
// under dir, laid out as VendorFiles names them. Bodies are kept byte for
// byte; assignments are filed under their resourceId.
func LoadVendor(dir string) (*Tenant, error) {
	t := &Tenant{AppRoleAssignedTo: map[string][]json.RawMessage{}, GroupMembers: map[string][]json.RawMessage{}}
	lists := t.lists()
	memberLists := 0
	for _, f := range VendorFiles {
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, fmt.Errorf("load vendor payload: %w", err)
		}
		var entities []json.RawMessage
		switch f.Pick {
		case "":
			entities = []json.RawMessage{body}
		case "value":
			var page struct {
				Value []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return nil, fmt.Errorf("load vendor payload %s: %w", f.Path, err)
			}
			entities = page.Value
		default:
			var members map[string]json.RawMessage
			if err := json.Unmarshal(body, &members); err != nil {
				return nil, fmt.Errorf("load vendor payload %s: %w", f.Path, err)
			}
			m, ok := members[f.Pick]
			if !ok {
				return nil, fmt.Errorf("load vendor payload %s: no %q member", f.Path, f.Pick)
			}
			entities = []json.RawMessage{m}
		}
		if f.Collection == GroupMembers {
			if memberLists < len(t.Groups) {
				gid := idOf(t.Groups[memberLists])
				t.GroupMembers[gid] = append(t.GroupMembers[gid], entities...)
			}
			memberLists++
			continue
		}
		if f.Collection == AppRoleAssignedTo {
			for _, a := range entities {
				var ref struct {
					ResourceID string `json:"resourceId"`
				}
				if err := json.Unmarshal(a, &ref); err != nil {
					return nil, fmt.Errorf("load vendor payload %s: %w", f.Path, err)
				}
				t.AppRoleAssignedTo[ref.ResourceID] = append(t.AppRoleAssignedTo[ref.ResourceID], a)
			}
			continue
		}
		*lists[f.Collection] = append(*lists[f.Collection], entities...)
	}
	return t, nil
}
