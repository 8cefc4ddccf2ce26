package rules

import (
	"strconv"
	"strings"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Policies users feel: sign-on, access, conditional access, password, MFA
// enrolment and profile enrolment. The Portal has no per-rule policy
// objects; its tenant sign-in settings approximate them, and the cutover
// leaves the approximation to a person (manual follow-up), so every active
// policy's user-facing change is raised as an OCM impact.

func policy(s *a.Subject) *inventory.PolicyView { return s.View.Policy }

// inForce reports an active policy that is not the vendor's default.
func inForce(p *inventory.PolicyView) bool { return p.State == inventory.StateActive && !p.Default }

func kindWord(p *inventory.PolicyView) string {
	if p.Rule {
		return "rule"
	}
	return "policy"
}

var anyPolicyRefs = a.Rule{
	ID: "ANY-POLICY-REF-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title: "Policy that references objects that will not exist",
	Condition: "an active policy or rule other than the incumbent's default that references, by id, a group, " +
		"application or provider that is not in the snapshot or will not be created on the Portal (the incumbent's " +
		"built-in Everyone group stands for the whole tenant and counts as present), or a rule whose policy is not in " +
		"the snapshot",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounTenantAuthSetting},
	Rationale: "{{.Name}} refers to objects that will not exist on the Portal: {{join .V.problems \"; \"}}; its " +
		"approximation would apply to the wrong people.",
	Blocked:        "Resolve the references ({{join .V.problems \"; \"}}) or remove them from the {{.V.what}} in the incumbent, then collect again.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		if p.State == inventory.StateInactive || p.Default {
			return nil, false // a default is mapped, never created
		}
		var problems []string
		for _, r := range s.Refs {
			label := strings.ReplaceAll(r.Role, "_", " ") + " " + r.SourceID
			switch r.Kind {
			case inventory.KindPolicy:
				if !s.Snapshot.Outcome(r.Kind, r.SourceID).Exists {
					problems = append(problems, label+" is not in the snapshot")
				}
			case inventory.KindGroup, inventory.KindApplication, inventory.KindProvider:
				o := s.Snapshot.Outcome(r.Kind, r.SourceID)
				if r.Kind == inventory.KindApplication {
					_, o = s.Snapshot.Carrier(r.SourceID)
				}
				if o.RuleID == oktaGroupBuiltIn.ID {
					continue // Everyone: the tenant-wide settings apply to everyone
				}
				if why := notImported(label, o); why != "" {
					problems = append(problems, why)
				}
			}
		}
		return a.Vars{"problems": problems, "what": kindWord(p)}, len(problems) > 0
	},
}

var anyPolicyUsers = a.Rule{
	ID: "ANY-POLICY-USERS-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:     "Policy that targets individual users",
	Condition: "an active policy or rule whose conditions include individual users (not All, None or guests)",
	Class:     a.Blocked,
	Target:    a.Target{Noun: a.NounTenantAuthSetting},
	Rationale: "{{.Name}} applies to {{plural (len .V.users) \"named user\"}}; users are linked to their Portal " +
		"identity only at their first SSO sign-in, so a policy cannot name them before cutover.",
	Blocked:        "Needs identity linking: put the users in a group and target the group instead.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		u := individualUsers(p.Conditions.Users.Include)
		return a.Vars{"users": u}, p.State == inventory.StateActive && len(u) > 0
	},
}

var anyPolicyExcludedUsers = a.Rule{
	ID: "ANY-POLICY-USERS-002", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:     "Policy that exempts individual users",
	Condition: "an active policy or rule that excludes individual users (often emergency break-glass accounts)",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounTenantAuthSetting},
	Rationale: "{{.Name}} exempts {{plural (len .V.users) \"named user\"}}, typically emergency accounts; the Portal " +
		"keeps emergency access through break-glass users instead.",
	Notes:          "Mark the exempted accounts as break-glass users on the Portal (they keep a local sign-in).",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		u := individualUsers(p.Conditions.Users.Exclude)
		return a.Vars{"users": u}, p.State == inventory.StateActive && len(u) > 0
	},
}

var anyPolicyNetwork = a.Rule{
	ID: "ANY-POLICY-NETWORK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:     "Policy conditioned on network zones or locations",
	Condition: "an active policy or rule with a network condition (Okta zones, on/off network; Entra named locations)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} depends on where users sign in from ({{.Policy.Conditions.Network}} " +
		"{{list .Policy.Conditions.NetworkZones.Include}}); the Portal has no network zones, so the condition cannot be " +
		"kept.",
	Notes:          "Network-based control is lost at cutover: decide with the security team whether a network control in front of the apps replaces it.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "Sign-in rules that depend on the user's network or location are not enforced by the Portal."}},
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		c := policy(s).Conditions
		return nil, policy(s).State == inventory.StateActive && ((c.Network != "" && c.Network != "ANYWHERE") || !c.NetworkZones.Empty())
	},
}

var anyPolicyDevice = a.Rule{
	ID: "ANY-POLICY-DEVICE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title: "Policy that requires managed or compliant devices",
	Condition: "an active policy or rule with device conditions (Okta device registered/managed/assurance; Entra " +
		"compliantDevice or domainJoinedDevice grants or a device filter)",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} checks the user's device ({{list .V.device}}); the Portal does not evaluate device state.",
	Notes:          "Device trust is lost at cutover: decide with the security team how it is replaced.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "Device trust and compliance checks are not enforced by the Portal."}},
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		dev := append([]string{}, p.Conditions.Device...)
		for _, g := range p.Actions.GrantControls {
			if g == "compliantDevice" || g == "domainJoinedDevice" {
				dev = append(dev, g)
			}
		}
		if p.Type == inventory.PolicyConditionalAccess && p.Conditions.Expression != "" {
			dev = append(dev, "device filter "+p.Conditions.Expression)
		}
		return a.Vars{"device": dev}, p.State == inventory.StateActive && len(dev) > 0
	},
}

var anyPolicyRisk = a.Rule{
	ID: "ANY-POLICY-RISK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:          "Risk-based policy",
	Condition:      "an active policy or rule conditioned on sign-in or user risk",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} reacts to risk levels ({{list .V.levels}}); the Portal has no risk engine.",
	Notes:          "Risk-based control is lost at cutover.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "Risk-based sign-in policies are not enforced by the Portal."}},
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		c := policy(s).Conditions
		// ANY (Okta) and none (Graph) are no risk condition at all.
		levels := outside(append(append([]string{}, c.RiskLevels...), c.UserRiskLevels...), []string{"ANY", "none"})
		return a.Vars{"levels": levels}, policy(s).State == inventory.StateActive && len(levels) > 0
	},
}

var oktaPolicyExpression = a.Rule{
	ID: "OKTA-POLICY-EL-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title: "Policy with an Expression Language condition or unmodelled conditions",
	Condition: "an active Okta policy or rule with an Expression Language condition (elCondition) or a condition the " +
		"view does not model",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} has conditions no rule can translate: {{list .V.conds}}.",
	Notes:          "Read them in Okta and decide with the security team what replaces them.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	References: []string{docOktaEL, docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		c := policy(s).Conditions
		conds := append([]string{}, c.Unmodeled...)
		if c.Expression != "" {
			conds = append(conds, c.Expression)
		}
		return a.Vars{"conds": conds}, policy(s).State == inventory.StateActive && len(conds) > 0
	},
}

var anyPolicyInactive = a.Rule{
	ID: "ANY-POLICY-INACTIVE-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:     "Inactive or report-only policy",
	Condition: "a policy or rule that is inactive, or an Entra conditional-access policy in report-only mode",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is {{.Policy.VendorStatus}}{{if not .Policy.VendorStatus}}{{.Policy.State}}{{end}}: it enforces " +
		"nothing today, so nothing is approximated.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docOktaPolicies, docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		st := policy(s).State
		return nil, st == inventory.StateInactive || st == inventory.StateReportOnly
	},
}

var oktaPolicyDefault = a.Rule{
	ID: "OKTA-POLICY-DEFAULT-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title:     "Okta default policy or rule",
	Condition: "an active Okta system (default) policy or rule of any type",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounTenantAuthSetting, Shape: "mapped to the Portal's tenant defaults, never created"},
	Rationale: "{{.Name}} is Okta's default {{.Policy.Type}} {{if .Policy.Rule}}rule{{else}}policy{{end}}; the Portal " +
		"has its own defaults, so it is mapped onto them, never created.",
	Notes:          "Compare Okta's defaults ({{.V.summary}}) with the Portal tenant's and align them before rollout.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityLow,
		Summary: "Okta's default policies are mapped onto the Portal's defaults: review the Portal's tenant settings against them."}},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return a.Vars{"summary": actionSummary(p)}, p.Default && p.State == inventory.StateActive
	},
}

// actionSummary says in a few words what a policy or rule requires.
func actionSummary(p *inventory.PolicyView) string {
	var parts []string
	ac := p.Actions
	if ac.Access != "" {
		parts = append(parts, "access "+ac.Access)
	}
	if ac.RequireMFA == inventory.Yes {
		parts = append(parts, "MFA required")
	}
	if ac.FactorPromptMode != "" {
		parts = append(parts, "MFA prompt "+strings.ToLower(ac.FactorPromptMode))
	}
	if ac.SessionLifetimeMinutes > 0 {
		parts = append(parts, "session "+strconv.Itoa(ac.SessionLifetimeMinutes)+" min")
	}
	if ac.ReauthenticateIn != "" {
		parts = append(parts, "re-authenticate every "+ac.ReauthenticateIn)
	}
	if len(ac.GrantControls) > 0 {
		parts = append(parts, "grant "+strings.ToLower(firstNonEmpty(ac.GrantOperator, "and"))+" "+strings.Join(ac.GrantControls, ", "))
	}
	if ac.SignInFrequency != "" {
		parts = append(parts, "sign-in frequency "+ac.SignInFrequency)
	}
	if len(parts) == 0 {
		return "no requirement recorded"
	}
	return strings.Join(parts, ", ")
}

var signInImpact = a.ImpactSpec{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
	Summary: "Sign-in prompts (MFA, session length) follow the Portal's tenant settings after cutover and may differ from today's."}

var oktaPolicySignOn = a.Rule{
	ID: "OKTA-POLICY-SIGNON-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title: "Okta sign-on or app sign-in policy",
	Condition: "an active, non-default Okta global session (OKTA_SIGN_ON) or app sign-in (ACCESS_POLICY) policy or " +
		"rule",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounTenantAuthSetting, Shape: "tenant sign-in settings (manual follow-up at cutover)"},
	Rationale: "{{.Name}} ({{.Policy.Type}} {{if .Policy.Rule}}rule{{else}}policy{{end}}: {{.V.summary}}) has no Portal " +
		"counterpart per group or app; the Portal's tenant-wide sign-in settings approximate it.",
	Notes:          "Approximation: set the Portal tenant's MFA and session settings to cover {{.V.summary}}; per-rule differences collapse into one setting.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts:    []a.ImpactSpec{signInImpact},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return a.Vars{"summary": actionSummary(p)}, inForce(p) && (p.Type == inventory.PolicySignOn || p.Type == inventory.PolicyAccess)
	},
}

var entraPolicyCA = a.Rule{
	ID: "ENTRA-CA-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindPolicy,
	Title:     "Conditional-access policy",
	Condition: "an enabled Entra conditional-access policy",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounTenantAuthSetting, Shape: "tenant sign-in settings (manual follow-up at cutover)"},
	Rationale: "{{.Name}} ({{.V.summary}}) is evaluated per sign-in by Entra; the Portal's tenant-wide sign-in " +
		"settings approximate it.",
	Notes:          "Approximation: cover {{.V.summary}} with the Portal's tenant settings; conditions on apps, platforms or client types collapse.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts:    []a.ImpactSpec{signInImpact},
	References: []string{docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return a.Vars{"summary": actionSummary(p)}, p.Type == inventory.PolicyConditionalAccess && p.State == inventory.StateActive
	},
}

var entraPolicyRoles = a.Rule{
	ID: "ENTRA-CA-ROLES-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindPolicy,
	Title:     "Conditional-access policy for directory roles",
	Condition: "an enabled conditional-access policy whose users condition names directory roles",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} applies to holders of Entra directory roles ({{list .Policy.Conditions.Roles.Include}}), " +
		"which do not exist on the Portal.",
	Notes:          "Protect Portal administrators with the Portal's own administrator settings.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return nil, p.State == inventory.StateActive && !p.Conditions.Roles.Empty()
	},
}

var entraPolicyLegacy = a.Rule{
	ID: "ENTRA-CA-LEGACY-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindPolicy,
	Title:     "Conditional-access policy about legacy authentication clients",
	Condition: "an enabled conditional-access policy limited to legacy client app types (exchangeActiveSync, other)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} governs legacy authentication ({{list .Policy.Conditions.ClientAppTypes}}), which the " +
		"Portal does not offer at all: nothing to carry.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docGraphCA},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		ct := p.Conditions.ClientAppTypes
		return nil, p.State == inventory.StateActive && len(ct) > 0 && len(outside(ct, []string{"exchangeActiveSync", "other"})) == 0
	},
}

var oktaPolicyPassword = a.Rule{
	ID: "OKTA-POLICY-PASSWORD-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title:     "Okta password policy",
	Condition: "an active, non-default Okta PASSWORD policy or rule for Okta-mastered passwords",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounTenantAuthSetting, Shape: "Portal local-password settings"},
	Rationale: "{{.Name}} sets password rules{{with .Policy.Actions.Password}} (minimum length {{.MinLength}}, history " +
		"{{.HistoryCount}}, lockout after {{.LockoutAttempts}}){{end}} and recovery for users who sign in with an Okta " +
		"password; the Portal's local-password settings approximate it.",
	Notes:          "Passwords do not move: users who keep a local Portal sign-in set a new password under the Portal's rules.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{
		{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh, Summary: "Okta passwords do not move: users who sign in locally set a new password at their first Portal sign-in."},
		{Audience: a.AudienceHelpDesk, Severity: a.SeverityHigh, Summary: "Password reset and unlock change at cutover: prepare help-desk scripts for the Portal's recovery flow."},
	},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return nil, inForce(p) && p.Type == inventory.PolicyPassword && (p.Actions.Password == nil || p.Actions.Password.Provider == "" || p.Actions.Password.Provider == "OKTA")
	},
}

var oktaPolicyPasswordDirectory = a.Rule{
	ID: "OKTA-POLICY-PASSWORD-002", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title:     "Okta password policy for directory-mastered passwords",
	Condition: "an Okta PASSWORD policy for passwords mastered in Active Directory or LDAP",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} governs passwords mastered in {{.Policy.Actions.Password.Provider}}; the directory keeps enforcing " +
		"them, and the Portal does not.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return nil, p.Type == inventory.PolicyPassword && p.Actions.Password != nil && p.Actions.Password.Provider != "" && p.Actions.Password.Provider != "OKTA"
	},
}

var oktaPolicyMFAEnrollment = a.Rule{
	ID: "OKTA-POLICY-MFAENROLL-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title:     "Okta authenticator enrolment policy",
	Condition: "an active, non-default Okta MFA_ENROLL policy or rule",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounTenantAuthSetting, Shape: "Portal MFA enrolment settings"},
	Rationale: "{{.Name}} decides which authenticators users enrol{{if .V.required}} (required: {{list .V.required}}){{end}}; " +
		"enrolled authenticators do not move, and the Portal's enrolment settings approximate the policy.",
	Notes:          "Users enrol their authenticators again at their first Portal sign-in.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{
		{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh, Summary: "MFA authenticators do not move: users enrol them again at their first Portal sign-in."},
		{Audience: a.AudienceHelpDesk, Severity: a.SeverityHigh, Summary: "Expect authenticator enrolment questions during the first days after cutover."},
	},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		var req []string
		for _, e := range p.Actions.Enrollment {
			if e.Enroll == "REQUIRED" {
				req = append(req, e.Key)
			}
		}
		return a.Vars{"required": req}, inForce(p) && p.Type == inventory.PolicyMFAEnrollment
	},
}

var oktaPolicyRegistration = a.Rule{
	ID: "OKTA-POLICY-PROFILE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title: "Self-service registration",
	Condition: "an active Okta PROFILE_ENROLLMENT rule that lets unknown people register (access ALLOW, or unknown " +
		"users REGISTER)",
	Class:  a.VisibilityOnly,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} lets people register themselves; the Portal creates users only at their first SSO sign-in " +
		"(or by an administrator).",
	Notes:          "Self-service registration ends at cutover: new people must come through an identity provider or be added by an administrator.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "People can no longer register themselves: new users arrive through SSO or are added by an administrator."}},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		pr := p.Actions.Profile
		return nil, p.State == inventory.StateActive && p.Type == inventory.PolicyProfileEnrollment && pr != nil &&
			(pr.Access == "ALLOW" || pr.UnknownUserAction == "REGISTER")
	},
}

var oktaPolicyProfile = a.Rule{
	ID: "OKTA-POLICY-PROFILE-002", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title: "Profile enrolment without self-registration",
	Condition: "an active, non-default Okta PROFILE_ENROLLMENT policy or rule that does not let unknown people " +
		"register (progressive profiling, required attributes)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounTenantAuthSetting, Shape: "Portal user template and profile settings"},
	Rationale: "{{.Name}} asks users for profile attributes at sign-in{{with .Policy.Actions.Profile}}{{if .Attributes}} " +
		"({{len .Attributes}} attributes){{end}}{{end}}; the Portal's user template approximates it.",
	Notes:          "Attributes Okta collected at sign-in must come from the identity provider or the user template.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		pr := p.Actions.Profile
		registers := pr != nil && (pr.Access == "ALLOW" || pr.UnknownUserAction == "REGISTER")
		return nil, inForce(p) && p.Type == inventory.PolicyProfileEnrollment && !registers
	},
}

var oktaPolicyDiscovery = a.Rule{
	ID: "OKTA-POLICY-DISCOVERY-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindPolicy,
	Title:     "IdP-discovery policy (the container of routing rules)",
	Condition: "an Okta IDP_DISCOVERY policy (its rules are routing rules, assessed one by one)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} only holds routing rules; the Portal has no routing policy, and each rule is assessed as a " +
		"routing rule.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		p := policy(s)
		return nil, p.Type == inventory.PolicyIdPDiscovery && !p.Rule
	},
}

var anyPolicyFallback = a.Rule{
	ID: "ANY-POLICY-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindPolicy,
	Title:     "Policy no rule judges",
	Condition: "a policy or rule no deciding rule matched (a type this build does not know)",
	Class:     a.VisibilityOnly, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "No rule judges this {{.Policy.VendorType}} {{if .Policy.Rule}}rule{{else}}policy{{end}}; it is shown, not migrated{{if .V.unknown}} (unknown: {{list .V.unknown}}){{end}}.",
	Notes:          "Read {{.Name}} in the incumbent and decide what replaces it.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
		Summary: "Policies of types the assessment does not judge must be reviewed by hand."}},
	References: []string{docOktaPolicies, docGraphCA},
	Match:      fallbackMatch,
}
