package workspacedb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
)

// storedForm is a page body's stored digest and redaction record. The
// digest is computed here from the bytes about to be stored; a page that
// carries its own must agree.
func storedForm(p inventory.Page) (string, string, error) {
	sum := sha256.Sum256(p.Body)
	stored := hex.EncodeToString(sum[:])
	if p.StoredSHA256 != "" && p.StoredSHA256 != stored {
		return "", "", fmt.Errorf("evidence page %d: its stored body hashes to %s, not the %s it claims", p.PageID, stored, p.StoredSHA256)
	}
	reds := p.Redactions
	if reds == nil {
		reds = []redact.Redaction{}
	}
	b, err := json.Marshal(reds)
	if err != nil {
		return "", "", fmt.Errorf("encode the redaction record of evidence page %d: %w", p.PageID, err)
	}
	return stored, string(b), nil
}
