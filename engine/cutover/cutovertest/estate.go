// Package cutovertest is test support for the cutover: an incumbent estate
// of a chosen size whose items the assessment classifies so a plan has that
// many steps to apply (SAML providers with real, test-only certificates,
// domain routing rules, groups, custom OIDC clients and group assignments),
// plus the items a plan must not create (a direct-user assignment, a
// password app, an access policy). Only tests and benchmarks import it.
package cutovertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Shape is how many items of each sort an estate holds. Every provider
// gets one routing rule; assignments pair applications and groups, each
// pair once.
type Shape struct {
	Providers, Groups, Apps, Assignments int
}

// Planned is how many planned steps a first-run plan of the estate has.
func (s Shape) Planned() int { return 2*s.Providers + s.Groups + s.Apps + s.Assignments }

// ForSteps is a shape whose plan has about n planned steps (n >= 10).
func ForSteps(n int) Shape {
	p := max(1, n/500)
	rest := n - 2*p
	g, a := rest/5, rest/5
	return Shape{Providers: p, Groups: g, Apps: a, Assignments: rest - g - a}
}

// Extras is how many items each estate adds that a plan never creates: a
// direct-user assignment (blocked), a SAML app the Portal cannot host
// (follow-up) and an access policy (follow-up).
const Extras = 3

// At is when the estate's certificates are valid: generated items are
// judged then.
var At = time.Now().UTC().Truncate(time.Second)

// Certificate is a self-signed, test-only certificate valid from 2020 to
// two years after At (so snapshots dated in the past judge it valid too),
// generated once per process (its key is discarded).
var Certificate = sync.OnceValue(func() *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "test-only idp signing", Organization: []string{"Fake Test Org"}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: At.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c
})

// CertificatePEM is Certificate in PEM.
func CertificatePEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: Certificate().Raw}))
}

// ProviderName, GroupName and AppName name the estate's items, so tests
// can look their objects up on the target.
func ProviderName(i int) string { return fmt.Sprintf("Partner IdP %03d", i) }
func GroupName(i int) string    { return fmt.Sprintf("Team %05d", i) }
func AppName(i int) string      { return fmt.Sprintf("App %05d", i) }

// Domain is the email domain provider i's routing rule routes.
func Domain(i int) string { return fmt.Sprintf("partner%d.example.test", i) }

func providerID(i int) string { return fmt.Sprintf("0oi%07d", i) }
func groupID(i int) string    { return fmt.Sprintf("00g%07d", i) }
func appID(i int) string      { return fmt.Sprintf("0oa%07d", i) }

// Generate emits the estate's items: providers, their routing rules,
// groups, applications, group assignments, then the extras.
func Generate(s Shape, emit func(inventory.Item) error) error {
	if s.Assignments > s.Groups*s.Apps {
		return fmt.Errorf("cutovertest: %d assignments need more than %d groups × %d apps", s.Assignments, s.Groups, s.Apps)
	}
	var items []inventory.Item
	for i := range s.Providers {
		items = append(items, provider(i), routingRule(i))
	}
	for i := range s.Groups {
		items = append(items, group(i))
	}
	for i := range s.Apps {
		items = append(items, app(i))
	}
	for i := range s.Assignments {
		// Walk the (app, group) grid diagonally so every pair is distinct.
		a := i % max(s.Apps, 1)
		g := (i/max(s.Apps, 1) + a) % max(s.Groups, 1)
		items = append(items, assignment(i, a, g, false))
	}
	items = append(items, assignment(s.Assignments, 0, 0, true), samlApp(), accessPolicy())
	for _, it := range items {
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

func raw(kind, id string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"test_only":%q,"id":%q}`, kind, id))
}

func provider(i int) inventory.Item {
	c := Certificate()
	nb, na := c.NotBefore, c.NotAfter
	p := &inventory.ProviderView{Protocol: inventory.ProviderSAML, VendorType: "SAML2", VendorProtocol: "SAML2", State: inventory.StateActive,
		VendorStatus: "ACTIVE", Issuer: fmt.Sprintf("https://idp%d.example.test/entity", i), SSOURL: fmt.Sprintf("https://idp%d.example.test/sso", i),
		SSOBinding: "HTTP-POST", SigningKeyIDs: []string{fmt.Sprintf("kid%d", i)},
		SigningCertificates: []inventory.Certificate{{KeyID: fmt.Sprintf("kid%d", i), Usage: "signing", Subject: c.Subject.String(),
			PEM: CertificatePEM(), NotBefore: &nb, NotAfter: &na, Expired: inventory.No}},
		ValidSigningCertificate: inventory.Yes, ClientSecret: inventory.SecretField{Present: inventory.No}, PKCERequired: inventory.Unknown,
		JIT: inventory.Yes, ProvisioningAction: "AUTO", ProfileMaster: inventory.No, GroupsAction: "NONE", AccountLinkAction: "AUTO"}
	return inventory.NewItem(providerID(i), ProviderName(i), inventory.View{Provider: p}, raw("idp", providerID(i)))
}

func routingRule(i int) inventory.Item {
	d := Domain(i)
	rr := &inventory.RoutingRuleView{Type: inventory.RoutingIdPDiscovery, VendorType: "IDP_DISCOVERY", PolicyID: "00pdiscovery",
		Priority: i + 1, State: inventory.StateActive, VendorStatus: "ACTIVE", IdentifierType: "IDENTIFIER",
		Patterns: []inventory.Pattern{{MatchType: inventory.MatchSuffix, Value: d}}, Domains: []string{d}, Selection: "SPECIFIC",
		Providers: []inventory.ProviderChoice{{ID: providerID(i), Type: "SAML2"}}, FallBackToDefault: inventory.No,
		Conditions: inventory.Conditions{Network: "ANYWHERE"}}
	id := fmt.Sprintf("0pr%07d", i)
	return inventory.NewItem(id, "Route "+d, inventory.View{RoutingRule: rr}, raw("rule", id),
		inventory.Ref{Role: "provider", Kind: inventory.KindProvider, SourceID: providerID(i)})
}

func group(i int) inventory.Item {
	g := &inventory.GroupView{Type: inventory.GroupTenant, VendorType: "OKTA_GROUP", Name: GroupName(i), Description: "Test-only team",
		RuleBased: inventory.No, SecurityEnabled: inventory.Yes, MailEnabled: inventory.No, RoleAssignable: inventory.Unknown,
		DirectorySynced: inventory.No, ObjectClass: []string{"okta:user_group"}}
	return inventory.NewItem(groupID(i), g.Name, inventory.View{Group: g}, raw("group", groupID(i)))
}

func app(i int) inventory.Item {
	a := &inventory.ApplicationView{Object: inventory.AppObjectOktaApp, State: inventory.StateActive, VendorStatus: "ACTIVE",
		Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant, AssignmentRequired: inventory.Yes,
		HiddenFromUsers: inventory.No, Protocol: inventory.ProtocolOIDC, VendorType: "OPENID_CONNECT", Name: "oidc_client",
		ClientID: fmt.Sprintf("client%07d", i), ClientSecret: inventory.SecretField{Present: inventory.Yes}}
	a.OIDC = &inventory.OIDCSettings{ApplicationType: "web", GrantTypes: []string{"authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"}, RedirectURIs: []string{fmt.Sprintf("https://app%d.example.test/callback", i)},
		WildcardRedirect: inventory.No, ClientAuthMethod: "client_secret_basic", PKCERequired: inventory.No,
		Confidential: inventory.Yes, ImplicitIDToken: inventory.No, ImplicitAccessToken: inventory.No, DPoPBoundTokens: inventory.No}
	if i%4 == 3 { // every fourth a public single-page client
		a.OIDC.ApplicationType, a.OIDC.ClientAuthMethod, a.OIDC.PKCERequired, a.OIDC.Confidential = "browser", "none", inventory.Yes, inventory.No
		a.ClientSecret = inventory.SecretField{Present: inventory.No}
	}
	return inventory.NewItem(appID(i), AppName(i), inventory.View{Application: a}, raw("app", appID(i)))
}

func assignment(i, a, g int, user bool) inventory.Item {
	as := &inventory.AssignmentView{VendorType: "group", Target: inventory.AssignGroup, AppID: appID(a), AppName: AppName(a),
		PrincipalID: groupID(g), PrincipalName: GroupName(g), Direct: inventory.Yes}
	refs := []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: as.AppID},
		{Role: "group", Kind: inventory.KindGroup, SourceID: as.PrincipalID}}
	if user {
		as.Target, as.VendorType = inventory.AssignUser, "user"
		as.PrincipalID, as.PrincipalName = "00u0000001", "fake.user@example.test"
		refs[1] = inventory.Ref{Role: "user", SourceID: as.PrincipalID}
	}
	id := as.AppID + "/" + as.PrincipalID
	return inventory.NewItem(id, inventory.AssignmentDisplayName(as), inventory.View{Assignment: as}, raw("assignment", id), refs...)
}

func samlApp() inventory.Item {
	c := Certificate()
	na := c.NotAfter
	a := &inventory.ApplicationView{Object: inventory.AppObjectOktaApp, State: inventory.StateActive, VendorStatus: "ACTIVE",
		Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant, AssignmentRequired: inventory.Yes,
		HiddenFromUsers: inventory.No, Protocol: inventory.ProtocolSAML, VendorType: "SAML_2_0", Name: "acme_payroll_1"}
	a.SAML = &inventory.SAMLSettings{EntityIDs: []string{"https://payroll.example.test"}, ACSURLs: []string{"https://payroll.example.test/acs"},
		ResponseSigned: inventory.Yes, AssertionSigned: inventory.Yes, RequestsSigned: inventory.No, AssertionEncrypted: inventory.No,
		StatementsExposed: inventory.Yes, IdPInitiated: inventory.Yes, SingleLogout: inventory.No, HonorForceAuthn: inventory.No,
		SigningCertificates:     []inventory.Certificate{{KeyID: "kidpayroll", Usage: "signing", NotAfter: &na, Expired: inventory.No}},
		ValidSigningCertificate: inventory.Yes}
	return inventory.NewItem("0oasaml0001", "Payroll (SAML)", inventory.View{Application: a}, raw("app", "0oasaml0001"))
}

func accessPolicy() inventory.Item {
	p := &inventory.PolicyView{Type: inventory.PolicyAccess, Rule: true, VendorType: "ACCESS_POLICY", PolicyID: "00paccess",
		Priority: 1, State: inventory.StateActive, VendorStatus: "ACTIVE",
		Conditions: inventory.Conditions{Groups: inventory.IncludeExclude{Include: []string{groupID(0)}}, Network: "ANYWHERE"},
		Actions:    inventory.PolicyActions{Access: "allow", RequireMFA: inventory.Yes, FactorMode: "2FA", PersistentCookie: inventory.Unknown}}
	return inventory.NewItem("rul0000001", "Require MFA for Team 0", inventory.View{Policy: p}, raw("policy_rule", "rul0000001"),
		inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: groupID(0)})
}
