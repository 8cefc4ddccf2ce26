package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

func newWorkspaceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspace",
		Short: "Create, show and archive the workspace file of one customer tenant",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newWorkspaceCreateCmd(e), newWorkspaceShowCmd(e), newWorkspaceArchiveCmd(e), newWorkspaceConnectCmd(e))
	return cmd
}

// createdWorkspace is the --json document of workspace create.
type createdWorkspace struct {
	workspace.Workspace
	Path              string `json:"path"`
	TargetTokenStored bool   `json:"target_token_stored"`
}

func newWorkspaceCreateCmd(e *env) *cobra.Command {
	var tenant, mode, targetURL string
	token := secretFlags{what: "the target admin API token", stdinFlag: "target-token-stdin", envFlag: "target-token-env"}
	cmd := &cobra.Command{
		Use:   "create --tenant ID --mode first_run_adoption|merge_into_existing [--target-url URL (--target-token-stdin | --target-token-env NAME)]",
		Short: "Create a new workspace file for one customer tenant",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "tenant", "mode"); err != nil {
				return err
			}
			if err := oneOf("mode", mode, string(workspace.ModeFirstRunAdoption), string(workspace.ModeMergeIntoExisting)); err != nil {
				return err
			}
			if token.given() && targetURL == "" {
				return usageErrorf("a target token needs --target-url")
			}
			var tok secret.Value
			if token.given() {
				var err error
				if tok, err = e.readSecret(&token); err != nil {
					return err
				}
			}
			path, err := e.path()
			if err != nil {
				return err
			}
			w, err := wiring.Create(e.ctx, path, wiring.WithGetenv(e.getenv))
			if err != nil {
				return err
			}
			ws, err := w.Service.Create(e.ctx, workspace.CreateRequest{
				Tenant: tenant, Mode: workspace.Mode(mode), TargetURL: targetURL, TargetToken: tok,
			})
			if err != nil {
				return errors.Join(err, w.Discard())
			}
			if err := w.Close(); err != nil {
				return err
			}
			e.log.Debug("workspace created", "id", ws.ID, "tenant", ws.Tenant, "mode", ws.Mode)
			doc := createdWorkspace{Workspace: ws, Path: path, TargetTokenStored: !tok.IsEmpty()}
			return e.print(doc, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Created workspace %s for tenant %s (%s) in %s.\nStatus: %s. Next: add a source with %s.\n",
					ws.ID, ws.Tenant, ws.Mode, path, ws.Status, addSourceHint())
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "the customer's Portal tenant id")
	f.StringVar(&mode, "mode", "", "first_run_adoption (empty target) or merge_into_existing (target has live state)")
	f.StringVar(&targetURL, "target-url", "", "base URL of the Portal admin API")
	token.register(cmd)
	return cmd
}

func newWorkspaceShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the workspace summary and what blocks the preview handoff",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			sum, err := w.Readiness.Summary(e.ctx)
			if err != nil {
				return err
			}
			return e.print(sum, func(out io.Writer) error { return printSummary(out, sum) })
		},
	}
}

func printSummary(out io.Writer, s readiness.Summary) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("Workspace", s.WorkspaceID)
	row("Tenant", s.Tenant)
	row("Mode", string(s.Mode))
	row("Status", string(s.Status))
	row("Target URL", orNone(s.TargetURL))
	row("Created", formatTime(&s.CreatedAt))
	row("Sources", fmt.Sprintf("%d (%d configured)", s.SourceCount, s.ConfiguredSourceCount))
	row("Last inventory", formatTime(s.LastInventoryAt))
	row("Assessment", fmt.Sprintf("%s (started %s, completed %s)", s.AssessmentStatus,
		formatTime(s.LatestAssessmentStartedAt), formatTime(s.LatestAssessmentCompletedAt)))
	row("OCM", fmt.Sprintf("%s, review %s, %d unavoidable changes", s.OCMStatus, s.OCMReviewStatus, s.UnavoidableChangeCount))
	row("Merge review", fmt.Sprintf("%s, %d pending, %d resolved", s.MergeReviewStatus, s.PendingMergeDecisionCount, s.ResolvedMergeDecisionCount))
	row("Preview handoff", s.PreviewHandoffStatus)
	for _, b := range s.PreviewHandoffBlockers {
		row("", fmt.Sprintf("- %s (%s)", b.Message, b.Code))
	}
	return tw.Flush()
}

func newWorkspaceArchiveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "archive",
		Short: "Archive the workspace: no new sources and no collection afterwards",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			ws, err := w.Service.Archive(e.ctx)
			if err != nil {
				return err
			}
			return e.print(ws, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Archived workspace %s (tenant %s).\n", ws.ID, ws.Tenant)
				return err
			})
		},
	}
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}

func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}
