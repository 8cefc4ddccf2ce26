package htmlreport_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/htmlreport"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

const evil = `<img src="http://evil.example/x.png" onerror="alert(1)"><script src="https://evil.example/x.js"></script>`

func render(t *testing.T, items int) ([]byte, *report.Document) {
	t.Helper()
	d := reporttest.Engagement(items)
	for id := range d.ItemsOf {
		d.ItemsOf[id][0].DisplayName = evil
		d.ItemsOf[id][1].SourceID = `"><link rel=stylesheet href=//evil.example/s.css>`
	}
	doc, err := report.Build(context.Background(), report.KindEngagement, d, nil, report.Options{ConsoleVersion: "0.1.0", PreparedBy: evil})
	if err != nil {
		t.Fatal(err)
	}
	if err := formats.DrawCharts(doc); err != nil {
		t.Fatal(err)
	}
	files := reporttest.Files{}
	if err := htmlreport.Render(doc, files); err != nil {
		t.Fatal(err)
	}
	return files["engagement.html"].B, doc
}

func external(t *testing.T, page []byte) []string {
	t.Helper()
	refs, err := reporttest.ExternalRefs(page)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

func TestSelfContainedAndEscaped(t *testing.T) {
	page, doc := render(t, 60)
	if refs := external(t, page); len(refs) > 0 {
		t.Errorf("the page reaches outside itself:\n%s", strings.Join(refs, "\n"))
	}
	if !bytes.Contains(page, []byte(`Content-Security-Policy" content="default-src 'none'; img-src data:;`)) {
		t.Error("the page does not forbid the network in its CSP")
	}
	if !bytes.Contains(page, []byte("&lt;img src=&#34;http://evil.example/x.png&#34;")) {
		t.Error("the hostile item name is not shown escaped")
	}
	for _, c := range doc.Charts() {
		if !bytes.Contains(page, []byte(`alt="`+c.AltText)) {
			t.Errorf("chart %s is missing or has no alt text", c.ID)
		}
	}
	for _, s := range doc.Sections {
		if !bytes.Contains(page, []byte(`id="`+s.ID+`"`)) || !bytes.Contains(page, []byte(`href="#`+s.ID+`"`)) {
			t.Errorf("section %s is missing from the page or its contents", s.ID)
		}
	}
}

func TestLargeTableShowsItsSummary(t *testing.T) {
	n := htmlreport.RowLimit + 3
	page, _ := render(t, n)
	if !bytes.Contains(page, []byte("Every row is in the CSV export, inventory_items.csv")) {
		t.Error("the page does not say the full register is in the CSV")
	}
	if bytes.Count(page, []byte("<tr>")) > 2000 {
		t.Errorf("the page holds %d rows: the %d-item register was not summarised", bytes.Count(page, []byte("<tr>")), n)
	}
}

func TestRendersInHeadlessChromium(t *testing.T) {
	page, doc := render(t, 300)
	path := filepath.Join(t.TempDir(), "engagement.html")
	if err := os.WriteFile(path, page, 0o600); err != nil {
		t.Fatal(err)
	}
	img := reporttest.Screenshot(t, path, 1280, 1600)
	if ink := reporttest.Ink(img); ink < 0.02 {
		t.Errorf("the rendered page is %.2f%% ink: blank", 100*ink)
	}
	// The inline script ran despite the strict CSP: it filled in the row
	// counts of the interactive tables.
	dom := string(reporttest.Chromium(t, path, "--dump-dom"))
	var register *report.Table
	for _, tb := range doc.Tables() {
		if tb.ID == "inventory_items" {
			register = tb
		}
	}
	if want := report.Thousands(int64(len(register.Rows))) + " rows"; !strings.Contains(dom, `<span class="count">`+strings.ReplaceAll(want, ",", "")) {
		t.Errorf("the table script did not run: no %q in the rendered DOM", want)
	}
	if strings.Contains(dom, "evil.example/x.js") && strings.Contains(dom, `<script src="https://evil.example`) {
		t.Error("the hostile script tag became an element")
	}
}
