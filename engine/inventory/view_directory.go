package inventory

import "strings"

// Vendor references the group, assignment and domain views were checked
// against:
//   - Okta Groups API (/api/v1/groups; Group object, type OKTA_GROUP,
//     APP_GROUP, BUILT_IN) and Group Rules
//     (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/),
//     Application Groups and Application Users
//     (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationGroups/,
//     .../tag/ApplicationUsers/), Custom Domains
//     (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/CustomDomain/).
//   - Microsoft Graph v1.0 group
//     (https://learn.microsoft.com/graph/api/resources/group?view=graph-rest-1.0),
//     appRoleAssignment
//     (https://learn.microsoft.com/graph/api/resources/approleassignment?view=graph-rest-1.0)
//     and domain
//     (https://learn.microsoft.com/graph/api/resources/domain?view=graph-rest-1.0).

// GroupType is the group subtype.
type GroupType string

const (
	// GroupTenant: a group the tenant owns, with an explicit member list,
	// used for access (Okta OKTA_GROUP; an Entra security group that is not
	// mail-enabled, Microsoft 365 or dynamic).
	GroupTenant GroupType = "tenant"
	// GroupAppImported: imported from a connected directory or app (Okta
	// APP_GROUP, e.g. from Active Directory); SourceAppID names the app.
	GroupAppImported GroupType = "app_group"
	// GroupBuiltIn: maintained by the vendor (Okta BUILT_IN, "Everyone").
	GroupBuiltIn GroupType = "built_in"
	// GroupMicrosoft365: an Entra Microsoft 365 group (groupTypes
	// "Unified"), with a mailbox and workspace.
	GroupMicrosoft365 GroupType = "microsoft_365"
	// GroupDistribution: an Entra mail-enabled group that is not a
	// security group.
	GroupDistribution GroupType = "distribution"
	// GroupMailEnabledSecurity: an Entra security group that is also
	// mail-enabled.
	GroupMailEnabledSecurity GroupType = "mail_enabled_security"
	// GroupDynamic: membership computed from a rule (Entra groupTypes
	// "DynamicMembership"; takes precedence over the types above, which
	// Unified/SecurityEnabled/MailEnabled still say).
	GroupDynamic GroupType = "dynamic"
)

// GroupTypes is the closed set of group subtypes.
var GroupTypes = []GroupType{GroupTenant, GroupAppImported, GroupBuiltIn, GroupMicrosoft365,
	GroupDistribution, GroupMailEnabledSecurity, GroupDynamic}

// GroupView is a group.
type GroupView struct {
	// Type is the subtype.
	Type GroupType `json:"type"`
	// VendorType: Okta type; Graph groupTypes joined with "," ("" for a
	// plain security or distribution group).
	VendorType string `json:"vendor_type"`
	// Name and Description: Okta profile.name/description; Graph
	// displayName/description.
	Name        string `json:"name" raw:"verbatim"`
	Description string `json:"description,omitempty" raw:"verbatim"`
	// RuleBased: membership is maintained by a rule. Graph: dynamic
	// (DynamicMembership or a membershipRule). Okta: Yes when a group rule
	// of the org assigns users to this group, No when the org's group rules
	// were read and none does, Unknown when they were not read.
	RuleBased Tri `json:"rule_based"`
	// MembershipRules are the rules: Graph membershipRule (one); Okta
	// group rules' conditions.expression.value that target the group.
	MembershipRules []string `json:"membership_rules,omitempty"`
	// MembershipRuleState: Graph membershipRuleProcessingState (On,
	// Paused).
	MembershipRuleState string `json:"membership_rule_state,omitempty" raw:"verbatim"`
	// SecurityEnabled, MailEnabled and Mail: Graph securityEnabled,
	// mailEnabled, mail. Okta groups are security groups with no mail
	// (Yes, No).
	SecurityEnabled Tri    `json:"security_enabled"`
	MailEnabled     Tri    `json:"mail_enabled"`
	Mail            string `json:"mail,omitempty" raw:"verbatim"`
	// RoleAssignable: Graph isAssignableToRole (directory roles can be
	// granted to the group); Okta: Unknown (admin roles are read through
	// another API).
	RoleAssignable Tri `json:"role_assignable"`
	// DirectorySynced: membership is mastered in an on-premises directory.
	// Graph onPremisesSyncEnabled; Okta: Yes for APP_GROUP from AD/LDAP
	// (objectClass okta:windows_security_principal or
	// okta:ldap_group), No for OKTA_GROUP and BUILT_IN.
	DirectorySynced Tri `json:"directory_synced"`
	// SourceAppID: an Okta APP_GROUP's source app (_links.source.href).
	SourceAppID string `json:"source_app_id,omitempty"`
	// DirectoryName: Okta profile.windowsDomainQualifiedName or dn;
	// Graph onPremisesSamAccountName (when sent).
	DirectoryName string `json:"directory_name,omitempty" raw:"verbatim"`
	// ObjectClass: Okta objectClass as sent.
	ObjectClass []string `json:"object_class,omitempty" raw:"verbatim"`
}

// AssignTarget is whom an assignment grants an application to: the
// assignment subtype.
type AssignTarget string

const (
	AssignGroup            AssignTarget = "group"
	AssignUser             AssignTarget = "user"
	AssignServicePrincipal AssignTarget = "service_principal"
	// AssignOther: a principal type this build does not know (VendorType
	// keeps it).
	AssignOther AssignTarget = "other"
)

// AssignTargets is the closed set of assignment subtypes.
var AssignTargets = []AssignTarget{AssignGroup, AssignUser, AssignServicePrincipal, AssignOther}

// AssignmentView grants one application to one group, user or service
// principal.
type AssignmentView struct {
	// Target is the subtype.
	Target AssignTarget `json:"target"`
	// VendorType: Graph principalType (Group, User, ServicePrincipal); Okta
	// "group" or "user" by the listing it came from.
	VendorType string `json:"vendor_type"`
	// AppID and AppName: the application's source id and display name.
	// Okta: the app whose listing held the assignment, its label; Graph:
	// resourceId and resourceDisplayName. A name the payload lacks is
	// resolved from the snapshot's items when the snapshot completes.
	AppID   string `json:"app_id"`
	AppName string `json:"app_name"`
	// PrincipalID and PrincipalName: the group, user or service
	// principal. Okta group: id and _embedded.group.profile.name; Okta
	// user: id and credentials.userName (or _embedded.user.profile.login);
	// Graph principalId and principalDisplayName. Resolved from the
	// snapshot when the payload lacks it.
	PrincipalID   string `json:"principal_id"`
	PrincipalName string `json:"principal_name"`
	// Unresolved names what the snapshot could not name ("app",
	// "principal"): the referenced item is not in the snapshot and the
	// payload carried no name.
	Unresolved []string `json:"unresolved,omitempty"`
	// Direct: the principal is assigned itself. Okta app user scope USER
	// (Yes) or GROUP (No: the user has the app through a group); group
	// assignments and Graph assignments are direct.
	Direct Tri `json:"direct"`
	// Priority: Okta group assignment priority (lower wins when groups
	// give a user conflicting app profiles); nil when unsaid.
	Priority *int `json:"priority,omitempty"`
	// AppRoleID: Graph appRoleId; "" for the default access role
	// (00000000-0000-0000-0000-000000000000) and for Okta.
	AppRoleID string `json:"app_role_id,omitempty"`
	// VendorStatus and SyncState: Okta app user status (ACTIVE,
	// PROVISIONED, ...) and syncState.
	VendorStatus string `json:"vendor_status,omitempty" raw:"verbatim"`
	SyncState    string `json:"sync_state,omitempty" raw:"verbatim"`
}

// DomainType is the domain subtype: what the domain is for.
type DomainType string

const (
	// DomainUserNamespace: a domain users' sign-in names belong to (Graph
	// domains).
	DomainUserNamespace DomainType = "user_namespace"
	// DomainSignInHost: a custom host name serving the tenant's sign-in
	// pages (Okta custom domains, e.g. login.example.com).
	DomainSignInHost DomainType = "sign_in_host"
)

// DomainTypes is the closed set of domain subtypes.
var DomainTypes = []DomainType{DomainUserNamespace, DomainSignInHost}

// DomainView is a domain.
type DomainView struct {
	// Type is the subtype.
	Type DomainType `json:"type"`
	// Name: Okta domain; Graph id.
	Name string `json:"name" raw:"verbatim"`
	// Verified: Graph isVerified; Okta validationStatus VERIFIED or
	// COMPLETED (Yes), NOT_STARTED, IN_PROGRESS or FAILED_TO_VERIFY (No).
	Verified Tri `json:"verified"`
	// ValidationStatus: Okta validationStatus as sent.
	ValidationStatus string `json:"validation_status,omitempty" raw:"verbatim"`
	// Default, Initial and Root: Graph isDefault, isInitial, isRoot.
	Default Tri `json:"default"`
	Initial Tri `json:"initial"`
	Root    Tri `json:"root"`
	// AuthType: Graph authenticationType lower-cased ("managed",
	// "federated"); "" for Okta.
	AuthType string `json:"auth_type,omitempty"`
	// SupportedServices: Graph supportedServices (Email, OfficeCommunicationsOnline, ...).
	SupportedServices []string `json:"supported_services,omitempty" raw:"verbatim"`
	// CertificateSource and CertificateExpiry: Okta certificateSourceType
	// (MANUAL, OKTA_MANAGED) and publicCertificate.expiration.
	CertificateSource string `json:"certificate_source,omitempty" raw:"verbatim"`
	CertificateExpiry string `json:"certificate_expiry,omitempty" raw:"verbatim"`
}

// AssignmentDisplayName names an assignment for people: "<application> ←
// <target> <principal>", each by name where known, else by id.
func AssignmentDisplayName(a *AssignmentView) string {
	app, who := a.AppName, a.PrincipalName
	if app == "" {
		app = a.AppID
	}
	if who == "" {
		who = a.PrincipalID
	}
	return app + " ← " + strings.ReplaceAll(string(a.Target), "_", " ") + " " + who
}
