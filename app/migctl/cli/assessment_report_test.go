package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

// reportFacts collects the facts of a document's section.
func reportFacts(doc *report.Document, section string) map[string]string {
	out := map[string]string{}
	for _, s := range doc.Sections {
		if s.ID != section {
			continue
		}
		for _, b := range s.Blocks {
			if b.Facts != nil {
				for _, f := range b.Facts.Items {
					out[f.Label] = f.Value
				}
			}
		}
	}
	return out
}

// cell reads a row's cell by column key.
func cell(t *testing.T, tb *report.Table, row []any, key string) string {
	t.Helper()
	for i, c := range tb.Columns {
		if c.Key == key {
			switch v := row[i].(type) {
			case string:
				return v
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
				return ""
			default:
				b, _ := json.Marshal(v)
				return string(b)
			}
		}
	}
	t.Fatalf("table %s has no column %s", tb.ID, key)
	return ""
}

// checkAssessmentReport builds the assessment report of the workspace in
// JSON and PDF and checks that it carries, for each run, the per-class
// counts, every unavoidable change with the rules that make it and their
// rationale, every item's deciding rule, and the rule catalogue (version,
// digest, each rule's id, class and rationale).
func checkAssessmentReport(t *testing.T, h *harness, runs map[string]runDoc, byClass map[string]map[string][]resultDoc) {
	t.Helper()
	var cat catalogueDoc
	decodeInto(t, h.ok("", "assessment", "rules", "--json").stdout, &cat)

	dir := filepath.Dir(h.path)
	h.ok("", "report", "--kind", "assessment", "--format", "json", "--out", filepath.Join(dir, "assessment.json"))
	t.Cleanup(func() { removeMasterKey(t, h.path) })
	h.ok("", "report", "--kind", "assessment", "--format", "pdf", "--out", filepath.Join(dir, "assessment.pdf"))
	b, err := os.ReadFile(filepath.Join(dir, "assessment.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Sections {
		if (s.ID == "assessment" || s.ID == "rules") && s.Status != report.Complete {
			t.Errorf("report section %s is %s", s.ID, s.Status)
		}
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "assessment.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	// pdftotext lays table cells out in columns and wraps long ones, so
	// the PDF is checked on whitespace-collapsed text for phrases that fit
	// one line, and on whole words for ids.
	text := strings.Join(strings.Fields(reporttest.PDFText(t, pdf, 0, 0)), " ")
	inPDF := func(what, s string) {
		t.Helper()
		if !strings.Contains(text, s) {
			t.Errorf("the PDF does not show %s (%q)", what, s)
		}
	}

	tables := map[string]*report.Table{}
	for _, tb := range doc.Tables() {
		tables[tb.ID] = tb
	}
	// The provider numbers sources in the report's order; find each run's
	// number from its classes table title.
	for source, run := range runs {
		n := ""
		for id, tb := range tables {
			if strings.HasPrefix(id, "assessment_classes_") && tb.Title == "Items of "+source+" by class" {
				n = strings.TrimPrefix(id, "assessment_classes_")
			}
		}
		if n == "" {
			t.Fatalf("the report has no class table of %s", source)
		}
		// Per-class counts.
		classes := tables["assessment_classes_"+n]
		if len(classes.Rows) != len(classNamesInOrder) {
			t.Errorf("%s: %d class rows", source, len(classes.Rows))
		}
		for _, row := range classes.Rows {
			c := cell(t, classes, row, "class")
			if got := cell(t, classes, row, "items"); got != itoa(run.Counts[c]) {
				t.Errorf("%s: the report counts %s %s items, the run %d", source, got, c, run.Counts[c])
			}
			// The printed row: the class, what it means, its count.
			if !regexp.MustCompile(`(^| )` + c + ` [A-Z][^0-9]*? ` + itoa(run.Counts[c]) + `( |$)`).MatchString(text) {
				t.Errorf("the PDF does not show %s's %d %s items", source, run.Counts[c], c)
			}
		}

		// Every item with its deciding rule.
		items := tables["assessment_items_"+n]
		decided := map[string]string{}
		for _, row := range items.Rows {
			decided[cell(t, items, row, "source_id")] = cell(t, items, row, "rule")
		}
		for _, rs := range byClass[source] {
			for _, r := range rs {
				if decided[r.SourceID] != r.RuleID {
					t.Errorf("%s: the report says %s decided %s %q, the run says %s", source, decided[r.SourceID], r.Kind, r.DisplayName, r.RuleID)
				}
			}
		}
		if len(decided) != run.ItemCount {
			t.Errorf("%s: the report lists %d items, the run %d", source, len(decided), run.ItemCount)
		}
		// Blocked items are named in the PDF with their deciding rule.
		for _, r := range byClass[source]["blocked"] {
			inPDF("a blocked item's deciding rule", r.RuleID)
		}

		// Every unavoidable change, with the rules that make it and why.
		changes := tables["assessment_changes_"+n]
		if changes == nil || len(changes.Rows) != run.Unavoidable || run.Unavoidable == 0 {
			t.Fatalf("%s: the run has %d unavoidable changes, the report's table %v", source, run.Unavoidable, changes)
		}
		for _, row := range changes.Rows {
			rules, why := cell(t, changes, row, "rules"), cell(t, changes, row, "rationale")
			if rules == "" || why == "" || cell(t, changes, row, "user_impact") == "none" {
				t.Errorf("%s: an unavoidable change without its rule or rationale: %v", source, row)
			}
		}
		inPDF("the unavoidable changes", "end users notice ("+itoa(run.Unavoidable)+" of "+itoa(run.ItemCount)+" items)")
	}

	// The catalogue: version, digest, every rule with its class and
	// rationale (in outline, no template syntax).
	facts := reportFacts(&doc, "rules")
	if facts["Catalogue version"] != cat.CatalogueVersion || facts["Catalogue digest (SHA-256 of every rule)"] != cat.Digest ||
		facts["Classifier version"] != cat.ClassifierVersion {
		t.Errorf("the report's catalogue facts %v, the catalogue %s %s", facts, cat.ClassifierVersion, cat.Digest)
	}
	inPDF("the classifier version", cat.ClassifierVersion)
	rulesTable := tables["assessment_rules"]
	if rulesTable == nil || len(rulesTable.Rows) != len(cat.Rules) {
		t.Fatalf("the report's catalogue lists %v rules, the catalogue holds %d", rulesTable, len(cat.Rules))
	}
	words := map[string]bool{}
	for _, w := range regexp.MustCompile(`[A-Z]+(?:-[A-Z0-9]+)+-\d{3}`).FindAllString(text, -1) {
		words[w] = true
	}
	for i, rule := range cat.Rules {
		row := rulesTable.Rows[i]
		if cell(t, rulesTable, row, "rule") != rule.ID || cell(t, rulesTable, row, "class") != string(rule.Class) {
			t.Errorf("catalogue row %d: %v, want %s %s", i, row, rule.ID, rule.Class)
		}
		if why := cell(t, rulesTable, row, "rationale"); why == "" || strings.Contains(why, "{{") {
			t.Errorf("%s: rationale %q", rule.ID, why)
		}
		if !words[rule.ID] {
			t.Errorf("the PDF's catalogue does not show rule %s", rule.ID)
		}
	}
}
