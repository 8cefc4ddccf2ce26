package assessment

import "github.com/portal-id/migration-console/engine/workspace"

// CurrentRuns returns, for each configured source, its newest run when
// that run is completed: the runs whose OCM impacts and merge decisions the
// preview-handoff gate reads (runs newest first, as Tx.AssessmentRuns lists them). A
// source whose newest run failed or is still assessing has none.
func CurrentRuns(runs []Run, sources []workspace.Source) []Run {
	configured := map[string]bool{}
	for _, s := range sources {
		if s.Status == workspace.SourceConfigured {
			configured[s.ID] = true
		}
	}
	seen := map[string]bool{}
	var out []Run
	for _, r := range runs {
		if seen[r.SourceID] || !configured[r.SourceID] {
			continue
		}
		seen[r.SourceID] = true
		if r.Status == StatusCompleted {
			out = append(out, r)
		}
	}
	return out
}

// WithoutCurrentRun names the configured sources that have no run among
// current (as CurrentRuns returns them), so a report can say whose
// results are missing rather than show fewer rows.
func WithoutCurrentRun(sources []workspace.Source, current []Run) []string {
	has := map[string]bool{}
	for _, r := range current {
		has[r.SourceID] = true
	}
	var out []string
	for _, s := range sources {
		if s.Status == workspace.SourceConfigured && !has[s.ID] {
			out = append(out, s.Name)
		}
	}
	return out
}
