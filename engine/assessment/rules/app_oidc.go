package rules

import (
	"slices"
	"strings"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// The Portal hosts tenant-owned custom OIDC applications: a name, redirect
// URIs, grant types among authorization_code, refresh_token,
// client_credentials and device_code, and a client type, confidential or
// public (engine/portal/openapi.yaml ApplicationInput). These rules decide
// which OIDC clients fit that shape.

// oidcShape is the target shape of an OIDC client.
const oidcShape = `custom OIDC application "{{.Name}}", client_type {{.V.client_type}}, grants {{join .V.grants ", "}}`

// newCredentialsImpact is raised by every OIDC client the Portal recreates:
// the Portal issues its own client id (and secret) and is a new issuer.
var newCredentialsImpact = a.ImpactSpec{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
	Summary: "The application gets a new issuer and client id (and, for confidential clients, a new client secret, shown once at apply); its owners must install them at cutover."}

// clientType reads confidential or public from the evidence, "" when the
// evidence does not say.
func clientType(o *inventory.OIDCSettings) string {
	switch o.Confidential {
	case inventory.Yes:
		return "confidential"
	case inventory.No:
		return "public"
	}
	return ""
}

// redirectsFit reports redirect URIs the Portal takes as they are: at most
// 50, each accepted (see redirectProblem), and at least one when the client
// signs users in with authorization_code.
func redirectsFit(o *inventory.OIDCSettings, public, needsOne bool) bool {
	if len(o.RedirectURIs) > 50 || (needsOne && len(o.RedirectURIs) == 0) || o.WildcardRedirect == inventory.Yes {
		return false
	}
	for _, u := range o.RedirectURIs {
		if redirectProblem(u, public) != "" {
			return false
		}
	}
	return true
}

var oktaAppOIDC = a.Rule{
	ID: "OKTA-APP-OIDC-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title: "Custom Okta OIDC application that fits the Portal's application shape",
	Condition: "an Okta OPENID_CONNECT app built from a custom template (not a catalogue integration) whose evidence says " +
		"confidential or public (token_endpoint_auth_method), whose grant types are all among authorization_code, " +
		"refresh_token, client_credentials and device_code (client_credentials only for a confidential client), that " +
		"authenticates with client_secret_basic, client_secret_post or (public, PKCE required) none, and whose redirect " +
		"URIs the Portal accepts (https or loopback http, private-use schemes for public native clients, no wildcard, no " +
		"fragment, at most 50, at least one for authorization_code)",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounApplication, Shape: oidcShape},
	Rationale: "{{.Name}} is a custom OIDC {{.V.client_type}} client whose grants ({{join .V.grants \", \"}}), client " +
		"authentication ({{.App.OIDC.ClientAuthMethod}}) and redirect URIs the Portal represents as they are.",
	Notes:          "The Portal issues a new client id{{if eq .V.client_type \"confidential\"}} and secret{{end}} and is a new issuer: the app's OIDC configuration must point at the Portal at cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	Impacts:    []a.ImpactSpec{newCredentialsImpact},
	References: []string{docOktaApps, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		o := ap.OIDC
		if ap.Object != inventory.AppObjectOktaApp || ap.Protocol != inventory.ProtocolOIDC || o == nil || ap.Catalogue != inventory.CatalogueCustom {
			return nil, false
		}
		ct := clientType(o)
		if ct == "" || len(o.GrantTypes) == 0 || len(outside(o.GrantTypes, portalGrants)) > 0 {
			return nil, false
		}
		switch o.ClientAuthMethod {
		case "client_secret_basic", "client_secret_post":
			if ct != "confidential" {
				return nil, false
			}
		case "none":
			if ct != "public" || o.PKCERequired != inventory.Yes || slices.Contains(o.GrantTypes, "client_credentials") {
				return nil, false
			}
		default:
			return nil, false
		}
		if !redirectsFit(o, ct == "public", slices.Contains(o.GrantTypes, "authorization_code")) {
			return nil, false
		}
		return a.Vars{"client_type": ct, "grants": o.GrantTypes}, true
	},
}

var entraAppRegOIDC = a.Rule{
	ID: "ENTRA-APPREG-OIDC-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "Single-tenant Entra app registration that fits the Portal's application shape",
	Condition: "an Entra application registration with a sign-in platform or credential, signInAudience AzureADMyOrg, " +
		"confidential or public known from the evidence (credentials, isFallbackPublicClient, platforms), PKCE enforced " +
		"when public (a SPA-only registration), implicit grant off for both ID and access tokens, and redirect URIs the " +
		"Portal accepts",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounApplication, Shape: oidcShape},
	Rationale: "{{.Name}} is a single-tenant {{.V.client_type}} client ({{.App.OIDC.ConfidentialEvidence}}) whose " +
		"redirect URIs and flows the Portal represents as they are.",
	Notes:          "The Portal issues a new client id{{if eq .V.client_type \"confidential\"}} and secret{{end}} and is a new issuer: the app's configuration (MSAL authority, client id) must point at the Portal at cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	Impacts:    []a.ImpactSpec{newCredentialsImpact},
	References: []string{docGraphApplication, docEntraAudience, docEntraImplicit, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		o := ap.OIDC
		if ap.Object != inventory.AppObjectEntraAppRegistration || ap.Protocol != inventory.ProtocolOIDC || o == nil {
			return nil, false
		}
		ct := clientType(o)
		if ct == "" || ap.SignInAudience != "AzureADMyOrg" || o.ImplicitIDToken != inventory.No || o.ImplicitAccessToken != inventory.No {
			return nil, false
		}
		if ct == "public" && o.PKCERequired != inventory.Yes {
			return nil, false
		}
		if !redirectsFit(o, ct == "public", false) {
			return nil, false
		}
		grants := []string{}
		if len(o.RedirectURIs) > 0 {
			grants = append(grants, "authorization_code", "refresh_token")
		}
		if ct == "confidential" && len(ap.Credentials) > 0 {
			grants = append(grants, "client_credentials")
		}
		if len(grants) == 0 {
			return nil, false
		}
		return a.Vars{"client_type": ct, "grants": grants}, true
	},
}

// clientOf returns the OIDC settings of an application the tenant defines
// as a client (an Okta app or an Entra registration), nil otherwise: a
// service principal's OAuth facts are its registration's, judged there.
func clientOf(s *a.Subject) *inventory.OIDCSettings {
	ap := app(s)
	if ap.Object == inventory.AppObjectEntraServicePrincipal {
		return nil
	}
	return ap.OIDC
}

// implicitGrant reports an OIDC client that receives tokens from the
// authorization endpoint (the implicit grant), and whether it also has a
// code flow to fall back on.
func implicitGrant(o *inventory.OIDCSettings) (implicit, code bool) {
	// Okta's response_types alone do not say it: its published examples
	// list token and id_token beside a code-only grant. The grant type (or
	// Graph's implicitGrantSettings, read into the same facts) does.
	implicit = slices.Contains(o.GrantTypes, "implicit") || o.ImplicitIDToken == inventory.Yes || o.ImplicitAccessToken == inventory.Yes
	code = slices.Contains(o.GrantTypes, "authorization_code") || (len(o.GrantTypes) == 0 && len(o.RedirectURIs) > 0)
	return implicit, code
}

var anyAppOIDCImplicit = a.Rule{
	ID: "ANY-APP-OIDC-IMPLICIT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "OIDC client that also uses the implicit grant",
	Condition: "an OIDC client with the implicit grant (Okta grant type implicit; Entra implicitGrantSettings) and an " +
		"authorization-code flow it can keep",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application without the implicit grant"},
	Rationale: "{{.Name}} still allows the implicit grant, which the Portal does not offer (the OAuth 2.0 Security Best " +
		"Current Practice deprecates it); its authorization-code flow moves.",
	Notes:          "Implicit grant dropped: any part of the app that asks the authorization endpoint for tokens directly must switch to authorization code with PKCE before cutover.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "The implicit grant is not available on the Portal: apps that still request tokens from the authorization endpoint must move to authorization code with PKCE before cutover."}},
	References: []string{docOktaApps, docEntraImplicit, docOAuthBCP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		if o == nil {
			return nil, false
		}
		implicit, code := implicitGrant(o)
		return nil, implicit && (code || app(s).Object != inventory.AppObjectOktaApp)
	},
}

var oktaAppOIDCImplicitOnly = a.Rule{
	ID: "OKTA-APP-OIDC-IMPLICIT-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title: "Okta OIDC client that signs in with the implicit grant only",
	Condition: "an Okta OIDC app whose only interactive flow is the implicit grant (grant type implicit without " +
		"authorization_code)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application after the client moves to authorization code with PKCE"},
	Rationale: "{{.Name}} signs users in with the implicit grant only ({{join .App.OIDC.GrantTypes \", \"}}); the Portal " +
		"has no implicit grant, so the client itself must change before it can move.",
	Notes:          "Rebuild the client on authorization code with PKCE, then recreate it on the Portal.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Clients that sign in with the implicit grant only must be rewritten to use authorization code with PKCE before they can move to the Portal."}},
	References: []string{docOktaApps, docOAuthBCP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		if o == nil || app(s).Object != inventory.AppObjectOktaApp {
			return nil, false
		}
		implicit, code := implicitGrant(o)
		return nil, implicit && !code
	},
}

var anyAppOIDCWildcard = a.Rule{
	ID: "ANY-APP-OIDC-WILDCARD-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title:     "OIDC client with wildcard redirect URIs",
	Condition: "an OIDC client whose redirect URIs hold a wildcard (*), or whose Okta wildcard_redirect is SUBDOMAIN",
	Class:     a.ManualRebuildRequired,
	Target:    a.Target{Noun: a.NounApplication, Shape: "custom OIDC application with every redirect URI listed exactly"},
	Rationale: "{{.Name}} matches redirect URIs by wildcard ({{list .V.wildcards}}); the Portal matches redirect URIs " +
		"exactly, so the concrete URIs must be listed before the client can move.",
	Notes:          "List every concrete redirect URI the app uses (at most 50), then recreate it.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Wildcard redirect URIs are not accepted by the Portal: app owners must list every concrete redirect URI their app uses."}},
	References: []string{docOktaApps, docEntraRedirect, docOAuthBCP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		if o == nil {
			return nil, false
		}
		var wild []string
		for _, u := range o.RedirectURIs {
			if strings.Contains(u, "*") {
				wild = append(wild, u)
			}
		}
		if o.WildcardRedirect == inventory.Yes && len(wild) == 0 {
			wild = append(wild, "wildcard_redirect SUBDOMAIN")
		}
		return a.Vars{"wildcards": wild}, len(wild) > 0
	},
}

var anyAppOIDCRedirect = a.Rule{
	ID: "ANY-APP-OIDC-REDIRECT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "OIDC client with redirect URIs the Portal refuses",
	Condition: "an OIDC client with a redirect URI (without wildcard) the Portal refuses: plain http to a host that is " +
		"not loopback, a custom scheme on a client known to be confidential, a fragment, a relative URL; or more than 50 " +
		"redirect URIs",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounApplication},
	Rationale: "The Portal refuses {{if .V.count}}more than 50 redirect URIs ({{.V.count}} here){{else}}redirect URI " +
		"{{list .V.uri}}: {{.V.problem}}{{end}}.",
	Blocked:        "Fix the redirect URIs of {{.Name}} in the incumbent (https, exact, at most 50) and collect again.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docEntraRedirect, docNativeApps, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		if o == nil {
			return nil, false
		}
		if len(o.RedirectURIs) > 50 {
			return a.Vars{"count": len(o.RedirectURIs)}, true
		}
		// A private-use scheme is refused only for a client known to be
		// confidential: for one whose type is unknown, the proving rule
		// does not match and the fallback names what is unknown.
		public := o.Confidential != inventory.Yes
		for _, u := range o.RedirectURIs {
			if strings.Contains(u, "*") {
				continue // ANY-APP-OIDC-WILDCARD-001
			}
			if p := redirectProblem(u, public); p != "" {
				return a.Vars{"uri": u, "problem": p}, true
			}
		}
		return nil, false
	},
}

var anyAppOIDCGrant = a.Rule{
	ID: "ANY-APP-OIDC-GRANT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "OIDC client using grant types the Portal does not offer",
	Condition: "an OIDC client with a grant type other than implicit outside authorization_code, refresh_token, " +
		"client_credentials and device_code (resource owner password, SAML or JWT bearer, token exchange, Okta " +
		"interaction_code, CIBA), or client_credentials on a public client",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application once the client uses Portal grant types"},
	Rationale: "{{.Name}} uses {{list .V.grants}}, which the Portal does not offer{{if .V.public_cc}} (client_credentials " +
		"needs a confidential client){{end}}.",
	Notes:          "The client must move to grants the Portal offers before it can be recreated.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Clients that use grant types the Portal does not offer (password, bearer assertions, token exchange, Okta interaction_code) must change how they get tokens."}},
	References: []string{docOktaApps, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		if o == nil {
			return nil, false
		}
		bad := outside(outside(o.GrantTypes, portalGrants), []string{"implicit"})
		publicCC := o.Confidential == inventory.No && slices.Contains(o.GrantTypes, "client_credentials")
		if publicCC {
			bad = append(bad, "client_credentials")
		}
		return a.Vars{"grants": bad, "public_cc": publicCC}, len(bad) > 0
	},
}

var anyAppOIDCClientAuth = a.Rule{
	ID: "ANY-APP-OIDC-CLIENTAUTH-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "OIDC client authenticating with a signed JWT or a certificate",
	Condition: "an OIDC client that authenticates to the token endpoint with private_key_jwt or client_secret_jwt " +
		"(Okta token_endpoint_auth_method), or an Entra registration whose only credentials are certificates",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounApplication, Shape: "confidential custom OIDC application with a client secret"},
	Rationale: "{{.Name}} authenticates with {{.V.method}}; the Portal authenticates confidential clients with a " +
		"client secret only.",
	Notes:          "Client authentication changes from {{.V.method}} to a client secret: the app must be reconfigured, and the change from a key to a shared secret needs the security team's consent.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	Impacts: []a.ImpactSpec{
		{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh, Summary: "Clients that authenticate with a private key or signed JWT must switch to a client secret on the Portal."},
		{Audience: a.AudienceAdministrators, Severity: a.SeverityMedium, Summary: "Key-based client authentication is replaced by shared client secrets: the security team must accept the change."},
	},
	References: []string{docOktaApps, docGraphApplication, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		o := clientOf(s)
		if o == nil {
			return nil, false
		}
		switch o.ClientAuthMethod {
		case "private_key_jwt", "client_secret_jwt":
			return a.Vars{"method": o.ClientAuthMethod}, true
		}
		if ap.Object == inventory.AppObjectEntraAppRegistration && len(ap.Credentials) > 0 &&
			!slices.ContainsFunc(ap.Credentials, func(c inventory.Credential) bool { return c.Type == "secret" }) {
			return a.Vars{"method": "certificate credentials"}, true
		}
		return nil, false
	},
}

var oktaAppOIDCRefresh = a.Rule{
	ID: "OKTA-APP-OIDC-REFRESH-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title:     "Okta OIDC client with refresh-token rotation",
	Condition: "an Okta OIDC app with the refresh_token grant and refresh_token.rotation_type ROTATE",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounApplication, Shape: "custom OIDC application with the Portal's refresh-token behaviour"},
	Rationale: "{{.Name}} rotates refresh tokens (leeway {{.App.OIDC.RefreshTokenLeewaySeconds}} s); the Portal's " +
		"application contract has no rotation setting, so the Portal's own refresh-token behaviour applies.",
	Notes:          "Refresh-token rotation is not carried over; users keep sessions under the Portal's refresh-token lifetime.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	References: []string{docOktaApps, docOAuthBCP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		return nil, o != nil && o.RefreshTokenRotation == "ROTATE" && slices.Contains(o.GrantTypes, "refresh_token")
	},
}

var anyAppOIDCPublicPKCE = a.Rule{
	ID: "ANY-APP-OIDC-PKCE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title:     "Public OIDC client that does not require PKCE",
	Condition: "a public OIDC client (no client credential) whose evidence says PKCE is not required",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounApplication, Shape: "public custom OIDC application using PKCE"},
	Rationale: "{{.Name}} is a public client that does not require PKCE; public clients on the Portal are expected to " +
		"use PKCE (RFC 9700), so a client that does not send it may fail to sign in.",
	Notes:          "Confirm the client sends PKCE (code_challenge) before cutover.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Public clients must use PKCE on the Portal: app owners must confirm their client sends a code challenge."}},
	References: []string{docOAuthBCP, docNativeApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		o := clientOf(s)
		return nil, o != nil && app(s).Protocol == inventory.ProtocolOIDC && o.Confidential == inventory.No && o.PKCERequired == inventory.No
	},
}

var anyAppCredentials = a.Rule{
	ID: "ANY-APP-CREDENTIALS-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Client secrets and certificates cannot move",
	Condition: "a tenant application that holds client secrets or certificates (Graph passwordCredentials and " +
		"keyCredentials, an Okta client secret or JWKS key)",
	Class: a.NativeImport,
	Rationale: "{{.Name}} holds {{plural (len .V.creds) \"credential\"}} ({{list .V.creds}}); secrets and keys are never " +
		"read out of the incumbent, so none moves: the Portal issues new ones.",
	Notes:          "Rotate: install the Portal-issued credential in the app at cutover and retire {{list .V.creds}}.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Client secrets and certificates do not move: app owners must install the Portal-issued credential at cutover and retire the old ones."}},
	References: []string{docGraphApplication, docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		if ap.Origin != inventory.OriginTenant || ap.Object == inventory.AppObjectEntraServicePrincipal {
			return nil, false
		}
		var creds []string
		for _, c := range ap.Credentials {
			name := c.Type
			if n := firstNonEmpty(c.DisplayName, c.KeyID); n != "" {
				name += " " + n
			}
			creds = append(creds, name)
		}
		if len(creds) == 0 && ap.ClientSecret.Present == inventory.Yes {
			creds = append(creds, "client secret")
		}
		return a.Vars{"creds": creds}, len(creds) > 0
	},
}
