package client

import (
	"context"
	"fmt"
)

// Noun names as Counts reports them (the contract's path segments, in
// snake case, so they read the same in `migctl target show --json`).
const (
	NounUpstreamProviders = "upstream_providers"
	NounRoutingRules      = "routing_rules"
	NounGroups            = "groups"
	NounApplications      = "applications"
	NounAppAssignments    = "app_assignments"
	NounSsoConfigurations = "sso_configurations"
	NounUsers             = "users"
	NounUserTemplates     = "user_templates"
)

// Counts walks every list of live target state and returns how many objects
// each noun holds. The audit trail and SSO event log are history, not state,
// and are not counted.
func (c *Client) Counts(ctx context.Context) (map[string]int, error) {
	counters := []struct {
		noun  string
		count func() (int, error)
	}{
		{NounUpstreamProviders, func() (int, error) { return count(c.UpstreamProviders(ctx)) }},
		{NounRoutingRules, func() (int, error) { return count(c.RoutingRules(ctx)) }},
		{NounGroups, func() (int, error) { return count(c.Groups(ctx)) }},
		{NounApplications, func() (int, error) { return count(c.Applications(ctx)) }},
		{NounAppAssignments, func() (int, error) { return count(c.AppAssignments(ctx)) }},
		{NounSsoConfigurations, func() (int, error) { return count(c.SsoConfigurations(ctx)) }},
		{NounUsers, func() (int, error) { return count(c.Users(ctx)) }},
		{NounUserTemplates, func() (int, error) { return count(c.UserTemplates(ctx)) }},
	}
	counts := make(map[string]int, len(counters))
	for _, k := range counters {
		n, err := k.count()
		if err != nil {
			return nil, fmt.Errorf("count live %s: %w", k.noun, err)
		}
		counts[k.noun] = n
	}
	return counts, nil
}
