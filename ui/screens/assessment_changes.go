package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/ui/task"
)

// changesLimit is how many entries of each bucket the tab lists.
const changesLimit = 1000

// changesView is what changed since the source's previous completed run:
// items added, removed, whose class changed and whose findings changed,
// with both runs' rules, and whether the rule catalogue is the cause. It is
// read when its tab is shown.
type changesView struct {
	env     Env
	runID   string
	gen     int
	fresh   bool
	loading bool
	rows    []changeRow
	summary *widget.Label
	table   *widget.Table
	content fyne.CanvasObject
}

type changeRow struct {
	bucket string
	e      assessment.DiffEntry
}

var bucketLabels = map[string]string{
	assessment.BucketAdded:           "Added",
	assessment.BucketRemoved:         "Removed",
	assessment.BucketClassChanged:    "Class changed",
	assessment.BucketFindingsChanged: "Findings changed",
}

var causeLabels = map[string]string{
	assessment.CauseCatalogue: "Rule catalogue",
	assessment.CauseInventory: "Tenant",
	assessment.CauseBoth:      "Tenant and rule catalogue",
}

var changeColumns = []rollColumn[changeRow]{
	{"Change", 140, func(r changeRow) string { return bucketLabels[r.bucket] }},
	{"Kind", 110, func(r changeRow) string { return Readable(string(r.e.Kind)) }},
	{"Name", 260, func(r changeRow) string { return r.e.DisplayName }},
	{"Class", 330, func(r changeRow) string { return fromTo(classWord(r.e.FromClass), classWord(r.e.ToClass)) }},
	{"Deciding rule", 330, func(r changeRow) string { return fromTo(r.e.FromRule, r.e.ToRule) }},
	{"Rules matched", 300, func(r changeRow) string { return RuleChanges(r.e) }},
	{"Cause", 190, func(r changeRow) string { return causeLabels[r.e.Cause] }},
}

func classWord(c assessment.Class) string {
	if c == "" {
		return ""
	}
	return ClassLabel(c)
}

// fromTo words a value in both runs: "Blocked → Native import", or one
// side alone for an added or removed item.
func fromTo(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case a == b:
		return a
	}
	return a + " → " + b
}

// RuleChanges words the rules that matched in one run only; with neither,
// a finding's text changed.
func RuleChanges(e assessment.DiffEntry) string {
	var parts []string
	for _, r := range e.RulesAdded {
		parts = append(parts, "+"+r)
	}
	for _, r := range e.RulesRemoved {
		parts = append(parts, "−"+r)
	}
	if len(parts) == 0 && e.FromClass != "" && e.ToClass != "" {
		return "same rules; a finding's text changed"
	}
	return strings.Join(parts, " ")
}

func newChangesView(env Env) *changesView {
	v := &changesView{env: env, summary: widget.NewLabel("")}
	v.summary.Wrapping = fyne.TextWrapWord
	v.table = newRollTable(changeColumns, func() []changeRow { return v.rows },
		func(r changeRow, col int) widget.Importance {
			if col == 3 && r.e.ToClass != "" {
				return classImportance(r.e.ToClass)
			}
			if col == 6 && r.e.Cause == assessment.CauseCatalogue {
				return widget.WarningImportance
			}
			return widget.MediumImportance
		})
	v.content = container.NewBorder(v.summary, nil, nil, nil, v.table)
	return v
}

func (v *changesView) invalidate(run assessment.Run) {
	v.runID, v.fresh = run.ID, false
	v.gen++
}

func (v *changesView) showNone(why string) {
	v.runID, v.fresh = "", false
	v.gen++
	v.rows = nil
	v.summary.SetText(why)
	v.showTable()
}

// showTable shows the entries, and no empty table when there are none.
func (v *changesView) showTable() {
	if len(v.rows) == 0 {
		v.table.Hide()
	} else {
		v.table.Show()
	}
	v.table.Refresh()
}

type changes struct {
	diff assessment.Diff
	ok   bool
}

func (v *changesView) load() {
	if v.runID == "" || v.fresh || v.loading || v.env.Assessment == nil {
		return
	}
	runID, gen := v.runID, v.gen
	v.loading = true
	v.summary.SetText("Comparing with the previous run…")
	v.rows = nil
	v.showTable()
	task.Run(v.env.Tasks, func(ctx context.Context) (changes, error) {
		d, ok, err := v.env.Assessment.Changes(ctx, runID, changesLimit)
		return changes{d, ok}, err
	}, func(c changes, err error) {
		v.loading = false
		if gen != v.gen {
			v.load()
			return
		}
		if err != nil {
			v.summary.SetText("Could not compare with the previous run: " + err.Error())
			return
		}
		v.fresh = true
		if !c.ok {
			v.summary.SetText("This is the source's first completed assessment: there is no earlier run to compare it with.")
			return
		}
		for _, b := range c.diff.Buckets {
			for _, e := range b.Entries {
				v.rows = append(v.rows, changeRow{bucket: b.Name, e: e})
			}
		}
		v.summary.SetText(ChangesLine(c.diff))
		v.showTable()
	})
}

// ChangesLine says which run this one is compared with, how many items
// fell in each bucket, and whether the rule catalogue changed in between.
func ChangesLine(d assessment.Diff) string {
	line := fmt.Sprintf("Since run %s of %s (started %s):", d.From.ID, d.From.SourceName, formatTime(d.From.StartedAt))
	var parts []string
	truncated := false
	for _, b := range d.Buckets {
		parts = append(parts, fmt.Sprintf("%s %s", FormatCount(b.Count), strings.ToLower(bucketLabels[b.Name])))
		truncated = truncated || b.Truncated
	}
	line += " " + strings.Join(parts, " · ") + fmt.Sprintf(" · %s unchanged.", FormatCount(d.Unchanged))
	if d.From.SnapshotID == d.To.SnapshotID {
		line += " Both runs assessed the same snapshot."
	}
	if d.CatalogueChanged {
		line += fmt.Sprintf(" The rule catalogue changed (%s → %s): a change whose cause reads \"Rule catalogue\" comes from the rules, not from the tenant.",
			d.From.ClassifierVersion, d.To.ClassifierVersion)
	} else {
		line += " The rule catalogue is the same, so every change comes from the tenant."
	}
	if truncated {
		line += fmt.Sprintf(" Only the first %s items of each kind of change are listed.", FormatCount(changesLimit))
	}
	return line
}
