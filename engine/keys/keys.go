// Package keys holds a workspace's master key: 32 random bytes kept in the OS
// keychain (never in the workspace file), from which every keyed operation
// of the console derives its own key with HKDF-SHA256, one per purpose:
// signing evidence bundles (Ed25519), the keyed digests that stand in for
// redacted vendor secrets, and the audit trail's anchor. One secret per
// workspace keeps the keychain small (a Windows credential holds 2,560 bytes)
// and makes "this file was made on this laptop" one question.
//
// Whoever holds the workspace file but not the keychain can neither forge a
// signature or an anchor nor test a guess against a redacted secret's digest.
package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/secret"
)

// Secrets is the part of the keychain the master key needs.
type Secrets interface {
	Get(ctx context.Context, workspaceID, role string) (secret.Value, error)
	Set(ctx context.Context, workspaceID, role string, v secret.Value) error
}

// Role is the keychain role the master key is stored under.
const Role = "workspace-master-key"

// Purpose names what a derived key is for; a key derived for one purpose
// says nothing about another.
type Purpose string

const (
	// EvidenceSigning seeds the Ed25519 key that signs evidence bundles.
	EvidenceSigning Purpose = "portal-migration-console/evidence-signing/v1"
	// SecretDigest keys the digests recorded in place of redacted secrets.
	SecretDigest Purpose = "portal-migration-console/secret-digest/v1"
	// AuditAnchor keys the authentication of the audit trail's head.
	AuditAnchor Purpose = "portal-migration-console/audit-anchor/v1"
)

// Master is a workspace's master key. It never prints.
type Master struct{ b []byte }

func (Master) String() string   { return "[REDACTED]" }
func (Master) GoString() string { return "[REDACTED]" }

// ErrMalformed is returned when the keychain holds something that is not a
// master key under Role.
var ErrMalformed = errors.New("the keychain's workspace master key is malformed")

// Load returns the workspace's master key, creating and storing one when the
// keychain has none yet (a workspace made before keys existed gets its key
// on first use). After storing a new key it reads it back, so two processes
// racing to create one both end up with the key that was kept.
func Load(ctx context.Context, s Secrets, workspaceID string) (Master, error) {
	v, err := s.Get(ctx, workspaceID, Role)
	if err == nil {
		return parse(v)
	}
	if !errors.Is(err, secret.ErrNotFound) {
		return Master{}, fmt.Errorf("read the workspace master key: %w", err)
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return Master{}, fmt.Errorf("make a workspace master key: %w", err)
	}
	if err := s.Set(ctx, workspaceID, Role, secret.New(hex.EncodeToString(fresh))); err != nil {
		return Master{}, fmt.Errorf("store a new workspace master key: %w", err)
	}
	if v, err = s.Get(ctx, workspaceID, Role); err != nil {
		return Master{}, fmt.Errorf("read back the workspace master key: %w", err)
	}
	return parse(v)
}

// Existing returns the master key only if the keychain already holds one:
// verifying something (an anchor, a signature) must never mint a key.
// It wraps secret.ErrNotFound when there is none.
func Existing(ctx context.Context, s Secrets, workspaceID string) (Master, error) {
	v, err := s.Get(ctx, workspaceID, Role)
	if err != nil {
		return Master{}, fmt.Errorf("read the workspace master key: %w", err)
	}
	return parse(v)
}

func parse(v secret.Value) (Master, error) {
	b, err := hex.DecodeString(v.Reveal())
	if err != nil || len(b) != 32 {
		return Master{}, ErrMalformed
	}
	return Master{b: b}, nil
}

// FromBytes builds a master key from 32 bytes (tests, and tools that verify
// without a keychain by being handed the key).
func FromBytes(b []byte) (Master, error) {
	if len(b) != 32 {
		return Master{}, ErrMalformed
	}
	return Master{b: append([]byte(nil), b...)}, nil
}

// Derive returns a 32-byte key for purpose.
func (m Master) Derive(purpose Purpose) []byte {
	if len(m.b) != 32 {
		panic("keys: Derive on a zero Master")
	}
	k, err := hkdf.Key(sha256.New, m.b, nil, string(purpose), 32)
	if err != nil { // only for lengths HKDF-SHA256 cannot produce
		panic(fmt.Sprintf("keys: derive %s: %v", purpose, err))
	}
	return k
}

// SigningKey is the workspace's Ed25519 evidence-signing key.
func (m Master) SigningKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(m.Derive(EvidenceSigning))
}

// MAC returns the hex HMAC-SHA256 of data under the key derived for purpose.
func (m Master) MAC(purpose Purpose, data []byte) string {
	h := hmac.New(sha256.New, m.Derive(purpose))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint is the SHA-256 of the public signing key, in hex: what a
// report prints so a reader can match a bundle's signature to a workspace.
func (m Master) Fingerprint() string {
	pub := m.SigningKey().Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}
