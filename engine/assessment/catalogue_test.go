package assessment

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
)

func always() func(*Subject) (Vars, bool) {
	return func(*Subject) (Vars, bool) { return nil, true }
}

// testRules are a minimal valid catalogue: a fallback per kind.
func testRules() []Rule {
	var out []Rule
	for _, k := range inventory.Kinds {
		id := "ANY-" + strings.ToUpper(strings.ReplaceAll(string(k), "_", "")) + "-FALLBACK-001"
		out = append(out, Rule{ID: id, Version: 1, Vendor: VendorAny, Kind: k, Title: "fallback", Condition: "nothing else",
			Class: ManualRebuildRequired, Fallback: true, Rationale: "No rule proves {{.Name}}.", OperatorImpact: LevelLow,
			UserImpact: LevelNone, Match: always()})
	}
	return out
}

func groupSubject(name string) *Subject {
	g := &inventory.GroupView{Type: inventory.GroupTenant, Name: name}
	it := inventory.NewItem("00g1", name, inventory.View{Group: g}, nil)
	return &Subject{SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName, View: it.View, Vendor: VendorOkta}
}

func TestNewCatalogueRefusesBadRules(t *testing.T) {
	good := Rule{ID: "ANY-GROUP-X-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
		Class: NativeImport, Proves: true, Target: Target{Noun: NounGroup}, Rationale: "r", OperatorImpact: LevelNone, UserImpact: LevelNone,
		Match: always()}
	for name, mutate := range map[string]func(r *Rule){
		"bad id":                     func(r *Rule) { r.ID = "group-x" },
		"vendor not in id":           func(r *Rule) { r.Vendor = VendorOkta },
		"blocked without a reason":   func(r *Rule) { r.Class, r.Proves = Blocked, false },
		"proves but not native":      func(r *Rule) { r.Class = ImportWithApproximation },
		"proves without a noun":      func(r *Rule) { r.Target = Target{} },
		"native fallback":            func(r *Rule) { r.Fallback = true },
		"template that cannot parse": func(r *Rule) { r.Rationale = "{{.Name" },
		"unknown audience":           func(r *Rule) { r.Impacts = []ImpactSpec{{Audience: "everyone", Severity: SeverityLow, Summary: "s"}} },
		"no match":                   func(r *Rule) { r.Match = nil },
	} {
		r := good
		mutate(&r)
		if _, err := NewCatalogue("1.0.0", append(testRules(), r)...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewCatalogue("1.0.0", append(testRules(), good, good)...); err == nil {
		t.Error("a duplicate id was accepted")
	}
	if _, err := NewCatalogue("1.0.0", testRules()[1:]...); err == nil {
		t.Error("a kind without a fallback was accepted")
	}
	if _, err := NewCatalogue("v1", testRules()...); err == nil {
		t.Error("a version that is not semantic was accepted")
	}
}

func TestClassifyOrderAndRuleFailures(t *testing.T) {
	rules := append(testRules(),
		Rule{ID: "ANY-GROUP-PROVE-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
			Class: NativeImport, Proves: true, Target: Target{Noun: NounGroup, Shape: "group {{.Name}}"}, Rationale: "fits",
			OperatorImpact: LevelNone, UserImpact: LevelNone, Match: always()},
		Rule{ID: "ANY-GROUP-ANNOTATE-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
			Class: NativeImport, Rationale: "note", OperatorImpact: LevelNone, UserImpact: LevelLow,
			Impacts: []ImpactSpec{{Audience: AudienceAdministrators, Severity: SeverityLow, Summary: "tell them"}},
			Match:   func(s *Subject) (Vars, bool) { return nil, s.DisplayName == "annotated" }},
		Rule{ID: "ANY-GROUP-BBB-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
			Class: Blocked, Rationale: "b", Blocked: "fix b", OperatorImpact: LevelHigh, UserImpact: LevelNone,
			Match: func(s *Subject) (Vars, bool) { return nil, s.DisplayName == "two blocks" }},
		Rule{ID: "ANY-GROUP-AAA-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
			Class: Blocked, Rationale: "a", Blocked: "fix a", OperatorImpact: LevelLow, UserImpact: LevelNone,
			Match: func(s *Subject) (Vars, bool) { return nil, s.DisplayName == "two blocks" }},
		Rule{ID: "ANY-GROUP-PANIC-001", Version: 1, Vendor: VendorAny, Kind: inventory.KindGroup, Title: "t", Condition: "c",
			Class: VisibilityOnly, Rationale: "p", OperatorImpact: LevelNone, UserImpact: LevelNone,
			Match: func(s *Subject) (Vars, bool) {
				if s.DisplayName == "boom" {
					var m map[string]int
					m["x"] = 1 // a rule bug: writing to a nil map panics
				}
				return nil, false
			}},
	)
	c, err := NewCatalogue("1.2.3", rules...)
	if err != nil {
		t.Fatal(err)
	}
	// A proving rule decides over an annotation of the same class; the
	// annotation's impact is still raised.
	d := c.Classify(groupSubject("annotated"))
	if d.RuleID != "ANY-GROUP-PROVE-001" || d.Class != NativeImport || len(d.Findings) != 2 || len(d.Impacts) != 1 ||
		d.Target.Shape != "group annotated" || d.UserImpact != LevelLow {
		t.Fatalf("decision %+v", d)
	}
	// Two blocking rules: the lower id decides, both reasons are kept.
	d = c.Classify(groupSubject("two blocks"))
	if d.RuleID != "ANY-GROUP-AAA-001" || d.BlockedReason != "fix a\nfix b" || d.OperatorImpact != LevelHigh || d.Target.Noun != NounGroup {
		t.Fatalf("decision %+v", d)
	}
	// A rule that panics blocks the item, naming itself; it never crashes
	// the run nor lets the item through.
	d = c.Classify(groupSubject("boom"))
	if d.Class != Blocked || d.RuleID != RuleErrorID || !strings.Contains(d.Rationale, "ANY-GROUP-PANIC-001") {
		t.Fatalf("decision %+v", d)
	}
	// Rebuilding a stored result gives the classifier's fields back.
	d = c.Classify(groupSubject("two blocks"))
	b, _ := json.Marshal(d.Findings)
	var stored Result
	if err := json.Unmarshal(b, &stored.Findings); err != nil {
		t.Fatal(err)
	}
	r := Rebuild(stored)
	if r.Class != d.Class || r.RuleID != d.RuleID || r.BlockedReason != d.BlockedReason || r.Target != d.Target || r.Rationale != d.Rationale {
		t.Fatalf("rebuilt %+v from %+v", r, d)
	}
	// No view: the built-in rule blocks, saying why.
	d = c.Classify(&Subject{SourceID: "x", Kind: inventory.KindGroup, View: inventory.View{Unbuilt: "bad payload"}})
	if d.RuleID != NoViewID || !strings.Contains(d.Rationale, "bad payload") {
		t.Fatalf("decision %+v", d)
	}
}

func TestDigestFollowsEveryRuleChange(t *testing.T) {
	base, err := NewCatalogue("1.0.0", testRules()...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base.ClassifierVersion(), "1.0.0+") || len(base.ClassifierVersion()) != len("1.0.0+")+12 {
		t.Fatalf("classifier version %q", base.ClassifierVersion())
	}
	for name, mutate := range map[string]func(r *Rule){
		"rationale": func(r *Rule) { r.Rationale += "!" },
		"condition": func(r *Rule) { r.Condition += "!" },
		"class":     func(r *Rule) { r.Class = Blocked; r.Blocked = "x" },
		"version":   func(r *Rule) { r.Version++ },
		"impact": func(r *Rule) {
			r.Impacts = []ImpactSpec{{Audience: AudienceHelpDesk, Severity: SeverityLow, Summary: "s"}}
		},
	} {
		rs := testRules()
		mutate(&rs[0])
		c, err := NewCatalogue("1.0.0", rs...)
		if err != nil {
			t.Fatal(err)
		}
		if c.Digest() == base.Digest() {
			t.Errorf("changing a rule's %s left the digest unchanged", name)
		}
	}
}

func TestFoldName(t *testing.T) {
	for _, pair := range [][2]string{
		{"Everyone", "EVERYONE"},
		{"  Admin Center Administrators ", "admin center administrators"},
		{"Caf\u00e9", "CAFE\u0301"}, // composed and decomposed é
		{"Stra\u00dfe", "STRASSE"},  // full case folding
	} {
		if FoldName(pair[0]) != FoldName(pair[1]) {
			t.Errorf("%q and %q fold differently: %q %q", pair[0], pair[1], FoldName(pair[0]), FoldName(pair[1]))
		}
	}
	if FoldName("Everyone") == FoldName("Every one") {
		t.Error("different names fold alike")
	}
}
