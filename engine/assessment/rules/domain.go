package rules

import (
	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Domains. The Portal has no domain object: routing rules name email
// domains, and the Portal serves its own sign-in address. Domains are
// shown for the record, with what they mean for routing and for users.

func domain(s *a.Subject) *inventory.DomainView { return s.View.Domain }

var entraDomainVerified = a.Rule{
	ID: "ENTRA-DOMAIN-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindDomain,
	Title:     "Verified, managed user domain",
	Condition: "a verified Entra domain whose sign-ins Entra handles itself (authenticationType managed)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is a verified domain of the tenant's users; the Portal has no domain object, and it matters " +
		"to routing only if a provider is to handle it.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docGraphDomain},
	Match: func(s *a.Subject) (a.Vars, bool) {
		d := domain(s)
		return nil, d.Type == inventory.DomainUserNamespace && d.Verified == inventory.Yes && d.AuthType == "managed"
	},
}

var entraDomainFederated = a.Rule{
	ID: "ENTRA-DOMAIN-FEDERATED-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindDomain,
	Title: "Federated user domain",
	Condition: "an Entra domain whose sign-ins are federated to another identity provider (authenticationType " +
		"federated)",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "Users of {{.Name}} sign in at another identity provider (such as AD FS) that Entra federates with; " +
		"Entra's federation settings are not part of the snapshot.",
	Notes:          "Create a SAML provider for that identity provider on the Portal by hand and route {{.Name}} to it.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
		Summary: "Domains federated from Entra to another identity provider need a Portal provider and routing rule created by hand."}},
	References: []string{docGraphDomain},
	Match: func(s *a.Subject) (a.Vars, bool) {
		d := domain(s)
		return nil, d.Type == inventory.DomainUserNamespace && d.AuthType == "federated"
	},
}

var anyDomainUnverified = a.Rule{
	ID: "ANY-DOMAIN-UNVERIFIED-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindDomain,
	Title: "Unverified domain",
	Condition: "a domain the incumbent has not verified (Graph isVerified false; Okta validationStatus other than " +
		"VERIFIED or COMPLETED), or whose verification the snapshot does not say",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is not verified{{if .Domain.ValidationStatus}} ({{.Domain.ValidationStatus}}){{end}}: no one " +
		"has proven the tenant owns it, so nothing is routed or served on it.",
	Notes:          "Verify the domain or drop it before routing any users of it.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docGraphDomain, docOktaDomains},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, domain(s).Verified != inventory.Yes },
}

var oktaDomainSignIn = a.Rule{
	ID: "OKTA-DOMAIN-SIGNIN-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindDomain,
	Title:          "Custom sign-in address",
	Condition:      "a verified Okta custom domain serving the org's sign-in pages",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} serves Okta's sign-in pages; the Portal serves sign-in at its own address.",
	Notes:          "Bookmarks and links to {{.Name}} stop working at cutover: redirect or retire the address.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "The sign-in address changes from the custom Okta domain to the Portal's: update bookmarks and published links."}},
	References: []string{docOktaDomains},
	Match: func(s *a.Subject) (a.Vars, bool) {
		d := domain(s)
		return nil, d.Type == inventory.DomainSignInHost && d.Verified == inventory.Yes
	},
}

var anyDomainFallback = a.Rule{
	ID: "ANY-DOMAIN-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindDomain,
	Title:     "Domain no rule judges",
	Condition: "a domain no deciding rule matched",
	Class:     a.VisibilityOnly, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} is shown for the record; the Portal has no domain object{{if .V.unknown}} (unknown: {{list .V.unknown}}){{end}}.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docGraphDomain, docOktaDomains},
	Match:      fallbackMatch,
}
