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
	typ := o.Str("type")
	p := &inventory.PolicyView{
		Type: viewPolicyType(typ), VendorType: typ, Priority: int(o.Int("priority")),
		State: state(o.Str("status")), VendorStatus: o.Str("status"), Default: o.Bool("system") == inventory.Yes,
		Description: o.Str("description"),
	}
	var refs []inventory.Ref
	p.Conditions, refs = conditions(o.Obj("conditions"), "authProvider")
	settings := o.Obj("settings")
	switch p.Type {
	case inventory.PolicyPassword:
		p.Actions.Password = passwordPolicy(settings, o.Path("conditions", "authProvider").Str("provider"))
	case inventory.PolicyMFAEnrollment:
		p.Actions.Enrollment = enrollment(settings)
	}
	return inventory.NewItem(o.Str("id"), firstNonEmpty(o.Str("name"), o.Str("id")), inventory.View{Policy: p}, raw, refs...), nil
}

// NormalizePolicyRule turns one rule of a policy of policyType into a
// policy item (Rule set) with a ref to its policy.
func NormalizePolicyRule(raw json.RawMessage, policyID, policyType string) (inventory.Item, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Item{}, wrapErr("policy rule", err)
	}
	p := &inventory.PolicyView{
		Type: viewPolicyType(policyType), Rule: true, VendorType: o.Str("type"), PolicyID: policyID,
		Priority: int(o.Int("priority")), State: state(o.Str("status")), VendorStatus: o.Str("status"),
		Default: o.Bool("system") == inventory.Yes,
	}
	conds, refs := conditions(o.Obj("conditions"))
	p.Conditions = conds
	p.Actions, refs = ruleActions(o.Obj("actions"), refs)
	refs = append([]inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}, refs...)
	return inventory.NewItem(o.Str("id"), firstNonEmpty(o.Str("name"), o.Str("id")), inventory.View{Policy: p}, raw, refs...), nil
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
		Type: inventory.RoutingIdPDiscovery, VendorType: firstNonEmpty(o.Str("type"), "IDP_DISCOVERY"), PolicyID: policyID,
		Priority: int(o.Int("priority")), State: state(o.Str("status")), VendorStatus: o.Str("status"),
		Default: o.Bool("system") == inventory.Yes,
	}
	c := o.Obj("conditions")
	ui := c.Obj("userIdentifier")
	r.IdentifierType, r.IdentifierAttribute = ui.Str("type"), ui.Str("attribute")
	for _, p := range ui.Objects("patterns") {
		r.Patterns = append(r.Patterns, inventory.Pattern{MatchType: p.Str("matchType"), Value: p.Str("value")})
		if mt := p.Str("matchType"); (mt == inventory.MatchSuffix || mt == inventory.MatchEquals) && r.IdentifierType != "ATTRIBUTE" {
			if d := domainOf(p.Str("value")); d != "" {
				r.Domains = append(r.Domains, d)
			}
		}
	}
	var refs []inventory.Ref
	r.Conditions, refs = conditions(c, "userIdentifier")
	idp := o.Path("actions", "idp")
	r.Selection = idp.Str("idpSelectionType")
	r.FallBackToDefault = idp.Bool("shouldFallBackToOkta")
	for _, p := range idp.Objects("providers") {
		r.Providers = append(r.Providers, inventory.ProviderChoice{ID: p.Str("id"), Type: p.Str("type")})
		// Type OKTA routes to the org itself, which is not an item.
		if id := p.Str("id"); id != "" && p.Str("type") != "OKTA" {
			refs = append(refs, inventory.Ref{Role: "provider", Kind: inventory.KindProvider, SourceID: id})
		}
	}
	for _, m := range idp.Objects("matchCriteria") {
		r.DynamicSelection = append(r.DynamicSelection, inventory.MatchCriterion{
			Expression: m.Str("providerExpression"), PropertyName: m.Str("propertyName")})
	}
	refs = append([]inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}, refs...)
	return inventory.NewItem(o.Str("id"), firstNonEmpty(o.Str("name"), o.Str("id")), inventory.View{RoutingRule: r}, raw, refs...), nil
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
	people := c.Obj("people")
	out.Groups = includeExclude(people.Obj("groups"))
	out.Users = includeExclude(people.Obj("users"))
	ref("include_group", inventory.KindGroup, out.Groups.Include)
	ref("exclude_group", inventory.KindGroup, out.Groups.Exclude)
	ref("include_user", "", out.Users.Include)
	ref("exclude_user", "", out.Users.Exclude)

	n := c.Obj("network")
	out.Network = n.Str("connection")
	out.NetworkZones = includeExclude(n)
	ref("include_zone", "", out.NetworkZones.Include)
	ref("exclude_zone", "", out.NetworkZones.Exclude)

	app := c.Obj("app")
	for _, list := range []struct {
		key  string
		dst  *[]string
		role string
	}{{"include", &out.Apps.Include, "include_app"}, {"exclude", &out.Apps.Exclude, "exclude_app"}} {
		for _, e := range app.Objects(list.key) {
			if e.Str("type") == "APP_TYPE" {
				*list.dst = append(*list.dst, "APP_TYPE:"+e.Str("name"))
				continue
			}
			if id := e.Str("id"); id != "" {
				*list.dst = append(*list.dst, id)
				ref(list.role, inventory.KindApplication, []string{id})
			}
		}
		// Some rule payloads list app ids as plain strings.
		for _, id := range app.Strings(list.key) {
			*list.dst = append(*list.dst, id)
			ref(list.role, inventory.KindApplication, []string{id})
		}
	}

	pl := c.Obj("platform")
	out.Platforms.Include, out.Platforms.Exclude = platforms(pl.Objects("include")), platforms(pl.Objects("exclude"))
	if l := c.Obj("riskScore").Str("level"); l != "" {
		out.RiskLevels = append(out.RiskLevels, l)
	}
	out.RiskLevels = append(out.RiskLevels, c.Obj("risk").Strings("behaviors")...)
	out.UserTypes = includeExclude(c.Obj("userType"))
	out.Expression = c.Obj("elCondition").Str("condition")
	ip := c.Obj("identityProvider")
	out.IdentityProvider, out.IdentityProviders = ip.Str("provider"), ip.Strings("idpIds")
	ref("identity_provider", inventory.KindProvider, out.IdentityProviders)
	out.AuthType = c.Obj("authContext").Str("authType")
	dev := c.Obj("device")
	for _, k := range []string{"registered", "managed"} {
		if t := dev.Bool(k); t.Known() {
			out.Device = append(out.Device, k+"="+t.String())
		}
	}
	for _, a := range dev.Path("assurance").Strings("include") {
		out.Device = append(out.Device, "assurance="+a)
	}
	if ui := c.Obj("userIdentifier"); !slices.Contains(handled, "userIdentifier") && len(ui) > 0 {
		for _, p := range ui.Objects("patterns") {
			out.UserAttributes = append(out.UserAttributes, firstNonEmpty(ui.Str("attribute"), "identifier")+" "+p.Str("matchType")+" "+p.Str("value"))
		}
	}
	for _, k := range c.Keys() {
		if !slices.Contains(conditionKeys, k) && !slices.Contains(handled, k) && k != "userIdentifier" {
			out.Unmodeled = append(out.Unmodeled, k)
		}
	}
	sort.Strings(out.Unmodeled)
	return out, refs
}

func includeExclude(o obj) inventory.IncludeExclude {
	return inventory.IncludeExclude{Include: o.Strings("include"), Exclude: o.Strings("exclude")}
}

// platforms renders platform condition entries as "TYPE/OS" (with the OS
// expression when the type is OTHER).
func platforms(entries []obj) []string {
	var out []string
	for _, e := range entries {
		s := e.Str("type")
		if os := e.Obj("os"); len(os) > 0 {
			s += "/" + os.Str("type")
			if x := os.Str("expression"); x != "" {
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
	if so := a.Obj("signon"); len(so) > 0 {
		out.Access = access(so.Str("access"))
		out.RequireMFA = so.Bool("requireFactor")
		out.FactorPromptMode, out.PrimaryFactor = so.Str("factorPromptMode"), so.Str("primaryFactor")
		out.FactorLifetimeMinutes = int(so.Int("factorLifetime"))
		sess := so.Obj("session")
		out.SessionIdleMinutes = int(sess.Int("maxSessionIdleMinutes"))
		out.SessionLifetimeMinutes = int(sess.Int("maxSessionLifetimeMinutes"))
		out.PersistentCookie = sess.Bool("usePersistentCookie")
	}
	if as := a.Obj("appSignOn"); len(as) > 0 {
		out.Access = access(as.Str("access"))
		vm := as.Obj("verificationMethod")
		out.FactorMode, out.VerificationType, out.ReauthenticateIn = vm.Str("factorMode"), vm.Str("type"), vm.Str("reauthenticateIn")
		switch out.FactorMode {
		case "2FA":
			out.RequireMFA = inventory.Yes
		case "1FA":
			out.RequireMFA = inventory.No
		}
		// Okta documents constraints as an array; its published example
		// sends one object.
		constraints := vm.Objects("constraints")
		if c := vm.Obj("constraints"); len(c) > 0 {
			constraints = append(constraints, c)
		}
		for _, c := range constraints {
			for _, class := range []string{"knowledge", "possession", "inherence"} {
				k := c.Obj(class)
				if len(k) == 0 {
					continue
				}
				out.FactorConstraints = append(out.FactorConstraints, inventory.FactorConstraint{
					Class: class, Types: k.Strings("types"), Methods: k.Strings("methods"), Required: k.Bool("required"),
					PhishingResistant: k.Str("phishingResistant"), HardwareProtection: k.Str("hardwareProtection"),
					UserPresence: k.Str("userPresence"), UserVerification: k.Str("userVerification"),
					ReauthenticateIn: k.Str("reauthenticateIn"),
				})
			}
		}
	}
	out.PasswordChange = a.Obj("passwordChange").Str("access")
	reset := a.Obj("selfServicePasswordReset")
	out.SelfServiceReset = reset.Str("access")
	out.ResetMethods = reset.Path("requirement", "primary").Strings("methods")
	out.ResetStepUpRequired = reset.Path("requirement", "stepUp").Bool("required")
	out.ResetStepUpMethods = reset.Path("requirement", "stepUp").Strings("methods")
	out.SelfServiceUnlock = a.Obj("selfServiceUnlock").Str("access")
	out.SelfEnroll = a.Path("enroll").Str("self")
	if pe := a.Obj("profileEnrollment"); len(pe) > 0 {
		p := &inventory.ProfileEnrollment{
			Access: pe.Str("access"), UnknownUserAction: pe.Str("unknownUserAction"),
			EmailVerification: pe.Obj("activationRequirements").Bool("emailVerification"),
			TargetGroupIDs:    pe.Strings("targetGroupIds"), UISchemaID: pe.Str("uiSchemaId"),
		}
		switch pe.Str("progressiveProfilingAction") {
		case "ENABLED":
			p.ProgressiveProfiling = inventory.Yes
		case "DISABLED":
			p.ProgressiveProfiling = inventory.No
		}
		for _, h := range pe.Objects("preRegistrationInlineHooks") {
			p.PreRegistrationHooks = append(p.PreRegistrationHooks, h.Str("inlineHookId"))
		}
		for _, at := range pe.Objects("profileAttributes") {
			p.Attributes = append(p.Attributes, inventory.ProfileAttribute{Name: at.Str("name"), Label: at.Str("label"), Required: at.Bool("required")})
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
	pw := settings.Obj("password")
	cx, age, lock := pw.Obj("complexity"), pw.Obj("age"), pw.Obj("lockout")
	p := &inventory.PasswordPolicy{
		Provider: provider, MinLength: int(cx.Int("minLength")), MinLowerCase: int(cx.Int("minLowerCase")),
		MinUpperCase: int(cx.Int("minUpperCase")), MinNumber: int(cx.Int("minNumber")), MinSymbol: int(cx.Int("minSymbol")),
		ExcludeUsername: cx.Bool("excludeUsername"), ExcludeAttributes: cx.Strings("excludeAttributes"),
		CommonPasswordCheck: cx.Path("dictionary", "common").Bool("exclude"),
		MaxAgeDays:          int(age.Int("maxAgeDays")), ExpireWarnDays: int(age.Int("expireWarnDays")),
		MinAgeMinutes: int(age.Int("minAgeMinutes")), HistoryCount: int(age.Int("historyCount")),
		LockoutAttempts: int(lock.Int("maxAttempts")), AutoUnlockMinutes: int(lock.Int("autoUnlockMinutes")),
	}
	// Breached-password protection is an object when configured.
	if len(pw.Obj("breachedProtection")) > 0 || len(settings.Obj("breachedProtection")) > 0 {
		p.BreachedPasswordCheck = inventory.Yes
	}
	factors := settings.Path("recovery", "factors")
	for _, k := range factors.Keys() {
		if factors.Obj(k).Str("status") == "ACTIVE" {
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
	for _, a := range settings.Objects("authenticators") {
		out = append(out, inventory.AuthenticatorEnrollment{Key: a.Str("key"), Enroll: a.Obj("enroll").Str("self")})
	}
	factors := settings.Obj("factors")
	keys := factors.Keys()
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, inventory.AuthenticatorEnrollment{Key: k, Enroll: factors.Path(k, "enroll").Str("self")})
	}
	return out
}
