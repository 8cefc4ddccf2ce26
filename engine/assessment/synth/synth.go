// Package synth generates synthetic, vendor-neutral inventories for
// assessment tests and benchmarks: a mix of applications, groups,
// assignments, providers, routing rules, policies and domains with typed
// views and references, in the proportions of a large tenant, streamed so a
// snapshot of a million items never sits in memory. The same size and seed
// always give the same items.
package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Shape is how many items of each sort one estate of n items holds, as
// parts per thousand (the rest are group assignments).
type Shape struct {
	Apps, Groups, UserAssignments, Providers, Routing, Policies, Domains int
}

// Large is a large tenant's mix: mostly assignments.
var Large = Shape{Apps: 50, Groups: 150, UserAssignments: 150, Providers: 2, Routing: 2, Policies: 20, Domains: 1}

// Counts is how many items of each sort an estate of n items holds.
func (s Shape) Counts(n int) (apps, groups, users, providers, routing, policies, domains, groupAssignments int) {
	part := func(p int) int { return max(1, n*p/1000) }
	apps, groups, users = part(s.Apps), part(s.Groups), part(s.UserAssignments)
	providers, routing, policies, domains = part(s.Providers), part(s.Routing), part(s.Policies), part(s.Domains)
	groupAssignments = n - apps - groups - users - providers - routing - policies - domains
	return
}

// At is the snapshot time generated items are judged at.
var At = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// Generate emits n items (n >= 20) of shape s, each with a view that passes
// inventory.CheckView and references to items emitted with it. Items come
// in kind order; emit may persist them in batches.
func Generate(n int, seed uint64, s Shape, emit func(inventory.Item) error) error {
	if n < 20 {
		return fmt.Errorf("synth: an estate needs at least 20 items, not %d", n)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	apps, groups, users, providers, routing, policies, domains, groupAssignments := s.Counts(n)
	for i := range providers {
		if err := emit(provider(r, i)); err != nil {
			return err
		}
	}
	for i := range apps {
		if err := emit(app(r, i)); err != nil {
			return err
		}
	}
	for i := range groups {
		if err := emit(group(r, i)); err != nil {
			return err
		}
	}
	for i := range domains {
		if err := emit(domain(r, i)); err != nil {
			return err
		}
	}
	for i := range routing {
		if err := emit(routingRule(r, i, providers)); err != nil {
			return err
		}
	}
	for i := range policies {
		if err := emit(policy(r, i, groups)); err != nil {
			return err
		}
	}
	for i := range groupAssignments {
		if err := emit(assignment(r, i, apps, groups, false)); err != nil {
			return err
		}
	}
	for i := range users {
		if err := emit(assignment(r, i, apps, groups, true)); err != nil {
			return err
		}
	}
	return nil
}

func raw(kind, id string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"synthetic":%q,"id":%q}`, kind, id))
}

func appID(i int) string      { return fmt.Sprintf("0oa%07d", i) }
func groupID(i int) string    { return fmt.Sprintf("00g%07d", i) }
func providerID(i int) string { return fmt.Sprintf("0oi%07d", i) }

func app(r *rand.Rand, i int) inventory.Item {
	a := &inventory.ApplicationView{Object: inventory.AppObjectOktaApp, State: inventory.StateActive, VendorStatus: "ACTIVE",
		Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant, AssignmentRequired: inventory.Yes,
		HiddenFromUsers: inventory.No, ClientSecret: inventory.SecretField{Present: inventory.No}}
	name := fmt.Sprintf("App %d", i)
	switch x := r.IntN(10); {
	case x < 5: // a custom OIDC web client
		a.Protocol, a.VendorType, a.Name = inventory.ProtocolOIDC, "OPENID_CONNECT", "oidc_client"
		a.ClientID = fmt.Sprintf("client%07d", i)
		a.OIDC = &inventory.OIDCSettings{ApplicationType: "web", GrantTypes: []string{"authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"}, RedirectURIs: []string{fmt.Sprintf("https://app%d.example.test/callback", i)},
			WildcardRedirect: inventory.No, ClientAuthMethod: "client_secret_basic", PKCERequired: inventory.No,
			Confidential: inventory.Yes, ImplicitIDToken: inventory.No, ImplicitAccessToken: inventory.No, DPoPBoundTokens: inventory.No}
		a.ClientSecret = inventory.SecretField{Present: inventory.Yes}
		if x == 4 { // and one with the implicit grant too
			a.OIDC.GrantTypes = append(a.OIDC.GrantTypes, "implicit")
		}
	case x < 8:
		a.Protocol, a.VendorType, a.Name = inventory.ProtocolSAML, "SAML_2_0", fmt.Sprintf("acme_app%d_1", i)
		na := At.AddDate(1, 0, 0)
		a.SAML = &inventory.SAMLSettings{EntityIDs: []string{fmt.Sprintf("https://app%d.example.test", i)},
			ACSURLs: []string{fmt.Sprintf("https://app%d.example.test/acs", i)}, ResponseSigned: inventory.Yes,
			AssertionSigned: inventory.Yes, RequestsSigned: inventory.No, AssertionEncrypted: inventory.No,
			StatementsExposed: inventory.Yes, IdPInitiated: inventory.Yes, SingleLogout: inventory.No, HonorForceAuthn: inventory.No,
			SigningCertificates: []inventory.Certificate{{KeyID: fmt.Sprintf("kid%d", i), Usage: "signing", NotAfter: &na, Expired: inventory.No}},
			AttributeStatements: []inventory.AttributeStatement{{Type: "EXPRESSION", Name: "email", Values: []string{"user.email"}}}}
	default:
		a.Protocol, a.VendorType, a.Name = inventory.ProtocolPassword, "AUTO_LOGIN", fmt.Sprintf("acme_swa%d_1", i)
		a.Password = &inventory.PasswordSignOn{Variant: inventory.PasswordVariantSWA, URL: fmt.Sprintf("https://app%d.example.test/login", i),
			Scheme: "EDIT_USERNAME_AND_PASSWORD", SharedCredentials: inventory.No}
	}
	return inventory.NewItem(appID(i), name, inventory.View{Application: a}, raw("app", appID(i)))
}

func group(r *rand.Rand, i int) inventory.Item {
	g := &inventory.GroupView{Type: inventory.GroupTenant, VendorType: "OKTA_GROUP", Name: fmt.Sprintf("Team %d", i),
		RuleBased: inventory.No, SecurityEnabled: inventory.Yes, MailEnabled: inventory.No, RoleAssignable: inventory.Unknown,
		DirectorySynced: inventory.No, ObjectClass: []string{"okta:user_group"}}
	if r.IntN(10) == 0 {
		g.Type, g.VendorType, g.DirectorySynced = inventory.GroupAppImported, "APP_GROUP", inventory.Yes
		g.ObjectClass = []string{"okta:windows_security_principal"}
	}
	return inventory.NewItem(groupID(i), g.Name, inventory.View{Group: g}, raw("group", groupID(i)))
}

func provider(_ *rand.Rand, i int) inventory.Item {
	nb, na := At.AddDate(-1, 0, 0), At.AddDate(2, 0, 0)
	p := &inventory.ProviderView{Protocol: inventory.ProviderSAML, VendorType: "SAML2", State: inventory.StateActive,
		VendorStatus: "ACTIVE", Issuer: fmt.Sprintf("https://idp%d.example.test", i), SSOURL: fmt.Sprintf("https://idp%d.example.test/sso", i),
		SigningCertificates: []inventory.Certificate{{KeyID: fmt.Sprintf("idpkid%d", i), Usage: "signing", PEM: "-----BEGIN CERTIFICATE-----\nsynthetic\n-----END CERTIFICATE-----\n",
			NotBefore: &nb, NotAfter: &na, Expired: inventory.No}},
		ValidSigningCertificate: inventory.Yes, ClientSecret: inventory.SecretField{Present: inventory.No}, PKCERequired: inventory.Unknown,
		JIT: inventory.Yes, ProvisioningAction: "AUTO", ProfileMaster: inventory.No, GroupsAction: "NONE", AccountLinkAction: "AUTO"}
	return inventory.NewItem(providerID(i), fmt.Sprintf("Partner IdP %d", i), inventory.View{Provider: p}, raw("idp", providerID(i)))
}

func domain(_ *rand.Rand, i int) inventory.Item {
	d := &inventory.DomainView{Type: inventory.DomainSignInHost, Name: fmt.Sprintf("login%d.example.test", i), Verified: inventory.Yes,
		ValidationStatus: "VERIFIED", Default: inventory.Unknown, Initial: inventory.Unknown, Root: inventory.Unknown}
	id := fmt.Sprintf("OcD%07d", i)
	return inventory.NewItem(id, d.Name, inventory.View{Domain: d}, raw("domain", id))
}

func routingRule(_ *rand.Rand, i, providers int) inventory.Item {
	pid := providerID(i % providers)
	d := fmt.Sprintf("partner%d.example.test", i)
	rr := &inventory.RoutingRuleView{Type: inventory.RoutingIdPDiscovery, VendorType: "IDP_DISCOVERY", PolicyID: "00pdiscovery",
		Priority: i + 1, State: inventory.StateActive, VendorStatus: "ACTIVE", IdentifierType: "IDENTIFIER",
		Patterns: []inventory.Pattern{{MatchType: inventory.MatchSuffix, Value: d}}, Domains: []string{d}, Selection: "SPECIFIC",
		Providers: []inventory.ProviderChoice{{ID: pid, Type: "SAML2"}}, FallBackToDefault: inventory.No,
		Conditions: inventory.Conditions{Network: "ANYWHERE"}}
	id := fmt.Sprintf("0pr%07d", i)
	return inventory.NewItem(id, fmt.Sprintf("Route %s", d), inventory.View{RoutingRule: rr}, raw("rule", id),
		inventory.Ref{Role: "provider", Kind: inventory.KindProvider, SourceID: pid})
}

func policy(r *rand.Rand, i, groups int) inventory.Item {
	g := groupID(r.IntN(groups))
	p := &inventory.PolicyView{Type: inventory.PolicyAccess, Rule: true, VendorType: "ACCESS_POLICY", PolicyID: "00paccess",
		Priority: i, State: inventory.StateActive, VendorStatus: "ACTIVE",
		Conditions: inventory.Conditions{Groups: inventory.IncludeExclude{Include: []string{g}}, Network: "ANYWHERE"},
		Actions:    inventory.PolicyActions{Access: "allow", RequireMFA: inventory.Yes, FactorMode: "2FA", PersistentCookie: inventory.Unknown}}
	id := fmt.Sprintf("rul%07d", i)
	return inventory.NewItem(id, fmt.Sprintf("Access rule %d", i), inventory.View{Policy: p}, raw("policy_rule", id),
		inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: g})
}

func assignment(r *rand.Rand, i, apps, groups int, user bool) inventory.Item {
	ai := r.IntN(apps)
	as := &inventory.AssignmentView{VendorType: "group", AppID: appID(ai), AppName: fmt.Sprintf("App %d", ai), Direct: inventory.Yes}
	refs := []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: as.AppID}}
	if user {
		as.Target, as.VendorType = inventory.AssignUser, "user"
		as.PrincipalID, as.PrincipalName = fmt.Sprintf("00u%07d", i), fmt.Sprintf("user%d@example.test", i)
		refs = append(refs, inventory.Ref{Role: "user", SourceID: as.PrincipalID})
	} else {
		gi := (i*7919 + ai) % groups
		as.Target = inventory.AssignGroup
		as.PrincipalID, as.PrincipalName = groupID(gi), fmt.Sprintf("Team %d", gi)
		refs = append(refs, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: as.PrincipalID})
	}
	id := as.AppID + "/" + as.PrincipalID + fmt.Sprintf("#%d", i)
	return inventory.NewItem(id, as.AppName+" ← "+as.PrincipalName, inventory.View{Assignment: as}, raw("assignment", id), refs...)
}
