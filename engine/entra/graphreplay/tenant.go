// Package graphreplay serves a Microsoft Graph tenant (v1.0 paths) on
// loopback from a payload set, with Graph's paging, throttling and errors,
// plus an Entra token endpoint for the client-secret flow. Tests, benchmarks
// and the demo use it; it speaks JSON only, so importing it never pulls the
// Graph SDK into a package's build.
package graphreplay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Collection names: the payload-set file stems and the keys of Counts.
const (
	Applications      = "applications"
	ServicePrincipals = "servicePrincipals"
	Domains           = "domains"
	Groups            = "groups"
	Policies          = "conditionalAccessPolicies"
	AppRoleAssignedTo = "appRoleAssignedTo"
	GroupMembers      = "groupMembers"
)

// Tenant is a payload set: each element is the JSON object Graph sends for
// one entity, kept byte for byte.
type Tenant struct {
	Applications      []json.RawMessage
	ServicePrincipals []json.RawMessage
	Domains           []json.RawMessage
	Groups            []json.RawMessage
	Policies          []json.RawMessage
	// AppRoleAssignedTo holds assignments by the id of the service principal
	// they are granted on (the resourceId).
	AppRoleAssignedTo map[string][]json.RawMessage
	// GroupMembers holds each group's direct members (directoryObjects
	// with their "@odata.type") by group id.
	GroupMembers map[string][]json.RawMessage
}

// keyed are the collections filed under another entity's id.
func (t *Tenant) keyed() map[string]*map[string][]json.RawMessage {
	return map[string]*map[string][]json.RawMessage{AppRoleAssignedTo: &t.AppRoleAssignedTo, GroupMembers: &t.GroupMembers}
}

func (t *Tenant) lists() map[string]*[]json.RawMessage {
	return map[string]*[]json.RawMessage{
		Applications:      &t.Applications,
		ServicePrincipals: &t.ServicePrincipals,
		Domains:           &t.Domains,
		Groups:            &t.Groups,
		Policies:          &t.Policies,
	}
}

// Counts returns how many entities a full collection finds per collection.
// Assignments count only under service principals the tenant lists, since a
// collector reaches them through that listing.
func (t *Tenant) Counts() map[string]int {
	c := map[string]int{}
	for name, l := range t.lists() {
		c[name] = len(*l)
	}
	for _, sp := range t.ServicePrincipals {
		c[AppRoleAssignedTo] += len(t.AppRoleAssignedTo[idOf(sp)])
	}
	for _, g := range t.Groups {
		c[GroupMembers] += len(t.GroupMembers[idOf(g)])
	}
	return c
}

// Load reads a payload set: one JSON array per collection
// (applications.json, servicePrincipals.json, domains.json, groups.json,
// conditionalAccessPolicies.json), appRoleAssignedTo.json, an object of
// arrays keyed by service principal id, and groupMembers.json, keyed by
// group id. Missing files are empty collections.
func Load(fsys fs.FS) (*Tenant, error) {
	t := &Tenant{AppRoleAssignedTo: map[string][]json.RawMessage{}, GroupMembers: map[string][]json.RawMessage{}}
	for name, l := range t.lists() {
		b, err := fs.ReadFile(fsys, name+".json")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read payload set %s: %w", name, err)
		}
		if err := json.Unmarshal(b, l); err != nil {
			return nil, fmt.Errorf("parse payload set %s.json: %w", name, err)
		}
	}
	for name, m := range t.keyed() {
		b, err := fs.ReadFile(fsys, name+".json")
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("read payload set %s: %w", name, err)
		default:
			if err := json.Unmarshal(b, m); err != nil {
				return nil, fmt.Errorf("parse payload set %s.json: %w", name, err)
			}
		}
	}
	return t, nil
}

// WriteDir writes the payload set as Load reads it, indented for review.
func (t *Tenant) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write payload set: %w", err)
	}
	write := func(name string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("encode payload set %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write payload set %s: %w", name, err)
		}
		return nil
	}
	names := make([]string, 0, 5)
	lists := t.lists()
	for name := range lists {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l := *lists[name]
		if l == nil {
			l = []json.RawMessage{}
		}
		if err := write(name, l); err != nil {
			return err
		}
	}
	if err := write(AppRoleAssignedTo, t.AppRoleAssignedTo); err != nil {
		return err
	}
	if t.GroupMembers == nil {
		return write(GroupMembers, map[string][]json.RawMessage{})
	}
	return write(GroupMembers, t.GroupMembers)
}

// idOf returns an entity's "id", or "" when it has none.
func idOf(raw json.RawMessage) string {
	var e struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	return e.ID
}
