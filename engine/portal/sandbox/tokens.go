package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/secret"
)

// tokenPrefix marks sandbox tokens so one pasted in the wrong place is
// recognisable (and greppable by secret scanners).
const tokenPrefix = "psbx_"

// IssueToken mints a new admin API token for spec and stores only its hash.
// The plaintext is returned once.
func IssueToken(ctx context.Context, store Store, spec TokenSpec) (secret.Value, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return secret.Value{}, fmt.Errorf("issue sandbox token: %w", err)
	}
	tok := secret.New(tokenPrefix + base64.RawURLEncoding.EncodeToString(raw))
	if err := AcceptToken(ctx, store, tok, spec); err != nil {
		return secret.Value{}, err
	}
	return tok, nil
}

// AcceptToken makes the sandbox accept a token chosen by the caller (for
// example one read from stdin), standing for spec.
func AcceptToken(ctx context.Context, store Store, token secret.Value, spec TokenSpec) error {
	if token.TooShort() {
		return fmt.Errorf("accept sandbox token: a token needs at least %d characters", secret.MinLength)
	}
	if err := checkTokenSpec(spec); err != nil {
		return fmt.Errorf("accept sandbox token: %w", err)
	}
	err := store.Update(ctx, func(tx Tx) error { return tx.SaveToken(hashToken(token), spec) })
	if err != nil {
		return fmt.Errorf("accept sandbox token: %w", err)
	}
	return nil
}

func checkTokenSpec(spec TokenSpec) error {
	if spec.Tenant == "" || spec.Actor == "" {
		return errors.New("a token needs a tenant and an actor")
	}
	if !spec.SessionContext.Valid() {
		return fmt.Errorf("unknown session context %q", spec.SessionContext)
	}
	for _, p := range spec.Permissions {
		if !p.Valid() {
			return fmt.Errorf("unknown permission %q", p)
		}
	}
	return nil
}

func hashToken(token secret.Value) string {
	sum := sha256.Sum256([]byte(token.Reveal()))
	return hex.EncodeToString(sum[:])
}

func (t TokenSpec) has(p api.Permission) bool { return slices.Contains(t.Permissions, p) }

func (t TokenSpec) canRead() bool {
	return t.has(api.PortalMigrationsView) || t.has(api.PortalMigrationsManage)
}
