// Package assessreport puts the assessment stage into reports: the
// assessment section (per source: items by class, the readiness roll-up,
// the unavoidable changes with the rules that make them and why, and every
// item's class, deciding rule, reasons, findings and dispositions) and the
// rule-catalogue appendix (the catalogue's version and digest, and every
// rule with its class, rationale and how many items it touched). It is its own
// package because reports read the workspace summary, which reads the
// assessment stage.
package assessreport

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reportchart"
)

// Provider fills the assessment slot from the newest completed run of each
// source the report covers.
type Provider struct{ Service *assessment.Service }

// Rules fills the rule-catalogue appendix.
type Rules struct{ Service *assessment.Service }

// Slot implements report.Provider.
func (Provider) Slot() report.Slot { return report.SlotAssessment }

// Slot implements report.Provider.
func (Rules) Slot() report.Slot { return report.SlotRules }

// runsFor returns, for each covered snapshot's source, its newest completed
// run, in the covered snapshots' order, and whether some run of a covered
// source is newer than the one reported (failed or still assessing).
func runsFor(ctx context.Context, svc *assessment.Service, in report.Input) ([]assessment.Run, []assessment.Run, error) {
	all, err := svc.Runs(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out, newer []assessment.Run
	for _, sn := range in.Covered {
		seenNewer := false
		for _, r := range all { // newest first
			if r.SourceID != sn.SourceID {
				continue
			}
			if r.Status == assessment.StatusCompleted {
				out = append(out, r)
				break
			}
			if !seenNewer {
				newer = append(newer, r)
				seenNewer = true
			}
		}
	}
	return out, newer, nil
}

// Contribute implements report.Provider.
func (p Provider) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	runs, newer, err := runsFor(ctx, p.Service, in)
	if err != nil {
		return report.Contribution{}, err
	}
	sec := report.Section{ID: string(report.SlotAssessment), Title: report.SlotAssessment.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	if len(runs) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No assessment has been run in this workspace. Every item's class, deciding rule and rationale appear here once a compatibility assessment has completed on a snapshot."))
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	var c report.Contribution
	add(report.ParagraphBlock("Every item of each source's assessed snapshot has exactly one class, decided by a named rule of a " +
		"versioned catalogue (the appendix lists them): native_import (the Portal takes it as it is), import_with_approximation " +
		"(it moves, and what changes is noted), visibility_only (shown, not migrated), manual_rebuild_required (a person rebuilds " +
		"it) and blocked (it cannot move until something is fixed). When several rules match, the most restrictive class wins; " +
		"every matching rule is listed as a finding. A disposition (will fix, risk accepted, not applicable) changes how a finding " +
		"counts in the readiness roll-up, never its class."))
	for _, r := range newer {
		sec.Status = report.Partial
		add(report.NoteBlock(report.ToneWarning, "The newest assessment of source %q (%s) is %s; the last completed one is reported.", r.SourceName, r.ID, r.Status))
	}
	total := assessment.Run{Counts: map[assessment.Class]int{}, KindCounts: map[inventory.Kind]map[assessment.Class]int{}}
	for _, r := range runs {
		c.Cover = append(c.Cover, report.Fact{Label: "Assessment of " + r.SourceName, Value: r.ID},
			report.Fact{Label: "Classifier version", Value: r.ClassifierVersion})
		total.ItemCount += r.ItemCount
		for cl, n := range r.Counts {
			total.Counts[cl] += n
		}
		for k, m := range r.KindCounts {
			if total.KindCounts[k] == nil {
				total.KindCounts[k] = map[assessment.Class]int{}
			}
			for cl, n := range m {
				total.KindCounts[k][cl] += n
			}
		}
	}
	classes, kinds := reportchart.Of("assessment_classes", assessment.ClassChart(total), "no items"), reportchart.Of("assessment_class_by_kind", assessment.KindChart(total), "no items")
	c.Summary = append(c.Summary, report.ChartBlock(classes), report.ChartBlock(kinds))
	add(report.HeadingBlock(2, "Classes"), report.ChartBlock(classes), report.ChartBlock(kinds))

	for i, r := range runs {
		if err := p.runSection(ctx, i+1, r, add); err != nil {
			return report.Contribution{}, err
		}
	}
	c.Sections = []report.Section{sec}
	return c, nil
}

// runSection reports one run; n numbers the run's tables (table ids name
// files, and source names may not).
func (p Provider) runSection(ctx context.Context, n int, r assessment.Run, add func(...report.Block)) error {
	add(report.HeadingBlock(2, fmt.Sprintf("Source %s", r.SourceName)))
	facts := []report.Fact{{Label: "Assessment", Value: r.ID}, {Label: "Snapshot", Value: r.SnapshotID},
		{Label: "Classifier version", Value: r.ClassifierVersion}, {Label: "Items", Value: report.Thousands(int64(r.ItemCount))}}
	facts = append(facts, report.Fact{Label: "OCM impacts", Value: report.Thousands(int64(r.ImpactCount))},
		report.Fact{Label: "Items whose change users notice", Value: report.Thousands(int64(r.UnavoidableChangeCount))})
	add(report.FactsBlock(facts...), report.TableBlock(classTable(n, r)))

	ready, err := p.Service.Readiness(ctx, r.ID)
	if err != nil {
		return err
	}
	path := string(ready.SignInPath)
	if path == "" {
		path = "nothing outstanding"
	}
	add(report.HeadingBlock(3, "Readiness by application"),
		report.FactsBlock(report.Fact{Label: "Tenant-wide sign-in path (routing rules and providers)", Value: path}),
		report.TableBlock(appTable(n, r, ready)))

	items := &report.Table{ID: fmt.Sprintf("assessment_items_%d", n), Title: "Items of " + r.SourceName, Interactive: true, Columns: []report.Column{
		{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.9},
		{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 1.2},
		{Key: "name", Title: "Name", Type: report.ColText, Weight: 1.5},
		{Key: "source_id", Title: "Source id", Type: report.ColID, Detail: true},
		{Key: "rule", Title: "Rule", Type: report.ColID, Weight: ruleIDWeight},
		{Key: "target", Title: "Target", Type: report.ColText, Detail: true},
		{Key: "reason", Title: "Reason", Type: report.ColText, Weight: 2.6},
		{Key: "notes", Title: "Notes", Type: report.ColText, Detail: true},
		{Key: "operator_impact", Title: "Operator impact", Type: report.ColText, Detail: true},
		{Key: "user_impact", Title: "User impact", Type: report.ColText, Detail: true},
		{Key: "findings", Title: "Every rule that matched", Type: report.ColText, Detail: true},
		{Key: "dispositions", Title: "Dispositions", Type: report.ColText, Detail: true},
	}, Rows: [][]any{}}
	changes := changeTable(n, r)
	summary := map[[2]string]int{}
	const page = 2000
	for off := 0; ; off += page {
		pg, err := p.Service.Results(ctx, assessment.ResultQuery{RunID: r.ID, Offset: off, Limit: page})
		if err != nil {
			return err
		}
		for _, res := range pg.Results {
			reason := res.Rationale
			if res.BlockedReason != "" {
				reason = res.BlockedReason
			}
			var rules, disposed []string
			for _, f := range res.Findings {
				rules = append(rules, f.RuleID)
				if d := f.Disposition; d != nil {
					disposed = append(disposed, fmt.Sprintf("%s: %s by %s, review %s (%s)", f.RuleID, d.Disposition, d.Owner, d.ReviewDate, d.Note))
				}
			}
			items.Rows = append(items.Rows, report.Row(string(res.Class), string(res.Kind), res.DisplayName, res.SourceID, res.RuleID,
				string(res.Target.Noun), reason, res.ApproximationNotes, string(res.OperatorImpact), string(res.UserImpact),
				strings.Join(rules, ", "), strings.Join(disposed, "; ")))
			summary[[2]string{string(res.Class), res.RuleID}]++
			if res.UserImpact != assessment.LevelNone {
				changes.add(res)
			}
		}
		if len(pg.Results) < page {
			break
		}
	}
	if len(items.Rows) > report.ItemRegisterSummaryAbove {
		sum := &report.Table{ID: items.ID + "_by_rule", Title: "Items of " + r.SourceName + ", by class and deciding rule", Columns: []report.Column{
			{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.4},
			{Key: "rule", Title: "Deciding rule", Type: report.ColID, Weight: 1.6},
			{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.6},
		}}
		keys := make([][2]string, 0, len(summary))
		for k := range summary {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := assessment.Class(keys[i][0]).Rank(), assessment.Class(keys[j][0]).Rank()
			if ri != rj {
				return ri > rj
			}
			return keys[i][1] < keys[j][1]
		})
		for _, k := range keys {
			sum.Rows = append(sum.Rows, report.Row(k[0], k[1], summary[k]))
		}
		items.Summary = sum
	}
	add(report.HeadingBlock(3, "Unavoidable changes"),
		report.ParagraphBlock("Items whose migration changes something end users notice (%s of %s items), each with the rules "+
			"that make the change, why, and what changes.", report.Thousands(int64(r.UnavoidableChangeCount)), report.Thousands(int64(r.ItemCount))),
		report.TableBlock(changes.table()))
	add(report.HeadingBlock(3, "Every item"), report.TableBlock(items))
	return nil
}

// ruleIDWeight is the width of a rule id column: the longest id
// (ENTRA-GROUP-DISTRIBUTION-001) on one printed line.
const ruleIDWeight = 2.6

// classMeaning says what each class means for the item, in a line.
var classMeaning = map[assessment.Class]string{
	assessment.NativeImport:            "The Portal takes it as it is.",
	assessment.ImportWithApproximation: "It moves; what changes is noted.",
	assessment.VisibilityOnly:          "Shown for the record, not migrated.",
	assessment.ManualRebuildRequired:   "A person rebuilds it on the Portal.",
	assessment.Blocked:                 "It cannot move until something is fixed.",
}

// classTable counts a run's items by class, most restrictive first.
func classTable(n int, r assessment.Run) *report.Table {
	t := &report.Table{ID: fmt.Sprintf("assessment_classes_%d", n), Title: "Items of " + r.SourceName + " by class", Columns: []report.Column{
		{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.9},
		{Key: "meaning", Title: "Meaning", Type: report.ColText, Weight: 3},
		{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.6},
	}, Rows: [][]any{}}
	for i := len(assessment.Classes) - 1; i >= 0; i-- {
		cl := assessment.Classes[i]
		t.Rows = append(t.Rows, report.Row(string(cl), classMeaning[cl], r.Counts[cl]))
	}
	return t
}

// changes collects a run's unavoidable changes: items whose user impact is
// above none, with the findings that raise it.
type changes struct {
	t      *report.Table
	byRule map[string]int
}

func changeTable(n int, r assessment.Run) *changes {
	return &changes{byRule: map[string]int{}, t: &report.Table{ID: fmt.Sprintf("assessment_changes_%d", n),
		Title: "Unavoidable changes in " + r.SourceName, Empty: "No item's migration changes anything end users notice.", Columns: []report.Column{
			{Key: "name", Title: "Item", Type: report.ColText, Weight: 1.6},
			{Key: "kind", Title: "Kind", Type: report.ColText, Detail: true},
			{Key: "class", Title: "Class", Type: report.ColStatus, Detail: true},
			{Key: "user_impact", Title: "User impact", Type: report.ColText, Weight: 0.9},
			{Key: "rules", Title: "Rules", Type: report.ColID, Weight: ruleIDWeight},
			{Key: "rationale", Title: "Rationale", Type: report.ColText, Weight: 3.2},
			{Key: "changes", Title: "What changes", Type: report.ColText, Weight: 2.8},
			{Key: "source_id", Title: "Source id", Type: report.ColID, Detail: true},
			{Key: "deciding_rule", Title: "Deciding rule", Type: report.ColID, Detail: true},
		}, Rows: [][]any{}}}
}

// add records res, naming the findings that change something for users
// (the deciding rule's own texts when no single finding does).
func (c *changes) add(res assessment.Result) {
	var rules, why, what []string
	for _, f := range res.Findings {
		if f.UserImpact == assessment.LevelNone {
			continue
		}
		rules = append(rules, f.RuleID)
		why = append(why, f.Rationale)
		if f.Notes != "" {
			what = append(what, f.Notes)
		}
		c.byRule[f.RuleID]++
	}
	if len(rules) == 0 {
		rules, why, what = []string{res.RuleID}, []string{res.Rationale}, []string{res.ApproximationNotes}
		c.byRule[res.RuleID]++
	}
	c.t.Rows = append(c.t.Rows, report.Row(res.DisplayName, string(res.Kind), string(res.Class), string(res.UserImpact),
		strings.Join(rules, ", "), strings.Join(why, " "), strings.Join(what, " "), res.SourceID, res.RuleID))
}

// table returns the collected changes, summarised by rule when too many
// to print.
func (c *changes) table() *report.Table {
	if len(c.t.Rows) <= report.ItemRegisterSummaryAbove {
		return c.t
	}
	sum := &report.Table{ID: c.t.ID + "_by_rule", Title: c.t.Title + ", by rule", Columns: []report.Column{
		{Key: "rule", Title: "Rule", Type: report.ColID, Weight: 1.6},
		{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.6},
	}}
	ids := make([]string, 0, len(c.byRule))
	for id := range c.byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sum.Rows = append(sum.Rows, report.Row(id, c.byRule[id]))
	}
	c.t.Summary = sum
	return c.t
}

func appTable(n int, r assessment.Run, ready assessment.Readiness) *report.Table {
	t := &report.Table{ID: fmt.Sprintf("assessment_apps_%d", n), Title: "Applications of " + r.SourceName,
		Empty: "The snapshot holds no application.", Columns: []report.Column{
			{Key: "application", Title: "Application", Type: report.ColText, Weight: 1.8},
			{Key: "class", Title: "Own class", Type: report.ColStatus, Weight: 1.9},
			{Key: "effective", Title: "With its assignments and app-specific rules", Type: report.ColStatus, Weight: 1.9},
			{Key: "ready", Title: "Ready", Type: report.ColBool, Weight: 0.6},
			{Key: "related", Title: "Related items", Type: report.ColInteger, Weight: 0.7},
		}, Rows: [][]any{}}
	for _, a := range ready.Apps {
		eff := string(a.Effective)
		if eff == "" {
			eff = "resolved"
		}
		t.Rows = append(t.Rows, report.Row(a.Name, string(a.Class), eff, a.Ready, a.Related))
	}
	return t
}

// Contribute implements report.Provider: the catalogue's version and
// digest, and every rule of it with its class, rationale and how many
// items of the reported runs it decided or matched.
func (p Rules) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	runs, _, err := runsFor(ctx, p.Service, in)
	if err != nil {
		return report.Contribution{}, err
	}
	cat := p.Service.Catalogue
	sec := report.Section{ID: string(report.SlotRules), Title: report.SlotRules.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	add(report.FactsBlock(
		report.Fact{Label: "Catalogue version", Value: cat.Version()},
		report.Fact{Label: "Catalogue digest (SHA-256 of every rule)", Value: cat.Digest()},
		report.Fact{Label: "Classifier version", Value: cat.ClassifierVersion()},
		report.Fact{Label: "Rules", Value: report.Thousands(int64(len(cat.Rules())))}))
	var versions []string
	used := map[string]int{}
	for _, r := range runs {
		if !containsString(versions, r.ClassifierVersion) {
			versions = append(versions, r.ClassifierVersion)
		}
		for _, rule := range cat.Rules() {
			pg, err := p.Service.Results(ctx, assessment.ResultQuery{RunID: r.ID, RuleID: rule.ID, Limit: 1})
			if err != nil {
				return report.Contribution{}, err
			}
			used[rule.ID] += pg.Total
		}
	}
	switch {
	case len(runs) == 0:
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No assessment has completed in this workspace, so no rule of the catalogue has been applied yet; "+
			"the catalogue below is the one the next assessment applies."))
	case !containsString(versions, cat.ClassifierVersion()) || len(versions) > 1:
		add(report.NoteBlock(report.ToneWarning, "The reported runs used classifier version %s, not only this build's %s: "+
			"rules below are described as this build has them; rerun the assessment to apply them.", strings.Join(versions, " and "), cat.ClassifierVersion()))
	default:
		add(report.ParagraphBlock("The reported runs used this catalogue (classifier version %s).", cat.ClassifierVersion()))
	}
	add(report.ParagraphBlock("Every rule with its class and rationale, the rationale in outline: ‹…› is filled from the item, " +
		"[a | b] is text that depends on it. A rule marked fallback decides only items no other rule decided. The full catalogue, " +
		"with each rule's templates, notes, impacts and vendor references, is docs/assessment-rules.md."))
	t := &report.Table{ID: "assessment_rules", Title: "Rule catalogue " + cat.Version(), Columns: []report.Column{
		{Key: "rule", Title: "Rule", Type: report.ColID, Weight: ruleIDWeight},
		{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.9},
		{Key: "rationale", Title: "Rationale", Type: report.ColText, Weight: 3.6},
		{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.6},
		{Key: "title", Title: "Title", Type: report.ColText, Detail: true},
		{Key: "version", Title: "Rule version", Type: report.ColInteger, Detail: true},
		{Key: "vendor", Title: "Vendor", Type: report.ColText, Detail: true},
		{Key: "kind", Title: "Kind", Type: report.ColText, Detail: true},
		{Key: "fallback", Title: "Fallback", Type: report.ColBool, Detail: true},
		{Key: "condition", Title: "Condition", Type: report.ColText, Detail: true},
		{Key: "references", Title: "References", Type: report.ColText, Detail: true},
	}, Rows: [][]any{}}
	for _, rule := range cat.Rules() {
		t.Rows = append(t.Rows, report.Row(rule.ID, string(rule.Class), assessment.Outline(rule.Rationale), used[rule.ID],
			rule.Title, rule.Version, string(rule.Vendor), string(rule.Kind), rule.Fallback, rule.Condition, strings.Join(rule.References, " ")))
	}
	add(report.TableBlock(t))
	return report.Contribution{Sections: []report.Section{sec}}, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
