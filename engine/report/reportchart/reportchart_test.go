package reportchart

import (
	"testing"

	"github.com/portal-id/migration-console/engine/report/chart"
)

// The alt text reads out what the picture shows: each slice for one
// series, each series' total for several, and what there is none of.
func TestAltTextReadsTheNumbers(t *testing.T) {
	for _, tc := range []struct {
		spec chart.Spec
		want string
	}{
		{chart.Spec{Kind: chart.Donut, Title: "Classes", Labels: []string{"blocked", "native import"},
			Series: []chart.Series{{Name: "items", Values: []float64{1200, 3}}}}, "Classes: 1,200 blocked, 3 native import."},
		{chart.Spec{Kind: chart.HBar, Title: "By kind", Labels: []string{"app", "group"},
			Series: []chart.Series{{Name: "blocked", Values: []float64{2, 5}}, {Name: "native", Values: []float64{1, 0}}}}, "By kind: 7 blocked, 1 native."},
		{chart.Spec{Kind: chart.Donut, Title: "Steps"}, "Steps: no steps."},
	} {
		c := Of("c", tc.spec, "no steps")
		if c.AltText != tc.want || c.ID != "c" || len(c.Series) != len(tc.spec.Series) {
			t.Errorf("%s: alt %q (want %q), %d series", tc.spec.Title, c.AltText, tc.want, len(c.Series))
		}
	}
}
