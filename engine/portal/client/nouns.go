package client

// Typed calls for every noun of the admin API contract. Each noun has the
// same shape: an iterator and a List over all pages, Get with the ETag,
// Create with an idempotency key, Replace with If-Match, Delete.

import (
	"context"
	"iter"
	"net/http"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// UpstreamProviders yields every upstream provider, page by page, stopping at the first error.
func (c *Client) UpstreamProviders(ctx context.Context) iter.Seq2[api.UpstreamProvider, error] {
	return walk[api.UpstreamProvider](c, ctx, "list upstream providers", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListUpstreamProviders(ctx, &api.ListUpstreamProvidersParams{Cursor: cursor, Limit: limit})
	})
}

// ListUpstreamProviders returns every upstream provider.
func (c *Client) ListUpstreamProviders(ctx context.Context) ([]api.UpstreamProvider, error) {
	return collect(c.UpstreamProviders(ctx))
}

// GetUpstreamProvider reads one upstream provider with its ETag.
func (c *Client) GetUpstreamProvider(ctx context.Context, providerID string) (Versioned[api.UpstreamProvider], error) {
	return call[api.UpstreamProvider](c, ctx, "get upstream provider "+providerID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetUpstreamProvider(ctx, providerID)
	})
}

// CreateUpstreamProvider creates a upstream provider. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateUpstreamProvider(ctx context.Context, key string, in api.UpstreamProviderInput) (Versioned[api.UpstreamProvider], error) {
	return create[api.UpstreamProvider](c, ctx, "create upstream provider", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateUpstreamProvider(ctx, &api.CreateUpstreamProviderParams{IdempotencyKey: key}, in)
	})
}

// ReplaceUpstreamProvider replaces a upstream provider's writable fields if it is still at etag.
func (c *Client) ReplaceUpstreamProvider(ctx context.Context, providerID, etag string, in api.UpstreamProviderInput) (Versioned[api.UpstreamProvider], error) {
	return replace[api.UpstreamProvider](c, ctx, "replace upstream provider "+providerID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceUpstreamProvider(ctx, providerID, &api.ReplaceUpstreamProviderParams{IfMatch: etag}, in)
	})
}

// DeleteUpstreamProvider deletes a upstream provider; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteUpstreamProvider(ctx context.Context, providerID, etag string) error {
	return remove(c, ctx, "delete upstream provider "+providerID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteUpstreamProvider(ctx, providerID, &api.DeleteUpstreamProviderParams{IfMatch: optional(etag)})
	})
}

// RoutingRules yields every routing rule, page by page, stopping at the first error.
func (c *Client) RoutingRules(ctx context.Context) iter.Seq2[api.RoutingRule, error] {
	return walk[api.RoutingRule](c, ctx, "list routing rules", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListRoutingRules(ctx, &api.ListRoutingRulesParams{Cursor: cursor, Limit: limit})
	})
}

// ListRoutingRules returns every routing rule.
func (c *Client) ListRoutingRules(ctx context.Context) ([]api.RoutingRule, error) {
	return collect(c.RoutingRules(ctx))
}

// GetRoutingRule reads one routing rule with its ETag.
func (c *Client) GetRoutingRule(ctx context.Context, ruleID string) (Versioned[api.RoutingRule], error) {
	return call[api.RoutingRule](c, ctx, "get routing rule "+ruleID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetRoutingRule(ctx, ruleID)
	})
}

// CreateRoutingRule creates a routing rule. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateRoutingRule(ctx context.Context, key string, in api.RoutingRuleInput) (Versioned[api.RoutingRule], error) {
	return create[api.RoutingRule](c, ctx, "create routing rule", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateRoutingRule(ctx, &api.CreateRoutingRuleParams{IdempotencyKey: key}, in)
	})
}

// ReplaceRoutingRule replaces a routing rule's writable fields if it is still at etag.
func (c *Client) ReplaceRoutingRule(ctx context.Context, ruleID, etag string, in api.RoutingRuleInput) (Versioned[api.RoutingRule], error) {
	return replace[api.RoutingRule](c, ctx, "replace routing rule "+ruleID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceRoutingRule(ctx, ruleID, &api.ReplaceRoutingRuleParams{IfMatch: etag}, in)
	})
}

// DeleteRoutingRule deletes a routing rule; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteRoutingRule(ctx context.Context, ruleID, etag string) error {
	return remove(c, ctx, "delete routing rule "+ruleID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteRoutingRule(ctx, ruleID, &api.DeleteRoutingRuleParams{IfMatch: optional(etag)})
	})
}

// Groups yields every group, page by page, stopping at the first error.
func (c *Client) Groups(ctx context.Context) iter.Seq2[api.Group, error] {
	return walk[api.Group](c, ctx, "list groups", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListGroups(ctx, &api.ListGroupsParams{Cursor: cursor, Limit: limit})
	})
}

// ListGroups returns every group.
func (c *Client) ListGroups(ctx context.Context) ([]api.Group, error) { return collect(c.Groups(ctx)) }

// GetGroup reads one group with its ETag.
func (c *Client) GetGroup(ctx context.Context, groupID string) (Versioned[api.Group], error) {
	return call[api.Group](c, ctx, "get group "+groupID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetGroup(ctx, groupID)
	})
}

// CreateGroup creates a group. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateGroup(ctx context.Context, key string, in api.GroupInput) (Versioned[api.Group], error) {
	return create[api.Group](c, ctx, "create group", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateGroup(ctx, &api.CreateGroupParams{IdempotencyKey: key}, in)
	})
}

// ReplaceGroup replaces a group's writable fields if it is still at etag.
func (c *Client) ReplaceGroup(ctx context.Context, groupID, etag string, in api.GroupInput) (Versioned[api.Group], error) {
	return replace[api.Group](c, ctx, "replace group "+groupID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceGroup(ctx, groupID, &api.ReplaceGroupParams{IfMatch: etag}, in)
	})
}

// DeleteGroup deletes a group; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteGroup(ctx context.Context, groupID, etag string) error {
	return remove(c, ctx, "delete group "+groupID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteGroup(ctx, groupID, &api.DeleteGroupParams{IfMatch: optional(etag)})
	})
}

// Applications yields every application, page by page, stopping at the first error.
func (c *Client) Applications(ctx context.Context) iter.Seq2[api.Application, error] {
	return walk[api.Application](c, ctx, "list applications", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListApplications(ctx, &api.ListApplicationsParams{Cursor: cursor, Limit: limit})
	})
}

// ListApplications returns every application.
func (c *Client) ListApplications(ctx context.Context) ([]api.Application, error) {
	return collect(c.Applications(ctx))
}

// GetApplication reads one application with its ETag.
func (c *Client) GetApplication(ctx context.Context, appID string) (Versioned[api.Application], error) {
	return call[api.Application](c, ctx, "get application "+appID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetApplication(ctx, appID)
	})
}

// ReplaceApplication replaces a application's writable fields if it is still at etag.
func (c *Client) ReplaceApplication(ctx context.Context, appID, etag string, in api.ApplicationInput) (Versioned[api.Application], error) {
	return replace[api.Application](c, ctx, "replace application "+appID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceApplication(ctx, appID, &api.ReplaceApplicationParams{IfMatch: etag}, in)
	})
}

// DeleteApplication deletes a application; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteApplication(ctx context.Context, appID, etag string) error {
	return remove(c, ctx, "delete application "+appID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteApplication(ctx, appID, &api.DeleteApplicationParams{IfMatch: optional(etag)})
	})
}

// AppAssignments yields every app assignment, page by page, stopping at the first error.
func (c *Client) AppAssignments(ctx context.Context) iter.Seq2[api.AppAssignment, error] {
	return walk[api.AppAssignment](c, ctx, "list app assignments", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListAppAssignments(ctx, &api.ListAppAssignmentsParams{Cursor: cursor, Limit: limit})
	})
}

// ListAppAssignments returns every app assignment.
func (c *Client) ListAppAssignments(ctx context.Context) ([]api.AppAssignment, error) {
	return collect(c.AppAssignments(ctx))
}

// GetAppAssignment reads one app assignment with its ETag.
func (c *Client) GetAppAssignment(ctx context.Context, assignmentID string) (Versioned[api.AppAssignment], error) {
	return call[api.AppAssignment](c, ctx, "get app assignment "+assignmentID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetAppAssignment(ctx, assignmentID)
	})
}

// CreateAppAssignment creates a app assignment. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateAppAssignment(ctx context.Context, key string, in api.AppAssignmentInput) (Versioned[api.AppAssignment], error) {
	return create[api.AppAssignment](c, ctx, "create app assignment", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateAppAssignment(ctx, &api.CreateAppAssignmentParams{IdempotencyKey: key}, in)
	})
}

// DeleteAppAssignment deletes a app assignment; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteAppAssignment(ctx context.Context, assignmentID, etag string) error {
	return remove(c, ctx, "delete app assignment "+assignmentID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteAppAssignment(ctx, assignmentID, &api.DeleteAppAssignmentParams{IfMatch: optional(etag)})
	})
}

// SsoConfigurations yields every SSO configuration, page by page, stopping at the first error.
func (c *Client) SsoConfigurations(ctx context.Context) iter.Seq2[api.SsoConfiguration, error] {
	return walk[api.SsoConfiguration](c, ctx, "list SSO configurations", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListSsoConfigurations(ctx, &api.ListSsoConfigurationsParams{Cursor: cursor, Limit: limit})
	})
}

// ListSsoConfigurations returns every SSO configuration.
func (c *Client) ListSsoConfigurations(ctx context.Context) ([]api.SsoConfiguration, error) {
	return collect(c.SsoConfigurations(ctx))
}

// GetSsoConfiguration reads one SSO configuration with its ETag.
func (c *Client) GetSsoConfiguration(ctx context.Context, ssoConfigurationID string) (Versioned[api.SsoConfiguration], error) {
	return call[api.SsoConfiguration](c, ctx, "get SSO configuration "+ssoConfigurationID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetSsoConfiguration(ctx, ssoConfigurationID)
	})
}

// CreateSsoConfiguration creates a SSO configuration. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateSsoConfiguration(ctx context.Context, key string, in api.SsoConfigurationInput) (Versioned[api.SsoConfiguration], error) {
	return create[api.SsoConfiguration](c, ctx, "create SSO configuration", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateSsoConfiguration(ctx, &api.CreateSsoConfigurationParams{IdempotencyKey: key}, in)
	})
}

// ReplaceSsoConfiguration replaces a SSO configuration's writable fields if it is still at etag.
func (c *Client) ReplaceSsoConfiguration(ctx context.Context, ssoConfigurationID, etag string, in api.SsoConfigurationInput) (Versioned[api.SsoConfiguration], error) {
	return replace[api.SsoConfiguration](c, ctx, "replace SSO configuration "+ssoConfigurationID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceSsoConfiguration(ctx, ssoConfigurationID, &api.ReplaceSsoConfigurationParams{IfMatch: etag}, in)
	})
}

// DeleteSsoConfiguration deletes a SSO configuration; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteSsoConfiguration(ctx context.Context, ssoConfigurationID, etag string) error {
	return remove(c, ctx, "delete SSO configuration "+ssoConfigurationID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteSsoConfiguration(ctx, ssoConfigurationID, &api.DeleteSsoConfigurationParams{IfMatch: optional(etag)})
	})
}

// Users yields every user, page by page, stopping at the first error.
func (c *Client) Users(ctx context.Context) iter.Seq2[api.User, error] {
	return walk[api.User](c, ctx, "list users", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListUsers(ctx, &api.ListUsersParams{Cursor: cursor, Limit: limit})
	})
}

// ListUsers returns every user.
func (c *Client) ListUsers(ctx context.Context) ([]api.User, error) { return collect(c.Users(ctx)) }

// GetUser reads one user with its ETag.
func (c *Client) GetUser(ctx context.Context, userID string) (Versioned[api.User], error) {
	return call[api.User](c, ctx, "get user "+userID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetUser(ctx, userID)
	})
}

// CreateUser creates a user. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateUser(ctx context.Context, key string, in api.UserInput) (Versioned[api.User], error) {
	return create[api.User](c, ctx, "create user", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateUser(ctx, &api.CreateUserParams{IdempotencyKey: key}, in)
	})
}

// ReplaceUser replaces a user's writable fields if it is still at etag.
func (c *Client) ReplaceUser(ctx context.Context, userID, etag string, in api.UserInput) (Versioned[api.User], error) {
	return replace[api.User](c, ctx, "replace user "+userID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceUser(ctx, userID, &api.ReplaceUserParams{IfMatch: etag}, in)
	})
}

// UserTemplates yields every user template, page by page, stopping at the first error.
func (c *Client) UserTemplates(ctx context.Context) iter.Seq2[api.UserTemplate, error] {
	return walk[api.UserTemplate](c, ctx, "list user templates", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListUserTemplates(ctx, &api.ListUserTemplatesParams{Cursor: cursor, Limit: limit})
	})
}

// ListUserTemplates returns every user template.
func (c *Client) ListUserTemplates(ctx context.Context) ([]api.UserTemplate, error) {
	return collect(c.UserTemplates(ctx))
}

// GetUserTemplate reads one user template with its ETag.
func (c *Client) GetUserTemplate(ctx context.Context, templateID string) (Versioned[api.UserTemplate], error) {
	return call[api.UserTemplate](c, ctx, "get user template "+templateID, http.StatusOK, func(ctx context.Context) (*http.Response, error) {
		return c.api.GetUserTemplate(ctx, templateID)
	})
}

// CreateUserTemplate creates a user template. key is the operation's idempotency key
// (OperationKey): sending the same key again never makes a second one.
func (c *Client) CreateUserTemplate(ctx context.Context, key string, in api.UserTemplateInput) (Versioned[api.UserTemplate], error) {
	return create[api.UserTemplate](c, ctx, "create user template", key, func(ctx context.Context) (*http.Response, error) {
		return c.api.CreateUserTemplate(ctx, &api.CreateUserTemplateParams{IdempotencyKey: key}, in)
	})
}

// ReplaceUserTemplate replaces a user template's writable fields if it is still at etag.
func (c *Client) ReplaceUserTemplate(ctx context.Context, templateID, etag string, in api.UserTemplateInput) (Versioned[api.UserTemplate], error) {
	return replace[api.UserTemplate](c, ctx, "replace user template "+templateID, etag, func(ctx context.Context) (*http.Response, error) {
		return c.api.ReplaceUserTemplate(ctx, templateID, &api.ReplaceUserTemplateParams{IfMatch: etag}, in)
	})
}

// DeleteUserTemplate deletes a user template; with a non-empty etag only if it is still at
// that version.
func (c *Client) DeleteUserTemplate(ctx context.Context, templateID, etag string) error {
	return remove(c, ctx, "delete user template "+templateID, func(ctx context.Context) (*http.Response, error) {
		return c.api.DeleteUserTemplate(ctx, templateID, &api.DeleteUserTemplateParams{IfMatch: optional(etag)})
	})
}

// AuditEvents yields every audit event, page by page, stopping at the first error.
func (c *Client) AuditEvents(ctx context.Context) iter.Seq2[api.AuditEvent, error] {
	return walk[api.AuditEvent](c, ctx, "list audit trail", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListAuditEvents(ctx, &api.ListAuditEventsParams{Cursor: cursor, Limit: limit})
	})
}

// ListAuditEvents returns every audit event.
func (c *Client) ListAuditEvents(ctx context.Context) ([]api.AuditEvent, error) {
	return collect(c.AuditEvents(ctx))
}

// SsoEvents yields every SSO event, page by page, stopping at the first error.
func (c *Client) SsoEvents(ctx context.Context) iter.Seq2[api.SsoEvent, error] {
	return walk[api.SsoEvent](c, ctx, "list SSO event log", func(ctx context.Context, cursor *string, limit *int) (*http.Response, error) {
		return c.api.ListSsoEvents(ctx, &api.ListSsoEventsParams{Cursor: cursor, Limit: limit})
	})
}

// ListSsoEvents returns every SSO event.
func (c *Client) ListSsoEvents(ctx context.Context) ([]api.SsoEvent, error) {
	return collect(c.SsoEvents(ctx))
}
