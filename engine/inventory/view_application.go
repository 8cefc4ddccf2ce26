package inventory

// Vendor references the application view was checked against:
//   - Okta Applications API (Management API v1, /api/v1/apps): the
//     Application object, its signOnMode values and per-mode settings
//     (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/),
//     and the app key credentials (/api/v1/apps/{appId}/credentials/keys).
//   - Microsoft Graph v1.0 application resource
//     (https://learn.microsoft.com/graph/api/resources/application?view=graph-rest-1.0)
//     and servicePrincipal resource
//     (https://learn.microsoft.com/graph/api/resources/serviceprincipal?view=graph-rest-1.0).

// Protocol is how users sign in to an application: the application
// subtype.
type Protocol string

const (
	// ProtocolSAML: SAML 2.0 or 1.1 (Okta SAML_2_0, SAML_1_1; Graph
	// preferredSingleSignOnMode "saml").
	ProtocolSAML Protocol = "saml"
	// ProtocolOIDC: an OpenID Connect / OAuth 2.0 client (Okta
	// OPENID_CONNECT; an Entra app registration with a sign-in platform
	// or credentials; a service principal in mode "oidc").
	ProtocolOIDC Protocol = "oidc"
	// ProtocolWSFederation: WS-Federation (Okta WS_FEDERATION).
	ProtocolWSFederation Protocol = "ws_federation"
	// ProtocolPassword: the IdP stores or replays a password (Okta
	// AUTO_LOGIN and BROWSER_PLUGIN (SWA), SECURE_PASSWORD_STORE,
	// BASIC_AUTH; Graph "password"). PasswordSignOn.Variant says which.
	ProtocolPassword Protocol = "password"
	// ProtocolBookmark: a link only, no sign-in (Okta BOOKMARK).
	ProtocolBookmark Protocol = "bookmark"
	// ProtocolNone: no sign-in configured (Graph null or "notSupported"
	// preferredSingleSignOnMode; an app registration with no platform and
	// no credential).
	ProtocolNone Protocol = "none"
	// ProtocolOther: a sign-on mode this build does not know; VendorType
	// keeps the vendor's value.
	ProtocolOther Protocol = "other"
)

// Protocols is the closed set of application subtypes.
var Protocols = []Protocol{ProtocolSAML, ProtocolOIDC, ProtocolWSFederation, ProtocolPassword, ProtocolBookmark, ProtocolNone, ProtocolOther}

// AppObject is which vendor object an application item is.
type AppObject string

const (
	AppObjectOktaApp               AppObject = "okta_app"
	AppObjectEntraAppRegistration  AppObject = "entra_app_registration"
	AppObjectEntraServicePrincipal AppObject = "entra_service_principal"
)

// AppObjects is the closed set of AppObject values.
var AppObjects = []AppObject{AppObjectOktaApp, AppObjectEntraAppRegistration, AppObjectEntraServicePrincipal}

// Catalogue says whether an application was built from a vendor catalogue
// entry or defined by the tenant.
type Catalogue string

const (
	// CatalogueCustom: defined by the tenant (Okta custom app templates
	// and custom app instances; an Entra app without an
	// applicationTemplateId).
	CatalogueCustom Catalogue = "custom"
	// CatalogueListed: instantiated from the Okta Integration Network or
	// the Entra application gallery.
	CatalogueListed Catalogue = "catalogue"
	// CatalogueUnknown: the payload does not say.
	CatalogueUnknown Catalogue = "unknown"
)

// Catalogues is the closed set of Catalogue values.
var Catalogues = []Catalogue{CatalogueCustom, CatalogueListed, CatalogueUnknown}

// Origin is who owns an application's definition.
type Origin string

const (
	// OriginTenant: registered by the tenant being migrated (every Okta
	// app; an Entra app registration, or a service principal whose
	// appOwnerOrganizationId is the tenant).
	OriginTenant Origin = "tenant"
	// OriginMicrosoft: a Microsoft first-party service principal
	// (appOwnerOrganizationId is a Microsoft tenant).
	OriginMicrosoft Origin = "microsoft"
	// OriginManagedIdentity: an Azure managed identity
	// (servicePrincipalType "ManagedIdentity").
	OriginManagedIdentity Origin = "managed_identity"
	// OriginOtherTenant: a multi-tenant app registered in another tenant.
	OriginOtherTenant Origin = "other_tenant"
	// OriginUnknown: the payload does not say.
	OriginUnknown Origin = "unknown"
)

// Origins is the closed set of Origin values.
var Origins = []Origin{OriginTenant, OriginMicrosoft, OriginManagedIdentity, OriginOtherTenant, OriginUnknown}

// ApplicationView is an application: an Okta app, an Entra app
// registration or an Entra service principal (enterprise app).
type ApplicationView struct {
	// Protocol is the subtype (see Protocol for each vendor's mapping).
	Protocol Protocol `json:"protocol"`
	// VendorType is the vendor's own type: Okta signOnMode; Graph
	// preferredSingleSignOnMode for a service principal ("" when null);
	// "application" for an app registration.
	VendorType string `json:"vendor_type"`
	// Object is which vendor object this is.
	Object AppObject `json:"object"`
	// Name is the vendor's key of the app definition: Okta "name" (the OIN
	// key such as "salesforce", or a custom template such as
	// "template_swa" or "oidc_client"); Graph appDisplayName of a service
	// principal.
	Name string `json:"name,omitempty" raw:"verbatim"`
	// State and VendorStatus: Okta status ACTIVE/INACTIVE; Graph
	// accountEnabled of a service principal (an app registration has no
	// state and is active).
	State        State  `json:"state"`
	VendorStatus string `json:"vendor_status,omitempty"`
	// Catalogue: Okta apps whose name is one of Okta's custom templates
	// (bookmark, template_*, oidc_client) or an org-generated instance
	// name ("<org>_<label>_<n>") are custom, any other name is an OIN key;
	// Graph applicationTemplateId set means a gallery app.
	Catalogue Catalogue `json:"catalogue"`
	// CatalogueID is the OIN key (Okta name) or the Graph
	// applicationTemplateId, "" for custom apps.
	CatalogueID string `json:"catalogue_id,omitempty" raw:"verbatim"`
	// Origin is who owns the definition (see Origin).
	Origin Origin `json:"origin"`
	// Publisher is Graph's publisherName (service principal) or
	// publisherDomain (app registration); "" for Okta.
	Publisher string `json:"publisher,omitempty" raw:"verbatim"`
	// OwnerTenantID is Graph's appOwnerOrganizationId.
	OwnerTenantID string `json:"owner_tenant_id,omitempty" raw:"verbatim"`
	// ClientID is the OAuth client id: Okta credentials.oauthClient
	// .client_id; Graph appId (app registration and service principal
	// alike, which is how the two are matched).
	ClientID string `json:"client_id,omitempty" raw:"verbatim"`
	// SignInAudience is Graph's signInAudience as sent (AzureADMyOrg,
	// AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount,
	// PersonalMicrosoftAccount); "" for Okta (single-org by nature).
	SignInAudience string `json:"sign_in_audience,omitempty" raw:"verbatim"`
	// AssignmentRequired: users must be assigned to sign in. Okta: always
	// Yes (an Okta app is reachable only through assignments). Graph:
	// appRoleAssignmentRequired of a service principal; Unknown for an app
	// registration (the setting lives on its service principal).
	AssignmentRequired Tri `json:"assignment_required"`
	// HiddenFromUsers: the app has no tile for end users. Okta
	// visibility.hide.web; Graph tags contains "HideApp".
	HiddenFromUsers Tri `json:"hidden_from_users"`
	// LoginURL is where sign-in starts: Okta settings.app.url / loginUrl
	// (SWA, bookmark); Graph loginUrl of a service principal.
	LoginURL string `json:"login_url,omitempty" raw:"verbatim"`
	// UsernameTemplate is what the app receives as the user name (Okta
	// credentials.userNameTemplate; nil for Entra).
	UsernameTemplate *UsernameTemplate `json:"username_template,omitempty"`
	// SAML, OIDC, WSFederation and Password are the protocol's settings;
	// the one matching Protocol is set (OIDC is also set for an Entra app
	// registration, whose OAuth settings exist whatever its service
	// principal's mode).
	SAML         *SAMLSettings   `json:"saml,omitempty"`
	OIDC         *OIDCSettings   `json:"oidc,omitempty"`
	WSFederation *WSFedSettings  `json:"ws_federation,omitempty"`
	Password     *PasswordSignOn `json:"password,omitempty"`
	// Credentials are the client secrets and certificates the app
	// authenticates with (metadata only): Graph passwordCredentials and
	// keyCredentials; Okta's oauthClient secret (as present/absent) and
	// JWKS keys.
	Credentials []Credential `json:"credentials,omitempty"`
	// ClientSecret says whether the payload carried a client secret (Okta
	// credentials.oauthClient.client_secret).
	ClientSecret SecretField `json:"client_secret"`
	// AppRoles are the roles the app defines (Graph appRoles); none for
	// Okta.
	AppRoles []AppRole `json:"app_roles,omitempty"`
}

// UsernameTemplate is Okta credentials.userNameTemplate: template is an
// Okta Expression Language expression (e.g. "${source.login}") for CUSTOM
// types, or a built-in one.
type UsernameTemplate struct {
	Template   string `json:"template" raw:"verbatim"`
	Type       string `json:"type,omitempty" raw:"verbatim"` // BUILT_IN, CUSTOM, NONE
	Suffix     string `json:"suffix,omitempty" raw:"verbatim"`
	PushStatus string `json:"push_status,omitempty" raw:"verbatim"`
}

// AttributeStatement is one SAML attribute the IdP sends, with its values
// exactly as configured, so a rule can see an Okta Expression Language
// expression ("user.department", "String.substringBefore(...)").
type AttributeStatement struct {
	// Type is Okta's EXPRESSION or GROUP ("" when unsaid).
	Type      string   `json:"type,omitempty" raw:"verbatim"`
	Name      string   `json:"name" raw:"verbatim"`
	Namespace string   `json:"namespace,omitempty" raw:"verbatim"`
	Values    []string `json:"values,omitempty" raw:"verbatim"`
	// FilterType and FilterValue select groups for a GROUP statement
	// (STARTS_WITH, EQUALS, CONTAINS, REGEX).
	FilterType  string `json:"filter_type,omitempty" raw:"verbatim"`
	FilterValue string `json:"filter_value,omitempty" raw:"verbatim"`
}

// SAMLSettings are a SAML application's settings. Okta: settings.signOn of
// a SAML_2_0/SAML_1_1 app and its key credentials. Graph: the service
// principal's replyUrls, servicePrincipalNames, samlSingleSignOnSettings,
// keyCredentials and tokenEncryptionKeyId; Graph v1.0 does not expose the
// name-id format, signing options or claims of an enterprise app (they are
// configured through claims-mapping policies, readable through Graph
// beta), so those are Unknown with the gap named.
type SAMLSettings struct {
	// EntityIDs are the SP's entity ids / audience restriction: Okta
	// audience (audienceOverride when set); Graph servicePrincipalNames
	// that are not the appId (the "Identifier (Entity ID)" values).
	EntityIDs []string `json:"entity_ids,omitempty" raw:"verbatim"`
	// ACSURLs are the assertion consumer service / reply URLs: Okta
	// ssoAcsUrl (ssoAcsUrlOverride) then acsEndpoints[].url; Graph
	// replyUrls.
	ACSURLs []string `json:"acs_urls,omitempty" raw:"verbatim"`
	// Recipient and Destination are Okta's recipient and destination
	// (overrides when set).
	Recipient   string `json:"recipient,omitempty" raw:"verbatim"`
	Destination string `json:"destination,omitempty" raw:"verbatim"`
	// IdPIssuer is the issuer the IdP asserts (Okta idpIssuer).
	IdPIssuer string `json:"idp_issuer,omitempty" raw:"verbatim"`
	// SPIssuer is the SP's issuer for signed requests (Okta spIssuer).
	SPIssuer string `json:"sp_issuer,omitempty" raw:"verbatim"`
	// NameIDFormat and NameIDTemplate: Okta subjectNameIdFormat and
	// subjectNameIdTemplate (an Expression Language template).
	NameIDFormat   string `json:"name_id_format,omitempty" raw:"verbatim"`
	NameIDTemplate string `json:"name_id_template,omitempty" raw:"verbatim"`
	// ResponseSigned and AssertionSigned: Okta responseSigned and
	// assertionSigned.
	ResponseSigned  Tri `json:"response_signed"`
	AssertionSigned Tri `json:"assertion_signed"`
	// SignatureAlgorithm and DigestAlgorithm: Okta's (RSA_SHA256, SHA256).
	SignatureAlgorithm string `json:"signature_algorithm,omitempty" raw:"verbatim"`
	DigestAlgorithm    string `json:"digest_algorithm,omitempty" raw:"verbatim"`
	// RequestsSigned: the SP signs its AuthnRequests (Okta
	// samlSignedRequestEnabled).
	RequestsSigned Tri `json:"requests_signed"`
	// AssertionEncrypted: Okta assertionEncryption present/absent; Graph
	// tokenEncryptionKeyId set/null.
	AssertionEncrypted  Tri    `json:"assertion_encrypted"`
	EncryptionAlgorithm string `json:"encryption_algorithm,omitempty" raw:"verbatim"`
	KeyTransport        string `json:"key_transport,omitempty" raw:"verbatim"`
	// EncryptionCertificate is the SP's certificate assertions are
	// encrypted to (Okta assertionEncryption.x5c; Graph: the keyCredential
	// named by tokenEncryptionKeyId, metadata only).
	EncryptionCertificate *Certificate `json:"encryption_certificate,omitempty"`
	// SigningCertificates are the IdP's signing certificates for this app
	// (Okta: the app key credential named by credentials.signing.kid;
	// Graph: keyCredentials with usage "Verify"/"Sign" of the service
	// principal, metadata only).
	SigningCertificates []Certificate `json:"signing_certificates,omitempty"`
	// ValidSigningCertificate: Yes when a signing certificate was valid at
	// collection; No when certificates are listed and none is (expired, or
	// unreadable); Unknown when none is listed.
	ValidSigningCertificate Tri `json:"valid_signing_certificate"`
	// PreferredSigningThumbprint is Graph's
	// preferredTokenSigningKeyThumbprint.
	PreferredSigningThumbprint string `json:"preferred_signing_thumbprint,omitempty" raw:"verbatim"`
	// AttributeStatements are the attributes sent, values verbatim (Okta
	// attributeStatements, and for OIN apps configuredAttributeStatements
	// when Okta returns them).
	AttributeStatements []AttributeStatement `json:"attribute_statements,omitempty"`
	// StatementsExposed: Yes when the API returned this app's attribute
	// statements (an empty list then means none are configured); No when
	// the API does not expose them (an OIN app's statements come from its
	// catalogue template; an Entra enterprise app's claims are readable
	// only through Graph beta); Unknown otherwise. StatementsGap names
	// what is missing when it is not Yes.
	StatementsExposed Tri    `json:"statements_exposed"`
	StatementsGap     string `json:"statements_gap,omitempty"`
	// IdPInitiated: users can start sign-in from the IdP's portal. Okta:
	// the app has a dashboard tile (not visibility.hide.web). Graph: no
	// loginUrl is set (My Apps then posts an unsolicited response).
	IdPInitiated Tri `json:"idp_initiated"`
	// DefaultRelayState: Okta defaultRelayState; Graph
	// samlSingleSignOnSettings.relayState.
	DefaultRelayState string `json:"default_relay_state,omitempty" raw:"verbatim"`
	// SingleLogout: Okta slo.enabled with slo.logoutUrl and slo.issuer;
	// Graph logoutUrl set/unset.
	SingleLogout Tri    `json:"single_logout"`
	SLOURL       string `json:"slo_url,omitempty" raw:"verbatim"`
	SLOIssuer    string `json:"slo_issuer,omitempty" raw:"verbatim"`
	// AuthnContextClassRef, HonorForceAuthn and AssertionLifetimeSeconds
	// are Okta's authnContextClassRef, honorForceAuthn and
	// samlAssertionLifetimeSeconds (0 when unsaid).
	AuthnContextClassRef     string `json:"authn_context_class_ref,omitempty" raw:"verbatim"`
	HonorForceAuthn          Tri    `json:"honor_force_authn"`
	AssertionLifetimeSeconds int    `json:"assertion_lifetime_seconds,omitempty"`
	// InlineHooks are Okta SAML inline hook ids (settings.signOn
	// .inlineHooks[].id): code that rewrites assertions at sign-in.
	InlineHooks []string `json:"inline_hooks,omitempty" raw:"verbatim"`
}

// OIDCSettings are an OIDC/OAuth client's settings. Okta: the app's
// credentials.oauthClient and settings.oauthClient. Graph: an app
// registration's web, spa, publicClient, api, optionalClaims,
// groupMembershipClaims, requiredResourceAccess, isFallbackPublicClient and
// credentials; for a service principal in "oidc" mode, its replyUrls.
type OIDCSettings struct {
	// ApplicationType: Okta application_type (web, native, browser,
	// service); "" for Graph (see Platforms).
	ApplicationType string `json:"application_type,omitempty" raw:"verbatim"`
	// Platforms are Graph's configured platforms: "web", "spa",
	// "public_client" (each with redirect URIs or settings); for Okta the
	// application_type.
	Platforms []string `json:"platforms,omitempty"`
	// GrantTypes and ResponseTypes: Okta grant_types and response_types;
	// Graph implies them from platforms (not listed, empty).
	GrantTypes    []string `json:"grant_types,omitempty" raw:"verbatim"`
	ResponseTypes []string `json:"response_types,omitempty" raw:"verbatim"`
	// RedirectURIs: Okta redirect_uris; Graph web, spa and publicClient
	// redirectUris together (a service principal: replyUrls). A rule flags
	// wildcards here.
	RedirectURIs []string `json:"redirect_uris,omitempty" raw:"verbatim"`
	// PostLogoutRedirectURIs: Okta post_logout_redirect_uris; Graph
	// web.logoutUrl (front-channel logout).
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty" raw:"verbatim"`
	// WildcardRedirect: Okta wildcard_redirect (SUBDOMAIN → Yes, DISABLED
	// → No); Graph allows none.
	WildcardRedirect Tri `json:"wildcard_redirect"`
	// ClientAuthMethod is Okta token_endpoint_auth_method
	// (client_secret_basic, client_secret_post, client_secret_jwt,
	// private_key_jwt, none). Graph configures no method (the client picks
	// one its credentials allow): "" there, with Credentials telling which.
	ClientAuthMethod string `json:"client_auth_method,omitempty" raw:"verbatim"`
	// PKCERequired: Okta pkce_required; Graph: Yes for a SPA-only app (the
	// platform enforces PKCE), Unknown otherwise.
	PKCERequired Tri `json:"pkce_required"`
	// Confidential: the client holds a credential. Okta: auth method other
	// than "none" (Yes) or "none" (No). Graph: No when
	// isFallbackPublicClient is true or only spa/publicClient platforms
	// are set without credentials; Yes when it has a secret or
	// certificate; Unknown otherwise.
	Confidential Tri `json:"confidential"`
	// ConfidentialEvidence says what Confidential was decided from.
	ConfidentialEvidence string `json:"confidential_evidence,omitempty"`
	// RefreshTokenRotation: Okta refresh_token.rotation_type (ROTATE,
	// STATIC); "" when unsaid. RefreshTokenLeewaySeconds is its leeway.
	RefreshTokenRotation      string `json:"refresh_token_rotation,omitempty" raw:"verbatim"`
	RefreshTokenLeewaySeconds int    `json:"refresh_token_leeway_seconds,omitempty"`
	// IssuerMode: Okta issuer_mode (ORG_URL, CUSTOM_URL, DYNAMIC).
	IssuerMode string `json:"issuer_mode,omitempty" raw:"verbatim"`
	// ConsentMethod: Okta consent_method (REQUIRED, TRUSTED).
	ConsentMethod string `json:"consent_method,omitempty" raw:"verbatim"`
	// InitiateLoginURI and IdPInitiatedLogin: Okta initiate_login_uri and
	// idp_initiated_login.mode (DISABLED, SPEC, OKTA).
	InitiateLoginURI  string `json:"initiate_login_uri,omitempty" raw:"verbatim"`
	IdPInitiatedLogin string `json:"idp_initiated_login,omitempty" raw:"verbatim"`
	// ImplicitIDToken and ImplicitAccessToken: Graph
	// web.implicitGrantSettings; for Okta, whether response_types include
	// id_token / token with grant type implicit.
	ImplicitIDToken     Tri `json:"implicit_id_token"`
	ImplicitAccessToken Tri `json:"implicit_access_token"`
	// DPoPBoundTokens: Okta dpop_bound_access_tokens.
	DPoPBoundTokens Tri `json:"dpop_bound_tokens"`
	// JWKSURI: Okta jwks_uri (private_key_jwt clients).
	JWKSURI string `json:"jwks_uri,omitempty" raw:"verbatim"`
	// AccessTokenVersion: Graph api.requestedAccessTokenVersion (0 when
	// null).
	AccessTokenVersion int `json:"access_token_version,omitempty"`
	// GroupMembershipClaims: Graph groupMembershipClaims (None,
	// SecurityGroup, All, ApplicationGroup, DirectoryRole), as sent.
	GroupMembershipClaims string `json:"group_membership_claims,omitempty" raw:"verbatim"`
	// OptionalClaims: Graph optionalClaims by token type.
	OptionalClaims []OptionalClaim `json:"optional_claims,omitempty"`
	// RequiredResourceAccess: the APIs and permissions the client asks for
	// (Graph requiredResourceAccess).
	RequiredResourceAccess []ResourceAccess `json:"required_resource_access,omitempty"`
	// ExposedScopes: scope values the app's own API defines (Graph
	// api.oauth2PermissionScopes[].value).
	ExposedScopes []string `json:"exposed_scopes,omitempty" raw:"verbatim"`
}

// OptionalClaim is one Graph optional claim.
type OptionalClaim struct {
	// Token is "id_token", "access_token" or "saml2_token".
	Token     string `json:"token"`
	Name      string `json:"name" raw:"verbatim"`
	Source    string `json:"source,omitempty" raw:"verbatim"`
	Essential Tri    `json:"essential"`
	// AdditionalProperties as sent (e.g. "sam_account_name").
	AdditionalProperties []string `json:"additional_properties,omitempty" raw:"verbatim"`
}

// ResourceAccess is one API a client requests permissions on: the API's
// appId and the ids of delegated scopes ("Scope") and app roles ("Role").
type ResourceAccess struct {
	ResourceAppID string   `json:"resource_app_id" raw:"verbatim"`
	Scopes        []string `json:"scopes,omitempty" raw:"verbatim"`
	Roles         []string `json:"roles,omitempty" raw:"verbatim"`
}

// AppRole is a role an application defines (Graph appRoles).
type AppRole struct {
	ID                 string   `json:"id" raw:"verbatim"`
	Value              string   `json:"value,omitempty" raw:"verbatim"`
	DisplayName        string   `json:"display_name,omitempty" raw:"verbatim"`
	AllowedMemberTypes []string `json:"allowed_member_types,omitempty" raw:"verbatim"`
	Enabled            Tri      `json:"enabled"`
}

// WSFedSettings are an Okta WS_FEDERATION app's settings.app.
type WSFedSettings struct {
	Realm               string `json:"realm,omitempty" raw:"verbatim"`
	ReplyURL            string `json:"reply_url,omitempty" raw:"verbatim"`
	SiteURL             string `json:"site_url,omitempty" raw:"verbatim"`
	NameIDFormat        string `json:"name_id_format,omitempty" raw:"verbatim"`
	AudienceRestriction string `json:"audience_restriction,omitempty" raw:"verbatim"`
	SignatureAlgorithm  string `json:"signature_algorithm,omitempty" raw:"verbatim"`
	// AttributeStatements is Okta's attributeStatements string as sent
	// (a comma-separated "name|expression|namespace" list).
	AttributeStatements string `json:"attribute_statements,omitempty" raw:"verbatim"`
	UsernameAttribute   string `json:"username_attribute,omitempty" raw:"verbatim"`
	GroupFilter         string `json:"group_filter,omitempty" raw:"verbatim"`
}

// Password sign-on variants.
const (
	PasswordVariantSWA           = "swa"            // Okta AUTO_LOGIN: custom SWA
	PasswordVariantBrowserPlugin = "browser_plugin" // Okta BROWSER_PLUGIN: SWA through the browser plugin
	PasswordVariantVaulted       = "vaulted"        // Okta SECURE_PASSWORD_STORE; Graph "password"
	PasswordVariantBasicAuth     = "basic_auth"     // Okta BASIC_AUTH: HTTP basic authentication
)

// PasswordSignOn is how a password-based app signs users in.
type PasswordSignOn struct {
	// Variant is one of the PasswordVariant* values.
	Variant string `json:"variant"`
	// URL is the sign-in page (Okta settings.app.url or loginUrl).
	URL string `json:"url,omitempty" raw:"verbatim"`
	// Scheme is Okta credentials.scheme (EDIT_USERNAME_AND_PASSWORD,
	// ADMIN_SETS_CREDENTIALS, SHARED_USERNAME_AND_PASSWORD, ...).
	Scheme string `json:"scheme,omitempty" raw:"verbatim"`
	// SharedCredentials: one username and password for every user (Okta
	// scheme SHARED_USERNAME_AND_PASSWORD).
	SharedCredentials Tri `json:"shared_credentials"`
}
