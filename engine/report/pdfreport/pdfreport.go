// Package pdfreport writes a report as an A4 PDF with
// github.com/johnfercher/maroto/v2 v2.4.2: a cover, a table of contents
// with page numbers, numbered pages, tables that break across pages with
// their header repeated, and the charts embedded. A table longer than a
// reader can use (the item register at 100,000 items) is replaced by its
// summary, and the page says the full table is in the CSV.
//
// Text is set in the Go fonts (golang.org/x/image/font/gofont), embedded as
// UTF-8 TrueType, so tenants' names in any Latin, Greek or Cyrillic script
// print as written; PDF core fonts would turn them into question marks.
package pdfreport

import (
	"fmt"
	"math"
	"strings"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/fontrepository"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/portal-id/migration-console/engine/report"
)

// Extension is the file name extension of a PDF report.
const Extension = "pdf"

// RowLimit is how many rows a table prints before the PDF prints its
// summary instead (or its first RowLimit rows when it has none) and
// points to the CSV: past that, a printed table is a phone book.
const RowLimit = 1000

// Page geometry, mm.
const (
	pageW, pageH = 210.0, 297.0
	marginLeft   = 16.0
	marginRight  = 16.0
	marginTop    = 12.0
	marginBottom = 16.0
	contentW     = pageW - marginLeft - marginRight
	contentH     = pageH - marginTop - marginBottom
	// grid is maroto's column grid: widths are size/grid of the row.
	grid = 1000
	// maxCellLines caps one table cell, so no row outgrows a page.
	maxCellLines = 14
)

const (
	fontText = "go"
	fontMono = "gomono"
)

var (
	ink       = &props.Color{Red: 31, Green: 35, Blue: 41}
	muted     = &props.Color{Red: 93, Green: 100, Blue: 112}
	accent    = &props.Color{Red: 47, Green: 95, Blue: 179}
	ruleColor = &props.Color{Red: 217, Green: 221, Blue: 227}
	soft      = &props.Color{Red: 242, Green: 244, Blue: 247}
	zebra     = &props.Color{Red: 250, Green: 251, Blue: 252}
	tones     = map[report.Tone]struct{ fg, bg *props.Color }{
		report.ToneInfo:    {accent, &props.Color{Red: 233, Green: 240, Blue: 251}},
		report.ToneSuccess: {&props.Color{Red: 31, Green: 122, Blue: 71}, &props.Color{Red: 231, Green: 244, Blue: 236}},
		report.ToneWarning: {&props.Color{Red: 138, Green: 90, Blue: 0}, &props.Color{Red: 253, Green: 243, Blue: 220}},
		report.ToneDanger:  {&props.Color{Red: 168, Green: 40, Blue: 31}, &props.Color{Red: 251, Green: 233, Blue: 231}},
	}
)

var (
	body      = style{family: fontText, size: 9.5, color: ink}
	small     = style{family: fontText, size: 8.5, color: muted}
	label     = style{family: fontText, size: 8.8, color: muted}
	value     = style{family: fontText, size: 8.8, color: ink}
	h1        = style{family: fontText, bold: true, size: 16, color: accent}
	h2        = style{family: fontText, bold: true, size: 11.5, color: ink}
	h3        = style{family: fontText, bold: true, size: 10, color: ink}
	cellText  = style{family: fontText, size: 7.2, color: ink}
	cellMono  = style{family: fontMono, size: 6.6, color: ink}
	cellHead  = style{family: fontText, bold: true, size: 7.2, color: ink}
	runningHd = style{family: fontText, size: 7.5, color: muted}
)

// Render writes doc as <kind>.pdf. Every chart must have been drawn.
func Render(doc *report.Document, files report.Files) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	for _, c := range doc.Charts() {
		if len(c.PNG) == 0 {
			return fmt.Errorf("chart %s has not been drawn (render through package formats)", c.ID)
		}
	}
	r := &renderer{doc: doc, l: newLayout(), tocPages: map[string]int{}}
	r.l.runningHeader = r.runningHeader
	r.cover()
	r.l.newPage()
	r.toc()
	for _, s := range doc.Sections {
		r.section(s)
	}

	fonts, err := fontrepository.New().
		AddUTF8FontFromBytes(fontText, fontstyle.Normal, goregular.TTF).
		AddUTF8FontFromBytes(fontText, fontstyle.Bold, gobold.TTF).
		AddUTF8FontFromBytes(fontMono, fontstyle.Normal, gomono.TTF).
		Load()
	if err != nil {
		return fmt.Errorf("load the report fonts: %w", err)
	}
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(marginLeft).WithRightMargin(marginRight).
		WithTopMargin(marginTop).WithBottomMargin(marginBottom).
		WithMaxGridSize(grid).
		WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: fontText, Size: 9, Color: ink}).
		WithPageNumber(props.PageNumber{
			Pattern: doc.ID + "  ·  Page {current} of {total}",
			Place:   props.RightBottom, Family: fontText, Size: 7.5, Color: muted,
		}).
		WithCompression(true).
		WithTitle(doc.Title+" · "+doc.Cover.Tenant, true).
		WithSubject(doc.Purpose, true).
		WithCreator("Portal Migration Console "+doc.Cover.ConsoleVersion, true).
		WithAuthor(doc.Cover.PreparedBy, true).
		WithCreationDate(doc.Cover.GeneratedAt).
		Build()
	m := maroto.New(cfg)
	r.l.emit(m)
	pdf, err := m.Generate()
	if err != nil {
		return fmt.Errorf("generate the PDF: %w", err)
	}
	w, err := files.Create(string(doc.Kind) + "." + Extension)
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf.GetBytes()); err != nil {
		return fmt.Errorf("write the PDF report: %w", err)
	}
	return nil
}

func newLayout() *layout {
	measure := gofpdf.New("P", "mm", "A4", "")
	measure.AddUTF8FontFromBytes(fontText, "", goregular.TTF)
	measure.AddUTF8FontFromBytes(fontText, "B", gobold.TTF)
	measure.AddUTF8FontFromBytes(fontMono, "", gomono.TTF)
	return &layout{measure: measure, width: contentW, usable: contentH, page: 1}
}

type renderer struct {
	doc      *report.Document
	l        *layout
	tocPages map[string]int
}

// textRows adds wrapped text as rows of at most what fits on a page, so a
// long paragraph flows onto the next page rather than overflowing.
func (r *renderer) textRows(s style, txt string, padTop, padBottom float64) {
	lines := r.l.wrap(s, txt, contentW)
	lh := s.lineHeight()
	for len(lines) > 0 {
		n := len(lines)
		for n > 1 && !r.l.fits(padTop+float64(n)*lh+padBottom) {
			n--
		}
		chunk := lines[:n]
		lines = lines[n:]
		h := padTop + float64(len(chunk))*lh + padBottom
		r.l.add(sized{h: h, row: func() core.Row {
			return row.New(h).Add(textCol(grid, s, chunk, padTop, 0, 0))
		}})
	}
}

func (r *renderer) runningHeader() []sized {
	left := r.doc.Title + "  ·  " + r.doc.Cover.Tenant
	return []sized{
		{h: 5.5, row: func() core.Row {
			return row.New(5.5).Add(
				textCol(grid*7/10, runningHd, []string{left}, 0.5, 0, 0),
				textCol(grid*3/10, style{family: fontText, size: 7.5, color: muted, align: align.Right}, []string{"Generated " + r.doc.Cover.GeneratedAt.Format("2006-01-02 15:04 UTC")}, 0.5, 0, 0),
			)
		}},
		{h: 0.3, row: func() core.Row {
			return row.New(0.3).Add(col.New(grid)).WithStyle(&props.Cell{BackgroundColor: ruleColor})
		}},
		{h: 5, row: func() core.Row { return row.New(5).Add(col.New(grid)) }},
	}
}

func (r *renderer) cover() {
	d := r.doc
	r.l.add(sized{h: 24, row: func() core.Row { return row.New(24).Add(col.New(grid)) }})
	r.textRows(style{family: fontText, bold: true, size: 9, color: accent}, "PORTAL MIGRATION CONSOLE", 0, 2)
	r.textRows(style{family: fontText, bold: true, size: 24, color: ink}, d.Title, 0, 3)
	r.textRows(style{family: fontText, size: 15, color: ink}, d.Cover.Tenant, 0, 4)
	r.textRows(style{family: fontText, size: 10.5, color: muted}, d.Purpose, 0, 6)
	r.l.add(sized{h: 0.6, row: func() core.Row {
		return row.New(0.6).Add(col.New(grid)).WithStyle(&props.Cell{BackgroundColor: accent})
	}})
	r.l.space(5)

	c := d.Cover
	facts := []report.Fact{
		{Label: "Report", Value: d.ID},
		{Label: "Tenant", Value: c.Tenant},
		{Label: "Workspace", Value: c.WorkspaceID},
		{Label: "Workspace mode", Value: strings.ReplaceAll(c.WorkspaceMode, "_", " ")},
		{Label: "Workspace status", Value: strings.ReplaceAll(c.WorkspaceStatus, "_", " ")},
		{Label: "Target", Value: orNone(c.TargetURL, "not connected")},
	}
	if len(c.Sources) == 0 {
		facts = append(facts, report.Fact{Label: "Sources", Value: "none added"})
	}
	for _, s := range c.Sources {
		facts = append(facts, report.Fact{Label: "Source", Value: fmt.Sprintf("%s (%s, %s) · %s", s.Name, s.Kind, s.Status, s.Locator)})
	}
	for _, s := range c.Snapshots {
		span := s.StartedAt.Format("2006-01-02 15:04 UTC")
		if s.FinishedAt != nil {
			span += " to " + s.FinishedAt.Format("15:04 UTC")
		}
		facts = append(facts, report.Fact{Label: "Snapshot", Value: fmt.Sprintf("%s · %s · %s items, %s pages · %s",
			s.ID, s.Source, report.Thousands(int64(s.Items)), report.Thousands(int64(s.Pages)), span)})
	}
	facts = append(facts, c.Facts...)
	key := c.SigningKey
	if key == "" {
		key = "unavailable"
		if c.SigningKeyNote != "" {
			key += ": " + c.SigningKeyNote
		}
	}
	facts = append(facts,
		report.Fact{Label: "Generated", Value: c.GeneratedAt.Format("2006-01-02 15:04:05 UTC")},
		report.Fact{Label: "Prepared by", Value: c.PreparedBy},
		report.Fact{Label: "Console version", Value: c.ConsoleVersion},
		report.Fact{Label: "Evidence signing key", Value: key},
	)
	r.facts(facts)
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// toc reserves one row per section; each reads its page number when the
// rows are emitted, after every section has been laid out.
func (r *renderer) toc() {
	r.textRows(h1, "Contents", 0, 4)
	numStyle := style{family: fontText, size: 10, color: ink, align: align.Right}
	for i, s := range r.doc.Sections {
		title := fmt.Sprintf("%d.  %s", i+1, s.Title)
		switch s.Status {
		case report.NotRun:
			title += "  (not run)"
		case report.Partial:
			title += "  (partial)"
		}
		id := s.ID
		const h = 7.0
		r.l.add(sized{h: h, row: func() core.Row {
			return row.New(h).Add(
				textCol(grid*88/100, style{family: fontText, size: 10, color: ink}, []string{title}, 1.2, 0, 0),
				textCol(grid*12/100, numStyle, []string{fmt.Sprint(r.tocPages[id])}, 1.2, 0, 0),
			).WithStyle(&props.Cell{BackgroundColor: rowTint(i)})
		}})
	}
}

func rowTint(i int) *props.Color {
	if i%2 == 1 {
		return zebra
	}
	return &props.WhiteColor
}

func (r *renderer) section(s report.Section) {
	// A section opens a page when less than a third of one is left, so a
	// heading is never stranded at a page foot.
	if r.l.remaining() < contentH/3 {
		r.l.newPage()
	} else {
		r.l.space(8)
	}
	r.tocPages[s.ID] = r.l.page
	title := s.Title
	switch s.Status {
	case report.NotRun:
		title += "  ·  not run"
	case report.Partial:
		title += "  ·  partial"
	}
	r.textRows(h1, title, 0, 1.5)
	r.l.add(sized{h: 0.3, row: func() core.Row {
		return row.New(0.3).Add(col.New(grid)).WithStyle(&props.Cell{BackgroundColor: ruleColor})
	}})
	r.l.space(3)
	for i, b := range s.Blocks {
		next := 0.0
		if i+1 < len(s.Blocks) {
			next = r.firstPiece(s.Blocks[i+1])
		}
		r.block(b, next)
	}
}

// firstPiece is the height of what must follow a heading on its page: a
// whole chart, a table's header and first row, a few lines of anything
// else.
func (r *renderer) firstPiece(b report.Block) float64 {
	switch {
	case b.Chart != nil:
		return chartHeight + 8
	case b.Table != nil && len(b.Table.Rows) > 0:
		t := b.Table
		if len(t.Rows) > RowLimit && t.Summary != nil {
			t = t.Summary
		}
		tl := r.planColumns(t)
		return r.headerRow(t, tl).h + r.dataRow(t, tl, t.Rows[0], 0).h + 16 // room for a summary note
	}
	return 14
}

func (r *renderer) block(b report.Block, next float64) {
	switch {
	case b.Heading != nil:
		s := h2
		if b.Heading.Level > 2 {
			s = h3
		}
		// Keep a heading with the start of what follows it.
		if need := 3 + s.lineHeight() + 1.5 + next; !r.l.fits(need) && r.l.y > 0 && need < contentH/2 {
			r.l.newPage()
		} else {
			r.l.space(3)
		}
		r.textRows(s, b.Heading.Text, 0, 1.5)
	case b.Paragraph != nil:
		r.textRows(body, b.Paragraph.Text, 0.5, 2.5)
	case b.Facts != nil:
		r.facts(b.Facts.Items)
		r.l.space(2)
	case b.Note != nil:
		r.note(b.Note)
	case b.Checklist != nil:
		r.checklist(b.Checklist)
	case b.Chart != nil:
		r.chart(b.Chart)
	case b.Table != nil:
		r.table(b.Table)
	}
}

func (r *renderer) facts(items []report.Fact) {
	const labelShare = 28
	lw, vw := contentW*labelShare/100, contentW*(100-labelShare)/100
	for _, f := range items {
		ls := r.l.wrap(label, f.Label, lw-2)
		vs := r.l.wrap(value, f.Value, vw)
		n := max(len(ls), len(vs))
		h := 1 + float64(n)*value.lineHeight() + 0.8
		r.l.add(sized{h: h, row: func() core.Row {
			return row.New(h).Add(
				textCol(grid*labelShare/100, label, ls, 1, 0, 2),
				textCol(grid*(100-labelShare)/100, value, vs, 1, 0, 0),
			)
		}})
	}
}

func (r *renderer) note(n *report.Note) {
	tc := tones[n.Tone]
	s := style{family: fontText, size: 9, color: ink}
	const bar, pad = 12, 3.0 // bar in grid units; padding in mm
	lines := r.l.wrap(s, n.Text, contentW*(grid-bar)/grid-2*pad)
	h := 2.2 + float64(len(lines))*s.lineHeight() + 1.6
	r.l.space(1)
	r.l.add(sized{h: h, row: func() core.Row {
		return row.New(h).Add(
			col.New(bar).WithStyle(&props.Cell{BackgroundColor: tc.fg}),
			textCol(grid-bar, s, lines, 2.2, pad, pad).WithStyle(&props.Cell{BackgroundColor: tc.bg}),
		)
	}})
	r.l.space(3)
}

func (r *renderer) checklist(c *report.Checklist) {
	const markShare = 12
	for _, it := range c.Items {
		mark, tone := "N/A", report.ToneInfo
		switch it.State {
		case report.CheckMet:
			mark, tone = "Met", report.ToneSuccess
		case report.CheckNotMet:
			mark, tone = "Not met", report.ToneDanger
		}
		ms := style{family: fontText, bold: true, size: 8.8, color: tones[tone].fg}
		if it.State == report.CheckNotApplicable {
			ms.color = muted
		}
		txt := it.Label
		if it.Detail != "" {
			txt += " — " + it.Detail
		}
		lines := r.l.wrap(value, txt, contentW*(100-markShare)/100)
		h := 1.3 + float64(len(lines))*value.lineHeight() + 1.1
		r.l.add(sized{h: h, row: func() core.Row {
			return row.New(h).Add(
				textCol(grid*markShare/100, ms, []string{mark}, 1.3, 0, 0),
				textCol(grid*(100-markShare)/100, value, lines, 1.3, 0, 0),
			)
		}})
	}
	r.l.space(3)
}

// Charts are drawn at 1500x820; shown 165 mm wide they keep their
// proportions and the text size a reader expects on paper.
const chartHeight = 165.0 * 820 / 1500

func (r *renderer) chart(c *report.Chart) {
	h := chartHeight
	caption := r.l.wrap(small, c.AltText, contentW)
	ch := 1.5 + float64(len(caption))*small.lineHeight() + 1
	r.l.keep(
		sized{h: h, row: func() core.Row {
			return row.New(h).Add(col.New(grid).Add(image.NewFromBytes(c.PNG, extension.Png, props.Rect{Center: true, Percent: 100})))
		}},
		sized{h: ch, row: func() core.Row { return row.New(ch).Add(textCol(grid, small, caption, 1.5, 0, 0)) }},
	)
	r.l.space(4)
}

// tableLayout is a table's printed columns and their grid sizes.
type tableLayout struct {
	cols  []int // indexes into Table.Columns
	sizes []int // grid units
	mm    []float64
}

// planColumns shares the content width among the printed columns by
// weight, but never narrower than a column's title (its longest word), so
// a short header such as "Page" is not cut in two.
func (r *renderer) planColumns(t *report.Table) tableLayout {
	var tl tableLayout
	for i, c := range t.Columns {
		if !c.Detail {
			tl.cols = append(tl.cols, i)
		}
	}
	r.l.measure.SetFont(cellHead.family, string(cellHead.fontStyle()), cellHead.size)
	minW := make([]float64, len(tl.cols))
	for k, i := range tl.cols {
		for _, w := range strings.Fields(t.Columns[i].Title) {
			minW[k] = max(minW[k], r.l.measure.GetStringWidth(w)+2*cellPadX+0.8)
		}
	}
	widths := make([]float64, len(tl.cols))
	fixed := make([]bool, len(tl.cols))
	for changed := true; changed; {
		changed = false
		free, weights := contentW, 0.0
		for k, i := range tl.cols {
			if fixed[k] {
				free -= widths[k]
			} else {
				weights += weight(t.Columns[i])
			}
		}
		for k, i := range tl.cols {
			if fixed[k] {
				continue
			}
			widths[k] = free * weight(t.Columns[i]) / weights
			if widths[k] < minW[k] {
				widths[k], fixed[k], changed = minW[k], true, true
			}
		}
	}
	used := 0
	for k := range tl.cols {
		size := int(math.Floor(widths[k] / contentW * grid))
		if k == len(tl.cols)-1 {
			size = grid - used
		}
		used += size
		tl.sizes = append(tl.sizes, size)
		tl.mm = append(tl.mm, contentW*float64(size)/grid)
	}
	return tl
}

func weight(c report.Column) float64 {
	if c.Weight > 0 {
		return c.Weight
	}
	return 1
}

func cellStyle(c report.Column, v any) style {
	s := cellText
	switch c.Type {
	case report.ColID, report.ColDigest:
		s = cellMono
	case report.ColInteger, report.ColNumber:
		s.align = align.Right
	case report.ColStatus:
		if str, ok := v.(string); ok {
			if t := report.StatusTone(str); t != report.ToneInfo {
				s.color, s.bold = tones[t].fg, true
			}
		}
	}
	return s
}

const (
	cellPadX   = 1.4
	cellPadTop = 1.1
	cellPadBot = 1.0
)

// cellLines wraps one cell, capped at maxCellLines (the cut is marked).
func (r *renderer) cellLines(s style, txt string, width float64) []string {
	lines := r.l.wrap(s, txt, width-2*cellPadX)
	if len(lines) > maxCellLines {
		lines = lines[:maxCellLines]
		lines[maxCellLines-1] = strings.TrimRight(lines[maxCellLines-1], " ") + " …"
	}
	return lines
}

func (r *renderer) table(t *report.Table) {
	rows := t.Rows
	if len(rows) > RowLimit {
		if t.Summary != nil {
			r.note(&report.Note{Tone: report.ToneInfo, Text: fmt.Sprintf(
				"%s has %s rows, more than a printed report can usefully hold. Below is its summary, %s; every row is in the CSV export, %s.csv.",
				t.Title, report.Thousands(int64(len(rows))), strings.ToLower(t.Summary.Title), t.ID)})
			r.table(t.Summary)
			return
		}
		r.note(&report.Note{Tone: report.ToneInfo, Text: fmt.Sprintf(
			"%s has %s rows; the first %s are printed below, and every row is in the CSV export, %s.csv.",
			t.Title, report.Thousands(int64(len(rows))), report.Thousands(RowLimit), t.ID)})
		rows = rows[:RowLimit]
	}
	if len(rows) == 0 {
		msg := t.Empty
		if msg == "" {
			msg = "No rows."
		}
		r.textRows(style{family: fontText, size: 9, color: muted}, msg, 0.5, 3)
		return
	}
	tl := r.planColumns(t)
	header := r.headerRow(t, tl)
	continued := func() sized {
		lines := []string{t.Title + " (continued)"}
		return sized{h: 5, row: func() core.Row { return row.New(5).Add(textCol(grid, small, lines, 0.8, 0, 0)) }}
	}
	// The header and the first row start together.
	first := r.dataRow(t, tl, rows[0], 0)
	if !r.l.fits(header.h+first.h) && r.l.y > 0 {
		r.l.newPage()
	}
	r.l.add(header)
	for i, row := range rows {
		d := first
		if i > 0 {
			d = r.dataRow(t, tl, row, i)
		}
		if !r.l.fits(d.h) {
			r.l.newPage()
			r.l.add(continued())
			r.l.add(header)
		}
		r.l.add(d)
	}
	r.l.space(4)
}

func (r *renderer) headerRow(t *report.Table, tl tableLayout) sized {
	var cells [][]string
	n := 1
	for k, i := range tl.cols {
		s := cellHead
		lines := r.cellLines(s, t.Columns[i].Title, tl.mm[k])
		cells = append(cells, lines)
		n = max(n, len(lines))
	}
	h := cellPadTop + float64(n)*cellHead.lineHeight() + cellPadBot
	return sized{h: h, row: func() core.Row {
		cols := make([]core.Col, len(tl.cols))
		for k, i := range tl.cols {
			s := cellHead
			if c := t.Columns[i]; c.Type == report.ColInteger || c.Type == report.ColNumber {
				s.align = align.Right
			}
			cols[k] = textCol(tl.sizes[k], s, cells[k], cellPadTop, cellPadX, cellPadX)
		}
		return row.New(h).Add(cols...).WithStyle(&props.Cell{BackgroundColor: soft})
	}}
}

func (r *renderer) dataRow(t *report.Table, tl tableLayout, values []any, i int) sized {
	cells := make([][]string, len(tl.cols))
	styles := make([]style, len(tl.cols))
	lh := cellText.lineHeight()
	hmax := 0.0
	for k, ci := range tl.cols {
		c := t.Columns[ci]
		styles[k] = cellStyle(c, values[ci])
		cells[k] = r.cellLines(styles[k], c.Display(values[ci]), tl.mm[k])
		hmax = max(hmax, float64(len(cells[k]))*max(lh, styles[k].lineHeight()))
	}
	h := cellPadTop + max(hmax, lh) + cellPadBot
	tint := rowTint(i)
	return sized{h: h, row: func() core.Row {
		cols := make([]core.Col, len(tl.cols))
		for k := range tl.cols {
			cols[k] = textCol(tl.sizes[k], styles[k], cells[k], cellPadTop, cellPadX, cellPadX)
		}
		return row.New(h).Add(cols...).WithStyle(&props.Cell{BackgroundColor: tint})
	}}
}
