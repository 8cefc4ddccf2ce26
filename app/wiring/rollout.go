package wiring

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func newRollout(db *workspacedb.DB, w *Workspace, actor string) *rollout.Service {
	return &rollout.Service{Store: workspacedb.RolloutStore(db), Target: &lazyTarget{w: w}, Actor: actor}
}

// lazyTarget is the rollout's Portal: it connects with the keychain's token
// on first use (whoami must pass, for this workspace's tenant), and again
// after the workspace is connected anew (another URL or token), so opening
// a workspace never reaches the network.
type lazyTarget struct {
	w   *Workspace
	mu  sync.Mutex
	key string // the target URL and when it was connected
	c   *client.Client
}

var _ rollout.Target = (*lazyTarget)(nil)

func (t *lazyTarget) get(ctx context.Context) (*client.Client, error) {
	ws, err := t.w.Service.Get(ctx)
	if err != nil {
		return nil, err
	}
	key := ws.Target.URL
	if ws.Target.ConnectedAt != nil {
		key += " " + ws.Target.ConnectedAt.String()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.c != nil && t.key == key {
		return t.c, nil
	}
	c, _, err := t.w.TargetClient(ctx)
	if err != nil {
		return nil, err
	}
	t.c, t.key = c, key
	return c, nil
}

func (t *lazyTarget) ListUsers(ctx context.Context) ([]api.User, error) {
	c, err := t.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListUsers(ctx)
}

func (t *lazyTarget) GetUser(ctx context.Context, id string) (client.Versioned[api.User], error) {
	c, err := t.get(ctx)
	if err != nil {
		return client.Versioned[api.User]{}, err
	}
	return c.GetUser(ctx, id)
}

func (t *lazyTarget) ReplaceUser(ctx context.Context, id, etag string, in api.UserInput) (client.Versioned[api.User], error) {
	c, err := t.get(ctx)
	if err != nil {
		return client.Versioned[api.User]{}, err
	}
	return c.ReplaceUser(ctx, id, etag, in)
}

func (t *lazyTarget) ListSsoConfigurations(ctx context.Context) ([]api.SsoConfiguration, error) {
	c, err := t.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListSsoConfigurations(ctx)
}

func (t *lazyTarget) GetSsoConfiguration(ctx context.Context, id string) (client.Versioned[api.SsoConfiguration], error) {
	c, err := t.get(ctx)
	if err != nil {
		return client.Versioned[api.SsoConfiguration]{}, err
	}
	return c.GetSsoConfiguration(ctx, id)
}

func (t *lazyTarget) ReplaceSsoConfiguration(ctx context.Context, id, etag string, in api.SsoConfigurationInput) (client.Versioned[api.SsoConfiguration], error) {
	c, err := t.get(ctx)
	if err != nil {
		return client.Versioned[api.SsoConfiguration]{}, err
	}
	return c.ReplaceSsoConfiguration(ctx, id, etag, in)
}

func (t *lazyTarget) ListUpstreamProviders(ctx context.Context) ([]api.UpstreamProvider, error) {
	c, err := t.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListUpstreamProviders(ctx)
}

func (t *lazyTarget) ListUserTemplates(ctx context.Context) ([]api.UserTemplate, error) {
	c, err := t.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListUserTemplates(ctx)
}

func (t *lazyTarget) ListRoles(ctx context.Context) ([]api.Role, error) {
	c, err := t.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.ListRoles(ctx)
}

func (t *lazyTarget) ResolveRouting(ctx context.Context, identifier string) (api.RoutingResolution, error) {
	c, err := t.get(ctx)
	if err != nil {
		return api.RoutingResolution{}, err
	}
	return c.ResolveRouting(ctx, identifier)
}

func (t *lazyTarget) SsoEventsSince(ctx context.Context, since time.Time) iter.Seq2[api.SsoEvent, error] {
	return func(yield func(api.SsoEvent, error) bool) {
		c, err := t.get(ctx)
		if err != nil {
			yield(api.SsoEvent{}, err)
			return
		}
		for ev, err := range c.SsoEventsSince(ctx, since) {
			if !yield(ev, err) {
				return
			}
		}
	}
}
