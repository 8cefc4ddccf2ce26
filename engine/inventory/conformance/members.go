package conformance

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/portal-id/migration-console/engine/inventory"
)

// CheckMembers applies the suite's membership checks: every member belongs
// to a group of the snapshot, has an id, a type and a state of the closed
// sets and an evidence page, copies only what its raw payload holds
// (fields tagged raw:"verbatim"); every group's listing ended exactly once
// with the count of members emitted for it; and expanding every group
// (nested groups followed, loops cut) reaches no group the snapshot does
// not list, unless the tenant is not complete, where such a group must be
// a nested member the snapshot lacks and is named as unlisted.
func CheckMembers(t Reporter, items []inventory.Item, members []inventory.Member, listings []inventory.MemberListing, f Fixture) {
	t.Helper()
	groups := map[string]string{}
	for _, it := range items {
		if it.Kind == inventory.KindGroup {
			groups[it.SourceID] = it.DisplayName
		}
	}
	if f.Members && len(members) == 0 {
		t.Errorf("the tenant's groups have members, but none was emitted")
	}
	byGroup := map[string][]inventory.Member{}
	for _, m := range members {
		name := fmt.Sprintf("member %s (%s) of group %s", m.SourceID, m.Label(), m.GroupID)
		if _, ok := groups[m.GroupID]; !ok {
			t.Errorf("%s: the group is not in the snapshot", name)
		}
		if m.SourceID == "" {
			t.Errorf("%s: no id", name)
		}
		if !slices.Contains(inventory.MemberTypes, m.Type) {
			t.Errorf("%s: type %q is not one of %v", name, m.Type, inventory.MemberTypes)
		}
		if !slices.Contains(inventory.States, m.State) {
			t.Errorf("%s: state %q is not one of %v", name, m.State, inventory.States)
		}
		if m.EvidencePage == 0 {
			t.Errorf("%s: no evidence page", name)
		}
		strs, _ := rawStrings(m.Raw)
		for _, v := range memberVerbatim(m) {
			if !strs[v.value] {
				t.Errorf("%s: %s = %q is said to be copied from the raw payload, which does not hold it", name, v.path, v.value)
			}
		}
		byGroup[m.GroupID] = append(byGroup[m.GroupID], m)
	}
	listed := map[string]int{}
	for _, l := range listings {
		listed[l.GroupID]++
		if l.Members != len(byGroup[l.GroupID]) {
			t.Errorf("group %s: its listing ended with %d members, %d were emitted", l.GroupID, l.Members, len(byGroup[l.GroupID]))
		}
	}
	for id, name := range groups {
		if n := listed[id]; (len(listings) > 0 || f.Members) && n != 1 {
			t.Errorf("group %s (%s): its member listing ended %d times, want once", id, name, n)
		}
	}
	var roots []inventory.GroupRef
	for id, name := range groups {
		roots = append(roots, inventory.GroupRef{SourceID: id, Name: name})
	}
	x, err := inventory.Expand(roots, func(id string) ([]inventory.Member, bool, error) {
		return byGroup[id], listed[id] > 0, nil
	})
	if err != nil {
		t.Errorf("expanding the groups: %v", err)
		return
	}
	for _, g := range x.Unlisted {
		_, inSnapshot := groups[g.SourceID]
		switch {
		case inSnapshot && len(listings) > 0:
			t.Errorf("group %s (%s) is in the snapshot but its members were not listed", g.SourceID, g.Name)
		case !inSnapshot && f.Complete:
			t.Errorf("nested group %s (%s) does not resolve in the snapshot", g.SourceID, g.Name)
		}
	}
}

// memberVerbatim lists the non-empty string fields of m tagged
// raw:"verbatim".
func memberVerbatim(m inventory.Member) []copied {
	var out []copied
	v := reflect.ValueOf(m)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Tag.Get("raw") == "verbatim" && f.Type.Kind() == reflect.String {
			if s := v.Field(i).String(); s != "" {
				out = append(out, copied{"member." + f.Name, s})
			}
		}
	}
	return out
}
