package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reporttest"
	"github.com/portal-id/migration-console/engine/report/schema"
	"github.com/portal-id/migration-console/storage/keychain"
)

// formulaGroup is an Okta group name a spreadsheet would run.
const formulaGroup = `=HYPERLINK("http://evil.example/","Payroll")`

// engagement is a demo-like workspace: merge into an existing target, an
// Okta org and an Entra tenant served by the replay servers, both
// collected with the real inventory stage.
type engagement struct {
	h          *harness
	okta       snapshotDoc
	entra      snapshotDoc
	oktaServer *oktareplay.Server
}

// newEngagement builds the workspace. secret is every credential: the
// target's token and both sources' (the replay servers accept only it).
func newEngagement(t *testing.T, secret string) *engagement {
	t.Helper()
	h := newHarness(t)
	requireKeychain(t, h)
	t.Cleanup(func() { removeMasterKey(t, h.path) })
	h.ok(secret+"\n", "workspace", "create", "--tenant", "example-corp", "--mode", "merge_into_existing",
		"--target-url", "https://portal.example.test", "--target-token-stdin")

	org := smallOrg()
	var g map[string]any
	if err := json.Unmarshal(org.Groups[0], &g); err != nil {
		t.Fatal(err)
	}
	g["profile"].(map[string]any)["name"] = formulaGroup
	org.Groups[0], _ = json.Marshal(g)
	e := &engagement{h: h, oktaServer: oktareplay.Start(t, org, oktareplay.Options{Token: secret})}
	h.addOkta("okta-prod", e.oktaServer.URL, secret)
	graphSrv := startGraph(t, graphreplay.Demo(), secret)
	h.addEntra("entra-prod", graphSrv.URL(), secret)
	var r result
	if e.okta, r = h.collect("okta-prod"); r.code != 0 {
		t.Fatalf("collect okta: %s", r.stderr)
	}
	if e.entra, r = h.collect("entra-prod"); r.code != 0 {
		t.Fatalf("collect entra: %s", r.stderr)
	}
	return e
}

// removeMasterKey deletes the workspace's master key the report commands
// created, so tests leave nothing in a developer's login keyring.
func removeMasterKey(t *testing.T, path string) {
	ctx := context.Background()
	w, err := wiring.Open(ctx, path)
	if err != nil {
		return
	}
	defer w.Close()
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return
	}
	if err := w.Keychain.Delete(ctx, ws.ID, keys.Role); err != nil && !errors.Is(err, keychain.ErrNotFound) {
		t.Errorf("clean up the master key: %v", err)
	}
}

func (e *engagement) dir() string { return filepath.Dir(e.h.path) }

// report runs migctl report --json and checks what it says it wrote.
func (e *engagement) report(t *testing.T, kind, format string) (reportResult, string) {
	t.Helper()
	out := filepath.Join(e.dir(), kind+"-report."+format)
	var res reportResult
	decodeInto(t, e.h.ok("", "report", "--kind", kind, "--format", format, "--out", out, "--json").stdout, &res)
	if res.Path != out || string(res.Kind) != kind || res.Format != format || len(res.Files) == 0 {
		t.Fatalf("report result %+v", res)
	}
	for _, f := range res.Files {
		p := out
		if format == "csv" {
			p = filepath.Join(out, f.Name)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: the result says %d bytes %s, the file is %d bytes %x", p, f.Bytes, f.SHA256, len(b), sum)
		}
	}
	return res, out
}

func validateJSON(t *testing.T, b []byte) {
	t.Helper()
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.ReportV1))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AssertContent()
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
		t.Fatalf("the JSON report does not validate against %s: %v", schema.ReportV1ID, err)
	}
}

func TestReportEveryKindAndFormat(t *testing.T) {
	e := newEngagement(t, "fake-token-for-report-tests")
	items, pages := e.okta.ItemCount+e.entra.ItemCount, e.okta.PageCount+e.entra.PageCount

	docs := map[string]*report.Document{}
	for _, kind := range []string{"assessment", "cutover", "engagement"} {
		res, path := e.report(t, kind, "json")
		b, _ := os.ReadFile(path)
		validateJSON(t, b)
		var doc report.Document
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if err := doc.Validate(); err != nil {
			t.Fatalf("the %s JSON report breaks the model's rules: %v", kind, err)
		}
		if doc.ID != res.ReportID || len(doc.Cover.SigningKey) != 64 || doc.Cover.SigningKey != res.Fingerprint {
			t.Errorf("%s: report id %s / %s, fingerprint %q / %q", kind, doc.ID, res.ReportID, doc.Cover.SigningKey, res.Fingerprint)
		}
		for _, c := range doc.Charts() {
			if len(c.PNG) < 1000 {
				t.Errorf("%s: chart %s carries no picture", kind, c.ID)
			}
		}
		docs[kind] = &doc
	}

	// The numbers are the engine's: the snapshots collect printed.
	eng := docs["engagement"]
	if len(eng.Cover.Snapshots) != 2 {
		t.Fatalf("the cover names %d snapshots", len(eng.Cover.Snapshots))
	}
	for _, sn := range []snapshotDoc{e.okta, e.entra} {
		found := false
		for _, cs := range eng.Cover.Snapshots {
			if cs.ID == sn.ID {
				found = cs.Items == sn.ItemCount && cs.Pages == sn.PageCount
			}
		}
		if !found {
			t.Errorf("the cover does not carry snapshot %s with %d items and %d pages", sn.ID, sn.ItemCount, sn.PageCount)
		}
	}
	tables := map[string]*report.Table{}
	for _, tb := range eng.Tables() {
		tables[tb.ID] = tb
	}
	if n := len(tables["evidence_pages"].Rows); n != pages {
		t.Errorf("the report lists %d evidence pages, the snapshots hold %d", n, pages)
	}
	if n := len(tables["inventory_items"].Rows); n != items {
		t.Errorf("the item register holds %d rows, the snapshots %d items", n, items)
	}

	// PDF: every section and the numbers, as a reader sees them.
	_, pdfPath := e.report(t, "engagement", "pdf")
	pdf, _ := os.ReadFile(pdfPath)
	text := reporttest.PDFText(t, pdf, 0, 0)
	for _, s := range eng.Sections {
		if !strings.Contains(text, s.Title) {
			t.Errorf("the PDF lacks the section %q", s.Title)
		}
	}
	for _, want := range []string{report.Thousands(int64(items)), report.Thousands(int64(pages)), e.okta.ID, e.entra.ID,
		"example-corp", "Contents", "Page 1 of", "No assessment has been run in this workspace"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	// A digest wraps inside its column; its first line holds 24 digits.
	for _, p := range tables["evidence_pages"].Rows {
		if !strings.Contains(text, p[11].(string)[:24]) {
			t.Errorf("the PDF lacks the digest of page %v", p[2])
		}
	}

	// HTML: parses, reaches nothing outside itself, renders.
	_, htmlPath := e.report(t, "engagement", "html")
	page, _ := os.ReadFile(htmlPath)
	refs, err := reporttest.ExternalRefs(page)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) > 0 {
		t.Errorf("the HTML report reaches outside itself: %v", refs)
	}
	if ink := reporttest.Ink(reporttest.Screenshot(t, htmlPath, 1280, 1400)); ink < 0.02 {
		t.Errorf("headless Chromium rendered the HTML report blank (%.2f%% ink)", 100*ink)
	}

	// CSV: one file per table, each round-trips, formulas neutralised.
	res, csvDir := e.report(t, "engagement", "csv")
	if len(res.Files) != len(eng.Tables()) {
		t.Errorf("%d CSV files for %d tables", len(res.Files), len(eng.Tables()))
	}
	for _, tb := range eng.Tables() {
		b, err := os.ReadFile(filepath.Join(csvDir, tb.ID+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = len(tb.Columns)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", tb.ID, err)
		}
		if len(recs) != len(tb.Rows)+1 {
			t.Errorf("%s.csv has %d records for %d rows", tb.ID, len(recs), len(tb.Rows))
		}
	}
	register, _ := os.ReadFile(filepath.Join(csvDir, "inventory_items.csv"))
	if !bytes.Contains(register, []byte(`"'=HYPERLINK(""http://evil.example/"",""Payroll"")"`)) {
		t.Error("the formula-named group is not neutralised in inventory_items.csv")
	}

	// Nothing is overwritten; bad usage is exit 2.
	before, _ := os.ReadFile(pdfPath)
	r := e.h.run("", "report", "--kind", "engagement", "--format", "pdf", "--out", pdfPath)
	after, _ := os.ReadFile(pdfPath)
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || !bytes.Equal(before, after) {
		t.Errorf("a second report to the same path: exit %d, %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"report", "--kind", "quarterly", "--out", "x.pdf"},
		{"report", "--kind", "engagement", "--format", "docx", "--out", "x.docx"},
		{"report", "--kind", "engagement"},
	} {
		if r := e.h.run("", args...); r.code != 2 {
			t.Errorf("migctl %v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	entries, _ := os.ReadDir(e.dir())
	for _, de := range entries {
		if strings.Contains(de.Name(), ".partial-") {
			t.Errorf("a temporary file was left behind: %s", de.Name())
		}
	}
}
