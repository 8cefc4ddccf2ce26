package assessment

import (
	"fmt"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/report/chart"
)

// ClassColors fixes each class's colour in every chart ("#rrggbb"), so
// blocked is red wherever classes are shown.
var ClassColors = map[Class]string{
	NativeImport:            "#2e7d32",
	ImportWithApproximation: "#9ccc65",
	VisibilityOnly:          "#90a4ae",
	ManualRebuildRequired:   "#ffa726",
	Blocked:                 "#e53935",
}

// ClassLabels are the classes as charts and tables name them.
var ClassLabels = map[Class]string{
	NativeImport:            "Native import",
	ImportWithApproximation: "Import with approximation",
	VisibilityOnly:          "Visibility only",
	ManualRebuildRequired:   "Manual rebuild required",
	Blocked:                 "Blocked",
}

// ClassChart is the donut of a run's items by class (chart.Render draws
// it). Classes with no items are left out.
func ClassChart(r Run) chart.Spec {
	s := chart.Spec{Kind: chart.Donut, Title: fmt.Sprintf("Items by class (%d)", r.ItemCount)}
	var values []float64
	for _, c := range Classes {
		if n := r.Counts[c]; n > 0 {
			s.Labels = append(s.Labels, ClassLabels[c])
			s.Colors = append(s.Colors, ClassColors[c])
			values = append(values, float64(n))
		}
	}
	if len(values) > 0 {
		s.Series = []chart.Series{{Name: "items", Values: values}}
	}
	return s
}

// KindChart is the stacked bars of a run's items by kind and class: one
// bar per kind that has items, one segment per class.
func KindChart(r Run) chart.Spec {
	s := chart.Spec{Kind: chart.HBar, Title: "Class by kind", Stacked: true}
	var kinds []inventory.Kind
	for _, k := range inventory.Kinds {
		n := 0
		for _, v := range r.KindCounts[k] {
			n += v
		}
		if n > 0 {
			kinds = append(kinds, k)
			s.Labels = append(s.Labels, string(k))
		}
	}
	if len(kinds) == 0 {
		return s
	}
	for _, c := range Classes {
		values := make([]float64, len(kinds))
		any := false
		for i, k := range kinds {
			values[i] = float64(r.KindCounts[k][c])
			any = any || values[i] > 0
		}
		if any {
			s.Series = append(s.Series, chart.Series{Name: ClassLabels[c], Values: values, Color: ClassColors[c]})
		}
	}
	return s
}
