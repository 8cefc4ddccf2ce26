package wiring

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// redactStored finishes the upgrade of a workspace collected before vendor
// secrets were redacted at the evidence transport: its stored page bodies,
// items (raw payloads, legacy fields, views) and search index are redacted
// in place (the keyed digests need the
// workspace key, hence here and not in a schema migration), the WAL is
// truncated, and the pre-upgrade backups, which hold the secrets in plain,
// are removed. A file with nothing pending is left alone, bar removing any
// such backup an interrupted run left behind.
func (w *Workspace) redactStored(ctx context.Context) error {
	up := inventory.RedactionUpgrade{
		Store:   workspacedb.RedactionStore(w.DB),
		Secrets: w.Keychain,
		Views:   viewBuilders(w.Vendors),
		Actor:   w.Inventory.Actor,
	}
	for _, v := range w.Vendors.Vendors() {
		up.Catalogue = append(up.Catalogue, v.PayloadSecrets()...)
	}
	rep, err := up.Run(ctx)
	if err != nil {
		return fmt.Errorf("%s holds inventory collected before vendor secrets were redacted, and redacting it failed: %w; "+
			"open it where its keychain is reachable to finish (nothing was lost: what was not redacted yet is redacted then)", w.Path, err)
	}
	if rep.Ran {
		if err := w.DB.Checkpoint(ctx); err != nil {
			return err
		}
	}
	if _, err := w.DB.RemoveUnredactedBackups(ctx, rep.Ran); err != nil {
		return err
	}
	return nil
}
