// Package chart renders the console's charts as PNG bytes: a donut (items by
// class), horizontal and vertical bars, stacked or side by side (class by
// kind, step dispositions, counts per auth mode), and a line or area chart
// over time (rollout monitoring). The GUI shows the PNG in a canvas.Image
// and the reports embed it, because Fyne's SVG renderer drops chart text.
//
// The same Spec renders the same bytes every time: nothing here reads the
// clock, a map or a random source. A Spec with no data renders a titled
// "No data" image rather than failing, so a stage that has nothing to show
// yet still fills its panel truthfully.
//
// Drawing is github.com/go-analyze/charts; this package only fixes sizes,
// palettes and typography so every chart in the product looks alike.
package chart

import (
	"errors"
	"fmt"
	"math"
	"strings"

	charts "github.com/go-analyze/charts"
)

// Kind is the shape of a chart.
type Kind string

const (
	// Donut shows one series as parts of a whole; Labels name the slices.
	Donut Kind = "donut"
	// HBar draws horizontal bars: Labels are the categories down the side,
	// each Series a bar (or a segment when Stacked).
	HBar Kind = "hbar"
	// Bar draws vertical bars, as HBar.
	Bar Kind = "bar"
	// Line draws each Series as a line over Labels (usually times).
	Line Kind = "line"
	// Area is Line with the area under each line filled; Stacked layers the
	// series so the top edge is their sum.
	Area Kind = "area"
)

// Kinds lists every chart kind.
var Kinds = []Kind{Donut, HBar, Bar, Line, Area}

// Spec is what to draw. It is plain data (it encodes to JSON as is), so a
// report can carry it beside the picture drawn from it.
type Spec struct {
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Labels are the donut's slices, the bars' categories or the x axis.
	Labels []string `json:"labels"`
	// Series hold the values, one per label; a donut has exactly one.
	Series []Series `json:"series"`
	// Colors optionally fixes each donut slice's colour, by label index, as
	// "#rrggbb" (so "blocked" is red in every chart that shows classes).
	Colors []string `json:"colors,omitempty"`
	// Stacked stacks bar segments or area layers.
	Stacked bool `json:"stacked,omitempty"`
	// Unit is appended to value labels, e.g. "%".
	Unit string `json:"unit,omitempty"`
}

// Series is one named row of values.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	// Color optionally fixes the series' colour as "#rrggbb".
	Color string `json:"color,omitempty"`
}

// Theme is the palette: the GUI passes the one Fyne shows, reports use
// Light.
type Theme string

const (
	Light Theme = "light"
	Dark  Theme = "dark"
)

// Size is a picture size in pixels.
type Size struct {
	Width, Height int
}

// Sizes the product uses. Text scales with the width, so a Page chart
// printed 17 cm wide reads like a Panel chart on screen.
var (
	// Panel fits a Fyne stage panel at 1x.
	Panel = Size{Width: 640, Height: 400}
	// Page is sharp across an A4 page's text width (about 220 dpi).
	Page = Size{Width: 1500, Height: 820}
)

// Limits on what a Spec may hold: past them a chart is unreadable, and the
// caller should aggregate first.
const (
	MaxLabels = 200
	MaxSeries = 24
	minSide   = 120
	maxSide   = 4000
)

// ErrInvalid marks a Spec or size this package refuses to draw.
var ErrInvalid = errors.New("invalid chart")

// Render draws s at size in theme and returns PNG bytes.
func Render(s Spec, size Size, theme Theme) ([]byte, error) {
	if err := validate(s, size, theme); err != nil {
		return nil, err
	}
	st := newStyle(size, theme)
	if s.empty() {
		return st.noData(s.Title)
	}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: size.Width, Height: size.Height})
	plot := st.frame(p, s.Title)
	var err error
	switch s.Kind {
	case Donut:
		err = st.donut(p, plot, s)
	case HBar, Bar:
		err = plot.BarChart(st.bars(s))
	case Line, Area:
		err = plot.LineChart(st.line(s))
	}
	if err != nil {
		return nil, fmt.Errorf("draw %s chart %q: %w", s.Kind, s.Title, err)
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode %s chart %q: %w", s.Kind, s.Title, err)
	}
	return b, nil
}

func validate(s Spec, size Size, theme Theme) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalid, s.Title, fmt.Sprintf(format, a...))
	}
	switch {
	case !knownKind(s.Kind):
		return bad("unknown kind %q (want one of %v)", s.Kind, Kinds)
	case theme != Light && theme != Dark:
		return bad("unknown theme %q (want light or dark)", theme)
	case size.Width < minSide || size.Height < minSide || size.Width > maxSide || size.Height > maxSide:
		return bad("size %dx%d is outside %d to %d pixels a side", size.Width, size.Height, minSide, maxSide)
	case len(s.Labels) > MaxLabels:
		return bad("%d labels; at most %d are readable, aggregate the rest", len(s.Labels), MaxLabels)
	case len(s.Series) > MaxSeries:
		return bad("%d series; at most %d are readable", len(s.Series), MaxSeries)
	case s.Kind == Donut && len(s.Series) > 1:
		return bad("a donut takes one series, got %d", len(s.Series))
	}
	for _, sr := range s.Series {
		if len(sr.Values) != len(s.Labels) {
			return bad("series %q has %d values for %d labels", sr.Name, len(sr.Values), len(s.Labels))
		}
		for _, v := range sr.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad("series %q holds %v", sr.Name, v)
			}
			if v < 0 && (s.Kind == Donut || s.Stacked) {
				return bad("series %q holds the negative value %v, which a %s cannot show", sr.Name, v, s.kindName())
			}
		}
		if sr.Color != "" && !isHexColor(sr.Color) {
			return bad("series %q colour %q is not #rrggbb", sr.Name, sr.Color)
		}
	}
	for _, c := range s.Colors {
		if !isHexColor(c) {
			return bad("colour %q is not #rrggbb", c)
		}
	}
	return nil
}

func (s Spec) kindName() string {
	if s.Stacked {
		return "stacked " + string(s.Kind)
	}
	return string(s.Kind)
}

func knownKind(k Kind) bool {
	for _, o := range Kinds {
		if k == o {
			return true
		}
	}
	return false
}

func isHexColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	return strings.Trim(strings.ToLower(c[1:]), "0123456789abcdef") == ""
}

// empty reports whether there is nothing to draw: no labels, no series, or
// (for a donut or stacked chart, where zero is nothing) only zeros.
func (s Spec) empty() bool {
	if len(s.Labels) == 0 || len(s.Series) == 0 {
		return true
	}
	for _, sr := range s.Series {
		for _, v := range sr.Values {
			if v != 0 {
				return false
			}
		}
	}
	// An all-zero line is data ("nothing happened"); an all-zero donut or
	// bar chart has nothing to draw.
	return s.Kind != Line && s.Kind != Area
}
