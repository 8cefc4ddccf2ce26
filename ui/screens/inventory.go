package screens

import (
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// Inventory is the engine's inventory stage as the screens use it;
// *inventory.Service implements it.
type Inventory interface {
	Collect(ctx context.Context, sourceName string, opts inventory.CollectOptions, progress func(inventory.Progress)) (inventory.Snapshot, error)
	Snapshots(ctx context.Context) ([]inventory.Snapshot, error)
	Items(ctx context.Context, q inventory.ItemQuery) (inventory.ItemPage, error)
	ItemDetail(ctx context.Context, snapshotID string, id int64) (inventory.StoredItem, []inventory.Page, error)
	ExportEvidence(ctx context.Context, snapshotID string, w io.Writer) (inventory.Manifest, error)
}

// snapshotColumns are the snapshot list's columns and their widths.
var snapshotColumns = []struct {
	title string
	width float32
	value func(vendor.Registry, inventory.Snapshot) string
}{
	{"Status", 300, snapshotStatus},
	{"Source", 150, func(r vendor.Registry, s inventory.Snapshot) string {
		return fmt.Sprintf("%s (%s)", s.SourceName, r.Label(s.SourceKind))
	}},
	{"Started", 150, func(_ vendor.Registry, s inventory.Snapshot) string { return formatTime(s.StartedAt) }},
	{"Finished", 150, func(_ vendor.Registry, s inventory.Snapshot) string { return formatOptionalTime(s.FinishedAt, "—") }},
	{"Items", 520, func(_ vendor.Registry, s inventory.Snapshot) string { return CountsSummary(s) }},
}

func snapshotStatus(_ vendor.Registry, s inventory.Snapshot) string {
	if s.Status == inventory.StatusFailed && s.Error != "" {
		return "Failed: " + s.Error
	}
	return Readable(string(s.Status))
}

// CountsSummary is a snapshot's item counts by kind on one line, in the
// engine's kind order.
func CountsSummary(s inventory.Snapshot) string {
	var parts []string
	for _, k := range inventory.Kinds {
		if n := s.Counts[k]; n > 0 {
			parts = append(parts, KindCount(k, n))
		}
	}
	if len(parts) == 0 {
		return "No items"
	}
	return fmt.Sprintf("%s items: %s", FormatCount(s.ItemCount), strings.Join(parts, ", "))
}

var kindNames = map[inventory.Kind][2]string{
	inventory.KindApplication: {"application", "applications"},
	inventory.KindProvider:    {"provider", "providers"},
	inventory.KindRoutingRule: {"routing rule", "routing rules"},
	inventory.KindPolicy:      {"policy", "policies"},
	inventory.KindGroup:       {"group", "groups"},
	inventory.KindAssignment:  {"assignment", "assignments"},
	inventory.KindDomain:      {"domain", "domains"},
}

// KindCount words a count of items of one kind: "1 policy", "3 policies".
func KindCount(k inventory.Kind, n int) string {
	names, ok := kindNames[k]
	if !ok {
		return fmt.Sprintf("%s %s", FormatCount(n), k)
	}
	if n == 1 {
		return "1 " + names[0]
	}
	return FormatCount(n) + " " + names[1]
}

// FormatCount writes n with thousands separators: 12,345.
func FormatCount(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + FormatCount(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// InventoryScreen collects snapshots from the configured sources, lists
// them, browses the selected one's items and exports its raw evidence.
type InventoryScreen struct {
	env       Env
	sources   []workspace.Source // configured ones, which may collect
	pick      *widget.Select
	collect   *widget.Button
	export    *widget.Button
	panel     *collectPanel
	share     *shareControl
	budget    *budgetControl
	running   bool
	snapshots []inventory.Snapshot
	selected  string // snapshot id
	snapTable *widget.Table
	snapLine  *widget.Label
	items     *itemBrowser
	content   fyne.CanvasObject
}

// NewInventoryScreen builds the screen; Show fills it.
func NewInventoryScreen(env Env) Screen {
	s := &InventoryScreen{env: env}
	s.pick = widget.NewSelect(nil, func(string) { s.updateButtons() })
	s.pick.PlaceHolder = "Choose a source"
	s.collect = widget.NewButtonWithIcon("Collect inventory", theme.DownloadIcon(), s.startCollect)
	s.collect.Importance = widget.HighImportance
	s.export = widget.NewButtonWithIcon("Export evidence…", theme.DocumentSaveIcon(), s.showExport)
	s.panel = newCollectPanel()
	s.share = newShareControl()
	s.budget = newBudgetControl()
	s.snapLine = widget.NewLabel("No snapshot yet: choose a source and collect its inventory.")
	s.snapLine.Wrapping = fyne.TextWrapWord
	s.snapTable = widget.NewTable(
		func() (int, int) { return len(s.snapshots), len(snapshotColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			snap := s.snapshots[id.Row]
			l.Importance = widget.MediumImportance
			if id.Col == 0 && snap.Status == inventory.StatusFailed {
				l.Importance = widget.DangerImportance
			}
			l.SetText(snapshotColumns[id.Col].value(s.env.Vendors, snap))
		})
	s.snapTable.ShowHeaderRow = true
	s.snapTable.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.snapTable.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(snapshotColumns[id.Col].title)
		}
	}
	for i, c := range snapshotColumns {
		s.snapTable.SetColumnWidth(i, c.width)
	}
	s.snapTable.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.snapshots) {
			s.selectSnapshot(s.snapshots[id.Row].ID)
		}
	}
	s.items = newItemBrowser(env)
	s.panel.cancel.OnTapped = s.cancelCollect
	s.updateButtons()

	bar := container.NewBorder(nil, nil, widget.NewLabel("Source"), container.NewHBox(s.share.content, s.budget.content, s.collect, s.export), s.pick)
	top := container.NewVBox(heading("Inventory"), bar, s.panel.content)
	snapshots := container.NewBorder(nil, s.snapLine, nil, nil, s.snapTable)
	split := container.NewVSplit(snapshots, s.items.content)
	split.Offset = 0.25
	s.content = container.NewBorder(top, nil, nil, nil, split)
	return s
}

// Content implements Screen.
func (s *InventoryScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen: it follows the configured sources and reloads
// the snapshot list, which changes under a collection.
func (s *InventoryScreen) Show(st State) {
	s.sources = s.sources[:0]
	names := []string{}
	for _, src := range st.Sources {
		if src.Status == workspace.SourceConfigured {
			s.sources = append(s.sources, src)
			names = append(names, src.Name)
		}
	}
	s.pick.SetOptions(names)
	if s.pick.SelectedIndex() < 0 && len(names) > 0 {
		s.pick.SetSelectedIndex(0)
	}
	if len(names) == 0 {
		s.pick.ClearSelected()
		s.pick.PlaceHolder = "No configured source: add one on the Sources stage"
	}
	s.updateButtons()
	s.reloadSnapshots()
}

func (s *InventoryScreen) reloadSnapshots() {
	if s.env.Inventory == nil {
		return
	}
	task.Run(s.env.Tasks, s.env.Inventory.Snapshots, func(snaps []inventory.Snapshot, err error) {
		if err != nil {
			ShowError(s.env.Window, "Could not read the inventory snapshots", err)
			return
		}
		s.snapshots = snaps
		s.snapTable.Refresh()
		if _, ok := s.selectedSnapshot(); !ok && len(snaps) > 0 {
			s.selected = snaps[0].ID
		}
		s.showSelected()
	})
}

func (s *InventoryScreen) selectedSnapshot() (inventory.Snapshot, bool) {
	for _, sn := range s.snapshots {
		if sn.ID == s.selected {
			return sn, true
		}
	}
	return inventory.Snapshot{}, false
}

func (s *InventoryScreen) selectSnapshot(id string) {
	s.selected = id
	s.showSelected()
}

// showSelected follows the selected snapshot: its line, its items and the
// export button.
func (s *InventoryScreen) showSelected() {
	snap, ok := s.selectedSnapshot()
	s.updateButtons()
	if !ok {
		return
	}
	line := fmt.Sprintf("Snapshot %s of %s (%s): %s, started %s", snap.ID, snap.SourceName, s.env.Vendors.Label(snap.SourceKind),
		Readable(string(snap.Status)), formatTime(snap.StartedAt))
	if snap.FinishedAt != nil {
		line += ", finished " + formatTime(*snap.FinishedAt)
	}
	line += fmt.Sprintf(". %s from %s evidence page%s.", CountsSummary(snap), FormatCount(snap.PageCount), plural(snap.PageCount))
	if snap.Error != "" {
		line += " Error: " + snap.Error
	}
	s.snapLine.SetText(line)
	s.items.show(snap)
}

func (s *InventoryScreen) updateButtons() {
	s.share.enable(!s.running)
	s.budget.enable(!s.running)
	if s.running || s.env.Inventory == nil || s.pick.SelectedIndex() < 0 {
		s.collect.Disable()
	} else {
		s.collect.Enable()
	}
	if _, ok := s.selectedSnapshot(); ok && s.env.Inventory != nil {
		s.export.Enable()
	} else {
		s.export.Disable()
	}
}

func (s *InventoryScreen) pickedSource() (workspace.Source, bool) {
	for _, src := range s.sources {
		if src.Name == s.pick.Selected {
			return src, true
		}
	}
	return workspace.Source{}, false
}
