// Package mergereport puts merge review into reports: per current
// assessment run, the overlap scan of the live target and every merge
// decision with the incumbent item, the live Portal objects it matched (id,
// name and ETag as read), what a person decided, who and when, the note,
// and the field-by-field diff the review showed (docs/merge-review.md).
// It is its own package because reports read the workspace summary, which
// reads the merge stage.
package mergereport

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/chart"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Provider fills the merge slot from the current runs' decisions.
type Provider struct{ Service *merge.Service }

// Slot implements report.Provider.
func (Provider) Slot() report.Slot { return report.SlotMerge }

// Pending is the decision column's value for a row nobody has decided.
const Pending = "pending"

// decisionOf is the one word a reader scans for: the resolution, or
// pending.
func decisionOf(d merge.Decision) string {
	if d.Status == merge.StatusPending {
		return Pending
	}
	return string(d.Resolution)
}

// decisionOrder is the order the counts list decisions in.
var decisionOrder = []string{Pending, string(merge.MapToExisting), string(merge.CreateNew), string(merge.Skip)}

var decisionColors = map[string]string{
	Pending:                     chart.ColorCaution,
	string(merge.MapToExisting): chart.ColorGood,
	string(merge.CreateNew):     chart.ColorInfo,
	string(merge.Skip):          chart.ColorMuted,
}

// Contribute implements report.Provider.
func (p Provider) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	sec := report.Section{ID: string(report.SlotMerge), Title: report.SlotMerge.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	one := func() (report.Contribution, error) { return report.Contribution{Sections: []report.Section{sec}}, nil }

	if in.Workspace.Mode == workspace.ModeFirstRunAdoption {
		// As the workspace summary has it: merge_review_status is
		// not_applicable, and a live target that is not empty blocks.
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "Not applicable: this workspace adopts a first-run target, so there is no existing "+
			"target state to merge with and no merge decision is made. The assessment still reads the live target to check that it is empty."))
		for _, b := range in.Summary.PreviewHandoffBlockers {
			if b.Code == readiness.BlockerLiveTargetNotEmpty || b.Code == readiness.BlockerLiveTargetNotRead {
				add(report.NoteBlock(report.ToneWarning, "%s", b.Message))
			}
		}
		return one()
	}

	names := map[string]string{}
	for _, src := range in.Sources {
		names[src.ID] = src.Name
	}
	t := newTables(names)
	counts := map[string]int{}
	byKind := map[inventory.Kind]map[string]int{}
	carried := 0
	rv, err := p.Service.EachDetail(ctx, func(dt merge.Detail) error {
		d := dt.Decision
		dec := decisionOf(d)
		counts[dec]++
		if byKind[d.Kind] == nil {
			byKind[d.Kind] = map[string]int{}
		}
		byKind[d.Kind][dec]++
		if d.CarriedFrom != "" {
			carried++
		}
		t.add(dt)
		return nil
	})
	if err != nil {
		return report.Contribution{}, err
	}
	if len(rv.Runs) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No merge decisions have been recorded in this workspace: they are made against the "+
			"target's existing objects when an assessment completes, and no source has a completed newest assessment."))
		return one()
	}
	total := len(t.decisions.Rows)
	add(report.ParagraphBlock("This workspace merges into a Portal tenant that already holds objects. Each assessment run read the " +
		"live target through its admin API; every incumbent item the cutover would create that collides with a live object " +
		"(providers by entity id, issuer or name; routing rules by email domain; groups and applications by name, compared as a " +
		"person reads them; applications also by redirect URI; assignments by application and group) has a decision row. Nothing " +
		"is merged or replaced automatically: a person maps the item to one of the live objects it matched (the cutover binds to it " +
		"and never modifies it), creates a new object (under a new name where the old one is taken), or skips it. Each live object " +
		"is shown with the ETag it had when the assessment read it, and each decision with the field-by-field comparison the " +
		"review showed."))

	if missing := assessment.WithoutCurrentRun(in.Sources, rv.Runs); len(missing) > 0 {
		sec.Status = report.Partial
		add(report.NoteBlock(report.ToneWarning, "No completed newest assessment for %s, so the live target has not been compared "+
			"with the current inventory there: no decision of it is reported until one completes.", strings.Join(missing, ", ")))
	}
	var c report.Contribution
	t.finish()

	facts := []report.Fact{{Label: "Decisions", Value: report.Thousands(int64(total))}}
	for _, k := range decisionOrder {
		facts = append(facts, report.Fact{Label: label(k), Value: report.Thousands(int64(counts[k]))})
	}
	facts = append(facts, report.Fact{Label: "Carried over unchanged", Value: report.Thousands(int64(carried))})
	add(report.HeadingBlock(2, "Decisions"), report.FactsBlock(facts...))
	switch {
	case counts[Pending] > 0:
		add(report.NoteBlock(report.ToneWarning, "%s pending: the preview handoff gate stays closed until a person decides each one.",
			plural(counts[Pending], "decision is", "decisions are")))
	case total > 0:
		add(report.NoteBlock(report.ToneSuccess, "Every decision is made: none is pending."))
	}
	if total > 0 {
		ch := decisionChart(counts, total)
		c.Summary = append(c.Summary, report.ChartBlock(ch))
		add(report.ChartBlock(ch), report.TableBlock(kindTable(byKind)))
	}

	for _, r := range rv.Runs {
		add(report.HeadingBlock(2, "Live target as read for "+r.SourceName))
		sc, ok := rv.Scans[r.ID]
		if !ok {
			sec.Status = report.Partial
			add(report.NoteBlock(report.ToneWarning, "Assessment %s ran before the live target was checked, so its overlaps are unknown: run it again.", r.ID))
			continue
		}
		add(report.FactsBlock(scanFacts(r, sc)...))
		if sc.Status != merge.ScanRead {
			sec.Status = report.Partial
			add(report.NoteBlock(report.ToneWarning, "The live target was not read (%s): %s. No decision row is made from a partial read; "+
				"run the assessment again once the target answers.", sc.Status, orText(sc.Reason, "no reason recorded")))
		}
		if sc.Unmoved > 0 {
			add(report.ParagraphBlock("%s live objects but will not be created (classed visibility only or blocked), so "+
				"no decision is made: %s.", plural(sc.Unmoved, "item also matches", "items also match"), samples(sc.Unmoved, sc.UnmovedSamples)))
		}
	}
	add(report.HeadingBlock(2, "Every decision"), report.TableBlock(t.decisions))
	add(report.HeadingBlock(2, "Field-by-field comparison"),
		report.ParagraphBlock("For each decision, every field of the Portal object's shape: the incumbent's value, the live "+
			"object's value as read, whether they differ, and what the cutover does with it: kept_from_target (mapped to that "+
			"object, which is never modified), set_on_create (a new object is created), not_migrated (skipped, or mapped to "+
			"another match), undecided (pending)."),
		report.TableBlock(t.fields))
	c.Sections = []report.Section{sec}
	return c, nil
}

func label(decision string) string {
	switch decision {
	case Pending:
		return "Pending"
	case string(merge.MapToExisting):
		return "Mapped to an existing object"
	case string(merge.CreateNew):
		return "Created new"
	case string(merge.Skip):
		return "Skipped"
	}
	return decision
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return report.Thousands(int64(n)) + " " + many
}

// samples lists names, saying when they are only some of n.
func samples(n int, names []string) string {
	s := strings.Join(names, ", ")
	if n > len(names) {
		s += ", …"
	}
	return s
}

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

var nouns = []assessment.Noun{assessment.NounUpstreamProvider, assessment.NounRoutingRule, assessment.NounGroup,
	assessment.NounApplication, assessment.NounAppAssignment}

func scanFacts(r assessment.Run, sc merge.Scan) []report.Fact {
	facts := []report.Fact{
		{Label: "Assessment", Value: r.ID},
		{Label: "Live target", Value: orText(sc.TargetURL, "not configured")},
		{Label: "Read", Value: string(sc.Status)},
	}
	if !sc.ReadAt.IsZero() {
		facts = append(facts, report.Fact{Label: "Read at", Value: sc.ReadAt.UTC().Format("2006-01-02 15:04 UTC")})
	}
	if sc.Status == merge.ScanRead {
		for _, n := range nouns {
			v := report.Thousands(int64(sc.Counts[n]))
			if names := sc.Samples[n]; len(names) > 0 {
				v += " (" + strings.Join(names, ", ")
				if sc.Counts[n] > len(names) {
					v += ", …"
				}
				v += ")"
			}
			facts = append(facts, report.Fact{Label: "Live " + strings.ReplaceAll(string(n), "_", " ") + "s", Value: v})
		}
	}
	return append(facts, report.Fact{Label: "Decision rows", Value: report.Thousands(int64(sc.Decisions))},
		report.Fact{Label: "Overlaps on items not moved", Value: report.Thousands(int64(sc.Unmoved))})
}

func decisionChart(counts map[string]int, total int) *report.Chart {
	c := &report.Chart{ID: "merge_decisions", Kind: string(chart.Donut), Title: fmt.Sprintf("Merge decisions (%d)", total)}
	var values []float64
	var alt []string
	for _, k := range decisionOrder {
		if n := counts[k]; n > 0 {
			c.Labels = append(c.Labels, label(k))
			c.Colors = append(c.Colors, decisionColors[k])
			values = append(values, float64(n))
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(n)), strings.ToLower(label(k))))
		}
	}
	c.Series = []report.ChartSeries{{Name: "decisions", Values: values}}
	c.AltText = c.Title + ": " + strings.Join(alt, ", ") + "."
	return c
}

func kindTable(byKind map[inventory.Kind]map[string]int) *report.Table {
	t := &report.Table{ID: "decision_counts", Title: "Decisions by kind", Columns: []report.Column{
		{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 1.4},
	}, Rows: [][]any{}}
	for _, k := range decisionOrder {
		t.Columns = append(t.Columns, report.Column{Key: k, Title: label(k), Type: report.ColInteger})
	}
	t.Columns = append(t.Columns, report.Column{Key: "total", Title: "Total", Type: report.ColInteger})
	for _, k := range inventory.Kinds {
		m := byKind[k]
		if m == nil {
			continue
		}
		row := []any{string(k)}
		n := 0
		for _, d := range decisionOrder {
			row = append(row, m[d])
			n += m[d]
		}
		t.Rows = append(t.Rows, report.Row(append(row, n)...))
	}
	return t
}

// tables collects the decision and diff rows as the decisions stream by,
// with the tallies their summaries need.
type tables struct {
	decisions, fields *report.Table
	// sourceNames are the sources' names by id.
	sourceNames map[string]string
	decSum      map[sumKey]int
	fieldSum    map[[2]string]int
}

type sumKey struct{ decision, kind, noun string }

func newTables(sourceNames map[string]string) *tables {
	return &tables{sourceNames: sourceNames, decSum: map[sumKey]int{}, fieldSum: map[[2]string]int{},
		decisions: &report.Table{ID: "decisions", Title: "Merge decisions", Interactive: true,
			Empty: "No incumbent item collides with an object of the live target: there is nothing to decide.", Columns: []report.Column{
				{Key: "decision", Title: "Decision", Type: report.ColStatus, Weight: 1.55},
				{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 1.05},
				{Key: "item", Title: "Incumbent item", Type: report.ColText, Weight: 1.3},
				{Key: "matched", Title: "Live objects matched (id, name, ETag as read)", Type: report.ColText, Weight: 2.3},
				{Key: "outcome", Title: "Outcome", Type: report.ColText, Weight: 1.5},
				{Key: "decided_by", Title: "Decided by", Type: report.ColText, Weight: 0.8},
				{Key: "decided_at", Title: "Decided at", Type: report.ColTime, Weight: 0.9},
				{Key: "note", Title: "Note", Type: report.ColText, Weight: 1.5},
				{Key: "decision_id", Title: "Decision id", Type: report.ColID, Detail: true},
				{Key: "source", Title: "Source", Type: report.ColText, Detail: true},
				{Key: "run_id", Title: "Assessment", Type: report.ColID, Detail: true},
				{Key: "item_source_id", Title: "Item source id", Type: report.ColID, Detail: true},
				{Key: "class", Title: "Class", Type: report.ColStatus, Detail: true},
				{Key: "noun", Title: "Portal noun", Type: report.ColText, Detail: true},
				{Key: "match_types", Title: "Matched by", Type: report.ColText, Detail: true},
				{Key: "status", Title: "Status", Type: report.ColStatus, Detail: true},
				{Key: "resolution", Title: "Resolution", Type: report.ColText, Detail: true},
				{Key: "target_id", Title: "Mapped to (id)", Type: report.ColID, Detail: true},
				{Key: "target_name", Title: "Mapped to (name)", Type: report.ColText, Detail: true},
				{Key: "target_etag", Title: "Mapped to (ETag as read)", Type: report.ColID, Detail: true},
				{Key: "new_name", Title: "New name", Type: report.ColText, Detail: true},
				{Key: "differing_fields", Title: "Fields that differ", Type: report.ColText, Detail: true},
				{Key: "carried_from", Title: "Carried over from", Type: report.ColID, Detail: true},
				{Key: "history", Title: "History", Type: report.ColText, Detail: true},
			}, Rows: [][]any{}},
		fields: &report.Table{ID: "decision_fields", Title: "Field-by-field comparison", Interactive: true,
			Empty: "No decision, so nothing to compare.", Columns: []report.Column{
				{Key: "item", Title: "Incumbent item", Type: report.ColText, Weight: 1.3},
				{Key: "target", Title: "Live object", Type: report.ColText, Weight: 1.3},
				{Key: "field", Title: "Field", Type: report.ColID, Weight: 1.2},
				{Key: "incumbent_value", Title: "Incumbent value", Type: report.ColText, Weight: 1.8},
				{Key: "target_value", Title: "Live value as read", Type: report.ColText, Weight: 1.8},
				{Key: "differs", Title: "Differs", Type: report.ColBool, Weight: 0.6},
				{Key: "outcome", Title: "Cutover does", Type: report.ColStatus, Weight: 1.2},
				{Key: "decision_id", Title: "Decision id", Type: report.ColID, Detail: true},
				{Key: "target_id", Title: "Live object id", Type: report.ColID, Detail: true},
			}, Rows: [][]any{}},
	}
}

// add writes one decision's row and its compared fields.
func (t *tables) add(dt merge.Detail) {
	d := dt.Decision
	var matched []string
	for _, m := range d.Matched {
		var by []string
		for _, e := range m.Evidence {
			by = append(by, string(e.Type))
		}
		matched = append(matched, fmt.Sprintf("%s %q ETag %s (by %s)", m.TargetID, m.Name, orText(m.ETag, "none"), strings.Join(by, ", ")))
	}
	var tid, tname, tetag string
	outcome := "undecided"
	switch d.Resolution {
	case merge.MapToExisting:
		m, _ := d.Matches(d.TargetID)
		tid, tname, tetag = m.TargetID, m.Name, m.ETag
		outcome = fmt.Sprintf("maps to %s %q (never modified)", m.TargetID, m.Name)
	case merge.CreateNew:
		outcome = fmt.Sprintf("creates a new %s named %q", strings.ReplaceAll(string(d.Noun), "_", " "), orText(d.NewName, d.DisplayName))
	case merge.Skip:
		outcome = "not migrated"
	}
	var differ, history []string
	for _, td := range dt.Diffs {
		for _, f := range td.Fields {
			t.fields.Rows = append(t.fields.Rows, report.Row(d.DisplayName, fmt.Sprintf("%s (%s)", td.Name, td.TargetID), f.Field,
				f.Incumbent, f.Target, f.Differs, string(f.Outcome), d.ID, td.TargetID))
			if f.Differs {
				differ = append(differ, td.TargetID+": "+f.Field)
			}
			t.fieldSum[[2]string{f.Field, string(f.Outcome)}]++
		}
	}
	for _, h := range d.History {
		e := fmt.Sprintf("%d. %s by %s at %s", h.Seq, h.Resolution, h.Actor, h.At.UTC().Format("2006-01-02 15:04:05Z"))
		if h.TargetID != "" {
			e += " to " + h.TargetID
		}
		if h.NewName != "" {
			e += fmt.Sprintf(" as %q", h.NewName)
		}
		if h.CarriedFrom != "" {
			e += " (carried over from " + h.CarriedFrom + ")"
		}
		if h.Note != "" {
			e += ": " + h.Note
		}
		history = append(history, e)
	}
	var types []string
	for _, m := range d.MatchTypes {
		types = append(types, string(m))
	}
	dec := decisionOf(d)
	t.decisions.Rows = append(t.decisions.Rows, report.Row(dec, string(d.Kind), d.DisplayName, strings.Join(matched, "; "), outcome,
		d.ResolvedBy, d.ResolvedAt, d.Note, d.ID, t.sourceNames[d.RunID], d.RunID, d.ItemSourceID, string(d.Class), string(d.Noun),
		strings.Join(types, ", "), string(d.Status), string(d.Resolution), tid, tname, tetag, d.NewName,
		strings.Join(differ, ", "), d.CarriedFrom, strings.Join(history, "; ")))
	t.decSum[sumKey{dec, string(d.Kind), string(d.Noun)}]++
}

// finish adds the summaries reading formats print for tables too long to
// print whole (the CSV carries every row).
func (t *tables) finish() {
	decSum, fieldSum := t.decSum, t.fieldSum
	if len(t.decisions.Rows) > report.ItemRegisterSummaryAbove {
		sum := &report.Table{ID: "decisions_by_kind", Title: "Merge decisions, by decision, kind and Portal noun", Columns: []report.Column{
			{Key: "decision", Title: "Decision", Type: report.ColStatus, Weight: 1.3},
			{Key: "kind", Title: "Kind", Type: report.ColText},
			{Key: "noun", Title: "Portal noun", Type: report.ColText},
			{Key: "decisions", Title: "Decisions", Type: report.ColInteger, Weight: 0.7},
		}}
		keys := make([]sumKey, 0, len(decSum))
		for k := range decSum {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.decision != b.decision {
				return indexOf(decisionOrder, a.decision) < indexOf(decisionOrder, b.decision)
			}
			if a.kind != b.kind {
				return a.kind < b.kind
			}
			return a.noun < b.noun
		})
		for _, k := range keys {
			sum.Rows = append(sum.Rows, report.Row(k.decision, k.kind, k.noun, decSum[k]))
		}
		t.decisions.Summary = sum
	}
	if len(t.fields.Rows) > report.ItemRegisterSummaryAbove {
		sum := &report.Table{ID: "decision_fields_by_outcome", Title: "Field-by-field comparison, by field and what the cutover does", Columns: []report.Column{
			{Key: "field", Title: "Field", Type: report.ColID},
			{Key: "outcome", Title: "Cutover does", Type: report.ColStatus},
			{Key: "fields", Title: "Compared fields", Type: report.ColInteger, Weight: 0.7},
		}}
		keys := make([][2]string, 0, len(fieldSum))
		for k := range fieldSum {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i][0] != keys[j][0] {
				return keys[i][0] < keys[j][0]
			}
			return keys[i][1] < keys[j][1]
		})
		for _, k := range keys {
			sum.Rows = append(sum.Rows, report.Row(k[0], k[1], fieldSum[k]))
		}
		t.fields.Summary = sum
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return len(list)
}
