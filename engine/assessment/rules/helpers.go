package rules

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Vendor documents the rules cite.
const (
	docOktaApps         = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/"
	docOktaAppGroups    = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationGroups/"
	docOktaAppUsers     = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationUsers/"
	docOktaEL           = "https://developer.okta.com/docs/reference/okta-expression-language/"
	docOktaIdPs         = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/IdentityProvider/"
	docOktaPolicies     = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Policy/"
	docOktaDiscovery    = "https://help.okta.com/en-us/content/topics/security/identity_provider_discovery.htm"
	docOktaGroups       = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/"
	docOktaGroupRules   = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/GroupRule/"
	docOktaDomains      = "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/CustomDomain/"
	docOktaSWA          = "https://help.okta.com/en-us/content/topics/apps/apps_overview_of_managing_apps_and_sso.htm"
	docGraphApplication = "https://learn.microsoft.com/graph/api/resources/application?view=graph-rest-1.0"
	docGraphSP          = "https://learn.microsoft.com/graph/api/resources/serviceprincipal?view=graph-rest-1.0"
	docEntraAudience    = "https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation"
	docEntraImplicit    = "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-implicit-grant-flow"
	docEntraRedirect    = "https://learn.microsoft.com/entra/identity-platform/reply-url"
	docEntraClaims      = "https://learn.microsoft.com/entra/identity-platform/optional-claims"
	docEntraAppRoles    = "https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps"
	docEntraScopes      = "https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview"
	docEntraFirstParty  = "https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in"
	docEntraManagedID   = "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview"
	docEntraSAMLClaims  = "https://learn.microsoft.com/graph/api/resources/claimsmappingpolicy?view=graph-rest-beta"
	docEntraSAMLCerts   = "https://learn.microsoft.com/entra/identity/enterprise-apps/tutorial-manage-certificates-for-federated-single-sign-on"
	docGraphGroup       = "https://learn.microsoft.com/graph/api/resources/group?view=graph-rest-1.0"
	docEntraDynamic     = "https://learn.microsoft.com/entra/identity/users/groups-dynamic-membership"
	docEntraRoleGroups  = "https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept"
	docGraphCA          = "https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-1.0"
	docGraphDomain      = "https://learn.microsoft.com/graph/api/resources/domain?view=graph-rest-1.0"
	docGraphAssignment  = "https://learn.microsoft.com/graph/api/resources/approleassignment?view=graph-rest-1.0"
	docOAuthBCP         = "https://www.rfc-editor.org/rfc/rfc9700"
	docNativeApps       = "https://www.rfc-editor.org/rfc/rfc8252"
	docPortalAPI        = "engine/portal/openapi.yaml"
	docReservedGroups   = "https://support.optimizely.com/hc/en-us/articles/24494074021261-Create-a-SCIM-provisioning-app-in-Okta"
)

// expiringWithin is how close to its end a certificate must be, at
// collection, to be flagged for renewal before cutover.
const expiringWithin = 30 * 24 * time.Hour

// Portal application grant types (engine/portal/openapi.yaml GrantType).
var portalGrants = []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"}

func app(s *assessment.Subject) *inventory.ApplicationView { return s.View.Application }

// nameProblem says why the Portal would refuse name for a provider,
// group, application or routing rule (engine/portal/openapi.yaml: printable
// text of at most 200 characters, no control or bidirectional-override
// characters, no surrounding space), or "".
func nameProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "it is blank"
	case !utf8.ValidString(name):
		return "it is not valid UTF-8"
	case name != strings.TrimSpace(name):
		return "it starts or ends with white space"
	case utf8.RuneCountInString(name) > 200:
		return "it is longer than 200 characters"
	}
	for _, r := range name {
		switch {
		case unicode.IsControl(r):
			return "it contains a control character"
		case r == '\u061C' || r == '\u200E' || r == '\u200F' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069'):
			return "it contains a bidirectional control character"
		case r == '\uFFFE' || r == '\uFFFF' || (r >= '\uFDD0' && r <= '\uFDEF'):
			return "it contains a Unicode noncharacter"
		}
	}
	return ""
}

// redirectProblem says why the Portal would refuse a redirect URI
// (absolute https, http only for loopback hosts, a private-use scheme only
// for public native clients (RFC 8252), never a fragment), or "".
func redirectProblem(raw string, public bool) string {
	if strings.Contains(raw, "*") {
		return "it holds a wildcard"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "it does not parse as a URL"
	}
	if u.Fragment != "" {
		return "it has a fragment"
	}
	if public && u.Scheme != "" && strings.Contains(u.Scheme, ".") {
		return ""
	}
	if !u.IsAbs() || u.Host == "" {
		return "it is not an absolute URL"
	}
	if u.User != nil {
		return "it carries credentials"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if loopback(u.Hostname()) {
			return ""
		}
		return "it is plain http to a host that is not loopback"
	}
	return "its scheme " + u.Scheme + " is not https"
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpsURL reports an absolute https URL (http for loopback).
func httpsURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname()))
}

// unknownFacts lists the view's facts whose value is unknown, by path.
func unknownFacts(v inventory.View) []string {
	var out []string
	for _, f := range v.Facts() {
		if f.Value == "unknown" {
			out = append(out, f.Path)
		}
	}
	return out
}

// specialPrincipals are condition values that name a set, not one user.
var specialPrincipals = []string{"All", "None", "GuestsOrExternalUsers", "ALL", "NONE", "EVERYONE"}

// individualUsers are the user ids of a condition, without set names.
func individualUsers(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(specialPrincipals, id) {
			out = append(out, id)
		}
	}
	return out
}

// notImported describes a reference whose outcome keeps the referrer from
// moving, or "" when it will exist on the target.
func notImported(label string, o assessment.Outcome) string {
	switch {
	case !o.Exists:
		return label + " is not in the snapshot"
	case !o.Assessed:
		return label + " was not assessed before this item"
	case !o.Class.Imports():
		return label + " will not exist on the Portal (" + string(o.Class) + " by " + o.RuleID + ")"
	}
	return ""
}

// refs returns the item's references with one of the roles.
func refs(s *assessment.Subject, roles ...string) []inventory.Ref {
	var out []inventory.Ref
	for _, r := range s.Refs {
		if slices.Contains(roles, r.Role) {
			out = append(out, r)
		}
	}
	return out
}

func hasAny(list []string, vals ...string) bool {
	for _, v := range vals {
		if slices.Contains(list, v) {
			return true
		}
	}
	return false
}

// outside returns the values of list not in allowed.
func outside(list, allowed []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(allowed, v) {
			out = append(out, v)
		}
	}
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
