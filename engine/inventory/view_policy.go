package inventory

// Vendor references the routing-rule and policy views were checked against:
//   - Okta Policies API (/api/v1/policies?type=..., /api/v1/policies/{id}/rules):
//     the Policy and PolicyRule objects of types OKTA_SIGN_ON, ACCESS_POLICY,
//     IDP_DISCOVERY, PASSWORD, MFA_ENROLL and PROFILE_ENROLLMENT, their
//     conditions and actions
//     (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Policy/).
//   - Microsoft Graph v1.0 conditionalAccessPolicy with its
//     conditionalAccessConditionSet, grant and session controls
//     (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-1.0).

// RoutingType is the routing-rule subtype.
type RoutingType string

const (
	// RoutingIdPDiscovery: an identifier-first routing rule choosing the
	// identity provider from what the user typed (Okta IDP_DISCOVERY
	// policy rules).
	RoutingIdPDiscovery RoutingType = "idp_discovery"
)

// RoutingTypes is the closed set of routing-rule subtypes.
var RoutingTypes = []RoutingType{RoutingIdPDiscovery}

// Pattern match types of a routing rule (Okta
// conditions.userIdentifier.patterns[].matchType).
const (
	MatchSuffix     = "SUFFIX"
	MatchEquals     = "EQUALS"
	MatchStartsWith = "STARTS_WITH"
	MatchContains   = "CONTAINS"
	// MatchExpression is a regular expression.
	MatchExpression = "EXPRESSION"
)

// Pattern is one identifier pattern a routing rule matches.
type Pattern struct {
	MatchType string `json:"match_type" raw:"verbatim"`
	Value     string `json:"value" raw:"verbatim"`
}

// ProviderChoice is an identity provider a rule routes to: Okta
// actions.idp.providers[] (type OKTA for Okta itself, or the IdP's type and
// id).
type ProviderChoice struct {
	ID   string `json:"id,omitempty" raw:"verbatim"`
	Type string `json:"type,omitempty" raw:"verbatim"`
}

// MatchCriterion is one dynamic provider selection: Okta
// actions.idp.matchCriteria[] with idpSelectionType DYNAMIC. Expression is
// Okta Expression Language evaluated at sign-in (recorded traffic has
// "login.identifier.substringAfter('@')") and PropertyName the IdP
// property its result is compared with (e.g. "name").
type MatchCriterion struct {
	Expression   string `json:"expression" raw:"verbatim"`
	PropertyName string `json:"property_name,omitempty" raw:"verbatim"`
}

// RoutingRuleView is a routing rule: which identity provider a user is sent
// to, decided from their identifier and context.
type RoutingRuleView struct {
	// Type is the subtype.
	Type RoutingType `json:"type"`
	// VendorType is Okta's rule type (IDP_DISCOVERY).
	VendorType string `json:"vendor_type"`
	// PolicyID is the id of the policy holding the rule.
	PolicyID string `json:"policy_id"`
	// Priority: lower runs first (Okta priority).
	Priority int `json:"priority"`
	// State and VendorStatus: Okta status.
	State        State  `json:"state"`
	VendorStatus string `json:"vendor_status,omitempty" raw:"verbatim"`
	// Default: Okta's system rule (system: true), the catch-all applied
	// when no other rule matches.
	Default bool `json:"default"`
	// IdentifierType is conditions.userIdentifier.type (IDENTIFIER: what
	// the user typed; ATTRIBUTE: a profile attribute, named in
	// IdentifierAttribute).
	IdentifierType      string `json:"identifier_type,omitempty" raw:"verbatim"`
	IdentifierAttribute string `json:"identifier_attribute,omitempty" raw:"verbatim"`
	// Patterns are conditions.userIdentifier.patterns, every one.
	Patterns []Pattern `json:"patterns,omitempty"`
	// Domains are the values of SUFFIX and EQUALS patterns that name a
	// domain ("@example.com" and "example.com" both give "example.com"):
	// derived, for rules about domain routing.
	Domains []string `json:"domains,omitempty"`
	// Selection is actions.idp.idpSelectionType (SPECIFIC, DYNAMIC) as
	// sent; "" when the rule sets none.
	Selection string `json:"selection,omitempty" raw:"verbatim"`
	// Providers are actions.idp.providers.
	Providers []ProviderChoice `json:"providers,omitempty"`
	// DynamicSelection are actions.idp.matchCriteria (DYNAMIC selection).
	DynamicSelection []MatchCriterion `json:"dynamic_selection,omitempty"`
	// FallBackToDefault: actions.idp.shouldFallBackToOkta.
	FallBackToDefault Tri `json:"fall_back_to_default"`
	// Conditions are every other condition of the rule.
	Conditions Conditions `json:"conditions"`
}

// PolicyType is the kind of policy, vendor-neutral.
type PolicyType string

const (
	// PolicySignOn: global session sign-on (Okta OKTA_SIGN_ON).
	PolicySignOn PolicyType = "sign_on"
	// PolicyAccess: per-application authentication (Okta ACCESS_POLICY).
	PolicyAccess PolicyType = "access"
	// PolicyIdPDiscovery: the container of routing rules (Okta
	// IDP_DISCOVERY).
	PolicyIdPDiscovery PolicyType = "idp_discovery"
	// PolicyPassword: password complexity, age, lockout and recovery
	// (Okta PASSWORD).
	PolicyPassword PolicyType = "password"
	// PolicyMFAEnrollment: which authenticators users must or may enrol
	// (Okta MFA_ENROLL).
	PolicyMFAEnrollment PolicyType = "mfa_enrollment"
	// PolicyProfileEnrollment: self-service registration and progressive
	// profiling (Okta PROFILE_ENROLLMENT).
	PolicyProfileEnrollment PolicyType = "profile_enrollment"
	// PolicyConditionalAccess: an Entra conditional-access policy.
	PolicyConditionalAccess PolicyType = "conditional_access"
	// PolicyOther: a type this build does not know; VendorType keeps it.
	PolicyOther PolicyType = "other"
)

// PolicyTypes is the closed set of policy types.
var PolicyTypes = []PolicyType{PolicySignOn, PolicyAccess, PolicyIdPDiscovery, PolicyPassword,
	PolicyMFAEnrollment, PolicyProfileEnrollment, PolicyConditionalAccess, PolicyOther}

// PolicySubtype is a policy item's subtype: the type, with "_rule"
// appended for a rule inside a policy.
func PolicySubtype(t PolicyType, rule bool) string {
	if rule {
		return string(t) + "_rule"
	}
	return string(t)
}

// PolicySubtypes is the closed set of policy subtypes.
func PolicySubtypes() []string {
	out := make([]string, 0, 2*len(PolicyTypes))
	for _, t := range PolicyTypes {
		out = append(out, PolicySubtype(t, false), PolicySubtype(t, true))
	}
	return out
}

// PolicyView is a policy or one rule of a policy.
type PolicyView struct {
	// Type is the policy type; with Rule, the subtype.
	Type PolicyType `json:"type"`
	// Rule: this item is a rule of policy PolicyID, not a policy.
	Rule bool `json:"rule"`
	// VendorType: Okta policy type (OKTA_SIGN_ON, ...) or rule type
	// (SIGN_ON, ACCESS_POLICY, PASSWORD, ...); "conditionalAccessPolicy".
	VendorType string `json:"vendor_type"`
	// PolicyID is the containing policy of a rule; "" for a policy.
	PolicyID string `json:"policy_id,omitempty"`
	// Priority: lower runs first (Okta priority; 0 for Entra, whose
	// policies all apply together).
	Priority int `json:"priority"`
	// State and VendorStatus: Okta status; Graph state (enabled,
	// disabled, enabledForReportingButNotEnforced → report_only).
	State        State  `json:"state"`
	VendorStatus string `json:"vendor_status,omitempty" raw:"verbatim"`
	// Default: Okta's system policy or rule (system: true), which a
	// tenant cannot delete and is mapped, never created.
	Default bool `json:"default"`
	// Description as sent.
	Description string `json:"description,omitempty" raw:"verbatim"`
	// Conditions are who and what the policy applies to.
	Conditions Conditions `json:"conditions"`
	// Actions are what it requires or allows.
	Actions PolicyActions `json:"actions"`
}

// Conditions are the conditions of a policy, policy rule or routing rule.
// Ids are the vendor's; objects the snapshot holds (groups, apps,
// providers) are also in the item's Refs.
type Conditions struct {
	// Groups and Users: Okta conditions.people.groups/users; Graph
	// conditions.users.include/excludeGroups and include/excludeUsers
	// (which may hold "All", "GuestsOrExternalUsers", "None").
	Groups IncludeExclude `json:"groups"`
	Users  IncludeExclude `json:"users"`
	// Roles: Graph conditions.users.include/excludeRoles (directory role
	// template ids).
	Roles IncludeExclude `json:"roles"`
	// Apps: Okta conditions.app.include/exclude (app ids, or "type:name"
	// for APP_TYPE entries); Graph conditions.applications
	// .include/excludeApplications (app ids, "All", "Office365", ...).
	Apps IncludeExclude `json:"apps"`
	// UserActions: Graph applications.includeUserActions.
	UserActions []string `json:"user_actions,omitempty" raw:"verbatim"`
	// Network: Okta conditions.network.connection (ANYWHERE, ZONE,
	// ON_NETWORK, OFF_NETWORK); NetworkZones its include/exclude zone ids.
	// Graph conditions.locations fill NetworkZones (named location ids,
	// "All", "AllTrusted"), with Network "ZONE".
	Network      string         `json:"network,omitempty"`
	NetworkZones IncludeExclude `json:"network_zones"`
	// Platforms: Okta conditions.platform.include/exclude as "TYPE/OS"
	// (e.g. "MOBILE/IOS", "DESKTOP/MACOS"); Graph conditions.platforms
	// (android, iOS, windows, macOS, linux, all).
	Platforms IncludeExclude `json:"platforms"`
	// ClientAppTypes: Graph conditions.clientAppTypes.
	ClientAppTypes []string `json:"client_app_types,omitempty"`
	// RiskLevels: Okta conditions.risk/riskScore level; Graph
	// signInRiskLevels. UserRiskLevels: Graph userRiskLevels.
	RiskLevels     []string `json:"risk_levels,omitempty"`
	UserRiskLevels []string `json:"user_risk_levels,omitempty"`
	// UserTypes: Okta conditions.userType include/exclude.
	UserTypes IncludeExclude `json:"user_types"`
	// UserAttributes: Okta user-attribute conditions as "attribute
	// operator value" (e.g. userIdentifier of type ATTRIBUTE outside a
	// routing rule).
	UserAttributes []string `json:"user_attributes,omitempty"`
	// Expression: Okta conditions.elCondition.condition (Expression
	// Language); Graph devices.deviceFilter.rule.
	Expression string `json:"expression,omitempty" raw:"verbatim"`
	// IdentityProvider: Okta conditions.identityProvider.provider (ANY,
	// OKTA, SPECIFIC_IDP) with IdentityProviders its idpIds.
	IdentityProvider  string   `json:"identity_provider,omitempty" raw:"verbatim"`
	IdentityProviders []string `json:"identity_providers,omitempty" raw:"verbatim"`
	// AuthType: Okta conditions.authContext.authType (ANY, RADIUS).
	AuthType string `json:"auth_type,omitempty" raw:"verbatim"`
	// Device: Okta conditions.device (registered, managed, assurance)
	// as "name=value" facts.
	Device []string `json:"device,omitempty"`
	// Unmodeled names every condition present in the payload that this
	// view does not carry, so a rule sees that the item has conditions it
	// cannot judge rather than none.
	Unmodeled []string `json:"unmodeled,omitempty"`
}

// PolicyActions are what a policy or rule requires, allows or sets.
type PolicyActions struct {
	// Access: "allow" or "deny" (Okta actions.signon.access,
	// actions.appSignOn.access; Graph grant control "block" → deny, any
	// other grant → allow); "" when the item decides none.
	Access string `json:"access,omitempty"`
	// RequireMFA: Okta signon.requireFactor, or an access rule's factorMode
	// "2FA"; Graph built-in control "mfa" or an authentication strength.
	RequireMFA Tri `json:"require_mfa"`
	// FactorMode (1FA, 2FA), FactorPromptMode (ALWAYS, DEVICE, SESSION),
	// FactorLifetimeMinutes, PrimaryFactor: Okta sign-on and access rule
	// actions.
	FactorMode            string `json:"factor_mode,omitempty" raw:"verbatim"`
	FactorPromptMode      string `json:"factor_prompt_mode,omitempty" raw:"verbatim"`
	FactorLifetimeMinutes int    `json:"factor_lifetime_minutes,omitempty"`
	PrimaryFactor         string `json:"primary_factor,omitempty" raw:"verbatim"`
	// ReauthenticateIn: an access rule's verificationMethod
	// .reauthenticateIn (ISO 8601 duration).
	ReauthenticateIn string `json:"reauthenticate_in,omitempty" raw:"verbatim"`
	// VerificationType: access rule verificationMethod.type (ASSURANCE,
	// AUTH_METHOD_CHAIN).
	VerificationType string `json:"verification_type,omitempty" raw:"verbatim"`
	// FactorConstraints: access rule verificationMethod.constraints.
	FactorConstraints []FactorConstraint `json:"factor_constraints,omitempty"`
	// SessionIdleMinutes, SessionLifetimeMinutes and PersistentCookie:
	// Okta signon.session.
	SessionIdleMinutes     int `json:"session_idle_minutes,omitempty"`
	SessionLifetimeMinutes int `json:"session_lifetime_minutes,omitempty"`
	PersistentCookie       Tri `json:"persistent_cookie"`
	// GrantOperator and GrantControls: Graph grantControls.operator (AND,
	// OR) and builtInControls (block, mfa, compliantDevice, ...);
	// TermsOfUse its termsOfUse ids; AuthenticationStrength its
	// authenticationStrength id.
	GrantOperator          string   `json:"grant_operator,omitempty" raw:"verbatim"`
	GrantControls          []string `json:"grant_controls,omitempty"`
	TermsOfUse             []string `json:"terms_of_use,omitempty" raw:"verbatim"`
	AuthenticationStrength string   `json:"authentication_strength,omitempty" raw:"verbatim"`
	// SignInFrequency ("4 hours", "everyTime"), PersistentBrowser (always,
	// never), CloudAppSecurity (its type) and AppEnforcedRestrictions:
	// Graph sessionControls.
	SignInFrequency         string `json:"sign_in_frequency,omitempty"`
	PersistentBrowser       string `json:"persistent_browser,omitempty"`
	CloudAppSecurity        string `json:"cloud_app_security,omitempty"`
	AppEnforcedRestrictions Tri    `json:"app_enforced_restrictions"`
	// Password: a PASSWORD policy's settings.
	Password *PasswordPolicy `json:"password,omitempty"`
	// PasswordChange, SelfServiceReset and SelfServiceUnlock: a PASSWORD
	// rule's actions.passwordChange/selfServicePasswordReset
	// /selfServiceUnlock.access (ALLOW, DENY).
	PasswordChange    string `json:"password_change,omitempty" raw:"verbatim"`
	SelfServiceReset  string `json:"self_service_reset,omitempty" raw:"verbatim"`
	SelfServiceUnlock string `json:"self_service_unlock,omitempty" raw:"verbatim"`
	// ResetMethods, ResetStepUpRequired and ResetStepUpMethods: a PASSWORD
	// rule's selfServicePasswordReset.requirement (Identity Engine): the
	// methods that start a recovery and the step-up it needs.
	ResetMethods        []string `json:"reset_methods,omitempty" raw:"verbatim"`
	ResetStepUpRequired Tri      `json:"reset_step_up_required"`
	ResetStepUpMethods  []string `json:"reset_step_up_methods,omitempty" raw:"verbatim"`
	// Enrollment: an MFA_ENROLL policy's settings.authenticators (or,
	// for classic orgs, settings.factors): what users must enrol.
	Enrollment []AuthenticatorEnrollment `json:"enrollment,omitempty"`
	// SelfEnroll: an MFA_ENROLL rule's actions.enroll.self (CHALLENGE,
	// LOGIN, NEVER): when users are asked to enrol.
	SelfEnroll string `json:"self_enroll,omitempty" raw:"verbatim"`
	// Profile: a PROFILE_ENROLLMENT rule's actions.profileEnrollment.
	Profile *ProfileEnrollment `json:"profile,omitempty"`
}

// FactorConstraint is one Okta access-rule authenticator constraint
// (verificationMethod.constraints[].knowledge/possession/inherence).
type FactorConstraint struct {
	// Class is "knowledge", "possession" or "inherence".
	Class string `json:"class"`
	// Types and Methods: the authenticator types and methods allowed.
	Types   []string `json:"types,omitempty" raw:"verbatim"`
	Methods []string `json:"methods,omitempty" raw:"verbatim"`
	// Required: the class is required.
	Required Tri `json:"required"`
	// PhishingResistant, HardwareProtection, UserPresence,
	// UserVerification: REQUIRED / OPTIONAL as sent.
	PhishingResistant  string `json:"phishing_resistant,omitempty" raw:"verbatim"`
	HardwareProtection string `json:"hardware_protection,omitempty" raw:"verbatim"`
	UserPresence       string `json:"user_presence,omitempty" raw:"verbatim"`
	UserVerification   string `json:"user_verification,omitempty" raw:"verbatim"`
	ReauthenticateIn   string `json:"reauthenticate_in,omitempty" raw:"verbatim"`
}

// PasswordPolicy is an Okta PASSWORD policy's settings.password and
// settings.recovery; zero numbers are unsaid.
type PasswordPolicy struct {
	// Provider is conditions.authProvider.provider (OKTA, ACTIVE_DIRECTORY,
	// LDAP): whose passwords the policy governs.
	Provider          string   `json:"provider,omitempty" raw:"verbatim"`
	MinLength         int      `json:"min_length,omitempty"`
	MinLowerCase      int      `json:"min_lower_case,omitempty"`
	MinUpperCase      int      `json:"min_upper_case,omitempty"`
	MinNumber         int      `json:"min_number,omitempty"`
	MinSymbol         int      `json:"min_symbol,omitempty"`
	ExcludeUsername   Tri      `json:"exclude_username"`
	ExcludeAttributes []string `json:"exclude_attributes,omitempty" raw:"verbatim"`
	// CommonPasswordCheck: complexity.dictionary.common.exclude.
	CommonPasswordCheck Tri `json:"common_password_check"`
	// BreachedPasswordCheck: complexity.dictionary.breachedPasswordProtection
	// or settings.breachedProtection (when Okta sends it).
	BreachedPasswordCheck Tri `json:"breached_password_check"`
	MaxAgeDays            int `json:"max_age_days,omitempty"`
	ExpireWarnDays        int `json:"expire_warn_days,omitempty"`
	MinAgeMinutes         int `json:"min_age_minutes,omitempty"`
	HistoryCount          int `json:"history_count,omitempty"`
	LockoutAttempts       int `json:"lockout_attempts,omitempty"`
	AutoUnlockMinutes     int `json:"auto_unlock_minutes,omitempty"`
	// RecoveryFactors are settings.recovery.factors that are ACTIVE
	// (okta_email, okta_sms, okta_call, recovery_question).
	RecoveryFactors []string `json:"recovery_factors,omitempty"`
}

// AuthenticatorEnrollment is one authenticator of an MFA enrolment policy:
// its key (okta_verify, phone_number, webauthn, google_otp, ...) and
// whether enrolment is REQUIRED, OPTIONAL or NOT_ALLOWED.
type AuthenticatorEnrollment struct {
	Key    string `json:"key" raw:"verbatim"`
	Enroll string `json:"enroll" raw:"verbatim"`
}

// ProfileEnrollment is an Okta PROFILE_ENROLLMENT rule's
// actions.profileEnrollment: self-service registration and the profile
// attributes users are asked for.
type ProfileEnrollment struct {
	// Access: ALLOW or DENY self-service registration.
	Access string `json:"access,omitempty" raw:"verbatim"`
	// UnknownUserAction: what happens to an unknown identifier (DENY,
	// REGISTER).
	UnknownUserAction string `json:"unknown_user_action,omitempty" raw:"verbatim"`
	// EmailVerification: activationRequirements.emailVerification.
	EmailVerification Tri `json:"email_verification"`
	// Attributes are profileAttributes, in order.
	Attributes []ProfileAttribute `json:"attributes,omitempty"`
	// TargetGroupIDs: groups new users join.
	TargetGroupIDs []string `json:"target_group_ids,omitempty" raw:"verbatim"`
	// PreRegistrationHook: preRegistrationInlineHooks[].inlineHookId.
	PreRegistrationHooks []string `json:"pre_registration_hooks,omitempty" raw:"verbatim"`
	// ProgressiveProfiling: profile attributes collected at later sign-ins
	// are enabled (progressiveProfilingAction ENABLED).
	ProgressiveProfiling Tri `json:"progressive_profiling"`
	// UISchemaID: uiSchemaId as sent.
	UISchemaID string `json:"ui_schema_id,omitempty" raw:"verbatim"`
}

// ProfileAttribute is one attribute a registration form asks for.
type ProfileAttribute struct {
	Name     string `json:"name" raw:"verbatim"`
	Label    string `json:"label,omitempty" raw:"verbatim"`
	Required Tri    `json:"required"`
}
