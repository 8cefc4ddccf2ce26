package cli

import (
	"fmt"
	"io"
	"strings"
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

// auditVerification is the --json document of audit verify: the chain's
// verdict and how the trail compares with this machine's keychain.
type auditVerification struct {
	OK      bool              `json:"ok"`
	Entries int               `json:"entries"`
	Break   *audit.Break      `json:"break"`
	Anchor  audit.AnchorState `json:"anchor"`
	// FileChangedOutside: the file's bytes changed after the console last
	// closed it, without a console writing to it (other commands refuse
	// such a file as damaged).
	FileChangedOutside bool `json:"file_changed_outside_console"`
}

const changedOutside = "The workspace file changed after the console last closed it, and no console wrote to it since: other commands refuse it as damaged"

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
			v := c.Verdict
			doc := auditVerification{OK: v.OK(), Entries: v.Entries, Break: v.Break, Anchor: v.Anchor, FileChangedOutside: w.DB.ChangedOutside()}
			err = e.print(doc, func(out io.Writer) error {
				if v.Break != nil {
					return nil // the failure is reported on stderr
				}
				if doc.FileChangedOutside {
					fmt.Fprintln(out, changedOutside+".")
				}
				noun := "entries"
				if v.Entries == 1 {
					noun = "entry"
				}
				_, err := fmt.Fprintf(out, "Audit trail intact: %d %s, each linked to the one before.\n%s\n", v.Entries, noun, v.Anchor.Note)
				return err
			})
			if err != nil {
				return err
			}
			b := v.Break
			if b == nil {
				return nil
			}
			cause := "; the workspace file was changed outside the console"
			switch b.Kind {
			case audit.BreakEmptied, audit.BreakRewritten, audit.BreakRolledBack, audit.BreakCutShort, audit.BreakAnchorForged:
				cause = "" // the reason says how
			}
			if doc.FileChangedOutside {
				cause += "; " + strings.ToLower(changedOutside[:1]) + changedOutside[1:]
			}
			return fmt.Errorf("the audit trail is broken at %w%s", *b, cause)
		},
	}
}
