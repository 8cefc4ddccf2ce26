package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Group membership is who is directly in which incumbent group, read from
// each group's member listing (Okta GET /api/v1/groups/{id}/users, Graph
// GET /groups/{id}/members). It is a relation between groups and the
// people (and devices, apps, nested groups) in them, not an eighth item
// kind: a tenant of 100,000 users in 5,000 groups holds hundreds of
// thousands of pairs, which would swamp the items table, its search index
// and every screen that lists items. The store keeps each member once per
// snapshot and each (group, member) pair as a row, so both questions are
// one indexed lookup: the members of a group, and the groups of a person
// (docs/architecture.md, "Group membership").

// MemberType is what a member is, the same for every incumbent.
type MemberType string

const (
	MemberUser MemberType = "user"
	// MemberGroup is a nested group (Graph); its own members are members
	// of the outer group too.
	MemberGroup            MemberType = "group"
	MemberDevice           MemberType = "device"
	MemberServicePrincipal MemberType = "service_principal"
	// MemberContact is a Graph organizational contact: an address book
	// entry, not an account.
	MemberContact MemberType = "contact"
	// MemberOther is a type this build does not know, or a member whose
	// type the payload did not say (VendorType keeps what was sent).
	MemberOther MemberType = "other"
)

// MemberTypes is the closed set of member types.
var MemberTypes = []MemberType{MemberUser, MemberGroup, MemberDevice, MemberServicePrincipal, MemberContact, MemberOther}

// Member is one direct member of one group, as the group's member listing
// gave it. Fields tagged raw:"verbatim" are copied unchanged from the
// member's raw payload (the conformance suite checks it).
type Member struct {
	// GroupID is the group's source id.
	GroupID string `json:"group_id"`
	// SourceID is the member's own id in the incumbent.
	SourceID string     `json:"source_id" raw:"verbatim"`
	Type     MemberType `json:"type"`
	// VendorType: Graph's "@odata.type" as sent ("#microsoft.graph.user";
	// "" when Graph sent none); "" for Okta, whose listing holds users
	// only.
	VendorType string `json:"vendor_type,omitempty" raw:"verbatim"`
	// Login: Okta profile.login; Graph userPrincipalName.
	Login string `json:"login,omitempty" raw:"verbatim"`
	// Email: Okta profile.email; Graph mail.
	Email string `json:"email,omitempty" raw:"verbatim"`
	// DisplayName: Okta profile.displayName, else firstName and lastName;
	// Graph displayName.
	DisplayName string `json:"display_name,omitempty"`
	// State: Okta status ACTIVE (and the other statuses of a user who can
	// sign in: PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY) is active; STAGED,
	// PROVISIONED, SUSPENDED and DEPROVISIONED are inactive. Graph
	// accountEnabled. Unknown when the payload does not say.
	State State `json:"state"`
	// VendorStatus: Okta status as sent; Graph accountEnabled as "true" or
	// "false".
	VendorStatus string `json:"vendor_status,omitempty"`
	// EvidencePage is the evidence page the member was listed on.
	EvidencePage int64 `json:"evidence_page"`
	// Raw is the member's payload as received; collectors fill it for the
	// conformance suite, the store keeps the evidence page instead.
	Raw []byte `json:"-"`
}

// Label names a member for people: its email, else its login, else its
// display name, else its id.
func (m Member) Label() string {
	for _, s := range []string{m.Email, m.Login, m.DisplayName} {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return m.SourceID
}

// CanonicalEmail is an email as an SSO login matches it: Unicode NFC, then
// case folded. Two accounts with the same canonical email cannot be told
// apart by a login. The store keys members by it, and the rollout matches
// incumbent members to Portal users with it.
func CanonicalEmail(email string) string {
	return cases.Fold().String(norm.NFC.String(strings.TrimSpace(email)))
}

// MemberListing says one group's member listing was read to its end.
type MemberListing struct {
	GroupID string `json:"group_id"`
	Members int    `json:"members"`
}

// MemberSink receives a collector's group memberships. A collector emits a
// group's members page by page, then says the listing is complete; the
// sink persists a listing only with or after its members, so a group
// marked listed always has all of its members stored.
type MemberSink interface {
	EmitMembers(ctx context.Context, members ...Member) error
	MembersListed(ctx context.Context, listing MemberListing) error
}

// MembershipSummary is what a snapshot holds of group membership.
type MembershipSummary struct {
	// Collected: every group of the snapshot had its member listing read
	// to its end. Snapshots taken before the console read memberships hold
	// none: collect again to pilot by group.
	Collected bool `json:"collected"`
	// Groups is the snapshot's groups; Listed those whose members were
	// read.
	Groups int `json:"groups"`
	Listed int `json:"listed"`
	// Memberships is the direct (group, member) pairs.
	Memberships int `json:"memberships"`
	// Members is the distinct members by type.
	Members map[MemberType]int `json:"members"`
}

// MemberQuery selects a window of one group's direct members, ordered by
// label, or all of them (Limit 0) in the order they were stored.
type MemberQuery struct {
	SnapshotID string
	GroupID    string
	Offset     int
	Limit      int
}

// MemberPage is one window of a group's members and their count.
type MemberPage struct {
	Members []Member `json:"members"`
	Total   int      `json:"total"`
}

// GroupRef names a group of a snapshot.
type GroupRef struct {
	SourceID string `json:"source_id"`
	Name     string `json:"name"`
}

// MemberOf is a member found for an identifier, with the groups it is
// directly in.
type MemberOf struct {
	Member Member     `json:"member"`
	Groups []GroupRef `json:"groups"`
}

// MembershipTx is what membership queries read.
type MembershipTx interface {
	MembershipSummary(snapshotID string) (MembershipSummary, error)
	// FindGroups returns the snapshot's groups whose source id is ref, or
	// whose name is ref up to case.
	FindGroups(snapshotID, ref string) ([]GroupRef, error)
	// GroupMembers returns a window of a group's direct members, and
	// whether the group's listing was read to its end.
	GroupMembers(q MemberQuery) (MemberPage, bool, error)
	// MemberGroups returns the members whose source id, email or login
	// (canonical) is who, each with the groups it is directly in.
	MemberGroups(snapshotID, who string) ([]MemberOf, error)
}

// Membership returns what a snapshot holds of group membership.
func (s *Service) Membership(ctx context.Context, snapshotID string) (MembershipSummary, error) {
	var sum MembershipSummary
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		sum, err = tx.MembershipSummary(snapshotID)
		return err
	})
	if err != nil {
		return sum, fmt.Errorf("read the membership of snapshot %s: %w", snapshotID, err)
	}
	return sum, nil
}

// ErrGroupNotFound is returned for a group a snapshot does not hold.
var ErrGroupNotFound = errors.New("no such group")

// GroupMembers returns the direct members of the group named ref (its id,
// or its name up to case) in a snapshot. A name two groups share is
// refused naming both.
func (s *Service) GroupMembers(ctx context.Context, snapshotID, ref string, offset, limit int) (GroupRef, MemberPage, error) {
	var g GroupRef
	var page MemberPage
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if g, err = FindGroup(tx, snapshotID, ref); err != nil {
			return err
		}
		var listed bool
		page, listed, err = tx.GroupMembers(MemberQuery{SnapshotID: snapshotID, GroupID: g.SourceID, Offset: offset, Limit: limit})
		if err == nil && !listed {
			err = ErrMembershipNotCollected
		}
		return err
	})
	if err != nil {
		return g, page, fmt.Errorf("members of %q: %w", ref, err)
	}
	return g, page, nil
}

// MemberGroups returns the members of a snapshot's groups that who names
// (an id, an email or a login; emails and logins match canonically), each
// with the groups it is directly in.
func (s *Service) MemberGroups(ctx context.Context, snapshotID, who string) ([]MemberOf, error) {
	var out []MemberOf
	err := s.Store.View(ctx, func(tx Tx) error {
		sum, err := tx.MembershipSummary(snapshotID)
		if err != nil {
			return err
		}
		if !sum.Collected {
			return ErrMembershipNotCollected
		}
		out, err = tx.MemberGroups(snapshotID, who)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("groups of %q: %w", who, err)
	}
	return out, nil
}

// ErrMembershipNotCollected is returned for a snapshot (or a group) whose
// member listings were not read: one taken before the console read group
// membership.
var ErrMembershipNotCollected = errors.New("this snapshot holds no group membership (it was taken before the console read memberships); collect the source again")

// FindGroup resolves ref (a group's id, or its name up to case) in a
// snapshot to exactly one group.
func FindGroup(tx MembershipTx, snapshotID, ref string) (GroupRef, error) {
	ref = strings.TrimSpace(ref)
	gs, err := tx.FindGroups(snapshotID, ref)
	if err != nil {
		return GroupRef{}, err
	}
	switch len(gs) {
	case 0:
		return GroupRef{}, fmt.Errorf("%w: no group %q in snapshot %s", ErrGroupNotFound, ref, snapshotID)
	case 1:
		return gs[0], nil
	}
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.Name+" ("+g.SourceID+")")
	}
	return GroupRef{}, fmt.Errorf("%w: %d groups are named %q: %s; give the id", ErrAmbiguousGroup, len(gs), ref, strings.Join(ids, ", "))
}

// ErrAmbiguousGroup is returned for a group name several groups share.
var ErrAmbiguousGroup = errors.New("ambiguous group name")
