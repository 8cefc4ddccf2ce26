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
	if err != nil || !isSAML(o.Str("signOnMode")) {
		return ""
	}
	return o.Path("credentials", "signing").Str("kid")
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
	mode, name := o.Str("signOnMode"), o.Str("name")
	creds, settings := o.Obj("credentials"), o.Obj("settings")
	signOn, appSettings := settings.Obj("signOn"), settings.Obj("app")
	a := &inventory.ApplicationView{
		VendorType: mode, Object: inventory.AppObjectOktaApp, Name: name,
		State: state(o.Str("status")), VendorStatus: o.Str("status"),
		Origin: inventory.OriginTenant,
		// An Okta app is reachable only by the users and groups assigned
		// to it.
		AssignmentRequired: inventory.Yes,
		HiddenFromUsers:    o.Path("visibility", "hide").Bool("web"),
		LoginURL:           firstNonEmpty(appSettings.Str("url"), appSettings.Str("loginUrl"), appSettings.Str("siteURL")),
		ClientSecret:       creds.Obj("oauthClient").Secret("client_secret"),
	}
	a.Catalogue, a.CatalogueID = appCatalogue(mode, name, signOn)
	if ut := creds.Obj("userNameTemplate"); len(ut) > 0 {
		a.UsernameTemplate = &inventory.UsernameTemplate{Template: ut.Str("template"), Type: ut.Str("type"),
			Suffix: ut.Str("suffix"), PushStatus: ut.Str("pushStatus")}
	}
	switch mode {
	case "SAML_2_0", "SAML_1_1":
		a.Protocol = inventory.ProtocolSAML
		a.SAML = samlSettings(signOn, creds.Obj("signing").Str("kid"), keys, now, a.Catalogue, a.HiddenFromUsers)
	case "OPENID_CONNECT":
		a.Protocol = inventory.ProtocolOIDC
		a.ClientID = creds.Obj("oauthClient").Str("client_id")
		a.OIDC = oidcSettings(creds.Obj("oauthClient"), settings.Obj("oauthClient"))
		a.Credentials = jwksCredentials(settings.Path("oauthClient", "jwks"))
		if a.ClientSecret.Present == inventory.Yes {
			// The app list holds the secret itself, not its dates
			// (/api/v1/apps/{id}/credentials/secrets, not read, has them).
			a.Credentials = append(a.Credentials, inventory.Credential{Type: "secret", DisplayName: "client_secret"})
		}
	case "WS_FEDERATION":
		a.Protocol = inventory.ProtocolWSFederation
		a.WSFederation = &inventory.WSFedSettings{
			Realm: appSettings.Str("realm"), ReplyURL: appSettings.Str("wReplyURL"), SiteURL: appSettings.Str("siteURL"),
			NameIDFormat: appSettings.Str("nameIDFormat"), AudienceRestriction: appSettings.Str("audienceRestriction"),
			SignatureAlgorithm: appSettings.Str("signatureAlgorithm"), AttributeStatements: appSettings.Str("attributeStatements"),
			UsernameAttribute: appSettings.Str("usernameAttribute"), GroupFilter: appSettings.Str("groupFilter"),
		}
	case "AUTO_LOGIN", "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE", "BASIC_AUTH":
		a.Protocol = inventory.ProtocolPassword
		variant := map[string]string{
			"AUTO_LOGIN": inventory.PasswordVariantSWA, "BROWSER_PLUGIN": inventory.PasswordVariantBrowserPlugin,
			"SECURE_PASSWORD_STORE": inventory.PasswordVariantVaulted, "BASIC_AUTH": inventory.PasswordVariantBasicAuth,
		}[mode]
		scheme := creds.Str("scheme")
		a.Password = &inventory.PasswordSignOn{Variant: variant, URL: firstNonEmpty(appSettings.Str("url"), appSettings.Str("loginUrl")),
			Scheme: scheme, SharedCredentials: sharedScheme(scheme)}
	case "BOOKMARK":
		a.Protocol = inventory.ProtocolBookmark
	case "":
		a.Protocol = inventory.ProtocolNone
	default:
		a.Protocol = inventory.ProtocolOther
	}
	return inventory.NewItem(o.Str("id"), firstNonEmpty(o.Str("label"), name, o.Str("id")),
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
	case isSAML(mode) && signOn.Str("ssoAcsUrl") != "":
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
		Recipient:          firstNonEmpty(so.Str("recipientOverride"), so.Str("recipient")),
		Destination:        firstNonEmpty(so.Str("destinationOverride"), so.Str("destination")),
		IdPIssuer:          so.Str("idpIssuer"),
		SPIssuer:           so.Str("spIssuer"),
		NameIDFormat:       so.Str("subjectNameIdFormat"),
		NameIDTemplate:     so.Str("subjectNameIdTemplate"),
		ResponseSigned:     so.Bool("responseSigned"),
		AssertionSigned:    so.Bool("assertionSigned"),
		SignatureAlgorithm: so.Str("signatureAlgorithm"),
		DigestAlgorithm:    so.Str("digestAlgorithm"),
		RequestsSigned:     so.Bool("samlSignedRequestEnabled"),
		DefaultRelayState:  so.Str("defaultRelayState"),

		AuthnContextClassRef:     so.Str("authnContextClassRef"),
		HonorForceAuthn:          so.Bool("honorForceAuthn"),
		AssertionLifetimeSeconds: int(so.Int("samlAssertionLifetimeSeconds")),
	}
	if aud := firstNonEmpty(so.Str("audienceOverride"), so.Str("audience")); aud != "" {
		s.EntityIDs = []string{aud}
	}
	if acs := firstNonEmpty(so.Str("ssoAcsUrlOverride"), so.Str("ssoAcsUrl")); acs != "" {
		s.ACSURLs = []string{acs}
	}
	for _, e := range so.Objects("acsEndpoints") {
		if u := e.Str("url"); u != "" && !slices.Contains(s.ACSURLs, u) {
			s.ACSURLs = append(s.ACSURLs, u)
		}
	}
	for _, h := range so.Objects("inlineHooks") {
		if id := h.Str("id"); id != "" {
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
	if slo := so.Obj("slo"); len(slo) > 0 {
		s.SingleLogout, s.SLOURL, s.SLOIssuer = slo.Bool("enabled"), slo.Str("logoutUrl"), slo.Str("issuer")
	} else if len(so) > 0 && catalogue == inventory.CatalogueCustom {
		// A custom app's signOn lists every setting; no slo means none.
		s.SingleLogout = inventory.No
	}
	if enc := so.Obj("assertionEncryption"); len(enc) > 0 {
		s.AssertionEncrypted = enc.Bool("enabled")
		s.EncryptionAlgorithm, s.KeyTransport = enc.Str("encryptionAlgorithm"), enc.Str("keyTransportAlgorithm")
		if x5c := enc.Strings("x5c"); len(x5c) > 0 {
			c := certificateFromX5C(enc.Str("kid"), x5c[0], now)
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
	s.ValidSigningCertificate = inventory.ValidCertificate(s.SigningCertificates, now)
	statements := append(so.Objects("attributeStatements"), so.Objects("configuredAttributeStatements")...)
	switch {
	case catalogue == inventory.CatalogueCustom && so.Has("attributeStatements"):
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
				Type: st.Str("type"), Name: st.Str("name"), Namespace: st.Str("namespace"), Values: st.Strings("values"),
				FilterType: st.Str("filterType"), FilterValue: st.Str("filterValue"),
			})
		}
	}
	return s
}

// oidcSettings reads an OIDC app's credentials.oauthClient and
// settings.oauthClient (the Applications API's OpenIdConnectApplication).
func oidcSettings(cred, set obj) *inventory.OIDCSettings {
	method := cred.Str("token_endpoint_auth_method")
	s := &inventory.OIDCSettings{
		ApplicationType:        set.Str("application_type"),
		GrantTypes:             set.Strings("grant_types"),
		ResponseTypes:          set.Strings("response_types"),
		RedirectURIs:           set.Strings("redirect_uris"),
		PostLogoutRedirectURIs: set.Strings("post_logout_redirect_uris"),
		ClientAuthMethod:       method,
		PKCERequired:           cred.Bool("pkce_required"),
		IssuerMode:             set.Str("issuer_mode"),
		ConsentMethod:          set.Str("consent_method"),
		InitiateLoginURI:       set.Str("initiate_login_uri"),
		IdPInitiatedLogin:      set.Obj("idp_initiated_login").Str("mode"),
		DPoPBoundTokens:        set.Bool("dpop_bound_access_tokens"),
		JWKSURI:                set.Str("jwks_uri"),

		RefreshTokenRotation:      set.Obj("refresh_token").Str("rotation_type"),
		RefreshTokenLeewaySeconds: int(set.Obj("refresh_token").Int("leeway")),
	}
	if t := s.ApplicationType; t != "" {
		s.Platforms = []string{t}
	}
	switch set.Str("wildcard_redirect") {
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
	for _, k := range jwks.Objects("keys") {
		out = append(out, inventory.Credential{Type: "certificate", VendorType: k.Str("kty"), Usage: k.Str("use"),
			KeyID: k.Str("kid"), Status: k.Str("status")})
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
