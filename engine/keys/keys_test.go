package keys

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/portal-id/migration-console/engine/secret"
)

// memSecrets is a keychain in memory; the real keychain's behaviour
// (not-found wrapping secret.ErrNotFound) is tested in storage/keychain.
type memSecrets struct {
	mu   sync.Mutex
	m    map[string]secret.Value
	sets int
}

func (s *memSecrets) Get(_ context.Context, ws, role string) (secret.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[ws+"/"+role]
	if !ok {
		return secret.Value{}, fmt.Errorf("read %s/%s: %w", ws, role, secret.ErrNotFound)
	}
	return v, nil
}

func (s *memSecrets) Set(_ context.Context, ws, role string, v secret.Value) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]secret.Value{}
	}
	s.m[ws+"/"+role] = v
	s.sets++
	return nil
}

func TestLoadCreatesOnceAndReturnsTheSameKey(t *testing.T) {
	ctx := context.Background()
	s := &memSecrets{}
	a, err := Load(ctx, s, "ws1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(ctx, s, "ws1")
	if err != nil {
		t.Fatal(err)
	}
	if s.sets != 1 {
		t.Fatalf("keychain written %d times, want once", s.sets)
	}
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatal("a second Load returned another key")
	}
	other, err := Load(ctx, s, "ws2")
	if err != nil {
		t.Fatal(err)
	}
	if other.Fingerprint() == a.Fingerprint() {
		t.Fatal("two workspaces share a key")
	}
}

func TestExistingNeverMintsAKey(t *testing.T) {
	s := &memSecrets{}
	_, err := Existing(context.Background(), s, "ws1")
	if !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Existing on an empty keychain: %v, want ErrNotFound", err)
	}
	if s.sets != 0 {
		t.Fatal("Existing wrote to the keychain")
	}
}

func TestMalformedKeyIsRefused(t *testing.T) {
	s := &memSecrets{}
	_ = s.Set(context.Background(), "ws1", Role, secret.New("not-hex-fake"))
	if _, err := Load(context.Background(), s, "ws1"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Load of a malformed key: %v, want ErrMalformed", err)
	}
}

func TestPurposesDeriveDistinctKeysAndSignaturesVerify(t *testing.T) {
	m, err := FromBytes(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]Purpose{}
	for _, p := range []Purpose{EvidenceSigning, SecretDigest, AuditAnchor} {
		k := string(m.Derive(p))
		if prev, dup := seen[k]; dup {
			t.Fatalf("%s and %s derive the same key", prev, p)
		}
		seen[k] = p
	}
	if m.MAC(SecretDigest, []byte("x")) == m.MAC(AuditAnchor, []byte("x")) {
		t.Fatal("MACs under two purposes agree")
	}
	msg := []byte("manifest")
	sig := ed25519.Sign(m.SigningKey(), msg)
	if !ed25519.Verify(m.SigningKey().Public().(ed25519.PublicKey), msg, sig) {
		t.Fatal("signature does not verify")
	}
	if fmt.Sprint(m) != "[REDACTED]" || fmt.Sprintf("%#v", m) != "[REDACTED]" {
		t.Fatal("a master key printed its bytes")
	}
}
