package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/ocm"
)

func newOCMCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ocm",
		Short: "Review and acknowledge the OCM impacts of each source's newest completed assessment",
		Long: `Every OCM impact an assessment raised is an acknowledgement item (the customer accepts a change
their people will feel) or a configuration item (someone must act), with the owner of the action.
Acknowledging records who, when and a note on the impact row itself. On a rerun, an
acknowledgement carries over to an unchanged impact; a changed one needs review.`,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newOCMListCmd(e), newOCMAckCmd(e))
	return cmd
}

type ocmFilter struct {
	audience, severity, kind, status string
}

func (f *ocmFilter) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.audience, "audience", "", "only impacts for this audience (end_users, administrators, help_desk, app_owners)")
	cmd.Flags().StringVar(&f.severity, "severity", "", "only impacts of this severity (low, medium, high)")
	cmd.Flags().StringVar(&f.kind, "kind", "", "only acknowledgement or configuration items")
	cmd.Flags().StringVar(&f.status, "status", "", "only pending, acknowledged or needs_review impacts")
}

func (f ocmFilter) filter() (ocm.Filter, error) {
	var auds, sevs, kinds, stats []string
	for _, a := range assessment.Audiences {
		auds = append(auds, string(a))
	}
	for _, s := range assessment.Severities {
		sevs = append(sevs, string(s))
	}
	for _, k := range ocm.Kinds {
		kinds = append(kinds, string(k))
	}
	for _, s := range ocm.Statuses {
		stats = append(stats, string(s))
	}
	for _, c := range []struct {
		flag, v string
		ok      []string
	}{{"audience", f.audience, auds}, {"severity", f.severity, sevs},
		{"kind", f.kind, kinds}, {"status", f.status, stats}} {
		if err := oneOf(c.flag, c.v, c.ok...); err != nil {
			return ocm.Filter{}, err
		}
	}
	return ocm.Filter{Audience: assessment.Audience(f.audience), Severity: assessment.Severity(f.severity),
		Kind: ocm.Kind(f.kind), Status: ocm.Status(f.status)}, nil
}

func newOCMListCmd(e *env) *cobra.Command {
	var f ocmFilter
	cmd := &cobra.Command{
		Use:   "list [--audience A] [--severity S] [--kind K] [--status S]",
		Short: "List the current OCM impacts by audience and severity, with their acknowledgement",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			filter, err := f.filter()
			if err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			l, err := w.OCM.List(e.ctx, filter)
			if err != nil {
				return err
			}
			return e.print(l, func(out io.Writer) error { return printOCM(out, l) })
		},
	}
	f.register(cmd)
	return cmd
}

func printOCM(out io.Writer, l ocm.Listing) error {
	fmt.Fprintf(out, "%d OCM impacts: %d acknowledged, %d pending, %d need review.\n", l.Total, l.Acknowledged, l.Pending, l.NeedsReview)
	for _, g := range l.Groups {
		fmt.Fprintf(out, "\n%s, %s severity (%d acknowledged of %d)\n", readable(string(g.Audience)), g.Severity, g.Acknowledged, len(g.Impacts))
		for _, im := range g.Impacts {
			fmt.Fprintf(out, "  %s  [%s] %s — %s item for %s, %s (%s)\n", im.ID, strings.ReplaceAll(string(im.Status), "_", " "), im.Summary,
				im.Kind, im.Owner, plural(im.ItemCount, "item"), im.RuleID)
			switch im.Status {
			case ocm.StatusAcknowledged:
				line := fmt.Sprintf("      acknowledged by %s at %s", im.AckedBy, formatTime(im.AckedAt))
				if im.CarriedFrom != "" {
					line += " (carried over from assessment " + im.CarriedFrom + ")"
				}
				fmt.Fprintln(out, line)
			case ocm.StatusNeedsReview:
				fmt.Fprintf(out, "      needs review: %s (acknowledged earlier by %s at %s)\n", im.ReviewReason, im.AckedBy, formatTime(im.AckedAt))
			}
			if im.Note != "" {
				fmt.Fprintf(out, "      note: %s\n", im.Note)
			}
		}
	}
	return nil
}

func readable(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func newOCMAckCmd(e *env) *cobra.Command {
	var (
		id, note    string
		all, dryRun bool
		f           ocmFilter
	)
	cmd := &cobra.Command{
		Use:   "ack --impact ID | --audience A --severity S [--kind K] [--status S] | --all [--note T] [--dry-run]",
		Short: "Acknowledge one OCM impact, or every impact a filter selects",
		Long: `Records who acknowledged the impacts, when, and the note, on the impact rows themselves, and audits
migration.ocm_impacts.acknowledged. Impacts that need review are acknowledged again; impacts
already acknowledged are left as they are. --dry-run lists what would be acknowledged.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			filter, err := f.filter()
			if err != nil {
				return err
			}
			switch {
			case id != "" && (all || filter != ocm.Filter{}):
				return usageErrorf("give --impact ID, or a filter, or --all; not more than one")
			case id == "" && !all && filter == ocm.Filter{}:
				return usageErrorf("give --impact ID, a filter (--audience, --severity, --kind, --status), or --all to acknowledge every impact")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			r, err := w.OCM.Acknowledge(e.ctx, ocm.AckRequest{ImpactID: id, Filter: filter, Note: note, DryRun: dryRun})
			if err != nil {
				return err
			}
			return e.print(r, func(out io.Writer) error {
				verb := "Acknowledged"
				if r.DryRun {
					verb = "Would acknowledge"
				}
				fmt.Fprintf(out, "%s %s", verb, plural(len(r.Acknowledged), "impact"))
				if r.Unchanged > 0 {
					fmt.Fprintf(out, " (%d already acknowledged)", r.Unchanged)
				}
				fmt.Fprintln(out, ".")
				for _, im := range r.Acknowledged {
					fmt.Fprintf(out, "  %s  %s, %s: %s\n", im.ID, im.Audience, im.Severity, im.Summary)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "impact", "", "the impact to acknowledge (its id, from ocm list)")
	cmd.Flags().StringVar(&note, "note", "", "the acknowledgement's note (who agreed, where)")
	cmd.Flags().BoolVar(&all, "all", false, "acknowledge every impact not acknowledged yet")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be acknowledged, change nothing")
	f.register(cmd)
	return cmd
}
