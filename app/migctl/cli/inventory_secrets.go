package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/portal-id/migration-console/engine/inventory"
)

// shownItem is an item of inventory show: the stored item and, for a
// provider, whether the secrets its migration needs are in the keychain.
type shownItem struct {
	inventory.StoredItem
	Secrets []inventory.SecretStatus `json:"secrets,omitempty"`
}

func withSecrets(ctx context.Context, inv *inventory.Service, items []inventory.StoredItem) ([]shownItem, error) {
	out := make([]shownItem, 0, len(items))
	for _, it := range items {
		si := shownItem{StoredItem: it}
		if it.Kind == inventory.KindProvider {
			st, err := inv.ItemSecrets(ctx, it.SnapshotID, it.ID)
			if err != nil {
				return nil, err
			}
			si.Secrets = st
		}
		out = append(out, si)
	}
	return out, nil
}

func printSecrets(out io.Writer, items []shownItem) {
	header := false
	for _, it := range items {
		for _, s := range it.Secrets {
			if !header {
				fmt.Fprintln(out, "\nSecrets the migration needs:")
				header = true
			}
			line := fmt.Sprintf("  %s: %s: %s", clip(oneLine(it.DisplayName), 40), s.Name, s.Summary)
			if s.Reason != "" {
				line += " (" + s.Reason + ")"
			}
			fmt.Fprintln(out, line)
		}
	}
}
