package pdfreport

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/phpdave11/gofpdf"
)

// layout paginates the report itself. maroto draws what it is given but
// neither repeats a table's header on the next page nor says on which page
// a row landed, which a table of contents needs. So every row here has a
// height computed in advance (text is wrapped here, line by line, with the
// same font metrics maroto's gofpdf uses), and layout breaks the page
// itself before maroto would: it knows where every section starts and
// starts every continued table with its header again.
//
// Layout is one pass that records ops; emit replays them into maroto once
// the table of contents knows its page numbers.
type layout struct {
	measure *gofpdf.Fpdf
	width   float64 // content width, mm
	usable  float64 // content height per page, mm
	y       float64 // height used on the current page
	page    int     // 1-based
	ops     []op
	// runningHeader builds the rows that open every page after the cover.
	runningHeader func() []sized
}

// op is one recorded step: a row to add, or a page break.
type op struct {
	row func() core.Row
	h   float64
	brk bool
}

// sized is a row builder with its height.
type sized struct {
	h   float64
	row func() core.Row
}

// slack keeps layout's breaks ahead of maroto's own: a row that fits here
// by less than this goes to the next page, so float rounding can never let
// maroto break first and strand a row without its table header.
const slack = 0.5

func (l *layout) remaining() float64 { return l.usable - l.y }

// fits reports whether h more millimetres fit on the current page.
func (l *layout) fits(h float64) bool { return l.y+h <= l.usable-slack }

// add places a row, breaking the page first when it does not fit.
func (l *layout) add(s sized) {
	if !l.fits(s.h) && l.y > 0 {
		l.newPage()
	}
	l.ops = append(l.ops, op{row: s.row, h: s.h})
	l.y += s.h
}

// keep places rows that belong together (a heading and what follows it)
// on one page when they fit on an empty one.
func (l *layout) keep(rows ...sized) {
	total := 0.0
	for _, r := range rows {
		total += r.h
	}
	if !l.fits(total) && l.y > 0 && total <= l.usable-l.headerHeight()-slack {
		l.newPage()
	}
	for _, r := range rows {
		l.add(r)
	}
}

func (l *layout) headerHeight() float64 {
	h := 0.0
	if l.runningHeader != nil {
		for _, r := range l.runningHeader() {
			h += r.h
		}
	}
	return h
}

// newPage ends the current page and opens the next with the running
// header.
func (l *layout) newPage() {
	l.ops = append(l.ops, op{brk: true})
	l.page++
	l.y = 0
	if l.runningHeader != nil {
		for _, r := range l.runningHeader() {
			l.ops = append(l.ops, op{row: r.row, h: r.h})
			l.y += r.h
		}
	}
}

func (l *layout) space(h float64) {
	if l.y == 0 || !l.fits(h) {
		return // a page never starts with blank space
	}
	l.add(sized{h: h, row: func() core.Row { return row.New(h).Add(col.New(grid)) }})
}

// emit replays the ops into m.
func (l *layout) emit(m core.Maroto) {
	for _, o := range l.ops {
		if o.brk {
			m.AddPages(page.New())
			continue
		}
		m.AddRows(o.row())
	}
}

// style is one text style.
type style struct {
	family string
	bold   bool
	size   float64 // points
	color  *props.Color
	align  align.Type
}

func (s style) fontStyle() fontstyle.Type {
	if s.bold {
		return fontstyle.Bold
	}
	return fontstyle.Normal
}

// lineHeight is the distance between baselines, mm.
func (s style) lineHeight() float64 { return s.size * ptToMM * 1.3 }

const ptToMM = 25.4 / 72

// wrap splits text into lines no wider than width mm in style s: at
// spaces where it can, inside a word (an id, a digest, a URL) where it
// must. Hard line breaks are kept; other control characters dropped.
func (l *layout) wrap(s style, txt string, width float64) []string {
	l.measure.SetFont(s.family, string(s.fontStyle()), s.size)
	txt = strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		if r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, txt)
	// A safety margin: maroto re-measures and must find every line fits.
	width -= 0.4
	var lines []string
	for _, para := range strings.Split(txt, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur := ""
		for _, w := range words {
			candidate := w
			if cur != "" {
				candidate = cur + " " + w
			}
			if l.measure.GetStringWidth(candidate) <= width {
				cur = candidate
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			// The word alone is too wide: cut it by characters.
			for l.measure.GetStringWidth(w) > width {
				n := l.fitPrefix(w, width)
				lines = append(lines, w[:n])
				w = w[n:]
			}
			cur = w
		}
		lines = append(lines, cur)
	}
	return lines
}

// fitPrefix returns the byte length of the longest prefix of w (at least
// one character) no wider than width.
func (l *layout) fitPrefix(w string, width float64) int {
	best := 0
	for i := range w {
		if i == 0 {
			continue
		}
		if l.measure.GetStringWidth(w[:i]) > width {
			break
		}
		best = i
	}
	if best == 0 {
		_, size := utf8.DecodeRuneInString(w)
		return size
	}
	return best
}

// textCol is a column of pre-wrapped lines, one text component each, so
// maroto never wraps again.
func textCol(size int, s style, lines []string, top float64, left, right float64) core.Col {
	c := col.New(size)
	for i, ln := range lines {
		if ln == "" {
			continue
		}
		c.Add(text.New(ln, props.Text{
			Family: s.family, Style: s.fontStyle(), Size: s.size, Color: s.color, Align: s.align,
			Top: top + float64(i)*s.lineHeight(), Left: left, Right: right,
		}))
	}
	return c
}
