package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/reporttest"
	"github.com/portal-id/migration-console/engine/report/schema"
)

// canaryNote is a note a consultant might paste: it looks like a secret,
// and the report must carry it as written (it is the customer's record),
// while no credential the workspace holds ever appears.
const canaryNote = "rotate before cutover; old key test-only-sk_live_FAKECANARY0123456789 (revoked)"

// reportDecisions decides the demo's rows every way a person can, leaving
// one pending: the first row is mapped, a group is created under a new
// name, one row is skipped. It returns the decisions as the engine holds
// them.
func reportDecisions(t *testing.T, ctx context.Context, run *demoRun) []merge.Decision {
	t.Helper()
	page, err := run.w.Merge.List(ctx, merge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Decisions) < 4 {
		t.Fatalf("the demo has %d merge decisions; the report test needs 4", len(page.Decisions))
	}
	mapped, created, skipped := -1, -1, -1
	for i, d := range page.Decisions {
		switch {
		case created < 0 && d.Noun == assessment.NounGroup:
			created = i
		case mapped < 0:
			mapped = i
		case skipped < 0:
			skipped = i
		}
	}
	if created < 0 {
		t.Fatal("the demo has no group overlap to create anew")
	}
	reqs := []merge.ResolveRequest{
		{DecisionID: page.Decisions[mapped].ID, Resolution: merge.MapToExisting, TargetID: page.Decisions[mapped].Matched[0].TargetID, Note: canaryNote},
		{DecisionID: page.Decisions[created].ID, Resolution: merge.CreateNew, NewName: "Report Test Group (migrated)", Note: "kept apart on purpose"},
		{DecisionID: page.Decisions[skipped].ID, Resolution: merge.Skip},
	}
	for _, q := range reqs {
		if _, err := run.w.Merge.Resolve(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if page, err = run.w.Merge.List(ctx, merge.Filter{}); err != nil {
		t.Fatal(err)
	}
	if page.Pending == 0 || page.Resolved != 3 {
		t.Fatalf("pending %d, resolved %d", page.Pending, page.Resolved)
	}
	return page.Decisions
}

// The merge and OCM sections of an engagement report state every decision
// and every impact the engine holds, with who, when and the note, in each
// format; the JSON validates, the CSV round-trips, and no credential of
// the workspace appears anywhere.
func TestDemoReportShowsDecisionsAndAcknowledgements(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	run := demoAssessed(t)
	decisions := reportDecisions(t, ctx, run)

	l, err := run.w.OCM.List(ctx, ocm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total < 2 {
		t.Fatalf("the demo raises %d OCM impacts; the report test needs 2", l.Total)
	}
	acked := l.Groups[0].Impacts[0]
	if _, err := run.w.OCM.Acknowledge(ctx, ocm.AckRequest{ImpactID: acked.ID, Note: canaryNote}); err != nil {
		t.Fatal(err)
	}
	impacts, _, err := run.w.OCM.Current(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}

	doc, err := run.w.Report(ctx, report.KindEngagement)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]*report.Table{}
	for _, tb := range doc.Tables() {
		tables[tb.ID] = tb
	}
	dec, imp := tables["decisions"], tables["impacts"]
	if dec == nil || imp == nil || tables["decision_fields"] == nil || tables["impact_items"] == nil {
		t.Fatalf("tables %v", keys(tables))
	}
	if len(dec.Rows) != len(decisions) || len(imp.Rows) != len(impacts) {
		t.Fatalf("%d decision rows for %d decisions, %d impact rows for %d impacts", len(dec.Rows), len(decisions), len(imp.Rows), len(impacts))
	}
	// Every row is the engine's: decision, who, when, note.
	col := func(tb *report.Table, key string) int {
		for i, c := range tb.Columns {
			if c.Key == key {
				return i
			}
		}
		t.Fatalf("%s has no column %s", tb.ID, key)
		return -1
	}
	byID := map[string][]any{}
	for _, r := range dec.Rows {
		byID[r[col(dec, "decision_id")].(string)] = r
	}
	pending := 0
	for _, d := range decisions {
		r := byID[d.ID]
		if r == nil {
			t.Fatalf("decision %s is not in the report", d.ID)
		}
		want := "pending"
		if d.Status == merge.StatusResolved {
			want = string(d.Resolution)
		} else {
			pending++
		}
		if r[col(dec, "decision")] != want || str(r[col(dec, "decided_by")]) != d.ResolvedBy || str(r[col(dec, "note")]) != d.Note {
			t.Errorf("decision %s reads %v, the engine holds %s by %q note %q", d.ID, r, want, d.ResolvedBy, d.Note)
		}
		if d.Resolution == merge.MapToExisting {
			m, _ := d.Matches(d.TargetID)
			if r[col(dec, "target_id")] != m.TargetID || str(r[col(dec, "target_etag")]) != m.ETag {
				t.Errorf("mapped decision %s: target %v ETag %v, want %s %s", d.ID, r[col(dec, "target_id")], r[col(dec, "target_etag")], m.TargetID, m.ETag)
			}
		}
		if d.Resolution == merge.CreateNew && r[col(dec, "new_name")] != d.NewName {
			t.Errorf("created decision %s: new name %v, want %q", d.ID, r[col(dec, "new_name")], d.NewName)
		}
	}
	ackedRows := 0
	for _, r := range imp.Rows {
		if r[col(imp, "status")] == string(ocm.StatusAcknowledged) {
			ackedRows++
			if r[col(imp, "impact_id")] != acked.ID || r[col(imp, "note")] != canaryNote || r[col(imp, "acknowledged_by")] != run.w.OCM.Actor {
				t.Errorf("acknowledged row %v", r)
			}
		}
	}
	if ackedRows != 1 {
		t.Errorf("%d acknowledged impact rows, want 1", ackedRows)
	}
	// No column is a credential: there is none in these records.
	for _, tb := range []*report.Table{dec, imp, tables["decision_fields"], tables["impact_items"]} {
		for _, c := range tb.Columns {
			if regexp.MustCompile(`(?i)secret|token|password|credential|private|assertion`).MatchString(c.Key + " " + c.Title) {
				t.Errorf("table %s has a column %q (%s)", tb.ID, c.Key, c.Title)
			}
		}
	}

	files := reporttest.Files{}
	for _, f := range []string{"json", "pdf", "csv", "html"} {
		if err := formats.Render(doc, f, files); err != nil {
			t.Fatal(err)
		}
	}
	secrets := []string{demoOktaToken, demoEntraToken, run.estate.adminToken.Reveal()}
	for name, b := range files {
		for _, s := range secrets {
			if bytes.Contains(b.B, []byte(s)) {
				t.Errorf("%s carries a workspace credential", name)
			}
		}
	}

	// JSON: validates against the published schema.
	jsonFile := files["engagement.json"]
	if jsonFile == nil {
		t.Fatalf("files %v", fileNames(files))
	}
	validateReport(t, jsonFile.B)
	if !bytes.Contains(jsonFile.B, []byte(canaryNote)) {
		t.Error("the JSON report dropped the note")
	}
	if html := files["engagement.html"]; html == nil || !bytes.Contains(html.B, []byte("test-only-sk_live_FAKECANARY")) ||
		!bytes.Contains(html.B, []byte("Report Test Group (migrated)")) {
		t.Error("the HTML report lacks the note or the new name")
	}

	// PDF: the numbers and the people, as a reader sees them.
	text := reporttest.PDFText(t, files["engagement.pdf"].B, 0, 0)
	flat := strings.Join(strings.Fields(text), " ")
	wants := []string{
		"Merge decisions", "OCM impacts and acknowledgements", "Field-by-field comparison",
		fmt.Sprintf("Decisions %d", len(decisions)), fmt.Sprintf("Pending %d", pending),
		"Mapped to an existing object 1", "Created new 1", "Skipped 1",
		fmt.Sprintf("OCM impacts %d", len(impacts)), "Acknowledged 1", fmt.Sprintf("Pending %d", len(impacts)-1),
		"Report Test Group", "test-only-sk_live", run.w.Merge.Actor,
	}
	for _, w := range wants {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF does not show %q", w)
		}
	}
	// Ids wrap inside their column; the first 20 characters share a line.
	for _, d := range decisions {
		if !strings.Contains(flat, d.Matched[0].TargetID[:20]) {
			t.Errorf("the PDF does not name live object %s of decision %s", d.Matched[0].TargetID, d.ID)
		}
	}

	// CSV: each table round-trips with the rows the document holds.
	for _, id := range []string{"decisions", "decision_fields", "decision_counts", "impacts", "impact_items", "impact_counts"} {
		tb, f := tables[id], files[id+".csv"]
		if tb == nil || f == nil {
			t.Fatalf("no %s table or CSV file", id)
		}
		r := csv.NewReader(bytes.NewReader(f.B))
		r.FieldsPerRecord = len(tb.Columns)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", id, err)
		}
		if len(recs) != len(tb.Rows)+1 {
			t.Fatalf("%s.csv has %d records for %d rows", id, len(recs), len(tb.Rows))
		}
		for i, row := range tb.Rows {
			for j, c := range tb.Columns {
				if got, want := recs[i+1][j], c.Text(row[j]); got != want && got != "'"+want {
					t.Errorf("%s.csv row %d %s: %q, want %q", id, i+1, c.Key, got, want)
				}
			}
		}
	}
	if !bytes.Contains(files["impacts.csv"].B, []byte(canaryNote)) || !bytes.Contains(files["decisions.csv"].B, []byte(canaryNote)) {
		t.Error("a CSV dropped the note")
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func keys(m map[string]*report.Table) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func fileNames(f reporttest.Files) []string {
	var out []string
	for k := range f {
		out = append(out, k)
	}
	return out
}

func validateReport(t *testing.T, b []byte) {
	t.Helper()
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ReportV1))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schema.ReportV1ID, sch); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.ReportV1ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("the JSON report does not validate: %v", err)
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
}
