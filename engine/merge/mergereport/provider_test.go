package mergereport

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/workspace"
)

// First-run adoption has no merge review; a live target that is not empty
// is named with the workspace summary's own words.
func TestFirstRunAdoptionSaysMergeReviewDoesNotApply(t *testing.T) {
	const live = "First-run adoption needs an empty target, but it holds 2 groups (\"Finance\", \"HR\"): switch the workspace to merge_into_existing or clear the target."
	in := report.Input{Workspace: workspace.Workspace{Mode: workspace.ModeFirstRunAdoption},
		Summary: readiness.Summary{PreviewHandoffBlockers: []readiness.Blocker{
			{Code: readiness.BlockerOCMUnacknowledged, Message: "Acknowledge 3 OCM impacts.", Count: 3},
			{Code: readiness.BlockerLiveTargetNotEmpty, Message: live, Count: 2},
		}}}
	c, err := Provider{}.Contribute(context.Background(), in) // no merge stage is read
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sections) != 1 || c.Sections[0].Status != report.NotRun {
		t.Fatalf("sections %+v", c.Sections)
	}
	var notes []string
	for _, b := range c.Sections[0].Blocks {
		if b.Note == nil {
			t.Fatalf("block %s in a section that does not apply", b.Type)
		}
		notes = append(notes, b.Note.Text)
	}
	if len(notes) != 2 || !strings.HasPrefix(notes[0], "Not applicable") || notes[1] != live {
		t.Errorf("notes %q", notes)
	}
}

// A decision table longer than a printed report holds carries a summary
// whose counts add up to every row; the rows themselves stay whole for the
// CSV.
func TestLargeDecisionTableIsSummarised(t *testing.T) {
	n := report.ItemRegisterSummaryAbove + 7
	tb := newTables(map[string]string{"src-1": "okta-prod"})
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := 0; i < n; i++ {
		d := merge.Decision{ID: fmt.Sprintf("d%05d", i), RunID: "run-1", SourceID: "src-1", Kind: inventory.KindGroup, Noun: assessment.NounGroup,
			DisplayName: fmt.Sprintf("Group %d", i), Class: assessment.NativeImport, Status: merge.StatusPending,
			Matched: []merge.MatchedResource{{TargetID: fmt.Sprintf("grp_%d", i), Name: fmt.Sprintf("GROUP %d", i), ETag: `"e1"`,
				Evidence: []merge.Evidence{{Type: merge.MatchName}}}}}
		if i%3 == 0 {
			d.Status, d.Resolution, d.TargetID, d.ResolvedBy, d.ResolvedAt = merge.StatusResolved, merge.MapToExisting, d.Matched[0].TargetID, "consultant", &at
		}
		tb.add(merge.Detail{Decision: d, Diffs: []merge.TargetDiff{{TargetID: d.Matched[0].TargetID, Name: d.Matched[0].Name,
			Fields: []merge.FieldRow{{Field: "name", Incumbent: d.DisplayName, Target: d.Matched[0].Name}}}}})
	}
	tb.finish()
	if len(tb.decisions.Rows) != n || len(tb.fields.Rows) != n {
		t.Fatalf("%d decision rows, %d field rows, want %d", len(tb.decisions.Rows), len(tb.fields.Rows), n)
	}
	for _, x := range []*report.Table{tb.decisions, tb.fields} {
		if x.Summary == nil {
			t.Fatalf("%s has no summary", x.ID)
		}
		total := int64(0)
		last := len(x.Summary.Columns) - 1
		for _, r := range x.Summary.Rows {
			total += r[last].(int64)
		}
		if total != int64(n) {
			t.Errorf("%s summary counts %d rows, want %d", x.ID, total, n)
		}
	}
	if got := tb.decisions.Summary.Rows[0]; got[0] != Pending || got[3] != int64(n-(n+2)/3) {
		t.Errorf("first summary row %v, want the pending decisions first", got)
	}
	doc := &report.Document{Format: report.FormatID, Sections: []report.Section{{ID: "merge", Blocks: []report.Block{
		report.TableBlock(tb.decisions), report.TableBlock(tb.fields)}}}}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
}
