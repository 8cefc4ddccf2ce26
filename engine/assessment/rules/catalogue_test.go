package rules

import "testing"

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
