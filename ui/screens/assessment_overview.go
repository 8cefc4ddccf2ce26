package screens

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
)

// chartSize is the size the overview's charts are shown at: a stage
// panel's (chart.Panel), at which their text reads as the reports' does.
var chartSize = fyne.NewSize(620, 388)

// assessOverview is the selected run at a glance: the donut of classes
// beside the counts (each a link to its items), the class-by-kind bars
// beside the run's facts, and the run history to choose another run from.
type assessOverview struct {
	Donut   *ChartImage
	Bars    *ChartImage
	counts  []*widget.Label // by assessment.Classes
	total   *widget.Label
	facts   *widget.Label
	content fyne.CanvasObject
}

// classMeanings say in a few words what each class means for the item.
var classMeanings = map[assessment.Class]string{
	assessment.Blocked:                 "Cannot move until the blocked reason is fixed",
	assessment.ManualRebuildRequired:   "A person rebuilds it on the Portal, following the notes",
	assessment.VisibilityOnly:          "Shown for the record, not migrated",
	assessment.ImportWithApproximation: "Moves; some behaviour changes, as the notes say",
	assessment.NativeImport:            "Moves as it is",
}

// sideWidth is the width of the column beside each chart.
const sideWidth = 400

func newAssessOverview(env Env, history *widget.Table, openClass func(assessment.Class)) *assessOverview {
	o := &assessOverview{
		Donut: NewChartImage(env.Tasks, chartSize),
		Bars:  NewChartImage(env.Tasks, chartSize),
		total: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		facts: widget.NewLabel(""),
	}
	o.facts.Wrapping = fyne.TextWrapWord
	legend := container.NewVBox()
	for i := len(assessment.Classes) - 1; i >= 0; i-- {
		c := assessment.Classes[i]
		count := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		o.counts = append([]*widget.Label{count}, o.counts...)
		swatch := canvas.NewRectangle(hexColor(assessment.ClassColors[c]))
		swatch.SetMinSize(fyne.NewSize(14, 14))
		swatch.CornerRadius = 3
		link := widget.NewHyperlink(assessment.ClassLabels[c], nil)
		link.OnTapped = func() { openClass(c) }
		meaning := widget.NewLabel(classMeanings[c])
		meaning.SizeName = theme.SizeNameCaptionText
		// Caption under the class name, indented past the swatch.
		under := container.New(layout.NewCustomPaddedLayout(-theme.Padding()*2, 0, 14+theme.Padding(), 0), meaning)
		legend.Add(container.New(layout.NewCustomPaddedVBoxLayout(0),
			container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(swatch), link), count), under))
	}
	legend.Add(container.NewBorder(nil, nil, widget.NewLabelWithStyle("Items", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), o.total))
	side := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.New(layout.NewGridWrapLayout(fyne.NewSize(sideWidth, chartSize.Height)),
			container.NewVBox(layout.NewSpacer(), o, layout.NewSpacer()))
	}
	o.content = container.NewScroll(container.NewVBox(
		container.NewHBox(o.Donut, side(legend)),
		container.NewHBox(o.Bars, side(o.facts)),
		sectionHeading("Run history (select a run to review it)"),
		withMinHeight(history, 220),
	))
	return o
}

// withMinHeight gives o (a table, whose own minimum is one row) a height
// to show inside a scroll.
func withMinHeight(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	floor := canvas.NewRectangle(color.Transparent)
	floor.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(floor, o)
}

// show fills the overview from a run's counts (ok false: no run).
func (o *assessOverview) show(r assessment.Run, ok bool) {
	for i, c := range assessment.Classes {
		o.counts[i].SetText(countShare(r.Counts[c], r.ItemCount))
	}
	o.total.SetText(FormatCount(r.ItemCount))
	switch {
	case !ok:
		o.facts.SetText("")
	case r.Status != assessment.StatusCompleted:
		o.facts.SetText(fmt.Sprintf("This run is %s: it has no results. %s Choose a completed run in the history below, or run the assessment again.",
			runStatusWord(r), runError(r)))
	default:
		o.facts.SetText(RunFacts(r))
	}
	o.Donut.SetSpec(assessment.ClassChart(r))
	bars := assessment.KindChart(r)
	for i, k := range bars.Labels {
		bars.Labels[i] = Readable(k)
	}
	o.Bars.SetSpec(bars)
}

// countShare is "12 (8%)"; the share is left out of an empty run.
func countShare(n, total int) string {
	if total == 0 {
		return FormatCount(n)
	}
	return fmt.Sprintf("%s (%.0f%%)", FormatCount(n), 100*float64(n)/float64(total))
}

// RunFacts is what a completed run says beyond its classes: the rule
// catalogue, the OCM impacts, what users will notice, and the carried
// what-if decisions.
func RunFacts(r assessment.Run) string {
	var impacts []string
	for i := len(assessment.Severities) - 1; i >= 0; i-- {
		sev := assessment.Severities[i]
		if n := r.ImpactsBySeverity[sev]; n > 0 {
			impacts = append(impacts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	lines := []string{fmt.Sprintf("%s item%s classified by rule catalogue %s.", FormatCount(r.ItemCount), plural(r.ItemCount), r.ClassifierVersion)}
	impact := fmt.Sprintf("%s OCM impact%s to communicate", FormatCount(r.ImpactCount), plural(r.ImpactCount))
	if len(impacts) > 0 {
		impact += " (" + strings.Join(impacts, ", ") + ")"
	}
	users := fmt.Sprintf("%s items change something end users notice.", FormatCount(r.UnavoidableChangeCount))
	if r.UnavoidableChangeCount == 1 {
		users = "1 item changes something end users notice."
	}
	lines = append(lines, impact+".", users)
	if r.CarriedDispositions > 0 {
		lines = append(lines, fmt.Sprintf("%s what-if decision%s carried over from the previous run, the findings being unchanged.",
			FormatCount(r.CarriedDispositions), plural(r.CarriedDispositions)))
	}
	return strings.Join(lines, "\n\n")
}

// hexColor reads "#rrggbb".
func hexColor(h string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(h, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return color.Gray{Y: 128}
	}
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}
