package okta

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Policies and their rules follow the Policies API
// (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Policy/):
// the Policy object by type (OKTA_SIGN_ON, ACCESS_POLICY, IDP_DISCOVERY,
// PASSWORD, MFA_ENROLL, PROFILE_ENROLLMENT) and the PolicyRule object with
// its conditions (PolicyRuleConditions) and per-type actions.

// viewPolicyTypes maps Okta policy types to view types.
var viewPolicyTypes = map[string]inventory.PolicyType{
	"OKTA_SIGN_ON":       inventory.PolicySignOn,
	"ACCESS_POLICY":      inventory.PolicyAccess,
	"IDP_DISCOVERY":      inventory.PolicyIdPDiscovery,
	"PASSWORD":           inventory.PolicyPassword,
	"MFA_ENROLL":         inventory.PolicyMFAEnrollment,
	"PROFILE_ENROLLMENT": inventory.PolicyProfileEnrollment,
}

func viewPolicyType(vendor string) inventory.PolicyType {
	if t, ok := viewPolicyTypes[vendor]; ok {
		return t
	}
	return inventory.PolicyOther
}

// NormalizePolicy turns one policy payload (GET /api/v1/policies?type=...)
// into a policy item: its type, conditions (groups, for sign-on, password
// and enrolment policies; the password provider) and settings (password
// rules, authenticators to enrol).
func NormalizePolicy(raw json.RawMessage) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("policy", err)
	}
	typ := o.s("type")
	p := &inventory.PolicyView{
		Type: viewPolicyType(typ), VendorType: typ, Priority: int(o.i("priority")),
		State: state(o.s("status")), VendorStatus: o.s("status"), Default: o.b("system") == inventory.Yes,
		Description: o.s("description"),
	}
	var refs []inventory.Ref
	p.Conditions, refs = conditions(o.o("conditions"), "authProvider")
	settings := o.o("settings")
	switch p.Type {
	case inventory.PolicyPassword:
		p.Actions.Password = passwordPolicy(settings, o.path("conditions", "authProvider").s("provider"))
	case inventory.PolicyMFAEnrollment:
		p.Actions.Enrollment = enrollment(settings)
	}
	return inventory.NewItem(o.s("id"), firstNonEmpty(o.s("name"), o.s("id")), inventory.View{Policy: p}, raw, refs...), nil
}

// NormalizePolicyRule turns one rule of a policy of policyType into a
// policy item (Rule set) with a ref to its policy.
func NormalizePolicyRule(raw json.RawMessage, policyID, policyType string) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("policy rule", err)
	}
	p := &inventory.PolicyView{
		Type: viewPolicyType(policyType), Rule: true, VendorType: o.s("type"), PolicyID: policyID,
		Priority: int(o.i("priority")), State: state(o.s("status")), VendorStatus: o.s("status"),
		Default: o.b("system") == inventory.Yes,
	}
	conds, refs := conditions(o.o("conditions"))
	p.Conditions = conds
	p.Actions, refs = ruleActions(o.o("actions"), refs)
	refs = append([]inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}, refs...)
	return inventory.NewItem(o.s("id"), firstNonEmpty(o.s("name"), o.s("id")), inventory.View{Policy: p}, raw, refs...), nil
}

// NormalizeRoutingRule turns one IDP_DISCOVERY rule of policyID into a
// routing_rule item: every identifier pattern, the providers it routes to
// or its dynamic selection expression (actions.idp.matchCriteria), and
// every other condition.
func NormalizeRoutingRule(raw json.RawMessage, policyID string) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("routing rule", err)
	}
	r := &inventory.RoutingRuleView{
		Type: inventory.RoutingIdPDiscovery, VendorType: firstNonEmpty(o.s("type"), "IDP_DISCOVERY"), PolicyID: policyID,
		Priority: int(o.i("priority")), State: state(o.s("status")), VendorStatus: o.s("status"),
		Default: o.b("system") == inventory.Yes,
	}
	c := o.o("conditions")
	ui := c.o("userIdentifier")
	r.IdentifierType, r.IdentifierAttribute = ui.s("type"), ui.s("attribute")
	for _, p := range ui.a("patterns") {
		r.Patterns = append(r.Patterns, inventory.Pattern{MatchType: p.s("matchType"), Value: p.s("value")})
		if mt := p.s("matchType"); (mt == inventory.MatchSuffix || mt == inventory.MatchEquals) && r.IdentifierType != "ATTRIBUTE" {
			if d := domainOf(p.s("value")); d != "" {
				r.Domains = append(r.Domains, d)
			}
		}
	}
	var refs []inventory.Ref
	r.Conditions, refs = conditions(c, "userIdentifier")
	idp := o.path("actions", "idp")
	r.Selection = idp.s("idpSelectionType")
	r.FallBackToDefault = idp.b("shouldFallBackToOkta")
	for _, p := range idp.a("providers") {
		r.Providers = append(r.Providers, inventory.ProviderChoice{ID: p.s("id"), Type: p.s("type")})
		// Type OKTA routes to the org itself, which is not an item.
		if id := p.s("id"); id != "" && p.s("type") != "OKTA" {
			refs = append(refs, inventory.Ref{Role: "provider", Kind: inventory.KindProvider, SourceID: id})
		}
	}
	for _, m := range idp.a("matchCriteria") {
		r.DynamicSelection = append(r.DynamicSelection, inventory.MatchCriterion{
			Expression: m.s("providerExpression"), PropertyName: m.s("propertyName")})
	}
	refs = append([]inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}, refs...)
	return inventory.NewItem(o.s("id"), firstNonEmpty(o.s("name"), o.s("id")), inventory.View{RoutingRule: r}, raw, refs...), nil
}

// domainOf is the domain a SUFFIX or EQUALS pattern names ("@example.com",
// "example.com" → "example.com"), "" when the value is not a domain.
func domainOf(v string) string {
	v = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(v), "@"))
	if v == "" || strings.ContainsAny(v, "@ */\\") || !strings.Contains(v, ".") {
		return ""
	}
	return v
}

// conditionKeys are the rule and policy conditions the view models; any
// other key present is listed in Conditions.Unmodeled. handled names keys
// the caller reads itself.
var conditionKeys = []string{"people", "network", "app", "platform", "riskScore", "risk", "userType",
	"elCondition", "identityProvider", "authContext", "device"}

// conditions reads PolicyRuleConditions into the view's conditions and the
// refs they make to other items.
func conditions(c obj, handled ...string) (inventory.Conditions, []inventory.Ref) {
	var out inventory.Conditions
	var refs []inventory.Ref
	ref := func(role string, kind inventory.Kind, ids []string) {
		for _, id := range ids {
			refs = append(refs, inventory.Ref{Role: role, Kind: kind, SourceID: id})
		}
	}
	people := c.o("people")
	out.Groups = includeExclude(people.o("groups"))
	out.Users = includeExclude(people.o("users"))
	ref("include_group", inventory.KindGroup, out.Groups.Include)
	ref("exclude_group", inventory.KindGroup, out.Groups.Exclude)
	ref("include_user", "", out.Users.Include)
	ref("exclude_user", "", out.Users.Exclude)

	n := c.o("network")
	out.Network = n.s("connection")
	out.NetworkZones = includeExclude(n)
	ref("include_zone", "", out.NetworkZones.Include)
	ref("exclude_zone", "", out.NetworkZones.Exclude)

	app := c.o("app")
	for _, list := range []struct {
		key  string
		dst  *[]string
		role string
	}{{"include", &out.Apps.Include, "include_app"}, {"exclude", &out.Apps.Exclude, "exclude_app"}} {
		for _, e := range app.a(list.key) {
			if e.s("type") == "APP_TYPE" {
				*list.dst = append(*list.dst, "APP_TYPE:"+e.s("name"))
				continue
			}
			if id := e.s("id"); id != "" {
				*list.dst = append(*list.dst, id)
				ref(list.role, inventory.KindApplication, []string{id})
			}
		}
		// Some rule payloads list app ids as plain strings.
		for _, id := range app.ss(list.key) {
			*list.dst = append(*list.dst, id)
			ref(list.role, inventory.KindApplication, []string{id})
		}
	}

	pl := c.o("platform")
	out.Platforms.Include, out.Platforms.Exclude = platforms(pl.a("include")), platforms(pl.a("exclude"))
	if l := c.o("riskScore").s("level"); l != "" {
		out.RiskLevels = append(out.RiskLevels, l)
	}
	out.RiskLevels = append(out.RiskLevels, c.o("risk").ss("behaviors")...)
	out.UserTypes = includeExclude(c.o("userType"))
	out.Expression = c.o("elCondition").s("condition")
	ip := c.o("identityProvider")
	out.IdentityProvider, out.IdentityProviders = ip.s("provider"), ip.ss("idpIds")
	ref("identity_provider", inventory.KindProvider, out.IdentityProviders)
	out.AuthType = c.o("authContext").s("authType")
	dev := c.o("device")
	for _, k := range []string{"registered", "managed"} {
		if t := dev.b(k); t.Known() {
			out.Device = append(out.Device, k+"="+t.String())
		}
	}
	for _, a := range dev.path("assurance").ss("include") {
		out.Device = append(out.Device, "assurance="+a)
	}
	if ui := c.o("userIdentifier"); !slices.Contains(handled, "userIdentifier") && len(ui) > 0 {
		for _, p := range ui.a("patterns") {
			out.UserAttributes = append(out.UserAttributes, firstNonEmpty(ui.s("attribute"), "identifier")+" "+p.s("matchType")+" "+p.s("value"))
		}
	}
	for _, k := range c.keys() {
		if !slices.Contains(conditionKeys, k) && !slices.Contains(handled, k) && k != "userIdentifier" {
			out.Unmodeled = append(out.Unmodeled, k)
		}
	}
	sort.Strings(out.Unmodeled)
	return out, refs
}

func includeExclude(o obj) inventory.IncludeExclude {
	return inventory.IncludeExclude{Include: o.ss("include"), Exclude: o.ss("exclude")}
}

// platforms renders platform condition entries as "TYPE/OS" (with the OS
// expression when the type is OTHER).
func platforms(entries []obj) []string {
	var out []string
	for _, e := range entries {
		s := e.s("type")
		if os := e.o("os"); len(os) > 0 {
			s += "/" + os.s("type")
			if x := os.s("expression"); x != "" {
				s += " " + x
			}
		}
		out = append(out, s)
	}
	return out
}

// ruleActions reads a rule's actions by type: signon (SIGN_ON),
// appSignOn (ACCESS_POLICY), passwordChange/selfServicePasswordReset
// /selfServiceUnlock (PASSWORD), enroll (MFA_ENROLL), profileEnrollment
// (PROFILE_ENROLLMENT).
func ruleActions(a obj, refs []inventory.Ref) (inventory.PolicyActions, []inventory.Ref) {
	var out inventory.PolicyActions
	if so := a.o("signon"); len(so) > 0 {
		out.Access = access(so.s("access"))
		out.RequireMFA = so.b("requireFactor")
		out.FactorPromptMode, out.PrimaryFactor = so.s("factorPromptMode"), so.s("primaryFactor")
		out.FactorLifetimeMinutes = int(so.i("factorLifetime"))
		sess := so.o("session")
		out.SessionIdleMinutes = int(sess.i("maxSessionIdleMinutes"))
		out.SessionLifetimeMinutes = int(sess.i("maxSessionLifetimeMinutes"))
		out.PersistentCookie = sess.b("usePersistentCookie")
	}
	if as := a.o("appSignOn"); len(as) > 0 {
		out.Access = access(as.s("access"))
		vm := as.o("verificationMethod")
		out.FactorMode, out.VerificationType, out.ReauthenticateIn = vm.s("factorMode"), vm.s("type"), vm.s("reauthenticateIn")
		switch out.FactorMode {
		case "2FA":
			out.RequireMFA = inventory.Yes
		case "1FA":
			out.RequireMFA = inventory.No
		}
		// Okta documents constraints as an array; its published example
		// sends one object.
		constraints := vm.a("constraints")
		if c := vm.o("constraints"); len(c) > 0 {
			constraints = append(constraints, c)
		}
		for _, c := range constraints {
			for _, class := range []string{"knowledge", "possession", "inherence"} {
				k := c.o(class)
				if len(k) == 0 {
					continue
				}
				out.FactorConstraints = append(out.FactorConstraints, inventory.FactorConstraint{
					Class: class, Types: k.ss("types"), Methods: k.ss("methods"), Required: k.b("required"),
					PhishingResistant: k.s("phishingResistant"), HardwareProtection: k.s("hardwareProtection"),
					UserPresence: k.s("userPresence"), UserVerification: k.s("userVerification"),
					ReauthenticateIn: k.s("reauthenticateIn"),
				})
			}
		}
	}
	out.PasswordChange = a.o("passwordChange").s("access")
	reset := a.o("selfServicePasswordReset")
	out.SelfServiceReset = reset.s("access")
	out.ResetMethods = reset.path("requirement", "primary").ss("methods")
	out.ResetStepUpRequired = reset.path("requirement", "stepUp").b("required")
	out.ResetStepUpMethods = reset.path("requirement", "stepUp").ss("methods")
	out.SelfServiceUnlock = a.o("selfServiceUnlock").s("access")
	out.SelfEnroll = a.path("enroll").s("self")
	if pe := a.o("profileEnrollment"); len(pe) > 0 {
		p := &inventory.ProfileEnrollment{
			Access: pe.s("access"), UnknownUserAction: pe.s("unknownUserAction"),
			EmailVerification: pe.o("activationRequirements").b("emailVerification"),
			TargetGroupIDs:    pe.ss("targetGroupIds"), UISchemaID: pe.s("uiSchemaId"),
		}
		switch pe.s("progressiveProfilingAction") {
		case "ENABLED":
			p.ProgressiveProfiling = inventory.Yes
		case "DISABLED":
			p.ProgressiveProfiling = inventory.No
		}
		for _, h := range pe.a("preRegistrationInlineHooks") {
			p.PreRegistrationHooks = append(p.PreRegistrationHooks, h.s("inlineHookId"))
		}
		for _, at := range pe.a("profileAttributes") {
			p.Attributes = append(p.Attributes, inventory.ProfileAttribute{Name: at.s("name"), Label: at.s("label"), Required: at.b("required")})
		}
		for _, g := range p.TargetGroupIDs {
			refs = append(refs, inventory.Ref{Role: "target_group", Kind: inventory.KindGroup, SourceID: g})
		}
		out.Profile = p
		if out.Access == "" {
			out.Access = access(p.Access)
		}
	}
	return out, refs
}

func access(v string) string {
	switch strings.ToUpper(v) {
	case "ALLOW":
		return "allow"
	case "DENY":
		return "deny"
	}
	return ""
}

// passwordPolicy reads a PASSWORD policy's settings.password and
// settings.recovery.
func passwordPolicy(settings obj, provider string) *inventory.PasswordPolicy {
	pw := settings.o("password")
	cx, age, lock := pw.o("complexity"), pw.o("age"), pw.o("lockout")
	p := &inventory.PasswordPolicy{
		Provider: provider, MinLength: int(cx.i("minLength")), MinLowerCase: int(cx.i("minLowerCase")),
		MinUpperCase: int(cx.i("minUpperCase")), MinNumber: int(cx.i("minNumber")), MinSymbol: int(cx.i("minSymbol")),
		ExcludeUsername: cx.b("excludeUsername"), ExcludeAttributes: cx.ss("excludeAttributes"),
		CommonPasswordCheck: cx.path("dictionary", "common").b("exclude"),
		MaxAgeDays:          int(age.i("maxAgeDays")), ExpireWarnDays: int(age.i("expireWarnDays")),
		MinAgeMinutes: int(age.i("minAgeMinutes")), HistoryCount: int(age.i("historyCount")),
		LockoutAttempts: int(lock.i("maxAttempts")), AutoUnlockMinutes: int(lock.i("autoUnlockMinutes")),
	}
	// Breached-password protection is an object when configured.
	if len(pw.o("breachedProtection")) > 0 || len(settings.o("breachedProtection")) > 0 {
		p.BreachedPasswordCheck = inventory.Yes
	}
	factors := settings.path("recovery", "factors")
	for _, k := range factors.keys() {
		if factors.o(k).s("status") == "ACTIVE" {
			p.RecoveryFactors = append(p.RecoveryFactors, k)
		}
	}
	sort.Strings(p.RecoveryFactors)
	return p
}

// enrollment reads an MFA_ENROLL policy's settings: authenticators (type
// AUTHENTICATORS) or, in classic orgs, factors (type FACTORS).
func enrollment(settings obj) []inventory.AuthenticatorEnrollment {
	var out []inventory.AuthenticatorEnrollment
	for _, a := range settings.a("authenticators") {
		out = append(out, inventory.AuthenticatorEnrollment{Key: a.s("key"), Enroll: a.o("enroll").s("self")})
	}
	factors := settings.o("factors")
	keys := factors.keys()
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, inventory.AuthenticatorEnrollment{Key: k, Enroll: factors.path(k, "enroll").s("self")})
	}
	return out
}
