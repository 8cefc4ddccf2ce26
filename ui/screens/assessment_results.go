package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/ui/task"
)

// resultRow is what the result table shows of an item; the detail pane
// reads the rest.
type resultRow struct {
	id       int64
	class    assessment.Class
	kind     inventory.Kind
	name     string
	rule     string
	target   assessment.Target
	disposed int
}

var resultColumns = []struct {
	title  string
	sortBy string
	width  float32
	value  func(resultRow) string
}{
	{"Class", "class", 170, func(r resultRow) string { return ClassLabel(r.class) }},
	{"Kind", "kind", 110, func(r resultRow) string { return Readable(string(r.kind)) }},
	{"Name", "display_name", 300, func(r resultRow) string { return r.name }},
	{"Deciding rule", "rule_id", 190, func(r resultRow) string { return r.rule }},
	{"Target contract", "", 260, func(r resultRow) string { return TargetLine(r.target) }},
	{"What-if", "", 110, func(r resultRow) string {
		if r.disposed == 0 {
			return ""
		}
		return fmt.Sprintf("%d disposed", r.disposed)
	}},
}

const allClasses = "All classes"

// resultBrowser is the selected run's item results: filters by class,
// kind, rule and text, a lazy sortable table, the match count and the
// selected item's detail. Like the inventory's item table it reads
// windows of rows on demand, so a run of any size costs a few queries per
// screenful and bounded memory.
type resultBrowser struct {
	env      Env
	query    assessment.ResultQuery // without Offset and Limit
	gen      int
	windows  map[int][]resultRow
	lastUse  map[int]int
	uses     int
	fetching bool
	failed   bool
	total    int
	capped   bool
	class    *widget.Select
	kind     *widget.Select
	rule     *widget.SelectEntry
	text     *widget.Entry
	debounce *time.Timer
	count    *widget.Label
	table    *widget.Table
	detail   *resultDetail
	content  fyne.CanvasObject
}

func newResultBrowser(env Env) *resultBrowser {
	b := &resultBrowser{env: env, query: assessment.ResultQuery{SortBy: "class"}, detail: newResultDetail(env)}
	b.resetWindows()
	classes := []string{allClasses}
	for i := len(assessment.Classes) - 1; i >= 0; i-- {
		classes = append(classes, assessment.ClassLabels[assessment.Classes[i]])
	}
	b.class = widget.NewSelect(classes, nil)
	b.class.SetSelected(allClasses)
	b.class.OnChanged = func(string) { b.applyFilter() }
	kinds := []string{allKinds}
	for _, k := range inventory.Kinds {
		kinds = append(kinds, Readable(string(k)))
	}
	b.kind = widget.NewSelect(kinds, nil)
	b.kind.SetSelected(allKinds)
	b.kind.OnChanged = func(string) { b.applyFilter() }
	var rules []string
	if env.Assessment != nil {
		for _, r := range env.Assessment.Rules() {
			rules = append(rules, r.ID)
		}
	}
	b.rule = widget.NewSelectEntry(rules)
	b.rule.SetPlaceHolder("Rule ID (deciding or matched)")
	b.text = widget.NewEntry()
	b.text.SetPlaceHolder("Filter by name, ID, subtype or attribute value")
	for _, e := range []*widget.Entry{&b.rule.Entry, b.text} {
		e.OnChanged = func(string) { b.filterSoon() }
		e.OnSubmitted = func(string) {
			if b.debounce != nil {
				b.debounce.Stop()
			}
			b.applyFilter()
		}
	}
	b.count = widget.NewLabel("")
	b.table = widget.NewTable(
		func() (int, int) { return b.total, len(resultColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			l.Importance = widget.MediumImportance
			row, ok := b.row(id.Row)
			if !ok {
				l.SetText("…")
				return
			}
			if id.Col == 0 {
				l.Importance = classImportance(row.class)
			}
			l.SetText(resultColumns[id.Col].value(row))
		})
	b.table.ShowHeaderRow = true
	b.table.CreateHeader = func() fyne.CanvasObject {
		h := widget.NewButton("", nil)
		h.Alignment = widget.ButtonAlignLeading
		h.Importance = widget.LowImportance
		return h
	}
	b.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 {
			return
		}
		h := o.(*widget.Button)
		c := resultColumns[id.Col]
		text := c.title
		if c.sortBy != "" && c.sortBy == b.query.SortBy {
			text += map[bool]string{false: " ▲", true: " ▼"}[b.query.Descending]
		}
		h.SetText(text)
		h.OnTapped = nil
		if c.sortBy != "" {
			h.OnTapped = func() { b.sortBy(c.sortBy) }
		}
	}
	for i, c := range resultColumns {
		b.table.SetColumnWidth(i, c.width)
	}
	b.table.OnSelected = func(id widget.TableCellID) {
		if row, ok := b.row(id.Row); ok {
			b.detail.load(b.query.RunID, row.id)
		}
	}
	selects := container.NewHBox(b.class, b.kind)
	filters := container.NewBorder(nil, nil, selects, b.count, container.NewGridWithColumns(2, b.rule, b.text))
	split := container.NewHSplit(b.table, b.detail.content)
	split.Offset = 0.55
	b.content = container.NewBorder(filters, nil, nil, nil, split)
	return b
}

// show browses a completed run's results from the top.
func (b *resultBrowser) show(run assessment.Run) {
	b.query.RunID = run.ID
	b.reload()
}

// showNone empties the table and says why.
func (b *resultBrowser) showNone(why string) {
	b.query.RunID = ""
	b.gen++
	b.resetWindows()
	b.total, b.capped, b.failed = 0, false, false
	b.count.SetText("")
	b.table.UnselectAll()
	b.table.Refresh()
	b.detail.clearWith(why)
}

func (b *resultBrowser) filterSoon() {
	if b.debounce != nil {
		b.debounce.Stop()
	}
	b.debounce = time.AfterFunc(filterDelay, func() { fyne.Do(b.applyFilter) })
}

func (b *resultBrowser) applyFilter() {
	class := assessment.Class("")
	for c, label := range assessment.ClassLabels {
		if label == b.class.Selected {
			class = c
		}
	}
	kind := inventory.Kind("")
	if i := b.kind.SelectedIndex(); i > 0 {
		kind = inventory.Kinds[i-1]
	}
	rule := strings.ToUpper(strings.TrimSpace(b.rule.Text))
	text := strings.TrimSpace(b.text.Text)
	q := b.query
	q.Class, q.Kind, q.RuleID, q.Text = class, kind, rule, text
	if q == b.query {
		return
	}
	b.query = q
	b.reload()
}

// sortBy sorts by a column, or reverses the order when it already does.
func (b *resultBrowser) sortBy(column string) {
	if b.query.SortBy == column {
		b.query.Descending = !b.query.Descending
	} else {
		b.query.SortBy, b.query.Descending = column, false
	}
	b.reload()
}

func (b *resultBrowser) resetWindows() {
	b.windows, b.lastUse = map[int][]resultRow{}, map[int]int{}
}

// reload starts over with the current query: count and first window.
func (b *resultBrowser) reload() {
	if b.query.RunID == "" || b.env.Assessment == nil {
		return
	}
	b.gen++
	b.resetWindows()
	b.failed, b.total, b.capped = false, 0, false
	b.count.SetText("Counting…")
	b.table.UnselectAll()
	b.table.ScrollToTop()
	b.table.Refresh()
	b.detail.clear()
	if !b.fetching {
		b.fetch(0)
	}
}

// refreshWindows reads the rows on screen again (a what-if changed one)
// without moving the table or the selection.
func (b *resultBrowser) refreshWindows() {
	if b.query.RunID == "" {
		return
	}
	b.gen++
	b.resetWindows()
	b.table.Refresh()
}

// row returns a table row if its window is loaded, and asks for the
// window otherwise.
func (b *resultBrowser) row(r int) (resultRow, bool) {
	w := r / itemWindow
	rows, ok := b.windows[w]
	if !ok {
		if !b.fetching && !b.failed {
			b.fetch(w)
		}
		return resultRow{}, false
	}
	b.uses++
	b.lastUse[w] = b.uses
	if i := r % itemWindow; i < len(rows) {
		return rows[i], true
	}
	return resultRow{}, false
}

// fetch reads one window off the UI goroutine, one at a time; the rows on
// screen ask for what they still miss when it lands.
func (b *resultBrowser) fetch(w int) {
	b.fetching = true
	gen, q := b.gen, b.query
	q.Offset, q.Limit = w*itemWindow, itemWindow
	task.Run(b.env.Tasks, func(ctx context.Context) (assessment.ResultPage, error) {
		return b.env.Assessment.Results(ctx, q)
	}, func(page assessment.ResultPage, err error) {
		b.fetching = false
		if gen != b.gen {
			if b.query.RunID != "" {
				b.fetch(0) // the query changed meanwhile: start on the new one
			}
			return
		}
		if err != nil {
			b.failed = true
			b.count.SetText("Could not read the results: " + err.Error())
			return
		}
		b.store(w, page.Results)
		b.total, b.capped = page.Total, page.Capped
		b.count.SetText(countLine(b.total, b.capped))
		b.table.Refresh()
	})
}

func (b *resultBrowser) store(w int, results []assessment.Result) {
	rows := make([]resultRow, len(results))
	for i, r := range results {
		rows[i] = resultRow{id: r.ItemID, class: r.Class, kind: r.Kind, name: r.DisplayName, rule: r.RuleID, target: r.Target,
			disposed: disposedCount(r)}
	}
	b.uses++
	b.windows[w], b.lastUse[w] = rows, b.uses
	for len(b.windows) > keptWindows {
		oldest, at := -1, 0
		for k, u := range b.lastUse {
			if oldest < 0 || u < at {
				oldest, at = k, u
			}
		}
		delete(b.windows, oldest)
		delete(b.lastUse, oldest)
	}
}

func disposedCount(r assessment.Result) int {
	n := 0
	for _, f := range r.Findings {
		if f.Disposition != nil {
			n++
		}
	}
	return n
}

// TargetLine words a target contract: "Application: custom OIDC,
// confidential", or that the item becomes nothing on the Portal.
func TargetLine(t assessment.Target) string {
	switch t.Noun {
	case "":
		return "—"
	case assessment.NounNone:
		return "Nothing on the Portal"
	}
	noun := Readable(string(t.Noun))
	noun = strings.ReplaceAll(noun, "Sso", "SSO")
	if t.Shape == "" {
		return noun
	}
	return noun + ": " + t.Shape
}
