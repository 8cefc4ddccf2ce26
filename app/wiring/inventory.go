package wiring

import (
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func newInventory(db *workspacedb.DB, kc *keychain.Keychain, vendors vendor.Registry, actor string) *inventory.Service {
	return &inventory.Service{
		Store:      workspacedb.InventoryStore(db),
		Secrets:    kc,
		Incumbents: vendors,
		Actor:      actor,
	}
}
