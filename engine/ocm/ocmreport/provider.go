// Package ocmreport puts OCM acknowledgement into reports: every OCM
// impact of the current assessment runs (what changes, for whom, how
// severe, which items it touches, who must act or accept it) with its
// acknowledgement (who, when, note) or its pending or needs-review state
// (docs/merge-review.md, "OCM acknowledgement"). It is its own package
// because reports read the workspace summary, which reads the OCM stage.
package ocmreport

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/chart"
)

// Provider fills the OCM slot from the current runs' impacts.
type Provider struct{ Service *ocm.Service }

// Slot implements report.Provider.
func (Provider) Slot() report.Slot { return report.SlotOCM }

// listedItems is how many item names an impact's row names; the
// impact_items table has them all.
const listedItems = 5

var statusOrder = []ocm.Status{ocm.StatusPending, ocm.StatusNeedsReview, ocm.StatusAcknowledged}

var statusLabels = map[ocm.Status]string{
	ocm.StatusPending:      "Pending",
	ocm.StatusNeedsReview:  "Needs review",
	ocm.StatusAcknowledged: "Acknowledged",
}

var statusColors = map[ocm.Status]string{
	ocm.StatusPending:      chart.ColorCaution,
	ocm.StatusNeedsReview:  chart.ColorWarn,
	ocm.StatusAcknowledged: chart.ColorGood,
}

// Contribute implements report.Provider.
func (p Provider) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	sec := report.Section{ID: string(report.SlotOCM), Title: report.SlotOCM.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	impacts, runs, err := p.Service.Current(ctx, -1)
	if err != nil {
		return report.Contribution{}, err
	}
	if len(runs) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No OCM impacts have been raised: they come from a completed assessment, and no "+
			"source's newest assessment has completed in this workspace."))
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	add(report.ParagraphBlock("Each OCM impact is a change the customer's people will notice, raised by a rule of the assessment " +
		"for one audience at one severity. An acknowledgement item is a change the customer accepts (users see a new sign-in " +
		"page); a configuration item is work someone must do (rotate a client secret, update an application's redirect), and " +
		"names who. Every impact must be acknowledged, with who, when and a note, before the preview handoff gate opens. When " +
		"an assessment is run again, an acknowledgement carries over to an unchanged impact; an impact that changed since needs " +
		"review and shows the earlier acknowledgement."))
	if missing := assessment.WithoutCurrentRun(in.Sources, runs); len(missing) > 0 {
		sec.Status = report.Partial
		add(report.NoteBlock(report.ToneWarning, "No completed newest assessment for %s: %s impacts are not reported until it completes.",
			strings.Join(missing, ", "), pronoun(len(missing))))
	}

	sourceNames := map[string]string{}
	for _, r := range runs {
		sourceNames[r.ID] = r.SourceName
	}
	counts := map[ocm.Status]int{}
	bySeverity := map[assessment.Severity]map[ocm.Status]int{}
	t, items := impactTable(), itemTable()
	itemSum := map[[3]string]int{}
	var review []string
	for _, im := range impacts {
		counts[im.Status]++
		if bySeverity[im.Severity] == nil {
			bySeverity[im.Severity] = map[ocm.Status]int{}
		}
		bySeverity[im.Severity][im.Status]++
		names := make([]string, 0, listedItems)
		for i, it := range im.Items {
			if i < listedItems {
				names = append(names, it.DisplayName)
			}
			items.Rows = append(items.Rows, report.Row(im.ID, im.RuleID, string(im.Severity), string(im.Kind), string(it.Kind),
				it.DisplayName, it.SourceID, string(it.Class)))
			itemSum[[3]string{string(im.Severity), string(im.Audience), string(it.Kind)}]++
		}
		listed := fmt.Sprintf("%d", im.ItemCount)
		if len(names) > 0 {
			listed += ": " + strings.Join(names, ", ")
			if im.ItemCount > len(names) {
				listed += fmt.Sprintf(" and %d more", im.ItemCount-len(names))
			}
		}
		action := "accept"
		if im.Kind == ocm.Configuration {
			action = "act"
		}
		t.Rows = append(t.Rows, report.Row(string(im.Status), string(im.Severity), string(im.Audience),
			fmt.Sprintf("%s: %s", im.Owner, action), im.Summary, listed, im.AckedBy, im.AckedAt, im.Note,
			im.ID, sourceNames[im.RunID], im.RunID, im.RuleID, string(im.Kind), im.Owner, im.ItemCount, im.CarriedFrom, im.ReviewReason))
		if im.Status == ocm.StatusNeedsReview {
			review = append(review, fmt.Sprintf("%s (%s): %s", im.ID, im.RuleID, orText(im.ReviewReason, "it changed since it was acknowledged")))
		}
	}

	var c report.Contribution
	facts := []report.Fact{{Label: "OCM impacts", Value: report.Thousands(int64(len(impacts)))}}
	for _, st := range statusOrder {
		facts = append(facts, report.Fact{Label: statusLabels[st], Value: report.Thousands(int64(counts[st]))})
	}
	add(report.HeadingBlock(2, "Acknowledgement"), report.FactsBlock(facts...))
	switch {
	case len(impacts) == 0:
		add(report.NoteBlock(report.ToneSuccess, "The current assessments raised no OCM impact: there is nothing to acknowledge."))
	case counts[ocm.StatusPending]+counts[ocm.StatusNeedsReview] > 0:
		add(report.NoteBlock(report.ToneWarning, "%d of %d impacts are not acknowledged (%d pending, %d needing review): the preview "+
			"handoff gate stays closed until each is.", counts[ocm.StatusPending]+counts[ocm.StatusNeedsReview], len(impacts),
			counts[ocm.StatusPending], counts[ocm.StatusNeedsReview]))
	default:
		add(report.NoteBlock(report.ToneSuccess, "Every impact is acknowledged."))
	}
	if len(impacts) > 0 {
		ch := statusChart(counts, len(impacts))
		c.Summary = append(c.Summary, report.ChartBlock(ch))
		add(report.ChartBlock(ch), report.TableBlock(severityTable(bySeverity)))
	}
	add(report.HeadingBlock(2, "Every impact"), report.TableBlock(t))
	if len(review) > 0 {
		add(report.NoteBlock(report.ToneWarning, "Changed since acknowledged (the row shows the earlier acknowledgement): %s.", strings.Join(review, "; ")))
	}
	if len(items.Rows) > report.ItemRegisterSummaryAbove {
		items.Summary = itemSummary(itemSum)
	}
	add(report.HeadingBlock(2, "Items each impact touches"), report.TableBlock(items))
	c.Sections = []report.Section{sec}
	return c, nil
}

func pronoun(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func impactTable() *report.Table {
	return &report.Table{ID: "impacts", Title: "OCM impacts", Interactive: true,
		Empty: "No OCM impact was raised.", Columns: []report.Column{
			{Key: "status", Title: "Status", Type: report.ColStatus, Weight: 1.45},
			{Key: "severity", Title: "Level", Type: report.ColText, Weight: 0.8},
			{Key: "audience", Title: "Audience", Type: report.ColText, Weight: 1.15},
			{Key: "action", Title: "Who acts or accepts", Type: report.ColText, Weight: 1.1},
			{Key: "summary", Title: "What changes", Type: report.ColText, Weight: 2.3},
			{Key: "items", Title: "Items", Type: report.ColText, Weight: 1.4},
			{Key: "acknowledged_by", Title: "Acknowledged by", Type: report.ColText, Weight: 0.9},
			{Key: "acknowledged_at", Title: "Acknowledged at", Type: report.ColTime, Weight: 0.9},
			{Key: "note", Title: "Note", Type: report.ColText, Weight: 1.3},
			{Key: "impact_id", Title: "Impact id", Type: report.ColID, Detail: true},
			{Key: "source", Title: "Source", Type: report.ColText, Detail: true},
			{Key: "run_id", Title: "Assessment", Type: report.ColID, Detail: true},
			{Key: "rule_id", Title: "Rule", Type: report.ColID, Detail: true},
			{Key: "kind", Title: "Kind", Type: report.ColText, Detail: true},
			{Key: "owner", Title: "Owner", Type: report.ColText, Detail: true},
			{Key: "item_count", Title: "Item count", Type: report.ColInteger, Detail: true},
			{Key: "carried_from", Title: "Acknowledged in", Type: report.ColID, Detail: true},
			{Key: "review_reason", Title: "What changed since acknowledged", Type: report.ColText, Detail: true},
		}, Rows: [][]any{}}
}

func itemTable() *report.Table {
	return &report.Table{ID: "impact_items", Title: "Items touched by OCM impacts", Interactive: true,
		Empty: "No OCM impact touches an item.", Columns: []report.Column{
			{Key: "impact_id", Title: "Impact", Type: report.ColID, Weight: 1.4},
			{Key: "rule_id", Title: "Rule", Type: report.ColID, Weight: 1.5},
			{Key: "severity", Title: "Level", Type: report.ColText, Weight: 0.6},
			{Key: "impact_kind", Title: "Impact kind", Type: report.ColText, Weight: 1},
			{Key: "kind", Title: "Item kind", Type: report.ColText, Weight: 0.8},
			{Key: "name", Title: "Item", Type: report.ColText, Weight: 1.6},
			{Key: "source_id", Title: "Source id", Type: report.ColID, Detail: true},
			{Key: "class", Title: "Class", Type: report.ColStatus, Weight: 1.3},
		}, Rows: [][]any{}}
}

func itemSummary(sum map[[3]string]int) *report.Table {
	t := &report.Table{ID: "impact_items_by_kind", Title: "Items touched, by level, audience and item kind", Columns: []report.Column{
		{Key: "severity", Title: "Level", Type: report.ColText},
		{Key: "audience", Title: "Audience", Type: report.ColText},
		{Key: "kind", Title: "Item kind", Type: report.ColText},
		{Key: "items", Title: "Items", Type: report.ColInteger, Weight: 0.7},
	}}
	keys := make([][3]string, 0, len(sum))
	for k := range sum {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		for x := 0; x < 3; x++ {
			if keys[i][x] != keys[j][x] {
				return keys[i][x] < keys[j][x]
			}
		}
		return false
	})
	for _, k := range keys {
		t.Rows = append(t.Rows, report.Row(k[0], k[1], k[2], sum[k]))
	}
	return t
}

func severityTable(by map[assessment.Severity]map[ocm.Status]int) *report.Table {
	t := &report.Table{ID: "impact_counts", Title: "Impacts by level and status", Columns: []report.Column{
		{Key: "severity", Title: "Level", Type: report.ColText},
	}, Rows: [][]any{}}
	for _, st := range statusOrder {
		t.Columns = append(t.Columns, report.Column{Key: string(st), Title: statusLabels[st], Type: report.ColInteger})
	}
	t.Columns = append(t.Columns, report.Column{Key: "total", Title: "Total", Type: report.ColInteger})
	for i := len(assessment.Severities) - 1; i >= 0; i-- {
		sev := assessment.Severities[i]
		m := by[sev]
		if m == nil {
			continue
		}
		row, n := []any{string(sev)}, 0
		for _, st := range statusOrder {
			row = append(row, m[st])
			n += m[st]
		}
		t.Rows = append(t.Rows, report.Row(append(row, n)...))
	}
	return t
}

func statusChart(counts map[ocm.Status]int, total int) *report.Chart {
	c := &report.Chart{ID: "ocm_acknowledgement", Kind: string(chart.Donut), Title: fmt.Sprintf("OCM impacts (%d)", total)}
	var values []float64
	var alt []string
	for _, st := range statusOrder {
		if n := counts[st]; n > 0 {
			c.Labels = append(c.Labels, statusLabels[st])
			c.Colors = append(c.Colors, statusColors[st])
			values = append(values, float64(n))
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(n)), strings.ToLower(statusLabels[st])))
		}
	}
	c.Series = []report.ChartSeries{{Name: "impacts", Values: values}}
	c.AltText = c.Title + ": " + strings.Join(alt, ", ") + "."
	return c
}
