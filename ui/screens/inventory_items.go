package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/ui/task"
)

// The item table reads its rows in windows of itemWindow, on demand, and
// keeps the keptWindows most recently used: a snapshot of any size costs a
// few queries per screenful and a bounded amount of memory.
const (
	itemWindow  = 200
	keptWindows = 50
	// filterDelay lets a consultant finish a word before the search runs.
	filterDelay = 300 * time.Millisecond
)

// itemRow is what the table shows of an item; the detail pane reads the rest.
type itemRow struct {
	id                      int64
	kind                    inventory.Kind
	subtype, name, sourceID string
}

var itemColumns = []struct {
	title  string
	sortBy string
	width  float32
	value  func(itemRow) string
}{
	{"Kind", "kind", 110, func(r itemRow) string { return Readable(string(r.kind)) }},
	{"Subtype", "subtype", 150, func(r itemRow) string { return r.subtype }},
	{"Display name", "display_name", 260, func(r itemRow) string { return r.name }},
	{"Source ID", "source_id", 220, func(r itemRow) string { return r.sourceID }},
}

const allKinds = "All kinds"

// itemBrowser is the selected snapshot's item table, its filters, its
// count line and the selected item's detail.
type itemBrowser struct {
	env      Env
	shownKey string
	query    inventory.ItemQuery // without Offset and Limit
	// gen counts query changes: an answer to an older query is dropped.
	gen      int
	windows  map[int][]itemRow
	lastUse  map[int]int
	uses     int
	fetching bool
	counted  bool
	failed   bool
	total    int
	capped   bool
	kind     *widget.Select
	text     *widget.Entry
	debounce *time.Timer
	count    *widget.Label
	table    *widget.Table
	detail   *itemDetail
	content  fyne.CanvasObject
}

func newItemBrowser(env Env) *itemBrowser {
	b := &itemBrowser{env: env, query: inventory.ItemQuery{SortBy: "display_name"}, detail: newItemDetail(env)}
	b.resetWindows()
	kinds := []string{allKinds}
	for _, k := range inventory.Kinds {
		kinds = append(kinds, Readable(string(k)))
	}
	b.kind = widget.NewSelect(kinds, nil)
	b.kind.SetSelected(allKinds)
	b.kind.OnChanged = func(string) { b.applyFilter() }
	b.text = widget.NewEntry()
	b.text.SetPlaceHolder("Filter by name, ID, subtype or attribute value")
	b.text.OnChanged = func(string) {
		if b.debounce != nil {
			b.debounce.Stop()
		}
		b.debounce = time.AfterFunc(filterDelay, func() { fyne.Do(b.applyFilter) })
	}
	b.text.OnSubmitted = func(string) {
		if b.debounce != nil {
			b.debounce.Stop()
		}
		b.applyFilter()
	}
	b.count = widget.NewLabel("")
	b.table = widget.NewTable(
		func() (int, int) { return b.total, len(itemColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			row, ok := b.row(id.Row)
			if !ok {
				l.SetText("…")
				return
			}
			l.SetText(itemColumns[id.Col].value(row))
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
		c := itemColumns[id.Col]
		text := c.title
		if c.sortBy == b.query.SortBy {
			text += map[bool]string{false: " ▲", true: " ▼"}[b.query.Descending]
		}
		h.SetText(text)
		h.OnTapped = func() { b.sortBy(c.sortBy) }
	}
	for i, c := range itemColumns {
		b.table.SetColumnWidth(i, c.width)
	}
	b.table.OnSelected = func(id widget.TableCellID) {
		if row, ok := b.row(id.Row); ok {
			b.detail.load(b.query.SnapshotID, row.id)
		}
	}
	filters := container.NewBorder(nil, nil, b.kind, b.count, b.text)
	split := container.NewHSplit(b.table, b.detail.content)
	split.Offset = 0.6
	b.content = container.NewBorder(filters, nil, nil, nil, split)
	return b
}

// show browses snap, again if it changed since it was last shown (a
// collection that completed, for one).
func (b *itemBrowser) show(snap inventory.Snapshot) {
	key := fmt.Sprintf("%s/%s/%d/%d", snap.ID, snap.Status, snap.ItemCount, snap.PageCount)
	if key == b.shownKey {
		return
	}
	b.shownKey = key
	b.query.SnapshotID = snap.ID
	b.reload()
}

func (b *itemBrowser) applyFilter() {
	kind := inventory.Kind("")
	if i := b.kind.SelectedIndex(); i > 0 {
		kind = inventory.Kinds[i-1]
	}
	text := strings.TrimSpace(b.text.Text)
	if kind == b.query.Kind && text == b.query.Text {
		return
	}
	b.query.Kind, b.query.Text = kind, text
	b.reload()
}

// sortBy sorts by a column, or reverses the order when it already does.
func (b *itemBrowser) sortBy(column string) {
	if b.query.SortBy == column {
		b.query.Descending = !b.query.Descending
	} else {
		b.query.SortBy, b.query.Descending = column, false
	}
	b.reload()
}

func (b *itemBrowser) resetWindows() {
	b.windows, b.lastUse = map[int][]itemRow{}, map[int]int{}
}

// reload starts over with the current query: count and first window.
func (b *itemBrowser) reload() {
	if b.query.SnapshotID == "" || b.env.Inventory == nil {
		return
	}
	b.gen++
	b.resetWindows()
	b.counted, b.failed, b.total, b.capped = false, false, 0, false
	b.count.SetText("Counting…")
	b.table.UnselectAll()
	b.table.ScrollToTop()
	b.table.Refresh()
	b.detail.clear()
	if !b.fetching {
		b.fetch(0)
	}
}

// row returns a table row if its window is loaded, and asks for the window
// otherwise.
func (b *itemBrowser) row(r int) (itemRow, bool) {
	w := r / itemWindow
	rows, ok := b.windows[w]
	if !ok {
		if !b.fetching && !b.failed {
			b.fetch(w)
		}
		return itemRow{}, false
	}
	b.uses++
	b.lastUse[w] = b.uses
	if i := r % itemWindow; i < len(rows) {
		return rows[i], true
	}
	return itemRow{}, false
}

// fetch reads one window off the UI goroutine. One fetch runs at a time;
// when it lands the table refreshes, and the rows then on screen ask for
// what they still miss, so windows scrolled past are never read.
func (b *itemBrowser) fetch(w int) {
	b.fetching = true
	gen, q := b.gen, b.query
	q.Offset, q.Limit = w*itemWindow, itemWindow
	task.Run(b.env.Tasks, func(ctx context.Context) (inventory.ItemPage, error) {
		return b.env.Inventory.Items(ctx, q)
	}, func(page inventory.ItemPage, err error) {
		b.fetching = false
		if gen != b.gen {
			b.fetch(0) // the query changed meanwhile: start on the new one
			return
		}
		if err != nil {
			b.failed = true
			b.count.SetText("Could not read the items: " + err.Error())
			return
		}
		b.store(w, page.Items)
		b.counted, b.total, b.capped = true, page.Total, page.Capped
		b.count.SetText(countLine(b.total, b.capped))
		b.table.Refresh()
	})
}

func (b *itemBrowser) store(w int, items []inventory.StoredItem) {
	rows := make([]itemRow, len(items))
	for i, it := range items {
		rows[i] = itemRow{id: it.ID, kind: it.Kind, subtype: it.Subtype, name: it.DisplayName, sourceID: it.SourceID}
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

// countLine words the match count; a capped count asks for a narrower
// filter rather than a longer scroll.
func countLine(total int, capped bool) string {
	switch {
	case capped:
		return FormatCount(total) + "+ items, refine the filter"
	case total == 1:
		return "1 item"
	default:
		return FormatCount(total) + " items"
	}
}
