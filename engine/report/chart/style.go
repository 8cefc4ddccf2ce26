package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	charts "github.com/go-analyze/charts"
)

// Colours with a meaning, the same in both themes (they are mid-tone, so
// they read on white and on Fyne's dark background alike). Stages map their
// states onto these so "red" means the same thing on every chart.
const (
	ColorGood    = "#2e9e5b" // done, native, healthy
	ColorInfo    = "#3a78d8" // neutral progress, approximated
	ColorCaution = "#d4a017" // needs a look
	ColorWarn    = "#e07b22" // manual work
	ColorBad     = "#d1403a" // blocked, failed
	ColorMuted   = "#8a8f98" // not applicable, visibility only
	ColorAccent  = "#8e6ac8" // a second neutral series
)

// Categorical series colours, in order, for series with no colour of their
// own. Chosen to stay apart for common colour-vision deficiencies.
var (
	lightSeries = []string{"#3a78d8", "#e07b22", "#2e9e5b", "#8e6ac8", "#d1403a", "#1b9aaa", "#b5651d", "#c2548f", "#6b7f2a", "#5a6cc2"}
	darkSeries  = []string{"#6ea0f0", "#f29a4a", "#4cc27f", "#b092e6", "#ee6b64", "#3cc4d4", "#d98a4a", "#e07ab0", "#9bb14a", "#8a9bee"}
)

// style carries one render's size-dependent typography and palette.
type style struct {
	size  Size
	theme charts.ColorPalette
	text  charts.Color
	muted charts.Color
	bg    charts.Color
	// scale is the text size relative to Panel.
	scale float64
	dark  bool
}

func newStyle(size Size, theme Theme) style {
	st := style{size: size, dark: theme == Dark}
	st.scale = math.Max(0.8, float64(size.Width)/float64(Panel.Width))
	opt := charts.ThemeOption{
		IsDarkMode:         st.dark,
		BackgroundColor:    charts.ColorFromHex("#ffffff"),
		TextColor:          charts.ColorFromHex("#2b2f36"),
		AxisStrokeColor:    charts.ColorFromHex("#b9bec7"),
		AxisSplitLineColor: charts.ColorFromHex("#e6e8ec"),
		SeriesColors:       hexColors(lightSeries),
	}
	st.muted = charts.ColorFromHex("#6b717c")
	if st.dark {
		// Fyne's dark theme background, so a chart sits flush in its panel.
		opt.BackgroundColor = charts.ColorFromHex("#171718")
		opt.TextColor = charts.ColorFromHex("#e8e9eb")
		opt.AxisStrokeColor = charts.ColorFromHex("#5b6069")
		opt.AxisSplitLineColor = charts.ColorFromHex("#2c2f35")
		opt.SeriesColors = hexColors(darkSeries)
		st.muted = charts.ColorFromHex("#a3a8b1")
	}
	st.bg, st.text = opt.BackgroundColor, opt.TextColor
	st.theme = charts.MakeTheme(opt)
	return st
}

func hexColors(hex []string) []charts.Color {
	out := make([]charts.Color, len(hex))
	for i, h := range hex {
		out[i] = charts.ColorFromHex(h)
	}
	return out
}

func (st style) font(points float64) charts.FontStyle {
	return charts.FontStyle{FontSize: points * st.scale, FontColor: st.text}
}

func (st style) mutedFont(points float64) charts.FontStyle {
	return charts.FontStyle{FontSize: points * st.scale, FontColor: st.muted}
}

func (st style) px(n float64) int { return int(math.Round(n * st.scale)) }

func (st style) padding() charts.Box {
	return charts.Box{Top: st.px(14), Right: st.px(22), Bottom: st.px(12), Left: st.px(14), IsSet: true}
}

// frame fills p with the background, writes the title at its top left and
// returns a painter for the plot below it. Every kind shares this, so
// titles line up across a report and never collide with an axis label.
func (st style) frame(p *charts.Painter, title string) *charts.Painter {
	w, h := st.size.Width, st.size.Height
	p.FilledRect(0, 0, w, h, st.bg, st.bg, 0)
	pad := st.padding()
	top := pad.Top
	if title != "" {
		tf := st.font(14)
		tb := p.MeasureText(title, 0, tf)
		p.Text(title, pad.Left, pad.Top+tb.Height(), 0, tf)
		top += tb.Height() + st.px(10)
	}
	return p.Child(charts.PainterBoxOption(charts.NewBox(0, top, w, h)))
}

func (st style) plotPadding() charts.Box {
	pad := st.padding()
	pad.Top = 0
	return pad
}

func (st style) legend(names []string) charts.LegendOption {
	return charts.LegendOption{
		SeriesNames: names,
		FontStyle:   st.font(10.5),
		Offset:      charts.OffsetStr{Left: charts.PositionRight},
		Padding:     charts.Box{Top: st.px(2), Bottom: st.px(8), IsSet: true},
	}
}

// seriesColors is the palette with each series' own colour put in its
// place, so a chart can fix "blocked is red" without giving up the rest.
func (st style) seriesColors(fixed []string) charts.ColorPalette {
	base := lightSeries
	if st.dark {
		base = darkSeries
	}
	n := max(len(fixed), len(base))
	out := make([]string, n)
	for i := range out {
		out[i] = base[i%len(base)]
		if i < len(fixed) && fixed[i] != "" {
			out[i] = fixed[i]
		}
	}
	return st.theme.WithSeriesColors(hexColors(out))
}

// count formats a value as a whole number with thousands separators, or
// with one decimal when it has a fraction, then the unit.
func count(unit string) charts.ValueFormatter {
	return func(v float64) string {
		var s string
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			s = groupThousands(strconv.FormatInt(int64(v), 10))
		} else {
			s = strconv.FormatFloat(v, 'f', 1, 64)
		}
		return s + unit
	}
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// donut draws the ring in the left part of p and a legend beside it that
// carries the numbers (name, count, share), so thin slices stay legible.
func (st style) donut(p, plot *charts.Painter, s Spec) error {
	values := s.Series[0].Values
	total := 0.0
	for _, v := range values {
		total += v
	}
	w, h := st.size.Width, st.size.Height
	ringWidth := w * 11 / 20
	opt := charts.NewDoughnutChartOptionWithData(values)
	palette := st.seriesColors(s.Colors)
	opt.Theme = palette
	opt.Padding = st.plotPadding()
	hide := false
	opt.Legend = charts.LegendOption{Show: &hide, SeriesNames: s.Labels}
	opt.RadiusRing = "40%"
	opt.RadiusCenter = "25%"
	opt.SegmentGap = 1.5 * st.scale
	opt.CenterValues = "sum"
	opt.CenterValuesFontStyle = st.font(16)
	opt.ValueFormatter = count(s.Unit)
	for i := range opt.SeriesList {
		opt.SeriesList[i].Name = s.Labels[i]
		opt.SeriesList[i].Label.Show = &hide
	}
	// Child boxes are in the root painter's coordinates.
	ring := p.Child(charts.PainterBoxOption(charts.NewBox(0, h-plot.Height(), ringWidth, h)))
	if err := ring.DoughnutChart(opt); err != nil {
		return err
	}

	name, detail := st.font(10.5), st.mutedFont(10.5)
	lineHeight := st.px(24)
	swatch := st.px(11)
	top := h - plot.Height()/2 - lineHeight*len(s.Labels)/2 + st.px(16)
	left := ringWidth + st.px(4)
	for i, l := range s.Labels {
		y := top + i*lineHeight
		c := palette.GetSeriesColor(i)
		p.FilledRect(left, y-swatch, left+swatch, y, c, c, 0)
		nb := p.MeasureText(l, 0, name)
		p.Text(l, left+swatch+st.px(7), y, 0, name)
		p.Text(fmt.Sprintf("%s (%s)", count(s.Unit)(values[i]), percent(values[i], total)), left+swatch+st.px(14)+nb.Width(), y, 0, detail)
	}
	return nil
}

func percent(v, total float64) string {
	if total <= 0 {
		return "0%"
	}
	p := 100 * v / total
	switch {
	case p > 0 && p < 1:
		return "<1%"
	case p < 100 && p > 99:
		return ">99%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

func (st style) bars(s Spec) charts.BarChartOption {
	labels := s.Labels
	values := make([][]float64, len(s.Series))
	names := make([]string, len(s.Series))
	colors := make([]string, len(s.Series))
	for i, sr := range s.Series {
		values[i], names[i], colors[i] = sr.Values, sr.Name, sr.Color
	}
	if s.Kind == HBar {
		// The library draws the first category at the bottom; a reader
		// expects the list to read top down, as the labels were given.
		labels = reversed(labels)
		for i := range values {
			values[i] = reversed(values[i])
		}
	}
	opt := charts.NewBarChartOptionWithData(values)
	opt.Horizontal = s.Kind == HBar
	opt.Theme = st.seriesColors(colors)
	opt.Padding = st.plotPadding()
	opt.Padding.Right += st.px(24) // room for the value after the longest bar
	opt.Legend = st.legend(names)
	if len(s.Series) == 1 {
		hide := false
		opt.Legend.Show = &hide
		opt.BarSize = 0.55
	}
	format := count(s.Unit)
	opt.ValueFormatter = format
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: labels, LabelFontStyle: st.font(10)}
	opt.ValueAxis[0].LabelFontStyle = st.mutedFont(9.5)
	opt.ValueAxis[0].ValueFormatter = format
	st.valueAxis(&opt.ValueAxis[0], values, s.Stacked)
	show := true
	if !s.Stacked {
		// Values on the bars: a reader of a printed page cannot hover.
		for i := range opt.SeriesList {
			opt.SeriesList[i].Label = charts.SeriesLabel{Show: &show, FontStyle: st.font(9),
				LabelFormatter: func(_ int, _ string, v float64) (string, *charts.LabelStyle) {
					if v == 0 {
						return "", nil
					}
					return format(v), nil
				}}
		}
		return opt
	}
	stacked := true
	opt.StackSeries = &stacked
	// A stack carries one label, its total, on its outermost segment:
	// segment labels would overlap wherever a segment is thin.
	totals := make([]float64, len(labels))
	outer := make([]int, len(labels))
	for j := range labels {
		outer[j] = -1
		for i := range values {
			totals[j] += values[i][j]
			if values[i][j] != 0 {
				outer[j] = i
			}
		}
	}
	for i := range opt.SeriesList {
		// The library hands a label formatter the series index, not the
		// data index, and asks for a series' labels in data order, one
		// call per bar: counting calls recovers the bar.
		calls := 0
		opt.SeriesList[i].Label = charts.SeriesLabel{Show: &show, FontStyle: st.font(9),
			LabelFormatter: func(int, string, float64) (string, *charts.LabelStyle) {
				j := calls % len(labels)
				calls++
				if outer[j] != i {
					return "", nil
				}
				return format(totals[j]), nil
			}}
	}
	return opt
}

// valueAxis fixes a bar chart's value axis to start at zero and end at a
// round number, with a label at every round step: left to itself the
// library picks steps such as 25.2 or crowds "900" into "1,000".
func (st style) valueAxis(ax *charts.ValueAxisOption, values [][]float64, stacked bool) {
	top := 0.0
	for j := range values[0] {
		sum := 0.0
		for i := range values {
			if stacked {
				sum += values[i][j]
			} else {
				sum = math.Max(sum, values[i][j])
			}
		}
		top = math.Max(top, sum)
	}
	step, steps := niceSteps(top, 5)
	zero, end := 0.0, step*float64(steps)
	ax.Min, ax.Max = &zero, &end
	ax.Unit = step
	ax.LabelCount = steps + 1
}

// niceSteps splits [0, top] into at most want steps of 1, 2, 2.5 or 5
// times a power of ten, at least 1 (counts are whole), and returns the
// step and how many of them reach top.
func niceSteps(top float64, want int) (float64, int) {
	if top <= 0 {
		return 1, 1
	}
	raw := top / float64(want)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = math.Max(step, 1)
	return step, int(math.Ceil(top/step - 1e-9))
}

func reversed[T any](in []T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[len(in)-1-i] = v
	}
	return out
}

func (st style) line(s Spec) charts.LineChartOption {
	values := make([][]float64, len(s.Series))
	names := make([]string, len(s.Series))
	colors := make([]string, len(s.Series))
	for i, sr := range s.Series {
		values[i], names[i], colors[i] = sr.Values, sr.Name, sr.Color
	}
	opt := charts.NewLineChartOptionWithData(values)
	opt.Theme = st.seriesColors(colors)
	opt.Padding = st.plotPadding()
	opt.Legend = st.legend(names)
	if len(s.Series) == 1 && s.Series[0].Name == "" {
		hide := false
		opt.Legend.Show = &hide
	}
	opt.ValueFormatter = count(s.Unit)
	opt.XAxis.Labels = s.Labels
	opt.XAxis.LabelFontStyle = st.mutedFont(9.5)
	noGap := false
	opt.XAxis.BoundaryGap = &noGap
	opt.YAxis[0].LabelFontStyle = st.mutedFont(9.5)
	opt.YAxis[0].ValueFormatter = count(s.Unit)
	if allNonNegative(s.Series) {
		opt.YAxis[0].Min = new(float64)
	}
	opt.LineStrokeWidth = 2 * st.scale
	if s.Kind == Area {
		fill := true
		opt.FillArea = &fill
		opt.FillOpacity = 110
		if s.Stacked {
			opt.StackSeries = &fill
		}
	}
	// Dots only where they can be told apart.
	if len(s.Labels) > 40 {
		opt.Symbol = charts.Symbol{Shape: charts.SymbolNone}
	}
	return opt
}

func allNonNegative(series []Series) bool {
	for _, sr := range series {
		for _, v := range sr.Values {
			if v < 0 {
				return false
			}
		}
	}
	return true
}

// noData draws the title and a centred "No data" in the theme's colours,
// over a faint baseline where the plot would be, so the empty state reads
// as a chart with nothing in it rather than a broken image.
func (st style) noData(title string) ([]byte, error) {
	w, h := st.size.Width, st.size.Height
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: w, Height: h})
	st.frame(p, title)
	pad := st.padding()
	msg := "No data"
	mf := st.mutedFont(16)
	mb := p.MeasureText(msg, 0, mf)
	p.Text(msg, (w-mb.Width())/2, (h+mb.Height())/2, 0, mf)
	p.LineStroke([]charts.Point{
		{X: pad.Left, Y: h - pad.Bottom}, {X: w - pad.Right, Y: h - pad.Bottom},
	}, st.muted.WithAlpha(90), math.Max(1, st.scale))
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode empty chart %q: %w", title, err)
	}
	return b, nil
}
