package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Random views: every field a rule reads drawn from the values vendors
// send, the odd ones and the unknown included, so the properties below
// hold for items no fixture shows.

func tri(t *rapid.T, label string) inventory.Tri {
	return rapid.SampledFrom([]inventory.Tri{inventory.Yes, inventory.No, inventory.Unknown}).Draw(t, label)
}

func oneOf[T any](t *rapid.T, label string, vals ...T) T {
	return rapid.SampledFrom(vals).Draw(t, label)
}

// pick draws good (the value that fits the Portal) two times in three, one
// of the others otherwise: uniform draws would almost never build an item a
// proving rule matches, and the properties would say nothing about them.
func pick[T any](t *rapid.T, label string, good T, others ...T) T {
	if len(others) == 0 || rapid.IntRange(0, 2).Draw(t, label+" fits") > 0 {
		return good
	}
	return rapid.SampledFrom(others).Draw(t, label)
}

func goodTri(t *rapid.T, label string, good inventory.Tri) inventory.Tri {
	var others []inventory.Tri
	for _, v := range []inventory.Tri{inventory.Yes, inventory.No, inventory.Unknown} {
		if v != good {
			others = append(others, v)
		}
	}
	return pick(t, label, good, others...)
}

func someOf(t *rapid.T, label string, vals ...string) []string {
	return rapid.SliceOfDistinct(rapid.SampledFrom(vals), func(s string) string { return s }).Draw(t, label)
}

func state(t *rapid.T) inventory.State {
	return pick(t, "state", inventory.StateActive, inventory.StateInactive, inventory.StateReportOnly, inventory.StateUnknown)
}

func name(t *rapid.T) string {
	return pick(t, "name", "Ünïcode Team", "Payroll", "Everyone", "EVERYONE", "admin center administrators", " padded ", "", "Team\u202Eevil")
}

func certs(t *rapid.T, label string) []inventory.Certificate {
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) inventory.Certificate {
		c := inventory.Certificate{KeyID: "kid", PEM: pick(t, "pem", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", ""),
			Expired: tri(t, "expired")}
		if pick(t, "dated", true, false) {
			nb := synthAt.AddDate(0, 0, -rapid.IntRange(0, 800).Draw(t, "age"))
			na := synthAt.AddDate(0, 0, rapid.IntRange(-400, 800).Draw(t, "left"))
			c.NotBefore, c.NotAfter = &nb, &na
		}
		if rapid.IntRange(0, 5).Draw(t, "broken") == 0 {
			c.Error = "unreadable"
		}
		return c
	}), 0, 3).Draw(t, label)
}

var synthAt = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func oidcSettings(t *rapid.T) *inventory.OIDCSettings {
	return &inventory.OIDCSettings{
		ApplicationType: oneOf(t, "apptype", "web", "native", "browser", "service", ""),
		Platforms:       someOf(t, "platforms", "web", "spa", "public_client"),
		GrantTypes: pick(t, "grants", []string{"authorization_code", "refresh_token"},
			someOf(t, "some grants", "authorization_code", "refresh_token", "client_credentials", "implicit", "password", "urn:ietf:params:oauth:grant-type:device_code", "interaction_code")),
		RedirectURIs: pick(t, "redirects", []string{"https://app.example.test/cb"}, someOf(t, "some redirects", "https://app.example.test/cb", "http://localhost:8080/cb", "http://app.example.test/cb",
			"com.example.app:/cb", "https://*.example.test/cb", "https://app.example.test/cb#frag", "/relative")),
		WildcardRedirect:      goodTri(t, "wildcard", inventory.No),
		ClientAuthMethod:      pick(t, "auth", "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none", ""),
		PKCERequired:          tri(t, "pkce"),
		Confidential:          goodTri(t, "confidential", inventory.Yes),
		ImplicitIDToken:       goodTri(t, "implicitid", inventory.No),
		ImplicitAccessToken:   goodTri(t, "implicitat", inventory.No),
		RefreshTokenRotation:  oneOf(t, "rotation", "", "ROTATE", "STATIC"),
		GroupMembershipClaims: oneOf(t, "groupclaims", "", "None", "SecurityGroup"),
		ExposedScopes:         someOf(t, "scopes", "access_as_user"),
	}
}

func applicationView(t *rapid.T) *inventory.ApplicationView {
	ap := &inventory.ApplicationView{
		Protocol:       pick(t, "protocol", inventory.ProtocolOIDC, inventory.Protocols...),
		Object:         oneOf(t, "object", inventory.AppObjects...),
		State:          state(t),
		Catalogue:      pick(t, "catalogue", inventory.CatalogueCustom, inventory.Catalogues...),
		Origin:         pick(t, "origin", inventory.OriginTenant, inventory.Origins...),
		SignInAudience: pick(t, "audience", "AzureADMyOrg", "", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"),
		ClientID:       oneOf(t, "clientid", "", "c1"),
		ClientSecret:   inventory.SecretField{Present: tri(t, "secret")},
	}
	switch ap.Protocol {
	case inventory.ProtocolSAML:
		ap.SAML = &inventory.SAMLSettings{AssertionEncrypted: tri(t, "enc"), StatementsExposed: tri(t, "exposed"),
			IdPInitiated: tri(t, "idpinit"), SingleLogout: tri(t, "slo"), SigningCertificates: certs(t, "samlcerts")}
		if ap.SAML.StatementsExposed == inventory.Yes {
			ap.SAML.AttributeStatements = []inventory.AttributeStatement{{Name: "email", Values: []string{oneOf(t, "value", "user.email", "String.toLowerCase(user.email)")}}}
		} else {
			ap.SAML.StatementsGap = "not exposed"
		}
	case inventory.ProtocolOIDC:
		ap.OIDC = oidcSettings(t)
	case inventory.ProtocolWSFederation:
		ap.WSFederation = &inventory.WSFedSettings{Realm: "urn:x"}
	case inventory.ProtocolPassword:
		ap.Password = &inventory.PasswordSignOn{Variant: oneOf(t, "variant", inventory.PasswordVariantSWA, inventory.PasswordVariantBasicAuth),
			SharedCredentials: tri(t, "shared")}
	}
	if rapid.Bool().Draw(t, "creds") {
		ap.Credentials = []inventory.Credential{{Type: oneOf(t, "credtype", "secret", "certificate"), Expired: tri(t, "credexp")}}
	}
	if rapid.Bool().Draw(t, "roles") {
		ap.AppRoles = []inventory.AppRole{{ID: "r1", Value: "Admin", Enabled: tri(t, "roleon")}}
	}
	if rapid.Bool().Draw(t, "template") {
		ap.UsernameTemplate = &inventory.UsernameTemplate{Template: oneOf(t, "tpl", "${source.login}", "${source.email}", "${fn:substringBefore(source.login, \"@\")}"),
			Type: oneOf(t, "tpltype", "BUILT_IN", "CUSTOM", "NONE")}
	}
	return ap
}

func providerView(t *rapid.T) *inventory.ProviderView {
	p := &inventory.ProviderView{
		Protocol: pick(t, "protocol", inventory.ProviderSAML, inventory.ProviderProtocols...), State: state(t),
		Issuer: pick(t, "issuer", "https://idp.example.test", ""), SSOURL: pick(t, "sso", "https://idp.example.test/sso", "", "http://idp.example.test/sso"),
		SigningCertificates: certs(t, "idpcerts"), ValidSigningCertificate: goodTri(t, "validcert", inventory.Yes),
		JIT: tri(t, "jit"), ProvisioningAction: oneOf(t, "prov", "AUTO", "DISABLED", "CALLOUT", ""),
		GroupsAction: oneOf(t, "groups", "", "NONE", "SYNC"), AccountLinkAction: oneOf(t, "link", "AUTO", "DISABLED", ""),
		ClientSecret: inventory.SecretField{Present: inventory.No},
	}
	if p.Protocol == inventory.ProviderSocial {
		p.SocialNetwork = oneOf(t, "network", "google", "facebook", "microsoft")
	}
	return p
}

func routingView(t *rapid.T) *inventory.RoutingRuleView {
	r := &inventory.RoutingRuleView{Type: inventory.RoutingIdPDiscovery, PolicyID: "p", State: state(t), Default: pick(t, "default", false, true),
		IdentifierType: pick(t, "idtype", "IDENTIFIER", "ATTRIBUTE", ""), Selection: pick(t, "selection", "SPECIFIC", "DYNAMIC", ""),
		Providers: rapid.SliceOfN(rapid.Custom(func(t *rapid.T) inventory.ProviderChoice {
			return inventory.ProviderChoice{ID: oneOf(t, "pid", "idp1", "idp2", "missing"), Type: pick(t, "ptype", "SAML2", "OKTA", "GOOGLE")}
		}), 1, 2).Draw(t, "providers"),
		Conditions: inventory.Conditions{Network: pick(t, "network", "ANYWHERE", "", "ZONE"), Unmodeled: pick(t, "unmodeled", nil, []string{"riskScore"})},
	}
	for _, p := range rapid.SliceOfN(rapid.Custom(func(t *rapid.T) inventory.Pattern {
		return inventory.Pattern{MatchType: pick(t, "match", inventory.MatchSuffix, inventory.MatchEquals, inventory.MatchExpression, inventory.MatchContains),
			Value: pick(t, "value", "example.com", "partner.example", "bücher.example", ".*@x\\.com")}
	}), 0, 3).Draw(t, "patterns") {
		r.Patterns = append(r.Patterns, p)
		if (p.MatchType == inventory.MatchSuffix || p.MatchType == inventory.MatchEquals) && p.Value != ".*@x\\.com" {
			r.Domains = append(r.Domains, p.Value)
		}
	}
	return r
}

func policyView(t *rapid.T) *inventory.PolicyView {
	typ := oneOf(t, "type", inventory.PolicyTypes...)
	p := &inventory.PolicyView{Type: typ, Rule: rapid.Bool().Draw(t, "rule"), State: state(t), Default: rapid.Bool().Draw(t, "default"),
		Conditions: inventory.Conditions{
			Users:      inventory.IncludeExclude{Include: someOf(t, "users", "All", "00u1"), Exclude: someOf(t, "xusers", "00u2")},
			Network:    oneOf(t, "network", "", "ANYWHERE", "ZONE"),
			RiskLevels: someOf(t, "risk", "ANY", "high", "none"),
			Expression: oneOf(t, "expr", "", "user.isMemberOf('x')"),
			Device:     someOf(t, "device", "managed=true"),
			Roles:      inventory.IncludeExclude{Include: someOf(t, "roles", "62e90394")},
		},
		Actions: inventory.PolicyActions{Access: oneOf(t, "access", "", "allow", "deny"), RequireMFA: tri(t, "mfa")},
	}
	if p.Rule {
		p.PolicyID = "p1"
	}
	return p
}

func groupView(t *rapid.T) *inventory.GroupView {
	g := &inventory.GroupView{Type: pick(t, "type", inventory.GroupTenant, inventory.GroupTypes...), RuleBased: goodTri(t, "rulebased", inventory.No),
		SecurityEnabled: tri(t, "security"), MailEnabled: tri(t, "mail"), RoleAssignable: tri(t, "role"), DirectorySynced: goodTri(t, "synced", inventory.No)}
	if g.Type == inventory.GroupDynamic {
		g.RuleBased = inventory.Yes
	}
	return g
}

func assignmentView(t *rapid.T) *inventory.AssignmentView {
	return &inventory.AssignmentView{Target: pick(t, "target", inventory.AssignGroup, inventory.AssignTargets...), AppID: oneOf(t, "app", "app1", "app2", "sp1"),
		AppName: "App", PrincipalID: oneOf(t, "principal", "g1", "g2", "u1"), PrincipalName: "P", Direct: goodTri(t, "direct", inventory.Yes),
		AppRoleID: pick(t, "approle", "", "role1")}
}

func domainView(t *rapid.T) *inventory.DomainView {
	return &inventory.DomainView{Type: oneOf(t, "type", inventory.DomainTypes...), Name: "example.com", Verified: tri(t, "verified"),
		AuthType: oneOf(t, "authtype", "", "managed", "federated")}
}

// randomSubject draws an item of a random kind, with a random snapshot
// around it: its references exist or not, with random outcomes.
func randomSubject(t *rapid.T) *a.Subject {
	var v inventory.View
	switch kind := oneOf(t, "kind", inventory.Kinds...); kind {
	case inventory.KindApplication:
		v.Application = applicationView(t)
	case inventory.KindProvider:
		v.Provider = providerView(t)
	case inventory.KindRoutingRule:
		v.RoutingRule = routingView(t)
	case inventory.KindPolicy:
		v.Policy = policyView(t)
	case inventory.KindGroup:
		v.Group = groupView(t)
	case inventory.KindAssignment:
		v.Assignment = assignmentView(t)
	case inventory.KindDomain:
		v.Domain = domainView(t)
	}
	ctx := newSnap()
	for _, id := range []string{"idp1", "idp2", "app1", "app2", "sp1", "g1", "g2"} {
		if pick(t, "exists "+id, true, false) {
			kind := map[byte]inventory.Kind{'i': inventory.KindProvider, 'a': inventory.KindApplication, 's': inventory.KindApplication, 'g': inventory.KindGroup}[id[0]]
			ctx.set(kind, id, pick(t, "class "+id, a.NativeImport, a.Classes...), "ANY-X-FALLBACK-001")
		}
	}
	if rapid.Bool().Draw(t, "paired") {
		ctx.carriers["sp1"] = "app2"
	}
	ctx.names[string(inventory.KindGroup)+"/"+a.FoldName("Payroll")] = rapid.IntRange(1, 2).Draw(t, "dups")
	var refs []inventory.Ref
	switch {
	case v.Assignment != nil:
		refs = []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: v.Assignment.AppID},
			{Role: "group", Kind: inventory.KindGroup, SourceID: v.Assignment.PrincipalID}}
	case v.Policy != nil && rapid.Bool().Draw(t, "policyref"):
		refs = []inventory.Ref{{Role: "group", Kind: inventory.KindGroup, SourceID: oneOf(t, "pgroup", "g1", "g2", "g3")}}
	}
	it := inventory.NewItem("item1", name(t), v, nil, refs...)
	return &a.Subject{SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName, View: it.View,
		Refs: it.Refs, Vendor: oneOf(t, "vendor", a.VendorOkta, a.VendorEntra), CollectedAt: synthAt, Snapshot: ctx}
}

// Every item gets exactly one class and one deciding rule: the first
// finding, of the most restrictive class found.
func TestPropertyOneClassOneDecidingRule(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := randomSubject(t)
		d := cat.Classify(s)
		if !d.Class.Valid() || d.RuleID == "" || len(d.Findings) == 0 {
			t.Fatalf("no decision: %+v", d)
		}
		if d.Findings[0].RuleID != d.RuleID || d.Findings[0].Class != d.Class {
			t.Fatalf("the deciding rule is not the first finding: %s", describe(d))
		}
		seen := map[string]bool{}
		for _, f := range d.Findings {
			if f.Class.Rank() > d.Class.Rank() {
				t.Fatalf("finding %s (%s) is more restrictive than the decision %s", f.RuleID, f.Class, d.Class)
			}
			if seen[f.RuleID] {
				t.Fatalf("rule %s found twice", f.RuleID)
			}
			seen[f.RuleID] = true
			if f.RuleID == a.RuleErrorID {
				t.Fatalf("a rule failed on a valid item: %s", f.Rationale)
			}
		}
	})
}

// The same item and catalogue always give byte-identical decisions.
func TestPropertyDeterministic(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := randomSubject(t)
		b1, _ := json.Marshal(cat.Classify(s))
		// A copy of the item through JSON, as the store hands it back.
		var v inventory.View
		raw, _ := json.Marshal(s.View)
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		s2 := *s
		s2.View = v
		b2, _ := json.Marshal(cat.Classify(&s2))
		if string(b1) != string(b2) {
			t.Fatalf("two decisions differ:\n%s\n%s", b1, b2)
		}
	})
}

// No item with a blocking finding is native_import, and no item is
// native_import when the Portal cannot represent it or the view leaves a
// fact unknown that deciding so needs. The facts are listed here, apart
// from the rules, from the Portal's contract (engine/portal/openapi.yaml).
func TestPropertyNativeImportOnlyWhenProven(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	natives := 0
	rapid.Check(t, func(t *rapid.T) {
		s := randomSubject(t)
		if rapid.Bool().Draw(t, "near fit") {
			s = nearFit(t)
		}
		d := cat.Classify(s)
		if d.Class == a.NativeImport {
			natives++
		}
		if slices.ContainsFunc(d.Findings, func(f a.Finding) bool { return f.Class == a.Blocked }) && d.Class != a.Blocked {
			t.Fatalf("a blocking finding did not block: %s", describe(d))
		}
		if d.Class != a.NativeImport {
			return
		}
		if !d.Findings[0].Proves {
			t.Fatalf("native_import without a proving rule: %s", describe(d))
		}
		if why := unprovable(s); why != "" {
			t.Fatalf("native_import although %s: %s", why, describe(d))
		}
	})
	// The property says something only if native decisions were drawn.
	if natives == 0 {
		t.Fatal("no item was decided native_import: the generator no longer reaches the proving rules")
	}
	t.Logf("%d native_import decisions checked", natives)
}

// unprovable says why the Portal could not take the item as it is, or
// which fact the decision needs is unknown; "" when neither.
func unprovable(s *a.Subject) string {
	v := s.View
	switch {
	case v.Application != nil:
		ap := v.Application
		if ap.Protocol != inventory.ProtocolOIDC || ap.OIDC == nil {
			return fmt.Sprintf("the Portal hosts OIDC clients only, this is %s", ap.Protocol)
		}
		o := ap.OIDC
		switch {
		case ap.Object == inventory.AppObjectEntraServicePrincipal:
			return "a service principal is not a client definition"
		case ap.Catalogue != inventory.CatalogueCustom && ap.Object == inventory.AppObjectOktaApp:
			return "a catalogue app is not tenant-defined"
		case !o.Confidential.Known():
			return "confidential or public is unknown"
		case o.Confidential == inventory.No && o.PKCERequired != inventory.Yes:
			return "a public client without known PKCE"
		case o.WildcardRedirect == inventory.Yes:
			return "wildcard redirects"
		case hasAny(o.GrantTypes, "implicit", "password", "interaction_code"):
			return "a grant type the Portal lacks"
		case ap.Object == inventory.AppObjectEntraAppRegistration && (o.ImplicitIDToken != inventory.No || o.ImplicitAccessToken != inventory.No):
			return "the implicit grant is not known off"
		}
		for _, u := range o.RedirectURIs {
			if redirectProblem(u, o.Confidential == inventory.No) != "" {
				return "a redirect URI the Portal refuses"
			}
		}
		if nameProblem(s.DisplayName) != "" {
			return "a name the Portal refuses"
		}
	case v.Provider != nil:
		p := v.Provider
		if p.Protocol != inventory.ProviderSAML {
			return "only SAML providers are created"
		}
		if p.ValidSigningCertificate != inventory.Yes || p.Issuer == "" || p.SSOURL == "" {
			return "the signing certificate, issuer or SSO URL is not known good"
		}
	case v.RoutingRule != nil:
		r := v.RoutingRule
		if r.State != inventory.StateActive || r.Default || len(r.Domains) == 0 || len(r.Conditions.Unmodeled) > 0 {
			return "not an active domain rule without other conditions"
		}
		for _, p := range r.Providers {
			if o := s.Snapshot.Outcome(inventory.KindProvider, p.ID); p.Type != "OKTA" && !(o.Exists && o.Class.Imports()) {
				return "its provider will not exist"
			}
		}
	case v.Group != nil:
		g := v.Group
		if g.Type != inventory.GroupTenant || !g.RuleBased.Known() || !g.DirectorySynced.Known() {
			return "not a known static tenant group"
		}
		if slices.Contains(reservedGroups, a.FoldName(s.DisplayName)) || nameProblem(s.DisplayName) != "" {
			return "a reserved or refused name"
		}
	case v.Assignment != nil:
		as := v.Assignment
		if as.Target != inventory.AssignGroup || as.Direct != inventory.Yes {
			return "not a direct group assignment"
		}
		_, app := s.Snapshot.Carrier(as.AppID)
		grp := s.Snapshot.Outcome(inventory.KindGroup, as.PrincipalID)
		if !(app.Exists && app.Class.Imports() && grp.Exists && grp.Class.Imports()) {
			return "its application or group will not exist"
		}
	case v.Policy != nil:
		return "policies are never created"
	case v.Domain != nil:
		return "the Portal has no domain object"
	}
	return ""
}

// nearFit draws an item that fits the Portal, then breaks none, one or two
// of the facts a proving rule relies on (setting some to unknown): the
// items on either side of the line between native_import and the rest.
func nearFit(t *rapid.T) *a.Subject {
	nb, na := synthAt.AddDate(-1, 0, 0), synthAt.AddDate(1, 0, 0)
	ctx := newSnap().set(inventory.KindProvider, "idp1", a.NativeImport, "ANY-PROVIDER-SAML-001").
		set(inventory.KindApplication, "app1", a.NativeImport, "OKTA-APP-OIDC-001").
		set(inventory.KindGroup, "g1", a.NativeImport, "ANY-GROUP-TENANT-001")
	var v inventory.View
	var refs []inventory.Ref
	var breaks []func()
	vendor := a.VendorOkta
	switch oneOf(t, "fitting kind", "okta app", "entra app", "provider", "routing", "group", "assignment") {
	case "okta app", "entra app":
		ap := &inventory.ApplicationView{Protocol: inventory.ProtocolOIDC, Object: inventory.AppObjectOktaApp, State: inventory.StateActive,
			Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant,
			OIDC: &inventory.OIDCSettings{GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://app.example.test/cb"},
				WildcardRedirect: inventory.No, ClientAuthMethod: "client_secret_basic", Confidential: inventory.Yes, PKCERequired: inventory.No,
				ImplicitIDToken: inventory.No, ImplicitAccessToken: inventory.No}}
		if rapid.Bool().Draw(t, "entra") {
			vendor = a.VendorEntra
			ap.Object, ap.SignInAudience, ap.OIDC.ClientAuthMethod = inventory.AppObjectEntraAppRegistration, "AzureADMyOrg", ""
		}
		o := ap.OIDC
		breaks = []func(){
			func() { o.Confidential = inventory.Unknown },
			func() { o.Confidential, o.ClientAuthMethod = inventory.No, "none" },
			func() { o.PKCERequired = inventory.Unknown },
			func() { o.ImplicitIDToken = inventory.Unknown },
			func() { o.ImplicitAccessToken = inventory.Yes },
			func() { o.GrantTypes = append(o.GrantTypes, "implicit") },
			func() { o.GrantTypes = append(o.GrantTypes, "password") },
			func() { o.WildcardRedirect = inventory.Yes },
			func() { o.RedirectURIs = []string{"http://app.example.test/cb"} },
			func() { o.RedirectURIs = []string{"com.example.app:/cb"} },
			func() { ap.Catalogue = inventory.CatalogueUnknown },
			func() {
				ap.Protocol, ap.SAML = inventory.ProtocolSAML, &inventory.SAMLSettings{StatementsExposed: inventory.Unknown}
			},
			func() { ap.Object = inventory.AppObjectEntraServicePrincipal },
			func() { ap.SignInAudience = "AzureADMultipleOrgs" },
			func() { o.ClientAuthMethod = "private_key_jwt" },
		}
		v.Application = ap
	case "provider":
		p := &inventory.ProviderView{Protocol: inventory.ProviderSAML, State: inventory.StateActive, Issuer: "https://idp.example.test",
			SSOURL: "https://idp.example.test/sso", ValidSigningCertificate: inventory.Yes, JIT: inventory.Yes, ProvisioningAction: "AUTO",
			AccountLinkAction: "AUTO", SigningCertificates: []inventory.Certificate{{KeyID: "k", PEM: "pem", NotBefore: &nb, NotAfter: &na, Expired: inventory.No}}}
		breaks = []func(){
			func() { p.ValidSigningCertificate = inventory.Unknown },
			func() { p.SigningCertificates[0].PEM = "" },
			func() { p.SigningCertificates[0].NotAfter = &nb },
			func() { p.Issuer = "" },
			func() { p.SSOURL = "http://idp.example.test/sso" },
			func() { p.Protocol = inventory.ProviderOIDC },
			func() { p.State = inventory.StateUnknown },
		}
		v.Provider = p
	case "routing":
		r := &inventory.RoutingRuleView{Type: inventory.RoutingIdPDiscovery, PolicyID: "p", State: inventory.StateActive, IdentifierType: "IDENTIFIER",
			Patterns: []inventory.Pattern{{MatchType: inventory.MatchSuffix, Value: "example.com"}}, Domains: []string{"example.com"},
			Selection: "SPECIFIC", Providers: []inventory.ProviderChoice{{ID: "idp1", Type: "SAML2"}}, Conditions: inventory.Conditions{Network: "ANYWHERE"}}
		refs = []inventory.Ref{{Role: "provider", Kind: inventory.KindProvider, SourceID: "idp1"}}
		breaks = []func(){
			func() { r.Providers[0].ID = "missing" },
			func() { ctx.set(inventory.KindProvider, "idp1", a.ManualRebuildRequired, "ANY-PROVIDER-OIDC-001") },
			func() { ctx.routes["example.com"] = []string{"item1", "other"} },
			func() { r.Conditions.Unmodeled = []string{"riskScore"} },
			func() { r.Conditions.Network = "ZONE" },
			func() { r.State = inventory.StateUnknown },
			func() { r.Patterns[0].MatchType = inventory.MatchExpression },
			func() { r.Selection = "DYNAMIC" },
		}
		v.RoutingRule = r
	case "group":
		g := &inventory.GroupView{Type: inventory.GroupTenant, RuleBased: inventory.No, DirectorySynced: inventory.No}
		breaks = []func(){
			func() { g.RuleBased = inventory.Unknown },
			func() { g.DirectorySynced = inventory.Unknown },
			func() { g.Type = inventory.GroupBuiltIn },
			func() { g.Type, g.RuleBased = inventory.GroupDynamic, inventory.Yes },
			func() { ctx.names[string(inventory.KindGroup)+"/"+a.FoldName("Ünïcode Team")] = 2 },
		}
		v.Group = g
	case "assignment":
		as := &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: "app1", AppName: "App", PrincipalID: "g1", PrincipalName: "G", Direct: inventory.Yes}
		refs = []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: "app1"}, {Role: "group", Kind: inventory.KindGroup, SourceID: "g1"}}
		breaks = []func(){
			func() { as.Direct = inventory.Unknown },
			func() { as.PrincipalID = "g9" },
			func() { ctx.set(inventory.KindApplication, "app1", a.ManualRebuildRequired, "ANY-APP-SAML-001") },
			func() { ctx.set(inventory.KindGroup, "g1", a.Blocked, "ANY-GROUP-RESERVED-001") },
			func() { as.Target = inventory.AssignUser },
		}
		v.Assignment = as
	}
	for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, len(breaks)-1), 0, 2, func(i int) int { return i }).Draw(t, "breaks") {
		breaks[i]()
	}
	it := inventory.NewItem("item1", "Ünïcode Team", v, nil, refs...)
	return &a.Subject{SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName, View: it.View,
		Refs: it.Refs, Vendor: vendor, CollectedAt: synthAt, Snapshot: ctx}
}
