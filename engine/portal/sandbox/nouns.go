package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// The build functions below turn a validated request into the stored API
// object and its meta. They run inside the write transaction, so reference
// checks see the same state the write commits against.

func buildProvider(in api.UpstreamProviderInput, id string, created, now time.Time) (api.UpstreamProvider, meta, error) {
	out := api.UpstreamProvider{Id: id, Name: in.Name, Type: in.Type, CreatedAt: created, UpdatedAt: now}
	if err := checkName("name", in.Name); err != nil {
		return out, meta{}, err
	}
	switch in.Type {
	case api.Saml:
		if in.Saml == nil || in.Oidc != nil {
			return out, meta{}, invalid("a saml provider needs saml settings and no oidc settings")
		}
		if err := checkName("saml.entity_id", in.Saml.EntityId); err != nil {
			return out, meta{}, err
		}
		if err := checkURL("saml.sso_url", in.Saml.SsoUrl); err != nil {
			return out, meta{}, err
		}
		if err := checkCertificate("saml.signing_certificate", in.Saml.SigningCertificate); err != nil {
			return out, meta{}, err
		}
		out.Saml = in.Saml
	case api.Oidc:
		if in.Oidc == nil || in.Saml != nil {
			return out, meta{}, invalid("an oidc provider needs oidc settings and no saml settings")
		}
		if err := checkURL("oidc.issuer", in.Oidc.Issuer); err != nil {
			return out, meta{}, err
		}
		if err := checkName("oidc.client_id", in.Oidc.ClientId); err != nil {
			return out, meta{}, err
		}
		out.Oidc = in.Oidc
	}
	return out, meta{unique: []string{uniqueKey("name", in.Name)},
		facts: map[string]string{"name": in.Name, "type": string(in.Type)}}, nil
}

func buildRoutingRule(tx Tx, tenant string, in api.RoutingRuleInput, id string, created, now time.Time) (api.RoutingRule, meta, error) {
	out := api.RoutingRule{Id: id, Name: in.Name, ProviderId: in.ProviderId, Priority: in.Priority, CreatedAt: created, UpdatedAt: now}
	if err := checkName("name", in.Name); err != nil {
		return out, meta{}, err
	}
	for _, raw := range in.Domains {
		d, err := normaliseDomain(raw)
		if err != nil {
			return out, meta{}, err
		}
		if slices.Contains(out.Domains, d) {
			return out, meta{}, invalid("domain %s is listed twice", d)
		}
		out.Domains = append(out.Domains, d)
	}
	if err := mustExist(tx, tenant, KindUpstreamProvider, in.ProviderId, "provider_id"); err != nil {
		return out, meta{}, err
	}
	m := meta{refs: []string{in.ProviderId},
		facts: map[string]string{"name": in.Name, "provider_id": in.ProviderId, "domains": strings.Join(out.Domains, ","), "priority": strconv.Itoa(in.Priority)}}
	for _, d := range out.Domains {
		m.unique = append(m.unique, uniqueKey("domain", d))
	}
	return out, m, nil
}

func buildGroup(in api.GroupInput, id string, created, now time.Time) (api.Group, meta, error) {
	out := api.Group{Id: id, Name: in.Name, CreatedAt: created, UpdatedAt: now}
	if in.Description != nil {
		out.Description = *in.Description
	}
	if err := checkName("name", in.Name); err != nil {
		return out, meta{}, err
	}
	return out, meta{unique: []string{uniqueKey("name", in.Name)}, facts: map[string]string{"name": in.Name}}, nil
}

func buildApplication(in api.ApplicationInput, id, clientID string, created, now time.Time) (api.Application, meta, error) {
	out := api.Application{Id: id, Name: in.Name, ClientId: clientID, ClientType: in.ClientType, CreatedAt: created, UpdatedAt: now,
		RedirectUris: []string{}}
	if err := checkName("name", in.Name); err != nil {
		return out, meta{}, err
	}
	for _, g := range in.GrantTypes {
		if slices.Contains(out.GrantTypes, g) {
			return out, meta{}, invalid("grant type %s is listed twice", g)
		}
		if g == api.ClientCredentials && in.ClientType != api.Confidential {
			return out, meta{}, invalid("client_credentials needs a confidential client")
		}
		out.GrantTypes = append(out.GrantTypes, g)
	}
	for i, u := range in.RedirectUris {
		if err := checkRedirectURI("redirect_uris["+strconv.Itoa(i)+"]", u, in.ClientType == api.Public); err != nil {
			return out, meta{}, err
		}
		out.RedirectUris = append(out.RedirectUris, u)
	}
	if slices.Contains(out.GrantTypes, api.AuthorizationCode) && len(out.RedirectUris) == 0 {
		return out, meta{}, invalid("authorization_code needs at least one redirect URI")
	}
	return out, meta{unique: []string{uniqueKey("name", in.Name)},
		facts: map[string]string{"name": in.Name, "client_type": string(in.ClientType), "client_id": clientID}}, nil
}

// newClientSecret returns a secret and the hash that is all the store keeps.
func newClientSecret() (plain, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	plain = "psec_" + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(plain))
	return plain, hex.EncodeToString(sum[:])
}

func withSecret(a api.Application, secret string) api.ApplicationWithSecret {
	out := api.ApplicationWithSecret{Id: a.Id, Name: a.Name, ClientId: a.ClientId, ClientType: a.ClientType,
		GrantTypes: a.GrantTypes, RedirectUris: a.RedirectUris, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if secret != "" {
		out.ClientSecret = &secret
	}
	return out
}

func buildAppAssignment(tx Tx, tenant string, in api.AppAssignmentInput, id string, now time.Time) (api.AppAssignment, meta, error) {
	out := api.AppAssignment{Id: id, AppId: in.AppId, GroupId: in.GroupId, CreatedAt: now}
	if err := mustExist(tx, tenant, KindApplication, in.AppId, "app_id"); err != nil {
		return out, meta{}, err
	}
	if err := mustExist(tx, tenant, KindGroup, in.GroupId, "group_id"); err != nil {
		return out, meta{}, err
	}
	return out, meta{unique: []string{uniqueKey("assignment", in.AppId+"<-"+in.GroupId)}, refs: []string{in.AppId, in.GroupId},
		facts: map[string]string{"app_id": in.AppId, "group_id": in.GroupId}}, nil
}

func buildSsoConfiguration(tx Tx, tenant string, in api.SsoConfigurationInput, id string, created, now time.Time) (api.SsoConfiguration, meta, error) {
	out := api.SsoConfiguration{Id: id, ProviderId: in.ProviderId, Audience: in.Audience, UserTemplateId: in.UserTemplateId,
		ScimDeprovisioningEnabled: in.ScimDeprovisioningEnabled, Enabled: in.Enabled, RoleMapping: in.RoleMapping,
		CreatedAt: created, UpdatedAt: now}
	if err := checkName("audience", in.Audience); err != nil {
		return out, meta{}, err
	}
	if err := mustExist(tx, tenant, KindUpstreamProvider, in.ProviderId, "provider_id"); err != nil {
		return out, meta{}, err
	}
	m := meta{unique: []string{uniqueKey("provider_id", in.ProviderId)}, refs: []string{in.ProviderId},
		facts: map[string]string{"provider_id": in.ProviderId, "enabled": strconv.FormatBool(in.Enabled),
			"scim_deprovisioning_enabled": strconv.FormatBool(in.ScimDeprovisioningEnabled)}}
	if in.UserTemplateId != nil {
		if err := mustExist(tx, tenant, KindUserTemplate, *in.UserTemplateId, "user_template_id"); err != nil {
			return out, meta{}, err
		}
		m.refs = append(m.refs, *in.UserTemplateId)
	}
	if in.RoleMapping != nil {
		refs, err := checkRoleMapping(tx, tenant, *in.RoleMapping)
		if err != nil {
			return out, meta{}, err
		}
		m.refs = append(m.refs, refs...)
		m.facts["role_mapping_rules"] = strconv.Itoa(len(in.RoleMapping.Rules))
		m.facts["role_mapping_default"] = in.RoleMapping.DefaultRole
	}
	return out, m, nil
}

// checkRoleMapping refuses unknown roles and templates, rules naming both or
// neither, an elevated default, and an elevated rule without its approval.
// It returns the templates the mapping refers to.
func checkRoleMapping(tx Tx, tenant string, rm api.RoleMapping) ([]string, error) {
	def, ok := roleByName(rm.DefaultRole)
	switch {
	case !ok:
		return nil, invalid("role_mapping.default_role: no role %q", clip(rm.DefaultRole))
	case def.Elevated:
		return nil, problemf(http.StatusConflict, api.ProblemCodeElevationNotApproved,
			"role_mapping.default_role %q is elevated: the default applies to everyone no rule matches, so it cannot be approved", def.Name)
	}
	var refs []string
	for i, r := range rm.Rules {
		field := "role_mapping.rules[" + strconv.Itoa(i) + "]"
		if err := checkName(field+".source_attribute", r.SourceAttribute); err != nil {
			return nil, err
		}
		if err := checkChars(field+".match_value", r.MatchValue, false); err != nil {
			return nil, err
		}
		if (r.Role == nil) == (r.UserTemplateId == nil) {
			return nil, invalid("%s: give exactly one of role and user_template_id", field)
		}
		if r.UserTemplateId != nil {
			if err := mustExist(tx, tenant, KindUserTemplate, *r.UserTemplateId, field+".user_template_id"); err != nil {
				return nil, err
			}
			refs = append(refs, *r.UserTemplateId)
			continue
		}
		role, ok := roleByName(*r.Role)
		if !ok {
			return nil, invalid("%s.role: no role %q", field, clip(*r.Role))
		}
		if role.Elevated && r.ElevationApproval == nil {
			return nil, problemf(http.StatusConflict, api.ProblemCodeElevationNotApproved,
				"%s grants the elevated role %s to %s=%s without an elevation approval (who approved it, and when)",
				field, role.Name, clip(r.SourceAttribute), clip(r.MatchValue))
		}
		if r.ElevationApproval != nil {
			if err := checkName(field+".elevation_approval.approved_by", r.ElevationApproval.ApprovedBy); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// roles are the Portal's roles a mapping may grant; admin and owner are
// elevated.
var roles = []api.Role{
	{Name: "viewer", DisplayName: "Viewer"},
	{Name: "member", DisplayName: "Member"},
	{Name: "operator", DisplayName: "Operator"},
	{Name: "admin", DisplayName: "Administrator", Elevated: true},
	{Name: "owner", DisplayName: "Owner", Elevated: true},
}

func roleByName(name string) (api.Role, bool) {
	for _, r := range roles {
		if r.Name == name {
			return r, true
		}
	}
	return api.Role{}, false
}

// buildUser keeps prev's read-only SSO facts and origin (nil prev for a
// create, which is an admin's). Emails are optional and unique as written:
// the Portal does not fold case, so legacy accounts may differ only in case,
// which is what the rollout checklist looks for.
func buildUser(in api.UserInput, id string, prev *api.User, now time.Time) (api.User, meta, error) {
	out := api.User{Id: id, Email: in.Email, Username: in.Username, DisplayName: in.DisplayName, AuthMode: in.AuthMode,
		AccountState: in.AccountState, BreakGlass: in.BreakGlass != nil && *in.BreakGlass,
		ServiceAccount: in.ServiceAccount != nil && *in.ServiceAccount, Origin: api.Admin, CreatedAt: now, UpdatedAt: now}
	if prev != nil {
		out.CreatedAt, out.SsoLink, out.LastSsoLoginAt = prev.CreatedAt, prev.SsoLink, prev.LastSsoLoginAt
		if prev.Origin != "" {
			out.Origin = prev.Origin
		}
	}
	m := meta{unique: []string{uniqueKey("username", in.Username)},
		facts: map[string]string{"auth_mode": string(in.AuthMode), "account_state": string(in.AccountState),
			"break_glass": strconv.FormatBool(out.BreakGlass)}}
	if in.Email != nil {
		if err := checkEmail("email", *in.Email); err != nil {
			return out, meta{}, err
		}
		m.unique = append(m.unique, emailKey(*in.Email))
		m.facts["email"] = *in.Email
	}
	if err := checkName("username", in.Username); err != nil {
		return out, meta{}, err
	}
	if in.DisplayName != nil {
		if err := checkChars("display_name", *in.DisplayName, false); err != nil {
			return out, meta{}, err
		}
	}
	if out.BreakGlass && out.AuthMode == api.SSOREQUIRED {
		return out, meta{}, invalid("a break-glass user must keep a local login: auth_mode cannot be SSO_REQUIRED")
	}
	return out, m, nil
}

// emailKey is a user's email as a unique key: exact, not lower-cased.
func emailKey(email string) string { return "email:" + email }

func buildUserTemplate(in api.UserTemplateInput, id string, created, now time.Time) (api.UserTemplate, meta, error) {
	out := api.UserTemplate{Id: id, Name: in.Name, DefaultAuthMode: in.DefaultAuthMode, CreatedAt: created, UpdatedAt: now}
	if in.Description != nil {
		out.Description = *in.Description
	}
	if err := checkName("name", in.Name); err != nil {
		return out, meta{}, err
	}
	return out, meta{unique: []string{uniqueKey("name", in.Name)},
		facts: map[string]string{"name": in.Name, "default_auth_mode": string(in.DefaultAuthMode)}}, nil
}

func clientTypeFixed(prev, next api.ClientType) error {
	if prev != next {
		return problemf(http.StatusConflict, api.ProblemCodeConflict, "client_type cannot change from %s to %s; create a new application", prev, next)
	}
	return nil
}
