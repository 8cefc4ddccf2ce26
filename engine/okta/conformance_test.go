package okta_test

import (
	"context"
	"fmt"
	"testing"

	demo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/inventory/conformance"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

// TestConformance: the Okta collector passes the vendor-neutral suite on
// the demo org and on every org the published examples fill.
func TestConformance(t *testing.T) {
	collect := func(org *oktareplay.Org) func(*testing.T) conformance.Collection {
		return func(t *testing.T) conformance.Collection {
			srv, rec := oktareplay.Start(t, org, oktareplay.Options{}), &recorder{}
			if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			return conformance.Collection{Items: rec.items, Members: rec.members, Listings: rec.listings}
		}
	}
	demoOrg, err := oktareplay.LoadFS(demo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	fixtures := []conformance.Fixture{{Name: "demo org", Complete: true, Members: true, Kinds: inventory.Kinds, Collect: collect(demoOrg)}}
	vendorOrgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	for i, org := range vendorOrgs {
		fixtures = append(fixtures, conformance.Fixture{Name: fmt.Sprintf("published examples %d", i+1), Members: org.Memberships() > 0, Collect: collect(org)})
	}
	conformance.Run(t, conformance.Opt{Vendor: "okta", Fixtures: fixtures})
}
