package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/workspace"
)

func newTargetCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "target",
		Short: "Read the live state of the workspace's target Portal",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newTargetShowCmd(e))
	return cmd
}

// targetShow is the --json document of target show: who the stored token
// is now, and how many objects of each noun the tenant holds.
type targetShow struct {
	targetReport
	Counts map[string]int `json:"counts"`
}

// nounOrder is the order target show prints the counts in: the order a
// cutover creates them.
var nounOrder = []string{
	client.NounUpstreamProviders, client.NounRoutingRules, client.NounGroups, client.NounApplications,
	client.NounAppAssignments, client.NounUserTemplates, client.NounSsoConfigurations, client.NounUsers,
}

func newTargetShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Connect with the stored token and count the live target state per noun",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			c, id, err := w.TargetClient(e.ctx, client.WithLogger(e.log))
			if err != nil {
				return err
			}
			counts, err := c.Counts(e.ctx)
			if err != nil {
				return fmt.Errorf("read the live target state: %w", err)
			}
			ws, err := w.Service.Get(e.ctx)
			if err != nil {
				return err
			}
			who := workspace.TargetIdentity{Tenant: id.Tenant, Actor: id.Actor, SessionContext: id.SessionContext, Permissions: id.Permissions}
			doc := targetShow{targetReport: newTargetReport(ws.Target, who), Counts: counts}
			return e.print(doc, func(out io.Writer) error { return printTargetShow(out, doc) })
		},
	}
}

func printTargetShow(out io.Writer, doc targetShow) error {
	if err := printTarget(out, doc.targetReport); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, "\nLive target state:"); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, noun := range nounOrder {
		fmt.Fprintf(tw, "  %s\t%d\n", strings.ReplaceAll(noun, "_", " "), doc.Counts[noun])
	}
	return tw.Flush()
}
