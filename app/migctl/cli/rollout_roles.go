package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/rollout"
)

func newRolloutRolesCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "Role mapping: ordered rules, first match wins, a default; elevated roles need a recorded approval",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newRolesShowCmd(e), newRolesSetCmd(e), newRolesApproveCmd(e), newRolesSimulateCmd(e), newRolesApplyCmd(e))
	return cmd
}

func newRolesShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the workspace's role mapping and which elevations are approved",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				m, err := r.RoleMapping(e.ctx)
				if err != nil {
					return err
				}
				if m.Rules == nil {
					m.Rules = []rollout.RoleRule{}
				}
				return e.print(m, func(out io.Writer) error { return printRoleMapping(out, m) })
			})
		},
	}
}

func printRoleMapping(out io.Writer, m rollout.RoleMapping) error {
	if m.DefaultRole == "" {
		_, err := fmt.Fprintln(out, "No role mapping yet: migctl rollout roles set --file rules.json")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tATTRIBUTE\tVALUE\tGRANTS\tAPPROVAL")
	for i, r := range m.Rules {
		grants, approval := "role "+r.Role, "—"
		if r.Role == "" {
			grants = "template " + r.UserTemplateID
		}
		if r.Approval != nil {
			approval = fmt.Sprintf("approved by %s at %s", r.Approval.By, formatTime(&r.Approval.At))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i+1, r.SourceAttribute, r.MatchValue, grants, approval)
	}
	fmt.Fprintf(tw, "default\t\t\trole %s\t\n", m.DefaultRole)
	return tw.Flush()
}

// rulesFile is the JSON a role mapping is set from.
type rulesFile struct {
	Rules       []rollout.RoleRule `json:"rules"`
	DefaultRole string             `json:"default_role"`
}

func newRolesSetCmd(e *env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "set --file rules.json",
		Short: "Replace the role mapping from a JSON file: {\"rules\": [{\"source_attribute\", \"match_value\", \"role\" | \"user_template_id\"}], \"default_role\"}",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "file"); err != nil {
				return err
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("read the rules: %w", err)
			}
			var f rulesFile
			if err := json.Unmarshal(b, &f); err != nil {
				return usageErrorf("%s is not a rules document: %v", file, err)
			}
			for i := range f.Rules {
				f.Rules[i].Approval = nil // approvals are recorded by 'roles approve', never read from a file
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				m, err := r.SetRoleMapping(e.ctx, f.Rules, f.DefaultRole)
				if err != nil {
					return err
				}
				return e.print(m, func(out io.Writer) error { return printRoleMapping(out, m) })
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "JSON file with the rules and the default role")
	return cmd
}

func newRolesApproveCmd(e *env) *cobra.Command {
	var rule int
	cmd := &cobra.Command{
		Use:   "approve --rule N",
		Short: "Record your approval (who and when) of rule N granting an elevated role",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if rule < 1 {
				return usageErrorf("--rule takes the rule's number, from 1")
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				m, err := r.ApproveElevation(e.ctx, rule)
				if err != nil {
					return err
				}
				return e.print(m, func(out io.Writer) error { return printRoleMapping(out, m) })
			})
		},
	}
	cmd.Flags().IntVar(&rule, "rule", 0, "the rule's number (as roles show lists it)")
	return cmd
}

func newRolesSimulateCmd(e *env) *cobra.Command {
	var snapshot string
	cmd := &cobra.Command{
		Use:   "simulate --snapshot ID",
		Short: "Run the role mapping over an inventory snapshot: each group's and each user's role, the unmatched, every elevation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "snapshot"); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				sim, err := r.SimulateRoles(e.ctx, snapshot)
				if err != nil {
					return err
				}
				return e.print(sim, func(out io.Writer) error { return printSimulation(out, sim) })
			})
		},
	}
	cmd.Flags().StringVar(&snapshot, "snapshot", "", "inventory snapshot id")
	return cmd
}

func printSimulation(out io.Writer, sim rollout.RoleSimulation) error {
	fmt.Fprintf(out, "Role mapping over snapshot %s (%s): %s, %s, %d match no rule, %s.\n",
		sim.SnapshotID, sim.Source, plural(len(sim.Groups), "group"), plural(len(sim.Users), "user"), len(sim.Unmatched), plural(len(sim.Elevations), "elevation"))
	for _, n := range append(sim.Unsimulated, sim.Notes...) {
		fmt.Fprintf(out, "  note: %s\n", n)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nGROUP\tGRANTS\tRULE\tELEVATED\tAPPS")
	for _, g := range sim.Groups {
		elev := ""
		if g.Elevated {
			elev = "ELEVATED, not approved"
			if g.Approved {
				elev = "elevated, approved"
			}
		}
		rule := "default"
		if g.Rule > 0 {
			rule = fmt.Sprint(g.Rule)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", g.Name, g.Grants, rule, elev, g.Apps)
	}
	if err := tw.Flush(); err != nil || !sim.PerUser {
		return err
	}
	// Elevations first, then who no rule matches, then everyone else: what
	// a reviewer reads for.
	users := slices.Clone(sim.Users)
	rank := func(o rollout.RoleOutcome) int {
		switch {
		case o.Elevated:
			return 0
		case o.Rule == 0:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(users, func(a, b rollout.RoleOutcome) int { return rank(a) - rank(b) })
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nUSER\tGRANTS\tRULE\tVIA GROUP\tELEVATED\tSTATE")
	for i, u := range users {
		if i == 100 {
			fmt.Fprintf(tw, "... and %d more users (use --json for all)\n", len(users)-100)
			break
		}
		rule, elev := "default", ""
		if u.Rule > 0 {
			rule = fmt.Sprint(u.Rule)
		}
		if u.Elevated {
			elev = "ELEVATED, not approved"
			if u.Approved {
				elev = "elevated, approved"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Grants, rule, u.Via, elev, u.State)
	}
	return tw.Flush()
}

func newRolesApplyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "apply",
		Short: "Write the role mapping to the rollout's SSO configuration; refused while an elevation lacks its approval",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				cfg, err := r.ApplyRoleMapping(e.ctx)
				if err != nil {
					return err
				}
				return e.print(cfg, func(out io.Writer) error {
					_, err := fmt.Fprintf(out, "Role mapping written to SSO configuration %s (%d rules, default %s).\n",
						cfg.Id, len(cfg.RoleMapping.Rules), cfg.RoleMapping.DefaultRole)
					return err
				})
			})
		},
	}
}
