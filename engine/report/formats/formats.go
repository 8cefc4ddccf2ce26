// Package formats lists the report formats and renders a document in one:
// it draws the document's charts (engine/report/chart), then hands the
// document to the format's own package. A new format is one package with
// a Render function plus one line in List.
package formats

import (
	"errors"
	"fmt"
	"slices"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/chart"
	"github.com/portal-id/migration-console/engine/report/csvreport"
	"github.com/portal-id/migration-console/engine/report/htmlreport"
	"github.com/portal-id/migration-console/engine/report/jsonreport"
	"github.com/portal-id/migration-console/engine/report/pdfreport"
)

// Format is one way to write a report.
type Format struct {
	Name string
	// Extension of the file, or of each file when MultiFile.
	Extension string
	// MultiFile formats write several files (CSV: one per table), so the
	// operator names a folder rather than a file.
	MultiFile bool
	Render    func(*report.Document, report.Files) error
}

// List is every format, in the order the CLI and the GUI offer them.
var List = []Format{
	{Name: "pdf", Extension: pdfreport.Extension, Render: pdfreport.Render},
	{Name: "html", Extension: htmlreport.Extension, Render: htmlreport.Render},
	{Name: "json", Extension: jsonreport.Extension, Render: jsonreport.Render},
	{Name: "csv", Extension: csvreport.Extension, MultiFile: true, Render: csvreport.Render},
}

// Names lists the formats' names.
func Names() []string {
	out := make([]string, len(List))
	for i, f := range List {
		out[i] = f.Name
	}
	return out
}

// ErrUnknown is returned for a format name List does not hold.
var ErrUnknown = errors.New("unknown report format")

// Lookup returns the named format.
func Lookup(name string) (Format, error) {
	i := slices.IndexFunc(List, func(f Format) bool { return f.Name == name })
	if i < 0 {
		return Format{}, fmt.Errorf("%w %q: want one of %v", ErrUnknown, name, Names())
	}
	return List[i], nil
}

// Render draws doc's charts, then writes doc in the named format.
func Render(doc *report.Document, name string, files report.Files) error {
	f, err := Lookup(name)
	if err != nil {
		return err
	}
	if err := DrawCharts(doc); err != nil {
		return err
	}
	if err := f.Render(doc, files); err != nil {
		return fmt.Errorf("write the %s report as %s: %w", doc.Kind, f.Name, err)
	}
	return nil
}

// DrawCharts sets the PNG of every chart in doc that has none yet, drawn
// at page size in the light palette (reports are printed on white).
func DrawCharts(doc *report.Document) error {
	for _, c := range doc.Charts() {
		if c.PNG != nil {
			continue
		}
		b, err := chart.Render(Spec(c), chart.Page, chart.Light)
		if err != nil {
			return fmt.Errorf("draw chart %s: %w", c.ID, err)
		}
		c.PNG = b
	}
	return nil
}

// Spec converts a report chart to the chart package's spec.
func Spec(c *report.Chart) chart.Spec {
	s := chart.Spec{Kind: chart.Kind(c.Kind), Title: c.Title, Labels: c.Labels, Colors: c.Colors, Stacked: c.Stacked, Unit: c.Unit}
	for _, sr := range c.Series {
		s.Series = append(s.Series, chart.Series{Name: sr.Name, Values: sr.Values, Color: sr.Color})
	}
	return s
}
