package okta

import (
	"encoding/json"
	"errors"
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
	typ, pr := o.Str("type"), o.Obj("protocol")
	ep, trust, client := pr.Obj("endpoints"), pr.Path("credentials", "trust"), pr.Path("credentials", "client")
	pol := o.Obj("policy")
	prov, groups := pol.Obj("provisioning"), pol.Path("provisioning", "groups")
	p := &inventory.ProviderView{
		VendorType: typ, VendorProtocol: pr.Str("type"),
		State: state(o.Str("status")), VendorStatus: o.Str("status"),
		Issuer:   firstNonEmpty(trust.Str("issuer"), pr.Obj("issuer").Str("url")),
		Audience: trust.Str("audience"),
		SSOURL:   ep.Obj("sso").Str("url"), SSOBinding: ep.Obj("sso").Str("binding"), SSODestination: ep.Obj("sso").Str("destination"),
		SLOURL:     ep.Obj("slo").Str("url"),
		ACSBinding: ep.Obj("acs").Str("binding"), ACSType: ep.Obj("acs").Str("type"),
		NameIDFormat: pr.Obj("settings").Str("nameFormat"),

		RequestSignatureAlgorithm:  pr.Path("algorithms", "request", "signature").Str("algorithm"),
		ResponseSignatureAlgorithm: pr.Path("algorithms", "response", "signature").Str("algorithm"),
		ResponseSignatureScope:     pr.Path("algorithms", "response", "signature").Str("scope"),

		AuthorizationURL: ep.Obj("authorization").Str("url"), TokenURL: ep.Obj("token").Str("url"),
		UserInfoURL: ep.Obj("userInfo").Str("url"), JWKSURL: ep.Obj("jwks").Str("url"),
		ClientID: client.Str("client_id"), ClientSecret: client.Secret("client_secret"),
		PKCERequired: client.Bool("pkce_required"),
		Scopes:       pr.Strings("scopes"),
		IssuerMode:   o.Str("issuerMode"),

		ProvisioningAction: prov.Str("action"), ProfileMaster: prov.Bool("profileMaster"),
		GroupsAction:      groups.Str("action"),
		GroupIDs:          append(groups.Strings("assignments"), groups.Strings("filter")...),
		AccountLinkAction: pol.Obj("accountLink").Str("action"),
		AccountLinkGroups: pol.Path("accountLink", "filter", "groups").Strings("include"),

		SubjectTemplate:       pol.Path("subject", "userNameTemplate").Str("template"),
		SubjectFilter:         pol.Obj("subject").Str("filter"),
		SubjectMatchType:      pol.Obj("subject").Str("matchType"),
		SubjectMatchAttribute: pol.Obj("subject").Str("matchAttribute"),
		MaxClockSkewMillis:    pol.Int("maxClockSkew"),
	}
	switch {
	case typ == "SAML2" || (typ == "" && pr.Str("type") == "SAML2"):
		p.Protocol = inventory.ProviderSAML
	case slices.Contains(socialTypes, typ):
		p.Protocol, p.SocialNetwork = inventory.ProviderSocial, strings.ToLower(typ)
	case typ == "X509" || pr.Str("type") == "MTLS":
		p.Protocol = inventory.ProviderX509
	case typ == "OIDC" || pr.Str("type") == "OIDC":
		p.Protocol = inventory.ProviderOIDC
	default:
		p.Protocol = inventory.ProviderOther
	}
	switch prov.Str("action") {
	case "AUTO", "CALLOUT":
		p.JIT = inventory.Yes
	case "DISABLED":
		p.JIT = inventory.No
	}
	if kid := trust.Str("kid"); kid != "" {
		p.SigningKeyIDs = append([]string{kid}, trust.Strings("additionalKids")...)
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
	return inventory.NewItem(o.Str("id"), firstNonEmpty(o.Str("name"), o.Str("id")), inventory.View{Provider: p}, raw, refs...), nil
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
	expr := o.Path("conditions", "expression").Str("value")
	if expr == "" {
		expr = "(rule " + firstNonEmpty(o.Str("name"), o.Str("id")) + " without an expression)"
	}
	if st := o.Str("status"); st != "" && st != "ACTIVE" {
		expr += " [rule " + strings.ToLower(st) + "]"
	}
	for _, g := range o.Path("actions", "assignUserToGroups").Strings("groupIds") {
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
	typ, prof := o.Str("type"), o.Obj("profile")
	g := &inventory.GroupView{
		VendorType: typ, Name: prof.Str("name"), Description: prof.Str("description"),
		SecurityEnabled: inventory.Yes, MailEnabled: inventory.No,
		DirectoryName: firstNonEmpty(prof.Str("windowsDomainQualifiedName"), prof.Str("dn")),
		ObjectClass:   o.Strings("objectClass"),
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
		if href := o.Path("_links", "source").Str("href"); href != "" {
			g.SourceAppID = href[strings.LastIndex(href, "/")+1:]
			refs = append(refs, inventory.Ref{Role: "source_app", Kind: inventory.KindApplication, SourceID: g.SourceAppID})
		}
	case "BUILT_IN":
		g.Type, g.DirectorySynced = inventory.GroupBuiltIn, inventory.No
	default: // OKTA_GROUP and any type this build does not know
		g.Type, g.DirectorySynced = inventory.GroupTenant, inventory.No
	}
	if rules != nil {
		g.MembershipRules = rules[o.Str("id")]
		g.RuleBased = inventory.TriOf(len(g.MembershipRules) > 0)
	}
	return inventory.NewItem(o.Str("id"), firstNonEmpty(g.Name, o.Str("id")), inventory.View{Group: g}, raw, refs...), nil
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
	if o.Str("domain") == "" {
		// The domain name is required by the Domain schema; without it there is
		// nothing to migrate or verify, and an item named by its id would read
		// as a real host.
		return inventory.Item{}, wrapErr("domain "+o.Str("id"), errors.New("the payload has no domain name"))
	}
	status := o.Str("validationStatus")
	d := &inventory.DomainView{
		Type: inventory.DomainSignInHost, Name: o.Str("domain"), ValidationStatus: status,
		CertificateSource: o.Str("certificateSourceType"),
		CertificateExpiry: o.Obj("publicCertificate").Str("expiration"),
	}
	switch status {
	case "VERIFIED", "COMPLETED":
		d.Verified = inventory.Yes
	case "NOT_STARTED", "IN_PROGRESS", "FAILED_TO_VERIFY":
		d.Verified = inventory.No
	}
	return inventory.NewItem(o.Str("id"), firstNonEmpty(d.Name, o.Str("id")), inventory.View{Domain: d}, raw), nil
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
	id := o.Str("id")
	a := &inventory.AssignmentView{
		Target: inventory.AssignGroup, VendorType: "group", AppID: app.ID, AppName: app.Name,
		PrincipalID: id, PrincipalName: o.Path("_embedded", "group", "profile").Str("name"),
		Direct: inventory.Yes,
	}
	if o.Has("priority") {
		p := int(o.Int("priority"))
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
	id := o.Str("id")
	a := &inventory.AssignmentView{
		Target: inventory.AssignUser, VendorType: "user", AppID: app.ID, AppName: app.Name,
		PrincipalID: id,
		PrincipalName: firstNonEmpty(o.Obj("credentials").Str("userName"), o.Path("_embedded", "user", "profile").Str("login"),
			o.Obj("profile").Str("email")),
		VendorStatus: o.Str("status"), SyncState: o.Str("syncState"),
	}
	switch o.Str("scope") {
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
