// Package rules is the compatibility rule catalogue: one file per rule
// family, and this file, the one explicit list of every rule the console
// assesses with. Adding a rule is a value in its family's file plus a line
// here; changing one is a change to its data (condition, templates, class)
// and its Version, which changes the catalogue's digest and so the
// classifier version every run records. docs/assessment-rules.md is
// generated from this list (`migctl assessment rules --markdown`).
package rules

//go:generate go run ./gendoc ../../../docs/assessment-rules.md

import (
	"sync"

	"github.com/portal-id/migration-console/engine/assessment"
)

// Version is the catalogue's semantic version: the minor number goes up
// when rules are added or changed, the major number when a class's meaning
// changes.
const Version = "1.0.0"

// all is every rule, by kind.
var all = []assessment.Rule{
	// Applications.
	oktaAppOIDC,
	entraAppRegOIDC,
	anyAppOIDCImplicit,
	oktaAppOIDCImplicitOnly,
	anyAppOIDCWildcard,
	anyAppOIDCRedirect,
	anyAppOIDCGrant,
	anyAppOIDCClientAuth,
	oktaAppOIDCRefresh,
	anyAppOIDCPublicPKCE,
	anyAppCredentials,
	entraAppRegMultiTenant,
	entraAppRegPersonal,
	entraAppRegRoles,
	entraAppRegClaims,
	entraAppRegAPI,
	entraAppRegPermissions,
	entraAppRegNoSignIn,
	entraSPMicrosoft,
	entraSPManagedIdentity,
	entraSPOIDC,
	entraSPThirdParty,
	anyAppSAML,
	anyAppSAMLEncrypted,
	anyAppSAMLAttributes,
	oktaAppSAMLExpression,
	anyAppSAMLStatementsHidden,
	anyAppSAMLIdPInitiated,
	anyAppSAMLLogout,
	anyAppSAMLCertExpired,
	anyAppSAMLCertExpiring,
	oktaAppWSFed,
	anyAppPassword,
	anyAppBookmark,
	anyAppInactive,
	anyAppCatalogue,
	oktaAppDirectory,
	oktaAppUsernameTemplate,
	anyAppName,
	anyAppNameTaken,
	anyAppFallback,

	// Identity providers.
	anyProviderSAML,
	anyProviderSAMLMissing,
	anyProviderCertExpiring,
	oktaProviderProvisioning,
	anyProviderOIDC,
	anyProviderSocialOIDC,
	anyProviderSocialOAuth,
	anyProviderX509,
	anyProviderInactive,
	anyProviderName,
	anyProviderFallback,

	// Routing rules.
	oktaRoutingDomain,
	oktaRoutingConflict,
	oktaRoutingProvider,
	oktaRoutingRegex,
	oktaRoutingPattern,
	oktaRoutingAttribute,
	oktaRoutingDynamic,
	oktaRoutingChoice,
	oktaRoutingLocal,
	oktaRoutingZone,
	oktaRoutingApps,
	oktaRoutingPeople,
	oktaRoutingUnmodeled,
	oktaRoutingDefault,
	oktaRoutingInactive,
	anyRoutingFallback,

	// Policies.
	anyPolicyRefs,
	anyPolicyUsers,
	anyPolicyExcludedUsers,
	anyPolicyNetwork,
	anyPolicyDevice,
	anyPolicyRisk,
	oktaPolicyExpression,
	anyPolicyInactive,
	oktaPolicyDefault,
	oktaPolicySignOn,
	entraPolicyCA,
	entraPolicyRoles,
	entraPolicyLegacy,
	oktaPolicyPassword,
	oktaPolicyPasswordDirectory,
	oktaPolicyMFAEnrollment,
	oktaPolicyRegistration,
	oktaPolicyProfile,
	oktaPolicyDiscovery,
	anyPolicyFallback,

	// Groups.
	anyGroupTenant,
	anyGroupReserved,
	oktaGroupBuiltIn,
	oktaGroupImported,
	oktaGroupRules,
	entraGroupDynamic,
	entraGroupM365,
	entraGroupDistribution,
	entraGroupMailSecurity,
	entraGroupRoleAssignable,
	anyGroupSynced,
	anyGroupName,
	anyGroupFallback,

	// Assignments.
	anyAssignGroup,
	anyAssignDeps,
	anyAssignUser,
	oktaAssignInherited,
	entraAssignServicePrincipal,
	entraAssignRole,
	anyAssignFallback,

	// Domains.
	entraDomainVerified,
	entraDomainFederated,
	anyDomainUnverified,
	oktaDomainSignIn,
	anyDomainFallback,
}

var (
	once sync.Once
	cat  *assessment.Catalogue
	err  error
)

// Catalogue returns the console's rule catalogue, built and validated once.
func Catalogue() (*assessment.Catalogue, error) {
	once.Do(func() { cat, err = assessment.NewCatalogue(Version, all...) })
	return cat, err
}
