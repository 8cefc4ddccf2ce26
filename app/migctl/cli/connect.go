package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/workspace"
)

// targetReport is the --json document of workspace connect and the identity
// part of target show.
type targetReport struct {
	URL            string    `json:"url"`
	Tenant         string    `json:"tenant"`
	Actor          string    `json:"actor"`
	SessionContext string    `json:"session_context"`
	Permissions    []string  `json:"permissions"`
	WritesAllowed  bool      `json:"writes_allowed"`
	ConnectedAt    time.Time `json:"connected_at"`
}

// connectReport is the --json document of workspace connect.
type connectReport struct {
	targetReport
	TokenStored bool `json:"token_stored"`
}

func newWorkspaceConnectCmd(e *env) *cobra.Command {
	var targetURL string
	token := secretFlags{what: "the target admin API token", stdinFlag: "target-token-stdin", envFlag: "target-token-env"}
	cmd := &cobra.Command{
		Use:   "connect --target-url URL (--target-token-stdin | --target-token-env NAME)",
		Short: "Test the connection to the Portal admin API and keep its token in the keychain",
		Long: `Connect asks the Portal who the token is (whoami). Guest and support sessions, tokens
without a migration permission and tokens of another tenant are refused, and the workspace
is left as it was. An accepted token goes to the OS keychain; the target URL, tenant,
session context and permissions are recorded on the workspace and in its audit trail.
A token with portal.migrations.view but not portal.migrations.manage connects read-only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "target-url"); err != nil {
				return err
			}
			tok, err := e.readSecret(&token)
			if err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			ws, id, err := w.ConnectTarget(e.ctx, targetURL, tok)
			if err != nil {
				return err
			}
			e.log.Info("target connected", "url", ws.Target.URL, "tenant", id.Tenant, "session_context", id.SessionContext)
			rep := connectReport{targetReport: newTargetReport(ws.Target, id), TokenStored: true}
			return e.print(rep, func(out io.Writer) error {
				if err := printTarget(out, rep.targetReport); err != nil {
					return err
				}
				_, err := fmt.Fprintln(out, "The token is kept in the OS keychain. Next: 'migctl target show' lists the live target state.")
				return err
			})
		},
	}
	cmd.Flags().StringVar(&targetURL, "target-url", "", "base URL of the Portal admin API (https, or http for a loopback sandbox)")
	token.register(cmd)
	return cmd
}

func newTargetReport(t workspace.Target, id workspace.TargetIdentity) targetReport {
	r := targetReport{URL: t.URL, Tenant: id.Tenant, Actor: id.Actor, SessionContext: id.SessionContext,
		Permissions: id.Permissions, WritesAllowed: id.CanManage()}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	if t.ConnectedAt != nil {
		r.ConnectedAt = *t.ConnectedAt
	}
	return r
}

func printTarget(out io.Writer, r targetReport) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("Portal", r.URL)
	row("Tenant", r.Tenant)
	row("Actor", r.Actor)
	row("Session context", r.SessionContext)
	row("Permissions", orNone(strings.Join(r.Permissions, ", ")))
	if r.WritesAllowed {
		row("Writes", "allowed (portal.migrations.manage)")
	} else {
		row("Writes", "not allowed: read-only; preview and apply need "+workspace.PermissionManage)
	}
	row("Connected", formatTime(&r.ConnectedAt))
	return tw.Flush()
}
