package client

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// Permission names the Portal grants through the token.
const (
	PermissionView   = string(api.PortalMigrationsView)
	PermissionManage = string(api.PortalMigrationsManage)
)

// Identity is what whoami says about the token.
type Identity struct {
	Tenant         string   `json:"tenant"`
	Actor          string   `json:"actor"`
	SessionContext string   `json:"session_context"`
	Permissions    []string `json:"permissions"`
	// CanManage reports portal.migrations.manage: without it the client
	// refuses every write before sending it.
	CanManage bool `json:"can_manage"`
}

// refusedContexts are sessions that reach a tenant without membership.
var refusedContexts = map[string]bool{
	string(api.GuestAccess):   true,
	string(api.SupportAccess): true,
}

// Connect calls whoami and checks the session can carry a migration: guest
// and support sessions are refused, and a token with neither migration
// permission is refused. A token with view but not manage connects
// read-only; writes then fail with ErrMissingPermission. On a refusal the
// Identity is still returned, so a screen can show whose token it was.
func (c *Client) Connect(ctx context.Context) (Identity, error) {
	who, err := call[api.Whoami](c, ctx, "portal whoami", http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetWhoami(ctx)
	})
	if err != nil {
		return Identity{}, err
	}
	id := Identity{Tenant: who.Value.TenantId, Actor: who.Value.Actor, SessionContext: string(who.Value.SessionContext)}
	for _, p := range who.Value.Permissions {
		id.Permissions = append(id.Permissions, string(p))
	}
	id.CanManage = slices.Contains(id.Permissions, PermissionManage)
	if refusedContexts[id.SessionContext] {
		return id, fmt.Errorf("portal token for tenant %q is a %s session: %w; use a token of a tenant member (operator, customer or vendor tenant session)",
			id.Tenant, id.SessionContext, ErrForbiddenContext)
	}
	if !id.CanManage && !slices.Contains(id.Permissions, PermissionView) {
		return id, fmt.Errorf("portal token for tenant %q has neither %s nor %s: %w", id.Tenant, PermissionView, PermissionManage, ErrMissingPermission)
	}
	c.mu.Lock()
	c.identity = &id
	c.mu.Unlock()
	return id, nil
}

// RequireManage reports whether the connected token may write. It names the
// missing permission so an operator knows what to ask the Portal admin for.
func (c *Client) RequireManage() error {
	c.mu.Lock()
	id := c.identity
	c.mu.Unlock()
	if id == nil {
		return errNotConnected
	}
	if !id.CanManage {
		return fmt.Errorf("writes to tenant %q need the %s permission, which this token (actor %q) lacks: %w",
			id.Tenant, PermissionManage, id.Actor, ErrMissingPermission)
	}
	return nil
}

// writable connects on first use, then applies RequireManage, so no write
// is ever sent on a guest, support or read-only token.
func (c *Client) writable(ctx context.Context) error {
	c.connecting.Lock()
	defer c.connecting.Unlock()
	c.mu.Lock()
	connected := c.identity != nil
	c.mu.Unlock()
	if !connected {
		if _, err := c.Connect(ctx); err != nil {
			return err
		}
	}
	return c.RequireManage()
}
