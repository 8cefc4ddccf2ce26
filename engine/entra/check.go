package entra

import (
	"context"
	"errors"

	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/portal-id/migration-console/engine/inventory"
)

var one int32 = 1

// check turns a probe's error into a DomainCheck: Graph's own refusal
// (e.g. Authorization_RequestDenied) or the transport's error text.
func check(err error) inventory.DomainCheck {
	d := inventory.DomainCheck{Readable: err == nil}
	if err == nil {
		return d
	}
	var g *GraphError
	if errors.As(graphError(err), &g) {
		d.Status, d.Code, d.Message = g.Status, g.Code, g.Message
	} else {
		d.Message = err.Error()
	}
	return d
}

// Test asks each domain for one element, the least a read can fetch, a
// few domains at a time. appRoleAssignedTo is tried on the first service
// principal found, a group's members on the first group: a credential with
// Group.Read.All or GroupMember.Read.All reads them, one with only
// Application.Read.All and Policy.Read.All does not.
func (c *Collector) Test(ctx context.Context) []inventory.DomainCheck {
	var spID, groupID *string
	var spsReadable, groupsReadable bool
	probes := []inventory.DomainProbe{
		{Domain: DomainApplications, Check: func(ctx context.Context) inventory.DomainCheck {
			_, err := c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
				QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
			})
			return check(err)
		}},
		{Domain: DomainServicePrincipals, Check: func(ctx context.Context) inventory.DomainCheck {
			sps, err := c.client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
				QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
			})
			if err == nil {
				spsReadable = true
				if v := sps.GetValue(); len(v) > 0 {
					spID = v[0].GetId()
				}
			}
			return check(err)
		}},
		{Domain: DomainDomains, Check: func(ctx context.Context) inventory.DomainCheck {
			_, err := c.client.Domains().Get(ctx, nil)
			return check(err)
		}},
		{Domain: DomainGroups, Check: func(ctx context.Context) inventory.DomainCheck {
			gs, err := c.client.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
			})
			if err == nil {
				groupsReadable = true
				if v := gs.GetValue(); len(v) > 0 {
					groupID = v[0].GetId()
				}
			}
			return check(err)
		}},
		{Domain: DomainConditionalAccess, Check: func(ctx context.Context) inventory.DomainCheck {
			_, err := c.client.Identity().ConditionalAccess().Policies().Get(ctx, nil)
			return check(err)
		}},
	}
	checks := inventory.CheckDomains(ctx, probes)
	assignments := inventory.DomainCheck{Domain: DomainAppRoleAssignments}
	switch {
	case !spsReadable:
		assignments.Message = "not tested: service principals are not readable"
	case spID == nil:
		assignments.Readable, assignments.Message = true, "no service principal to read assignments of"
	default:
		_, err := c.client.ServicePrincipals().ByServicePrincipalId(*spID).AppRoleAssignedTo().Get(ctx, &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{Top: &one},
		})
		assignments = check(err)
		assignments.Domain = DomainAppRoleAssignments
	}
	members := inventory.DomainCheck{Domain: DomainGroupMembers}
	switch {
	case !groupsReadable:
		members.Message = "not tested: groups are not readable"
	case groupID == nil:
		members.Readable, members.Message = true, "no group to read the members of"
	default:
		_, err := c.client.Groups().ByGroupId(*groupID).Members().Get(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Top: &one, Select: []string{"id"}},
		})
		members = check(err)
		members.Domain = DomainGroupMembers
	}
	checks = append(checks, assignments, members)
	for i := range checks {
		checks[i].Needs = permissionOf[checks[i].Domain]
	}
	return checks
}

// permissionOf is the least-privileged Graph application permission that
// reads each domain (the Graph API reference's permissions table of each
// listing; Directory.Read.All reads them all but policies).
var permissionOf = map[string]string{
	DomainApplications: "Application.Read.All", DomainServicePrincipals: "Application.Read.All",
	DomainAppRoleAssignments: "Application.Read.All", DomainDomains: "Domain.Read.All",
	DomainGroups: "GroupMember.Read.All or Group.Read.All", DomainGroupMembers: "GroupMember.Read.All or Group.Read.All",
	DomainConditionalAccess: "Policy.Read.All",
}
