package entra

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Subtypes the Entra normalizers emit.
const (
	SubtypeAppRegistration = "app_registration"

	// Service principals: Graph's preferredSingleSignOnMode, "none" when
	// null.
	SubtypeSAML         = "saml"
	SubtypeOIDC         = "oidc"
	SubtypePassword     = "password"
	SubtypeNotSupported = "notSupported"
	SubtypeNone         = "none"

	SubtypeSecurityGroup     = "security"
	SubtypeMicrosoft365Group = "microsoft_365"
	SubtypeDynamicGroup      = "dynamic"
	SubtypeDistributionGroup = "distribution"

	SubtypeVerifiedDomain   = "verified"
	SubtypeUnverifiedDomain = "unverified"

	SubtypeConditionalAccess = "conditional_access"

	SubtypeAssignGroup            = "group"
	SubtypeAssignUser             = "user"
	SubtypeAssignServicePrincipal = "servicePrincipal"
)

// defaultAppRole is the app role id Graph uses for "default access"
// (an assignment to an app that defines no roles).
const defaultAppRole = "00000000-0000-0000-0000-000000000000"

var errNoID = errors.New("element has no id")

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func boolAttr(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func uuidStr(p *uuid.UUID) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func timeAttr(p *time.Time) any {
	if p == nil {
		return nil
	}
	return p.UTC().Format(time.RFC3339)
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// credentialFacts are what later stages need of a key or password
// credential: never its secret or key material.
type expiring interface {
	GetDisplayName() *string
	GetEndDateTime() *time.Time
	GetStartDateTime() *time.Time
	GetKeyId() *uuid.UUID
}

func credentialAttrs[C expiring](creds []C, now time.Time, extra func(C, map[string]any)) ([]map[string]any, any) {
	out := []map[string]any{}
	var earliest *time.Time
	for _, c := range creds {
		m := map[string]any{
			"key_id":       uuidStr(c.GetKeyId()),
			"display_name": str(c.GetDisplayName()),
			"start":        timeAttr(c.GetStartDateTime()),
			"end":          timeAttr(c.GetEndDateTime()),
			"expired":      c.GetEndDateTime() != nil && c.GetEndDateTime().Before(now),
		}
		if extra != nil {
			extra(c, m)
		}
		out = append(out, m)
		if end := c.GetEndDateTime(); end != nil && (earliest == nil || end.Before(*earliest)) {
			earliest = end
		}
	}
	return out, timeAttr(earliest)
}

func keyExtra(k models.KeyCredentialable, m map[string]any) {
	m["type"] = str(k.GetTypeEscaped())
	m["usage"] = str(k.GetUsage())
}

// normalizeApplication maps an app registration (→ application,
// app_registration).
func normalizeApplication(a models.Applicationable, raw json.RawMessage, now time.Time) (inventory.Item, error) {
	id := str(a.GetId())
	if id == "" {
		return inventory.Item{}, errNoID
	}
	attrs := map[string]any{
		"app_id":           str(a.GetAppId()),
		"sign_in_audience": str(a.GetSignInAudience()),
		"identifier_uris":  strs(a.GetIdentifierUris()),
		"publisher_domain": str(a.GetPublisherDomain()),
	}
	attrs["web_redirect_uris"] = []string{}
	if w := a.GetWeb(); w != nil {
		attrs["web_redirect_uris"] = strs(w.GetRedirectUris())
	}
	attrs["spa_redirect_uris"] = []string{}
	if s := a.GetSpa(); s != nil {
		attrs["spa_redirect_uris"] = strs(s.GetRedirectUris())
	}
	attrs["public_client_redirect_uris"] = []string{}
	if p := a.GetPublicClient(); p != nil {
		attrs["public_client_redirect_uris"] = strs(p.GetRedirectUris())
	}
	passwords, pwEnd := credentialAttrs(a.GetPasswordCredentials(), now, func(p models.PasswordCredentialable, m map[string]any) {
		m["hint"] = str(p.GetHint())
	})
	keys, keyEnd := credentialAttrs(a.GetKeyCredentials(), now, keyExtra)
	attrs["password_credentials"] = passwords
	attrs["key_credentials"] = keys
	attrs["earliest_password_expiry"] = pwEnd
	attrs["earliest_key_expiry"] = keyEnd
	return inventory.Item{
		SourceID:    id,
		Kind:        inventory.KindApplication,
		Subtype:     SubtypeAppRegistration,
		DisplayName: str(a.GetDisplayName()),
		Attributes:  attrs,
		Raw:         raw,
	}, nil
}

// normalizeServicePrincipal maps an enterprise app (→ application, subtype
// from preferredSingleSignOnMode).
func normalizeServicePrincipal(sp models.ServicePrincipalable, raw json.RawMessage, now time.Time) (inventory.Item, error) {
	id := str(sp.GetId())
	if id == "" {
		return inventory.Item{}, errNoID
	}
	mode := str(sp.GetPreferredSingleSignOnMode())
	subtype := SubtypeNone
	switch mode {
	case SubtypeSAML, SubtypeOIDC, SubtypePassword, SubtypeNotSupported:
		subtype = mode
	case "":
	default:
		// A mode Graph added after this build: keep it visible as is.
		subtype = mode
	}
	keys, keyEnd := credentialAttrs(sp.GetKeyCredentials(), now, keyExtra)
	// The SAML signing certificate: the latest-ending "Sign" key (an older
	// one may linger after a rotation).
	var signingEnd *time.Time
	for _, k := range sp.GetKeyCredentials() {
		if end := k.GetEndDateTime(); str(k.GetUsage()) == "Sign" && end != nil && (signingEnd == nil || end.After(*signingEnd)) {
			signingEnd = end
		}
	}
	attrs := map[string]any{
		"app_id":                                 str(sp.GetAppId()),
		"sso_mode":                               subtype,
		"service_principal_type":                 str(sp.GetServicePrincipalType()),
		"account_enabled":                        boolAttr(sp.GetAccountEnabled()),
		"app_role_assignment_required":           boolAttr(sp.GetAppRoleAssignmentRequired()),
		"reply_urls":                             strs(sp.GetReplyUrls()),
		"login_url":                              str(sp.GetLoginUrl()),
		"homepage":                               str(sp.GetHomepage()),
		"preferred_token_signing_key_thumbprint": str(sp.GetPreferredTokenSigningKeyThumbprint()),
		"key_credentials":                        keys,
		"earliest_key_expiry":                    keyEnd,
		"signing_certificate_expiry":             timeAttr(signingEnd),
		"signing_certificate_expired":            signingEnd != nil && signingEnd.Before(now),
		"app_owner_organization_id":              uuidStr(sp.GetAppOwnerOrganizationId()),
		"tags":                                   strs(sp.GetTags()),
	}
	if s := sp.GetSamlSingleSignOnSettings(); s != nil {
		attrs["saml_relay_state"] = str(s.GetRelayState())
	}
	return inventory.Item{
		SourceID:    id,
		Kind:        inventory.KindApplication,
		Subtype:     subtype,
		DisplayName: str(sp.GetDisplayName()),
		Attributes:  attrs,
		Raw:         raw,
	}, nil
}

// normalizeGroup maps a group: dynamic before Microsoft 365 (a dynamic M365
// group needs its rule rebuilt first), then security, else distribution.
func normalizeGroup(g models.Groupable, raw json.RawMessage) (inventory.Item, error) {
	id := str(g.GetId())
	if id == "" {
		return inventory.Item{}, errNoID
	}
	types := strs(g.GetGroupTypes())
	has := func(t string) bool {
		for _, v := range types {
			if strings.EqualFold(v, t) {
				return true
			}
		}
		return false
	}
	rule := str(g.GetMembershipRule())
	unified := has("Unified")
	dynamic := has("DynamicMembership") || rule != ""
	subtype := SubtypeDistributionGroup
	switch {
	case dynamic:
		subtype = SubtypeDynamicGroup
	case unified:
		subtype = SubtypeMicrosoft365Group
	case g.GetSecurityEnabled() != nil && *g.GetSecurityEnabled():
		subtype = SubtypeSecurityGroup
	case g.GetSecurityEnabled() == nil && g.GetMailEnabled() == nil:
		// A $select-trimmed group: Graph's default kind.
		subtype = SubtypeSecurityGroup
	}
	return inventory.Item{
		SourceID:    id,
		Kind:        inventory.KindGroup,
		Subtype:     subtype,
		DisplayName: str(g.GetDisplayName()),
		Attributes: map[string]any{
			"description":                      str(g.GetDescription()),
			"group_types":                      types,
			"unified":                          unified,
			"dynamic":                          dynamic,
			"security_enabled":                 boolAttr(g.GetSecurityEnabled()),
			"mail_enabled":                     boolAttr(g.GetMailEnabled()),
			"mail":                             str(g.GetMail()),
			"mail_nickname":                    str(g.GetMailNickname()),
			"membership_rule":                  rule,
			"membership_rule_processing_state": str(g.GetMembershipRuleProcessingState()),
			"on_premises_sync_enabled":         boolAttr(g.GetOnPremisesSyncEnabled()),
			"is_assignable_to_role":            boolAttr(g.GetIsAssignableToRole()),
		},
		Raw: raw,
	}, nil
}

// normalizeDomain maps a tenant domain (its id is the name).
func normalizeDomain(d models.Domainable, raw json.RawMessage) (inventory.Item, error) {
	id := str(d.GetId())
	if id == "" {
		return inventory.Item{}, errNoID
	}
	verified := d.GetIsVerified() != nil && *d.GetIsVerified()
	subtype := SubtypeUnverifiedDomain
	if verified {
		subtype = SubtypeVerifiedDomain
	}
	return inventory.Item{
		SourceID:    id,
		Kind:        inventory.KindDomain,
		Subtype:     subtype,
		DisplayName: id,
		Attributes: map[string]any{
			"verified":            verified,
			"default":             boolAttr(d.GetIsDefault()),
			"initial":             boolAttr(d.GetIsInitial()),
			"root":                boolAttr(d.GetIsRoot()),
			"authentication_type": str(d.GetAuthenticationType()),
			"supported_services":  strs(d.GetSupportedServices()),
		},
		Raw: raw,
	}, nil
}

// normalizePolicy maps a conditional-access policy, with references to the
// groups it targets.
func normalizePolicy(p models.ConditionalAccessPolicyable, raw json.RawMessage) (inventory.Item, error) {
	id := str(p.GetId())
	if id == "" {
		return inventory.Item{}, errNoID
	}
	attrs := map[string]any{"state": ""}
	if s := p.GetState(); s != nil {
		attrs["state"] = s.String()
	}
	var refs []inventory.Ref
	if c := p.GetConditions(); c != nil {
		if u := c.GetUsers(); u != nil {
			attrs["include_users"] = strs(u.GetIncludeUsers())
			attrs["exclude_users"] = strs(u.GetExcludeUsers())
			attrs["include_groups"] = strs(u.GetIncludeGroups())
			attrs["exclude_groups"] = strs(u.GetExcludeGroups())
			attrs["include_roles"] = strs(u.GetIncludeRoles())
			attrs["exclude_roles"] = strs(u.GetExcludeRoles())
			for _, g := range u.GetIncludeGroups() {
				refs = append(refs, inventory.Ref{Role: "include_group", Kind: inventory.KindGroup, SourceID: g})
			}
			for _, g := range u.GetExcludeGroups() {
				refs = append(refs, inventory.Ref{Role: "exclude_group", Kind: inventory.KindGroup, SourceID: g})
			}
		}
		if a := c.GetApplications(); a != nil {
			attrs["include_applications"] = strs(a.GetIncludeApplications())
			attrs["exclude_applications"] = strs(a.GetExcludeApplications())
			attrs["include_user_actions"] = strs(a.GetIncludeUserActions())
		}
		var clientApps []string
		for _, t := range c.GetClientAppTypes() {
			clientApps = append(clientApps, t.String())
		}
		attrs["client_app_types"] = strs(clientApps)
		var risk []string
		for _, r := range c.GetSignInRiskLevels() {
			risk = append(risk, r.String())
		}
		attrs["sign_in_risk_levels"] = strs(risk)
		attrs["has_platform_conditions"] = c.GetPlatforms() != nil
		attrs["has_location_conditions"] = c.GetLocations() != nil
	}
	if g := p.GetGrantControls(); g != nil {
		var controls []string
		for _, c := range g.GetBuiltInControls() {
			controls = append(controls, c.String())
		}
		attrs["grant_operator"] = str(g.GetOperator())
		attrs["built_in_controls"] = strs(controls)
		attrs["terms_of_use"] = strs(g.GetTermsOfUse())
	}
	if s := p.GetSessionControls(); s != nil {
		if f := s.GetSignInFrequency(); f != nil && f.GetValue() != nil {
			unit := ""
			if f.GetTypeEscaped() != nil {
				unit = f.GetTypeEscaped().String()
			}
			attrs["sign_in_frequency"] = map[string]any{"value": *f.GetValue(), "unit": unit}
		}
		attrs["persistent_browser"] = s.GetPersistentBrowser() != nil
		attrs["cloud_app_security"] = s.GetCloudAppSecurity() != nil
	}
	return inventory.Item{
		SourceID:    id,
		Kind:        inventory.KindPolicy,
		Subtype:     SubtypeConditionalAccess,
		DisplayName: str(p.GetDisplayName()),
		Attributes:  attrs,
		Refs:        refs,
		Raw:         raw,
	}, nil
}

// normalizeAssignment maps one appRoleAssignedTo entry of service principal
// spID. Its source id is "<sp id>/<principal id>", with "/<app role id>"
// appended when the role is not the default one, so every assignment is
// unique.
func normalizeAssignment(spID string, a models.AppRoleAssignmentable, raw json.RawMessage) (inventory.Item, error) {
	if str(a.GetId()) == "" {
		return inventory.Item{}, errNoID
	}
	principal := uuidStr(a.GetPrincipalId())
	role := uuidStr(a.GetAppRoleId())
	sourceID := spID + "/" + principal
	if role != "" && role != defaultAppRole {
		sourceID += "/" + role
	}
	ptype := str(a.GetPrincipalType())
	refs := []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: spID}}
	var subtype string
	switch ptype {
	case "Group":
		subtype = SubtypeAssignGroup
		refs = append(refs, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: principal})
	case "User":
		subtype = SubtypeAssignUser
		// Users are not inventory items; the ref names the Entra user id.
		refs = append(refs, inventory.Ref{Role: "user", SourceID: principal})
	case "ServicePrincipal":
		subtype = SubtypeAssignServicePrincipal
		refs = append(refs, inventory.Ref{Role: "service_principal", Kind: inventory.KindApplication, SourceID: principal})
	default:
		subtype = strings.ToLower(ptype)
	}
	name := str(a.GetPrincipalDisplayName()) + " → " + str(a.GetResourceDisplayName())
	return inventory.Item{
		SourceID:    sourceID,
		Kind:        inventory.KindAssignment,
		Subtype:     subtype,
		DisplayName: name,
		Attributes: map[string]any{
			"assignment_id":          str(a.GetId()),
			"principal_type":         ptype,
			"principal_id":           principal,
			"principal_display_name": str(a.GetPrincipalDisplayName()),
			"resource_id":            uuidStr(a.GetResourceId()),
			"resource_display_name":  str(a.GetResourceDisplayName()),
			"app_role_id":            role,
			"created":                timeAttr(a.GetCreatedDateTime()),
		},
		Refs: refs,
		Raw:  raw,
	}, nil
}
