package wiring

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Before any assessment the merge and OCM sections say why they are empty,
// and in first-run adoption the merge section says merge review does not
// apply, as the workspace summary does.
func TestMergeAndOCMSectionsBeforeAnyAssessment(t *testing.T) {
	for _, tc := range []struct {
		mode      workspace.Mode
		merge     string
		mergeText string
	}{
		{workspace.ModeFirstRunAdoption, "not_applicable", "Not applicable: this workspace adopts a first-run target, so there is no existing target state to merge with and no merge decision is made"},
		{workspace.ModeMergeIntoExisting, "not_started", "no source has a completed newest assessment"},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			ctx := context.Background()
			needKeychain(t)
			w, _, err := Create(ctx, filepath.Join(t.TempDir(), "report.pmcw"), workspace.CreateRequest{Tenant: "report-corp", Mode: tc.mode}, WithGetenv(func(string) string { return "" }))
			if err != nil {
				t.Fatal(err)
			}
			defer w.CloseAndForget(ctx)
			doc, err := report.Build(ctx, report.KindEngagement, ReportData{W: w}, w.reportProviders(), report.Options{ConsoleVersion: Version})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := w.Readiness.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if sum.MergeReviewStatus != tc.merge {
				t.Errorf("merge_review_status %q, want %q", sum.MergeReviewStatus, tc.merge)
			}
			for _, want := range []struct {
				id, text string
			}{{"merge", tc.mergeText}, {"ocm", "no source's newest assessment has completed"}} {
				var found bool
				for _, s := range doc.Sections {
					if s.ID != want.id {
						continue
					}
					found = true
					if s.Status != report.NotRun || len(s.Blocks) == 0 || s.Blocks[0].Note == nil || !strings.Contains(s.Blocks[0].Note.Text, want.text) {
						t.Errorf("section %s: %s %+v, want not_run saying %q", s.ID, s.Status, s.Blocks, want.text)
					}
					for _, b := range s.Blocks {
						if b.Table != nil {
							t.Errorf("section %s shows table %s before any assessment", s.ID, b.Table.ID)
						}
					}
				}
				if !found {
					t.Errorf("no %s section", want.id)
				}
			}
		})
	}
}
