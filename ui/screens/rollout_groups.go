package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/ui/task"
)

// groupPicker chooses incumbent groups for a wave: the source (its newest
// snapshot with group membership) and group names, completed as typed.
type groupPicker struct {
	sources []rollout.GroupSource
	source  *widget.Select
	names   *widget.SelectEntry
	status  *widget.Label
	content fyne.CanvasObject
}

// maxSuggestions bounds the completion list: a tenant has thousands of
// groups, a dropdown shows a few.
const maxSuggestions = 12

// sourceWidth fits a source name such as "acme-okta-prod"; a longer one
// is cut short in the closed select and shown whole in its list.
const sourceWidth = 200

func newGroupPicker(s *RolloutScreen) *groupPicker {
	g := &groupPicker{source: widget.NewSelect(nil, nil), names: widget.NewSelectEntry(nil), status: wrapped("Reading the inventory's groups…")}
	g.source.PlaceHolder = "Source"
	g.names.SetPlaceHolder("Finance (comma-separated for several)")
	g.source.OnChanged = func(string) { g.suggest(g.names.Text) }
	g.names.OnChanged = g.suggest
	// A select is as wide as its placeholder: give the source names room.
	source := container.NewGridWrap(fyne.NewSize(sourceWidth, g.source.MinSize().Height), g.source)
	g.content = container.NewVBox(container.NewBorder(nil, nil, source, nil, g.names), g.status)
	task.Run(s.env.Tasks, s.env.Rollout.GroupSources, func(srcs []rollout.GroupSource, err error) {
		if err != nil {
			g.status.SetText("The inventory's groups could not be read: " + err.Error())
			return
		}
		g.sources = srcs
		if len(srcs) == 0 {
			g.status.SetText("No snapshot holds group membership yet: collect a source's inventory first.")
			return
		}
		var opts []string
		for _, src := range srcs {
			opts = append(opts, src.Source)
		}
		g.source.SetOptions(opts)
		g.source.SetSelectedIndex(0)
		g.status.SetText("")
		g.status.Hide()
	})
	return g
}

func (g *groupPicker) current() (rollout.GroupSource, bool) {
	i := g.source.SelectedIndex()
	if i < 0 || i >= len(g.sources) {
		return rollout.GroupSource{}, false
	}
	return g.sources[i], true
}

// suggest offers the groups whose name holds what is typed after the last
// comma.
func (g *groupPicker) suggest(text string) {
	src, ok := g.current()
	if !ok {
		return
	}
	typed := strings.ToLower(strings.TrimSpace(text[strings.LastIndex(text, ",")+1:]))
	var opts []string
	for _, n := range src.Groups {
		if strings.Contains(strings.ToLower(n), typed) {
			opts = append(opts, n)
			if len(opts) == maxSuggestions {
				break
			}
		}
	}
	g.names.SetOptions(opts)
}

// selection is the groups named and the snapshot they are read from.
func (g *groupPicker) selection() ([]string, string) {
	var names []string
	for _, n := range strings.Split(g.names.Text, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	src, _ := g.current()
	return names, src.SnapshotID
}

// showGroupWave says who a wave chosen by incumbent group matched and who
// it leaves out, and why.
func showGroupWave(win fyne.Window, w rollout.Wave) {
	head := wrapped(fmt.Sprintf("%s %q: %s from %s matched a Portal account by email and will move. %s",
		Readable(string(w.Kind)), w.Name, countOf(len(w.Members), "person", "people"), strings.Join(w.Criteria, ", "),
		notInWave(w)))
	matched := newTextTable([]column{{"Portal user", 280}, {"Matched from", 520}}, len(w.Members), func(r, c int) string {
		return [...]string{w.Members[r].Label, w.Members[r].MatchedFrom}[c]
	})
	tabs := container.NewAppTabs(container.NewTabItem(fmt.Sprintf("Matched (%d)", len(w.Members)), matched),
		container.NewTabItem(fmt.Sprintf("Not in the wave (%d)", len(w.Unmatched)), unmatchedView(w.Unmatched)))
	var notes []fyne.CanvasObject
	for _, n := range w.Notes {
		notes = append(notes, wrapped("Note: "+n+"."))
	}
	body := container.NewBorder(container.NewVBox(append([]fyne.CanvasObject{head}, notes...)...), nil, nil, nil, tabs)
	d := dialog.NewCustom("Wave created from incumbent groups", "Close", body, win)
	d.Resize(fyne.NewSize(1140, 600))
	d.Show()
}

func notInWave(w rollout.Wave) string {
	if len(w.Unmatched) == 0 {
		return "Everyone in the groups matched."
	}
	return "Not in the wave: " + rollout.UnmatchedSummary(w.Unmatched) + "."
}
