package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Vendor secrets a migration needs (a catalogue field with Keep, such as an
// upstream provider's client secret) are redacted from the evidence like
// every other secret, and their plain values go to the OS keychain under
// workspace.VendorSecretRole. Only the cutover stage reads them back, through
// MigrationSecret; views show SecretStatus.

// ErrSecretNotAvailable is wrapped by MigrationSecret when the keychain has
// no usable value; the error says why.
var ErrSecretNotAvailable = errors.New("secret not available")

// SecretState is whether a secret the migration needs can be had.
type SecretState string

const (
	SecretHeld         SecretState = "held_in_keychain"
	SecretNotAvailable SecretState = "not_available"
)

// SecretStatus is what the console can say of one secret an item's
// migration needs.
type SecretStatus struct {
	// Field is the catalogue path ("protocol.credentials.client.client_secret"),
	// Name its last member ("client_secret").
	Field string      `json:"field"`
	Name  string      `json:"name"`
	State SecretState `json:"state"`
	// Summary is the sentence a view shows: "secret held in the keychain"
	// or "secret not available"; Reason says why it is not.
	Summary string `json:"summary"`
	Reason  string `json:"reason,omitempty"`
	// Digest is the keyed digest of the collected value (its marker's).
	Digest string `json:"digest,omitempty"`
}

func held(f redact.Field, digest string) SecretStatus {
	return SecretStatus{Field: f.Path, Name: lastMember(f.Path), State: SecretHeld, Summary: "secret held in the keychain", Digest: digest}
}

func unavailable(f redact.Field, digest, reason string) SecretStatus {
	return SecretStatus{Field: f.Path, Name: lastMember(f.Path), State: SecretNotAvailable, Summary: "secret not available", Reason: reason, Digest: digest}
}

func lastMember(p string) string {
	p = p[strings.LastIndex(p, ".")+1:]
	return strings.TrimSuffix(p, "[]")
}

// redactor builds the redactor of one collection: the source's catalogue
// (its incumbent's PayloadSecrets; the vendor-neutral rules apply even to
// none), digests keyed by the workspace key (made on first use).
func (s *Service) redactor(ctx context.Context, ws workspace.Workspace, fields []redact.Field) (*redact.Redactor, error) {
	master, err := keys.Load(ctx, s.Secrets, ws.ID)
	if err != nil {
		return nil, fmt.Errorf("the workspace key that digests redacted secrets: %w", err)
	}
	r, err := redact.New(fields, digester(master))
	if err != nil {
		return nil, fmt.Errorf("the catalogue of secret fields: %w", err)
	}
	return r, nil
}

func digester(m keys.Master) func([]byte) string {
	return func(v []byte) string { return m.MAC(keys.SecretDigest, v) }
}

// secretTally counts what became of the secrets of one collection.
type secretTally struct {
	mu                      sync.Mutex
	redacted, kept, notKept int
	firstError              string
}

// keepSecrets puts the plain value of each Keep redaction in the keychain.
// A value that cannot be kept does not stop the collection: the item then
// says "secret not available", and the collected audit entry counts it.
func (r *run) keepSecrets(ctx context.Context, reds []redact.Redaction) {
	t := &r.secrets
	t.mu.Lock()
	t.redacted += len(reds)
	t.mu.Unlock()
	for _, red := range reds {
		if !red.Keep {
			continue
		}
		var err error
		if red.ResourceID == "" {
			err = fmt.Errorf("the payload holding %s has no id to file it under", red.Pointer)
		} else {
			err = r.s.Secrets.Set(ctx, r.workspaceID, workspace.VendorSecretRole(r.sourceID, red.ResourceID, red.Path), red.Value())
		}
		t.mu.Lock()
		if err != nil {
			t.notKept++
			if t.firstError == "" {
				t.firstError = err.Error()
			}
		} else {
			t.kept++
		}
		t.mu.Unlock()
	}
}

// secretFacts are the collected audit entry's facts about secrets.
func (r *run) secretFacts() map[string]string {
	t := &r.secrets
	t.mu.Lock()
	defer t.mu.Unlock()
	facts := map[string]string{
		"secrets_redacted":         fmt.Sprint(t.redacted),
		"secrets_kept_in_keychain": fmt.Sprint(t.kept),
	}
	if t.notKept > 0 {
		facts["secrets_not_kept"] = fmt.Sprint(t.notKept)
		facts["secrets_not_kept_reason"] = t.firstError
	}
	return facts
}

// itemContext is what a secret lookup needs of a stored item.
type itemContext struct {
	ws   workspace.Workspace
	snap Snapshot
	item StoredItem
}

func (s *Service) itemContext(ctx context.Context, snapshotID string, itemID int64) (itemContext, error) {
	var ic itemContext
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ic.ws, err = tx.Workspace(); err != nil {
			return err
		}
		if ic.snap, err = tx.Snapshot(snapshotID); err != nil {
			return err
		}
		ic.item, err = tx.Item(snapshotID, itemID)
		return err
	})
	if err != nil {
		return ic, fmt.Errorf("item %d: %w", itemID, err)
	}
	return ic, nil
}

// keepFields are the catalogue fields of a source kind's payloads that a
// migration needs, and the platform's name; no fields for a kind this
// build does not know.
func (s *Service) keepFields(kind workspace.SourceKind) ([]redact.Field, string) {
	if s.Incumbents == nil {
		return nil, string(kind)
	}
	inc, err := s.Incumbents.Incumbent(kind)
	if err != nil {
		return nil, string(kind)
	}
	var out []redact.Field
	for _, f := range inc.PayloadSecrets() {
		if f.Keep {
			out = append(out, f)
		}
	}
	return out, inc.Label()
}

// ItemSecrets reports, for each secret the item's migration needs, whether
// the keychain holds it. An item that needs none (a SAML provider, a group)
// gets an empty list. A field the vendor's payload did not carry, or
// carried masked, is reported not available only when no other needed
// field of the item was carried (an Apple provider has a private key and no
// client secret).
func (s *Service) ItemSecrets(ctx context.Context, snapshotID string, itemID int64) ([]SecretStatus, error) {
	ic, err := s.itemContext(ctx, snapshotID, itemID)
	if err != nil {
		return nil, err
	}
	out := []SecretStatus{}
	var absent []SecretStatus
	fields, vendor := s.keepFields(ic.snap.SourceKind)
	for _, f := range fields {
		values, parent, err := redact.Find(ic.item.Raw, f.Path)
		if err != nil {
			return nil, fmt.Errorf("item %d: read its payload: %w", itemID, err)
		}
		switch {
		case len(values) > 0:
			m, ok := redact.ParseMarker(values[0])
			if !ok {
				out = append(out, unavailable(f, "", "the collected value is not a redaction marker; collect again"))
				continue
			}
			out = append(out, s.SecretStatus(ctx, ic.ws.ID, ic.snap.SourceID, ic.item.SourceID, f, m.Digest))
		case parent:
			absent = append(absent, unavailable(f, "", fmt.Sprintf("%s did not return it", vendor)))
		}
	}
	if len(out) == 0 {
		out = append(out, absent...)
	}
	return out, nil
}

// SecretStatus says whether the keychain holds the value of field of one
// resource (source id, the resource's own id) whose collected value has
// digest (from its marker).
func (s *Service) SecretStatus(ctx context.Context, workspaceID, sourceID, resourceID string, f redact.Field, digest string) SecretStatus {
	_, err := s.vendorSecret(ctx, workspaceID, sourceID, resourceID, f.Path, digest)
	if err != nil {
		return unavailable(f, digest, strings.TrimPrefix(err.Error(), ErrSecretNotAvailable.Error()+": "))
	}
	return held(f, digest)
}

// vendorSecret reads a vendor secret from the keychain and checks it is the
// value collected with digest.
func (s *Service) vendorSecret(ctx context.Context, workspaceID, sourceID, resourceID, fieldPath, digest string) (secret.Value, error) {
	master, err := keys.Existing(ctx, s.Secrets, workspaceID)
	if err != nil {
		return secret.Value{}, fmt.Errorf("%w: the workspace key is not in this keychain (%v)", ErrSecretNotAvailable, err)
	}
	v, err := s.Secrets.Get(ctx, workspaceID, workspace.VendorSecretRole(sourceID, resourceID, fieldPath))
	switch {
	case errors.Is(err, secret.ErrNotFound):
		return secret.Value{}, fmt.Errorf("%w: the keychain holds no copy; collect the source again on this computer", ErrSecretNotAvailable)
	case err != nil:
		return secret.Value{}, fmt.Errorf("%w: %v", ErrSecretNotAvailable, err)
	}
	if master.MAC(keys.SecretDigest, []byte(v.Reveal())) != digest {
		return secret.Value{}, fmt.Errorf("%w: the keychain holds a different value (from another collection); collect the source again", ErrSecretNotAvailable)
	}
	return v, nil
}

// MigrationSecret returns the plain value of a secret the migration needs:
// field (a catalogue path with Keep) of the item in the snapshot, read from
// the keychain and checked against the digest collected in that snapshot,
// so the cutover uses exactly the value it planned from. It is the only way
// the engine reads a vendor secret back; errors wrap ErrSecretNotAvailable.
func (s *Service) MigrationSecret(ctx context.Context, snapshotID string, itemID int64, field string) (secret.Value, error) {
	ic, err := s.itemContext(ctx, snapshotID, itemID)
	if err != nil {
		return secret.Value{}, err
	}
	fields, vendor := s.keepFields(ic.snap.SourceKind)
	needed := false
	for _, f := range fields {
		needed = needed || f.Path == field
	}
	if !needed {
		return secret.Value{}, fmt.Errorf("%s of %s is not a secret the migration keeps", field, ic.item.SourceID)
	}
	values, _, err := redact.Find(ic.item.Raw, field)
	if err != nil {
		return secret.Value{}, fmt.Errorf("item %d: read its payload: %w", itemID, err)
	}
	if len(values) == 0 {
		return secret.Value{}, fmt.Errorf("%w: %s did not return %s for %s", ErrSecretNotAvailable, vendor, lastMember(field), ic.item.DisplayName)
	}
	m, ok := redact.ParseMarker(values[0])
	if !ok {
		return secret.Value{}, fmt.Errorf("%w: %s of %s was not redacted when collected", ErrSecretNotAvailable, lastMember(field), ic.item.DisplayName)
	}
	v, err := s.vendorSecret(ctx, ic.ws.ID, ic.snap.SourceID, ic.item.SourceID, field, m.Digest)
	if err != nil {
		return secret.Value{}, fmt.Errorf("%s of %s: %w", lastMember(field), ic.item.DisplayName, err)
	}
	return v, nil
}
