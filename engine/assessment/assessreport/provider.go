// Package assessreport puts the assessment stage into reports: the
// assessment section (classes, charts, every item's class, deciding rule,
// reasons, impacts and dispositions, and the readiness roll-up) and the
// rule-catalogue appendix (every rule the runs applied). It is its own
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
	"github.com/portal-id/migration-console/engine/report/chart"
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
	classes, kinds := chartOf("assessment_classes", assessment.ClassChart(total)), chartOf("assessment_class_by_kind", assessment.KindChart(total))
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

func chartOf(id string, s chart.Spec) *report.Chart {
	c := &report.Chart{ID: id, Kind: string(s.Kind), Title: s.Title, Labels: s.Labels, Colors: s.Colors, Stacked: s.Stacked}
	var alt []string
	for _, sr := range s.Series {
		c.Series = append(c.Series, report.ChartSeries{Name: sr.Name, Values: sr.Values, Color: sr.Color})
	}
	if len(s.Series) == 1 {
		for i, l := range s.Labels {
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(s.Series[0].Values[i])), l))
		}
	} else {
		for _, sr := range s.Series {
			n := 0.0
			for _, v := range sr.Values {
				n += v
			}
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(n)), sr.Name))
		}
	}
	c.AltText = s.Title + ": " + strings.Join(alt, ", ") + "."
	return c
}

// runSection reports one run; n numbers the run's tables (table ids name
// files, and source names may not).
func (p Provider) runSection(ctx context.Context, n int, r assessment.Run, add func(...report.Block)) error {
	add(report.HeadingBlock(2, fmt.Sprintf("Source %s", r.SourceName)))
	facts := []report.Fact{{Label: "Assessment", Value: r.ID}, {Label: "Snapshot", Value: r.SnapshotID},
		{Label: "Classifier version", Value: r.ClassifierVersion}, {Label: "Items", Value: report.Thousands(int64(r.ItemCount))}}
	for _, cl := range assessment.Classes {
		facts = append(facts, report.Fact{Label: assessment.ClassLabels[cl], Value: report.Thousands(int64(r.Counts[cl]))})
	}
	facts = append(facts, report.Fact{Label: "OCM impacts", Value: report.Thousands(int64(r.ImpactCount))},
		report.Fact{Label: "Items whose change users notice", Value: report.Thousands(int64(r.UnavoidableChangeCount))})
	add(report.FactsBlock(facts...))

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
		{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 0.9},
		{Key: "name", Title: "Name", Type: report.ColText, Weight: 1.6},
		{Key: "source_id", Title: "Source id", Type: report.ColID, Detail: true},
		{Key: "rule", Title: "Rule", Type: report.ColID, Weight: 1.4},
		{Key: "target", Title: "Target", Type: report.ColText, Weight: 0.9},
		{Key: "reason", Title: "Reason", Type: report.ColText, Weight: 3},
		{Key: "notes", Title: "Notes", Type: report.ColText, Detail: true},
		{Key: "operator_impact", Title: "Operator impact", Type: report.ColText, Detail: true},
		{Key: "user_impact", Title: "User impact", Type: report.ColText, Detail: true},
		{Key: "findings", Title: "Every rule that matched", Type: report.ColText, Detail: true},
		{Key: "dispositions", Title: "Dispositions", Type: report.ColText, Detail: true},
	}, Rows: [][]any{}}
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
	add(report.HeadingBlock(3, "Every item"), report.TableBlock(items))
	return nil
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

// Contribute implements report.Provider: the catalogue's version and every
// rule that decided or matched an item of the reported runs.
func (p Rules) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	runs, _, err := runsFor(ctx, p.Service, in)
	if err != nil {
		return report.Contribution{}, err
	}
	sec := report.Section{ID: string(report.SlotRules), Title: report.SlotRules.Title(), Status: report.Complete}
	if len(runs) == 0 {
		sec.Status = report.NotRun
		sec.Blocks = []report.Block{report.NoteBlock(report.ToneInfo, "No assessment has completed in this workspace, so no rule of the catalogue has been applied yet.")}
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	cat := p.Service.Catalogue
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
	sec.Blocks = append(sec.Blocks, report.ParagraphBlock("The reported runs used classifier version %s; this build's catalogue is %s. "+
		"The full catalogue, with every rule's condition, templates and vendor references, is docs/assessment-rules.md.",
		strings.Join(versions, " and "), cat.ClassifierVersion()))
	if !containsString(versions, cat.ClassifierVersion()) {
		sec.Blocks = append(sec.Blocks, report.NoteBlock(report.ToneWarning, "The runs used another catalogue than this build's: rules below are described as this build has them."))
	}
	t := &report.Table{ID: "assessment_rules", Title: "Rules applied", Columns: []report.Column{
		{Key: "rule", Title: "Rule", Type: report.ColID, Weight: 1.6},
		{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.4},
		{Key: "title", Title: "Title", Type: report.ColText, Weight: 2},
		{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.6},
		{Key: "condition", Title: "Condition", Type: report.ColText, Detail: true},
		{Key: "references", Title: "References", Type: report.ColText, Detail: true},
	}, Rows: [][]any{}}
	for _, rule := range cat.Rules() {
		if n := used[rule.ID]; n > 0 {
			t.Rows = append(t.Rows, report.Row(rule.ID, string(rule.Class), rule.Title, n, rule.Condition, strings.Join(rule.References, " ")))
		}
	}
	sec.Blocks = append(sec.Blocks, report.TableBlock(t))
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
