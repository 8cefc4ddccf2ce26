package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Vendor-written payloads, as the collectors' tests use them.
const (
	oktaVendor  = "../../okta/testdata/vendor"
	entraVendor = "../../entra/testdata/vendor"
)

// collected is when the test snapshots were taken: inside the validity of
// the vendor examples' certificates.
var collected = time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)

// vendorRaw reads the n-th element of a vendor payload file: an array's
// element, a {"value": [...]} or {"domains": [...]} list's element, or the
// object itself for n == 0.
func vendorRaw(t *testing.T, dir, path string, n int) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	var arr []json.RawMessage
	if json.Unmarshal(b, &arr) == nil {
		return arr[n]
	}
	var wrap struct {
		Value   []json.RawMessage `json:"value"`
		Domains []json.RawMessage `json:"domains"`
	}
	if json.Unmarshal(b, &wrap) == nil {
		if wrap.Value != nil {
			return wrap.Value[n]
		}
		if wrap.Domains != nil {
			return wrap.Domains[n]
		}
	}
	return b
}

// patched returns raw with fn applied to it as a JSON object: a vendor
// payload changed to show a case the vendor's examples do not (each case
// says why).
func patched(t *testing.T, raw json.RawMessage, fn func(m map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// obj walks nested objects, creating them as needed.
func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	return m
}

// snap is a test snapshot context: outcomes, pairs, names and routes set
// by hand.
type snap struct {
	outcomes map[string]a.Outcome
	carriers map[string]string
	regs     map[string]string
	names    map[string]int
	routes   map[string][]string
}

func newSnap() *snap {
	return &snap{outcomes: map[string]a.Outcome{}, carriers: map[string]string{}, regs: map[string]string{},
		names: map[string]int{}, routes: map[string][]string{}}
}

func (s *snap) set(kind inventory.Kind, id string, class a.Class, rule string) *snap {
	s.outcomes[string(kind)+"/"+id] = a.Outcome{Exists: true, Assessed: true, Class: class, RuleID: rule}
	return s
}

func (s *snap) Outcome(kind inventory.Kind, id string) a.Outcome {
	return s.outcomes[string(kind)+"/"+id]
}

func (s *snap) AppRegistration(clientID string) (string, a.Outcome) {
	id, ok := s.regs[clientID]
	if !ok {
		return "", a.Outcome{}
	}
	return id, s.Outcome(inventory.KindApplication, id)
}

func (s *snap) Carrier(id string) (string, a.Outcome) {
	if reg, ok := s.carriers[id]; ok {
		return reg, s.Outcome(inventory.KindApplication, reg)
	}
	return id, s.Outcome(inventory.KindApplication, id)
}

func (s *snap) NameCount(kind inventory.Kind, name string) int {
	if n, ok := s.names[string(kind)+"/"+a.FoldName(name)]; ok {
		return n
	}
	return 1
}

func (s *snap) Routes(domain string) []string { return s.routes[domain] }

// subject makes a classifier subject of a normalized item; the item's view
// must pass inventory.CheckView.
func subject(t *testing.T, it inventory.Item, err error, vendor a.Vendor, ctx *snap) *a.Subject {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p := inventory.CheckView(it); len(p) > 0 {
		t.Fatalf("the normalizer built a view with problems: %v", p)
	}
	if ctx == nil {
		ctx = newSnap()
	}
	return &a.Subject{SourceID: it.SourceID, Kind: it.Kind, Subtype: it.Subtype, DisplayName: it.DisplayName,
		View: it.View, Refs: it.Refs, Vendor: vendor, CollectedAt: collected, Snapshot: ctx}
}

// ruleCase is one rule shown matching one item. Source names the vendor
// file the item was read from, and says why when it was changed or built
// by hand.
type ruleCase struct {
	rule    string
	source  string
	subject func(t *testing.T) *a.Subject
	// decides: the rule must decide the item (be its first finding), not
	// only match it.
	decides bool
	// class, when set, is the item's expected class.
	class a.Class
}

// runCases classifies each case's item and checks the rule matched it
// (and decided it, and the class, when the case says so). Every finding's
// texts must be filled: no template may render an empty rationale or a
// "<no value>".
func runCases(t *testing.T, cases []ruleCase) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.rule+" "+c.source, func(t *testing.T) {
			s := c.subject(t)
			d := cat.Classify(s)
			i := slices.IndexFunc(d.Findings, func(f a.Finding) bool { return f.RuleID == c.rule })
			if i < 0 {
				t.Fatalf("%s did not match; findings: %s", c.rule, describe(d))
			}
			if c.decides && d.RuleID != c.rule {
				t.Errorf("%s matched but %s decided: %s", c.rule, d.RuleID, describe(d))
			}
			if c.class != "" && d.Class != c.class {
				t.Errorf("class %s, want %s: %s", d.Class, c.class, describe(d))
			}
			checkTexts(t, d)
		})
	}
}

func checkTexts(t *testing.T, d a.Decision) {
	t.Helper()
	for _, f := range d.Findings {
		for _, txt := range []string{f.Rationale, f.Notes, f.BlockedReason, f.Target.Shape} {
			if strings.Contains(txt, "<no value>") || strings.Contains(txt, "%!") {
				t.Errorf("%s renders %q", f.RuleID, txt)
			}
		}
		if f.Rationale == "" {
			t.Errorf("%s has an empty rationale", f.RuleID)
		}
		if f.Class == a.Blocked && f.BlockedReason == "" {
			t.Errorf("%s is blocked without a reason", f.RuleID)
		}
	}
	if d.Class == a.NativeImport && !d.Findings[0].Proves {
		t.Errorf("native_import decided by %s, which proves nothing", d.RuleID)
	}
}

func describe(d a.Decision) string {
	out := string(d.Class) + " by " + d.RuleID + " ["
	for i, f := range d.Findings {
		if i > 0 {
			out += "; "
		}
		out += f.RuleID + " " + string(f.Class) + ": " + f.Rationale
	}
	return out + "]"
}
