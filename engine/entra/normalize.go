package entra

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/inventory/payload"
)

// The normalizers read the bytes Graph sent for each element (the SDK has
// already parsed them, so a payload the SDK rejects never gets here) with
// the tolerant payload reader into each kind's view, following the Graph
// v1.0 resource reference cited on each. Reading the bytes rather than the
// SDK's models keeps every normalizer a pure function of the raw payload,
// which is also what an upgrade re-normalizes from.

// defaultAppRole is the app role id Graph uses for "default access"
// (an assignment to an app that defines no roles).
const defaultAppRole = "00000000-0000-0000-0000-000000000000"

// microsoftTenants own Microsoft's first-party applications: the Microsoft
// Services tenant and Microsoft's corporate tenant.
var microsoftTenants = []string{"f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"}

// samlClaimsGap names why an Entra SAML app's claims are missing.
const samlClaimsGap = "Entra enterprise app: SAML claims and name-id settings are configured through claims-mapping policies, readable only through Graph beta"

var errNoID = errors.New("element has no id")

// tenantContext is what normalizers need to know of the tenant and of
// other listings.
type tenantContext struct {
	// TenantID is the tenant collected as configured: a GUID, or a domain
	// name, which says nothing about appOwnerOrganizationId.
	TenantID string
	// HomeTenant is the tenant's GUID as learned from the owner of a
	// service principal of one of its own registrations ("" until then).
	HomeTenant string
	// Registered holds the appIds of the tenant's app registrations; nil
	// when unknown.
	Registered map[string]bool
	// SSOModes maps an appId to its service principal's
	// preferredSingleSignOnMode ("" for null); nil when unknown.
	SSOModes map[string]string
	Now      time.Time
}

func parseElement(raw json.RawMessage) (payload.Object, string, error) {
	o, err := payload.Parse(raw)
	if err != nil {
		return nil, "", err
	}
	id := o.Str("id")
	if id == "" {
		return nil, "", errNoID
	}
	return o, id, nil
}

// credentials reads keyCredentials and passwordCredentials (Graph
// keyCredential and passwordCredential): metadata only, never key or
// secretText.
func credentials(o payload.Object, now time.Time) []inventory.Credential {
	var out []inventory.Credential
	for _, k := range o.Objects("keyCredentials") {
		out = append(out, credentialFacts("certificate", k, now))
	}
	for _, p := range o.Objects("passwordCredentials") {
		out = append(out, credentialFacts("secret", p, now))
	}
	return out
}

func credentialFacts(typ string, c payload.Object, now time.Time) inventory.Credential {
	cr := inventory.Credential{Type: typ, VendorType: c.Str("type"), Usage: c.Str("usage"), KeyID: c.Str("keyId"),
		DisplayName: c.Str("displayName"), Hint: c.Str("hint"), Start: c.Time("startDateTime"), End: c.Time("endDateTime")}
	if cr.End != nil {
		cr.Expired = inventory.TriOf(cr.End.Before(now))
	}
	return cr
}

// certificate is a keyCredential as a view certificate (metadata only:
// Graph lists keyCredentials without their "key").
func certificate(c payload.Object, usage string, now time.Time) inventory.Certificate {
	cert := inventory.Certificate{KeyID: c.Str("keyId"), Usage: usage, Subject: c.Str("displayName"),
		NotBefore: c.Time("startDateTime"), NotAfter: c.Time("endDateTime")}
	if cert.NotAfter != nil {
		cert.Expired = inventory.TriOf(cert.NotAfter.Before(now))
	}
	return cert
}

func appRoles(o payload.Object) []inventory.AppRole {
	var out []inventory.AppRole
	for _, r := range o.Objects("appRoles") {
		out = append(out, inventory.AppRole{ID: r.Str("id"), Value: r.Str("value"), DisplayName: r.Str("displayName"),
			AllowedMemberTypes: r.Strings("allowedMemberTypes"), Enabled: r.Bool("isEnabled")})
	}
	return out
}

func hasTag(o payload.Object, tag string) inventory.Tri {
	if !o.Present("tags") {
		return inventory.Unknown
	}
	return inventory.TriOf(slices.Contains(o.Strings("tags"), tag))
}

// normalizeApplication maps an app registration (Graph application:
// https://learn.microsoft.com/graph/api/resources/application?view=graph-rest-1.0).
// Its protocol follows its service principal's single sign-on mode when
// the tenant holds one (a SAML gallery app has a registration too); else
// it is an OIDC/OAuth client when it has a sign-in platform or a
// credential, and none otherwise.
func normalizeApplication(raw json.RawMessage, tc tenantContext) (inventory.Item, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	web, spa, pub := o.Obj("web"), o.Obj("spa"), o.Obj("publicClient")
	a := &inventory.ApplicationView{
		VendorType: "application", Object: inventory.AppObjectEntraAppRegistration,
		State: inventory.StateActive, Origin: inventory.OriginTenant,
		Catalogue: inventory.CatalogueCustom, CatalogueID: o.Str("applicationTemplateId"),
		Publisher: firstNonEmpty(o.Obj("verifiedPublisher").Str("displayName"), o.Str("publisherDomain")),
		ClientID:  o.Str("appId"), SignInAudience: o.Str("signInAudience"),
		// The setting lives on the service principal.
		AssignmentRequired: inventory.Unknown,
		HiddenFromUsers:    hasTag(o, "HideApp"),
		Credentials:        credentials(o, tc.Now),
		AppRoles:           appRoles(o),
	}
	if a.CatalogueID != "" {
		a.Catalogue = inventory.CatalogueListed
	}
	oidc := &inventory.OIDCSettings{
		RedirectURIs:          append(append(web.Strings("redirectUris"), spa.Strings("redirectUris")...), pub.Strings("redirectUris")...),
		AccessTokenVersion:    int(o.Obj("api").Int("requestedAccessTokenVersion")),
		GroupMembershipClaims: o.Str("groupMembershipClaims"),
	}
	if u := web.Str("logoutUrl"); u != "" {
		oidc.PostLogoutRedirectURIs = []string{u}
	}
	if len(web.Strings("redirectUris")) > 0 || web.Has("logoutUrl") || web.Obj("implicitGrantSettings").Bool("enableIdTokenIssuance") == inventory.Yes ||
		web.Obj("implicitGrantSettings").Bool("enableAccessTokenIssuance") == inventory.Yes {
		oidc.Platforms = append(oidc.Platforms, "web")
	}
	if len(spa.Strings("redirectUris")) > 0 {
		oidc.Platforms = append(oidc.Platforms, "spa")
	}
	fallback := o.Bool("isFallbackPublicClient")
	if len(pub.Strings("redirectUris")) > 0 || fallback == inventory.Yes {
		oidc.Platforms = append(oidc.Platforms, "public_client")
	}
	if ig := web.Obj("implicitGrantSettings"); len(ig) > 0 {
		oidc.ImplicitIDToken, oidc.ImplicitAccessToken = ig.Bool("enableIdTokenIssuance"), ig.Bool("enableAccessTokenIssuance")
	}
	wildcard := false
	for _, u := range oidc.RedirectURIs {
		wildcard = wildcard || strings.Contains(u, "*")
	}
	oidc.WildcardRedirect = inventory.TriOf(wildcard)
	if slices.Equal(oidc.Platforms, []string{"spa"}) {
		// The identity platform requires PKCE of single-page apps.
		oidc.PKCERequired = inventory.Yes
	}
	hasCred := len(a.Credentials) > 0
	switch {
	case fallback == inventory.Yes:
		oidc.Confidential, oidc.ConfidentialEvidence = inventory.No, "isFallbackPublicClient is true"
	case hasCred:
		oidc.Confidential, oidc.ConfidentialEvidence = inventory.Yes, "the registration holds a client secret or certificate"
	case len(oidc.Platforms) > 0 && !slices.Contains(oidc.Platforms, "web"):
		oidc.Confidential, oidc.ConfidentialEvidence = inventory.No, "only SPA or public-client platforms and no credential"
	default:
		oidc.ConfidentialEvidence = "a web platform without a credential in the payload"
	}
	if oc := o.Obj("optionalClaims"); len(oc) > 0 {
		for _, tok := range []struct{ key, name string }{{"idToken", "id_token"}, {"accessToken", "access_token"}, {"saml2Token", "saml2_token"}} {
			for _, c := range oc.Objects(tok.key) {
				oidc.OptionalClaims = append(oidc.OptionalClaims, inventory.OptionalClaim{Token: tok.name, Name: c.Str("name"),
					Source: c.Str("source"), Essential: c.Bool("essential"), AdditionalProperties: c.Strings("additionalProperties")})
			}
		}
	}
	for _, r := range o.Objects("requiredResourceAccess") {
		ra := inventory.ResourceAccess{ResourceAppID: r.Str("resourceAppId")}
		for _, acc := range r.Objects("resourceAccess") {
			if acc.Str("type") == "Role" {
				ra.Roles = append(ra.Roles, acc.Str("id"))
			} else {
				ra.Scopes = append(ra.Scopes, acc.Str("id"))
			}
		}
		oidc.RequiredResourceAccess = append(oidc.RequiredResourceAccess, ra)
	}
	for _, s := range o.Obj("api").Objects("oauth2PermissionScopes") {
		if v := s.Str("value"); v != "" {
			oidc.ExposedScopes = append(oidc.ExposedScopes, v)
		}
	}
	a.OIDC = oidc

	mode, knownMode := "", false
	if tc.SSOModes != nil {
		mode, knownMode = tc.SSOModes[a.ClientID]
	}
	switch {
	case knownMode && mode == "saml":
		a.Protocol = inventory.ProtocolSAML
		a.SAML = &inventory.SAMLSettings{EntityIDs: o.Strings("identifierUris"), ACSURLs: web.Strings("redirectUris"),
			StatementsGap: samlClaimsGap, StatementsExposed: inventory.No}
		if k := o.Str("tokenEncryptionKeyId"); k != "" {
			a.SAML.AssertionEncrypted = inventory.Yes
		} else if o.Present("tokenEncryptionKeyId") {
			a.SAML.AssertionEncrypted = inventory.No
		}
	case knownMode && mode == "password":
		a.Protocol = inventory.ProtocolPassword
		a.Password = &inventory.PasswordSignOn{Variant: inventory.PasswordVariantVaulted}
	case len(oidc.Platforms) > 0 || hasCred:
		a.Protocol = inventory.ProtocolOIDC
	default:
		a.Protocol = inventory.ProtocolNone
	}
	return inventory.NewItem(id, firstNonEmpty(o.Str("displayName"), id), inventory.View{Application: a}, raw), nil
}

// normalizeServicePrincipal maps an enterprise app (Graph
// servicePrincipal:
// https://learn.microsoft.com/graph/api/resources/serviceprincipal?view=graph-rest-1.0).
// Its protocol is its preferredSingleSignOnMode; a null mode with reply
// URLs is an OAuth/OIDC client signing users in through its registration,
// with none it signs no one in.
func normalizeServicePrincipal(raw json.RawMessage, tc tenantContext) (inventory.Item, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	mode := o.Str("preferredSingleSignOnMode")
	owner := o.Str("appOwnerOrganizationId")
	a := &inventory.ApplicationView{
		VendorType: mode, Object: inventory.AppObjectEntraServicePrincipal, Name: o.Str("appDisplayName"),
		VendorStatus: fmt.Sprint(o["accountEnabled"]), CatalogueID: o.Str("applicationTemplateId"),
		Publisher: firstNonEmpty(o.Str("publisherName"), o.Obj("verifiedPublisher").Str("displayName")), OwnerTenantID: owner,
		ClientID: o.Str("appId"), SignInAudience: o.Str("signInAudience"),
		AssignmentRequired: o.Bool("appRoleAssignmentRequired"),
		HiddenFromUsers:    hasTag(o, "HideApp"),
		LoginURL:           o.Str("loginUrl"),
		Credentials:        credentials(o, tc.Now),
		AppRoles:           appRoles(o),
	}
	switch o.Bool("accountEnabled") {
	case inventory.Yes:
		a.State = inventory.StateActive
	case inventory.No:
		a.State = inventory.StateInactive
	default:
		a.State, a.VendorStatus = inventory.StateUnknown, ""
	}
	home := tc.HomeTenant
	if isGUID(tc.TenantID) {
		home = tc.TenantID
	}
	switch {
	case o.Str("servicePrincipalType") == "ManagedIdentity":
		a.Origin = inventory.OriginManagedIdentity
	case slices.Contains(microsoftTenants, owner):
		a.Origin = inventory.OriginMicrosoft
	case tc.Registered[a.ClientID]:
		a.Origin = inventory.OriginTenant
	case owner != "" && home != "" && strings.EqualFold(owner, home):
		a.Origin = inventory.OriginTenant
	case owner != "" && home != "":
		a.Origin = inventory.OriginOtherTenant
	default:
		a.Origin = inventory.OriginUnknown
	}
	switch {
	case a.CatalogueID != "":
		a.Catalogue = inventory.CatalogueListed
	case a.Origin == inventory.OriginTenant:
		a.Catalogue = inventory.CatalogueCustom
	default:
		a.Catalogue = inventory.CatalogueUnknown
	}
	replies := o.Strings("replyUrls")
	switch mode {
	case "saml":
		a.Protocol = inventory.ProtocolSAML
		a.SAML = spSAML(o, id, replies, tc.Now)
	case "oidc":
		a.Protocol = inventory.ProtocolOIDC
	case "password":
		a.Protocol = inventory.ProtocolPassword
		a.Password = &inventory.PasswordSignOn{Variant: inventory.PasswordVariantVaulted, URL: a.LoginURL}
	case "notSupported":
		a.Protocol = inventory.ProtocolNone
	case "":
		a.Protocol = inventory.ProtocolNone
		if len(replies) > 0 {
			a.Protocol = inventory.ProtocolOIDC
		}
	default:
		a.Protocol = inventory.ProtocolOther
	}
	if a.Protocol == inventory.ProtocolOIDC {
		a.OIDC = &inventory.OIDCSettings{RedirectURIs: replies,
			ConfidentialEvidence: "a service principal does not show whether its client holds a credential; see its app registration"}
		if u := o.Str("logoutUrl"); u != "" {
			a.OIDC.PostLogoutRedirectURIs = []string{u}
		}
	}
	return inventory.NewItem(id, firstNonEmpty(o.Str("displayName"), o.Str("appDisplayName"), id), inventory.View{Application: a}, raw), nil
}

// spSAML reads a SAML service principal's settings.
func spSAML(o payload.Object, id string, replies []string, now time.Time) *inventory.SAMLSettings {
	s := &inventory.SAMLSettings{
		ACSURLs:                    replies,
		DefaultRelayState:          o.Obj("samlSingleSignOnSettings").Str("relayState"),
		PreferredSigningThumbprint: o.Str("preferredTokenSigningKeyThumbprint"),
		StatementsExposed:          inventory.No, StatementsGap: samlClaimsGap,
		// My Apps posts an unsolicited response unless a sign-on URL makes
		// it start at the app.
		IdPInitiated: inventory.TriOf(o.Str("loginUrl") == ""),
		SingleLogout: inventory.TriOf(o.Str("logoutUrl") != ""),
		SLOURL:       o.Str("logoutUrl"),
	}
	for _, n := range o.Strings("servicePrincipalNames") {
		if n != o.Str("appId") && n != id {
			s.EntityIDs = append(s.EntityIDs, n)
		}
	}
	encKey := o.Str("tokenEncryptionKeyId")
	s.AssertionEncrypted = inventory.TriOf(encKey != "")
	for _, k := range o.Objects("keyCredentials") {
		switch {
		case encKey != "" && k.Str("keyId") == encKey:
			c := certificate(k, "encryption", now)
			s.EncryptionCertificate = &c
		case k.Str("usage") == "Verify" || k.Str("usage") == "Sign":
			usage := "signing"
			if k.Str("usage") == "Verify" {
				usage = "verification"
			}
			s.SigningCertificates = append(s.SigningCertificates, certificate(k, usage, now))
		}
	}
	s.ValidSigningCertificate = inventory.ValidCertificate(s.SigningCertificates, now)
	return s
}

// normalizeGroup maps a group (Graph group:
// https://learn.microsoft.com/graph/api/resources/group?view=graph-rest-1.0):
// dynamic before Microsoft 365 (a dynamic group needs its rule rebuilt
// first), then security (mail-enabled or not), else distribution. A group
// whose payload says neither securityEnabled nor mailEnabled ($select
// trimmed) is Graph's default kind, a security group.
func normalizeGroup(raw json.RawMessage) (inventory.Item, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	types := o.Strings("groupTypes")
	has := func(t string) bool {
		return slices.ContainsFunc(types, func(v string) bool { return strings.EqualFold(v, t) })
	}
	rule := o.Str("membershipRule")
	dynamic := has("DynamicMembership") || rule != ""
	sec, mail := o.Bool("securityEnabled"), o.Bool("mailEnabled")
	g := &inventory.GroupView{
		VendorType: strings.Join(types, ","), Name: o.Str("displayName"), Description: o.Str("description"),
		RuleBased: inventory.TriOf(dynamic), MembershipRuleState: o.Str("membershipRuleProcessingState"),
		SecurityEnabled: sec, MailEnabled: mail, Mail: o.Str("mail"),
		RoleAssignable: o.Bool("isAssignableToRole"),
		DirectoryName:  o.Str("onPremisesSamAccountName"),
	}
	if rule != "" {
		g.MembershipRules = []string{rule}
	}
	// Graph: onPremisesSyncEnabled is null for a group never synced.
	switch {
	case o.Has("onPremisesSyncEnabled"):
		g.DirectorySynced = o.Bool("onPremisesSyncEnabled")
	case o.Present("onPremisesSyncEnabled"):
		g.DirectorySynced = inventory.No
	}
	switch {
	case dynamic:
		g.Type = inventory.GroupDynamic
	case has("Unified"):
		g.Type = inventory.GroupMicrosoft365
	case sec == inventory.Yes && mail == inventory.Yes:
		g.Type = inventory.GroupMailEnabledSecurity
	case sec == inventory.Yes, sec == inventory.Unknown && mail == inventory.Unknown:
		g.Type = inventory.GroupTenant
	default:
		g.Type = inventory.GroupDistribution
	}
	return inventory.NewItem(id, g.Name, inventory.View{Group: g}, raw), nil
}

// normalizeDomain maps a tenant domain (Graph domain, whose id is its name:
// https://learn.microsoft.com/graph/api/resources/domain?view=graph-rest-1.0).
func normalizeDomain(raw json.RawMessage) (inventory.Item, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	d := &inventory.DomainView{
		Type: inventory.DomainUserNamespace, Name: id,
		Verified: o.Bool("isVerified"), Default: o.Bool("isDefault"), Initial: o.Bool("isInitial"), Root: o.Bool("isRoot"),
		AuthType:          strings.ToLower(o.Str("authenticationType")),
		SupportedServices: o.Strings("supportedServices"),
	}
	return inventory.NewItem(id, id, inventory.View{Domain: d}, raw), nil
}

// caKeys are the conditional-access conditions the view models.
var caKeys = []string{"users", "applications", "clientAppTypes", "locations", "platforms", "signInRiskLevels", "userRiskLevels", "devices"}

// specialUsers are the values of conditions.users that are not user ids.
var specialUsers = []string{"All", "None", "GuestsOrExternalUsers"}

// normalizePolicy maps a conditional-access policy (Graph
// conditionalAccessPolicy:
// https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-1.0),
// with references to the groups and named users it targets.
func normalizePolicy(raw json.RawMessage) (inventory.Item, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	st := o.Str("state")
	p := &inventory.PolicyView{Type: inventory.PolicyConditionalAccess, VendorType: "conditionalAccessPolicy",
		VendorStatus: st, Description: o.Str("description")}
	switch st {
	case "enabled":
		p.State = inventory.StateActive
	case "disabled":
		p.State = inventory.StateInactive
	case "enabledForReportingButNotEnforced":
		p.State = inventory.StateReportOnly
	default:
		p.State = inventory.StateUnknown
	}
	c := o.Obj("conditions")
	u, apps := c.Obj("users"), c.Obj("applications")
	cond := &p.Conditions
	cond.Users = inventory.IncludeExclude{Include: u.Strings("includeUsers"), Exclude: u.Strings("excludeUsers")}
	cond.Groups = inventory.IncludeExclude{Include: u.Strings("includeGroups"), Exclude: u.Strings("excludeGroups")}
	cond.Roles = inventory.IncludeExclude{Include: u.Strings("includeRoles"), Exclude: u.Strings("excludeRoles")}
	// Applications are appIds (client ids), matched by
	// ApplicationView.ClientID, not item source ids.
	cond.Apps = inventory.IncludeExclude{Include: apps.Strings("includeApplications"), Exclude: apps.Strings("excludeApplications")}
	cond.UserActions = apps.Strings("includeUserActions")
	cond.ClientAppTypes = c.Strings("clientAppTypes")
	if loc := c.Obj("locations"); len(loc) > 0 {
		cond.Network = "ZONE"
		cond.NetworkZones = inventory.IncludeExclude{Include: loc.Strings("includeLocations"), Exclude: loc.Strings("excludeLocations")}
	}
	pl := c.Obj("platforms")
	cond.Platforms = inventory.IncludeExclude{Include: pl.Strings("includePlatforms"), Exclude: pl.Strings("excludePlatforms")}
	cond.RiskLevels, cond.UserRiskLevels = c.Strings("signInRiskLevels"), c.Strings("userRiskLevels")
	cond.Expression = c.Path("devices", "deviceFilter").Str("rule")
	for _, k := range c.Keys() {
		if !slices.Contains(caKeys, k) && !isEmptyCondition(c, k) {
			cond.Unmodeled = append(cond.Unmodeled, k)
		}
	}
	slices.Sort(cond.Unmodeled)

	var refs []inventory.Ref
	for _, r := range []struct {
		role string
		kind inventory.Kind
		ids  []string
	}{
		{"include_group", inventory.KindGroup, cond.Groups.Include}, {"exclude_group", inventory.KindGroup, cond.Groups.Exclude},
		{"include_user", "", cond.Users.Include}, {"exclude_user", "", cond.Users.Exclude},
		{"include_zone", "", cond.NetworkZones.Include}, {"exclude_zone", "", cond.NetworkZones.Exclude},
	} {
		for _, id := range r.ids {
			if r.kind == "" && (slices.Contains(specialUsers, id) || id == "All" || id == "AllTrusted") {
				continue
			}
			refs = append(refs, inventory.Ref{Role: r.role, Kind: r.kind, SourceID: id})
		}
	}

	act := &p.Actions
	if g := o.Obj("grantControls"); len(g) > 0 {
		act.GrantOperator, act.GrantControls, act.TermsOfUse = g.Str("operator"), g.Strings("builtInControls"), g.Strings("termsOfUse")
		act.AuthenticationStrength = g.Obj("authenticationStrength").Str("id")
		switch {
		case slices.Contains(act.GrantControls, "block"):
			act.Access, act.RequireMFA = "deny", inventory.No
		default:
			act.Access = "allow"
			act.RequireMFA = inventory.TriOf(slices.Contains(act.GrantControls, "mfa") || act.AuthenticationStrength != "")
		}
	}
	if s := o.Obj("sessionControls"); len(s) > 0 {
		if f := s.Obj("signInFrequency"); f.Bool("isEnabled") != inventory.No && len(f) > 0 {
			if f.Str("frequencyInterval") == "everyTime" {
				act.SignInFrequency = "everyTime"
			} else if f.Int("value") > 0 {
				act.SignInFrequency = fmt.Sprintf("%d %s", f.Int("value"), f.Str("type"))
			}
		}
		if pb := s.Obj("persistentBrowser"); pb.Bool("isEnabled") != inventory.No {
			act.PersistentBrowser = pb.Str("mode")
		}
		if ca := s.Obj("cloudAppSecurity"); ca.Bool("isEnabled") != inventory.No {
			act.CloudAppSecurity = ca.Str("cloudAppSecurityType")
		}
		act.AppEnforcedRestrictions = s.Obj("applicationEnforcedRestrictions").Bool("isEnabled")
	}
	return inventory.NewItem(id, firstNonEmpty(o.Str("displayName"), id), inventory.View{Policy: p}, raw, refs...), nil
}

// isEmptyCondition reports a condition Graph sends empty (an empty list or
// an object whose every member is empty), which conditions nothing.
func isEmptyCondition(c payload.Object, key string) bool {
	switch v := c[key].(type) {
	case []any:
		return len(v) == 0
	case map[string]any:
		for k, e := range v {
			if k == "@odata.type" {
				continue
			}
			switch x := e.(type) {
			case nil:
			case []any:
				if len(x) > 0 {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	return false
}

// normalizeAssignment maps one appRoleAssignedTo entry of service principal
// spID (Graph appRoleAssignment:
// https://learn.microsoft.com/graph/api/resources/approleassignment?view=graph-rest-1.0).
// Its source id is "<sp id>/<principal id>", with "/<app role id>"
// appended when the role is not the default one, so every assignment is
// unique.
func normalizeAssignment(spID string, raw json.RawMessage) (inventory.Item, error) {
	o, _, err := parseElement(raw)
	if err != nil {
		return inventory.Item{}, err
	}
	principal, role, ptype := o.Str("principalId"), o.Str("appRoleId"), o.Str("principalType")
	sourceID := spID + "/" + principal
	if role != "" && role != defaultAppRole {
		sourceID += "/" + role
	} else {
		role = ""
	}
	a := &inventory.AssignmentView{VendorType: ptype, AppID: spID, AppName: o.Str("resourceDisplayName"),
		PrincipalID: principal, PrincipalName: o.Str("principalDisplayName"), Direct: inventory.Yes, AppRoleID: role}
	refs := []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: spID}}
	switch ptype {
	case "Group":
		a.Target = inventory.AssignGroup
		refs = append(refs, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: principal})
	case "User":
		a.Target = inventory.AssignUser
		// Users are not inventory items; the ref names the Entra user id.
		refs = append(refs, inventory.Ref{Role: "user", SourceID: principal})
	case "ServicePrincipal":
		a.Target = inventory.AssignServicePrincipal
		refs = append(refs, inventory.Ref{Role: "service_principal", Kind: inventory.KindApplication, SourceID: principal})
	default:
		a.Target = inventory.AssignOther
	}
	if a.AppName == "" {
		a.Unresolved = append(a.Unresolved, "app")
	}
	if a.PrincipalName == "" {
		a.Unresolved = append(a.Unresolved, "principal")
	}
	return inventory.NewItem(sourceID, inventory.AssignmentDisplayName(a), inventory.View{Assignment: a}, raw, refs...), nil
}

// isGUID reports a tenant id in GUID form (8-4-4-4-12 hex digits).
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
