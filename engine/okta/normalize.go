package okta

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// The normalizers read each payload tolerantly (see obj) into its kind's
// typed view, following the Okta Management API v1 reference for each
// object (cited on each normalizer). Item.Raw is the element exactly as the
// org sent it.

// customTemplates are the app names Okta gives custom (tenant-defined)
// apps created from its generic templates, per the Applications API
// reference ("name" of bookmark, basic auth, SWA, SWA 3-field, secure
// password store, WS-Federation and OIDC apps).
var customTemplates = []string{"bookmark", "template_basic_auth", "template_swa", "template_swa3field",
	"template_sps", "template_wsfed", "oidc_client"}

// generatedInstance matches the names Okta generates for custom SAML and
// SWA app instances ("<org>_<label>_<n>").
var generatedInstance = regexp.MustCompile(`^[a-z0-9]+_[a-z0-9_]+_\d+$`)

// oinStatementsGap names why an OIN SAML app's statements are missing.
const oinStatementsGap = "catalogue (OIN) app: its attribute statements come from the integration's template, which the Management API does not return"

// appSigningKid is the kid of a SAML app's signing key
// (credentials.signing.kid), "" for other apps: such apps need their key
// credentials read before they are normalized with certificates.
func appSigningKid(raw json.RawMessage) string {
	o, err := parseObject(raw)
	if err != nil || !isSAML(o.s("signOnMode")) {
		return ""
	}
	return o.path("credentials", "signing").s("kid")
}

func isSAML(mode string) bool { return mode == "SAML_2_0" || mode == "SAML_1_1" }

// NormalizeApp turns one application payload (GET /api/v1/apps; the
// Application object of the Applications API:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/)
// into an application item. keys are the app's key credentials by kid
// (GET /api/v1/apps/{id}/credentials/keys); a SAML app's signing kid that
// keys lacks is recorded with the reason, never dropped. now decides which
// certificates have expired.
func NormalizeApp(raw json.RawMessage, keys map[string]SigningKey, now time.Time) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("application", err)
	}
	mode, name := o.s("signOnMode"), o.s("name")
	creds, settings := o.o("credentials"), o.o("settings")
	signOn, appSettings := settings.o("signOn"), settings.o("app")
	a := &inventory.ApplicationView{
		VendorType: mode, Object: inventory.AppObjectOktaApp, Name: name,
		State: state(o.s("status")), VendorStatus: o.s("status"),
		Origin: inventory.OriginTenant,
		// An Okta app is reachable only by the users and groups assigned
		// to it.
		AssignmentRequired: inventory.Yes,
		HiddenFromUsers:    o.path("visibility", "hide").b("web"),
		LoginURL:           firstNonEmpty(appSettings.s("url"), appSettings.s("loginUrl"), appSettings.s("siteURL")),
		ClientSecret:       secretField(creds.o("oauthClient"), "client_secret"),
	}
	a.Catalogue, a.CatalogueID = appCatalogue(mode, name, signOn)
	if ut := creds.o("userNameTemplate"); len(ut) > 0 {
		a.UsernameTemplate = &inventory.UsernameTemplate{Template: ut.s("template"), Type: ut.s("type"),
			Suffix: ut.s("suffix"), PushStatus: ut.s("pushStatus")}
	}
	switch mode {
	case "SAML_2_0", "SAML_1_1":
		a.Protocol = inventory.ProtocolSAML
		a.SAML = samlSettings(signOn, creds.o("signing").s("kid"), keys, now, a.Catalogue, a.HiddenFromUsers)
	case "OPENID_CONNECT":
		a.Protocol = inventory.ProtocolOIDC
		a.ClientID = creds.o("oauthClient").s("client_id")
		a.OIDC = oidcSettings(creds.o("oauthClient"), settings.o("oauthClient"))
		a.Credentials = jwksCredentials(settings.path("oauthClient", "jwks"))
	case "WS_FEDERATION":
		a.Protocol = inventory.ProtocolWSFederation
		a.WSFederation = &inventory.WSFedSettings{
			Realm: appSettings.s("realm"), ReplyURL: appSettings.s("wReplyURL"), SiteURL: appSettings.s("siteURL"),
			NameIDFormat: appSettings.s("nameIDFormat"), AudienceRestriction: appSettings.s("audienceRestriction"),
			SignatureAlgorithm: appSettings.s("signatureAlgorithm"), AttributeStatements: appSettings.s("attributeStatements"),
			UsernameAttribute: appSettings.s("usernameAttribute"), GroupFilter: appSettings.s("groupFilter"),
		}
	case "AUTO_LOGIN", "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE", "BASIC_AUTH":
		a.Protocol = inventory.ProtocolPassword
		variant := map[string]string{
			"AUTO_LOGIN": inventory.PasswordVariantSWA, "BROWSER_PLUGIN": inventory.PasswordVariantBrowserPlugin,
			"SECURE_PASSWORD_STORE": inventory.PasswordVariantVaulted, "BASIC_AUTH": inventory.PasswordVariantBasicAuth,
		}[mode]
		scheme := creds.s("scheme")
		a.Password = &inventory.PasswordSignOn{Variant: variant, URL: firstNonEmpty(appSettings.s("url"), appSettings.s("loginUrl")),
			Scheme: scheme, SharedCredentials: sharedScheme(scheme)}
	case "BOOKMARK":
		a.Protocol = inventory.ProtocolBookmark
	case "":
		a.Protocol = inventory.ProtocolNone
	default:
		a.Protocol = inventory.ProtocolOther
	}
	return inventory.NewItem(o.s("id"), firstNonEmpty(o.s("label"), name, o.s("id")),
		inventory.View{Application: a}, raw), nil
}

// appCatalogue tells a custom app from an OIN one: Okta's custom templates
// and custom SWA (AUTO_LOGIN) are custom; a SAML app with its own ACS URL
// or an org-generated instance name is custom (OIN SAML apps carry only
// override fields in settings.signOn); any other named app is an OIN key.
func appCatalogue(mode, name string, signOn obj) (inventory.Catalogue, string) {
	switch {
	case name == "":
		return inventory.CatalogueUnknown, ""
	case slices.Contains(customTemplates, name), mode == "AUTO_LOGIN", generatedInstance.MatchString(name):
		return inventory.CatalogueCustom, ""
	case isSAML(mode) && signOn.s("ssoAcsUrl") != "":
		return inventory.CatalogueCustom, ""
	}
	return inventory.CatalogueListed, name
}

func sharedScheme(scheme string) inventory.Tri {
	if scheme == "" {
		return inventory.Unknown
	}
	return inventory.TriOf(scheme == "SHARED_USERNAME_AND_PASSWORD")
}

// samlSettings reads settings.signOn of a SAML app (the Applications API's
// SamlApplicationSettingsSignOn; OIN apps send its *Override fields).
func samlSettings(so obj, kid string, keys map[string]SigningKey, now time.Time, catalogue inventory.Catalogue, hidden inventory.Tri) *inventory.SAMLSettings {
	s := &inventory.SAMLSettings{
		Recipient:          firstNonEmpty(so.s("recipientOverride"), so.s("recipient")),
		Destination:        firstNonEmpty(so.s("destinationOverride"), so.s("destination")),
		IdPIssuer:          so.s("idpIssuer"),
		SPIssuer:           so.s("spIssuer"),
		NameIDFormat:       so.s("subjectNameIdFormat"),
		NameIDTemplate:     so.s("subjectNameIdTemplate"),
		ResponseSigned:     so.b("responseSigned"),
		AssertionSigned:    so.b("assertionSigned"),
		SignatureAlgorithm: so.s("signatureAlgorithm"),
		DigestAlgorithm:    so.s("digestAlgorithm"),
		RequestsSigned:     so.b("samlSignedRequestEnabled"),
		DefaultRelayState:  so.s("defaultRelayState"),

		AuthnContextClassRef:     so.s("authnContextClassRef"),
		HonorForceAuthn:          so.b("honorForceAuthn"),
		AssertionLifetimeSeconds: int(so.i("samlAssertionLifetimeSeconds")),
	}
	if aud := firstNonEmpty(so.s("audienceOverride"), so.s("audience")); aud != "" {
		s.EntityIDs = []string{aud}
	}
	if acs := firstNonEmpty(so.s("ssoAcsUrlOverride"), so.s("ssoAcsUrl")); acs != "" {
		s.ACSURLs = []string{acs}
	}
	for _, e := range so.a("acsEndpoints") {
		if u := e.s("url"); u != "" && !slices.Contains(s.ACSURLs, u) {
			s.ACSURLs = append(s.ACSURLs, u)
		}
	}
	for _, h := range so.a("inlineHooks") {
		if id := h.s("id"); id != "" {
			s.InlineHooks = append(s.InlineHooks, id)
		}
	}
	// Okta launches a SAML app from the dashboard tile with an
	// unsolicited response: IdP-initiated unless the tile is hidden.
	switch hidden {
	case inventory.Yes:
		s.IdPInitiated = inventory.No
	case inventory.No:
		s.IdPInitiated = inventory.Yes
	}
	if slo := so.o("slo"); len(slo) > 0 {
		s.SingleLogout, s.SLOURL, s.SLOIssuer = slo.b("enabled"), slo.s("logoutUrl"), slo.s("issuer")
	} else if len(so) > 0 && catalogue == inventory.CatalogueCustom {
		// A custom app's signOn lists every setting; no slo means none.
		s.SingleLogout = inventory.No
	}
	if enc := so.o("assertionEncryption"); len(enc) > 0 {
		s.AssertionEncrypted = enc.b("enabled")
		s.EncryptionAlgorithm, s.KeyTransport = enc.s("encryptionAlgorithm"), enc.s("keyTransportAlgorithm")
		if x5c := enc.ss("x5c"); len(x5c) > 0 {
			c := certificateFromX5C(enc.s("kid"), x5c[0], now)
			c.Usage = "encryption"
			s.EncryptionCertificate = &c
		}
	} else if len(so) > 0 && catalogue == inventory.CatalogueCustom {
		// A custom app's signOn lists every setting; no
		// assertionEncryption means none.
		s.AssertionEncrypted = inventory.No
	}
	if kid != "" {
		if k, ok := keys[kid]; ok {
			c := k.certificate()
			c.Usage = "signing"
			s.SigningCertificates = []inventory.Certificate{c}
		} else {
			s.SigningCertificates = []inventory.Certificate{{KeyID: kid, Usage: "signing",
				Error: "the app's key credentials do not hold this kid"}}
		}
	}
	statements := append(so.a("attributeStatements"), so.a("configuredAttributeStatements")...)
	switch {
	case catalogue == inventory.CatalogueCustom && so.has("attributeStatements"):
		s.StatementsExposed = inventory.Yes
	case catalogue == inventory.CatalogueListed && len(statements) == 0:
		s.StatementsExposed, s.StatementsGap = inventory.No, oinStatementsGap
	case catalogue == inventory.CatalogueListed:
		// Okta returned the OIN app's configured statements.
		s.StatementsExposed = inventory.Yes
	default:
		s.StatementsGap = "the payload has no attributeStatements field"
	}
	if s.StatementsExposed == inventory.Yes {
		for _, st := range statements {
			s.AttributeStatements = append(s.AttributeStatements, inventory.AttributeStatement{
				Type: st.s("type"), Name: st.s("name"), Namespace: st.s("namespace"), Values: st.ss("values"),
				FilterType: st.s("filterType"), FilterValue: st.s("filterValue"),
			})
		}
	}
	return s
}

// oidcSettings reads an OIDC app's credentials.oauthClient and
// settings.oauthClient (the Applications API's OpenIdConnectApplication).
func oidcSettings(cred, set obj) *inventory.OIDCSettings {
	method := cred.s("token_endpoint_auth_method")
	s := &inventory.OIDCSettings{
		ApplicationType:        set.s("application_type"),
		GrantTypes:             set.ss("grant_types"),
		ResponseTypes:          set.ss("response_types"),
		RedirectURIs:           set.ss("redirect_uris"),
		PostLogoutRedirectURIs: set.ss("post_logout_redirect_uris"),
		ClientAuthMethod:       method,
		PKCERequired:           cred.b("pkce_required"),
		IssuerMode:             set.s("issuer_mode"),
		ConsentMethod:          set.s("consent_method"),
		InitiateLoginURI:       set.s("initiate_login_uri"),
		IdPInitiatedLogin:      set.o("idp_initiated_login").s("mode"),
		DPoPBoundTokens:        set.b("dpop_bound_access_tokens"),
		JWKSURI:                set.s("jwks_uri"),

		RefreshTokenRotation:      set.o("refresh_token").s("rotation_type"),
		RefreshTokenLeewaySeconds: int(set.o("refresh_token").i("leeway")),
	}
	if t := s.ApplicationType; t != "" {
		s.Platforms = []string{t}
	}
	switch set.s("wildcard_redirect") {
	case "DISABLED":
		s.WildcardRedirect = inventory.No
	case "":
	default: // SUBDOMAIN
		s.WildcardRedirect = inventory.Yes
	}
	switch method {
	case "":
		s.ConfidentialEvidence = "no token_endpoint_auth_method in the payload"
	case "none":
		s.Confidential, s.ConfidentialEvidence = inventory.No, "token_endpoint_auth_method none"
	default:
		s.Confidential, s.ConfidentialEvidence = inventory.Yes, "token_endpoint_auth_method "+method
	}
	if s.GrantTypes != nil {
		implicit := slices.Contains(s.GrantTypes, "implicit")
		s.ImplicitIDToken = inventory.TriOf(implicit && slices.Contains(s.ResponseTypes, "id_token"))
		s.ImplicitAccessToken = inventory.TriOf(implicit && slices.Contains(s.ResponseTypes, "token"))
	}
	return s
}

// jwksCredentials lists the public keys of a private_key_jwt client
// (settings.oauthClient.jwks.keys): metadata only.
func jwksCredentials(jwks obj) []inventory.Credential {
	var out []inventory.Credential
	for _, k := range jwks.a("keys") {
		out = append(out, inventory.Credential{Type: "certificate", VendorType: k.s("kty"), Usage: k.s("use"),
			KeyID: k.s("kid"), Status: k.s("status")})
	}
	return out
}

// SigningKey is a certificate parsed from a JSON Web Key's x5c.
type SigningKey struct {
	Kid               string    `json:"kid"`
	CertificatePEM    string    `json:"certificate_pem"`
	SHA256Fingerprint string    `json:"sha256_fingerprint"`
	Subject           string    `json:"subject"`
	NotBefore         time.Time `json:"not_before"`
	NotAfter          time.Time `json:"not_after"`
	Expired           bool      `json:"expired"`
	// Error says why the certificate could not be read; the key is kept.
	Error string `json:"error,omitempty"`
}

// certificate is the key as a view certificate.
func (k SigningKey) certificate() inventory.Certificate {
	c := inventory.Certificate{KeyID: k.Kid, Subject: k.Subject, SHA256Fingerprint: k.SHA256Fingerprint,
		PEM: k.CertificatePEM, Error: k.Error}
	if !k.NotAfter.IsZero() {
		nb, na := k.NotBefore, k.NotAfter
		c.NotBefore, c.NotAfter, c.Expired = &nb, &na, inventory.TriOf(k.Expired)
	}
	return c
}

// ParseSigningKey reads one JWK payload (Okta's x5c is base64 DER). A bad
// certificate yields a key with Error set, never a failure: a garbage cert is
// an inventory finding, not a reason to lose the provider.
func ParseSigningKey(raw json.RawMessage, now time.Time) (SigningKey, error) {
	var k struct {
		Kid string   `json:"kid"`
		X5c []string `json:"x5c"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return SigningKey{}, fmt.Errorf("okta signing key: %w", err)
	}
	if len(k.X5c) == 0 {
		return SigningKey{Kid: k.Kid, Error: "no x5c certificate"}, nil
	}
	return parseX5C(k.Kid, k.X5c[0], now), nil
}

func parseX5C(kid, x5c string, now time.Time) SigningKey {
	key := SigningKey{Kid: kid}
	der, err := base64.StdEncoding.DecodeString(x5c)
	if err != nil {
		key.Error = "x5c is not base64: " + err.Error()
		return key
	}
	sum := sha256.Sum256(der)
	key.SHA256Fingerprint = strings.ToUpper(hex.EncodeToString(sum[:]))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		key.Error = "x5c is not an X.509 certificate: " + err.Error()
		return key
	}
	key.CertificatePEM = "-----BEGIN CERTIFICATE-----\n" + wrap64(x5c) + "-----END CERTIFICATE-----\n"
	key.Subject = cert.Subject.String()
	key.NotBefore, key.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
	key.Expired = now.After(cert.NotAfter)
	return key
}

func certificateFromX5C(kid, x5c string, now time.Time) inventory.Certificate {
	return parseX5C(kid, x5c, now).certificate()
}

func wrap64(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	if s != "" {
		b.WriteString(s + "\n")
	}
	return b.String()
}
