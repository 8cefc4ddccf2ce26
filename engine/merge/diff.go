package merge

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wI2L/jsondiff"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// Outcome is what the cutover does with one field of a decision.
type Outcome string

const (
	// KeptFromTarget: the decision maps to the live object, which the
	// cutover never modifies; its value stays.
	KeptFromTarget Outcome = "kept_from_target"
	// SetOnCreate: the decision creates a new object with the incumbent's
	// value (or the new name).
	SetOnCreate Outcome = "set_on_create"
	// NotMigrated: the decision skips the item; its value goes nowhere.
	NotMigrated Outcome = "not_migrated"
	// Undecided: the row is pending; the outcome follows the decision.
	Undecided Outcome = "undecided"
)

// FieldRow is one field of the Portal noun's shape: the incumbent's value
// mapped to that shape, the live object's value as read, whether they
// differ, and what the cutover will do.
type FieldRow struct {
	Field     string  `json:"field"`
	Incumbent string  `json:"incumbent"`
	Target    string  `json:"target"`
	Differs   bool    `json:"differs"`
	Outcome   Outcome `json:"outcome"`
}

// TargetDiff is the field-by-field comparison of the incumbent item with
// one matched resource.
type TargetDiff struct {
	TargetID string     `json:"target_id"`
	Name     string     `json:"name"`
	Fields   []FieldRow `json:"fields"`
	// Patch is the RFC 6902 patch that turns the live object's shape into
	// the incumbent's, as jsondiff computed it.
	Patch jsondiff.Patch `json:"patch"`
}

// diffsOf compares d's item with each of its matched resources.
func diffsOf(tx Tx, d Decision) ([]TargetDiff, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return nil, err
	}
	snapshot := ""
	for _, r := range runs {
		if r.ID == d.RunID {
			snapshot = r.SnapshotID
		}
	}
	items, err := tx.ItemViews(snapshot, []int64{d.ItemID})
	if err != nil {
		return nil, err
	}
	if len(items) != 1 {
		return nil, fmt.Errorf("item %d of decision %s is not in snapshot %s", d.ItemID, d.ID, snapshot)
	}
	name := func(kind inventory.Kind, id string) string {
		it, ok, err := tx.ItemBySource(snapshot, kind, id)
		if err != nil || !ok {
			return id
		}
		return it.DisplayName
	}
	inc := incumbentShape(d.Noun, &items[0], name)
	out := make([]TargetDiff, 0, len(d.Matched))
	for _, m := range d.Matched {
		td, err := Diff(d, inc, m)
		if err != nil {
			return nil, err
		}
		out = append(out, td)
	}
	return out, nil
}

// Diff compares an incumbent shape with one matched resource.
func Diff(d Decision, incumbent map[string]any, m MatchedResource) (TargetDiff, error) {
	target, err := targetShape(m)
	if err != nil {
		return TargetDiff{}, err
	}
	patch, err := jsondiff.Compare(target, incumbent, jsondiff.Equivalent())
	if err != nil {
		return TargetDiff{}, fmt.Errorf("diff %s with %s: %w", d.DisplayName, m.TargetID, err)
	}
	inc, tgt := flatten("", incumbent), flatten("", target)
	fields := map[string]bool{}
	for f := range inc {
		fields[f] = true
	}
	for f := range tgt {
		fields[f] = true
	}
	order := fieldOrder[d.Noun]
	keys := make([]string, 0, len(fields))
	for f := range fields {
		keys = append(keys, f)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := slices.Index(order, keys[i]), slices.Index(order, keys[j])
		if a < 0 {
			a = len(order)
		}
		if b < 0 {
			b = len(order)
		}
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	td := TargetDiff{TargetID: m.TargetID, Name: m.Name, Patch: patch}
	for _, f := range keys {
		row := FieldRow{Field: f, Incumbent: show(inc[f], ok(inc, f)), Target: show(tgt[f], ok(tgt, f)), Outcome: outcome(d, m.TargetID)}
		for _, op := range patch {
			if op.Path == "/"+f || strings.HasPrefix(op.Path, "/"+f+"/") {
				row.Differs = true
			}
		}
		if f == "name" && d.Resolution == CreateNew && d.NewName != "" {
			row.Incumbent = d.NewName + " (new name; was " + row.Incumbent + ")"
		}
		td.Fields = append(td.Fields, row)
	}
	return td, nil
}

func ok(m map[string]any, k string) bool { _, found := m[k]; return found }

// outcome is what the cutover does with the fields of the item when
// compared against targetID.
func outcome(d Decision, targetID string) Outcome {
	switch d.Resolution {
	case MapToExisting:
		if d.TargetID == targetID {
			return KeptFromTarget
		}
		return NotMigrated // mapped to another matched object
	case CreateNew:
		return SetOnCreate
	case Skip:
		return NotMigrated
	}
	return Undecided
}

// fieldOrder lists each noun's fields in the order the contract names them.
var fieldOrder = map[assessment.Noun][]string{
	assessment.NounUpstreamProvider: {"name", "type", "saml/entity_id", "saml/sso_url", "saml/signing_certificate_sha256", "oidc/issuer", "oidc/client_id"},
	assessment.NounRoutingRule:      {"name", "domains", "provider", "priority"},
	assessment.NounGroup:            {"name", "description"},
	assessment.NounApplication:      {"name", "redirect_uris", "grant_types", "client_type"},
	assessment.NounAppAssignment:    {"application", "group"},
}

// flatten turns nested objects into "a/b" paths; arrays stay values.
func flatten(prefix string, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "/" + k
		}
		if sub, isMap := v.(map[string]any); isMap {
			for sk, sv := range flatten(p, sub) {
				out[sk] = sv
			}
			continue
		}
		out[p] = v
	}
	return out
}

func show(v any, present bool) string {
	if !present || v == nil {
		return "—"
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return "(empty)"
		}
		return x
	case []string:
		if len(x) == 0 {
			return "(none)"
		}
		return strings.Join(x, ", ")
	case []any:
		if len(x) == 0 {
			return "(none)"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// unknown is how a fact the incumbent did not give reads in the shape.
const unknown = "(unknown)"

// incumbentShape maps an incumbent item's view to the Portal noun's shape
// (engine/portal/openapi.yaml): the fields a create would send. name looks
// up another item of the snapshot by kind and source id.
func incumbentShape(noun assessment.Noun, it *inventory.StoredItem, name func(inventory.Kind, string) string) map[string]any {
	v := it.View
	switch noun {
	case assessment.NounUpstreamProvider:
		out := map[string]any{"name": it.DisplayName}
		if p := v.Provider; p != nil {
			switch p.Protocol {
			case inventory.ProviderSAML:
				fp := unknown
				for _, c := range p.SigningCertificates {
					if c.SHA256Fingerprint != "" && c.Error == "" {
						fp = c.SHA256Fingerprint
						break
					}
				}
				out["type"] = "saml"
				out["saml"] = map[string]any{"entity_id": orUnknown(p.Issuer), "sso_url": orUnknown(p.SSOURL), "signing_certificate_sha256": fp}
			default:
				out["type"] = "oidc"
				out["oidc"] = map[string]any{"issuer": orUnknown(p.Issuer), "client_id": orUnknown(p.ClientID)}
			}
		}
		return out
	case assessment.NounRoutingRule:
		out := map[string]any{"name": it.DisplayName}
		switch {
		case v.RoutingRule != nil:
			r := v.RoutingRule
			out["domains"] = domainList(r.Domains)
			out["priority"] = r.Priority
			var provs []string
			for _, p := range r.Providers {
				if p.ID != "" {
					provs = append(provs, name(inventory.KindProvider, p.ID))
				} else {
					provs = append(provs, p.Type)
				}
			}
			out["provider"] = strings.Join(provs, ", ")
		case v.Domain != nil:
			out["domains"] = domainList([]string{v.Domain.Name})
		}
		return out
	case assessment.NounGroup:
		out := map[string]any{"name": groupName(it)}
		if g := v.Group; g != nil {
			out["description"] = g.Description
		}
		return out
	case assessment.NounApplication:
		out := map[string]any{"name": it.DisplayName}
		if a := v.Application; a != nil && a.OIDC != nil {
			out["redirect_uris"] = sortedCopy(a.OIDC.RedirectURIs)
			out["grant_types"] = sortedCopy(a.OIDC.GrantTypes)
			if len(a.OIDC.GrantTypes) == 0 {
				// Graph implies grant types from the platforms; it lists none.
				out["grant_types"] = unknown
			}
			switch a.OIDC.Confidential {
			case inventory.Yes:
				out["client_type"] = string(api.Confidential)
			case inventory.No:
				out["client_type"] = string(api.Public)
			default:
				out["client_type"] = unknown
			}
		} else if a != nil {
			out["redirect_uris"] = "(" + string(a.Protocol) + " application: no OIDC redirect URIs)"
		}
		return out
	case assessment.NounAppAssignment:
		if a := v.Assignment; a != nil {
			return map[string]any{"application": orID(a.AppName, a.AppID), "group": orID(a.PrincipalName, a.PrincipalID)}
		}
	}
	return map[string]any{"name": it.DisplayName}
}

// targetShape maps a matched resource's object to the same shape.
func targetShape(m MatchedResource) (map[string]any, error) {
	dec := func(v any) error {
		if err := json.Unmarshal(m.Object, v); err != nil {
			return fmt.Errorf("read live %s %s as stored: %w", m.Noun, m.TargetID, err)
		}
		return nil
	}
	switch m.Noun {
	case assessment.NounUpstreamProvider:
		var p api.UpstreamProvider
		if err := dec(&p); err != nil {
			return nil, err
		}
		out := map[string]any{"name": p.Name, "type": string(p.Type)}
		if p.Saml != nil {
			fp := certFingerprint(p.Saml.SigningCertificate)
			if fp == "" {
				fp = "(does not parse)"
			}
			out["saml"] = map[string]any{"entity_id": p.Saml.EntityId, "sso_url": p.Saml.SsoUrl, "signing_certificate_sha256": fp}
		}
		if p.Oidc != nil {
			out["oidc"] = map[string]any{"issuer": p.Oidc.Issuer, "client_id": p.Oidc.ClientId}
		}
		return out, nil
	case assessment.NounRoutingRule:
		var r api.RoutingRule
		if err := dec(&r); err != nil {
			return nil, err
		}
		return map[string]any{"name": r.Name, "domains": domainList(r.Domains), "priority": r.Priority,
			"provider": orID(m.Refs["provider"], r.ProviderId)}, nil
	case assessment.NounGroup:
		var g api.Group
		if err := dec(&g); err != nil {
			return nil, err
		}
		return map[string]any{"name": g.Name, "description": g.Description}, nil
	case assessment.NounApplication:
		var a api.Application
		if err := dec(&a); err != nil {
			return nil, err
		}
		grants := make([]string, len(a.GrantTypes))
		for i, g := range a.GrantTypes {
			grants[i] = string(g)
		}
		return map[string]any{"name": a.Name, "redirect_uris": sortedCopy(a.RedirectUris), "grant_types": sortedCopy(grants),
			"client_type": string(a.ClientType)}, nil
	case assessment.NounAppAssignment:
		var a api.AppAssignment
		if err := dec(&a); err != nil {
			return nil, err
		}
		return map[string]any{"application": orID(m.Refs["application"], a.AppId), "group": orID(m.Refs["group"], a.GroupId)}, nil
	}
	return nil, fmt.Errorf("no live noun %q", m.Noun)
}

func orUnknown(s string) string {
	if s == "" {
		return unknown
	}
	return s
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func domainList(ds []string) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, DomainKey(d))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}
