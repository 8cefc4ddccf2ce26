package workspace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/secret"
)

// Session contexts and permissions of the Portal admin API that connecting
// depends on (docs/migration-contract.md and engine/portal/openapi.yaml name
// them).
const (
	SessionGuestAccess   = "guest_access"
	SessionSupportAccess = "support_access"
	PermissionView       = "portal.migrations.view"
	PermissionManage     = "portal.migrations.manage"
)

// ErrTargetRefused means the Portal answered, but the token cannot carry
// this workspace's migration; the error text says why.
var ErrTargetRefused = errors.New("target connection refused")

// TargetIdentity is what the Portal's whoami says about a token.
type TargetIdentity struct {
	Tenant         string   `json:"tenant"`
	Actor          string   `json:"actor"`
	SessionContext string   `json:"session_context"`
	Permissions    []string `json:"permissions"`
}

// CanManage reports whether the token may write (portal.migrations.manage).
func (id TargetIdentity) CanManage() bool { return slices.Contains(id.Permissions, PermissionManage) }

// TargetProbe asks the Portal admin API at url who token is (whoami). It
// sends nothing else and returns an error when the Portal is unreachable or
// rejects the token.
type TargetProbe func(ctx context.Context, url string, token secret.Value) (TargetIdentity, error)

// Connect tests the Portal admin API at url with token and, only if the
// token may carry this workspace's migration, keeps the token in the
// keychain and records the target's facts on the workspace with a
// WorkspaceTargetConnected audit entry. A refused or failed connection
// changes nothing; the identity is still returned when whoami answered, so
// the caller can show whose token it was.
func (s *Service) Connect(ctx context.Context, url string, token secret.Value, probe TargetProbe) (Workspace, TargetIdentity, error) {
	u, err := endpoint.Parse(url)
	if err != nil {
		return Workspace{}, TargetIdentity{}, invalid("target URL: %v", err)
	}
	target := u.String()
	if token.IsEmpty() {
		return Workspace{}, TargetIdentity{}, invalid("connecting to the Portal needs its admin API token")
	}
	if err := checkLength(token, "the Portal admin token"); err != nil {
		return Workspace{}, TargetIdentity{}, err
	}
	ws, err := s.Get(ctx)
	if err != nil {
		return Workspace{}, TargetIdentity{}, err
	}
	if ws.Status == StatusArchived {
		return Workspace{}, TargetIdentity{}, fmt.Errorf("connect to the Portal: %w", ErrArchived)
	}
	id, err := probe(ctx, target, token)
	if err != nil {
		return Workspace{}, id, fmt.Errorf("connect to the Portal at %s: %w", target, err)
	}
	if err := admissible(ws, id); err != nil {
		return Workspace{}, id, fmt.Errorf("connect to the Portal at %s: %w", target, err)
	}

	restore, err := s.replaceTargetToken(ctx, ws.ID, token)
	if err != nil {
		return Workspace{}, id, fmt.Errorf("connect to the Portal at %s: %w", target, err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Workspace()
		if err != nil {
			return err
		}
		if cur.Status == StatusArchived {
			return ErrArchived
		}
		prevURL := cur.Target.URL
		now := s.now()
		cur.Target = Target{URL: target, TenantID: id.Tenant, SessionContext: id.SessionContext,
			Permissions: slices.Clone(id.Permissions), ConnectedAt: &now}
		cur.UpdatedAt = now
		if err := tx.SaveWorkspace(cur); err != nil {
			return err
		}
		facts := map[string]string{
			"target_url":          target,
			"target_tenant_id":    id.Tenant,
			"target_actor":        id.Actor,
			"session_context":     id.SessionContext,
			"permissions":         strings.Join(id.Permissions, ","),
			"writes_allowed":      fmt.Sprint(id.CanManage()),
			"target_token_stored": "true",
		}
		if prevURL != "" && prevURL != target {
			facts["previous_target_url"] = prevURL
		}
		if _, err := audit.Record(tx, s.entry(cur, audit.WorkspaceTargetConnected, cur.ID, facts)); err != nil {
			return err
		}
		ws = cur
		return nil
	})
	if err != nil {
		if rerr := restore(); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return Workspace{}, id, fmt.Errorf("connect to the Portal at %s: record the connection: %w", target, err)
	}
	return ws, id, nil
}

// admissible refuses tokens that must not carry a migration: sessions
// without tenant membership, tokens with no migration permission, and
// tokens of another tenant than the workspace's (writing one customer's
// estate into another's tenant is the worst mistake this tool could make).
func admissible(ws Workspace, id TargetIdentity) error {
	switch {
	case id.SessionContext == SessionGuestAccess || id.SessionContext == SessionSupportAccess:
		return fmt.Errorf("%w: the token is a %s session of tenant %q; migration needs a token of a tenant member (operator, customer or vendor tenant session)",
			ErrTargetRefused, id.SessionContext, id.Tenant)
	case !id.CanManage() && !slices.Contains(id.Permissions, PermissionView):
		return fmt.Errorf("%w: the token (actor %q) has neither %s nor %s", ErrTargetRefused, id.Actor, PermissionView, PermissionManage)
	case id.Tenant != ws.Tenant:
		return fmt.Errorf("%w: the token belongs to tenant %q, but this workspace is for tenant %q", ErrTargetRefused, id.Tenant, ws.Tenant)
	}
	return nil
}

// replaceTargetToken stores token as the workspace's target token and
// returns how to put back what was there before, so a connection that
// cannot be recorded leaves the keychain as it found it.
func (s *Service) replaceTargetToken(ctx context.Context, workspaceID string, token secret.Value) (restore func() error, err error) {
	prev, getErr := s.Secrets.Get(ctx, workspaceID, RoleTargetToken)
	if err := s.Secrets.Set(ctx, workspaceID, RoleTargetToken, token); err != nil {
		return nil, fmt.Errorf("store the target admin token: %w", err)
	}
	return func() error {
		if getErr == nil && !prev.IsEmpty() {
			return s.Secrets.Set(ctx, workspaceID, RoleTargetToken, prev)
		}
		return s.Secrets.Delete(ctx, workspaceID, RoleTargetToken)
	}, nil
}

// TargetToken returns the admin API token the last successful Connect (or
// Create) stored.
func (s *Service) TargetToken(ctx context.Context) (Workspace, secret.Value, error) {
	ws, err := s.Get(ctx)
	if err != nil {
		return Workspace{}, secret.Value{}, err
	}
	if ws.Target.URL == "" {
		return ws, secret.Value{}, errors.New("the workspace has no target yet: connect it to the Portal first")
	}
	tok, err := s.Secrets.Get(ctx, ws.ID, RoleTargetToken)
	if err != nil {
		return ws, secret.Value{}, fmt.Errorf("read the target admin token: %w", err)
	}
	return ws, tok, nil
}
