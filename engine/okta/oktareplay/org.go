// Package oktareplay serves an Okta org on loopback from a payload set, with
// Okta's wire behaviour: Link-header pagination with after cursors,
// per-endpoint page limits, X-Rate-Limit-* headers over configurable
// windows, 429s with Okta's E0000047 body, revoked tokens, and injected
// 5xx, slow and truncated responses. Tests, benchmarks and the demo collect
// through the real Okta SDK against it.
package oktareplay

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Org is a payload set: every element is served byte for byte as stored.
type Org struct {
	Apps    []json.RawMessage `json:"apps"`
	Groups  []json.RawMessage `json:"groups"`
	IdPs    []json.RawMessage `json:"idps"`
	IdPKeys []json.RawMessage `json:"idp_keys"`
	// Policies of every collected type: IDP_DISCOVERY, OKTA_SIGN_ON,
	// ACCESS_POLICY, PASSWORD, MFA_ENROLL, PROFILE_ENROLLMENT.
	Policies   []json.RawMessage `json:"policies"`
	Domains    []json.RawMessage `json:"domains"`
	GroupRules []json.RawMessage `json:"group_rules"`
	// Keyed by policy id or app id.
	Rules     map[string][]json.RawMessage `json:"rules"`
	AppGroups map[string][]json.RawMessage `json:"app_groups"`
	AppUsers  map[string][]json.RawMessage `json:"app_users"`
	AppKeys   map[string][]json.RawMessage `json:"app_keys"`
	// GroupUsers are each group's member users (GET
	// /api/v1/groups/{id}/users), keyed by group id.
	GroupUsers map[string][]json.RawMessage `json:"group_users"`
}

// NewOrg returns an empty org.
func NewOrg() *Org {
	return &Org{
		Rules: map[string][]json.RawMessage{}, AppGroups: map[string][]json.RawMessage{},
		AppUsers: map[string][]json.RawMessage{}, AppKeys: map[string][]json.RawMessage{},
		GroupUsers: map[string][]json.RawMessage{},
	}
}

// Memberships is how many (group, user) pairs a faithful collection of o
// reads: each group's member users, for the groups the org lists.
func (o *Org) Memberships() int {
	n := 0
	for _, g := range o.Groups {
		n += len(o.GroupUsers[idOf(g)])
	}
	return n
}

// Counts are the items a faithful collection of o yields, by kind:
// IDP_DISCOVERY rules are routing rules; policies and the rules of other
// policies are policies. Group rules are read into their groups' views and
// are not items.
func (o *Org) Counts() map[inventory.Kind]int {
	c := map[inventory.Kind]int{
		inventory.KindApplication: len(o.Apps),
		inventory.KindGroup:       len(o.Groups),
		inventory.KindProvider:    len(o.IdPs),
		inventory.KindDomain:      len(o.Domains),
		inventory.KindPolicy:      len(o.Policies),
	}
	for _, p := range o.Policies {
		id, typ := idOf(p), field(p, "type")
		if typ == "IDP_DISCOVERY" {
			c[inventory.KindRoutingRule] += len(o.Rules[id])
		} else {
			c[inventory.KindPolicy] += len(o.Rules[id])
		}
	}
	for _, app := range o.Apps {
		id := idOf(app)
		c[inventory.KindAssignment] += len(o.AppGroups[id]) + len(o.AppUsers[id])
	}
	return c
}

// Save writes o as one JSON document per collection under dir.
func (o *Org) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for name, v := range o.files() {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// Load reads an org written by Save from dir.
func Load(dir string) (*Org, error) { return LoadFS(os.DirFS(dir)) }

// LoadFS reads an org written by Save from fsys (the demo embeds its
// payload set).
func LoadFS(fsys fs.FS) (*Org, error) {
	o := NewOrg()
	for name, v := range o.files() {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read okta payload set: %w", err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("read okta payload set %s: %w", name, err)
		}
	}
	return o, nil
}

func (o *Org) files() map[string]any {
	return map[string]any{
		"apps.json": &o.Apps, "groups.json": &o.Groups, "idps.json": &o.IdPs, "idp_keys.json": &o.IdPKeys,
		"policies.json": &o.Policies, "domains.json": &o.Domains, "policy_rules.json": &o.Rules, "group_rules.json": &o.GroupRules,
		"app_groups.json": &o.AppGroups, "app_users.json": &o.AppUsers, "app_keys.json": &o.AppKeys,
		"group_users.json": &o.GroupUsers,
	}
}

// VendorOrgs builds orgs from a directory laid out like the shared vendor
// fixtures (applications/, groups/, idps/, policies/, domains/,
// app_group_assignments/, app_user_assignments/). Okta's examples reuse ids
// across files, so each element goes to the first org where its id is
// free: every vendor payload is served exactly once, by some org. Rules
// attach to the first org's first policy of their type, assignments and app
// keys to its first app (keys to every SAML app).
func VendorOrgs(dir string) ([]*Org, error) {
	var orgs []*Org
	seen := []map[string]bool{}
	place := func(domain string, elems []json.RawMessage, add func(*Org, json.RawMessage)) {
		for _, e := range elems {
			key := domain + "/" + idOf(e)
			if idOf(e) == "" {
				key = domain + "/kid/" + field(e, "kid")
			}
			i := 0
			for ; i < len(orgs) && seen[i][key]; i++ {
			}
			if i == len(orgs) {
				orgs = append(orgs, NewOrg())
				seen = append(seen, map[string]bool{})
			}
			seen[i][key] = true
			add(orgs[i], e)
		}
	}
	read := func(sub string, skip ...string) ([]json.RawMessage, error) {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil {
			return nil, err
		}
		var all []json.RawMessage
	next:
		for _, f := range files {
			for _, s := range skip {
				if filepath.Base(f) == s {
					continue next
				}
			}
			elems, err := readElements(f)
			if err != nil {
				return nil, err
			}
			all = append(all, elems...)
		}
		return all, nil
	}
	apps, err := read("applications", "list_app_key_credentials.json")
	if err != nil {
		return nil, err
	}
	place("apps", apps, func(o *Org, e json.RawMessage) { o.Apps = append(o.Apps, e) })
	for _, c := range []struct {
		sub, key string
		skip     []string
		add      func(*Org, json.RawMessage)
	}{
		{"groups", "groups", []string{"list_group_users.json"}, func(o *Org, e json.RawMessage) { o.Groups = append(o.Groups, e) }},
		{"idps", "idps", []string{"list_idp_key_credentials.json", "get_idp_key_credential.json", "list_idp_signing_keys.json"},
			func(o *Org, e json.RawMessage) { o.IdPs = append(o.IdPs, e) }},
		{"domains", "domains", nil, func(o *Org, e json.RawMessage) { o.Domains = append(o.Domains, e) }},
	} {
		elems, err := read(c.sub, c.skip...)
		if err != nil {
			return nil, err
		}
		place(c.key, elems, c.add)
	}
	var keys []json.RawMessage
	for _, f := range []string{"list_idp_key_credentials.json", "get_idp_key_credential.json"} {
		elems, err := readElements(filepath.Join(dir, "idps", f))
		if err != nil {
			return nil, err
		}
		keys = append(keys, elems...)
	}
	place("idp_keys", keys, func(o *Org, e json.RawMessage) { o.IdPKeys = append(o.IdPKeys, e) })

	policyFiles := map[string][2][]string{ // type: {policy files, rule files}
		"IDP_DISCOVERY": {{"idp_discovery_list.json", "idp_discovery_get.json"},
			{"idp_discovery_rules_list.json", "idp_discovery_rule_specific_routing.json", "idp_discovery_rule_dynamic_routing.json"}},
		"OKTA_SIGN_ON":  {{"okta_sign_on_list.json", "okta_sign_on_get.json"}, {"okta_sign_on_rules_list.json", "okta_sign_on_rule_get.json"}},
		"ACCESS_POLICY": {{"access_policy_list.json", "access_policy_get.json"}, {"access_policy_rules_list.json", "access_policy_rule_platform_device_constraints.json"}},
		// Okta publishes these three types only as settings and actions
		// fragments; the composed_* files put them in policy and rule
		// envelopes (see testdata/vendor/SOURCES.md).
		"PASSWORD":           {{"composed_password_policy.json"}, {"composed_password_rule.json"}},
		"MFA_ENROLL":         {{"composed_mfa_enroll_policy.json", "composed_mfa_enroll_classic_policy.json"}, {"composed_mfa_enroll_rule.json"}},
		"PROFILE_ENROLLMENT": {{"composed_profile_enrollment_policy.json"}, {"composed_profile_enrollment_rule.json"}},
	}
	for _, typ := range []string{"IDP_DISCOVERY", "OKTA_SIGN_ON", "ACCESS_POLICY", "PASSWORD", "MFA_ENROLL", "PROFILE_ENROLLMENT"} {
		var policies, rules []json.RawMessage
		for i, group := range policyFiles[typ] {
			for _, f := range group {
				elems, err := readElements(filepath.Join(dir, "policies", f))
				if err != nil {
					return nil, err
				}
				if i == 0 {
					policies = append(policies, elems...)
				} else {
					rules = append(rules, elems...)
				}
			}
		}
		place("policies", policies, func(o *Org, e json.RawMessage) { o.Policies = append(o.Policies, e) })
		place("rules/"+typ, rules, func(o *Org, e json.RawMessage) {
			owner := o.firstPolicy(typ)
			if owner == "" {
				o, owner = orgs[0], orgs[0].firstPolicy(typ)
			}
			o.Rules[owner] = append(o.Rules[owner], e)
		})
	}
	firstApp := idOf(orgs[0].Apps[0])
	for sub, target := range map[string]*map[string][]json.RawMessage{
		"app_group_assignments": &orgs[0].AppGroups, "app_user_assignments": &orgs[0].AppUsers,
	} {
		elems, err := read(sub)
		if err != nil {
			return nil, err
		}
		seenIDs := map[string]bool{}
		for _, e := range elems {
			// One app cannot hold the same principal twice; later
			// duplicates are the same example expanded.
			if id := idOf(e); !seenIDs[id] {
				seenIDs[id] = true
				(*target)[firstApp] = append((*target)[firstApp], e)
			}
		}
	}
	// Group members: GET /api/v1/groups/{id}/users returns User objects,
	// the schema GET /api/v1/users returns too, so the published user
	// listings fill the first org's first groups: the spec's group-users
	// example (an ACTIVE user), then the filtered user listing (a
	// LOCKED_OUT one).
	for i, f := range []string{filepath.Join("groups", "list_group_users.json"), filepath.Join("users", "list_users_filter.json")} {
		elems, err := readElements(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		if i < len(orgs[0].Groups) {
			gid := idOf(orgs[0].Groups[i])
			orgs[0].GroupUsers[gid] = append(orgs[0].GroupUsers[gid], elems...)
		}
	}
	appKeys, err := readElements(filepath.Join(dir, "applications", "list_app_key_credentials.json"))
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		for _, a := range o.Apps {
			if field(a, "signOnMode") == "SAML_2_0" {
				o.AppKeys[idOf(a)] = appKeys
			}
		}
	}
	return orgs, nil
}

func (o *Org) firstPolicy(typ string) string {
	for _, p := range o.Policies {
		if field(p, "type") == typ {
			return idOf(p)
		}
	}
	return ""
}

// readElements reads a JSON file holding one object or an array of them
// ({"domains": [...]} too), keeping each element's bytes.
func readElements(path string) ([]json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vendor payload: %w", err)
	}
	var arr []json.RawMessage
	if json.Unmarshal(b, &arr) == nil {
		return arr, nil
	}
	var wrap struct {
		Domains []json.RawMessage `json:"domains"`
	}
	if json.Unmarshal(b, &wrap) == nil && wrap.Domains != nil {
		return wrap.Domains, nil
	}
	var obj json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("vendor payload %s: %w", path, err)
	}
	return []json.RawMessage{obj}, nil
}

func idOf(raw json.RawMessage) string { return field(raw, "id") }

func field(raw json.RawMessage, name string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var s string
	json.Unmarshal(m[name], &s)
	return s
}
