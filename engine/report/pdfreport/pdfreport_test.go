package pdfreport_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/pdfreport"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

func render(t *testing.T, doc *report.Document) []byte {
	t.Helper()
	files := reporttest.Files{}
	if err := formats.Render(doc, "pdf", files); err != nil {
		t.Fatal(err)
	}
	b := files[string(doc.Kind)+".pdf"].B
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatal("not a PDF")
	}
	return b
}

func engagement(t *testing.T, items int, tenant string) *report.Document {
	t.Helper()
	d := reporttest.Engagement(items)
	d.WS.Tenant = tenant
	doc, err := report.Build(context.Background(), report.KindEngagement, d, nil,
		report.Options{ConsoleVersion: "0.1.0", PreparedBy: "test-consultant", SigningKey: strings.Repeat("c0", 32)})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var tocLine = regexp.MustCompile(`(?m)^\s*(\d+)\.\s+(.+?)\s{2,}(\d+)\s*$`)

func TestContentsPageNumbersAndRepeatedHeaders(t *testing.T) {
	doc := engagement(t, 5000, "Ελληνικά-Кириллица-corp")
	pages := reporttest.PDFPages(t, render(t, doc))
	if len(pages) < 8 {
		t.Fatalf("only %d pages", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d does not say %q", i+1, want)
		}
	}
	if !strings.Contains(pages[0], "Ελληνικά-Кириллица-corp") {
		t.Error("the tenant's Greek and Cyrillic name is not on the cover as written")
	}
	if !strings.Contains(pages[0], doc.ID) || !strings.Contains(pages[0], strings.Repeat("c0", 32)) {
		t.Error("the cover lacks the report id or the signing key fingerprint")
	}

	// Contents: every section, each on the page it names.
	toc := tocLine.FindAllStringSubmatch(pages[1], -1)
	if len(toc) != len(doc.Sections) {
		t.Fatalf("contents list %d entries for %d sections:\n%s", len(toc), len(doc.Sections), pages[1])
	}
	for i, m := range toc {
		s := doc.Sections[i]
		if !strings.HasPrefix(m[2], s.Title) {
			t.Errorf("contents entry %d is %q, want %q", i+1, m[2], s.Title)
		}
		n, _ := strconv.Atoi(m[3])
		if n < 2 || n > len(pages) || !strings.Contains(pages[n-1], s.Title) {
			t.Errorf("contents put %q on page %d, which does not show it", s.Title, n)
		}
	}

	// The evidence pages table (100 rows) crosses pages: each page it
	// continues on repeats its header.
	cont := 0
	for _, p := range pages {
		if strings.Contains(p, "Evidence pages (continued)") {
			cont++
			if !strings.Contains(p, "SHA-256") || !strings.Contains(p, "Endpoint") {
				t.Errorf("a continued page of the evidence table lacks its header:\n%s", p)
			}
		}
	}
	if cont == 0 {
		t.Error("the 100-row evidence table never continued onto a second page: the header check proves nothing")
	}

	all := strings.Join(pages, "\n")
	if !strings.Contains(all, "5,000") || !strings.Contains(all, "inventory_items.csv") {
		t.Error("the 5,000-item register is neither counted nor pointed to in the CSV")
	}
	if strings.Count(all, "okta-prod application") > 0 {
		t.Error("the summarised register still printed item rows")
	}
}

func TestTableWithoutSummaryPrintsItsFirstRows(t *testing.T) {
	rows := make([][]any, pdfreport.RowLimit+250)
	for i := range rows {
		rows[i] = report.Row(i+1, fmt.Sprintf("row-%05d", i+1))
	}
	doc := &report.Document{Format: report.FormatID, ID: "RPT-20260101-000000000000", Kind: report.KindEngagement, Title: "T",
		Cover: report.Cover{Tenant: "t"}, Sections: []report.Section{{ID: "s", Title: "Long table", Status: report.Complete,
			Blocks: []report.Block{report.TableBlock(&report.Table{ID: "long", Title: "Long", Columns: []report.Column{
				{Key: "n", Title: "N", Type: report.ColInteger}, {Key: "name", Title: "Name", Type: report.ColText}}, Rows: rows})}}}}
	txt := reporttest.PDFText(t, render(t, doc), 0, 0)
	if !strings.Contains(txt, fmt.Sprintf("the first %s are printed", report.Thousands(pdfreport.RowLimit))) || !strings.Contains(txt, "long.csv") {
		t.Error("the PDF does not say it printed only the first rows")
	}
	if !strings.Contains(txt, fmt.Sprintf("row-%05d", pdfreport.RowLimit)) || strings.Contains(txt, fmt.Sprintf("row-%05d", pdfreport.RowLimit+1)) {
		t.Error("the PDF did not print exactly the first RowLimit rows")
	}
}

func TestLongCellsWrapInsideTheirColumn(t *testing.T) {
	long := strings.Repeat("averyveryverylongunbrokenidentifier", 6)
	doc := &report.Document{Format: report.FormatID, ID: "RPT-20260101-000000000000", Kind: report.KindEngagement, Title: "T",
		Cover: report.Cover{Tenant: "t"}, Sections: []report.Section{{ID: "s", Title: "Wrapping", Status: report.Complete,
			Blocks: []report.Block{report.TableBlock(&report.Table{ID: "w", Title: "W", Columns: []report.Column{
				{Key: "a", Title: "A", Type: report.ColID}}, Rows: [][]any{report.Row(long)}})}}}}
	txt := strings.Join(strings.Fields(reporttest.PDFText(t, render(t, doc), 0, 0)), "")
	if !strings.Contains(txt, long) {
		t.Errorf("the long identifier lost characters when wrapped:\n%s", txt)
	}
}
