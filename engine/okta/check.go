package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Test asks each inventory domain for its first element, a few domains at
// a time. Assignments are probed on the first application; with none, they
// are reported as the applications domain was.
func (c *Collector) Test(ctx context.Context) []inventory.DomainCheck {
	var apps []json.RawMessage
	first := []inventory.DomainProbe{
		{Domain: DomainApplications, Check: func(ctx context.Context) inventory.DomainCheck {
			check, elems := c.probe(ctx, "/api/v1/apps?limit=1")
			apps = elems
			return check
		}},
	}
	for _, p := range []struct{ domain, url string }{
		{DomainGroups, "/api/v1/groups?limit=1"},
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
	appsCheck := checks[0]

	var appID string
	if len(apps) > 0 {
		var a struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(apps[0], &a) == nil {
			appID = a.ID
		}
	}
	var assignments []inventory.DomainProbe
	for _, p := range []struct{ domain, sub string }{
		{DomainAppGroupAssignments, "groups"}, {DomainAppUserAssignments, "users"},
	} {
		assignments = append(assignments, inventory.DomainProbe{Domain: p.domain, Check: func(ctx context.Context) inventory.DomainCheck {
			if appID == "" {
				return appsCheck
			}
			check, _ := c.probe(ctx, fmt.Sprintf("/api/v1/apps/%s/%s?limit=1", appID, p.sub))
			return check
		}})
	}
	return append(checks, inventory.CheckDomains(ctx, assignments)...)
}

// probe reads url through the SDK and reports whether it was readable,
// with the elements of the list it returned.
func (c *Collector) probe(ctx context.Context, url string) (inventory.DomainCheck, []json.RawMessage) {
	rq := c.sdk.CloneRequestExecutor().WithAccept("application/json").WithContentType("application/json")
	var check inventory.DomainCheck
	req, err := rq.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		check.Message = err.Error()
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
		check.Message = err.Error()
		return check, nil
	}
	check.Readable = true
	elems, _ := jsonArray(raw)
	return check, elems
}
