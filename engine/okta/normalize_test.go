package okta

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// vendorElement reads the n-th element of a vendor payload file (an object
// file is element 0).
func vendorElement(t *testing.T, path string, n int) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/vendor", path))
	if err != nil {
		t.Fatal(err)
	}
	var arr []json.RawMessage
	if json.Unmarshal(b, &arr) == nil {
		return arr[n]
	}
	var wrap struct {
		Domains []json.RawMessage `json:"domains"`
	}
	if json.Unmarshal(b, &wrap) == nil && wrap.Domains != nil {
		return wrap.Domains[n]
	}
	return b
}

func mustView(t *testing.T, it inventory.Item, err error) inventory.View {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p := inventory.CheckView(it); len(p) > 0 {
		t.Fatalf("view problems: %v", p)
	}
	return it.View
}

var collected = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Each case reads one vendor-written payload (the file is named) and checks
// the facts a rule will rely on.
func TestApplicationViewsFromVendorPayloads(t *testing.T) {
	t.Run("custom SAML app (applications/saml_2_0_app.json)", func(t *testing.T) {
		it, err := NormalizeApp(vendorElement(t, "applications/saml_2_0_app.json", 0), nil, collected)
		a := mustView(t, it, err).Application
		s := a.SAML
		if a.Protocol != inventory.ProtocolSAML || a.Catalogue != inventory.CatalogueCustom || a.VendorType != "SAML_2_0" {
			t.Fatalf("protocol %s catalogue %s", a.Protocol, a.Catalogue)
		}
		if !slices.Equal(s.EntityIDs, []string{"asdqwe123"}) || !slices.Equal(s.ACSURLs, []string{"http://testorgone.okta"}) {
			t.Errorf("entity ids %v acs %v", s.EntityIDs, s.ACSURLs)
		}
		if s.StatementsExposed != inventory.Yes || len(s.AttributeStatements) != 1 || s.AttributeStatements[0].Values[0] != "Value" {
			t.Errorf("statements %s %+v", s.StatementsExposed, s.AttributeStatements)
		}
		if s.SingleLogout != inventory.Yes || s.SLOURL != "https://testorgone.okta.com/logout" || s.ResponseSigned != inventory.Yes {
			t.Errorf("slo %s %q signed %s", s.SingleLogout, s.SLOURL, s.ResponseSigned)
		}
		if s.AssertionEncrypted != inventory.No || s.IdPInitiated != inventory.Yes {
			t.Errorf("encrypted %s idp-initiated %s", s.AssertionEncrypted, s.IdPInitiated)
		}
		// No key credentials were read: the kid is kept with the reason.
		if len(s.SigningCertificates) != 1 || s.SigningCertificates[0].KeyID != "mh_16Cc8sIfHMFDMlHnp194cxKvJ6yXqs_mNn_6ZC0Q" || s.SigningCertificates[0].Error == "" {
			t.Errorf("signing certificates %+v", s.SigningCertificates)
		}
		if a.UsernameTemplate == nil || a.UsernameTemplate.Template != "${source.email}" {
			t.Errorf("username template %+v", a.UsernameTemplate)
		}
	})
	t.Run("catalogue SAML app (applications/list_apps_filter_name.json)", func(t *testing.T) {
		it, err := NormalizeApp(vendorElement(t, "applications/list_apps_filter_name.json", 0), nil, collected)
		a := mustView(t, it, err).Application
		if a.Catalogue != inventory.CatalogueListed || a.CatalogueID != "workday" {
			t.Fatalf("catalogue %s %q", a.Catalogue, a.CatalogueID)
		}
		// Okta returns an empty list for an OIN app: that is not "no
		// statements".
		if a.SAML.StatementsExposed != inventory.No || a.SAML.StatementsGap == "" || len(a.SAML.AttributeStatements) != 0 {
			t.Errorf("statements exposed %s gap %q", a.SAML.StatementsExposed, a.SAML.StatementsGap)
		}
		if a.SAML.AssertionEncrypted != inventory.Unknown || a.SAML.SingleLogout != inventory.Unknown {
			t.Errorf("an OIN app's unsent settings read as known: encrypted %s slo %s", a.SAML.AssertionEncrypted, a.SAML.SingleLogout)
		}
	})
	t.Run("OIDC app (applications/oidc_native_app.json)", func(t *testing.T) {
		raw := vendorElement(t, "applications/oidc_native_app.json", 0)
		it, err := NormalizeApp(raw, nil, collected)
		a := mustView(t, it, err).Application
		o := a.OIDC
		if a.Protocol != inventory.ProtocolOIDC || a.ClientID != "0oahonkqCRR6TSNlg4" || o.ClientAuthMethod != "client_secret_post" {
			t.Fatalf("oidc %+v", a)
		}
		if o.PKCERequired != inventory.Yes || o.Confidential != inventory.Yes || o.WildcardRedirect != inventory.No || o.IssuerMode != "DYNAMIC" {
			t.Errorf("pkce %s confidential %s wildcard %s issuer %s", o.PKCERequired, o.Confidential, o.WildcardRedirect, o.IssuerMode)
		}
		if !slices.Equal(o.RedirectURIs, []string{"https://example.com/oauth2/callback", "myapp://callback"}) {
			t.Errorf("redirects %v", o.RedirectURIs)
		}
		if a.ClientSecret.Present != inventory.Yes || a.ClientSecret.Marker != "" {
			t.Errorf("client secret %+v", a.ClientSecret)
		}
		if len(a.Credentials) != 1 || a.Credentials[0].Type != "secret" || a.Credentials[0].Expired != inventory.Unknown {
			t.Errorf("credentials %+v", a.Credentials)
		}
		b, _ := json.Marshal(it.View)
		if strings.Contains(string(b), "wj9bOsLK0BRNJqy7KMMnaE7m8qrW51bPO2n1") {
			t.Fatal("the client secret reached the view")
		}
	})
	for file, want := range map[string]string{
		"applications/bookmark_app.json":                 string(inventory.ProtocolBookmark),
		"applications/auto_login_app.json":               inventory.PasswordVariantSWA,
		"applications/browser_plugin_swa_app.json":       inventory.PasswordVariantBrowserPlugin,
		"applications/secure_password_store_app.json":    inventory.PasswordVariantVaulted,
		"applications/basic_auth_app.json":               inventory.PasswordVariantBasicAuth,
		"applications/ws_federation_app.json":            string(inventory.ProtocolWSFederation),
		"applications/browser_plugin_swa3field_app.json": inventory.PasswordVariantBrowserPlugin,
	} {
		t.Run(file, func(t *testing.T) {
			it, err := NormalizeApp(vendorElement(t, file, 0), nil, collected)
			a := mustView(t, it, err).Application
			got := string(a.Protocol)
			if a.Password != nil {
				got = a.Password.Variant
			}
			if got != want || a.Catalogue != inventory.CatalogueCustom {
				t.Errorf("got %s (%s), want %s, custom", got, a.Catalogue, want)
			}
		})
	}
}

func TestProviderRoutingAndPolicyViewsFromVendorPayloads(t *testing.T) {
	t.Run("OIDC IdP (idps/oidc_idp.json)", func(t *testing.T) {
		it, err := NormalizeIdP(vendorElement(t, "idps/oidc_idp.json", 0), nil)
		p := mustView(t, it, err).Provider
		if p.Protocol != inventory.ProviderOIDC || p.Issuer != "https://idp.example.com" || p.JWKSURL != "https://idp.example.com/keys" {
			t.Fatalf("%+v", p)
		}
		// Okta's example sends pkce_required as the string "true".
		if p.PKCERequired != inventory.Yes || p.ClientSecret.Present != inventory.Yes || p.JIT != inventory.Yes || p.AccountLinkAction != "AUTO" {
			t.Errorf("pkce %s secret %+v jit %s link %s", p.PKCERequired, p.ClientSecret, p.JIT, p.AccountLinkAction)
		}
	})
	t.Run("SAML IdP without its key (idps/saml2_idp.json)", func(t *testing.T) {
		it, err := NormalizeIdP(vendorElement(t, "idps/saml2_idp.json", 0), nil)
		p := mustView(t, it, err).Provider
		if p.Protocol != inventory.ProviderSAML || p.SSOURL != "https://idp.example.com" || p.SSOBinding != "HTTP-POST" {
			t.Fatalf("%+v", p)
		}
		if !slices.Equal(p.SigningKeyIDs, []string{"your-key-id", "additional-key-id"}) || p.ValidSigningCertificate != inventory.No {
			t.Errorf("keys %v valid %s", p.SigningKeyIDs, p.ValidSigningCertificate)
		}
	})
	t.Run("social IdP (idps/google_idp.json)", func(t *testing.T) {
		it, err := NormalizeIdP(vendorElement(t, "idps/google_idp.json", 0), nil)
		p := mustView(t, it, err).Provider
		if p.Protocol != inventory.ProviderSocial || p.SocialNetwork != "google" || !slices.Equal(p.Scopes, []string{"profile", "email", "openid"}) {
			t.Errorf("%+v", p)
		}
	})
	t.Run("dynamic routing (policies/idp_discovery_rule_dynamic_routing.json)", func(t *testing.T) {
		it, err := NormalizeRoutingRule(vendorElement(t, "policies/idp_discovery_rule_dynamic_routing.json", 0), "00p1")
		r := mustView(t, it, err).RoutingRule
		if r.Selection != "DYNAMIC" || len(r.DynamicSelection) != 1 || r.DynamicSelection[0].Expression != "login.identifier.substringAfter('@')" {
			t.Fatalf("%+v", r)
		}
		if r.FallBackToDefault != inventory.No || r.Conditions.Network != "ANYWHERE" {
			t.Errorf("fallback %s network %q", r.FallBackToDefault, r.Conditions.Network)
		}
	})
	t.Run("access rule with platform and expression (policies/access_policy_rule_platform_device_constraints.json)", func(t *testing.T) {
		it, err := NormalizePolicyRule(vendorElement(t, "policies/access_policy_rule_platform_device_constraints.json", 0), "rst1", "ACCESS_POLICY")
		p := mustView(t, it, err).Policy
		c := p.Conditions
		if p.Type != inventory.PolicyAccess || !p.Rule || p.Actions.RequireMFA != inventory.Yes || p.Actions.Access != "allow" {
			t.Fatalf("%+v", p)
		}
		if !slices.Equal(c.Groups.Exclude, []string{"00u7yq5goxNFTiMjW1d7"}) || !slices.Equal(c.NetworkZones.Exclude, []string{"nzo9o4rctwQCJNE6y1d7"}) {
			t.Errorf("groups %+v zones %+v", c.Groups, c.NetworkZones)
		}
		if !slices.Equal(c.Platforms.Include, []string{"MOBILE/IOS", "MOBILE/ANDROID", "DESKTOP/MACOS"}) || c.Expression != "security.risk.level == 'HIGH'" {
			t.Errorf("platforms %v expression %q", c.Platforms.Include, c.Expression)
		}
		if len(p.Actions.FactorConstraints) != 1 || p.Actions.FactorConstraints[0].Class != "knowledge" {
			t.Errorf("constraints %+v", p.Actions.FactorConstraints)
		}
		if !hasRef(it, "exclude_group", "00u7yq5goxNFTiMjW1d7") {
			t.Errorf("no ref to the excluded group: %+v", it.Refs)
		}
	})
	t.Run("password policy (policies/composed_password_policy.json)", func(t *testing.T) {
		it, err := NormalizePolicy(vendorElement(t, "policies/composed_password_policy.json", 0))
		p := mustView(t, it, err).Policy
		pw := p.Actions.Password
		if p.Type != inventory.PolicyPassword || !p.Default || pw == nil || pw.MinLength != 8 || pw.LockoutAttempts != 10 || pw.Provider != "OKTA" {
			t.Fatalf("%+v %+v", p, pw)
		}
		if !slices.Equal(pw.RecoveryFactors, []string{"okta_email", "recovery_question"}) || pw.CommonPasswordCheck != inventory.No {
			t.Errorf("recovery %v common %s", pw.RecoveryFactors, pw.CommonPasswordCheck)
		}
	})
	t.Run("password rule (policies/composed_password_rule.json)", func(t *testing.T) {
		it, err := NormalizePolicyRule(vendorElement(t, "policies/composed_password_rule.json", 0), "passwordPolicyId", "PASSWORD")
		a := mustView(t, it, err).Policy.Actions
		if a.SelfServiceReset != "ALLOW" || !slices.Equal(a.ResetMethods, []string{"EMAIL", "PUSH"}) || a.ResetStepUpRequired != inventory.Yes {
			t.Errorf("%+v", a)
		}
	})
	t.Run("MFA enrolment (policies/composed_mfa_enroll_policy.json, composed_mfa_enroll_classic_policy.json)", func(t *testing.T) {
		it, err := NormalizePolicy(vendorElement(t, "policies/composed_mfa_enroll_policy.json", 0))
		e := mustView(t, it, err).Policy.Actions.Enrollment
		if len(e) != 2 || e[0] != (inventory.AuthenticatorEnrollment{Key: "security_question", Enroll: "OPTIONAL"}) {
			t.Errorf("%+v", e)
		}
		it, err = NormalizePolicy(vendorElement(t, "policies/composed_mfa_enroll_classic_policy.json", 0))
		e = mustView(t, it, err).Policy.Actions.Enrollment
		if len(e) != 2 || e[1] != (inventory.AuthenticatorEnrollment{Key: "okta_sms", Enroll: "REQUIRED"}) {
			t.Errorf("classic factors %+v", e)
		}
	})
	t.Run("profile enrolment rule (policies/composed_profile_enrollment_rule.json)", func(t *testing.T) {
		it, err := NormalizePolicyRule(vendorElement(t, "policies/composed_profile_enrollment_rule.json", 0), "pe1", "PROFILE_ENROLLMENT")
		p := mustView(t, it, err).Policy
		pe := p.Actions.Profile
		if p.Type != inventory.PolicyProfileEnrollment || pe == nil || pe.UnknownUserAction != "DENY" || pe.EmailVerification != inventory.Yes || len(pe.Attributes) != 2 {
			t.Fatalf("%+v %+v", p, pe)
		}
	})
}

func TestDirectoryViewsFromVendorPayloads(t *testing.T) {
	t.Run("AD-imported group (groups/list_groups.json)", func(t *testing.T) {
		it, err := NormalizeGroup(vendorElement(t, "groups/list_groups.json", 1), GroupRules{})
		g := mustView(t, it, err).Group
		if g.Type != inventory.GroupAppImported || g.DirectorySynced != inventory.Yes || g.DirectoryName != `CORP\Engineering users` || g.RuleBased != inventory.No {
			t.Errorf("%+v", g)
		}
		it, err = NormalizeGroup(vendorElement(t, "groups/list_groups.json", 0), nil)
		g = mustView(t, it, err).Group
		if g.Type != inventory.GroupTenant || g.RuleBased != inventory.Unknown {
			t.Errorf("unread group rules must leave rule-based unknown: %+v", g)
		}
	})
	t.Run("group rule targets (built by hand: Okta publishes no group-rule example among the fixtures)", func(t *testing.T) {
		rules := GroupRules{}
		if err := rules.add(json.RawMessage(`{"id":"0pr1","status":"ACTIVE","name":"r","conditions":{"expression":{"value":"user.department==\"Eng\""}},"actions":{"assignUserToGroups":{"groupIds":["00g1emaKYZTWRYYRRTSK"]}}}`)); err != nil {
			t.Fatal(err)
		}
		it, err := NormalizeGroup(vendorElement(t, "groups/list_groups.json", 0), rules)
		g := mustView(t, it, err).Group
		if g.RuleBased != inventory.Yes || g.MembershipRules[0] != `user.department=="Eng"` {
			t.Errorf("%+v", g)
		}
	})
	t.Run("custom domain (domains/get_domain.json)", func(t *testing.T) {
		it, err := NormalizeDomain(vendorElement(t, "domains/get_domain.json", 0))
		d := mustView(t, it, err).Domain
		if d.Name != "login.example.com" || d.Verified != inventory.Yes || d.CertificateSource != "OKTA_MANAGED" || d.CertificateExpiry == "" {
			t.Errorf("%+v", d)
		}
	})
	t.Run("group assignment with embedded group (app_group_assignments/get_app_group_embedded.json)", func(t *testing.T) {
		it, err := NormalizeAppGroup(vendorElement(t, "app_group_assignments/get_app_group_embedded.json", 0), AppRef{ID: "0oa1", Name: "HR"})
		a := mustView(t, it, err).Assignment
		if a.PrincipalName != "Football Group" || a.AppName != "HR" || a.Priority == nil || *a.Priority != 0 || len(a.Unresolved) != 0 {
			t.Errorf("%+v", a)
		}
		if it.DisplayName != "HR ← group Football Group" {
			t.Errorf("display name %q", it.DisplayName)
		}
	})
	t.Run("user assignment (app_user_assignments/list_app_users.json)", func(t *testing.T) {
		it, err := NormalizeAppUser(vendorElement(t, "app_user_assignments/list_app_users.json", 0), AppRef{ID: "0oa1"})
		a := mustView(t, it, err).Assignment
		if a.Target != inventory.AssignUser || a.Direct != inventory.Yes || a.PrincipalName != "saml.test@example.com" || !slices.Equal(a.Unresolved, []string{"app"}) {
			t.Errorf("%+v", a)
		}
	})
}

func TestOddFieldsNeverFailAnItem(t *testing.T) {
	odd := json.RawMessage(`{"id":"0oa1","label":7,"status":["ACTIVE"],"signOnMode":"SAML_2_0","name":null,
		"credentials":"none","settings":{"signOn":{"audience":{"x":1},"acsEndpoints":"no","attributeStatements":[1,"x",{"name":"n","values":"v"}]}}}`)
	it, err := NormalizeApp(odd, nil, collected)
	v := mustView(t, it, err)
	if v.Application.State != inventory.StateUnknown || it.DisplayName != "0oa1" {
		t.Errorf("state %s name %q", v.Application.State, it.DisplayName)
	}
	if _, err := NormalizeApp(json.RawMessage(`{"label":"no id"}`), nil, collected); err == nil {
		t.Error("a payload without an id was accepted")
	}
}

func hasRef(it inventory.Item, role, id string) bool {
	for _, r := range it.Refs {
		if r.Role == role && r.SourceID == id {
			return true
		}
	}
	return false
}

// A secret the evidence transport redacted keeps its marker in the view
// (it names the field and carries a keyed digest); a plain one is only
// said to be present.
func TestSecretsReachTheViewAsMarkersOnly(t *testing.T) {
	raw := strings.Replace(string(vendorElement(t, "idps/oidc_idp.json", 0)), `"your-client-secret"`, `"[REDACTED client_secret hmac:test-only]"`, 1)
	it, err := NormalizeIdP(json.RawMessage(raw), nil)
	if p := mustView(t, it, err).Provider; p.ClientSecret.Marker != "[REDACTED client_secret hmac:test-only]" || p.ClientSecret.Present != inventory.Yes {
		t.Fatalf("redacted secret: %+v", p.ClientSecret)
	}
	it, err = NormalizeIdP(vendorElement(t, "idps/oidc_idp.json", 0), nil)
	if p := mustView(t, it, err).Provider; p.ClientSecret.Marker != "" || p.ClientSecret.Present != inventory.Yes {
		t.Fatalf("plain secret: %+v", p.ClientSecret)
	}
	if b, _ := json.Marshal(it.View); strings.Contains(string(b), "your-client-secret") {
		t.Fatal("a plain secret reached the view")
	}
}
