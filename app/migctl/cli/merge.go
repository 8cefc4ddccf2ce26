package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/workspace"
)

func newMergeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge",
		Short: "Review the overlaps with live Portal state (merge_into_existing workspaces) and decide each one",
		Long: `An assessment of a merge_into_existing workspace reads the live Portal and records a decision row for
every incumbent item that collides with a live object. Each row is decided by a person:
map_to_existing (bind to one of the row's matched resources, which is never modified),
create_new (optionally under a new name that no live object holds) or skip. Nothing here
writes to the Portal.`,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newMergeListCmd(e), newMergeShowCmd(e), newMergeResolveCmd(e))
	return cmd
}

// mergeFilter is the filter flags list and resolve --all share.
type mergeFilter struct {
	status, kind, class, matchType string
}

func (f *mergeFilter) register(cmd *cobra.Command, statusHelp string) {
	cmd.Flags().StringVar(&f.status, "status", "", statusHelp)
	cmd.Flags().StringVar(&f.kind, "kind", "", "only rows of this item kind (application, provider, routing_rule, group, assignment, ...)")
	cmd.Flags().StringVar(&f.class, "class", "", "only rows of this compatibility class")
	cmd.Flags().StringVar(&f.matchType, "match-type", "", "only rows matched this way (entity_id, issuer, name, email_domain, redirect_uri, app_group)")
}

func (f mergeFilter) filter() (merge.Filter, error) {
	out := merge.Filter{Status: merge.Status(f.status), Kind: inventory.Kind(f.kind), Class: assessment.Class(f.class),
		MatchType: merge.MatchType(f.matchType)}
	if err := oneOf("status", f.status, string(merge.StatusPending), string(merge.StatusResolved)); err != nil {
		return out, err
	}
	if f.class != "" {
		if _, err := assessment.ParseClass(f.class); err != nil {
			return out, usageErrorf("%v", err)
		}
	}
	if f.matchType != "" {
		if _, err := merge.ParseMatchType(f.matchType); err != nil {
			return out, err
		}
	}
	return out, nil
}

func newMergeListCmd(e *env) *cobra.Command {
	var f mergeFilter
	cmd := &cobra.Command{
		Use:   "list [--status pending|resolved] [--kind K] [--class C] [--match-type M]",
		Short: "List the merge decisions of each source's newest completed assessment, pending first",
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
			page, err := w.Merge.List(e.ctx, filter)
			if err != nil {
				return err
			}
			return e.print(page, func(out io.Writer) error { return printMergePage(out, page) })
		},
	}
	f.register(cmd, "only pending or only resolved rows")
	return cmd
}

func printMergePage(out io.Writer, p merge.Page) error {
	if p.Mode != workspace.ModeMergeIntoExisting {
		fmt.Fprintf(out, "This workspace is %s: merge review applies only to merge_into_existing workspaces.\n", p.Mode)
	}
	for _, s := range p.Scans {
		printScan(out, s)
	}
	fmt.Fprintf(out, "%s pending, %d resolved.\n", plural(p.Pending, "decision"), p.Resolved)
	if len(p.Decisions) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tITEM\tCLASS\tMATCHED BY\tLIVE OBJECT\tDECISION")
	for _, d := range p.Decisions {
		var live []string
		for _, m := range d.Matched {
			live = append(live, fmt.Sprintf("%s (%s)", m.Name, m.TargetID))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Status, d.Kind, clip(d.DisplayName, 40), d.Class,
			joinTypes(d.MatchTypes), clip(strings.Join(live, "; "), 60), resolutionText(d))
	}
	return tw.Flush()
}

func printScan(out io.Writer, s merge.Scan) {
	if s.Status != merge.ScanRead {
		fmt.Fprintf(out, "Assessment %s did not read the live target: %s\n", s.RunID, s.Reason)
		return
	}
	var parts []string
	for _, n := range []assessment.Noun{assessment.NounUpstreamProvider, assessment.NounRoutingRule, assessment.NounGroup,
		assessment.NounApplication, assessment.NounAppAssignment} {
		parts = append(parts, plural(s.Counts[n], strings.ReplaceAll(string(n), "_", " ")))
	}
	fmt.Fprintf(out, "Assessment %s read the live target at %s: %s.\n", s.RunID, formatTime(&s.ReadAt), strings.Join(parts, ", "))
	if s.Unmoved > 0 {
		verb := "match"
		if s.Unmoved == 1 {
			verb = "matches"
		}
		fmt.Fprintf(out, "  %s also %s live objects but get no decision, because they will not be created: %s\n",
			plural(s.Unmoved, "item"), verb, strings.Join(s.UnmovedSamples, ", "))
	}
}

func joinTypes(ts []merge.MatchType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

func resolutionText(d merge.Decision) string {
	switch d.Resolution {
	case merge.MapToExisting:
		return "map to " + d.TargetID
	case merge.CreateNew:
		if d.NewName != "" {
			return fmt.Sprintf("create new %q", d.NewName)
		}
		return "create new"
	case merge.Skip:
		return "skip"
	}
	return "—"
}

func newMergeShowCmd(e *env) *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "show --decision ID",
		Short: "Show one merge decision: its matched resources, history and field-by-field diff",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if strings.TrimSpace(id) == "" {
				return usageErrorf("--decision ID is required (see merge list)")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			d, err := w.Merge.Get(e.ctx, id)
			if err != nil {
				return err
			}
			return e.print(d, func(out io.Writer) error { return printMergeDetail(out, d) })
		},
	}
	cmd.Flags().StringVar(&id, "decision", "", "the decision's id")
	return cmd
}

func printMergeDetail(out io.Writer, det merge.Detail) error {
	d := det.Decision
	fmt.Fprintf(out, "Decision %s: %s %q (%s, %s) of assessment %s\n", d.ID, d.Kind, d.DisplayName, d.Class, d.ItemSourceID, d.RunID)
	fmt.Fprintf(out, "  status: %s, decision: %s", d.Status, resolutionText(d))
	if d.ResolvedAt != nil {
		fmt.Fprintf(out, " (by %s at %s)", d.ResolvedBy, formatTime(d.ResolvedAt))
	}
	fmt.Fprintln(out)
	if d.Note != "" {
		fmt.Fprintf(out, "  note: %s\n", d.Note)
	}
	if !det.Current {
		fmt.Fprintln(out, "  This row is from an older assessment run and can no longer be decided.")
	}
	if det.CreateNewRefused != "" {
		fmt.Fprintf(out, "  create_new under its own name: refused (%s)\n", det.CreateNewRefused)
	}
	for i, m := range d.Matched {
		fmt.Fprintf(out, "\nMatched %s %s %q (ETag %s, read %s)\n", strings.ReplaceAll(string(m.Noun), "_", " "), m.TargetID, m.Name, m.ETag, formatTime(&m.ReadAt))
		for _, ev := range m.Evidence {
			fmt.Fprintf(out, "  by %s: incumbent %q, live %q\n", ev.Type, ev.Incumbent, ev.Target)
		}
		if i < len(det.Diffs) {
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  FIELD\tINCUMBENT\tLIVE\t\tCUTOVER")
			for _, r := range det.Diffs[i].Fields {
				mark := ""
				if r.Differs {
					mark = "≠"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Field, clip(r.Incumbent, 50), clip(r.Target, 50), mark, strings.ReplaceAll(string(r.Outcome), "_", " "))
			}
			tw.Flush()
		}
	}
	if len(d.History) > 0 {
		fmt.Fprintln(out, "\nHistory")
		for _, h := range d.History {
			line := fmt.Sprintf("  %d. %s %s by %s", h.Seq, formatTime(&h.At), h.Resolution, h.Actor)
			if h.TargetID != "" {
				line += " → " + h.TargetID
			}
			if h.NewName != "" {
				line += fmt.Sprintf(" as %q", h.NewName)
			}
			if h.CarriedFrom != "" {
				line += " (carried over from " + h.CarriedFrom + ")"
			}
			if h.Note != "" {
				line += ": " + h.Note
			}
			fmt.Fprintln(out, line)
		}
	}
	return nil
}

func newMergeResolveCmd(e *env) *cobra.Command {
	var (
		id, mapTo, name, note string
		createNew, skip, all  bool
		mapToMatch, dryRun    bool
		f                     mergeFilter
	)
	cmd := &cobra.Command{
		Use: "resolve --decision ID (--map-to TARGET_ID | --create-new [--name N] | --skip) [--note T]\n" +
			"  migctl merge resolve --all [--kind K] [--class C] [--match-type M] (--map-to-match | --create-new | --skip) [--note T] [--dry-run]",
		Short: "Decide one merge decision, or every pending one a filter selects",
		Long: `Decides a merge decision of a source's newest completed assessment. A decided row can be decided
again until a cutover plan of its assessment is applied; every decision is kept in the row's
history and audited (migration.merge_decision.resolved).

--map-to must name one of the row's matched resources. --create-new is refused while the name
(the item's own, or --name) is held by a live object as read, and always for routing rules and
assignments, which the Portal keeps unique. With --all, every pending row the filter selects is
decided the same way (--status resolved to re-decide resolved rows); --map-to-match maps each to
its only matched resource, and rows that cannot be decided so are listed with the reason.
--dry-run lists what would change without changing it.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			n := 0
			for _, set := range []bool{mapTo != "", createNew, skip, mapToMatch} {
				if set {
					n++
				}
			}
			if n != 1 {
				return usageErrorf("give exactly one of --map-to TARGET_ID, --map-to-match, --create-new or --skip")
			}
			if (id == "") == !all {
				return usageErrorf("give --decision ID, or --all with a filter")
			}
			res := merge.Skip
			switch {
			case mapTo != "", mapToMatch:
				res = merge.MapToExisting
			case createNew:
				res = merge.CreateNew
			}
			if !all && (mapToMatch || dryRun || f != (mergeFilter{})) {
				return usageErrorf("--map-to-match, --dry-run and the filters go with --all")
			}
			if all && (mapTo != "" || name != "") {
				return usageErrorf("--map-to and --name decide one row: use them with --decision ID")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			if !all {
				d, err := w.Merge.Resolve(e.ctx, merge.ResolveRequest{DecisionID: id, Resolution: res, TargetID: mapTo, NewName: name, Note: note})
				if err != nil {
					return err
				}
				return e.print(d, func(out io.Writer) error {
					_, err := fmt.Fprintf(out, "Decision %s (%s %q): %s.\n", d.ID, d.Kind, d.DisplayName, resolutionText(d))
					return err
				})
			}
			if f.status == "" {
				f.status = string(merge.StatusPending)
			}
			filter, err := f.filter()
			if err != nil {
				return err
			}
			r, err := w.Merge.ResolveAll(e.ctx, merge.BulkRequest{Filter: filter, Resolution: res, Note: note, DryRun: dryRun})
			if err != nil {
				return err
			}
			return e.print(r, func(out io.Writer) error { return printBulk(out, r) })
		},
	}
	cmd.Flags().StringVar(&id, "decision", "", "the decision to resolve")
	cmd.Flags().StringVar(&mapTo, "map-to", "", "map to this matched resource (its target id)")
	cmd.Flags().BoolVar(&createNew, "create-new", false, "create a new object")
	cmd.Flags().StringVar(&name, "name", "", "with --create-new: the new object's name")
	cmd.Flags().BoolVar(&skip, "skip", false, "do not migrate the item")
	cmd.Flags().StringVar(&note, "note", "", "why (kept with the decision)")
	cmd.Flags().BoolVar(&all, "all", false, "decide every row the filter selects")
	cmd.Flags().BoolVar(&mapToMatch, "map-to-match", false, "with --all: map each row to its only matched resource")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "with --all: list what would change, change nothing")
	f.register(cmd, "with --all: pending (default) or resolved rows")
	return cmd
}

func printBulk(out io.Writer, r merge.BulkResult) error {
	verb := "Resolved"
	if r.DryRun {
		verb = "Would resolve"
	}
	fmt.Fprintf(out, "%s %s; %d refused.\n", verb, plural(r.Resolved, "decision"), r.Refused)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range r.Changes {
		line := fmt.Sprintf("  %s\t%s\t%s %q", c.Outcome, c.Decision.ID, c.Decision.Kind, clip(c.Decision.DisplayName, 40))
		if c.TargetID != "" {
			line += "\t→ " + c.TargetID
		}
		if c.Reason != "" {
			line += "\t" + c.Reason
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}
