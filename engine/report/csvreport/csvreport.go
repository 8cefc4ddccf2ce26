// Package csvreport writes each table of a report as its own CSV file,
// <table id>.csv: RFC 4180 (comma, double-quote escaping, CRLF line ends),
// one header row of the columns' stable keys, every row of the table
// (never a summary), and no cell a spreadsheet would run as a formula.
package csvreport

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/report"
)

// Extension is the file name extension of each CSV file.
const Extension = "csv"

// Render writes one CSV file per table of doc.
func Render(doc *report.Document, files report.Files) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	for _, t := range doc.Tables() {
		if err := writeTable(t, files); err != nil {
			return fmt.Errorf("write %s.%s: %w", t.ID, Extension, err)
		}
	}
	return nil
}

func writeTable(t *report.Table, files report.Files) error {
	w, err := files.Create(t.ID + "." + Extension)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	record := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		record[i] = Neutralise(c.Key)
	}
	if err := cw.Write(record); err != nil {
		return err
	}
	for _, row := range t.Rows {
		for i, c := range t.Columns {
			s := c.Text(row[i])
			if _, isString := row[i].(string); isString {
				// Numbers and booleans are ours; strings may be a vendor's.
				s = lineBreaks.Replace(Neutralise(s))
			}
			record[i] = s
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// lineBreaks turns a carriage return inside a cell into a line feed: CSV
// readers (encoding/csv among them) drop a bare CR, so it would not
// survive the round trip, and a spreadsheet shows either as a line break.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// Neutralise keeps a spreadsheet from reading a cell as a formula (OWASP's
// "CSV injection"): a cell that starts with '=', '+', '-', '@', a tab or
// a carriage return, after any leading spaces, gets a leading apostrophe,
// which spreadsheets show as text and do not run. A tenant's app named
// "=HYPERLINK(...)" then reads as exactly that.
func Neutralise(s string) string {
	trimmed := strings.TrimLeft(s, " ")
	if trimmed == "" {
		return s
	}
	switch trimmed[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
