package sandbox

import (
	"context"
	"net/http"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// GetWhoami answers for every session context, so a client can refuse
// guest_access and support_access itself with a clear message.
func (s *Server) GetWhoami(ctx context.Context, _ api.GetWhoamiRequestObject) (api.GetWhoamiResponseObject, error) {
	p := principalFrom(ctx)
	perms := p.Permissions
	if perms == nil {
		perms = []api.Permission{}
	}
	return api.GetWhoami200JSONResponse{TenantId: p.Tenant, Actor: p.Actor, SessionContext: p.SessionContext, Permissions: perms}, nil
}

// Upstream providers.

func (s *Server) ListUpstreamProviders(ctx context.Context, r api.ListUpstreamProvidersRequestObject) (api.ListUpstreamProvidersResponseObject, error) {
	items, next, err := list[api.UpstreamProvider](ctx, s, KindUpstreamProvider, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListUpstreamProviders200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateUpstreamProvider(ctx context.Context, r api.CreateUpstreamProviderRequestObject) (api.CreateUpstreamProviderResponseObject, error) {
	v, etag, err := create(ctx, s, KindUpstreamProvider, "up", func(_ Tx, id string, now time.Time) (api.UpstreamProvider, meta, error) {
		return buildProvider(*r.Body, id, now, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateUpstreamProvider201JSONResponse{Body: v, Headers: api.CreateUpstreamProvider201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetUpstreamProvider(ctx context.Context, r api.GetUpstreamProviderRequestObject) (api.GetUpstreamProviderResponseObject, error) {
	v, etag, err := get[api.UpstreamProvider](ctx, s, KindUpstreamProvider, r.ProviderId)
	if err != nil {
		return nil, err
	}
	return api.GetUpstreamProvider200JSONResponse{Body: v, Headers: api.GetUpstreamProvider200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceUpstreamProvider(ctx context.Context, r api.ReplaceUpstreamProviderRequestObject) (api.ReplaceUpstreamProviderResponseObject, error) {
	v, etag, err := update(ctx, s, KindUpstreamProvider, r.ProviderId, r.Params.IfMatch, "updated", func(_ Tx, prev api.UpstreamProvider, now time.Time) (api.UpstreamProvider, meta, error) {
		return buildProvider(*r.Body, prev.Id, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceUpstreamProvider200JSONResponse{Body: v, Headers: api.ReplaceUpstreamProvider200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteUpstreamProvider(ctx context.Context, r api.DeleteUpstreamProviderRequestObject) (api.DeleteUpstreamProviderResponseObject, error) {
	if err := remove(ctx, s, KindUpstreamProvider, r.ProviderId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteUpstreamProvider204Response{}, nil
}

// Routing rules.

func (s *Server) ListRoutingRules(ctx context.Context, r api.ListRoutingRulesRequestObject) (api.ListRoutingRulesResponseObject, error) {
	items, next, err := list[api.RoutingRule](ctx, s, KindRoutingRule, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListRoutingRules200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateRoutingRule(ctx context.Context, r api.CreateRoutingRuleRequestObject) (api.CreateRoutingRuleResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	v, etag, err := create(ctx, s, KindRoutingRule, "rr", func(tx Tx, id string, now time.Time) (api.RoutingRule, meta, error) {
		return buildRoutingRule(tx, tenant, *r.Body, id, now, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateRoutingRule201JSONResponse{Body: v, Headers: api.CreateRoutingRule201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetRoutingRule(ctx context.Context, r api.GetRoutingRuleRequestObject) (api.GetRoutingRuleResponseObject, error) {
	v, etag, err := get[api.RoutingRule](ctx, s, KindRoutingRule, r.RuleId)
	if err != nil {
		return nil, err
	}
	return api.GetRoutingRule200JSONResponse{Body: v, Headers: api.GetRoutingRule200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceRoutingRule(ctx context.Context, r api.ReplaceRoutingRuleRequestObject) (api.ReplaceRoutingRuleResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	v, etag, err := update(ctx, s, KindRoutingRule, r.RuleId, r.Params.IfMatch, "updated", func(tx Tx, prev api.RoutingRule, now time.Time) (api.RoutingRule, meta, error) {
		return buildRoutingRule(tx, tenant, *r.Body, prev.Id, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceRoutingRule200JSONResponse{Body: v, Headers: api.ReplaceRoutingRule200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteRoutingRule(ctx context.Context, r api.DeleteRoutingRuleRequestObject) (api.DeleteRoutingRuleResponseObject, error) {
	if err := remove(ctx, s, KindRoutingRule, r.RuleId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteRoutingRule204Response{}, nil
}

// Groups.

func (s *Server) ListGroups(ctx context.Context, r api.ListGroupsRequestObject) (api.ListGroupsResponseObject, error) {
	items, next, err := list[api.Group](ctx, s, KindGroup, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListGroups200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateGroup(ctx context.Context, r api.CreateGroupRequestObject) (api.CreateGroupResponseObject, error) {
	v, etag, err := create(ctx, s, KindGroup, "grp", func(_ Tx, id string, now time.Time) (api.Group, meta, error) {
		return buildGroup(*r.Body, id, now, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateGroup201JSONResponse{Body: v, Headers: api.CreateGroup201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetGroup(ctx context.Context, r api.GetGroupRequestObject) (api.GetGroupResponseObject, error) {
	v, etag, err := get[api.Group](ctx, s, KindGroup, r.GroupId)
	if err != nil {
		return nil, err
	}
	return api.GetGroup200JSONResponse{Body: v, Headers: api.GetGroup200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceGroup(ctx context.Context, r api.ReplaceGroupRequestObject) (api.ReplaceGroupResponseObject, error) {
	v, etag, err := update(ctx, s, KindGroup, r.GroupId, r.Params.IfMatch, "updated", func(_ Tx, prev api.Group, now time.Time) (api.Group, meta, error) {
		return buildGroup(*r.Body, prev.Id, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceGroup200JSONResponse{Body: v, Headers: api.ReplaceGroup200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteGroup(ctx context.Context, r api.DeleteGroupRequestObject) (api.DeleteGroupResponseObject, error) {
	if err := remove(ctx, s, KindGroup, r.GroupId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteGroup204Response{}, nil
}

// Applications.

func (s *Server) ListApplications(ctx context.Context, r api.ListApplicationsRequestObject) (api.ListApplicationsResponseObject, error) {
	items, next, err := list[api.Application](ctx, s, KindApplication, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListApplications200JSONResponse{Items: items, NextCursor: next}, nil
}

// CreateApplication returns a confidential client's secret in this answer
// only; the store keeps its SHA-256.
func (s *Server) CreateApplication(ctx context.Context, r api.CreateApplicationRequestObject) (api.CreateApplicationResponseObject, error) {
	var plain string
	v, etag, err := create(ctx, s, KindApplication, "app", func(_ Tx, id string, now time.Time) (api.Application, meta, error) {
		a, m, err := buildApplication(*r.Body, id, newID("cli"), now, now)
		if err == nil && a.ClientType == api.Confidential {
			plain, m.secretHash = newClientSecret()
		}
		return a, m, err
	})
	if err != nil {
		return nil, err
	}
	return api.CreateApplication201JSONResponse{Body: withSecret(v, plain), Headers: api.CreateApplication201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetApplication(ctx context.Context, r api.GetApplicationRequestObject) (api.GetApplicationResponseObject, error) {
	v, etag, err := get[api.Application](ctx, s, KindApplication, r.AppId)
	if err != nil {
		return nil, err
	}
	return api.GetApplication200JSONResponse{Body: v, Headers: api.GetApplication200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceApplication(ctx context.Context, r api.ReplaceApplicationRequestObject) (api.ReplaceApplicationResponseObject, error) {
	v, etag, err := update(ctx, s, KindApplication, r.AppId, r.Params.IfMatch, "updated", func(_ Tx, prev api.Application, now time.Time) (api.Application, meta, error) {
		if err := clientTypeFixed(prev.ClientType, r.Body.ClientType); err != nil {
			return prev, meta{}, err
		}
		return buildApplication(*r.Body, prev.Id, prev.ClientId, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceApplication200JSONResponse{Body: v, Headers: api.ReplaceApplication200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteApplication(ctx context.Context, r api.DeleteApplicationRequestObject) (api.DeleteApplicationResponseObject, error) {
	if err := remove(ctx, s, KindApplication, r.AppId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteApplication204Response{}, nil
}

// RotateApplicationSecret mints a new secret for a confidential client: the
// way back when a create's answer, and so its secret, was lost.
func (s *Server) RotateApplicationSecret(ctx context.Context, r api.RotateApplicationSecretRequestObject) (api.RotateApplicationSecretResponseObject, error) {
	var plain string
	v, etag, err := update(ctx, s, KindApplication, r.AppId, r.Params.IfMatch, "secret_rotated", func(_ Tx, prev api.Application, now time.Time) (api.Application, meta, error) {
		if prev.ClientType != api.Confidential {
			return prev, meta{}, problemf(http.StatusConflict, api.ProblemCodeConflict, "a public client has no secret to rotate")
		}
		in := api.ApplicationInput{Name: prev.Name, ClientType: prev.ClientType, GrantTypes: prev.GrantTypes, RedirectUris: prev.RedirectUris}
		a, m, err := buildApplication(in, prev.Id, prev.ClientId, prev.CreatedAt, now)
		if err == nil {
			plain, m.secretHash = newClientSecret()
		}
		return a, m, err
	})
	if err != nil {
		return nil, err
	}
	return api.RotateApplicationSecret200JSONResponse{Body: withSecret(v, plain), Headers: api.RotateApplicationSecret200ResponseHeaders{ETag: etag}}, nil
}

// App assignments.

func (s *Server) ListAppAssignments(ctx context.Context, r api.ListAppAssignmentsRequestObject) (api.ListAppAssignmentsResponseObject, error) {
	items, next, err := list[api.AppAssignment](ctx, s, KindAppAssignment, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListAppAssignments200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateAppAssignment(ctx context.Context, r api.CreateAppAssignmentRequestObject) (api.CreateAppAssignmentResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	v, etag, err := create(ctx, s, KindAppAssignment, "asg", func(tx Tx, id string, now time.Time) (api.AppAssignment, meta, error) {
		return buildAppAssignment(tx, tenant, *r.Body, id, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateAppAssignment201JSONResponse{Body: v, Headers: api.CreateAppAssignment201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetAppAssignment(ctx context.Context, r api.GetAppAssignmentRequestObject) (api.GetAppAssignmentResponseObject, error) {
	v, etag, err := get[api.AppAssignment](ctx, s, KindAppAssignment, r.AssignmentId)
	if err != nil {
		return nil, err
	}
	return api.GetAppAssignment200JSONResponse{Body: v, Headers: api.GetAppAssignment200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteAppAssignment(ctx context.Context, r api.DeleteAppAssignmentRequestObject) (api.DeleteAppAssignmentResponseObject, error) {
	if err := remove(ctx, s, KindAppAssignment, r.AssignmentId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteAppAssignment204Response{}, nil
}

// SSO configurations.

func (s *Server) ListSsoConfigurations(ctx context.Context, r api.ListSsoConfigurationsRequestObject) (api.ListSsoConfigurationsResponseObject, error) {
	items, next, err := list[api.SsoConfiguration](ctx, s, KindSsoConfiguration, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListSsoConfigurations200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateSsoConfiguration(ctx context.Context, r api.CreateSsoConfigurationRequestObject) (api.CreateSsoConfigurationResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	v, etag, err := create(ctx, s, KindSsoConfiguration, "sso", func(tx Tx, id string, now time.Time) (api.SsoConfiguration, meta, error) {
		return buildSsoConfiguration(tx, tenant, *r.Body, id, now, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateSsoConfiguration201JSONResponse{Body: v, Headers: api.CreateSsoConfiguration201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetSsoConfiguration(ctx context.Context, r api.GetSsoConfigurationRequestObject) (api.GetSsoConfigurationResponseObject, error) {
	v, etag, err := get[api.SsoConfiguration](ctx, s, KindSsoConfiguration, r.SsoConfigurationId)
	if err != nil {
		return nil, err
	}
	return api.GetSsoConfiguration200JSONResponse{Body: v, Headers: api.GetSsoConfiguration200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceSsoConfiguration(ctx context.Context, r api.ReplaceSsoConfigurationRequestObject) (api.ReplaceSsoConfigurationResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	v, etag, err := update(ctx, s, KindSsoConfiguration, r.SsoConfigurationId, r.Params.IfMatch, "updated", func(tx Tx, prev api.SsoConfiguration, now time.Time) (api.SsoConfiguration, meta, error) {
		return buildSsoConfiguration(tx, tenant, *r.Body, prev.Id, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceSsoConfiguration200JSONResponse{Body: v, Headers: api.ReplaceSsoConfiguration200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteSsoConfiguration(ctx context.Context, r api.DeleteSsoConfigurationRequestObject) (api.DeleteSsoConfigurationResponseObject, error) {
	if err := remove(ctx, s, KindSsoConfiguration, r.SsoConfigurationId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteSsoConfiguration204Response{}, nil
}

// Users.

func (s *Server) ListUsers(ctx context.Context, r api.ListUsersRequestObject) (api.ListUsersResponseObject, error) {
	items, next, err := list[api.User](ctx, s, KindUser, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListUsers200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateUser(ctx context.Context, r api.CreateUserRequestObject) (api.CreateUserResponseObject, error) {
	v, etag, err := create(ctx, s, KindUser, "usr", func(_ Tx, id string, now time.Time) (api.User, meta, error) {
		return buildUser(*r.Body, id, nil, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateUser201JSONResponse{Body: v, Headers: api.CreateUser201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetUser(ctx context.Context, r api.GetUserRequestObject) (api.GetUserResponseObject, error) {
	v, etag, err := get[api.User](ctx, s, KindUser, r.UserId)
	if err != nil {
		return nil, err
	}
	return api.GetUser200JSONResponse{Body: v, Headers: api.GetUser200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceUser(ctx context.Context, r api.ReplaceUserRequestObject) (api.ReplaceUserResponseObject, error) {
	v, etag, err := update(ctx, s, KindUser, r.UserId, r.Params.IfMatch, "updated", func(_ Tx, prev api.User, now time.Time) (api.User, meta, error) {
		return buildUser(*r.Body, prev.Id, &prev, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceUser200JSONResponse{Body: v, Headers: api.ReplaceUser200ResponseHeaders{ETag: etag}}, nil
}

// User templates.

func (s *Server) ListUserTemplates(ctx context.Context, r api.ListUserTemplatesRequestObject) (api.ListUserTemplatesResponseObject, error) {
	items, next, err := list[api.UserTemplate](ctx, s, KindUserTemplate, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListUserTemplates200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) CreateUserTemplate(ctx context.Context, r api.CreateUserTemplateRequestObject) (api.CreateUserTemplateResponseObject, error) {
	v, etag, err := create(ctx, s, KindUserTemplate, "tpl", func(_ Tx, id string, now time.Time) (api.UserTemplate, meta, error) {
		return buildUserTemplate(*r.Body, id, now, now)
	})
	if err != nil {
		return nil, err
	}
	return api.CreateUserTemplate201JSONResponse{Body: v, Headers: api.CreateUserTemplate201ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) GetUserTemplate(ctx context.Context, r api.GetUserTemplateRequestObject) (api.GetUserTemplateResponseObject, error) {
	v, etag, err := get[api.UserTemplate](ctx, s, KindUserTemplate, r.TemplateId)
	if err != nil {
		return nil, err
	}
	return api.GetUserTemplate200JSONResponse{Body: v, Headers: api.GetUserTemplate200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) ReplaceUserTemplate(ctx context.Context, r api.ReplaceUserTemplateRequestObject) (api.ReplaceUserTemplateResponseObject, error) {
	v, etag, err := update(ctx, s, KindUserTemplate, r.TemplateId, r.Params.IfMatch, "updated", func(_ Tx, prev api.UserTemplate, now time.Time) (api.UserTemplate, meta, error) {
		return buildUserTemplate(*r.Body, prev.Id, prev.CreatedAt, now)
	})
	if err != nil {
		return nil, err
	}
	return api.ReplaceUserTemplate200JSONResponse{Body: v, Headers: api.ReplaceUserTemplate200ResponseHeaders{ETag: etag}}, nil
}

func (s *Server) DeleteUserTemplate(ctx context.Context, r api.DeleteUserTemplateRequestObject) (api.DeleteUserTemplateResponseObject, error) {
	if err := remove(ctx, s, KindUserTemplate, r.TemplateId, r.Params.IfMatch); err != nil {
		return nil, err
	}
	return api.DeleteUserTemplate204Response{}, nil
}

// Logs.

func (s *Server) ListAuditEvents(ctx context.Context, r api.ListAuditEventsRequestObject) (api.ListAuditEventsResponseObject, error) {
	items, next, err := list[api.AuditEvent](ctx, s, KindAuditEvent, r.Params.Cursor, r.Params.Limit)
	if err != nil {
		return nil, err
	}
	return api.ListAuditEvents200JSONResponse{Items: items, NextCursor: next}, nil
}

func (s *Server) ListSsoEvents(ctx context.Context, r api.ListSsoEventsRequestObject) (api.ListSsoEventsResponseObject, error) {
	var keep func(api.SsoEvent) bool
	if since := r.Params.Since; since != nil {
		keep = func(e api.SsoEvent) bool { return !e.At.Before(*since) }
	}
	items, next, err := listWhere(ctx, s, KindSsoEvent, r.Params.Cursor, r.Params.Limit, keep)
	if err != nil {
		return nil, err
	}
	return api.ListSsoEvents200JSONResponse{Items: items, NextCursor: next}, nil
}
