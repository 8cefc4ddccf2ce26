package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/portal-id/migration-console/engine/inventory"
)

// membersView is what inventory members prints: the snapshot's membership
// and, with --group, one window of the group's direct members.
type membersView struct {
	Snapshot   snapshotView                `json:"snapshot"`
	Membership inventory.MembershipSummary `json:"membership"`
	Group      *inventory.GroupRef         `json:"group,omitempty"`
	Members    []inventory.Member          `json:"members,omitempty"`
	Total      int                         `json:"total,omitempty"`
	Offset     int                         `json:"offset,omitempty"`
}

func (v membersView) human(out io.Writer) error {
	m := v.Membership
	fmt.Fprintf(out, "Snapshot %s of %q: ", v.Snapshot.ID, v.Snapshot.SourceName)
	if !m.Collected {
		fmt.Fprintf(out, "group membership not collected (%d of %d groups listed); collect the source again to read it.\n", m.Listed, m.Groups)
	} else {
		var types []string
		for _, t := range inventory.MemberTypes {
			if n := m.Members[t]; n > 0 {
				types = append(types, plural(n, strings.ReplaceAll(string(t), "_", " ")))
			}
		}
		fmt.Fprintf(out, "%d of %s listed, %s of %s.\n", m.Listed, plural(m.Groups, "group"), plural(m.Memberships, "membership"), strings.Join(types, ", "))
	}
	if v.Group == nil {
		return nil
	}
	fmt.Fprintf(out, "\n%s (%s): %s", v.Group.Name, v.Group.SourceID, plural(v.Total, "direct member"))
	if len(v.Members) < v.Total {
		fmt.Fprintf(out, ", %d to %d shown", v.Offset+1, v.Offset+len(v.Members))
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tTYPE\tLOGIN\tSTATE\tID")
	for _, mb := range v.Members {
		state := string(mb.State)
		if mb.VendorStatus != "" && mb.Type == inventory.MemberUser {
			state += " (" + mb.VendorStatus + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mb.Label(), mb.Type, mb.Login, state, mb.SourceID)
	}
	return tw.Flush()
}

// groupsOfView is what inventory groups-of prints.
type groupsOfView struct {
	SnapshotID string               `json:"snapshot_id"`
	Source     string               `json:"source"`
	User       string               `json:"user"`
	Found      []inventory.MemberOf `json:"found"`
}

func (v groupsOfView) human(out io.Writer) error {
	if len(v.Found) == 0 {
		_, err := fmt.Fprintf(out, "No member of any group of snapshot %s (%s) is %q.\n", v.SnapshotID, v.Source, v.User)
		return err
	}
	for _, f := range v.Found {
		names := make([]string, len(f.Groups))
		for i, g := range f.Groups {
			names[i] = g.Name
		}
		fmt.Fprintf(out, "%s (%s, %s %s) is directly in %s: %s\n", f.Member.Label(), f.Member.SourceID, f.Member.Type, f.Member.State,
			plural(len(f.Groups), "group"), strings.Join(names, ", "))
	}
	return nil
}
