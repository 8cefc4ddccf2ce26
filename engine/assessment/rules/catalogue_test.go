package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/assessment"
)

func TestCatalogueIsValid(t *testing.T) {
	c, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules()) != len(all)+2 {
		t.Fatalf("catalogue holds %d rules, want the %d listed plus 2 built-ins", len(c.Rules()), len(all))
	}
	t.Log(c.ClassifierVersion(), len(c.Rules()))
}

// The rules page is generated from the catalogue; a rule change without a
// regenerated page fails here.
func TestRulesPageIsCurrent(t *testing.T) {
	c, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../docs/assessment-rules.md")
	if err != nil {
		t.Fatalf("read the rules page: %v (generate it with: go generate ./engine/assessment/rules)", err)
	}
	if string(got) != assessment.Markdown(c) {
		t.Fatal("docs/assessment-rules.md is stale: regenerate it with `go generate ./engine/assessment/rules` and commit it")
	}
}

// Reports state each rule's texts in outline; none may keep template
// syntax a reader would see.
func TestEveryRuleOutlinesWithoutTemplateSyntax(t *testing.T) {
	c, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rules() {
		for _, text := range []string{r.Rationale, r.Notes, r.Blocked} {
			if got := assessment.Outline(text); strings.Contains(got, "{{") || strings.Contains(got, "}}") || (text != "" && got == "") {
				t.Errorf("%s: Outline(%q) = %q", r.ID, text, got)
			}
		}
	}
}
