package inventory

import "strings"

// Expansion is everyone a set of groups holds, nested groups included.
type Expansion struct {
	// Groups are the groups visited, the roots first, each once.
	Groups []GroupRef `json:"groups"`
	// Members are the members that are not groups (users, devices,
	// service principals, contacts, others), each once, with the first
	// path that reached it.
	Members []Reached `json:"members"`
	// Cycles are nested-group loops found and cut, as "A → B → A".
	Cycles []string `json:"cycles"`
	// Unlisted are groups reached whose member listing the snapshot does
	// not hold: what they contain is unknown.
	Unlisted []GroupRef `json:"unlisted"`
}

// Reached is a member and the groups that lead to it, outermost first
// (the last is the group it is directly in).
type Reached struct {
	Member
	Via []GroupRef `json:"via"`
}

// ViaNames is the path of a reached member for people: "Finance › EMEA".
func (r Reached) ViaNames() string {
	names := make([]string, len(r.Via))
	for i, g := range r.Via {
		names[i] = g.Name
	}
	return strings.Join(names, " › ")
}

// Expand walks the roots' members depth first, into nested groups, each
// group once: a group met again on the path that leads to it is a loop
// (recorded in Cycles and not followed), a group met again by another path
// is skipped, its members already counted. members returns a group's
// direct members and whether its listing was read to its end.
func Expand(roots []GroupRef, members func(groupID string) ([]Member, bool, error)) (Expansion, error) {
	x := Expansion{Groups: []GroupRef{}, Members: []Reached{}, Cycles: []string{}, Unlisted: []GroupRef{}}
	visited := map[string]bool{}
	onPath := map[string]bool{}
	seen := map[string]bool{}
	var walk func(path []GroupRef) error
	walk = func(path []GroupRef) error {
		g := path[len(path)-1]
		visited[g.SourceID], onPath[g.SourceID] = true, true
		defer delete(onPath, g.SourceID)
		x.Groups = append(x.Groups, g)
		ms, listed, err := members(g.SourceID)
		if err != nil {
			return err
		}
		if !listed {
			x.Unlisted = append(x.Unlisted, g)
		}
		for _, m := range ms {
			if m.Type != MemberGroup {
				if !seen[m.SourceID] {
					seen[m.SourceID] = true
					x.Members = append(x.Members, Reached{Member: m, Via: append([]GroupRef(nil), path...)})
				}
				continue
			}
			nested := GroupRef{SourceID: m.SourceID, Name: m.Label()}
			switch {
			case onPath[nested.SourceID]:
				x.Cycles = append(x.Cycles, loop(path, nested))
			case !visited[nested.SourceID]:
				if err := walk(append(path[:len(path):len(path)], nested)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, r := range roots {
		if visited[r.SourceID] {
			continue
		}
		if err := walk([]GroupRef{r}); err != nil {
			return x, err
		}
	}
	return x, nil
}

// loop names the cycle that closes at back: the path from back's first
// appearance, then back again.
func loop(path []GroupRef, back GroupRef) string {
	var names []string
	from := 0
	for i, g := range path {
		if g.SourceID == back.SourceID {
			from = i
		}
	}
	for _, g := range path[from:] {
		names = append(names, g.Name)
	}
	return strings.Join(append(names, back.Name), " → ")
}
