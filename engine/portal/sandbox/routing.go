package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// ResolveRouting runs the login page's discovery for one identifier, as the
// contract describes: by priority, then by the most specific domain, with
// ambiguity when providers tie.
func (s *Server) ResolveRouting(ctx context.Context, r api.ResolveRoutingRequestObject) (api.ResolveRoutingResponseObject, error) {
	tenant := principalFrom(ctx).Tenant
	var res api.RoutingResolution
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		res, err = resolve(tx, tenant, strings.TrimSpace(r.Params.Identifier))
		return err
	})
	if err != nil {
		return nil, err
	}
	return api.ResolveRouting200JSONResponse(res), nil
}

// ListRoles serves the fixed role catalogue in one page.
func (s *Server) ListRoles(_ context.Context, _ api.ListRolesRequestObject) (api.ListRolesResponseObject, error) {
	return api.ListRoles200JSONResponse{Items: slices.Clone(roles)}, nil
}

// all reads every object of kind, page by page.
func all[T any](tx Tx, tenant string, kind Kind) ([]T, error) {
	var out []T
	var after int64
	for {
		objs, err := tx.List(tenant, kind, after, 500)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		for _, o := range objs {
			var v T
			if err := json.Unmarshal(o.Body, &v); err != nil {
				return nil, fmt.Errorf("decode stored %s %s: %w", kind, o.ID, err)
			}
			out = append(out, v)
			after = o.Seq
		}
		if len(objs) < 500 {
			return out, nil
		}
	}
}

// lookup returns the object holding a unique key, if any.
func lookup[T any](tx Tx, tenant string, kind Kind, key string) (*T, error) {
	id, err := tx.Owner(tenant, kind, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", kind, err)
	}
	_, v, err := load[T](tx, tenant, kind, id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// routes is a tenant's routing state, read once for many resolutions.
type routes struct {
	rules     []api.RoutingRule
	providers map[string]api.UpstreamProvider
	configs   map[string]api.SsoConfiguration // by provider id
}

func loadRoutes(tx Tx, tenant string) (routes, error) {
	rt := routes{providers: map[string]api.UpstreamProvider{}, configs: map[string]api.SsoConfiguration{}}
	var err error
	if rt.rules, err = all[api.RoutingRule](tx, tenant, KindRoutingRule); err != nil {
		return rt, err
	}
	provs, err := all[api.UpstreamProvider](tx, tenant, KindUpstreamProvider)
	if err != nil {
		return rt, err
	}
	for _, p := range provs {
		rt.providers[p.Id] = p
	}
	cfgs, err := all[api.SsoConfiguration](tx, tenant, KindSsoConfiguration)
	if err != nil {
		return rt, err
	}
	for _, c := range cfgs {
		rt.configs[c.ProviderId] = c
	}
	return rt, nil
}

func resolve(tx Tx, tenant, identifier string) (api.RoutingResolution, error) {
	res := api.RoutingResolution{Identifier: identifier, IdentifierType: api.Email, MatchedRules: []api.MatchedRoutingRule{}}
	var user *api.User
	var err error
	email := identifier
	if !strings.Contains(identifier, "@") {
		res.IdentifierType = api.Username
		if user, err = lookup[api.User](tx, tenant, KindUser, uniqueKey("username", identifier)); err != nil {
			return res, err
		}
		switch {
		case user == nil:
			res.Outcome, res.Deterministic = api.Unrouted, true
			res.Reason = "No user has this username, and a username alone names no email domain to route by: the login page asks for a password."
			return res, nil
		case user.Email == nil:
			res.UserId, res.AuthMode = &user.Id, &user.AuthMode
			res.Outcome, res.Deterministic = api.Unrouted, true
			res.Reason = fmt.Sprintf("User %s has no email, so nothing routes them to a provider: they can only log in locally until an email is set.", user.Username)
			return res, nil
		}
		email = *user.Email
	} else if user, err = lookup[api.User](tx, tenant, KindUser, emailKey(identifier)); err != nil {
		return res, err
	}
	if user != nil {
		res.UserId, res.AuthMode = &user.Id, &user.AuthMode
	}
	rt, err := loadRoutes(tx, tenant)
	if err != nil {
		return res, err
	}
	return rt.resolveEmail(res, email), nil
}

// resolveEmail fills res for an email address.
func (rt routes) resolveEmail(res api.RoutingResolution, email string) api.RoutingResolution {
	res.Email = &email
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	res.Domain = &domain
	res.MatchedRules = rt.match(domain)
	res.Deterministic = true
	if len(res.MatchedRules) == 0 {
		res.Outcome = api.Unrouted
		res.Reason = fmt.Sprintf("No routing rule covers %s: the login page asks for a password.", domain)
		return res
	}
	best := res.MatchedRules[0]
	var tied []string
	for _, m := range res.MatchedRules {
		if m.Priority == best.Priority && !slices.Contains(tied, m.ProviderId) {
			tied = append(tied, m.ProviderId)
		}
	}
	if len(tied) > 1 {
		res.Outcome, res.Deterministic = api.Ambiguous, false
		names := make([]string, len(tied))
		for i, id := range tied {
			names[i] = rt.providerName(id)
		}
		res.Reason = fmt.Sprintf("%s is matched at priority %d by rules to %d providers (%s): routing is ambiguous, so nobody with this email is redirected. Give one rule a lower priority or remove one.",
			domain, best.Priority, len(tied), strings.Join(names, ", "))
		return res
	}
	name := rt.providerName(best.ProviderId)
	res.ProviderId, res.ProviderName = &best.ProviderId, &name
	via := fmt.Sprintf("%s is routed by rule %q (priority %d, domain %s) to %s", domain, best.RuleName, best.Priority, best.MatchedDomain, name)
	cfg, ok := rt.configs[best.ProviderId]
	if !ok {
		res.Outcome = api.NoSsoConfiguration
		res.Reason = via + ", which has no SSO configuration: the login cannot complete by SSO."
		return res
	}
	res.SsoConfigurationId, res.SsoConfigurationEnabled = &cfg.Id, &cfg.Enabled
	if !cfg.Enabled {
		res.Outcome = api.NoSsoConfiguration
		res.Reason = via + ", whose SSO configuration is disabled: the login page asks for a password."
		return res
	}
	res.Outcome = api.Routed
	res.Reason = via + ", whose SSO configuration is enabled."
	if res.AuthMode != nil && *res.AuthMode == api.LOCALONLY {
		res.Reason += " This user is LOCAL_ONLY, so they keep logging in with a password until their auth_mode changes."
	}
	return res
}

// match lists the rules covering domain, best first: lower priority, then
// the more specific domain.
func (rt routes) match(domain string) []api.MatchedRoutingRule {
	out := []api.MatchedRoutingRule{}
	for _, r := range rt.rules {
		bestDomain := ""
		for _, d := range r.Domains {
			if (domain == d || strings.HasSuffix(domain, "."+d)) && len(d) > len(bestDomain) {
				bestDomain = d
			}
		}
		if bestDomain != "" {
			out = append(out, api.MatchedRoutingRule{RuleId: r.Id, RuleName: r.Name, Priority: r.Priority, MatchedDomain: bestDomain, ProviderId: r.ProviderId})
		}
	}
	slices.SortStableFunc(out, func(a, b api.MatchedRoutingRule) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return len(b.MatchedDomain) - len(a.MatchedDomain)
	})
	return out
}

func (rt routes) providerName(id string) string {
	if p, ok := rt.providers[id]; ok {
		return p.Name
	}
	return id
}

// issuer is the upstream identity's issuer for a provider: the SAML entity
// id or the OIDC issuer.
func (rt routes) issuer(providerID string) string {
	p := rt.providers[providerID]
	switch {
	case p.Saml != nil:
		return p.Saml.EntityId
	case p.Oidc != nil:
		return p.Oidc.Issuer
	}
	return providerID
}
