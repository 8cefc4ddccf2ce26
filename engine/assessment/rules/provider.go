package rules

import (
	"slices"
	"strings"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Upstream identity providers. The Portal creates SAML providers from
// their entity id, SSO URL and a signing certificate; OIDC providers take
// an issuer and client id but no secret, so they are rebuilt by hand
// (engine/portal/openapi.yaml UpstreamProviderInput).

func provider(s *a.Subject) *inventory.ProviderView { return s.View.Provider }

// validPEM returns the provider's signing certificates that carry their
// bytes and are valid when the snapshot was taken.
func validPEM(p *inventory.ProviderView, s *a.Subject) []inventory.Certificate {
	var out []inventory.Certificate
	for _, c := range p.SigningCertificates {
		if c.PEM != "" && c.ValidAt(s.CollectedAt) {
			out = append(out, c)
		}
	}
	return out
}

var anyProviderSAML = a.Rule{
	ID: "ANY-PROVIDER-SAML-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title: "SAML identity provider with the evidence the Portal needs",
	Condition: "an active SAML 2.0 identity provider with an entity id (issuer), an https SSO URL and at least one " +
		"signing certificate, with its bytes, valid when the snapshot was taken",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounUpstreamProvider, Shape: `SAML upstream provider "{{.Name}}", entity id {{.Provider.Issuer}}`},
	Rationale: "{{.Name}} has the entity id, SSO URL and a valid signing certificate ({{.V.cert}}) a Portal SAML " +
		"provider needs.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docOktaIdPs, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := provider(s)
		if p.Protocol != inventory.ProviderSAML || p.State != inventory.StateActive || p.Issuer == "" || !httpsURL(p.SSOURL) ||
			p.ValidSigningCertificate != inventory.Yes {
			return nil, false
		}
		certs := validPEM(p, s)
		if len(certs) == 0 {
			return nil, false
		}
		return a.Vars{"cert": firstNonEmpty(certs[0].Subject, certs[0].KeyID)}, true
	},
}

var anyProviderSAMLMissing = a.Rule{
	ID: "ANY-PROVIDER-SAML-002", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title: "SAML identity provider missing what the Portal needs",
	Condition: "a SAML identity provider without an entity id, without an https SSO URL, or without a signing " +
		"certificate valid when the snapshot was taken (missing, expired, unreadable or not in the key store)",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounUpstreamProvider, Shape: "SAML upstream provider"},
	Rationale: "A Portal SAML provider needs an entity id, an https SSO URL and a valid signing certificate; " +
		"{{.Name}} lacks: {{join .V.missing \"; \"}}.",
	Blocked:        "Fix {{.Name}} in the incumbent ({{join .V.missing \"; \"}}) and collect again.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "SAML providers with missing or expired signing evidence cannot be created: users routed to them cannot sign in until it is fixed."}},
	References: []string{docOktaIdPs, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := provider(s)
		if p.Protocol != inventory.ProviderSAML {
			return nil, false
		}
		var missing []string
		if p.Issuer == "" {
			missing = append(missing, "an entity id (issuer)")
		}
		switch {
		case p.SSOURL == "":
			missing = append(missing, "an SSO URL")
		case !httpsURL(p.SSOURL):
			missing = append(missing, "an https SSO URL (it is "+p.SSOURL+")")
		}
		if len(validPEM(p, s)) == 0 {
			var why []string
			for _, c := range p.SigningCertificates {
				switch {
				case c.Error != "":
					why = append(why, firstNonEmpty(c.KeyID, c.Subject)+": "+c.Error)
				case c.NotAfter != nil && !s.CollectedAt.Before(*c.NotAfter):
					why = append(why, firstNonEmpty(c.Subject, c.KeyID)+" expired "+c.NotAfter.UTC().Format("2006-01-02"))
				case c.Expired == inventory.Yes:
					why = append(why, firstNonEmpty(c.Subject, c.KeyID)+" expired")
				case c.PEM == "":
					why = append(why, firstNonEmpty(c.Subject, c.KeyID)+": no certificate bytes")
				default:
					why = append(why, firstNonEmpty(c.Subject, c.KeyID)+": not yet valid")
				}
			}
			if len(why) == 0 {
				why = append(why, "none is named")
			}
			missing = append(missing, "a valid signing certificate ("+strings.Join(why, ", ")+")")
		}
		return a.Vars{"missing": missing}, len(missing) > 0
	},
}

var anyProviderCertExpiring = a.Rule{
	ID: "ANY-PROVIDER-CERT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title:     "Provider signing certificate that expires within 30 days",
	Condition: "an identity provider whose valid signing certificates all expire within 30 days of the snapshot",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{},
	Rationale: "The signing certificate of {{.Name}} expires within 30 days of the snapshot; the Portal provider is " +
		"created with it and fails at its expiry.",
	Notes:          "Obtain the IdP's next signing certificate and add it to the Portal provider before expiry.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "Provider signing certificates close to expiry must be rolled over on the Portal soon after cutover."}},
	References: []string{docOktaIdPs},
	Match: func(s *a.Subject) (a.Vars, bool) {
		certs := validPEM(provider(s), s)
		if len(certs) == 0 {
			return nil, false
		}
		for _, c := range certs {
			if c.NotAfter.Sub(s.CollectedAt) > expiringWithin {
				return nil, false
			}
		}
		return nil, true
	},
}

var oktaProviderProvisioning = a.Rule{
	ID: "OKTA-PROVIDER-JIT-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindProvider,
	Title: "Provider whose user creation or account linking differs from the Portal's",
	Condition: "an Okta identity provider whose provisioning is not plain just-in-time (action DISABLED, CALLOUT or " +
		"unsaid), that assigns or syncs groups, or whose account linking is not AUTO for everyone",
	Class:  a.ImportWithApproximation,
	Target: a.Target{},
	Rationale: "{{.Name}} handles first sign-in differently from the Portal, which creates a user at the first " +
		"successful SSO sign-in (with the SSO configuration's user template) and links the account to the IdP identity " +
		"then: {{join .V.diffs \"; \"}}.",
	Notes:          "Review the Portal SSO configuration's user template and who is eligible to sign in: {{join .V.diffs \"; \"}}.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "The Portal creates users at their first SSO sign-in: control who can authenticate through each provider before rollout."}},
	References: []string{docOktaIdPs},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := provider(s)
		var diffs []string
		switch {
		case p.ProvisioningAction == "CALLOUT":
			diffs = append(diffs, "users are created through an inline hook (CALLOUT), which is not reproduced")
		case p.JIT == inventory.No:
			diffs = append(diffs, "Okta does not create users at first sign-in (provisioning DISABLED); the Portal does")
		case p.JIT == inventory.Unknown:
			diffs = append(diffs, "the provisioning policy is not in the snapshot")
		}
		if g := p.GroupsAction; g != "" && g != "NONE" {
			diffs = append(diffs, "group memberships are "+strings.ToLower(g)+"ed from the IdP, which the Portal does not do")
		}
		switch {
		case p.AccountLinkAction == "DISABLED":
			diffs = append(diffs, "Okta never links existing accounts; the Portal links at first sign-in")
		case len(p.AccountLinkGroups) > 0:
			diffs = append(diffs, "account linking is limited to some groups; the Portal links everyone")
		}
		return a.Vars{"diffs": diffs}, len(diffs) > 0
	},
}

var anyProviderOIDC = a.Rule{
	ID: "ANY-PROVIDER-OIDC-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title:     "OpenID Connect identity provider",
	Condition: "a generic OpenID Connect identity provider",
	Class:     a.ManualRebuildRequired,
	Target:    a.Target{Noun: a.NounUpstreamProvider, Shape: `OIDC upstream provider, issuer {{.Provider.Issuer}}`},
	Rationale: "{{.Name}} is an OIDC provider ({{.Provider.Issuer}}); the Portal records its issuer and client id, but " +
		"the client must be registered again at the provider with the Portal's redirect URI, and its secret entered by " +
		"hand.",
	Notes:          "Register a client for the Portal at {{.Provider.Issuer}}, then create the provider with that client id and secret.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	References: []string{docOktaIdPs, docPortalAPI},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, provider(s).Protocol == inventory.ProviderOIDC },
}

// oidcNetworks are social networks that sign in with OpenID Connect.
var oidcNetworks = []string{"google", "microsoft", "apple", "linkedin", "paypal", "salesforce", "yahoo"}

var anyProviderSocialOIDC = a.Rule{
	ID: "ANY-PROVIDER-SOCIAL-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title: "Social sign-in over OpenID Connect",
	Condition: "a social identity provider whose network signs in with OpenID Connect (Google, Microsoft, Apple, " +
		"LinkedIn, PayPal, Salesforce, Yahoo)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounUpstreamProvider, Shape: "OIDC upstream provider for {{.Provider.SocialNetwork}}"},
	Rationale: "{{.Name}} is {{.Provider.SocialNetwork}} sign-in; the Portal can federate with it as an OIDC provider " +
		"once a new client is registered with {{.Provider.SocialNetwork}} for the Portal.",
	Notes:          "Register a client with {{.Provider.SocialNetwork}} for the Portal's redirect URI and create the OIDC provider by hand.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Users who sign in with a social account see a new consent screen at their first Portal sign-in."}},
	References: []string{docOktaIdPs},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := provider(s)
		return nil, p.Protocol == inventory.ProviderSocial && slices.Contains(oidcNetworks, p.SocialNetwork)
	},
}

var anyProviderSocialOAuth = a.Rule{
	ID: "ANY-PROVIDER-SOCIAL-002", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title: "Social sign-in without OpenID Connect",
	Condition: "a social identity provider whose network does not sign in with OpenID Connect for the web (Facebook " +
		"and others)",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is {{.Provider.SocialNetwork}} sign-in over plain OAuth 2.0; the Portal federates with SAML " +
		"or OpenID Connect providers only.",
	Notes:          "Users who sign in with {{.Provider.SocialNetwork}} need another way in.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "Sign-in with Facebook and other non-OIDC social networks ends at cutover."}},
	References: []string{docOktaIdPs},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := provider(s)
		return nil, p.Protocol == inventory.ProviderSocial && !slices.Contains(oidcNetworks, p.SocialNetwork)
	},
}

var anyProviderX509 = a.Rule{
	ID: "ANY-PROVIDER-X509-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title:          "Smart card (X.509) provider",
	Condition:      "a smart card / PIV identity provider",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} signs users in with smart card certificates; the Portal has no certificate-based provider.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "Smart card sign-in through Okta ends at cutover: affected users need another sign-in method."}},
	References: []string{docOktaIdPs},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, provider(s).Protocol == inventory.ProviderX509 },
}

var anyProviderInactive = a.Rule{
	ID: "ANY-PROVIDER-INACTIVE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title:          "Inactive identity provider",
	Condition:      "an identity provider the incumbent has deactivated",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} is inactive in the incumbent: no one signs in through it, so it is not created.",
	Notes:          "A decision: retire it, or reactivate it and assess again.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docOktaIdPs},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, provider(s).State == inventory.StateInactive },
}

var anyProviderName = a.Rule{
	ID: "ANY-PROVIDER-NAME-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title: "Provider name the Portal refuses or that another provider has",
	Condition: "a SAML provider whose name the Portal refuses, or that another SAML provider of the snapshot also has " +
		"(after Unicode NFC and case folding; provider names are unique per tenant)",
	Class:          a.Blocked,
	Target:         a.Target{Noun: a.NounUpstreamProvider},
	Rationale:      "The Portal cannot create a provider named {{printf \"%q\" .Name}}: {{.V.problem}}.",
	Blocked:        "Rename the provider in the incumbent or at cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		if provider(s).Protocol != inventory.ProviderSAML {
			return nil, false
		}
		if p := nameProblem(s.DisplayName); p != "" {
			return a.Vars{"problem": p}, true
		}
		if n := s.Snapshot.NameCount(inventory.KindProvider, s.DisplayName); n > 1 {
			return a.Vars{"problem": "another SAML provider has the same name"}, true
		}
		return nil, false
	},
}

var anyProviderFallback = a.Rule{
	ID: "ANY-PROVIDER-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindProvider,
	Title:     "Provider no rule proves importable",
	Condition: "an identity provider no deciding rule matched",
	Class:     a.ManualRebuildRequired, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      fallbackRationale,
	Notes:          "Review {{.Name}} ({{.Provider.VendorType}}) by hand.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaIdPs},
	Match:      fallbackMatch,
}
