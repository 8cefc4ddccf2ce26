package cutover

import (
	"fmt"

	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/report/chart"
)

// DispositionLabels and DispositionColors name and colour the dispositions
// the same way in every chart and report.
var (
	DispositionLabels = map[steps.Disposition]string{
		steps.Planned: "Planned", steps.ManualFollowUp: "Manual follow-up", steps.Blocked: "Blocked", steps.Skipped: "Skipped",
	}
	DispositionColors = map[steps.Disposition]string{
		steps.Planned: "#2e7d32", steps.ManualFollowUp: "#ef8f00", steps.Blocked: "#c62828", steps.Skipped: "#78909c",
	}
)

// DispositionChart is the donut of a plan's steps by disposition
// (chart.Render draws it); dispositions with no step are left out.
func DispositionChart(p Plan) chart.Spec {
	s := chart.Spec{Kind: chart.Donut, Title: fmt.Sprintf("Steps by disposition (%d)", p.StepCount)}
	var values []float64
	for _, d := range steps.Dispositions {
		if n := p.Counts[d]; n > 0 {
			s.Labels = append(s.Labels, DispositionLabels[d])
			s.Colors = append(s.Colors, DispositionColors[d])
			values = append(values, float64(n))
		}
	}
	if len(values) > 0 {
		s.Series = []chart.Series{{Name: "steps", Values: values}}
	}
	return s
}

// KindChart is the stacked bars of a plan's steps by kind and disposition.
func KindChart(p Plan) chart.Spec {
	s := chart.Spec{Kind: chart.HBar, Title: "Steps by kind", Stacked: true}
	var kinds []steps.Kind
	for _, k := range steps.Kinds() {
		n := 0
		for _, v := range p.KindCounts[k] {
			n += v
		}
		if n > 0 {
			kinds = append(kinds, k)
			s.Labels = append(s.Labels, kindWords(k))
		}
	}
	for _, d := range steps.Dispositions {
		values := make([]float64, len(kinds))
		any := false
		for i, k := range kinds {
			values[i] = float64(p.KindCounts[k][d])
			any = any || values[i] > 0
		}
		if any {
			s.Series = append(s.Series, chart.Series{Name: DispositionLabels[d], Values: values, Color: DispositionColors[d]})
		}
	}
	return s
}
