package rules

import (
	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Entra application registrations and service principals (enterprise
// apps): what their sign-in audience, roles, claims and API surface mean
// for a Portal application, and which service principals are not the
// tenant's to move.

func registration(s *a.Subject) *inventory.ApplicationView {
	if ap := app(s); ap.Object == inventory.AppObjectEntraAppRegistration {
		return ap
	}
	return nil
}

var entraAppRegMultiTenant = a.Rule{
	ID: "ENTRA-APPREG-AUDIENCE-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "Multi-tenant app registration",
	Condition: "an Entra application registration with signInAudience AzureADMultipleOrgs (work accounts of any " +
		"organisation)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounApplication, Shape: "single-tenant custom OIDC application"},
	Rationale: "{{.Name}} signs in work accounts of any organisation; a Portal application serves this tenant's " +
		"users only.",
	Notes:          "Users from other organisations lose access at cutover; they need accounts in this tenant or another path.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "Users from other organisations who sign in to multi-tenant apps lose access at cutover."}},
	References: []string{docEntraAudience, docGraphApplication},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		return nil, r != nil && r.SignInAudience == "AzureADMultipleOrgs"
	},
}

var entraAppRegPersonal = a.Rule{
	ID: "ENTRA-APPREG-AUDIENCE-002", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "App registration that signs in personal Microsoft accounts",
	Condition: "an Entra application registration with signInAudience AzureADandPersonalMicrosoftAccount or " +
		"PersonalMicrosoftAccount",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} signs in personal Microsoft accounts ({{.App.SignInAudience}}); the Portal has no consumer " +
		"accounts, so the app's audience must be redesigned.",
	Notes:          "Decide whether consumer users keep a Microsoft sign-in (keep the registration in Entra) or get tenant accounts.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "People who sign in with personal Microsoft accounts cannot sign in through the Portal."}},
	References: []string{docEntraAudience},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		return nil, r != nil && (r.SignInAudience == "AzureADandPersonalMicrosoftAccount" || r.SignInAudience == "PersonalMicrosoftAccount")
	},
}

var entraAppRegRoles = a.Rule{
	ID: "ENTRA-APPREG-ROLES-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title:     "App registration that defines app roles",
	Condition: "an Entra application registration with enabled appRoles",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounApplication, Shape: "custom OIDC application without app roles"},
	Rationale: "{{.Name}} defines app roles ({{list .V.roles}}); Portal applications have no roles and tokens carry no " +
		"roles claim.",
	Notes:          "App roles {{list .V.roles}} are not carried: the app must authorise by Portal group assignments instead of the roles claim.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "App roles and the roles claim do not exist on the Portal: apps that authorise by role must authorise by group assignment."}},
	References: []string{docEntraAppRoles},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		if r == nil {
			return nil, false
		}
		var roles []string
		for _, ro := range r.AppRoles {
			if ro.Enabled != inventory.No {
				roles = append(roles, firstNonEmpty(ro.Value, ro.DisplayName, ro.ID))
			}
		}
		return a.Vars{"roles": roles}, len(roles) > 0
	},
}

var entraAppRegClaims = a.Rule{
	ID: "ENTRA-APPREG-CLAIMS-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title:     "App registration with optional or group claims",
	Condition: "an Entra application registration with optionalClaims, or groupMembershipClaims other than None",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounApplication, Shape: "custom OIDC application with the Portal's standard claims"},
	Rationale: "{{.Name}} asks for extra claims ({{list .V.claims}}); Portal tokens carry the Portal's standard claims " +
		"only.",
	Notes:          "Claims {{list .V.claims}} are not issued by the Portal: the app must read what it needs from standard claims or the Portal's user data.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Optional and group claims configured in Entra are not issued by the Portal: apps that read them must change."}},
	References: []string{docEntraClaims},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		if r == nil || r.OIDC == nil {
			return nil, false
		}
		var claims []string
		for _, c := range r.OIDC.OptionalClaims {
			claims = append(claims, c.Token+":"+c.Name)
		}
		if g := r.OIDC.GroupMembershipClaims; g != "" && g != "None" {
			claims = append(claims, "groups ("+g+")")
		}
		return a.Vars{"claims": claims}, len(claims) > 0
	},
}

var entraAppRegAPI = a.Rule{
	ID: "ENTRA-APPREG-API-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "App registration that exposes an API with scopes",
	Condition: "an Entra application registration that defines delegated permission scopes " +
		"(api.oauth2PermissionScopes)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is a resource API with scopes {{list .App.OIDC.ExposedScopes}}; the Portal issues no access " +
		"tokens for custom APIs or scopes.",
	Notes:          "Clients of this API get their tokens from Entra today; decide how the API authorises callers after cutover.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "APIs protected by Entra scopes have no Portal equivalent: their owners must decide how callers are authorised after cutover."}},
	References: []string{docEntraScopes, docGraphApplication},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		return nil, r != nil && r.OIDC != nil && len(r.OIDC.ExposedScopes) > 0
	},
}

var entraAppRegPermissions = a.Rule{
	ID: "ENTRA-APPREG-PERMS-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "App registration that calls other APIs with Entra permissions",
	Condition: "an Entra application registration with requiredResourceAccess (delegated scopes or application " +
		"roles on other APIs, such as Microsoft Graph) beyond the sign-in basics (Microsoft Graph openid, profile, email, " +
		"offline_access and User.Read, which Portal sign-in covers)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application for sign-in only"},
	Rationale: "{{.Name}} calls {{plural (len .V.apis) \"API\"}} with Entra-issued tokens; " +
		"Portal tokens sign users in to the app but grant nothing on those APIs.",
	Notes:          "Sign-in moves; calls to {{list .V.apis}} keep needing Entra tokens (on-behalf-of or app-only) and must be reviewed.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Apps that call Microsoft Graph or other APIs on a user's behalf keep needing Entra tokens for those calls."}},
	References: []string{docEntraScopes, docGraphApplication},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		if r == nil || r.OIDC == nil || len(r.OIDC.RequiredResourceAccess) == 0 {
			return nil, false
		}
		var apis []string
		for _, ra := range r.OIDC.RequiredResourceAccess {
			if ra.ResourceAppID == graphAppID && len(ra.Roles) == 0 && len(outside(ra.Scopes, signInScopes)) == 0 {
				continue
			}
			apis = append(apis, ra.ResourceAppID)
		}
		return a.Vars{"apis": apis}, len(apis) > 0
	},
}

// graphAppID is Microsoft Graph's appId; signInScopes are the ids of its
// delegated permissions openid, profile, email, offline_access and
// User.Read, which any OIDC sign-in covers.
const graphAppID = "00000003-0000-0000-c000-000000000000"

var signInScopes = []string{
	"37f7f235-527c-4136-accd-4a02d197296e", // openid
	"14dad69e-099b-42c9-810b-d002981feec1", // profile
	"64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", // email
	"7427e0e9-2fba-42fe-b0c0-848c9e6a8182", // offline_access
	"e1fe6dd8-ba31-4d61-89e7-88639da4683d", // User.Read
}

var entraAppRegNoSignIn = a.Rule{
	ID: "ENTRA-APPREG-NOSIGNIN-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title:     "App registration nothing signs in with",
	Condition: "an Entra application registration with no sign-in platform and no credential",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} has no redirect URI, platform or credential: nothing signs in with it, so there is nothing " +
		"to recreate.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docGraphApplication},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := registration(s)
		return nil, r != nil && r.Protocol == inventory.ProtocolNone
	},
}

var entraSPMicrosoft = a.Rule{
	ID: "ENTRA-SP-MSFT-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title:     "Microsoft first-party service principal",
	Condition: "a service principal whose appOwnerOrganizationId is a Microsoft tenant",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is a Microsoft first-party application{{with .App.Publisher}} ({{.}}){{end}}; it belongs to " +
		"Microsoft 365 and Azure, not to the tenant, and stays with Entra.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docEntraFirstParty, docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Object == inventory.AppObjectEntraServicePrincipal && ap.Origin == inventory.OriginMicrosoft
	},
}

var entraSPManagedIdentity = a.Rule{
	ID: "ENTRA-SP-MI-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title:     "Managed identity",
	Condition: "a service principal of type ManagedIdentity",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is an Azure managed identity: an Azure resource's own identity, which only Entra can issue " +
		"tokens for.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docEntraManagedID},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Object == inventory.AppObjectEntraServicePrincipal && ap.Origin == inventory.OriginManagedIdentity
	},
}

var entraSPOIDC = a.Rule{
	ID: "ENTRA-SP-OIDC-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "OIDC-style service principal of the tenant",
	Condition: "a service principal of the tenant whose single sign-on mode is oidc or unset (an OAuth/OIDC enterprise " +
		"app)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application, client type chosen by a person"},
	Rationale: "{{.Name}} is an OIDC-style enterprise app: its evidence does not say whether the Portal should create " +
		"a confidential or a public client.{{if .V.reg}} Its application registration ({{.V.reg}}) is assessed on its " +
		"own and carries its assignments.{{end}}",
	Notes:          "Follow-up: confirm the client type with the app owner{{if .V.reg}} and review the registration's result{{else}}; its registration is not in this tenant, so recreate the client by hand{{end}}.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	References: []string{docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		if ap.Object != inventory.AppObjectEntraServicePrincipal || ap.Origin != inventory.OriginTenant ||
			(ap.Protocol != inventory.ProtocolOIDC && ap.Protocol != inventory.ProtocolNone) {
			return nil, false
		}
		v := a.Vars{"reg": ""}
		if reg, o := s.Snapshot.Carrier(s.SourceID); reg != s.SourceID && o.Exists {
			v["reg"] = reg
		}
		return v, true
	},
}

var entraSPThirdParty = a.Rule{
	ID: "ENTRA-SP-THIRDPARTY-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindApplication,
	Title: "Service principal of another organisation's multi-tenant app",
	Condition: "a service principal whose application is registered in another (non-Microsoft) tenant, signing in " +
		"with OIDC or not configured for SSO",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is {{if .App.Publisher}}{{.App.Publisher}}'s{{else}}another organisation's{{end}} multi-tenant " +
		"app: its client is registered in the publisher's tenant, not this one.",
	Notes:          "The publisher must support signing in with another OIDC provider; if it does, register a new client for it on the Portal, otherwise keep it on Entra.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Third-party multi-tenant apps must be reconfigured by their publisher to trust the Portal, or stay on Entra."}},
	References: []string{docGraphSP, docEntraAudience},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Object == inventory.AppObjectEntraServicePrincipal && ap.Origin == inventory.OriginOtherTenant &&
			(ap.Protocol == inventory.ProtocolOIDC || ap.Protocol == inventory.ProtocolNone)
	},
}
