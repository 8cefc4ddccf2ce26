package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/audit"
)

func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the workspace's tamper-evident audit trail",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newAuditListCmd(e), newAuditVerifyCmd(e), newAuditAcceptCmd(e))
	return cmd
}

// auditList is the --json document of audit list.
type auditList struct {
	Entries []audit.Entry `json:"entries"`
}

func newAuditListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every audit entry, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			entries, _, err := w.Service.AuditTrail(e.ctx)
			if err != nil {
				return err
			}
			if entries == nil {
				entries = []audit.Entry{}
			}
			return e.print(auditList{Entries: entries}, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "SEQ\tAT\tEVENT\tACTOR\tTARGET\tFACTS")
				for _, en := range entries {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", en.Seq, formatTime(&en.At), en.Event, en.Actor, en.TargetID, audit.FormatFacts(en.Facts))
				}
				return tw.Flush()
			})
		},
	}
}

func newAuditVerifyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain and its anchor in this machine's keychain; exit 1 naming the first bad entry",
		Long: `Check the audit trail: every entry against its hash and the one before it, and
the trail against the anchor this machine's keychain keeps, so a trail that was
emptied, rewritten as a whole, or rolled back to an older copy of the file is
found and named. Entries the console wrote but had not yet anchored (it
stopped first) are a warning, not a break; the next open anchors them.
Without this workspace's key in the keychain (a file copied from another
machine) only the file's own chain is checked, and the output says so.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open(wiring.ForAuditVerification())
			if err != nil {
				return err
			}
			defer w.Close()
			c, err := w.Service.VerifyAudit(e.ctx)
			if err != nil {
				return err
			}
			v := newAuditVerification(c.Verdict, w.DB.ChangedOutside())
			if err := e.show(v); err != nil {
				return err
			}
			return v.failure()
		},
	}
}

func newAuditAcceptCmd(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "accept --reason TEXT",
		Short: "Accept the audit trail as the file holds it now, after restoring an older copy on purpose",
		Long: `When audit verify reports the trail rolled back (or otherwise not the one this
machine's keychain anchored) because you restored a backup on purpose, accept
the file as it is: an audit entry records your reason and the finding it
settles, and the trail is anchored at its head again. The file's own chain must
verify; nothing is accepted when the trail already matches its anchor.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "reason"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			before, err := w.AcceptAuditTrail(e.ctx, reason)
			if err != nil {
				return err
			}
			c, err := w.Service.VerifyAudit(e.ctx)
			if err != nil {
				return err
			}
			return e.show(auditAccepted{Accepted: before.Break, Verdict: newAuditVerification(c.Verdict, false)})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the file as it is now is the right one (recorded in the audit trail)")
	return cmd
}
