package steps

import (
	"context"
	"fmt"
	"iter"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/secret"
)

// Target is the Portal admin API as the step kinds use it. *client.Client
// implements it: every call has its deadline, retries with a reason and a
// bounded answer.
type Target interface {
	UpstreamProviders(ctx context.Context) iter.Seq2[api.UpstreamProvider, error]
	GetUpstreamProvider(ctx context.Context, id string) (client.Versioned[api.UpstreamProvider], error)
	CreateUpstreamProvider(ctx context.Context, key string, in api.UpstreamProviderInput) (client.Versioned[api.UpstreamProvider], error)
	DeleteUpstreamProvider(ctx context.Context, id, etag string) error

	RoutingRules(ctx context.Context) iter.Seq2[api.RoutingRule, error]
	GetRoutingRule(ctx context.Context, id string) (client.Versioned[api.RoutingRule], error)
	CreateRoutingRule(ctx context.Context, key string, in api.RoutingRuleInput) (client.Versioned[api.RoutingRule], error)
	DeleteRoutingRule(ctx context.Context, id, etag string) error

	Groups(ctx context.Context) iter.Seq2[api.Group, error]
	GetGroup(ctx context.Context, id string) (client.Versioned[api.Group], error)
	CreateGroup(ctx context.Context, key string, in api.GroupInput) (client.Versioned[api.Group], error)
	DeleteGroup(ctx context.Context, id, etag string) error

	Applications(ctx context.Context) iter.Seq2[api.Application, error]
	GetApplication(ctx context.Context, id string) (client.Versioned[api.Application], error)
	CreateApplication(ctx context.Context, key string, in api.ApplicationInput) (client.Versioned[api.Application], secret.Value, error)
	RotateApplicationSecret(ctx context.Context, appID, etag, key string) (client.Versioned[api.Application], secret.Value, error)
	DeleteApplication(ctx context.Context, id, etag string) error

	AppAssignments(ctx context.Context) iter.Seq2[api.AppAssignment, error]
	GetAppAssignment(ctx context.Context, id string) (client.Versioned[api.AppAssignment], error)
	CreateAppAssignment(ctx context.Context, key string, in api.AppAssignmentInput) (client.Versioned[api.AppAssignment], error)
	DeleteAppAssignment(ctx context.Context, id, etag string) error
}

var _ Target = (*client.Client)(nil)

// drain reads at most max objects of a list, converting each; a target
// holding more is refused rather than half-read, since an object not read
// could be a collision not seen.
func drain[T any](seq iter.Seq2[T, error], max int, noun string, conv func(T) Object) ([]Object, error) {
	var out []Object
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		if len(out) == max {
			return nil, fmt.Errorf("the Portal holds more than %d %s; the cutover reads at most that many", max, noun)
		}
		out = append(out, conv(v))
	}
	return out, nil
}

func versioned[T any](v client.Versioned[T], conv func(T) Object) Object {
	o := conv(v.Value)
	o.ETag = v.ETag
	return o
}
