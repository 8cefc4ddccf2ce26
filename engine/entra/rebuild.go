package entra

import (
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// RebuildView is the Entra inventory.ViewBuilder: it normalizes the raw
// payload of an item stored before views existed again. What the old
// listing context gave is not stored, so a rebuilt service principal's
// origin is Unknown unless Microsoft or a managed identity owns it, and an
// app registration's protocol comes from its own settings only.
func RebuildView(li inventory.LegacyItem) (inventory.Item, error) {
	tc := tenantContext{Now: li.CollectedAt}
	switch li.Kind {
	case inventory.KindApplication:
		if li.Subtype == "app_registration" {
			return normalizeApplication(li.Raw, tc)
		}
		return normalizeServicePrincipal(li.Raw, tc)
	case inventory.KindGroup:
		return normalizeGroup(li.Raw)
	case inventory.KindDomain:
		return normalizeDomain(li.Raw)
	case inventory.KindPolicy:
		return normalizePolicy(li.Raw)
	case inventory.KindAssignment:
		spID, _, _ := strings.Cut(li.SourceID, "/")
		return normalizeAssignment(spID, li.Raw)
	}
	return inventory.Item{}, fmt.Errorf("entra: no normalizer for kind %q", li.Kind)
}
