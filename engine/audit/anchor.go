package audit

import (
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/keys"
)

// The hash chain proves that the entries in the file agree with each
// other. Whoever holds the file can still recompute the whole chain after
// an edit, delete every entry, or put back an older copy, and the file
// alone cannot tell. Two facts kept with the workspace's key, which lives
// in the OS keychain and never in the file, close that gap
// (docs/audit-trail.md):
//
//   - the seal: every append also stores an HMAC of the new head (workspace
//     id, sequence number, hash) in the file's head, in the same
//     transaction, so a head written without the key is recognised;
//   - the anchor: the keychain keeps the latest sealed head, written by the
//     Anchorer after commits (coalesced) and at close, so the file can be
//     compared with what this machine last saw of it.

// AuditTrailAnchored is an extension event: the trail was anchored in this
// machine's keychain for the first time, or entries appended without the
// workspace's key were adopted into the anchored trail. Its facts say which
// (reason) and what the anchor covered before.
const AuditTrailAnchored = "migration.audit_trail.anchored"

// Anchor reasons, the reason fact of AuditTrailAnchored.
const (
	// AnchorFirst: the keychain held no anchor for this workspace.
	AnchorFirst = "first_anchor"
	// AnchorAdopted: entries after the anchor carried no valid seal.
	AnchorAdopted = "adopted_unsealed"
	// AnchorAccepted: the operator accepted the file as it is after it was
	// found rolled back or rewritten (migctl audit reanchor).
	AnchorAccepted = "accepted_by_operator"
)

// Errors an AnchorStore returns.
var (
	// ErrNoAnchor: the store holds no anchor for the workspace.
	ErrNoAnchor = errors.New("no audit anchor is stored for this workspace")
	// ErrAnchorMalformed: the store holds something that is not an anchor.
	ErrAnchorMalformed = errors.New("the stored audit anchor is malformed")
)

// Sealer authenticates one workspace's trail heads with the key derived
// from its master key for keys.AuditAnchor.
type Sealer struct {
	master      keys.Master
	workspaceID string
}

// NewSealer returns the sealer of workspaceID's trail.
func NewSealer(m keys.Master, workspaceID string) *Sealer {
	return &Sealer{master: m, workspaceID: workspaceID}
}

// Seal returns h's seal. The workspace id is part of what is sealed, so a
// head cannot be moved from one workspace to another.
func (s *Sealer) Seal(h Head) string {
	return s.master.MAC(keys.AuditAnchor, fmt.Appendf(nil, "portal-migration-console audit head v1\nworkspace %s\nseq %d\nhash %s\n", s.workspaceID, h.Seq, h.Hash))
}

// Valid reports whether h.Seal is h's seal under this key.
func (s *Sealer) Valid(h Head) bool {
	return h.Seal != "" && hmac.Equal([]byte(h.Seal), []byte(s.Seal(h)))
}
