package okta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// RebuildView is the Okta inventory.ViewBuilder: it normalizes the raw
// payload of an item stored before views existed again, with the context
// its listing gave (the policy of a rule from its ref, the app of an
// assignment from its source id) and the signing certificate the old
// normalizer kept among its fields (read from the app's or IdP key store's
// page, which the item's raw payload does not hold). Group rules were not
// read then, so a rebuilt group's RuleBased is Unknown; an assignment's app
// name is resolved from the snapshot by the caller when it can be.
func RebuildView(li inventory.LegacyItem) (inventory.Item, error) {
	raw := li.Raw
	keys := legacyKeys(li.Legacy)
	policyID := ""
	for _, r := range li.Refs {
		if r.Role == "policy" {
			policyID = r.SourceID
		}
	}
	appID, _, _ := strings.Cut(li.SourceID, "/")
	switch li.Kind {
	case inventory.KindApplication:
		return NormalizeApp(raw, keys, li.CollectedAt)
	case inventory.KindProvider:
		return NormalizeIdP(raw, keys)
	case inventory.KindRoutingRule:
		return NormalizeRoutingRule(raw, policyID)
	case inventory.KindPolicy:
		if typ, ok := strings.CutSuffix(li.Subtype, "_RULE"); ok {
			return NormalizePolicyRule(raw, policyID, typ)
		}
		return NormalizePolicy(raw)
	case inventory.KindGroup:
		return NormalizeGroup(raw, nil)
	case inventory.KindAssignment:
		if li.Subtype == "user" {
			return NormalizeAppUser(raw, AppRef{ID: appID})
		}
		return NormalizeAppGroup(raw, AppRef{ID: appID})
	case inventory.KindDomain:
		return NormalizeDomain(raw)
	}
	return inventory.Item{}, fmt.Errorf("okta: no normalizer for kind %q", li.Kind)
}

// legacyKeys reads the signing certificate old normalizers kept as the
// "signing_certificate" field.
func legacyKeys(legacy map[string]any) map[string]SigningKey {
	v, ok := legacy["signing_certificate"]
	if !ok {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var k SigningKey
	if json.Unmarshal(b, &k) != nil || k.Kid == "" {
		return nil
	}
	return map[string]SigningKey{k.Kid: k}
}
