package entra

import (
	"context"
	"errors"

	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
)

// DomainCheck is one row of `migctl source test` (the same shape as
// engine/okta's): whether the credential can read an inventory domain, or
// Graph's own refusal (e.g. Authorization_RequestDenied), or the
// transport's error text.
type DomainCheck struct {
	Domain       string `json:"domain"`
	Readable     bool   `json:"readable"`
	Status       int    `json:"status,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorSummary string `json:"error_summary,omitempty"`
}

var one int32 = 1

// Test asks each domain for one element, the least a read can fetch.
// appRoleAssignedTo is tried on the first service principal found.
func (c *Collector) Test(ctx context.Context) []DomainCheck {
	check := func(domain string, err error) DomainCheck {
		d := DomainCheck{Domain: domain, Readable: err == nil}
		if err == nil {
			return d
		}
		var g *GraphError
		if errors.As(graphError(err), &g) {
			d.Status, d.ErrorCode, d.ErrorSummary = g.Status, g.Code, g.Message
		} else {
			d.ErrorSummary = err.Error()
		}
		return d
	}
	var checks []DomainCheck
	_, err := c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
	})
	checks = append(checks, check(DomainApplications, err))
	sps, err := c.client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
	})
	checks = append(checks, check(DomainServicePrincipals, err))
	_, err = c.client.Domains().Get(ctx, nil)
	checks = append(checks, check(DomainDomains, err))
	_, err = c.client.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
	})
	checks = append(checks, check(DomainGroups, err))
	_, err = c.client.Identity().ConditionalAccess().Policies().Get(ctx, nil)
	checks = append(checks, check(DomainConditionalAccess, err))

	switch {
	case sps == nil:
		checks = append(checks, DomainCheck{Domain: DomainAppRoleAssignments, ErrorSummary: "not tested: service principals are not readable"})
	case len(sps.GetValue()) == 0:
		checks = append(checks, DomainCheck{Domain: DomainAppRoleAssignments, Readable: true, ErrorSummary: "no service principal to read assignments of"})
	default:
		_, err = c.client.ServicePrincipals().ByServicePrincipalId(str(sps.GetValue()[0].GetId())).AppRoleAssignedTo().Get(ctx, &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{Top: &one},
		})
		checks = append(checks, check(DomainAppRoleAssignments, err))
	}
	return checks
}
