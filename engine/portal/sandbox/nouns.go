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
		ScimDeprovisioningEnabled: in.ScimDeprovisioningEnabled, Enabled: in.Enabled, CreatedAt: created, UpdatedAt: now}
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
	return out, m, nil
}

// buildUser keeps prev's read-only SSO facts (nil prev for a create).
func buildUser(in api.UserInput, id string, prev *api.User, now time.Time) (api.User, meta, error) {
	out := api.User{Id: id, Email: in.Email, Username: in.Username, DisplayName: in.DisplayName, AuthMode: in.AuthMode,
		AccountState: in.AccountState, BreakGlass: in.BreakGlass != nil && *in.BreakGlass,
		ServiceAccount: in.ServiceAccount != nil && *in.ServiceAccount, CreatedAt: now, UpdatedAt: now}
	if prev != nil {
		out.CreatedAt, out.SsoLink, out.LastSsoLoginAt = prev.CreatedAt, prev.SsoLink, prev.LastSsoLoginAt
	}
	if err := checkEmail("email", in.Email); err != nil {
		return out, meta{}, err
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
	return out, meta{unique: []string{uniqueKey("email", in.Email), uniqueKey("username", in.Username)},
		facts: map[string]string{"email": in.Email, "auth_mode": string(in.AuthMode), "account_state": string(in.AccountState),
			"break_glass": strconv.FormatBool(out.BreakGlass)}}, nil
}

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
