// Package htmlreport writes a report as one self-contained HTML file:
// inline CSS, charts as data: URIs, and a small inline script that makes
// the item tables sortable and filterable. Nothing is fetched from a
// network, and the page's Content-Security-Policy forbids it, so the file
// reads the same offline, on a locked-down laptop, or printed (the print
// stylesheet repeats table headers and keeps rows whole).
package htmlreport

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"

	"github.com/portal-id/migration-console/engine/report"
)

// Extension is the file name extension of an HTML report.
const Extension = "html"

// RowLimit is how many rows a table shows before the page prints its
// summary instead and points to the CSV: a browser sorts 20,000 rows in a
// blink, and 100,000 in seconds of a frozen tab.
const RowLimit = 20_000

// Render writes doc as <kind>.html. Every chart must have been drawn.
func Render(doc *report.Document, files report.Files) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	for _, c := range doc.Charts() {
		if len(c.PNG) == 0 {
			return fmt.Errorf("chart %s has not been drawn (render through package formats)", c.ID)
		}
	}
	w, err := files.Create(string(doc.Kind) + "." + Extension)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := page.Execute(bw, view{Doc: doc}); err != nil {
		return fmt.Errorf("write the HTML report: %w", err)
	}
	return bw.Flush()
}

type view struct{ Doc *report.Document }

// tableView is a table as the page shows it: the rows, or, past RowLimit,
// the summary and a note that the CSV holds the rest.
type tableView struct {
	T           *report.Table
	Cols        []int
	Summarised  bool
	UsesSummary bool
	Title       string
	FullID      string
	FullRows    int
}

func viewTable(t *report.Table) tableView {
	v := tableView{T: t, Title: t.Title, FullID: t.ID}
	if len(t.Rows) > RowLimit {
		v.Summarised, v.FullRows = true, len(t.Rows)
		if t.Summary != nil {
			v.T, v.UsesSummary = t.Summary, true
		} else {
			v.T = &report.Table{ID: t.ID, Title: t.Title, Columns: t.Columns, Rows: t.Rows[:RowLimit]}
		}
	}
	for i := range v.T.Columns {
		v.Cols = append(v.Cols, i)
	}
	return v
}

var funcs = template.FuncMap{
	"table": viewTable,
	"cell": func(t *report.Table, row []any, i int) string {
		return t.Columns[i].Display(row[i])
	},
	"sortKey": func(t *report.Table, row []any, i int) string {
		return t.Columns[i].Text(row[i])
	},
	"numeric": func(c report.Column) bool {
		return c.Type == report.ColInteger || c.Type == report.ColNumber
	},
	"tone": func(s string) string { return string(report.StatusTone(s)) },
	"png": func(b []byte) template.URL {
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	},
	"thousands": func(n int) string { return report.Thousands(int64(n)) },
	"label":     func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"stateMark": func(s report.CheckState) string {
		switch s {
		case report.CheckMet:
			return "✓"
		case report.CheckNotMet:
			return "✗"
		}
		return "–"
	},
	"stateText": func(s report.CheckState) string {
		switch s {
		case report.CheckMet:
			return "met"
		case report.CheckNotMet:
			return "not met"
		}
		return "not applicable"
	},
	"csvName": func(id string) string { return id + ".csv" },
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(pageTemplate))
