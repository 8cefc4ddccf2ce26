package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
)

// SecretStatuses is implemented by an Inventory that can say whether the
// secrets an item's migration needs (a provider's client secret) are held
// in the keychain; the item detail shows them when it is.
type SecretStatuses interface {
	ItemSecrets(ctx context.Context, snapshotID string, id int64) ([]inventory.SecretStatus, error)
}

func itemSecrets(ctx context.Context, inv Inventory, it inventory.StoredItem) ([]inventory.SecretStatus, error) {
	s, ok := inv.(SecretStatuses)
	if !ok || it.Kind != inventory.KindProvider {
		return nil, nil
	}
	return s.ItemSecrets(ctx, it.SnapshotID, it.ID)
}

// secretsSection lists an item's needed secrets; hidden when it has none.
type secretsSection struct {
	heading, lines *widget.Label
}

func newSecretsSection() *secretsSection {
	s := &secretsSection{heading: sectionHeading("Secrets the migration needs"), lines: widget.NewLabel("")}
	s.lines.Wrapping = fyne.TextWrapWord
	return s
}

func (s *secretsSection) show(st []inventory.SecretStatus) {
	if len(st) == 0 {
		s.heading.Hide()
		s.lines.Hide()
		s.lines.SetText("")
		return
	}
	s.lines.SetText(SecretLines(st))
	s.heading.Show()
	s.lines.Show()
}

// SecretLines renders secret statuses: "client_secret: secret held in the
// keychain", or not available and why. The value itself is never shown:
// the raw payload holds its redaction marker.
func SecretLines(st []inventory.SecretStatus) string {
	lines := make([]string, 0, len(st))
	for _, s := range st {
		line := fmt.Sprintf("%s: %s", s.Name, s.Summary)
		if s.Reason != "" {
			line += " — " + s.Reason
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func valuesCount(n int) string {
	if n == 1 {
		return "1 value"
	}
	return fmt.Sprintf("%d values", n)
}
