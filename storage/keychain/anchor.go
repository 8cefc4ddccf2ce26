package keychain

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/secret"
)

// AnchorRole is the keychain role of a workspace's audit anchor: the latest
// sealed head of its trail (engine/audit). The value is not secret (the
// seal is what makes it trustworthy); the keychain is where it is kept
// because it is outside the workspace file.
const AnchorRole = "audit-anchor"

// anchorPattern is the stored form: "v1 <seq> <hash> <seal>".
var anchorPattern = regexp.MustCompile(`^v1 ([1-9][0-9]{0,18}) ([0-9a-f]{64}) ([0-9a-f]{64})$`)

var _ audit.AnchorStore = (*Keychain)(nil)

// LoadAnchor implements audit.AnchorStore.
func (k *Keychain) LoadAnchor(ctx context.Context, workspaceID string) (audit.Head, error) {
	v, err := k.Get(ctx, workspaceID, AnchorRole)
	if errors.Is(err, ErrNotFound) {
		return audit.Head{}, fmt.Errorf("%w: %w", audit.ErrNoAnchor, err)
	}
	if err != nil {
		return audit.Head{}, err
	}
	m := anchorPattern.FindStringSubmatch(v.Reveal())
	if m == nil {
		return audit.Head{}, fmt.Errorf("%w (keychain entry %s/%s)", audit.ErrAnchorMalformed, workspaceID, AnchorRole)
	}
	seq, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return audit.Head{}, fmt.Errorf("%w (keychain entry %s/%s)", audit.ErrAnchorMalformed, workspaceID, AnchorRole)
	}
	return audit.Head{Seq: seq, Hash: m[2], Seal: m[3]}, nil
}

// SaveAnchor implements audit.AnchorStore.
func (k *Keychain) SaveAnchor(ctx context.Context, workspaceID string, h audit.Head) error {
	v := fmt.Sprintf("v1 %d %s %s", h.Seq, h.Hash, h.Seal)
	if !anchorPattern.MatchString(v) {
		return fmt.Errorf("store the audit anchor: head %d is not a sealed head", h.Seq)
	}
	return k.Set(ctx, workspaceID, AnchorRole, secret.New(v))
}
