package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// routingRule creates simple domain-based routing rules: the domains a
// user's email may end in, sent to one provider created in the same run or
// mapped to an existing one.
type routingRule struct{}

func (routingRule) Kind() Kind { return KindRoutingRule }

// maxDomains and maxPriority are the contract's bounds (RoutingRuleInput).
const (
	maxDomains  = 100
	maxPriority = 10000
)

func (routingRule) Plan(s Subject) Draft {
	r := s.Item.View.RoutingRule
	if r == nil {
		return followUp("the item has no routing-rule view to build the request from")
	}
	var domains []string
	for _, d := range r.Domains {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if d != "" && !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	switch {
	case len(domains) == 0:
		return followUp("the rule names no email domain; the Portal routes by domain only")
	case len(domains) > maxDomains:
		return followUp("the rule routes %d domains; a Portal routing rule takes at most %d", len(domains), maxDomains)
	}
	var providers []string
	for _, p := range r.Providers {
		if p.Type != "OKTA" && p.ID != "" {
			providers = append(providers, p.ID)
		}
	}
	if len(providers) != 1 {
		return followUp("the rule sends users to %d external providers; a Portal routing rule names exactly one", len(providers))
	}
	priority := min(max(r.Priority, 0), maxPriority)
	in := api.RoutingRuleInput{Name: s.Name, Domains: domains, Priority: priority}
	keys := make([]string, len(domains))
	for i, d := range domains {
		keys[i] = DomainKey(d)
	}
	return Draft{Disposition: Planned, Request: in, Keys: keys,
		Needs: []Need{{Field: "provider_id", Kind: KindUpstreamProvider, SourceID: providers[0], What: "provider " + providers[0]}}}
}

func (routingRule) KeysOf(request json.RawMessage) ([]string, error) {
	in, err := decode[api.RoutingRuleInput](request)
	keys := make([]string, len(in.Domains))
	for i, d := range in.Domains {
		keys[i] = DomainKey(d)
	}
	return keys, err
}

func (routingRule) Create(ctx context.Context, t Target, request json.RawMessage, key string) (Created, error) {
	in, err := decode[api.RoutingRuleInput](request)
	if err != nil {
		return Created{}, err
	}
	v, err := t.CreateRoutingRule(ctx, key, in)
	if err != nil {
		return Created{}, err
	}
	return Created{Object: versioned(v, ruleObject), Replayed: v.Replayed}, nil
}

func (routingRule) Get(ctx context.Context, t Target, id string) (Object, error) {
	v, err := t.GetRoutingRule(ctx, id)
	if err != nil {
		return Object{}, err
	}
	return versioned(v, ruleObject), nil
}

func (routingRule) Live(ctx context.Context, t Target, max int) ([]Object, error) {
	return drain(t.RoutingRules(ctx), max, "routing rules", ruleObject)
}

func (routingRule) Matches(request json.RawMessage, o Object) []string {
	want, err := decode[api.RoutingRuleInput](request)
	if err != nil {
		return []string{err.Error()}
	}
	got, err := decode[api.RoutingRule](o.Body)
	if err != nil {
		return []string{err.Error()}
	}
	var d differ
	d.str("name", want.Name, got.Name)
	d.set("domains", want.Domains, got.Domains)
	d.str("provider_id", want.ProviderId, got.ProviderId)
	d.str("priority", fmt.Sprint(want.Priority), fmt.Sprint(got.Priority))
	return d
}

func (routingRule) Delete(ctx context.Context, t Target, id, etag string) error {
	return t.DeleteRoutingRule(ctx, id, etag)
}

func ruleObject(r api.RoutingRule) Object {
	keys := make([]string, len(r.Domains))
	for i, d := range r.Domains {
		keys[i] = DomainKey(d)
	}
	return Object{ID: r.Id, Name: r.Name, Keys: keys, Body: encode(r)}
}
