package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/portal-id/migration-console/engine/inventory"
)

// groupUsersPageLimit is GET /api/v1/groups/{groupId}/users' largest page
// (Okta Groups API, "List all member users":
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Group/#tag/Group/operation/listGroupUsers;
// limit defaults to 1000, paged by the Link rel="next" header).
const groupUsersPageLimit = 1000

// collectMembers lists one group's member users page by page, emitting
// each page as it arrives (a group of 100,000 users is never held whole),
// then says the listing is complete.
func (c *Collector) collectMembers(ctx context.Context, emit inventory.Emitter, groupID string) error {
	n := 0
	err := list[[]okta.User](ctx, c, DomainGroupMembers, fmt.Sprintf("/api/v1/groups/%s/users?limit=%d", groupID, groupUsersPageLimit), jsonArray,
		func(raws []json.RawMessage, pageID int64) error {
			members := make([]inventory.Member, 0, len(raws))
			for _, raw := range raws {
				m, err := NormalizeMember(raw, groupID)
				if err != nil {
					return err
				}
				m.EvidencePage = pageID
				members = append(members, m)
			}
			n += len(members)
			if len(members) == 0 {
				return nil
			}
			return emit.EmitMembers(ctx, members...)
		})
	if err != nil {
		return fmt.Errorf("collect okta group %s members: %w", groupID, err)
	}
	return emit.MembersListed(ctx, inventory.MemberListing{GroupID: groupID, Members: n})
}

// NormalizeMember reads one user of a group's member listing (the User
// object:
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/).
// Okta groups hold users only: no nested groups.
func NormalizeMember(raw json.RawMessage, groupID string) (inventory.Member, error) {
	o, err := parseObject(raw)
	if err != nil {
		return inventory.Member{}, wrapErr("group member", err)
	}
	prof := o.Obj("profile")
	status := o.Str("status")
	name := prof.Str("displayName")
	if name == "" {
		name = strings.TrimSpace(prof.Str("firstName") + " " + prof.Str("lastName"))
	}
	return inventory.Member{
		GroupID: groupID, SourceID: o.Str("id"), Type: inventory.MemberUser,
		Login: prof.Str("login"), Email: prof.Str("email"), DisplayName: name,
		State: userState(status), VendorStatus: status, Raw: raw,
	}, nil
}

// userState maps an Okta user status (UserStatus: ACTIVE, PASSWORD_EXPIRED,
// LOCKED_OUT and RECOVERY can still sign in once they act; STAGED and
// PROVISIONED have not activated; SUSPENDED and DEPROVISIONED cannot sign
// in) to a vendor-neutral state.
func userState(status string) inventory.State {
	switch strings.ToUpper(status) {
	case "ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY":
		return inventory.StateActive
	case "STAGED", "PROVISIONED", "SUSPENDED", "DEPROVISIONED":
		return inventory.StateInactive
	}
	return inventory.StateUnknown
}

// idOf is a payload element's "id" ("" when it has none).
func idOf(raw json.RawMessage) string {
	var e struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	return e.ID
}
