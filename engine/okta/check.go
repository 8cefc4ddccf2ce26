package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
)

// Test asks each inventory domain for its first element, a few domains at
// a time. Assignments are probed on the first application, group members
// on the first group; with none, they are reported as the applications (or
// groups) domain was.
func (c *Collector) Test(ctx context.Context) []inventory.DomainCheck {
	var apps, groups []json.RawMessage
	first := []inventory.DomainProbe{
		{Domain: DomainApplications, Check: func(ctx context.Context) inventory.DomainCheck {
			check, elems := c.probe(ctx, "/api/v1/apps?limit=1")
			apps = elems
			return check
		}},
		{Domain: DomainGroups, Check: func(ctx context.Context) inventory.DomainCheck {
			check, elems := c.probe(ctx, "/api/v1/groups?limit=1")
			groups = elems
			return check
		}},
	}
	for _, p := range []struct{ domain, url string }{
		{DomainIdentityProviders, "/api/v1/idps?limit=1"},
		{DomainRoutingRules, "/api/v1/policies?type=IDP_DISCOVERY"},
		{DomainPolicies, "/api/v1/policies?type=OKTA_SIGN_ON"},
		{DomainDomains, "/api/v1/domains"},
	} {
		first = append(first, inventory.DomainProbe{Domain: p.domain, Check: func(ctx context.Context) inventory.DomainCheck {
			check, _ := c.probe(ctx, p.url)
			return check
		}})
	}
	checks := inventory.CheckDomains(ctx, first)
	appsCheck, groupsCheck := checks[0], checks[1]

	var appID, groupID string
	if len(apps) > 0 {
		appID = idOf(apps[0])
	}
	if len(groups) > 0 {
		groupID = idOf(groups[0])
	}
	var second []inventory.DomainProbe
	for _, p := range []struct{ domain, sub string }{
		{DomainAppGroupAssignments, "groups"}, {DomainAppUserAssignments, "users"},
	} {
		second = append(second, inventory.DomainProbe{Domain: p.domain, Check: func(ctx context.Context) inventory.DomainCheck {
			if appID == "" {
				return appsCheck
			}
			check, _ := c.probe(ctx, fmt.Sprintf("/api/v1/apps/%s/%s?limit=1", appID, p.sub))
			return check
		}})
	}
	second = append(second, inventory.DomainProbe{Domain: DomainGroupMembers, Check: func(ctx context.Context) inventory.DomainCheck {
		if groupID == "" {
			return groupsCheck
		}
		check, _ := c.probe(ctx, fmt.Sprintf("/api/v1/groups/%s/users?limit=1", groupID))
		return check
	}})
	checks = append(checks, inventory.CheckDomains(ctx, second)...)
	for i := range checks {
		checks[i].Needs = scopeOf[checks[i].Domain]
	}
	return checks
}

// scopeOf is the read-only OAuth scope (Scopes) each domain needs: with an
// API token, the admin role behind it must grant the same reads.
var scopeOf = map[string]string{
	DomainApplications: "okta.apps.read", DomainAppGroupAssignments: "okta.apps.read", DomainAppUserAssignments: "okta.apps.read",
	DomainGroups: "okta.groups.read", DomainGroupMembers: "okta.groups.read", DomainIdentityProviders: "okta.idps.read",
	DomainRoutingRules: "okta.policies.read", DomainPolicies: "okta.policies.read", DomainDomains: "okta.domains.read",
}

// probe reads url through the SDK and reports whether it was readable,
// with the elements of the list it returned.
func (c *Collector) probe(ctx context.Context, url string) (inventory.DomainCheck, []json.RawMessage) {
	rq := c.sdk.CloneRequestExecutor().WithAccept("application/json").WithContentType("application/json")
	var check inventory.DomainCheck
	req, err := rq.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		// A private-key source fetches its token here.
		check.Message = apiError(err).Error()
		return check, nil
	}
	var raw json.RawMessage
	resp, err := rq.Do(ctx, req, &raw)
	if resp != nil {
		check.Status = resp.StatusCode
	}
	var oe *okta.Error
	switch {
	case errors.As(err, &oe):
		check.Code, check.Message = oe.ErrorCode, firstNonEmpty(oe.ErrorSummary, oe.ErrorDescription, oe.ErrorMessage)
		return check, nil
	case err != nil:
		check.Message = netguard.Unquote(err).Error()
		return check, nil
	}
	check.Readable = true
	elems, _ := jsonArray(raw)
	return check, elems
}
