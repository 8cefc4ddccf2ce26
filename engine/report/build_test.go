package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reporttest"
	"github.com/portal-id/migration-console/engine/report/schema"
	"github.com/portal-id/migration-console/engine/workspace"
)

var opts = report.Options{ConsoleVersion: "0.1.0", PreparedBy: "test-consultant",
	SigningKey: strings.Repeat("ab", 32), Now: func() time.Time { return reporttest.Epoch.Add(48 * time.Hour) }}

func build(t *testing.T, kind report.Kind, d report.Data, providers ...report.Provider) *report.Document {
	t.Helper()
	doc, err := report.Build(context.Background(), kind, d, providers, opts)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func section(t *testing.T, doc *report.Document, id string) report.Section {
	t.Helper()
	for _, s := range doc.Sections {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no section %q in %s report", id, doc.Kind)
	return report.Section{}
}

func text(s report.Section) string {
	var b strings.Builder
	for _, bl := range s.Blocks {
		switch {
		case bl.Paragraph != nil:
			b.WriteString(bl.Paragraph.Text)
		case bl.Note != nil:
			b.WriteString(bl.Note.Text)
		case bl.Facts != nil:
			for _, f := range bl.Facts.Items {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case bl.Checklist != nil:
			for _, c := range bl.Checklist.Items {
				b.WriteString(c.Label + " " + string(c.State) + " " + c.Detail + "\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestEveryKindHasItsOutline(t *testing.T) {
	d := reporttest.Engagement(40)
	want := map[report.Kind][]string{
		report.KindAssessment: {"summary", "inventory", "assessment", "ocm", "audit", "rules"},
		report.KindCutover:    {"summary", "merge", "cutover", "rollback", "completion", "handoff", "probes", "audit"},
		report.KindEngagement: {"summary", "inventory", "assessment", "ocm", "merge", "cutover", "rollback", "completion", "handoff", "probes", "audit", "rules"},
	}
	for _, k := range report.Kinds() {
		doc := build(t, k, d)
		var got []string
		for _, s := range doc.Sections {
			got = append(got, s.ID)
			if s.Title == "" || len(s.Blocks) == 0 {
				t.Errorf("%s report: section %s has no title or no content", k, s.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(want[k], ",") {
			t.Errorf("%s report sections = %v, want %v", k, got, want[k])
		}
		if doc.Format != report.FormatID || doc.Kind != k || !strings.HasPrefix(doc.ID, "RPT-20260304-") {
			t.Errorf("%s report: format %q kind %q id %q", k, doc.Format, doc.Kind, doc.ID)
		}
	}
}

func TestStagesThatHaveNotRunSaySo(t *testing.T) {
	doc := build(t, report.KindEngagement, reporttest.Engagement(40))
	for id, want := range map[string]string{
		"assessment": "No assessment has been run in this workspace",
		"ocm":        "none has been run in this workspace",
		"merge":      "No merge decisions have been recorded",
		"cutover":    "No cutover plan has been created",
		"handoff":    "not met",
		"rules":      "no rule of the catalogue has been applied",
	} {
		s := section(t, doc, id)
		if s.Status != report.NotRun {
			t.Errorf("section %s status %s, want not_run", id, s.Status)
		}
		if !strings.Contains(text(s), want) {
			t.Errorf("section %s says %q, want it to say %q", id, text(s), want)
		}
		for _, b := range s.Blocks {
			if b.Table != nil {
				t.Errorf("section %s of a stage that never ran shows a table", id)
			}
		}
	}
	// First-run adoption has nothing to merge with: not applicable, not "not recorded".
	d := reporttest.Engagement(10)
	d.WS.Mode = workspace.ModeFirstRunAdoption
	if txt := text(section(t, build(t, report.KindCutover, d), "merge")); !strings.Contains(txt, "Not applicable") {
		t.Errorf("merge section in first-run adoption says %q", txt)
	}
}

func TestInventoryNumbersAreTheStoredOnes(t *testing.T) {
	d := reporttest.Engagement(301)
	doc := build(t, report.KindEngagement, d)
	inv := section(t, doc, "inventory")
	tables := map[string]*report.Table{}
	for _, b := range inv.Blocks {
		if b.Table != nil {
			tables[b.Table.ID] = b.Table
		}
	}
	pages, items := 0, 0
	for _, sn := range d.Snaps {
		pages += len(d.PagesOf[sn.ID])
		items += len(d.ItemsOf[sn.ID])
	}
	if n := len(tables["evidence_pages"].Rows); n != pages {
		t.Errorf("evidence pages table has %d rows, the workspace %d pages", n, pages)
	}
	if n := len(tables["inventory_items"].Rows); n != items || items != 301 {
		t.Errorf("item register has %d rows, the workspace %d items", n, items)
	}
	// Every page row carries the page's recorded digest.
	byID := map[string]string{}
	for _, sn := range d.Snaps {
		for _, p := range d.PagesOf[sn.ID] {
			byID[sn.ID+"/"+p.SHA256] = p.SHA256
		}
	}
	for _, r := range tables["evidence_pages"].Rows {
		if byID[r[1].(string)+"/"+r[11].(string)] == "" {
			t.Errorf("page row %v carries a digest the workspace does not hold", r)
		}
	}
	sum := 0
	for _, r := range tables["inventory_counts"].Rows {
		sum += int(r[3].(int64))
	}
	if sum != items {
		t.Errorf("counts table sums to %d, want %d", sum, items)
	}
	if !strings.Contains(text(section(t, doc, "summary")), "Items collected: 301") {
		t.Errorf("summary does not state 301 items:\n%s", text(section(t, doc, "summary")))
	}
	if tables["inventory_items"].Summary != nil {
		t.Error("a 301-item register was summarised")
	}
}

func TestLargeRegisterCarriesASummary(t *testing.T) {
	n := report.ItemRegisterSummaryAbove + 1
	doc := build(t, report.KindEngagement, reporttest.Engagement(n))
	for _, tb := range doc.Tables() {
		if tb.ID != "inventory_items" {
			continue
		}
		if tb.Summary == nil || len(tb.Rows) != n {
			t.Fatalf("register of %d rows: %d rows, summary %v", n, len(tb.Rows), tb.Summary != nil)
		}
		total := 0
		for _, r := range tb.Summary.Rows {
			total += int(r[3].(int64))
		}
		if total != n {
			t.Errorf("the summary counts %d items, the register holds %d", total, n)
		}
		return
	}
	t.Fatal("no item register")
}

func TestAuditSectionStatesHeadAndVerdict(t *testing.T) {
	d := reporttest.Engagement(10)
	doc := build(t, report.KindEngagement, d)
	txt := text(section(t, doc, "audit"))
	if !strings.Contains(txt, d.Trail.Head.Hash) || !strings.Contains(txt, "Intact") {
		t.Errorf("audit section does not state the head %s and its verdict:\n%s", d.Trail.Head.Hash, txt)
	}
	// A broken trail is reported as broken, in the audit section and the summary.
	d.Trail.Entries[1].Actor = "someone-else"
	d.Trail.Break = audit.Verify(d.Trail.Entries, d.Trail.Head)
	doc = build(t, report.KindEngagement, d)
	if s := section(t, doc, "audit"); s.Status != report.Partial || !strings.Contains(text(s), "Broken at audit entry 2") {
		t.Errorf("broken trail: status %s, text:\n%s", s.Status, text(s))
	}
	if !strings.Contains(text(section(t, doc, "summary")), "does NOT verify") {
		t.Error("the summary does not warn of the broken trail")
	}
}

// fakeProvider stands in for a stage's provider.
type fakeProvider struct {
	slot report.Slot
	c    report.Contribution
	err  error
}

func (f fakeProvider) Slot() report.Slot { return f.slot }
func (f fakeProvider) Contribute(context.Context, report.Input) (report.Contribution, error) {
	return f.c, f.err
}

func TestProvidersFillTheirSlot(t *testing.T) {
	p := fakeProvider{slot: report.SlotAssessment, c: report.Contribution{
		Cover:   []report.Fact{{Label: "Assessment", Value: "asm-1"}},
		Summary: []report.Block{report.ParagraphBlock("12 items blocked.")},
		Sections: []report.Section{{ID: "assessment", Title: "Assessment by item", Status: report.Complete,
			Blocks: []report.Block{report.ParagraphBlock("every item")}}},
	}}
	for _, k := range []report.Kind{report.KindAssessment, report.KindEngagement} {
		doc := build(t, k, reporttest.Engagement(10), p)
		if s := section(t, doc, "assessment"); s.Status != report.Complete || text(s) != "every item\n" {
			t.Errorf("%s: the provider's section was not used: %+v", k, s)
		}
		if !strings.Contains(text(section(t, doc, "summary")), "12 items blocked.") {
			t.Errorf("%s: the provider's summary block is missing", k)
		}
		if doc.Cover.Facts[0].Value != "asm-1" {
			t.Errorf("%s: cover facts %v", k, doc.Cover.Facts)
		}
	}
	// The cutover report has no assessment slot: the provider is not asked.
	doc := build(t, report.KindCutover, reporttest.Engagement(10), fakeProvider{slot: report.SlotAssessment, err: errors.New("must not be called")})
	if len(doc.Cover.Facts) != 0 {
		t.Error("cutover report took assessment cover facts")
	}

	ctx := context.Background()
	if _, err := report.Build(ctx, report.KindEngagement, reporttest.Engagement(1), []report.Provider{p, p}, opts); err == nil {
		t.Error("two providers for one slot were accepted")
	}
	if _, err := report.Build(ctx, report.KindEngagement, reporttest.Engagement(1), []report.Provider{fakeProvider{slot: report.SlotAudit}}, opts); err == nil {
		t.Error("a provider for the built-in audit slot was accepted")
	}
	failing := fakeProvider{slot: report.SlotOCM, err: errors.New("ocm store unreadable")}
	if _, err := report.Build(ctx, report.KindEngagement, reporttest.Engagement(1), []report.Provider{failing}, opts); err == nil || !strings.Contains(err.Error(), "ocm store unreadable") {
		t.Errorf("a failing provider's error was lost: %v", err)
	}
	bad := fakeProvider{slot: report.SlotOCM, c: report.Contribution{Sections: []report.Section{{ID: "audit", Title: "x", Blocks: []report.Block{}}}}}
	if _, err := report.Build(ctx, report.KindEngagement, reporttest.Engagement(1), []report.Provider{bad}, opts); !errors.Is(err, report.ErrInvalid) {
		t.Errorf("a provider section reusing a built-in id: %v", err)
	}
}

func TestUnknownKind(t *testing.T) {
	if _, err := report.Build(context.Background(), "quarterly", reporttest.Engagement(1), nil, opts); !errors.Is(err, report.ErrUnknownKind) {
		t.Errorf("err = %v", err)
	}
}

func TestEmptyWorkspace(t *testing.T) {
	d := reporttest.Engagement(0)
	d.Snaps, d.PagesOf, d.ItemsOf = nil, nil, nil
	doc := build(t, report.KindEngagement, d)
	if s := section(t, doc, "inventory"); s.Status != report.NotRun || !strings.Contains(text(s), "No inventory has been collected") {
		t.Errorf("inventory of a workspace without snapshots: %s %q", s.Status, text(s))
	}
	validate(t, doc)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ReportV1))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AssertContent()
	if err := c.AddResource(schema.ReportV1ID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.ReportV1ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, doc *report.Document) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(v); err != nil {
		t.Fatalf("%s report does not validate against the schema: %v", doc.Kind, err)
	}
}

func TestBuiltDocumentsValidateAgainstTheSchema(t *testing.T) {
	for _, k := range report.Kinds() {
		validate(t, build(t, k, reporttest.Engagement(report.ItemRegisterSummaryAbove+5)))
	}
}

func TestSchemaRejectsWhatTheModelForbids(t *testing.T) {
	s := compileSchema(t)
	doc := build(t, report.KindEngagement, reporttest.Engagement(5))
	b, _ := json.Marshal(doc)
	for name, mutate := range map[string]func(m map[string]any){
		"unknown kind":   func(m map[string]any) { m["kind"] = "quarterly" },
		"extra property": func(m map[string]any) { m["secret"] = "x" },
		"bad block": func(m map[string]any) {
			m["sections"].([]any)[0].(map[string]any)["blocks"] = []any{map[string]any{"type": "note"}}
		},
		"object cell": func(m map[string]any) {
			for _, sec := range m["sections"].([]any) {
				for _, bl := range sec.(map[string]any)["blocks"].([]any) {
					if tb, ok := bl.(map[string]any)["table"].(map[string]any); ok && len(tb["rows"].([]any)) > 0 {
						tb["rows"].([]any)[0].([]any)[0] = map[string]any{"x": 1}
						return
					}
				}
			}
		},
	} {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		raw, _ := json.Marshal(m)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

func TestValidateCatchesWhatTheSchemaCannot(t *testing.T) {
	doc := build(t, report.KindEngagement, reporttest.Engagement(5))
	var tb *report.Table
	for _, x := range doc.Tables() {
		if x.ID == "snapshots" {
			tb = x
		}
	}
	tb.Rows[0] = tb.Rows[0][:3]
	if err := doc.Validate(); !errors.Is(err, report.ErrInvalid) || !strings.Contains(err.Error(), "snapshots") {
		t.Errorf("short row: %v", err)
	}
	doc = build(t, report.KindEngagement, reporttest.Engagement(5))
	doc.Sections[0].Blocks = append(doc.Sections[0].Blocks, report.TableBlock(&report.Table{ID: "audit", Columns: []report.Column{{Key: "a", Type: report.ColText}}}))
	if err := doc.Validate(); !errors.Is(err, report.ErrInvalid) {
		t.Errorf("duplicate table id: %v", err)
	}
	doc = build(t, report.KindEngagement, reporttest.Engagement(5))
	doc.Sections[0].Blocks = append(doc.Sections[0].Blocks, report.TableBlock(&report.Table{ID: "n", Columns: []report.Column{{Key: "a", Type: report.ColInteger}}, Rows: [][]any{{"twelve"}}}))
	if err := doc.Validate(); !errors.Is(err, report.ErrInvalid) {
		t.Errorf("text in an integer column: %v", err)
	}
}

func TestCellFormatting(t *testing.T) {
	row := report.Row(1234567, "", nil, reporttest.Epoch, true, 2.5)
	cols := []report.Column{{Type: report.ColInteger}, {Type: report.ColText}, {Type: report.ColText}, {Type: report.ColTime}, {Type: report.ColBool}, {Type: report.ColNumber}}
	wantText := []string{"1234567", "", "", "2026-03-02T09:00:00Z", "true", "2.5"}
	wantShow := []string{"1,234,567", "", "", "2026-03-02 09:00 UTC", "yes", "2.5"}
	for i, c := range cols {
		if got := c.Text(row[i]); got != wantText[i] {
			t.Errorf("Text col %d = %q, want %q", i, got, wantText[i])
		}
		if got := c.Display(row[i]); got != wantShow[i] {
			t.Errorf("Display col %d = %q, want %q", i, got, wantShow[i])
		}
	}
}
