package okta

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// socialTypes are the Okta IdP types that sign users in with a social or
// consumer account (Identity Providers API, IdentityProviderType).
var socialTypes = []string{"GOOGLE", "FACEBOOK", "LINKEDIN", "MICROSOFT", "APPLE", "AMAZON", "DISCORD", "GITHUB",
	"GITLAB", "PAYPAL", "PAYPAL_SANDBOX", "SALESFORCE", "SPOTIFY", "XERO", "YAHOO", "YAHOOJP"}

// NormalizeIdP turns one identity provider payload (GET /api/v1/idps; the
// IdentityProvider object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/IdentityProvider/)
// into a provider item. keys are the org's IdP keys by kid
// (/api/v1/idps/credentials/keys): the trusted kids' certificates become
// the signing certificates.
func NormalizeIdP(raw json.RawMessage, keys map[string]SigningKey) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("identity provider", err)
	}
	typ, pr := o.s("type"), o.o("protocol")
	ep, trust, client := pr.o("endpoints"), pr.path("credentials", "trust"), pr.path("credentials", "client")
	pol := o.o("policy")
	prov, groups := pol.o("provisioning"), pol.path("provisioning", "groups")
	p := &inventory.ProviderView{
		VendorType: typ, VendorProtocol: pr.s("type"),
		State: state(o.s("status")), VendorStatus: o.s("status"),
		Issuer:   firstNonEmpty(trust.s("issuer"), pr.o("issuer").s("url")),
		Audience: trust.s("audience"),
		SSOURL:   ep.o("sso").s("url"), SSOBinding: ep.o("sso").s("binding"), SSODestination: ep.o("sso").s("destination"),
		SLOURL:     ep.o("slo").s("url"),
		ACSBinding: ep.o("acs").s("binding"), ACSType: ep.o("acs").s("type"),
		NameIDFormat: pr.o("settings").s("nameFormat"),

		RequestSignatureAlgorithm:  pr.path("algorithms", "request", "signature").s("algorithm"),
		ResponseSignatureAlgorithm: pr.path("algorithms", "response", "signature").s("algorithm"),
		ResponseSignatureScope:     pr.path("algorithms", "response", "signature").s("scope"),

		AuthorizationURL: ep.o("authorization").s("url"), TokenURL: ep.o("token").s("url"),
		UserInfoURL: ep.o("userInfo").s("url"), JWKSURL: ep.o("jwks").s("url"),
		ClientID: client.s("client_id"), ClientSecret: secretField(client, "client_secret"),
		PKCERequired: client.b("pkce_required"),
		Scopes:       pr.ss("scopes"),
		IssuerMode:   o.s("issuerMode"),

		ProvisioningAction: prov.s("action"), ProfileMaster: prov.b("profileMaster"),
		GroupsAction:      groups.s("action"),
		GroupIDs:          append(groups.ss("assignments"), groups.ss("filter")...),
		AccountLinkAction: pol.o("accountLink").s("action"),
		AccountLinkGroups: pol.path("accountLink", "filter", "groups").ss("include"),

		SubjectTemplate:       pol.path("subject", "userNameTemplate").s("template"),
		SubjectFilter:         pol.o("subject").s("filter"),
		SubjectMatchType:      pol.o("subject").s("matchType"),
		SubjectMatchAttribute: pol.o("subject").s("matchAttribute"),
		MaxClockSkewMillis:    pol.i("maxClockSkew"),
	}
	switch {
	case typ == "SAML2" || (typ == "" && pr.s("type") == "SAML2"):
		p.Protocol = inventory.ProviderSAML
	case slices.Contains(socialTypes, typ):
		p.Protocol, p.SocialNetwork = inventory.ProviderSocial, strings.ToLower(typ)
	case typ == "X509" || pr.s("type") == "MTLS":
		p.Protocol = inventory.ProviderX509
	case typ == "OIDC" || pr.s("type") == "OIDC":
		p.Protocol = inventory.ProviderOIDC
	default:
		p.Protocol = inventory.ProviderOther
	}
	switch prov.s("action") {
	case "AUTO", "CALLOUT":
		p.JIT = inventory.Yes
	case "DISABLED":
		p.JIT = inventory.No
	}
	if kid := trust.s("kid"); kid != "" {
		p.SigningKeyIDs = append([]string{kid}, trust.ss("additionalKids")...)
	}
	valid := false
	for _, kid := range p.SigningKeyIDs {
		c := inventory.Certificate{KeyID: kid, Usage: "signing", Error: "the org's IdP key store does not hold this kid"}
		if k, ok := keys[kid]; ok {
			c = k.certificate()
			c.Usage = "signing"
		}
		valid = valid || c.Error == "" && c.Expired == inventory.No
		p.SigningCertificates = append(p.SigningCertificates, c)
	}
	switch {
	case valid:
		p.ValidSigningCertificate = inventory.Yes
	case len(p.SigningKeyIDs) > 0 || p.Protocol == inventory.ProviderSAML:
		// A SAML IdP without a trusted key cannot be verified at all.
		p.ValidSigningCertificate = inventory.No
	}
	var refs []inventory.Ref
	for _, g := range uniq(append(slices.Clone(p.GroupIDs), p.AccountLinkGroups...)) {
		refs = append(refs, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: g})
	}
	return inventory.NewItem(o.s("id"), firstNonEmpty(o.s("name"), o.s("id")), inventory.View{Provider: p}, raw, refs...), nil
}

// GroupRules maps group ids to the expressions of the org's active group
// rules that assign users to them (GET /api/v1/groups/rules; the
// GroupRule object of the Groups API:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/GroupRule/).
// A nil GroupRules means the rules were not read.
type GroupRules map[string][]string

// addGroupRule records one group rule payload; a malformed one is skipped
// with its reason.
func (gr GroupRules) add(raw json.RawMessage) error {
	o, err := parseObject(raw)
	if err != nil {
		return wrapErr("group rule", err)
	}
	expr := o.path("conditions", "expression").s("value")
	if expr == "" {
		expr = "(rule " + firstNonEmpty(o.s("name"), o.s("id")) + " without an expression)"
	}
	if st := o.s("status"); st != "" && st != "ACTIVE" {
		expr += " [rule " + strings.ToLower(st) + "]"
	}
	for _, g := range o.path("actions", "assignUserToGroups").ss("groupIds") {
		gr[g] = append(gr[g], expr)
	}
	return nil
}

// NormalizeGroup turns one group payload (GET /api/v1/groups; the Group
// object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/)
// into a group item. rules are the org's group rules by target group (nil
// when they were not read).
func NormalizeGroup(raw json.RawMessage, rules GroupRules) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("group", err)
	}
	typ, prof := o.s("type"), o.o("profile")
	g := &inventory.GroupView{
		VendorType: typ, Name: prof.s("name"), Description: prof.s("description"),
		SecurityEnabled: inventory.Yes, MailEnabled: inventory.No,
		DirectoryName: firstNonEmpty(prof.s("windowsDomainQualifiedName"), prof.s("dn")),
		ObjectClass:   o.ss("objectClass"),
	}
	var refs []inventory.Ref
	switch typ {
	case "APP_GROUP":
		g.Type = inventory.GroupAppImported
		g.DirectorySynced = inventory.No
		for _, c := range g.ObjectClass {
			if c == "okta:windows_security_principal" || strings.HasPrefix(c, "okta:ldap") {
				g.DirectorySynced = inventory.Yes
			}
		}
		if href := o.path("_links", "source").s("href"); href != "" {
			g.SourceAppID = href[strings.LastIndex(href, "/")+1:]
			refs = append(refs, inventory.Ref{Role: "source_app", Kind: inventory.KindApplication, SourceID: g.SourceAppID})
		}
	case "BUILT_IN":
		g.Type, g.DirectorySynced = inventory.GroupBuiltIn, inventory.No
	default: // OKTA_GROUP and any type this build does not know
		g.Type, g.DirectorySynced = inventory.GroupTenant, inventory.No
	}
	if rules != nil {
		g.MembershipRules = rules[o.s("id")]
		g.RuleBased = inventory.TriOf(len(g.MembershipRules) > 0)
	}
	return inventory.NewItem(o.s("id"), firstNonEmpty(g.Name, o.s("id")), inventory.View{Group: g}, raw, refs...), nil
}

// NormalizeDomain turns one custom domain payload (GET /api/v1/domains;
// the DomainResponse object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/CustomDomain/)
// into a domain item.
func NormalizeDomain(raw json.RawMessage) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("domain", err)
	}
	status := o.s("validationStatus")
	d := &inventory.DomainView{
		Type: inventory.DomainSignInHost, Name: o.s("domain"), ValidationStatus: status,
		CertificateSource: o.s("certificateSourceType"),
		CertificateExpiry: o.o("publicCertificate").s("expiration"),
	}
	switch status {
	case "VERIFIED", "COMPLETED":
		d.Verified = inventory.Yes
	case "NOT_STARTED", "IN_PROGRESS", "FAILED_TO_VERIFY":
		d.Verified = inventory.No
	}
	return inventory.NewItem(o.s("id"), firstNonEmpty(d.Name, o.s("id")), inventory.View{Domain: d}, raw), nil
}

// AppRef is the application whose assignment listing is read: its id and
// label.
type AppRef struct{ ID, Name string }

// NormalizeAppGroup turns one app-group assignment of app (GET
// /api/v1/apps/{appId}/groups?expand=group; the ApplicationGroupAssignment
// object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationGroups/)
// into an assignment item with source id "<app>/<group>". The group's name
// comes from the embedded group.
func NormalizeAppGroup(raw json.RawMessage, app AppRef) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("app group assignment", err)
	}
	id := o.s("id")
	a := &inventory.AssignmentView{
		Target: inventory.AssignGroup, VendorType: "group", AppID: app.ID, AppName: app.Name,
		PrincipalID: id, PrincipalName: o.path("_embedded", "group", "profile").s("name"),
		Direct: inventory.Yes,
	}
	if o.has("priority") {
		p := int(o.i("priority"))
		a.Priority = &p
	}
	markUnresolved(a)
	return inventory.NewItem(app.ID+"/"+id, inventory.AssignmentDisplayName(a), inventory.View{Assignment: a}, raw,
		inventory.Ref{Role: "app", Kind: inventory.KindApplication, SourceID: app.ID},
		inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: id}), nil
}

// NormalizeAppUser turns one app-user assignment of app (GET
// /api/v1/apps/{appId}/users; the AppUser object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationUsers/)
// into an assignment item. Scope USER is a direct assignment; GROUP means
// the user has the app through a group.
func NormalizeAppUser(raw json.RawMessage, app AppRef) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("app user assignment", err)
	}
	id := o.s("id")
	a := &inventory.AssignmentView{
		Target: inventory.AssignUser, VendorType: "user", AppID: app.ID, AppName: app.Name,
		PrincipalID: id,
		PrincipalName: firstNonEmpty(o.o("credentials").s("userName"), o.path("_embedded", "user", "profile").s("login"),
			o.o("profile").s("email")),
		VendorStatus: o.s("status"), SyncState: o.s("syncState"),
	}
	switch o.s("scope") {
	case "USER":
		a.Direct = inventory.Yes
	case "GROUP":
		a.Direct = inventory.No
	default:
		// Without a scope Okta's own default (a direct assignment) is not
		// assumed; the assignment says it does not know.
		a.Direct = inventory.Unknown
	}
	markUnresolved(a)
	// Users are not inventory items; the ref names the Okta user id.
	return inventory.NewItem(app.ID+"/"+id, inventory.AssignmentDisplayName(a), inventory.View{Assignment: a}, raw,
		inventory.Ref{Role: "app", Kind: inventory.KindApplication, SourceID: app.ID},
		inventory.Ref{Role: "user", SourceID: id}), nil
}

func markUnresolved(a *inventory.AssignmentView) {
	a.Unresolved = nil
	if a.AppName == "" {
		a.Unresolved = append(a.Unresolved, "app")
	}
	if a.PrincipalName == "" {
		a.Unresolved = append(a.Unresolved, "principal")
	}
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
