package client

// Calls the progressive SSO rollout needs beyond the nouns' CRUD: routing
// resolution, the role catalogue and the SSO event log from a point in
// time.

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// ResolveRouting asks the Portal which provider and SSO configuration an
// email or username routes to, and why.
func (c *Client) ResolveRouting(ctx context.Context, identifier string) (api.RoutingResolution, error) {
	v, err := call[api.RoutingResolution](c, ctx, "resolve routing", http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.ResolveRouting(ctx, &api.ResolveRoutingParams{Identifier: identifier})
	})
	return v.Value, err
}

// Roles yields every role a role mapping may grant.
func (c *Client) Roles(ctx context.Context) iter.Seq2[api.Role, error] {
	return walk[api.Role](c, ctx, "list roles", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListRoles(ctx, &api.ListRolesParams{Cursor: cursor, Limit: limit})
	})
}

// ListRoles returns every role.
func (c *Client) ListRoles(ctx context.Context) ([]api.Role, error) { return collect(c.Roles(ctx)) }

// SsoEventsSince yields the SSO events at or after since, oldest first.
func (c *Client) SsoEventsSince(ctx context.Context, since time.Time) iter.Seq2[api.SsoEvent, error] {
	return walk[api.SsoEvent](c, ctx, "list SSO event log", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListSsoEvents(ctx, &api.ListSsoEventsParams{Since: &since, Cursor: cursor, Limit: limit})
	})
}
