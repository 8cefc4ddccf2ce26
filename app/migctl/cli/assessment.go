package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/assessment/rules"
	"github.com/portal-id/migration-console/engine/inventory"
)

func newAssessmentCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assessment",
		Short: "Assess a snapshot's compatibility with the Portal, and review, dispose and compare the results",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newAssessmentRunCmd(e), newAssessmentListCmd(e), newAssessmentShowCmd(e), newAssessmentRulesCmd(e),
		newAssessmentDiffCmd(e), newAssessmentDisposeCmd(e), newAssessmentImpactsCmd(e), newAssessmentReadinessCmd(e))
	return cmd
}

// allClasses returns r with every class and kind present in its counts.
func allClasses(r assessment.Run) assessment.Run {
	counts := make(map[assessment.Class]int, len(assessment.Classes))
	for _, c := range assessment.Classes {
		counts[c] = r.Counts[c]
	}
	r.Counts = counts
	kinds := make(map[inventory.Kind]map[assessment.Class]int, len(inventory.Kinds))
	for _, k := range inventory.Kinds {
		m := make(map[assessment.Class]int, len(assessment.Classes))
		for _, c := range assessment.Classes {
			m[c] = r.KindCounts[k][c]
		}
		kinds[k] = m
	}
	r.KindCounts = kinds
	return r
}

func newAssessmentRunCmd(e *env) *cobra.Command {
	var snapshotID, source string
	cmd := &cobra.Command{
		Use:   "run --snapshot ID | --source NAME",
		Short: "Assess a completed snapshot (or the newest completed snapshot of a source)",
		Long: `Classifies every item of the snapshot with the rule catalogue and stores the results, the OCM
impacts and the readiness data as a new assessment run; earlier runs are kept. Progress goes to
stderr. Ctrl-C stops the run, which is then recorded as failed ("cancelled").

Prints the run (completed or failed); exits 1 when it failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (snapshotID == "") == (source == "") {
				return usageErrorf("give exactly one of --snapshot ID or --source NAME")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			bar := startAssessProgress(e.stderr)
			var run assessment.Run
			var runErr error
			if snapshotID != "" {
				run, runErr = w.Assessment.Run(e.ctx, snapshotID, bar.update)
			} else {
				run, runErr = w.Assessment.RunSource(e.ctx, source, bar.update)
			}
			bar.finish()
			if run.ID == "" {
				return runErr // refused before a run existed
			}
			run = allClasses(run)
			if err := e.print(run, func(out io.Writer) error { return printRun(out, run) }); err != nil {
				return errors.Join(runErr, err)
			}
			return runErr
		},
	}
	cmd.Flags().StringVar(&snapshotID, "snapshot", "", "the completed snapshot to assess")
	cmd.Flags().StringVar(&source, "source", "", "assess the newest completed snapshot of this source")
	return cmd
}

// printRun writes a run's summary for a person.
func printRun(out io.Writer, r assessment.Run) error {
	fmt.Fprintf(out, "Assessment %s of snapshot %s (%s source %q): %s\n", r.ID, r.SnapshotID, r.SourceKind, r.SourceName, r.Status)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  classifier\t%s\n", r.ClassifierVersion)
	fmt.Fprintf(tw, "  started\t%s\n", formatTime(&r.StartedAt))
	if r.FinishedAt != nil {
		fmt.Fprintf(tw, "  finished\t%s (took %s)\n", formatTime(r.FinishedAt), r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	}
	fmt.Fprintf(tw, "  items\t%d\n", r.ItemCount)
	for _, c := range assessment.Classes {
		fmt.Fprintf(tw, "    %s\t%d\n", c, r.Counts[c])
	}
	fmt.Fprintf(tw, "  OCM impacts\t%d\n", r.ImpactCount)
	fmt.Fprintf(tw, "  unavoidable changes\t%s\n", plural(r.UnavoidableChangeCount, "item"))
	if r.CarriedDispositions > 0 {
		fmt.Fprintf(tw, "  dispositions carried over\t%d\n", r.CarriedDispositions)
	}
	if r.Error != "" {
		fmt.Fprintf(tw, "  error\t%s\n", r.Error)
	}
	return tw.Flush()
}

// runList is the --json document of assessment list.
type runList struct {
	Assessments []assessment.Run `json:"assessments"`
}

func newAssessmentListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the workspace's assessment runs, newest first",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			runs, err := w.Assessment.Runs(e.ctx)
			if err != nil {
				return err
			}
			doc := runList{Assessments: make([]assessment.Run, 0, len(runs))}
			for _, r := range runs {
				doc.Assessments = append(doc.Assessments, allClasses(r))
			}
			return e.print(doc, func(out io.Writer) error {
				if len(runs) == 0 {
					_, err := fmt.Fprintln(out, "No assessment runs yet. Run one with 'migctl assessment run --source N'.")
					return err
				}
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ASSESSMENT\tSOURCE\tSNAPSHOT\tSTATUS\tSTARTED\tITEMS\tNATIVE\tAPPROX\tVISIBLE\tMANUAL\tBLOCKED\tCLASSIFIER\tERROR")
				for _, r := range runs {
					c := r.Counts
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.ID, r.SourceName, r.SnapshotID, r.Status,
						formatTime(&r.StartedAt), r.ItemCount, c[assessment.NativeImport], c[assessment.ImportWithApproximation],
						c[assessment.VisibilityOnly], c[assessment.ManualRebuildRequired], c[assessment.Blocked], r.ClassifierVersion, clip(r.Error, 50))
				}
				return tw.Flush()
			})
		},
	}
}

// assessmentResults is the --json document of assessment show.
type assessmentResults struct {
	Assessment assessment.Run      `json:"assessment"`
	Results    []assessment.Result `json:"results"`
	// Total is how many results match the filters; counting stops at
	// TotalCapped.
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped"`
	Offset      int  `json:"offset"`
}

func classNames() []string {
	out := make([]string, len(assessment.Classes))
	for i, c := range assessment.Classes {
		out[i] = string(c)
	}
	return out
}

func newAssessmentShowCmd(e *env) *cobra.Command {
	var runID, class, kind, rule, text, sortBy string
	var limit, offset int
	var desc bool
	cmd := &cobra.Command{
		Use:   "show [--assessment ID] [--class C] [--kind K] [--rule R] [--text T]",
		Short: "Show an assessment run and its item results (the newest completed run unless --assessment names one)",
		Long: `Each result carries the item's class, the rule that decided it, its target contract, rationale,
approximation notes, blocked reason, impact levels and every rule that matched (findings), with
any disposition recorded on a finding. --rule matches the deciding rule and every other matching
rule.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := oneOf("class", class, classNames()...); err != nil {
				return err
			}
			if err := oneOf("kind", kind, kindNames()...); err != nil {
				return err
			}
			if err := oneOf("sort", sortBy, assessment.SortKeys...); err != nil {
				return err
			}
			if limit < 1 || limit > inventory.MaxCount {
				return usageErrorf("--limit must be between 1 and %d", inventory.MaxCount)
			}
			if offset < 0 {
				return usageErrorf("--offset must not be negative")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			run, err := w.Assessment.Get(e.ctx, runID)
			if err != nil {
				return err
			}
			if runID == "" && run.Status != assessment.StatusCompleted {
				// The newest run is assessing or failed: show the newest
				// completed one, as the results of an unfinished run are
				// never shown.
				runs, err := w.Assessment.Runs(e.ctx)
				if err != nil {
					return err
				}
				for _, r := range runs {
					if r.Status == assessment.StatusCompleted {
						run = r
						break
					}
				}
			}
			if run.Status != assessment.StatusCompleted {
				return fmt.Errorf("assessment %s is %s (%s): only a completed run has results", run.ID, run.Status, run.Error)
			}
			page, err := w.Assessment.Results(e.ctx, assessment.ResultQuery{RunID: run.ID, Class: assessment.Class(class),
				Kind: inventory.Kind(kind), RuleID: rule, Text: text, SortBy: sortBy, Descending: desc, Limit: limit, Offset: offset})
			if err != nil {
				return err
			}
			doc := assessmentResults{Assessment: allClasses(run), Results: page.Results, Total: page.Total, TotalCapped: page.Capped, Offset: offset}
			return e.print(doc, func(out io.Writer) error { return printResults(out, doc) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&runID, "assessment", "", "the assessment run id (default: the newest completed run)")
	f.StringVar(&class, "class", "", "only items of this class: "+strings.Join(classNames(), ", "))
	f.StringVar(&kind, "kind", "", "only items of this kind: "+strings.Join(kindNames(), ", "))
	f.StringVar(&rule, "rule", "", "only items this rule decided or matched")
	f.StringVar(&text, "text", "", "only items whose name, id or view match every word (as prefixes)")
	f.StringVar(&sortBy, "sort", "class", "order by class (most restrictive first), display_name, kind or rule_id")
	f.BoolVar(&desc, "desc", false, "reverse the order")
	f.IntVar(&limit, "limit", 100, "show at most N results")
	f.IntVar(&offset, "offset", 0, "skip the first N matching results")
	return cmd
}

func printResults(out io.Writer, d assessmentResults) error {
	if err := printRun(out, d.Assessment); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if len(d.Results) == 0 {
		_, err := fmt.Fprintln(out, "No results match.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tKIND\tNAME\tRULE\tREASON")
	for _, r := range d.Results {
		reason := r.Rationale
		if r.BlockedReason != "" {
			reason = r.BlockedReason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Class, r.Kind, clip(oneLine(r.DisplayName), 40), r.RuleID, clip(oneLine(reason), 100))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	total := fmt.Sprint(d.Total)
	if d.TotalCapped {
		total = "more than " + total
	}
	if shown := len(d.Results); d.Offset > 0 || shown < d.Total || d.TotalCapped {
		_, err := fmt.Fprintf(out, "\nResults %d to %d of %s matching; use --offset, --limit, --class, --kind, --rule or --text for others; --json for every field.\n",
			d.Offset+1, d.Offset+shown, total)
		return err
	}
	return nil
}

// ruleDoc is one rule in the --json document of assessment rules.
type ruleDoc struct {
	ID             string                  `json:"id"`
	Version        int                     `json:"version"`
	Vendor         assessment.Vendor       `json:"vendor"`
	Kind           inventory.Kind          `json:"kind"`
	Title          string                  `json:"title"`
	Condition      string                  `json:"condition"`
	Class          assessment.Class        `json:"class"`
	Proves         bool                    `json:"proves"`
	Fallback       bool                    `json:"fallback"`
	Target         assessment.Target       `json:"target_contract"`
	Rationale      string                  `json:"rationale_template"`
	Notes          string                  `json:"notes_template,omitempty"`
	Blocked        string                  `json:"blocked_template,omitempty"`
	OperatorImpact assessment.Level        `json:"operator_impact"`
	UserImpact     assessment.Level        `json:"user_impact"`
	Impacts        []assessment.ImpactSpec `json:"ocm_impacts"`
	References     []string                `json:"references"`
}

// catalogueDoc is the --json document of assessment rules.
type catalogueDoc struct {
	CatalogueVersion  string    `json:"catalogue_version"`
	ClassifierVersion string    `json:"classifier_version"`
	Digest            string    `json:"digest"`
	Rules             []ruleDoc `json:"rules"`
}

func newAssessmentRulesCmd(e *env) *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "rules [--markdown]",
		Short: "Print the rule catalogue (docs/assessment-rules.md is its --markdown form)",
		Long:  "Prints every rule the assessment uses. It reads no workspace.",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if markdown && e.json {
				return usageErrorf("give --markdown or --json, not both")
			}
			cat, err := catalogue()
			if err != nil {
				return err
			}
			if markdown {
				_, err := io.WriteString(e.stdout, assessment.Markdown(cat))
				return err
			}
			doc := catalogueDoc{CatalogueVersion: cat.Version(), ClassifierVersion: cat.ClassifierVersion(), Digest: cat.Digest(), Rules: []ruleDoc{}}
			for _, r := range cat.Rules() {
				impacts := r.Impacts
				if impacts == nil {
					impacts = []assessment.ImpactSpec{}
				}
				refs := r.References
				if refs == nil {
					refs = []string{}
				}
				doc.Rules = append(doc.Rules, ruleDoc{ID: r.ID, Version: r.Version, Vendor: r.Vendor, Kind: r.Kind, Title: r.Title,
					Condition: r.Condition, Class: r.Class, Proves: r.Proves, Fallback: r.Fallback, Target: r.Target,
					Rationale: r.Rationale, Notes: r.Notes, Blocked: r.Blocked, OperatorImpact: r.OperatorImpact,
					UserImpact: r.UserImpact, Impacts: impacts, References: refs})
			}
			return e.print(doc, func(out io.Writer) error {
				fmt.Fprintf(out, "Rule catalogue %s (classifier %s), %s\n\n", doc.CatalogueVersion, doc.ClassifierVersion, plural(len(doc.Rules), "rule"))
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "RULE\tKIND\tVENDOR\tCLASS\tTITLE")
				for _, r := range doc.Rules {
					kind := string(r.Kind)
					if kind == "" {
						kind = "any"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, kind, r.Vendor, r.Class, r.Title)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the catalogue as Markdown (the rules page)")
	return cmd
}

func newAssessmentDiffCmd(e *env) *cobra.Command {
	var from, to string
	var limit int
	cmd := &cobra.Command{
		Use:   "diff --from A --to B",
		Short: "Compare two completed assessment runs item by item",
		Long: `Lists the items added, removed, whose class (or deciding rule) changed, and whose findings
changed, in that fixed order, with both runs' rules. When the runs used different rule
catalogues, each changed item says whether the catalogue, the inventory, or both caused it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "from", "to"); err != nil {
				return err
			}
			if limit < 1 {
				return usageErrorf("--limit must be at least 1")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			d, err := w.Assessment.DiffRuns(e.ctx, from, to, limit)
			if err != nil {
				return err
			}
			return e.print(d, func(out io.Writer) error { return printRunDiff(out, d) })
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the earlier assessment run")
	cmd.Flags().StringVar(&to, "to", "", "the later assessment run")
	cmd.Flags().IntVar(&limit, "limit", 1000, "list at most N items per bucket (counts are always complete)")
	return cmd
}

func printRunDiff(out io.Writer, d assessment.Diff) error {
	fmt.Fprintf(out, "From %s (%s, %s) to %s (%s, %s)\n", d.From.ID, d.From.SourceName, d.From.ClassifierVersion,
		d.To.ID, d.To.SourceName, d.To.ClassifierVersion)
	if d.CatalogueChanged {
		fmt.Fprintln(out, "The rule catalogue changed between the runs: each change names its cause.")
	}
	for _, b := range d.Buckets {
		fmt.Fprintf(out, "\n%s: %d\n", strings.ReplaceAll(b.Name, "_", " "), b.Count)
		if len(b.Entries) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, en := range b.Entries {
			change := ""
			switch b.Name {
			case assessment.BucketAdded:
				change = fmt.Sprintf("%s by %s", en.ToClass, en.ToRule)
			case assessment.BucketRemoved:
				change = fmt.Sprintf("was %s by %s", en.FromClass, en.FromRule)
			default:
				change = fmt.Sprintf("%s by %s -> %s by %s", en.FromClass, en.FromRule, en.ToClass, en.ToRule)
				if len(en.RulesAdded) > 0 {
					change += "; +" + strings.Join(en.RulesAdded, " +")
				}
				if len(en.RulesRemoved) > 0 {
					change += "; -" + strings.Join(en.RulesRemoved, " -")
				}
				if en.Cause != "" {
					change += " (" + strings.ReplaceAll(en.Cause, "_", " ") + ")"
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", en.Kind, clip(oneLine(en.DisplayName), 40), change)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if b.Truncated {
			fmt.Fprintf(out, "  ... and %d more (raise --limit)\n", b.Count-len(b.Entries))
		}
	}
	_, err := fmt.Fprintf(out, "\nunchanged: %d\n", d.Unchanged)
	return err
}

func newAssessmentDisposeCmd(e *env) *cobra.Command {
	var q assessment.DisposeRequest
	var kind, disposition string
	var clear bool
	cmd := &cobra.Command{
		Use:   "dispose --item ID | --kind K --source-id S  --rule R  (--disposition D --note N --owner O [--review-date YYYY-MM-DD] | --clear)",
		Short: "Record a what-if on one finding: will fix before cutover, risk accepted, or not applicable",
		Long: `A disposition changes how a finding counts in the readiness roll-up, never the rule's verdict.
It stays with the run, is carried to the source's next run while the finding is unchanged, and is
recorded in the audit trail. --clear removes it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "rule"); err != nil {
				return err
			}
			if (q.ItemID != 0) == (kind != "" || q.SourceID != "") {
				return usageErrorf("name the item with --item ID, or with --kind and --source-id")
			}
			if err := oneOf("kind", kind, kindNames()...); err != nil {
				return err
			}
			var kinds []string
			for _, k := range assessment.DispositionKinds {
				kinds = append(kinds, string(k))
			}
			if err := oneOf("disposition", disposition, kinds...); err != nil {
				return err
			}
			switch {
			case clear && disposition != "":
				return usageErrorf("give --disposition or --clear, not both")
			case !clear && disposition == "":
				return usageErrorf("give --disposition (%s) or --clear", strings.Join(kinds, ", "))
			}
			q.Kind, q.Disposition = inventory.Kind(kind), assessment.DispositionKind(disposition)
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			d, err := w.Assessment.Dispose(e.ctx, q)
			if err != nil {
				return err
			}
			if clear {
				return e.print(map[string]any{"cleared": true, "rule_id": q.RuleID}, func(out io.Writer) error {
					_, err := fmt.Fprintf(out, "Cleared the disposition of %s.\n", q.RuleID)
					return err
				})
			}
			return e.print(d, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Recorded %s on %s for %s %s (owner %s, review %s).\n", d.Disposition, d.RuleID, d.Kind, d.SourceID, d.Owner, d.ReviewDate)
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.RunID, "assessment", "", "the assessment run (default: the newest completed run)")
	f.Int64Var(&q.ItemID, "item", 0, "the item's id (as assessment show prints it)")
	f.StringVar(&kind, "kind", "", "the item's kind, with --source-id")
	f.StringVar(&q.SourceID, "source-id", "", "the item's id in the incumbent, with --kind")
	f.StringVar(&q.RuleID, "rule", "", "the rule whose finding is disposed")
	f.StringVar(&disposition, "disposition", "", "will_fix, risk_accepted or not_applicable")
	f.StringVar(&q.Note, "note", "", "why")
	f.StringVar(&q.Owner, "owner", "", "who answers for it")
	f.StringVar(&q.ReviewDate, "review-date", "", "when to look at it again (YYYY-MM-DD; required except for not_applicable)")
	f.BoolVar(&clear, "clear", false, "remove the finding's disposition")
	return cmd
}

// impactList is the --json document of assessment impacts.
type impactList struct {
	AssessmentID string              `json:"assessment_id"`
	Impacts      []assessment.Impact `json:"impacts"`
}

func newAssessmentImpactsCmd(e *env) *cobra.Command {
	var runID, audience string
	var items int
	cmd := &cobra.Command{
		Use:   "impacts [--assessment ID] [--audience A]",
		Short: "List a run's OCM impacts: who must be told what, and which items raise it",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var auds []string
			for _, a := range assessment.Audiences {
				auds = append(auds, string(a))
			}
			if err := oneOf("audience", audience, auds...); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			run, err := w.Assessment.Get(e.ctx, runID)
			if err != nil {
				return err
			}
			ims, err := w.Assessment.Impacts(e.ctx, assessment.ImpactQuery{RunID: run.ID, Audience: assessment.Audience(audience), ItemLimit: items})
			if err != nil {
				return err
			}
			if ims == nil {
				ims = []assessment.Impact{}
			}
			doc := impactList{AssessmentID: run.ID, Impacts: ims}
			return e.print(doc, func(out io.Writer) error {
				if len(ims) == 0 {
					_, err := fmt.Fprintln(out, "No OCM impacts.")
					return err
				}
				for _, im := range ims {
					fmt.Fprintf(out, "[%s] %s, %s (%s): %s\n", im.Severity, strings.ReplaceAll(string(im.Audience), "_", " "),
						plural(im.ItemCount, "item"), im.RuleID, im.Summary)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&runID, "assessment", "", "the assessment run (default: the newest completed run)")
	cmd.Flags().StringVar(&audience, "audience", "", "only impacts for this audience")
	cmd.Flags().IntVar(&items, "items", 20, "list at most N items per impact (-1 for all)")
	return cmd
}

func newAssessmentReadinessCmd(e *env) *cobra.Command {
	var runID string
	cmd := &cobra.Command{
		Use:   "readiness [--assessment ID]",
		Short: "Show the readiness roll-up per kind and per application, with dispositions applied",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			r, err := w.Assessment.Readiness(e.ctx, runID)
			if err != nil {
				return err
			}
			return e.print(r, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "KIND\tITEMS\tREADY\tRESOLVED\tOUTSTANDING")
				for _, k := range append(r.Kinds, r.Total) {
					name := string(k.Kind)
					if name == "" {
						name = "total"
					}
					var parts []string
					for _, c := range assessment.Classes {
						if n := k.Outstanding[c]; n > 0 && !c.Imports() {
							parts = append(parts, fmt.Sprintf("%d %s", n, c))
						}
					}
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", name, k.Items, k.Ready, k.Resolved, strings.Join(parts, ", "))
				}
				fmt.Fprintln(tw)
				fmt.Fprintf(tw, "Tenant-wide sign-in path (routing rules and providers): %s\n\n", classOrResolved(r.SignInPath))
				fmt.Fprintln(tw, "APPLICATION\tREADY\tEFFECTIVE\tOWN\tAPP ROUTING AND POLICIES\tRELATED")
				for _, a := range r.Apps {
					fmt.Fprintf(tw, "%s\t%t\t%s\t%s\t%s\t%d\n", clip(oneLine(a.Name), 40), a.Ready, classOrResolved(a.Effective), classOrResolved(a.Own), classOrNone(a.SignIn), a.Related)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&runID, "assessment", "", "the assessment run (default: the newest completed run)")
	return cmd
}

func classOrNone(c assessment.Class) string {
	if c == "" {
		return "-"
	}
	return string(c)
}

func classOrResolved(c assessment.Class) string {
	if c == "" {
		return "resolved"
	}
	return string(c)
}

// assessProgress shows a run's progress on stderr: redrawn in place on a
// terminal, a plain line every few seconds otherwise.
type assessProgress struct {
	out  io.Writer
	tty  bool
	mu   sync.Mutex
	last time.Time
}

func startAssessProgress(out io.Writer) *assessProgress {
	p := &assessProgress{out: out}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *assessProgress) update(pr assessment.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	every := plainInterval
	if p.tty {
		every = ttyRedraw
	}
	if !pr.Done && time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	line := fmt.Sprintf("assessing: %s, %d of %d items (%s)", pr.Phase, pr.Items, pr.Total, pr.Elapsed.Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.out, line)
}

func (p *assessProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.out, "\r\033[K")
	}
}

// catalogue is the console's rule catalogue.
func catalogue() (*assessment.Catalogue, error) { return rules.Catalogue() }
