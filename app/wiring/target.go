package wiring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// A connection test is interactive: someone is waiting for the answer, so
// an unreachable Portal is reported after a few seconds rather than after
// the client's full retry budget.
const (
	probeTimeout     = 15 * time.Second
	probeMaxAttempts = 2
)

// ProbeTarget is the console's workspace.TargetProbe: it calls whoami
// through the Portal admin API client. The client itself refuses guest and
// support sessions; the identity comes back with that refusal so it can be
// shown.
func ProbeTarget(ctx context.Context, url string, token secret.Value) (workspace.TargetIdentity, error) {
	c, err := client.New(url, token, client.WithTimeout(probeTimeout), client.WithMaxAttempts(probeMaxAttempts))
	if err != nil {
		return workspace.TargetIdentity{}, err
	}
	id, err := c.Connect(ctx)
	who := workspace.TargetIdentity{Tenant: id.Tenant, Actor: id.Actor, SessionContext: id.SessionContext, Permissions: id.Permissions}
	var unreachable *net.OpError
	switch {
	case err == nil:
		return who, nil
	case errors.Is(err, client.ErrForbiddenContext) || errors.Is(err, client.ErrMissingPermission):
		return who, fmt.Errorf("%w: %w", workspace.ErrTargetRefused, err)
	case errors.Is(err, client.ErrUnauthorized):
		return who, fmt.Errorf("the Portal did not accept the token (unknown, revoked or expired): %w", err)
	case errors.As(err, &unreachable):
		return who, fmt.Errorf("cannot reach it (is the URL right and the Portal running?): %w", err)
	}
	return who, err
}

// ConnectTarget tests the Portal admin API at url with token and, when it
// is accepted, stores the token in the keychain and the target's facts on
// the workspace (workspace.Service.Connect with ProbeTarget).
func (w *Workspace) ConnectTarget(ctx context.Context, url string, token secret.Value) (workspace.Workspace, workspace.TargetIdentity, error) {
	return w.Service.Connect(ctx, url, token, ProbeTarget)
}

// TargetClient returns a Portal admin API client for the workspace's target,
// with the token the keychain holds for it, already connected (whoami
// passed). The identity is what whoami said now, which may differ from what
// the workspace recorded at connect time.
func (w *Workspace) TargetClient(ctx context.Context, opts ...client.Option) (*client.Client, client.Identity, error) {
	ws, token, err := w.Service.TargetToken(ctx)
	if err != nil {
		return nil, client.Identity{}, err
	}
	c, err := client.New(ws.Target.URL, token, opts...)
	if err != nil {
		return nil, client.Identity{}, err
	}
	id, err := c.Connect(ctx)
	if err != nil {
		return nil, id, fmt.Errorf("connect to the Portal at %s: %w", ws.Target.URL, err)
	}
	if id.Tenant != ws.Tenant {
		return nil, id, fmt.Errorf("connect to the Portal at %s: %w: the stored token now belongs to tenant %q, but this workspace is for tenant %q",
			ws.Target.URL, workspace.ErrTargetRefused, id.Tenant, ws.Tenant)
	}
	return c, id, nil
}
