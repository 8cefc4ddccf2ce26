package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/portal-id/migration-console/engine/inventory"
)

// memberFields are what the console reads of a group's members (Graph
// "List group members", GET /groups/{id}/members:
// https://learn.microsoft.com/graph/api/group-list-members?view=graph-rest-1.0;
// application permission GroupMember.Read.All, or Group.Read.All or
// Directory.Read.All). The collection is of directoryObjects: users, nested
// groups, devices, service principals and organizational contacts, each
// with its "@odata.type"; a property its type lacks is left out.
var memberFields = []string{"id", "userPrincipalName", "mail", "displayName", "accountEnabled"}

// defaultMemberWorkers keeps enough member listings (one or more requests
// per group) in flight that Graph's budget, not its latency, sets the
// pace.
const defaultMemberWorkers = 16

// members lists one group's direct members page by page (@odata.nextLink),
// emitting each page as it is read, then says the listing is complete.
// Nested groups are members like any other; their own members come from
// their own listing.
func (c *Collector) members(ctx context.Context, groupID string, emit inventory.MemberSink) error {
	n := 0
	var batch []inventory.Member
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := emit.EmitMembers(ctx, batch...)
		batch = nil
		return err
	}
	err := walk(ctx, c, DomainGroupMembers, func(ctx context.Context) (serialization.Parsable, error) {
		return c.client.Groups().ByGroupId(groupID).Members().Get(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Top: &pageSize, Select: memberFields},
		})
	}, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue, func(_ models.DirectoryObjectable, raw json.RawMessage, pageID int64) error {
		m, err := normalizeMember(groupID, raw)
		if err != nil {
			return err
		}
		m.EvidencePage = pageID
		// A page's members go out together, before the next page is read.
		if len(batch) > 0 && batch[0].EvidencePage != pageID {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, m)
		n++
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("collect entra group %s members: %w", groupID, err)
	}
	return emit.MembersListed(ctx, inventory.MemberListing{GroupID: groupID, Members: n})
}

// memberTypes maps a directoryObject's "@odata.type" to a member type.
var memberTypes = map[string]inventory.MemberType{
	"#microsoft.graph.user":             inventory.MemberUser,
	"#microsoft.graph.group":            inventory.MemberGroup,
	"#microsoft.graph.device":           inventory.MemberDevice,
	"#microsoft.graph.servicePrincipal": inventory.MemberServicePrincipal,
	"#microsoft.graph.orgContact":       inventory.MemberContact,
}

// normalizeMember reads one directoryObject of a group's member listing
// (Graph user, group, device, servicePrincipal or orgContact). A member
// whose "@odata.type" is absent (Graph's own published example omits it)
// or unknown to this build is kept as MemberOther with what it carries.
func normalizeMember(groupID string, raw json.RawMessage) (inventory.Member, error) {
	o, id, err := parseElement(raw)
	if err != nil {
		return inventory.Member{}, err
	}
	vt := o.Str("@odata.type")
	typ, ok := memberTypes[vt]
	if !ok {
		typ = inventory.MemberOther
	}
	m := inventory.Member{GroupID: groupID, SourceID: id, Type: typ, VendorType: vt,
		Login: o.Str("userPrincipalName"), Email: o.Str("mail"), DisplayName: o.Str("displayName"), State: inventory.StateUnknown, Raw: raw}
	if enabled := o.Bool("accountEnabled"); enabled.Known() {
		m.State, m.VendorStatus = inventory.StateInactive, strconv.FormatBool(enabled == inventory.Yes)
		if enabled == inventory.Yes {
			m.State = inventory.StateActive
		}
	}
	return m, nil
}
