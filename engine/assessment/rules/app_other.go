package rules

import (
	"slices"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Applications that are not OIDC or SAML clients, catalogue integrations,
// inactive applications, names, and the conservative fallback.

var oktaAppWSFed = a.Rule{
	ID: "OKTA-APP-WSFED-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title:     "WS-Federation application",
	Condition: "an Okta WS_FEDERATION app",
	Class:     a.ManualRebuildRequired,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} signs in with WS-Federation (realm {{.App.WSFederation.Realm}}); the Portal hosts custom " +
		"OIDC applications only.",
	Notes:          "Rebuild on OpenID Connect if the application supports it; otherwise keep it on Okta.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "WS-Federation applications must be moved to OpenID Connect, or stay on the incumbent."}},
	References: []string{docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		return nil, app(s).Protocol == inventory.ProtocolWSFederation && app(s).WSFederation != nil
	},
}

var anyAppPassword = a.Rule{
	ID: "ANY-APP-PASSWORD-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Password-vaulted application (SWA, browser plugin, basic authentication)",
	Condition: "an application the identity provider signs in to with a stored or replayed password (Okta " +
		"AUTO_LOGIN, BROWSER_PLUGIN, SECURE_PASSWORD_STORE, BASIC_AUTH; an Entra enterprise app in password mode)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is signed in to with a password the identity provider stores or fills in " +
		"({{.App.Password.Variant}}{{if eq .App.Password.SharedCredentials \"yes\"}}, one shared account{{end}}); the " +
		"Portal stores no passwords for applications.",
	Notes: "Move the application to OpenID Connect if it supports it; otherwise users sign in to it directly." +
		"{{if eq .App.Password.SharedCredentials \"yes\"}} The shared account's password must be rotated and handed to its owners.{{end}}",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{
		{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh, Summary: "Passwords that Okta or Entra fills in for users are not carried over: users must know or reset their own passwords for those apps."},
		{Audience: a.AudienceHelpDesk, Severity: a.SeverityHigh, Summary: "Expect password-reset calls for apps whose passwords the incumbent used to fill in."},
	},
	References: []string{docOktaSWA, docOktaApps, docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		return nil, app(s).Protocol == inventory.ProtocolPassword && app(s).Password != nil
	},
}

var anyAppBookmark = a.Rule{
	ID: "ANY-APP-BOOKMARK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title:     "Bookmark",
	Condition: "an Okta BOOKMARK app: a dashboard link with no sign-in",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is a link ({{.App.LoginURL}}) on the user dashboard; nothing signs in through it, and the " +
		"Portal has no dashboard links.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityLow,
		Summary: "Bookmark tiles on the Okta dashboard disappear: publish the links elsewhere."}},
	References: []string{docOktaApps},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, app(s).Protocol == inventory.ProtocolBookmark },
}

var anyAppInactive = a.Rule{
	ID: "ANY-APP-INACTIVE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Inactive application",
	Condition: "an application the incumbent has deactivated (Okta INACTIVE; an Entra service principal with " +
		"accountEnabled false)",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is {{.App.VendorStatus}}{{if not .App.VendorStatus}}inactive{{end}} in the incumbent: no one " +
		"signs in to it today, so it is not imported by default.",
	Notes:          "A decision, not an import: retire it, or reactivate it in the incumbent and assess again.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docOktaApps, docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.State == inventory.StateInactive && ap.Origin != inventory.OriginMicrosoft && ap.Origin != inventory.OriginManagedIdentity
	},
}

var anyAppCatalogue = a.Rule{
	ID: "ANY-APP-CATALOGUE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Catalogue (OIN or gallery) integration",
	Condition: "an application built from the Okta Integration Network or the Entra gallery that signs in with OIDC " +
		"(or, for an Entra service principal, has no single sign-on mode set)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounApplication, Shape: "custom OIDC application registered by hand for the vendor's app"},
	Rationale: "{{.Name}} is the vendor integration {{.App.CatalogueID}}: its client settings come from the vendor's " +
		"template, not the tenant, and the Portal hosts tenant-defined custom clients only.",
	Notes:          "Follow the vendor's instructions for a generic OpenID Connect provider, register the client on the Portal, and reconfigure the vendor app.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Catalogue integrations must be reconfigured in each vendor's admin console to trust the Portal."}},
	References: []string{docOktaApps, docGraphApplication},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Catalogue == inventory.CatalogueListed && ap.Origin == inventory.OriginTenant &&
			(ap.Protocol == inventory.ProtocolOIDC || (ap.Protocol == inventory.ProtocolNone && ap.Object != inventory.AppObjectOktaApp))
	},
}

// directoryApps are the Okta Integration Network keys of directory
// integrations: the Active Directory and LDAP agents' apps, which import
// users and groups and are not signed in to.
var directoryApps = []string{"active_directory", "ldap_interface"}

var oktaAppDirectory = a.Rule{
	ID: "OKTA-APP-DIRECTORY-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title: "Directory integration",
	Condition: "an Okta app of a directory integration (Active Directory or LDAP agent: name active_directory or " +
		"ldap_interface)",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} connects Okta to a directory ({{.App.Name}}); users do not sign in to it, and the groups it " +
		"imports are assessed as groups.",
	Notes:          "Users and groups mastered in the directory reach the Portal through provisioning, not through this app.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Object == inventory.AppObjectOktaApp && slices.Contains(directoryApps, ap.Name)
	},
}

// provableTemplates are username templates whose value the Portal's user
// carries as is (username or email).
var provableTemplates = map[string]bool{"${source.login}": true, "${source.email}": true}

var oktaAppUsernameTemplate = a.Rule{
	ID: "OKTA-APP-USERNAME-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title: "Application username built by an Expression Language template",
	Condition: "an active Okta app whose credentials.userNameTemplate is not ${source.login} or ${source.email} " +
		"(a custom Expression Language template, a suffix, or another attribute)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{},
	Rationale: "{{.Name}} receives a username built by {{.App.UsernameTemplate.Template}}{{if .App.UsernameTemplate.Suffix}}" +
		" with suffix {{.App.UsernameTemplate.Suffix}}{{end}}; the Portal sends the user's own username or email, and " +
		"no rule can prove this template yields the same value.",
	Notes:          "Check that the app accepts the Portal username or email for each user, or map its accounts before cutover.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Apps that received a computed username from Okta receive the user's Portal username or email instead."}},
	References: []string{docOktaEL, docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		t := ap.UsernameTemplate
		if ap.Object != inventory.AppObjectOktaApp || t == nil || t.Type == "NONE" || ap.Protocol == inventory.ProtocolBookmark {
			return nil, false
		}
		return nil, !provableTemplates[t.Template] || t.Suffix != ""
	},
}

var anyAppName = a.Rule{
	ID: "ANY-APP-NAME-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Application name the Portal refuses",
	Condition: "an OIDC client (Okta app or Entra registration) whose name the Portal refuses (blank, over 200 " +
		"characters, control or bidirectional characters, surrounding space)",
	Class:          a.Blocked,
	Target:         a.Target{Noun: a.NounApplication},
	Rationale:      "The Portal refuses the name {{printf \"%q\" .Name}}: {{.V.problem}}.",
	Blocked:        "Rename the application in the incumbent, or give it a Portal name at cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		if ap.Protocol != inventory.ProtocolOIDC || ap.Object == inventory.AppObjectEntraServicePrincipal {
			return nil, false
		}
		p := nameProblem(s.DisplayName)
		return a.Vars{"problem": p}, p != ""
	},
}

var anyAppNameTaken = a.Rule{
	ID: "ANY-APP-NAMEDUP-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Two OIDC clients with the same name",
	Condition: "an OIDC client (Okta app or Entra registration) whose name another OIDC client of the snapshot also " +
		"has, compared after Unicode NFC and case folding (Portal application names are unique per tenant)",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounApplication},
	Rationale: "{{.V.count}} OIDC clients are named {{printf \"%q\" .Name}}; the Portal keeps application names unique, " +
		"so only one could be created under it.",
	Blocked:        "Rename all but one of the clients named {{printf \"%q\" .Name}} (in the incumbent or at cutover).",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		if ap.Protocol != inventory.ProtocolOIDC || ap.Object == inventory.AppObjectEntraServicePrincipal {
			return nil, false
		}
		n := s.Snapshot.NameCount(inventory.KindApplication, s.DisplayName)
		return a.Vars{"count": n}, n > 1
	},
}

// fallbackRationale names what no rule could prove, with the view's
// unknown facts.
const fallbackRationale = "No rule proves this {{.Kind}} ({{.Subtype}}) can be imported as it is{{if .V.unknown}}; " +
	"the snapshot leaves unknown: {{list .V.unknown}}{{end}}."

func fallbackMatch(s *a.Subject) (a.Vars, bool) {
	return a.Vars{"unknown": unknownFacts(s.View)}, true
}

var anyAppFallback = a.Rule{
	ID: "ANY-APP-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "Application no rule proves importable",
	Condition: "an application no deciding rule matched: no rule proves it fits a Portal application, and none " +
		"explains why not",
	Class: a.ManualRebuildRequired, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      fallbackRationale,
	Notes:          "Review {{.Name}} ({{.App.VendorType}}) by hand: decide whether it can be registered as a custom OIDC client.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	References: []string{docPortalAPI},
	Match:      fallbackMatch,
}
