package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// Why a member of a wave's incumbent groups is not one of its users.
const (
	// UnmatchedNoAccount: no Portal account has the member's email. The
	// SSO configuration's user template creates one at their first SSO
	// login (JIT).
	UnmatchedNoAccount = "no_portal_account"
	// UnmatchedAmbiguous: several Portal accounts share the email up to
	// case and Unicode form; an SSO login could not tell them apart.
	UnmatchedAmbiguous = "ambiguous_email"
	// UnmatchedNoEmail: the incumbent holds no email (nor an email-like
	// login) to match them by.
	UnmatchedNoEmail = "no_email"
	// UnmatchedInactive: not active in the incumbent (deprovisioned,
	// suspended, disabled): SSO through it would not sign them in.
	UnmatchedInactive = "inactive_in_incumbent"
	// UnmatchedNotPerson: a device, service principal, contact or other
	// non-user member.
	UnmatchedNotPerson = "not_a_person"
	// UnmatchedGroupNotListed: a nested group whose members the snapshot
	// does not hold.
	UnmatchedGroupNotListed = "group_not_listed"
)

// Unmatched is a member of a wave's incumbent groups that the wave does
// not move, and why.
type Unmatched struct {
	// IncumbentID is the member's id in the incumbent.
	IncumbentID string `json:"incumbent_id"`
	Label       string `json:"label"`
	// Via is the group path that reached it, outermost first
	// ("Finance › Finance Approvers").
	Via    string `json:"via"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	// Accounts are the Portal accounts an ambiguous email matches.
	Accounts []string `json:"accounts,omitempty"`
}

// groupWave resolves req's groups in an inventory snapshot, expands them
// (nested groups followed, loops cut) and matches every person to the
// Portal's users by canonical email. It returns the wave's members, the
// people it leaves out with why, the snapshot and the group names, and
// notes for the operator.
func (s *Service) groupWave(ctx context.Context, users []api.User, groups []string, snapshotID string) (gw groupSelection, err error) {
	err = s.Store.View(ctx, func(tx Tx) error {
		snap, roots, err := resolveGroups(tx, groups, snapshotID)
		if err != nil {
			return err
		}
		gw.snapshot, gw.roots = snap, roots
		gw.expansion, err = inventory.Expand(roots, func(id string) ([]inventory.Member, bool, error) {
			page, listed, err := tx.GroupMembers(inventory.MemberQuery{SnapshotID: snap.ID, GroupID: id})
			return page.Members, listed, err
		})
		return err
	})
	if err != nil {
		return gw, err
	}
	gw.members, gw.unmatched = matchPeople(users, gw.expansion, gw.snapshot.SourceName)
	for _, c := range gw.expansion.Cycles {
		gw.notes = append(gw.notes, "nested groups loop ("+c+"): each was followed once")
	}
	return gw, nil
}

// groupSelection is what a wave chosen by incumbent group found.
type groupSelection struct {
	snapshot  inventory.Snapshot
	roots     []inventory.GroupRef
	expansion inventory.Expansion
	members   []Member
	unmatched []Unmatched
	notes     []string
}

// resolveGroups finds the snapshot and the groups a wave names. Without a
// snapshot id it takes the newest completed snapshot of each source and
// keeps the one that holds every group named: none, or more than one, is
// refused with what to do.
func resolveGroups(tx Tx, refs []string, snapshotID string) (inventory.Snapshot, []inventory.GroupRef, error) {
	status, err := inventory.ReadStatus(tx)
	if err != nil {
		return inventory.Snapshot{}, nil, err
	}
	var candidates []inventory.Snapshot
	if snapshotID != "" {
		snaps, err := tx.Snapshots()
		if err != nil {
			return inventory.Snapshot{}, nil, err
		}
		for _, sn := range snaps {
			if sn.ID == snapshotID {
				candidates = append(candidates, sn)
			}
		}
		if len(candidates) == 0 {
			return inventory.Snapshot{}, nil, fmt.Errorf("%w: no inventory snapshot %s", ErrInvalid, snapshotID)
		}
		if candidates[0].Status != inventory.StatusCompleted {
			return inventory.Snapshot{}, nil, fmt.Errorf("%w: snapshot %s is %s; choose a completed one", ErrInvalid, snapshotID, candidates[0].Status)
		}
	} else {
		for _, sn := range status.LatestCompleted {
			candidates = append(candidates, sn)
		}
		sort.Slice(candidates, func(i, j int) bool { return candidates[i].SourceName < candidates[j].SourceName })
		if len(candidates) == 0 {
			return inventory.Snapshot{}, nil, fmt.Errorf("%w: no completed inventory snapshot to read the groups from: collect a source first", ErrInvalid)
		}
	}
	var found []inventory.Snapshot
	var missing []string
	for _, sn := range candidates {
		all := true
		for _, ref := range refs {
			gs, err := tx.FindGroups(sn.ID, strings.TrimSpace(ref))
			if err != nil {
				return inventory.Snapshot{}, nil, err
			}
			if len(gs) == 0 {
				all = false
				if snapshotID != "" {
					missing = append(missing, fmt.Sprintf("%q", ref))
				}
			}
		}
		if all {
			found = append(found, sn)
		}
	}
	switch {
	case len(missing) > 0:
		return inventory.Snapshot{}, nil, fmt.Errorf("%w: snapshot %s (%s) has no group %s", ErrInvalid, snapshotID, candidates[0].SourceName, strings.Join(missing, ", "))
	case len(found) == 0:
		var names []string
		for _, sn := range candidates {
			names = append(names, sn.SourceName)
		}
		return inventory.Snapshot{}, nil, fmt.Errorf("%w: no latest snapshot (%s) holds every group named (%s)", ErrInvalid, strings.Join(names, ", "), strings.Join(refs, ", "))
	case len(found) > 1:
		var names []string
		for _, sn := range found {
			names = append(names, fmt.Sprintf("%s (snapshot %s)", sn.SourceName, sn.ID))
		}
		return inventory.Snapshot{}, nil, fmt.Errorf("%w: the latest snapshots of %s all hold %s: choose one snapshot", ErrInvalid, strings.Join(names, " and "), strings.Join(refs, ", "))
	}
	snap := found[0]
	sum, err := tx.MembershipSummary(snap.ID)
	if err != nil {
		return snap, nil, err
	}
	if !sum.Collected {
		return snap, nil, fmt.Errorf("snapshot %s of %s: %w", snap.ID, snap.SourceName, inventory.ErrMembershipNotCollected)
	}
	var roots []inventory.GroupRef
	seen := map[string]bool{}
	for _, ref := range refs {
		g, err := inventory.FindGroup(tx, snap.ID, ref)
		if errors.Is(err, inventory.ErrAmbiguousGroup) {
			return snap, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if err != nil {
			return snap, nil, err
		}
		if !seen[g.SourceID] {
			seen[g.SourceID] = true
			roots = append(roots, g)
		}
	}
	return snap, roots, nil
}

// matchPeople turns the people an expansion reached into wave members:
// each user is matched to the Portal account with the same canonical email
// (Unicode NFC, case folded: CanonicalEmail, as the checklist compares
// them); the incumbent's email, else an email-like login. Everyone else is
// named with why.
func matchPeople(users []api.User, x inventory.Expansion, source string) ([]Member, []Unmatched) {
	byCanon := map[string][]api.User{}
	for _, u := range users {
		if e := emailOf(u); e != "" {
			byCanon[CanonicalEmail(e)] = append(byCanon[CanonicalEmail(e)], u)
		}
	}
	var members []Member
	var out []Unmatched
	taken := map[string]bool{}
	for _, r := range x.Members {
		um := Unmatched{IncumbentID: r.SourceID, Label: r.Label(), Via: r.ViaNames()}
		key := r.Email
		if key == "" && strings.Contains(r.Login, "@") {
			key = r.Login
		}
		accounts := byCanon[CanonicalEmail(key)]
		switch {
		case r.Type != inventory.MemberUser:
			um.Reason, um.Detail = UnmatchedNotPerson, notPerson(r.Member)
		case r.State == inventory.StateInactive:
			um.Reason = UnmatchedInactive
			um.Detail = fmt.Sprintf("not active in %s (%s): SSO through it would not sign them in", source, inactiveWord(r.Member))
		case key == "":
			um.Reason, um.Detail = UnmatchedNoEmail, "no email in the incumbent to match a Portal account by: add them by hand or in a list"
		case len(accounts) == 0:
			um.Reason = UnmatchedNoAccount
			um.Detail = "no Portal account has this email: JIT will create one from the SSO configuration's user template at their first SSO login"
		case len(accounts) > 1:
			um.Reason = UnmatchedAmbiguous
			for _, a := range accounts {
				um.Accounts = append(um.Accounts, label(a)+" ("+a.Id+")")
			}
			um.Detail = fmt.Sprintf("%d Portal accounts share this email up to case (%s): an SSO login could not tell them apart; resolve the duplicate first",
				len(accounts), strings.Join(um.Accounts, ", "))
		default:
			u := accounts[0]
			if !taken[u.Id] {
				taken[u.Id] = true
				members = append(members, Member{UserID: u.Id, Label: label(u), MatchedFrom: fmt.Sprintf("%s in %s", r.Label(), um.Via)})
			}
			continue
		}
		out = append(out, um)
	}
	for _, g := range x.Unlisted {
		out = append(out, Unmatched{IncumbentID: g.SourceID, Label: g.Name, Reason: UnmatchedGroupNotListed,
			Detail: "a nested group whose members the snapshot does not hold (the incumbent did not list it as a group): its people are not in the wave"})
	}
	sort.SliceStable(members, func(i, j int) bool { return strings.ToLower(members[i].Label) < strings.ToLower(members[j].Label) })
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Reason != out[j].Reason {
			return slices.Index(unmatchedOrder, out[i].Reason) < slices.Index(unmatchedOrder, out[j].Reason)
		}
		return strings.ToLower(out[i].Label) < strings.ToLower(out[j].Label)
	})
	return members, out
}

// unmatchedOrder is the order reasons are listed in: what the operator
// most likely acts on first.
var unmatchedOrder = []string{UnmatchedAmbiguous, UnmatchedNoAccount, UnmatchedNoEmail, UnmatchedInactive, UnmatchedNotPerson, UnmatchedGroupNotListed}

func notPerson(m inventory.Member) string {
	what := map[inventory.MemberType]string{
		inventory.MemberDevice: "a device", inventory.MemberServicePrincipal: "a service principal (an application's identity)",
		inventory.MemberContact: "an organizational contact (an address book entry, not an account)",
	}[m.Type]
	if what == "" {
		what = "a member of type " + orWord(m.VendorType, "the incumbent did not say")
	}
	return what + ": not a person who signs in"
}

func inactiveWord(m inventory.Member) string {
	if m.VendorStatus == "false" {
		return "account disabled"
	}
	return orWord(m.VendorStatus, "inactive")
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// GroupSource is an inventory snapshot a wave can be chosen from by
// group: the newest completed snapshot of a source, with group membership.
type GroupSource struct {
	SnapshotID string   `json:"snapshot_id"`
	Source     string   `json:"source"`
	Groups     []string `json:"groups"`
	// Memberships is how many (group, member) pairs the snapshot holds.
	Memberships int `json:"memberships"`
}

// GroupSources lists the snapshots a wave can be chosen from by incumbent
// group, by source name, with their groups' names sorted. A source whose
// newest snapshot holds no membership is left out.
func (s *Service) GroupSources(ctx context.Context) ([]GroupSource, error) {
	var out []GroupSource
	err := s.Store.View(ctx, func(tx Tx) error {
		st, err := inventory.ReadStatus(tx)
		if err != nil {
			return err
		}
		for _, sn := range st.LatestCompleted {
			sum, err := tx.MembershipSummary(sn.ID)
			if err != nil {
				return err
			}
			if !sum.Collected {
				continue
			}
			groups, err := itemsOf(tx, sn.ID, inventory.KindGroup)
			if err != nil {
				return err
			}
			gs := GroupSource{SnapshotID: sn.ID, Source: sn.SourceName, Memberships: sum.Memberships, Groups: make([]string, 0, len(groups))}
			for _, g := range groups {
				gs.Groups = append(gs.Groups, groupName(g))
			}
			sort.Slice(gs.Groups, func(i, j int) bool { return strings.ToLower(gs.Groups[i]) < strings.ToLower(gs.Groups[j]) })
			out = append(out, gs)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, err
}
