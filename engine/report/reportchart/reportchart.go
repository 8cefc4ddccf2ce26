// Package reportchart puts a chart spec (engine/report/chart) into the report
// content model. It sits apart from both so that the stages, which draw their
// charts from specs, do not pull the report builder into their own imports.
package reportchart

import (
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/chart"
)

// Of is the spec as the report's content model holds it, with alt
// text that reads the numbers out (each label's value for one series,
// each series' total for several), so every format states what the
// picture shows; empty names what there is none of.
func Of(id string, s chart.Spec, empty string) *report.Chart {
	c := &report.Chart{ID: id, Kind: string(s.Kind), Title: s.Title, Labels: s.Labels, Colors: s.Colors, Stacked: s.Stacked}
	var alt []string
	for _, sr := range s.Series {
		c.Series = append(c.Series, report.ChartSeries{Name: sr.Name, Values: sr.Values, Color: sr.Color})
	}
	if len(s.Series) == 1 {
		for i, l := range s.Labels {
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(s.Series[0].Values[i])), l))
		}
	} else {
		for _, sr := range s.Series {
			n := 0.0
			for _, v := range sr.Values {
				n += v
			}
			alt = append(alt, fmt.Sprintf("%s %s", report.Thousands(int64(n)), sr.Name))
		}
	}
	if len(alt) == 0 {
		alt = []string{empty}
	}
	c.AltText = s.Title + ": " + strings.Join(alt, ", ") + "."
	return c
}
