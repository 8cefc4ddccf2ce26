package csvreport_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/csvreport"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1+1":                     "'+1+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tcmd":                    "'\tcmd",
		"\rcmd":                    "'\rcmd",
		"  =1+1":                   "'  =1+1",
		"Payroll":                  "Payroll",
		"a=b":                      "a=b",
		"":                         "",
		"   ":                      "   ",
	} {
		if got := csvreport.Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostile is the made-up engagement with item names that are formulas.
func hostile(t *testing.T) *report.Document {
	t.Helper()
	d := reporttest.Engagement(40)
	names := []string{"=HYPERLINK(\"http://evil.example/\",\"click\")", "+cmd|' /C calc'!A0", "-1+2", "@SUM(1,2)", "\tTabbed", "\rReturn", "Quote \"inside\", and comma", "line\nbreak"}
	for id, items := range d.ItemsOf {
		for i := range names {
			items[i].DisplayName = names[i]
		}
		d.ItemsOf[id] = items
	}
	doc, err := report.Build(context.Background(), report.KindEngagement, d, nil, report.Options{ConsoleVersion: "0.1.0", PreparedBy: "=evil()"})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestEveryTableRoundTripsAndNoCellIsAFormula(t *testing.T) {
	doc := hostile(t)
	files := reporttest.Files{}
	if err := csvreport.Render(doc, files); err != nil {
		t.Fatal(err)
	}
	tables := doc.Tables()
	if len(files) != len(tables) || len(tables) < 5 {
		t.Fatalf("%d files for %d tables", len(files), len(tables))
	}
	sawHostile := 0
	for _, tb := range tables {
		f := files[tb.ID+".csv"]
		if f == nil {
			t.Fatalf("no %s.csv", tb.ID)
		}
		if !bytes.HasSuffix(f.B, []byte("\r\n")) {
			t.Errorf("%s.csv does not end its records with CRLF", tb.ID)
		}
		r := csv.NewReader(bytes.NewReader(f.B))
		r.FieldsPerRecord = len(tb.Columns)
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv does not parse: %v", tb.ID, err)
		}
		if len(records) != len(tb.Rows)+1 {
			t.Fatalf("%s.csv has %d records for %d rows", tb.ID, len(records), len(tb.Rows))
		}
		for i, c := range tb.Columns {
			if records[0][i] != c.Key {
				t.Errorf("%s.csv header %d = %q, want the stable key %q", tb.ID, i, records[0][i], c.Key)
			}
		}
		for ri, rec := range records[1:] {
			for ci, cell := range rec {
				want := tb.Columns[ci].Text(tb.Rows[ri][ci])
				if _, isString := tb.Rows[ri][ci].(string); isString {
					want = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(want)
				}
				if _, isString := tb.Rows[ri][ci].(string); isString {
					if strings.TrimLeft(cell, " ") != "" && strings.ContainsRune("=+-@\t\r", rune(strings.TrimLeft(cell, " ")[0])) {
						t.Errorf("%s.csv row %d col %s: %q would run as a formula", tb.ID, ri+1, tb.Columns[ci].Key, cell)
					}
					if cell != want {
						if cell != "'"+want {
							t.Errorf("%s.csv row %d col %s = %q, want %q", tb.ID, ri+1, tb.Columns[ci].Key, cell, want)
						}
						sawHostile++
					}
					continue
				}
				if cell != want {
					t.Errorf("%s.csv row %d col %s = %q, want %q", tb.ID, ri+1, tb.Columns[ci].Key, cell, want)
				}
			}
		}
	}
	if sawHostile < 12 { // 6 formula names x 2 sources
		t.Errorf("only %d cells were neutralised: the hostile names did not reach the CSV", sawHostile)
	}
	if !bytes.Contains(files["inventory_items.csv"].B, []byte("\"Quote \"\"inside\"\", and comma\"")) {
		t.Error("quotes and commas are not RFC 4180-quoted")
	}
}
