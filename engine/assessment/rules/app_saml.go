package rules

import (
	"strings"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// The Portal hosts custom OIDC applications only: a SAML application is
// never imported. These rules say so, and record what a rebuild (on OIDC,
// if the application supports it) must reproduce.

func saml(s *a.Subject) *inventory.SAMLSettings {
	ap := app(s)
	if ap.Protocol != inventory.ProtocolSAML || ap.Origin == inventory.OriginMicrosoft || ap.Origin == inventory.OriginManagedIdentity {
		return nil
	}
	return ap.SAML
}

var anyAppSAML = a.Rule{
	ID: "ANY-APP-SAML-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML application",
	Condition: "an application that signs users in with SAML (Okta SAML_2_0 or SAML_1_1; an Entra enterprise app in " +
		"SAML mode)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} signs in with SAML; the Portal hosts custom OIDC applications only, so it cannot be " +
		"recreated as it is.",
	Notes:          "Rebuild: if the application supports OpenID Connect, register it on the Portal as a custom OIDC client and reconfigure it; otherwise keep it on the incumbent.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{
		{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh, Summary: "SAML applications must be reconfigured to sign in with OpenID Connect through the Portal, or stay on the incumbent."},
		{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium, Summary: "Sign-in to applications rebuilt from SAML to OpenID Connect changes at cutover."},
	},
	References: []string{docOktaApps, docGraphSP, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		ap := app(s)
		return nil, ap.Protocol == inventory.ProtocolSAML && ap.Origin != inventory.OriginMicrosoft && ap.Origin != inventory.OriginManagedIdentity
	},
}

var anyAppSAMLEncrypted = a.Rule{
	ID: "ANY-APP-SAML-ENCRYPT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML application with encrypted assertions",
	Condition: "a SAML application whose assertions are encrypted (Okta assertionEncryption; Graph " +
		"tokenEncryptionKeyId)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} encrypts its assertions{{with .App.SAML.EncryptionCertificate}} to {{.Subject}}{{end}}; the " +
		"encryption key and algorithm ({{.App.SAML.EncryptionAlgorithm}}) have no place in an OIDC client.",
	Notes:          "A rebuild on OIDC replaces assertion encryption with TLS-protected token delivery; the security team must accept that.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docOktaApps, docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		return nil, sm != nil && sm.AssertionEncrypted == inventory.Yes
	},
}

// plainAttributes are Okta user profile references whose meaning the
// Portal's user (email, username, display name) and standard OIDC claims
// carry exactly.
var plainAttributes = map[string]string{
	"user.email": "email", "user.login": "preferred_username", "user.firstName": "given_name",
	"user.lastName": "family_name", "user.displayName": "name",
}

var anyAppSAMLAttributes = a.Rule{
	ID: "ANY-APP-SAML-ATTRS-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML attribute statements that translate to standard claims",
	Condition: "a SAML application whose exposed attribute statements all reference plain user attributes the Portal " +
		"carries (user.email, user.login, user.firstName, user.lastName, user.displayName)",
	Class:          a.ImportWithApproximation,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}}'s attribute statements translate one to one to standard OIDC claims: {{list .V.map}}.",
	Notes:          "A rebuild on OIDC reads {{list .V.map}} from the ID token instead of SAML attributes.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docOktaEL, docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		if sm == nil || sm.StatementsExposed != inventory.Yes || len(sm.AttributeStatements) == 0 {
			return nil, false
		}
		var m []string
		for _, st := range sm.AttributeStatements {
			if st.Type == "GROUP" || len(st.Values) != 1 {
				return nil, false
			}
			claim, ok := plainAttributes[strings.TrimSpace(st.Values[0])]
			if !ok {
				return nil, false
			}
			m = append(m, st.Name+" → "+claim)
		}
		return a.Vars{"map": m}, true
	},
}

// isExpression reports an attribute value that is more than a plain
// profile reference: an Okta Expression Language expression with
// functions, operators or literals.
func isExpression(v string) bool {
	v = strings.TrimSpace(v)
	if _, ok := plainAttributes[v]; ok {
		return false
	}
	return strings.ContainsAny(v, "()+?:\"'[]=!<>|&,") || strings.Contains(v, "String.") || strings.Contains(v, "Arrays.") ||
		strings.Contains(v, "Groups.") || strings.Contains(v, "Convert.") || strings.Contains(v, "Time.") ||
		!strings.HasPrefix(v, "user.")
}

var oktaAppSAMLExpression = a.Rule{
	ID: "OKTA-APP-EL-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindApplication,
	Title: "SAML attribute statements with Okta Expression Language or custom attributes",
	Condition: "an Okta SAML app with an attribute statement whose value is an Expression Language expression " +
		"(functions, operators, literals) or a profile attribute the Portal does not carry, or a GROUP statement with a " +
		"filter",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} sends attributes computed by Okta Expression Language or from custom profile attributes " +
		"({{list .V.statements}}); no rule can prove a translation, so each must be rebuilt by hand.",
	Notes:          "Rebuild each statement {{list .V.statements}} as a claim the app can read (or drop it), and test the app with it.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityMedium,
		Summary: "Attributes Okta computes with Expression Language are not reproduced automatically: app owners must confirm what their app needs."}},
	References: []string{docOktaEL, docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		if sm == nil || sm.StatementsExposed != inventory.Yes {
			return nil, false
		}
		var bad []string
		for _, st := range sm.AttributeStatements {
			if st.Type == "GROUP" {
				bad = append(bad, st.Name+" = groups "+st.FilterType+" "+st.FilterValue)
				continue
			}
			for _, v := range st.Values {
				if isExpression(v) {
					bad = append(bad, st.Name+" = "+v)
					break
				}
			}
		}
		if sm.NameIDTemplate != "" && isExpression(strings.TrimSuffix(strings.TrimPrefix(sm.NameIDTemplate, "${"), "}")) {
			bad = append(bad, "NameID = "+sm.NameIDTemplate)
		}
		return a.Vars{"statements": bad}, len(bad) > 0
	},
}

var anyAppSAMLStatementsHidden = a.Rule{
	ID: "ANY-APP-SAML-STATEMENTS-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML attribute statements the API does not expose",
	Condition: "a SAML application whose attribute statements or claims the collected API does not expose (an Okta " +
		"catalogue app's statements come from its integration template; an Entra enterprise app's claims are readable " +
		"only through Graph beta), or for which exposure is unknown",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "What {{.Name}} sends in its assertions is not in the snapshot: {{if .App.SAML.StatementsGap}}" +
		"{{.App.SAML.StatementsGap}}{{else}}the API did not say whether it exposes them{{end}}. They are not treated as " +
		"empty.",
	Notes:          "Read the attributes or claims from the incumbent's admin console before a rebuild.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docOktaApps, docEntraSAMLClaims},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		return nil, sm != nil && sm.StatementsExposed != inventory.Yes
	},
}

var anyAppSAMLIdPInitiated = a.Rule{
	ID: "ANY-APP-SAML-IDPINIT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML application started from the identity provider",
	Condition: "a SAML application users can start from the identity provider's portal (an Okta dashboard tile; an " +
		"Entra enterprise app without a sign-on URL, launched from My Apps)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "Users start {{.Name}} from the incumbent's portal (IdP-initiated{{if .App.SAML.DefaultRelayState}}, " +
		"relay state {{.App.SAML.DefaultRelayState}}{{end}}); an OIDC client signs in from the application's own URL.",
	Notes:          "Users must start from the application's address after the rebuild; publish it.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Apps launched from the Okta dashboard or My Apps must be opened from their own address after cutover."}},
	References: []string{docOktaApps, docGraphSP},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		return nil, sm != nil && sm.IdPInitiated == inventory.Yes
	},
}

var anyAppSAMLLogout = a.Rule{
	ID: "ANY-APP-SAML-SLO-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title:     "SAML application with single logout",
	Condition: "a SAML application with single logout configured",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} takes part in SAML single logout{{if .App.SAML.SLOURL}} ({{.App.SAML.SLOURL}}){{end}}; SAML " +
		"single logout does not carry over to an OIDC client.",
	Notes:          "Signing out of the Portal will not sign users out of this app unless the rebuild adds OIDC logout.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	References: []string{docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		return nil, sm != nil && sm.SingleLogout == inventory.Yes
	},
}

// certState reads an application's SAML signing certificates at
// collection: whether every one whose dates are known had expired (and at
// least one is known), and whether every valid one expires within
// expiringWithin. A certificate the snapshot could not read proves
// nothing either way.
func certState(sm *inventory.SAMLSettings, s *a.Subject) (expired, expiring bool, subjects []string) {
	valid, dated := false, false
	expiring = true
	for _, c := range sm.SigningCertificates {
		subjects = append(subjects, firstNonEmpty(c.Subject, c.KeyID))
		if c.NotAfter != nil && c.Error == "" {
			dated = true
		}
		if c.ValidAt(s.CollectedAt) {
			valid = true
			if c.NotAfter.Sub(s.CollectedAt) > expiringWithin {
				expiring = false
			}
		}
	}
	expired = dated && !valid
	for _, c := range sm.SigningCertificates {
		if c.NotAfter != nil && c.Error == "" && s.CollectedAt.Before(*c.NotAfter) {
			expired = false // not yet valid, but not expired
		}
	}
	return expired, valid && expiring, subjects
}

var anyAppSAMLCertExpired = a.Rule{
	ID: "ANY-APP-SAML-CERT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title: "SAML application whose signing certificates have all expired",
	Condition: "a SAML application whose signing certificates with known dates had all expired when the snapshot was " +
		"taken (certificates the snapshot could not read prove nothing either way)",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "Every signing certificate of {{.Name}} ({{list .V.certs}}) had expired when the snapshot was taken: its " +
		"single sign-on is failing today.",
	Blocked:        "Confirm {{.Name}} is still in use: renew its signing certificate in the incumbent (or retire the app), then collect again.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docEntraSAMLCerts, docOktaApps},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		if sm == nil || len(sm.SigningCertificates) == 0 {
			return nil, false
		}
		expired, _, subjects := certState(sm, s)
		return a.Vars{"certs": subjects}, expired
	},
}

var anyAppSAMLCertExpiring = a.Rule{
	ID: "ANY-APP-SAML-CERT-002", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindApplication,
	Title:          "SAML application whose signing certificate expires within 30 days",
	Condition:      "a SAML application whose valid signing certificates all expire within 30 days of the snapshot",
	Class:          a.ImportWithApproximation,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "The signing certificate of {{.Name}} expires within 30 days of the snapshot ({{list .V.certs}}).",
	Notes:          "Renew it in the incumbent now: single sign-on fails at expiry whatever the cutover date.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "SAML signing certificates that expire before cutover must be renewed in the incumbent now."}},
	References: []string{docEntraSAMLCerts},
	Match: func(s *a.Subject) (a.Vars, bool) {
		sm := saml(s)
		if sm == nil {
			return nil, false
		}
		_, expiring, subjects := certState(sm, s)
		return a.Vars{"certs": subjects}, expiring
	},
}
