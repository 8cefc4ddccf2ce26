package okta

import "github.com/portal-id/migration-console/engine/redact"

// Okta Management API references the catalogue cites.
const (
	docIdPs          = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/IdentityProvider/"
	docApps          = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/"
	docAppSecrets    = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationSSOCredentialOAuth2ClientAuth/"
	docAppUsers      = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationUsers/"
	docAppConnection = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationConnections/"
	docEventHooks    = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/EventHook/"
	docInlineHooks   = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/InlineHook/"
	docLogStreams    = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/LogStream/"
	docUsers         = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/"
)

var (
	idpEndpoints        = []string{"/api/v1/idps", "/api/v1/idps/*"}
	appEndpoints        = []string{"/api/v1/apps", "/api/v1/apps/*"}
	eventHookEndpoints  = []string{"/api/v1/eventHooks", "/api/v1/eventHooks/*"}
	inlineHookEndpoints = []string{"/api/v1/inlineHooks", "/api/v1/inlineHooks/*"}
)

// SecretFields is Okta's catalogue of secret-bearing fields, by resource,
// from the Management API reference (v5 spec, management-minimal.yaml).
// Fields Okta documents as write-only are listed too: a field that is
// "never returned" today is one release away from being returned. The
// vendor-neutral rules of engine/redact catch names no entry lists (a
// catalogue app's settings.app.* API keys, for one); docs/evidence.md says
// how the list is kept current.
//
// Keep marks what the cutover needs: recreating an OIDC, social or Apple
// upstream provider in the Portal needs its client secret or private key.
var SecretFields = []redact.Field{
	// Identity providers: OIDC and social IdPs (GOOGLE, FACEBOOK,
	// MICROSOFT, LINKEDIN, ...) return their client secret in plain text.
	{Resource: "identity provider", Endpoints: idpEndpoints, Path: "protocol.credentials.client.client_secret", Keep: true, Doc: docIdPs},
	// Apple: the PKCS #8 key that signs the client secret JWT.
	{Resource: "identity provider", Endpoints: idpEndpoints, Path: "protocol.credentials.signing.privateKey", Keep: true, Doc: docIdPs},

	// Applications. OIDC and service apps: the client secret.
	{Resource: "application", Endpoints: appEndpoints, Path: "credentials.oauthClient.client_secret", Doc: docApps},
	// SWA, BASIC_AUTH and SECURE_PASSWORD_STORE apps with shared
	// credentials (scheme SHARED_USERNAME_AND_PASSWORD): the password.
	{Resource: "application", Endpoints: appEndpoints, Path: "credentials.password.value", Doc: docApps},
	// Catalogue apps keep template settings in settings.app; the secret
	// ones among them (provisioning API tokens, shared keys) are caught by
	// name, and these are the documented ones.
	{Resource: "application", Endpoints: appEndpoints, Path: "settings.app.secretKey", Doc: docApps},
	{Resource: "application", Endpoints: appEndpoints, Path: "settings.app.accessKey", Doc: docApps},
	// GET /apps/{id}/credentials/secrets lists an app's client secrets.
	{Resource: "OAuth 2.0 client secret", Endpoints: []string{"/api/v1/apps/*/credentials/secrets", "/api/v1/apps/*/credentials/secrets/*"},
		Path: "client_secret", Doc: docAppSecrets},
	// Assigned users of apps with per-user credentials.
	{Resource: "application user", Endpoints: []string{"/api/v1/apps/*/users", "/api/v1/apps/*/users/*"}, Path: "credentials.password.value", Doc: docAppUsers},
	// Provisioning connections: the API token (TOKEN scheme) and the
	// OAuth 2.0 client secret.
	{Resource: "provisioning connection", Endpoints: []string{"/api/v1/apps/*/connections/default"}, Path: "profile.token", Doc: docAppConnection},
	{Resource: "provisioning connection", Endpoints: []string{"/api/v1/apps/*/connections/default"}, Path: "profile.clientSecret", Doc: docAppConnection},

	// Event hooks: the authorization header and custom headers sent to the
	// customer's endpoint.
	{Resource: "event hook", Endpoints: eventHookEndpoints, Path: "channel.config.authScheme.value", Doc: docEventHooks},
	{Resource: "event hook", Endpoints: eventHookEndpoints, Path: "channel.config.headers[].value", Doc: docEventHooks},
	// Inline hooks: the same, plus the OAuth 2.0 channel's client secret.
	{Resource: "inline hook", Endpoints: inlineHookEndpoints, Path: "channel.config.authScheme.value", Doc: docInlineHooks},
	{Resource: "inline hook", Endpoints: inlineHookEndpoints, Path: "channel.config.headers[].value", Doc: docInlineHooks},
	{Resource: "inline hook", Endpoints: inlineHookEndpoints, Path: "channel.config.clientSecret", Doc: docInlineHooks},

	// Log streams: the Splunk Cloud HEC token.
	{Resource: "log stream", Endpoints: []string{"/api/v1/logStreams", "/api/v1/logStreams/*"}, Path: "settings.token", Doc: docLogStreams},

	// Users (and group member listings, which return users): password,
	// imported password hash and salt, recovery answer.
	{Resource: "user", Endpoints: []string{"/api/v1/users", "/api/v1/users/*", "/api/v1/groups/*/users"}, Path: "credentials.password.value", Doc: docUsers},
	{Resource: "user", Endpoints: []string{"/api/v1/users", "/api/v1/users/*", "/api/v1/groups/*/users"}, Path: "credentials.password.hash.value", Doc: docUsers},
	{Resource: "user", Endpoints: []string{"/api/v1/users", "/api/v1/users/*", "/api/v1/groups/*/users"}, Path: "credentials.password.hash.salt", Doc: docUsers},
	{Resource: "user", Endpoints: []string{"/api/v1/users", "/api/v1/users/*", "/api/v1/groups/*/users"}, Path: "credentials.recovery_question.answer", Doc: docUsers},
}
