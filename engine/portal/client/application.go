package client

import (
	"context"
	"net/http"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/secret"
)

// CreateApplication creates a custom OIDC application. A confidential
// client's generated secret comes back once, as a secret.Value; a replayed
// answer (Versioned.Replayed) omits it, and RotateApplicationSecret mints a
// new one.
func (c *Client) CreateApplication(ctx context.Context, key string, in api.ApplicationInput) (Versioned[api.Application], secret.Value, error) {
	got, err := create[api.ApplicationWithSecret](c, ctx, "create application", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateApplication(ctx, &api.CreateApplicationParams{IdempotencyKey: key}, in)
	})
	return withoutSecret(got), secretOf(got.Value), err
}

// RotateApplicationSecret replaces a confidential client's secret, if the
// application is still at etag, and returns the new secret once. key makes a
// retried rotation answer with the same secret instead of minting another.
func (c *Client) RotateApplicationSecret(ctx context.Context, appID, etag, key string) (Versioned[api.Application], secret.Value, error) {
	op := "rotate client secret of application " + appID
	if key == "" {
		return Versioned[api.Application]{}, secret.Value{}, errNoKey(op)
	}
	got, err := replace[api.ApplicationWithSecret](c, ctx, op, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.RotateApplicationSecret(ctx, appID, &api.RotateApplicationSecretParams{IdempotencyKey: key, IfMatch: etag})
	})
	return withoutSecret(got), secretOf(got.Value), err
}

func secretOf(a api.ApplicationWithSecret) secret.Value {
	if a.ClientSecret == nil {
		return secret.Value{}
	}
	return secret.New(*a.ClientSecret)
}

// withoutSecret drops the plaintext so only the secret.Value carries it.
func withoutSecret(v Versioned[api.ApplicationWithSecret]) Versioned[api.Application] {
	a := v.Value
	return Versioned[api.Application]{
		Value: api.Application{
			Id: a.Id, Name: a.Name, ClientId: a.ClientId, ClientType: a.ClientType,
			GrantTypes: a.GrantTypes, RedirectUris: a.RedirectUris,
			CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		},
		ETag:     v.ETag,
		Replayed: v.Replayed,
	}
}
