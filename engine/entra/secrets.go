package entra

import "github.com/portal-id/migration-console/engine/redact"

// Microsoft Graph v1.0 references the catalogue cites.
const (
	docPasswordCredential = "https://learn.microsoft.com/graph/api/resources/passwordcredential"
	docKeyCredential      = "https://learn.microsoft.com/graph/api/resources/keycredential"
	docSyncSecrets        = "https://learn.microsoft.com/graph/api/synchronization-synchronization-secrets"
	docSSOCredential      = "https://learn.microsoft.com/graph/api/resources/credential"
	docSocialIdP          = "https://learn.microsoft.com/graph/api/resources/socialidentityprovider"
	docAPIConnector       = "https://learn.microsoft.com/graph/api/resources/identityapiconnector"
)

// Graph paths carry the API version first (/v1.0/..., /beta/...).
var (
	applicationEndpoints      = []string{"/*/applications", "/*/applications/*"}
	servicePrincipalEndpoints = []string{"/*/servicePrincipals", "/*/servicePrincipals/*", "/*/servicePrincipals/delta"}
)

// SecretFields is Microsoft Graph's catalogue of secret-bearing fields, by
// resource. Graph documents most of these as returned only once (at
// creation) or as write-only ("****" on read, which is left as is: there is
// nothing to hide); they are listed so a payload that does carry one never
// reaches the workspace file. engine/redact's vendor-neutral rules catch
// names no entry lists; docs/evidence.md says how the list is kept current.
//
// A password credential's hint (its first three characters) is kept: Graph
// returns it on every read as the way to tell credentials apart.
var SecretFields = []redact.Field{
	// passwordCredential.secretText: the client secret, "only returned
	// during the initial POST request to addPassword".
	{Resource: "application", Endpoints: applicationEndpoints, Path: "passwordCredentials[].secretText", Doc: docPasswordCredential},
	{Resource: "service principal", Endpoints: servicePrincipalEndpoints, Path: "passwordCredentials[].secretText", Doc: docPasswordCredential},
	// keyCredential.key (Edm.Binary, base64): a certificate's public DER
	// for AsymmetricX509Cert, but private or symmetric key material for
	// other types (X509CertAndPassword, Symmetric). Only a value that parses
	// as an X.509 certificate is kept.
	{Resource: "application", Endpoints: applicationEndpoints, Path: "keyCredentials[].key", Encoding: redact.Base64,
		Public: redact.PublicCertificate, Doc: docKeyCredential},
	{Resource: "service principal", Endpoints: servicePrincipalEndpoints, Path: "keyCredentials[].key", Encoding: redact.Base64,
		Public: redact.PublicCertificate, Doc: docKeyCredential},
	// Provisioning (synchronization) secrets: key/value pairs such as
	// SecretToken and Password.
	{Resource: "synchronization secret", Endpoints: []string{"/*/servicePrincipals/*/synchronization/secrets"}, Path: "value[].value", Doc: docSyncSecrets},
	// Password-based SSO credentials of a user or group for an app.
	{Resource: "password SSO credential", Endpoints: []string{"/*/servicePrincipals/*/getPasswordSingleSignOnCredentials"},
		Path: "credentials[].value", Doc: docSSOCredential},
	// External identity providers (B2B/B2C): the client secret.
	{Resource: "identity provider", Endpoints: []string{"/*/identity/identityProviders", "/*/identity/identityProviders/*"},
		Path: "clientSecret", Keep: true, Doc: docSocialIdP},
	// API connectors: basic-auth password, client certificate and its
	// password.
	{Resource: "API connector", Endpoints: []string{"/*/identity/apiConnectors", "/*/identity/apiConnectors/*"},
		Path: "authenticationConfiguration.password", Doc: docAPIConnector},
	{Resource: "API connector", Endpoints: []string{"/*/identity/apiConnectors", "/*/identity/apiConnectors/*"},
		Path: "authenticationConfiguration.pkcs12Value", Doc: docAPIConnector},
}
