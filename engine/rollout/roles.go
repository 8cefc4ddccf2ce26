package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
)

// RoleRule is one role-mapping rule (docs/rollout.md, role mapping): when the upstream
// identity's SourceAttribute has MatchValue, the user gets Role or the
// user template.
type RoleRule struct {
	SourceAttribute string `json:"source_attribute"`
	MatchValue      string `json:"match_value"`
	Role            string `json:"role,omitempty"`
	UserTemplateID  string `json:"user_template_id,omitempty"`
	// Approval is the recorded approval of a rule granting an elevated
	// role. It binds to the rule as approved: editing the rule voids it.
	Approval *Approval `json:"approval,omitempty"`
}

// Approval is who approved an elevation, when, and what exactly.
type Approval struct {
	By     string    `json:"approved_by"`
	At     time.Time `json:"approved_at"`
	Digest string    `json:"digest"`
}

// digest is what an approval binds to.
func (r RoleRule) digest() string {
	sum := sha256.Sum256([]byte(r.SourceAttribute + "\x00" + r.MatchValue + "\x00" + r.Role + "\x00" + r.UserTemplateID))
	return hex.EncodeToString(sum[:16])
}

// approved reports a valid approval of the rule as it stands.
func (r RoleRule) approved() bool { return r.Approval != nil && r.Approval.Digest == r.digest() }

// grants names what the rule grants.
func (r RoleRule) grants() string {
	if r.Role != "" {
		return "role " + r.Role
	}
	return "user template " + r.UserTemplateID
}

// RoleMapping is the ordered rules and the default, as the workspace keeps
// them before they are applied to the SSO configuration.
type RoleMapping struct {
	Rules       []RoleRule `json:"rules"`
	DefaultRole string     `json:"default_role"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	UpdatedBy   string     `json:"updated_by,omitempty"`
}

// Evaluate runs the rules over one identity's attributes (an attribute may
// have several values, as groups does): the first matching rule wins, and
// with none the default applies (index -1).
func (m RoleMapping) Evaluate(attrs map[string][]string) (RoleRule, int) {
	for i, r := range m.Rules {
		for _, v := range attrs[r.SourceAttribute] {
			if v == r.MatchValue {
				return r, i
			}
		}
	}
	return RoleRule{Role: m.DefaultRole}, -1
}

// RoleMapping returns the workspace's role mapping.
func (s *Service) RoleMapping(ctx context.Context) (RoleMapping, error) {
	var m RoleMapping
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		m, err = tx.RoleMapping()
		return err
	})
	return m, err
}

// SetRoleMapping replaces the rules and the default. Approvals carry over
// to rules that are unchanged; an edited elevated rule needs a new one.
func (s *Service) SetRoleMapping(ctx context.Context, rules []RoleRule, defaultRole string) (RoleMapping, error) {
	if strings.TrimSpace(defaultRole) == "" {
		return RoleMapping{}, fmt.Errorf("%w: a role mapping needs a default role for users no rule matches", ErrInvalid)
	}
	for i, r := range rules {
		switch {
		case strings.TrimSpace(r.SourceAttribute) == "" || strings.TrimSpace(r.MatchValue) == "":
			return RoleMapping{}, fmt.Errorf("%w: rule %d needs a source attribute and a match value", ErrInvalid, i+1)
		case (r.Role == "") == (r.UserTemplateID == ""):
			return RoleMapping{}, fmt.Errorf("%w: rule %d must grant exactly one of a role and a user template", ErrInvalid, i+1)
		}
	}
	catalogue, err := s.roleCatalogue(ctx)
	if err != nil {
		return RoleMapping{}, err
	}
	if r, ok := catalogue[defaultRole]; !ok {
		return RoleMapping{}, fmt.Errorf("%w: the Portal has no role %q", ErrInvalid, defaultRole)
	} else if r.Elevated {
		return RoleMapping{}, fmt.Errorf("%w: the default role %q is elevated; the default applies to everyone no rule matches and cannot be approved", ErrRefused, defaultRole)
	}
	for i, r := range rules {
		if _, ok := catalogue[r.Role]; r.Role != "" && !ok {
			return RoleMapping{}, fmt.Errorf("%w: rule %d: the Portal has no role %q", ErrInvalid, i+1, r.Role)
		}
	}
	var m RoleMapping
	err = s.Store.Update(ctx, func(tx Tx) error {
		prev, err := tx.RoleMapping()
		if err != nil {
			return err
		}
		kept := map[string]*Approval{}
		for _, r := range prev.Rules {
			if r.approved() {
				kept[r.digest()] = r.Approval
			}
		}
		now := s.now()
		m = RoleMapping{DefaultRole: defaultRole, UpdatedAt: &now, UpdatedBy: s.Actor}
		for _, r := range rules {
			r.Approval = kept[r.digest()]
			m.Rules = append(m.Rules, r)
		}
		if err := tx.SaveRoleMapping(m); err != nil {
			return err
		}
		return s.record(tx, audit.RolloutRoleMappingUpdated, "role_mapping", map[string]string{
			"rules": strconv.Itoa(len(m.Rules)), "default_role": defaultRole, "pending_elevations": strconv.Itoa(len(pendingElevations(m, catalogue)))})
	})
	return m, err
}

// ApproveElevation records that the actor approved rule number n (1-based)
// granting an elevated role.
func (s *Service) ApproveElevation(ctx context.Context, n int) (RoleMapping, error) {
	catalogue, err := s.roleCatalogue(ctx)
	if err != nil {
		return RoleMapping{}, err
	}
	var m RoleMapping
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.RoleMapping(); err != nil {
			return err
		}
		if n < 1 || n > len(m.Rules) {
			return fmt.Errorf("%w: there is no rule %d (the mapping has %d)", ErrInvalid, n, len(m.Rules))
		}
		r := &m.Rules[n-1]
		if !catalogue[r.Role].Elevated {
			return fmt.Errorf("%w: rule %d grants %s, which is not elevated: it needs no approval", ErrInvalid, n, r.grants())
		}
		r.Approval = &Approval{By: s.Actor, At: s.now(), Digest: r.digest()}
		if err := tx.SaveRoleMapping(m); err != nil {
			return err
		}
		return s.record(tx, audit.RolloutRoleElevationApproved, "role_mapping", map[string]string{
			"rule": strconv.Itoa(n), "source_attribute": r.SourceAttribute, "match_value": r.MatchValue, "role": r.Role})
	})
	return m, err
}

func (s *Service) roleCatalogue(ctx context.Context) (map[string]api.Role, error) {
	roles, err := s.Target.ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the Portal's roles: %w", err)
	}
	out := map[string]api.Role{}
	for _, r := range roles {
		out[r.Name] = r
	}
	return out, nil
}

// pendingElevations are the rules granting an elevated role without a
// valid approval.
func pendingElevations(m RoleMapping, catalogue map[string]api.Role) []string {
	var out []string
	for i, r := range m.Rules {
		if catalogue[r.Role].Elevated && !r.approved() {
			out = append(out, fmt.Sprintf("rule %d (%s=%s grants %s)", i+1, r.SourceAttribute, r.MatchValue, r.Role))
		}
	}
	return out
}

// ApplyRoleMapping writes the workspace's role mapping to the rollout's SSO
// configuration. An elevated rule without its recorded approval refuses the
// whole apply: a mapping never grants admin or owner unapproved.
func (s *Service) ApplyRoleMapping(ctx context.Context) (api.SsoConfiguration, error) {
	m, err := s.RoleMapping(ctx)
	if err != nil {
		return api.SsoConfiguration{}, err
	}
	if m.DefaultRole == "" {
		return api.SsoConfiguration{}, fmt.Errorf("%w: no role mapping yet: set its rules and default first", ErrInvalid)
	}
	catalogue, err := s.roleCatalogue(ctx)
	if err != nil {
		return api.SsoConfiguration{}, err
	}
	if pending := pendingElevations(m, catalogue); len(pending) > 0 {
		return api.SsoConfiguration{}, fmt.Errorf("%w: an elevated role without a recorded approval: %s; approve each (who and when is recorded) or change it",
			ErrRefused, strings.Join(pending, ", "))
	}
	l, err := s.readLive(ctx)
	if err != nil {
		return api.SsoConfiguration{}, err
	}
	if l.config == nil {
		return api.SsoConfiguration{}, fmt.Errorf("%w: %s", ErrRefused, sentence(l.configErr))
	}
	rm := api.RoleMapping{DefaultRole: m.DefaultRole, Rules: []api.RoleMappingRule{}}
	for _, r := range m.Rules {
		rule := api.RoleMappingRule{SourceAttribute: r.SourceAttribute, MatchValue: r.MatchValue}
		if r.Role != "" {
			role := r.Role
			rule.Role = &role
		} else {
			tpl := r.UserTemplateID
			rule.UserTemplateId = &tpl
		}
		if r.Approval != nil && catalogue[r.Role].Elevated {
			rule.ElevationApproval = &api.ElevationApproval{ApprovedBy: r.Approval.By, ApprovedAt: r.Approval.At}
		}
		rm.Rules = append(rm.Rules, rule)
	}
	var out api.SsoConfiguration
	for attempt := 0; attempt < 2; attempt++ {
		v, err := s.Target.GetSsoConfiguration(ctx, l.config.Id)
		if err != nil {
			return out, fmt.Errorf("read SSO configuration %s: %w", l.config.Id, err)
		}
		in := configInput(v.Value)
		in.RoleMapping = &rm
		res, err := s.Target.ReplaceSsoConfiguration(ctx, l.config.Id, v.ETag, in)
		if err != nil {
			if attempt == 0 && errors.Is(err, client.ErrPreconditionFailed) {
				continue
			}
			return out, fmt.Errorf("write the role mapping to SSO configuration %s: %w", l.config.Id, err)
		}
		out = res.Value
		break
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.record(tx, audit.RolloutRoleMappingApplied, out.Id, map[string]string{
			"rules": strconv.Itoa(len(rm.Rules)), "default_role": rm.DefaultRole})
	})
	return out, err
}

// RoleOutcome is what the mapping gives one incumbent group or user.
type RoleOutcome struct {
	Kind     string `json:"kind"` // group or user
	SourceID string `json:"source_id"`
	Name     string `json:"name"`
	Grants   string `json:"grants"`
	// Rule is the 1-based rule that matched; 0 means the default.
	Rule     int  `json:"rule"`
	Elevated bool `json:"elevated"`
	Approved bool `json:"approved"`
	// Apps are the incumbent apps assigned to the group.
	Apps int `json:"apps"`
	// Via is, for a user matched by a groups rule, the group whose name
	// matched; Groups is how many groups the user is in, nested ones
	// included; State is the user's state in the incumbent.
	Via    string          `json:"via,omitempty"`
	Groups int             `json:"groups,omitempty"`
	State  inventory.State `json:"state,omitempty"`
}

// RoleSimulation is the simulator's answer over one snapshot.
type RoleSimulation struct {
	SnapshotID string        `json:"snapshot_id"`
	Source     string        `json:"source"`
	Groups     []RoleOutcome `json:"groups"`
	Users      []RoleOutcome `json:"users"`
	// Unmatched are the groups and users no rule matches (they get the
	// default).
	Unmatched []RoleOutcome `json:"unmatched"`
	// PerUser says the snapshot holds group membership, so Users lists
	// every person in its groups with the role the rules give them.
	PerUser bool `json:"per_user"`
	// Elevations are every group and user the mapping would make admin or
	// owner, approved or not.
	Elevations []RoleOutcome `json:"elevations"`
	// Unsimulated are rules on attributes the inventory does not hold.
	Unsimulated []string `json:"unsimulated"`
	Notes       []string `json:"notes"`
}

// SimulateRoles runs the workspace's role mapping over an inventory
// snapshot's groups (as the groups claim) and, where the snapshot holds
// group membership, over each user: their groups claim is every group they
// are in, directly or through nested groups, as Entra's and Okta's groups
// claims carry them.
func (s *Service) SimulateRoles(ctx context.Context, snapshotID string) (RoleSimulation, error) {
	m, err := s.RoleMapping(ctx)
	if err != nil {
		return RoleSimulation{}, err
	}
	if m.DefaultRole == "" {
		return RoleSimulation{}, fmt.Errorf("%w: no role mapping yet: set its rules and default first", ErrInvalid)
	}
	catalogue, err := s.roleCatalogue(ctx)
	if err != nil {
		return RoleSimulation{}, err
	}
	sim := RoleSimulation{SnapshotID: snapshotID, Groups: []RoleOutcome{}, Users: []RoleOutcome{}, Unmatched: []RoleOutcome{},
		Elevations: []RoleOutcome{}, Unsimulated: []string{}, Notes: []string{}}
	var groups, assignments []inventory.StoredItem
	var users []memberOf
	var parents map[string][]string
	err = s.Store.View(ctx, func(tx Tx) error {
		snaps, err := tx.Snapshots()
		if err != nil {
			return err
		}
		found := false
		for _, sn := range snaps {
			if sn.ID == snapshotID {
				if sn.Status != inventory.StatusCompleted {
					return fmt.Errorf("%w: snapshot %s is %s; simulate over a completed one", ErrInvalid, snapshotID, sn.Status)
				}
				found, sim.Source = true, sn.SourceName
			}
		}
		if !found {
			return fmt.Errorf("%w: snapshot %s", inventory.ErrSnapshotNotFound, snapshotID)
		}
		if groups, err = itemsOf(tx, snapshotID, inventory.KindGroup); err != nil {
			return err
		}
		if assignments, err = itemsOf(tx, snapshotID, inventory.KindAssignment); err != nil {
			return err
		}
		sum, err := tx.MembershipSummary(snapshotID)
		if err != nil || !sum.Collected {
			return err
		}
		sim.PerUser = true
		users, parents, err = usersWithGroups(tx, snapshotID)
		return err
	})
	if err != nil {
		return sim, err
	}
	apps := map[string]int{}
	for _, a := range assignments {
		if v := a.View.Assignment; v != nil && v.Target == inventory.AssignGroup {
			apps[v.PrincipalID]++
		}
	}
	outcome := func(kind, id, name string, attrs map[string][]string) RoleOutcome {
		rule, i := m.Evaluate(attrs)
		o := RoleOutcome{Kind: kind, SourceID: id, Name: name, Grants: rule.grants(), Rule: i + 1,
			Elevated: catalogue[rule.Role].Elevated, Approved: i >= 0 && rule.approved(), Apps: apps[id]}
		if i < 0 {
			o.Grants = "role " + m.DefaultRole + " (default)"
		}
		return o
	}
	for _, g := range groups {
		name := groupName(g)
		o := outcome("group", g.SourceID, name, map[string][]string{"groups": {name}})
		sim.Groups = append(sim.Groups, o)
		if o.Rule == 0 {
			sim.Unmatched = append(sim.Unmatched, o)
		}
		if o.Elevated {
			sim.Elevations = append(sim.Elevations, o)
		}
	}
	sort.SliceStable(sim.Groups, func(i, j int) bool { return sim.Groups[i].Name < sim.Groups[j].Name })
	for i, r := range m.Rules {
		if r.SourceAttribute != "groups" {
			sim.Unsimulated = append(sim.Unsimulated, fmt.Sprintf("rule %d matches %s=%s: the inventory holds no %s attribute, so it is not simulated", i+1, r.SourceAttribute, r.MatchValue, r.SourceAttribute))
		}
	}
	if !sim.PerUser {
		sim.Notes = append(sim.Notes, "This snapshot holds no group membership (it was taken before the console read it): users are shown through their groups only; collect the source again to see each user's role.")
		return sim, nil
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.SourceID] = groupName(g)
	}
	claims := groupsClaim(parents, names)
	for _, u := range users {
		claim := claims(u.groups)
		o := outcome("user", u.member.SourceID, u.member.Label(), map[string][]string{"groups": claim})
		o.Groups, o.State = len(claim), u.member.State
		if o.Rule > 0 && m.Rules[o.Rule-1].SourceAttribute == "groups" {
			o.Via = m.Rules[o.Rule-1].MatchValue
		}
		sim.Users = append(sim.Users, o)
		if o.Rule == 0 {
			sim.Unmatched = append(sim.Unmatched, o)
		}
		if o.Elevated {
			sim.Elevations = append(sim.Elevations, o)
		}
	}
	sort.SliceStable(sim.Users, func(i, j int) bool { return strings.ToLower(sim.Users[i].Name) < strings.ToLower(sim.Users[j].Name) })
	sim.Notes = append(sim.Notes, fmt.Sprintf("Each of the %d users in the snapshot's groups is simulated with every group they are in, nested groups included, as their groups claim.", len(sim.Users)))
	return sim, nil
}

// memberOf is a member and the ids of the groups it is directly in.
type memberOf struct {
	member inventory.Member
	groups []string
}

// usersWithGroups reads the snapshot's users with their direct groups, and
// the groups each nested group is directly in.
func usersWithGroups(tx Tx, snapshotID string) ([]memberOf, map[string][]string, error) {
	parents := map[string][]string{}
	err := tx.EachMember(snapshotID, inventory.MemberGroup, func(m inventory.Member, groups []string) error {
		parents[m.SourceID] = slices.Clone(groups)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var users []memberOf
	err = tx.EachMember(snapshotID, inventory.MemberUser, func(m inventory.Member, groups []string) error {
		users = append(users, memberOf{member: m, groups: slices.Clone(groups)})
		return nil
	})
	return users, parents, err
}

// groupsClaim returns a function from a user's direct groups to the names
// of every group they are in, nested ones included (a group inside a group
// passes its membership up; a loop is followed once), sorted.
func groupsClaim(parents map[string][]string, names map[string]string) func([]string) []string {
	closure := map[string][]string{} // a group and its ancestors, by group
	ancestors := func(id string) []string {
		if a, ok := closure[id]; ok {
			return a
		}
		seen := map[string]bool{id: true}
		for queue := []string{id}; len(queue) > 0; queue = queue[1:] {
			for _, p := range parents[queue[0]] {
				if !seen[p] {
					seen[p] = true
					queue = append(queue, p)
				}
			}
		}
		out := make([]string, 0, len(seen))
		for g := range seen {
			out = append(out, g)
		}
		closure[id] = out
		return out
	}
	return func(direct []string) []string {
		set := map[string]bool{}
		for _, g := range direct {
			for _, a := range ancestors(g) {
				name := names[a]
				if name == "" {
					name = a
				}
				set[name] = true
			}
		}
		out := make([]string, 0, len(set))
		for n := range set {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
}
