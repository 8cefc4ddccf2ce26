package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/audit"
)

func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the workspace's tamper-evident audit trail",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newAuditListCmd(e), newAuditVerifyCmd(e))
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

// auditVerification is the --json document of audit verify.
type auditVerification struct {
	OK      bool         `json:"ok"`
	Entries int          `json:"entries"`
	Break   *audit.Break `json:"break"`
}

func newAuditVerifyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain; exit 1 naming the first bad entry",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			entries, brk, err := w.Service.AuditTrail(e.ctx)
			if err != nil {
				return err
			}
			doc := auditVerification{OK: brk == nil, Entries: len(entries), Break: brk}
			err = e.print(doc, func(out io.Writer) error {
				if brk != nil {
					return nil // the failure is reported on stderr
				}
				noun := "entries"
				if len(entries) == 1 {
					noun = "entry"
				}
				_, err := fmt.Fprintf(out, "Audit trail intact: %d %s, each linked to the one before.\n", len(entries), noun)
				return err
			})
			if err != nil {
				return err
			}
			if brk != nil {
				return fmt.Errorf("the audit trail is broken at %w; the workspace file was changed outside the console", *brk)
			}
			return nil
		},
	}
}
