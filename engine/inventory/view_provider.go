package inventory

// Vendor reference the provider view was checked against: Okta Identity
// Providers API (/api/v1/idps and /api/v1/idps/credentials/keys), the
// IdentityProvider object with its protocol, policy.provisioning,
// policy.accountLink and policy.subject
// (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/IdentityProvider/).
// Entra's federation lives on its domains (DomainView.AuthType).

// ProviderProtocol is how an upstream identity provider is reached: the
// provider subtype.
type ProviderProtocol string

const (
	// ProviderSAML: a SAML 2.0 IdP (Okta type SAML2).
	ProviderSAML ProviderProtocol = "saml"
	// ProviderOIDC: a generic OpenID Connect IdP (Okta type OIDC, and
	// OIDC-based enterprise types such as LOGINGOV).
	ProviderOIDC ProviderProtocol = "oidc"
	// ProviderSocial: a social network signing in over OAuth/OIDC (Okta
	// GOOGLE, MICROSOFT, FACEBOOK, LINKEDIN, APPLE, ...); SocialNetwork
	// says which.
	ProviderSocial ProviderProtocol = "social"
	// ProviderX509: smart card / PIV certificates (Okta X509).
	ProviderX509 ProviderProtocol = "x509"
	// ProviderOther: a type this build does not know (Okta IWA,
	// AgentlessDSSO, or newer); VendorType keeps it.
	ProviderOther ProviderProtocol = "other"
)

// ProviderProtocols is the closed set of provider subtypes.
var ProviderProtocols = []ProviderProtocol{ProviderSAML, ProviderOIDC, ProviderSocial, ProviderX509, ProviderOther}

// ProviderView is an upstream identity provider users can sign in with.
type ProviderView struct {
	// Protocol is the subtype.
	Protocol ProviderProtocol `json:"protocol"`
	// VendorType is Okta's type (SAML2, OIDC, GOOGLE, ...).
	VendorType string `json:"vendor_type" raw:"verbatim"`
	// VendorProtocol is Okta's protocol.type (SAML2, OIDC, OAUTH2,
	// MTLS).
	VendorProtocol string `json:"vendor_protocol,omitempty" raw:"verbatim"`
	// SocialNetwork is the lower-case social network ("google",
	// "microsoft", "facebook", "linkedin", "apple", ...) for social
	// providers, "" otherwise.
	SocialNetwork string `json:"social_network,omitempty"`
	// State and VendorStatus: Okta status ACTIVE/INACTIVE.
	State        State  `json:"state"`
	VendorStatus string `json:"vendor_status,omitempty" raw:"verbatim"`
	// Issuer is the IdP's entity id (SAML protocol.credentials.trust
	// .issuer) or issuer URL (OIDC protocol.issuer.url).
	Issuer string `json:"issuer,omitempty" raw:"verbatim"`
	// Audience is the audience the IdP must assert (SAML
	// protocol.credentials.trust.audience: Okta's SP entity id).
	Audience string `json:"audience,omitempty" raw:"verbatim"`
	// SSOURL, SSOBinding and SSODestination: SAML
	// protocol.endpoints.sso.url, .binding (HTTP-POST, HTTP-REDIRECT) and
	// .destination.
	SSOURL         string `json:"sso_url,omitempty" raw:"verbatim"`
	SSOBinding     string `json:"sso_binding,omitempty" raw:"verbatim"`
	SSODestination string `json:"sso_destination,omitempty" raw:"verbatim"`
	// SLOURL: protocol.endpoints.slo.url.
	SLOURL string `json:"slo_url,omitempty" raw:"verbatim"`
	// ACSBinding and ACSType: SAML protocol.endpoints.acs (the binding
	// Okta receives responses on; INSTANCE or ORG).
	ACSBinding string `json:"acs_binding,omitempty" raw:"verbatim"`
	ACSType    string `json:"acs_type,omitempty" raw:"verbatim"`
	// NameIDFormat: SAML protocol.settings.nameFormat.
	NameIDFormat string `json:"name_id_format,omitempty" raw:"verbatim"`
	// RequestSignatureAlgorithm and ResponseSignatureAlgorithm:
	// protocol.algorithms.request/response.signature.algorithm;
	// ResponseSignatureScope is its scope (RESPONSE, ASSERTION, ANY).
	RequestSignatureAlgorithm  string `json:"request_signature_algorithm,omitempty" raw:"verbatim"`
	ResponseSignatureAlgorithm string `json:"response_signature_algorithm,omitempty" raw:"verbatim"`
	ResponseSignatureScope     string `json:"response_signature_scope,omitempty" raw:"verbatim"`
	// SigningKeyIDs are protocol.credentials.trust.kid and
	// additionalKids: the IdP keys trusted to sign responses.
	SigningKeyIDs []string `json:"signing_key_ids,omitempty" raw:"verbatim"`
	// SigningCertificates are those keys' certificates, read from the
	// org's IdP key store (/api/v1/idps/credentials/keys). A kid the store
	// does not hold appears with Error set.
	SigningCertificates []Certificate `json:"signing_certificates,omitempty"`
	// ValidSigningCertificate: Yes when at least one trusted certificate
	// was valid at collection; No when keys are named but none is valid
	// (expired, unreadable or missing from the key store); Unknown when the
	// protocol signs with no certificate (OIDC verifies with the IdP's
	// JWKS).
	ValidSigningCertificate Tri `json:"valid_signing_certificate"`
	// AuthorizationURL, TokenURL, UserInfoURL and JWKSURL: OIDC/OAuth
	// protocol.endpoints.*.url.
	AuthorizationURL string `json:"authorization_url,omitempty" raw:"verbatim"`
	TokenURL         string `json:"token_url,omitempty" raw:"verbatim"`
	UserInfoURL      string `json:"user_info_url,omitempty" raw:"verbatim"`
	JWKSURL          string `json:"jwks_url,omitempty" raw:"verbatim"`
	// ClientID: protocol.credentials.client.client_id.
	ClientID string `json:"client_id,omitempty" raw:"verbatim"`
	// ClientSecret: whether protocol.credentials.client.client_secret was
	// in the payload (its redaction marker when the transport redacted it).
	ClientSecret SecretField `json:"client_secret"`
	// PKCERequired: protocol.credentials.client.pkce_required (Okta sends
	// a boolean or, in its published examples, the string "true").
	PKCERequired Tri `json:"pkce_required"`
	// Scopes: protocol.scopes.
	Scopes []string `json:"scopes,omitempty" raw:"verbatim"`
	// IssuerMode: Okta issuerMode (ORG_URL, CUSTOM_URL, DYNAMIC).
	IssuerMode string `json:"issuer_mode,omitempty" raw:"verbatim"`
	// JIT: users are created at first sign-in (policy.provisioning.action
	// AUTO → Yes, DISABLED → No; CALLOUT → Yes, through a hook).
	JIT Tri `json:"jit"`
	// ProvisioningAction is policy.provisioning.action as sent.
	ProvisioningAction string `json:"provisioning_action,omitempty" raw:"verbatim"`
	// ProfileMaster: the IdP is the source of truth for user profiles
	// (policy.provisioning.profileMaster).
	ProfileMaster Tri `json:"profile_master"`
	// GroupsAction is policy.provisioning.groups.action (NONE, APPEND,
	// SYNC, ASSIGN); GroupIDs are its assignments/filter group ids.
	GroupsAction string   `json:"groups_action,omitempty" raw:"verbatim"`
	GroupIDs     []string `json:"group_ids,omitempty" raw:"verbatim"`
	// AccountLinkAction is policy.accountLink.action (AUTO, DISABLED);
	// AccountLinkGroups its filter.groups.include.
	AccountLinkAction string   `json:"account_link_action,omitempty" raw:"verbatim"`
	AccountLinkGroups []string `json:"account_link_groups,omitempty" raw:"verbatim"`
	// SubjectTemplate, SubjectFilter, SubjectMatchType and
	// SubjectMatchAttribute: policy.subject (userNameTemplate.template is
	// an Expression Language expression such as "idpuser.email").
	SubjectTemplate       string `json:"subject_template,omitempty" raw:"verbatim"`
	SubjectFilter         string `json:"subject_filter,omitempty" raw:"verbatim"`
	SubjectMatchType      string `json:"subject_match_type,omitempty" raw:"verbatim"`
	SubjectMatchAttribute string `json:"subject_match_attribute,omitempty" raw:"verbatim"`
	// MaxClockSkewMillis: policy.maxClockSkew.
	MaxClockSkewMillis int64 `json:"max_clock_skew_millis,omitempty"`
}
