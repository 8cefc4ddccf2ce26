package entra

import (
	"context"
	"testing"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/inventory/conformance"
)

// TestConformance: the Entra collector passes the vendor-neutral suite on
// the demo tenant and on the published examples.
func TestConformance(t *testing.T) {
	collect := func(tenant *graphreplay.Tenant) func(*testing.T) conformance.Collection {
		return func(t *testing.T) conformance.Collection {
			mem := &memory{}
			if err := tokenCollector(t, startReplay(t, graphreplay.Options{Tenant: tenant}), mem, nil).Collect(context.Background(), mem); err != nil {
				t.Fatal(err)
			}
			return conformance.Collection{Items: mem.items, Members: mem.members, Listings: mem.listings}
		}
	}
	conformance.Run(t, conformance.Opt{Vendor: "entra", Fixtures: []conformance.Fixture{
		{Name: "demo tenant", Complete: true, Members: true, Collect: collect(graphreplay.Demo()), Kinds: []inventory.Kind{inventory.KindApplication,
			inventory.KindGroup, inventory.KindAssignment, inventory.KindDomain, inventory.KindPolicy}},
		{Name: "published examples", Members: true, Collect: collect(vendorTenant(t))},
	}})
}
