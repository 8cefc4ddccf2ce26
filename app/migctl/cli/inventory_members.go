package cli

import (
	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/inventory"
)

func newInventoryMembersCmd(e *env) *cobra.Command {
	var snapshotID, group string
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "members [--snapshot ID] [--group NAME|ID [--limit N] [--offset N]]",
		Short: "Show a snapshot's incumbent group membership, or one group's direct members",
		Long: `Without --group, says what the snapshot holds of group membership: the groups whose members
were listed, the (group, member) pairs, and the members by type. With --group (a group's name, up
to case, or its id), lists its direct members: users with their login, email and state in the
incumbent, nested groups, devices, service principals and contacts. The snapshot is the newest
unless --snapshot names one.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if limit < 1 || offset < 0 {
				return usageErrorf("--limit must be at least 1 and --offset not negative")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			snap, err := w.Inventory.Snapshot(e.ctx, snapshotID)
			if err != nil {
				return err
			}
			sum, err := w.Inventory.Membership(e.ctx, snap.ID)
			if err != nil {
				return err
			}
			v := membersView{Snapshot: viewSnapshot(snap), Membership: sum}
			for _, t := range inventory.MemberTypes {
				v.Membership.Members[t] += 0
			}
			if group != "" {
				g, page, err := w.Inventory.GroupMembers(e.ctx, snap.ID, group, offset, limit)
				if err != nil {
					return err
				}
				v.Group, v.Members, v.Total, v.Offset = &g, page.Members, page.Total, offset
			}
			return e.show(v)
		},
	}
	f := cmd.Flags()
	f.StringVar(&snapshotID, "snapshot", "", "the snapshot id (default: the newest)")
	f.StringVar(&group, "group", "", "list this group's direct members (its name or id)")
	f.IntVar(&limit, "limit", 200, "show at most N members")
	f.IntVar(&offset, "offset", 0, "skip the first N members (ordered by email, login, name)")
	return cmd
}

func newInventoryGroupsOfCmd(e *env) *cobra.Command {
	var snapshotID, user string
	cmd := &cobra.Command{
		Use:   "groups-of --user EMAIL|LOGIN|ID [--snapshot ID]",
		Short: "Show the incumbent groups a person is directly in, found by email or login (case and Unicode form aside) or id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "user"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			snap, err := w.Inventory.Snapshot(e.ctx, snapshotID)
			if err != nil {
				return err
			}
			found, err := w.Inventory.MemberGroups(e.ctx, snap.ID, user)
			if err != nil {
				return err
			}
			if found == nil {
				found = []inventory.MemberOf{}
			}
			return e.show(groupsOfView{SnapshotID: snap.ID, Source: snap.SourceName, User: user, Found: found})
		},
	}
	cmd.Flags().StringVar(&snapshotID, "snapshot", "", "the snapshot id (default: the newest)")
	cmd.Flags().StringVar(&user, "user", "", "an email, login or incumbent user id")
	return cmd
}
