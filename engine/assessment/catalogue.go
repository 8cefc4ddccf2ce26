package assessment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Catalogue is a versioned, validated set of rules. Its classifier version
// (ClassifierVersion) is its semantic version plus a digest of every rule's
// data, so any change to a rule changes what a run records.
type Catalogue struct {
	version string
	rules   []*Rule
	byID    map[string]*Rule
	byKind  map[inventory.Kind][]*Rule
	digest  string
}

var semver = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// NewCatalogue validates rules and builds a catalogue of the given
// semantic version. The built-in rules (BuiltinRules) are added. Every
// kind must have a fallback rule, so no item is ever left undecided.
func NewCatalogue(version string, rules ...Rule) (*Catalogue, error) {
	if !semver.MatchString(version) {
		return nil, fmt.Errorf("catalogue version %q is not MAJOR.MINOR.PATCH", version)
	}
	c := &Catalogue{version: version, byID: map[string]*Rule{}, byKind: map[inventory.Kind][]*Rule{}}
	all := append(BuiltinRules(), rules...)
	var errs []error
	for i := range all {
		r := all[i]
		if err := r.compile(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := c.byID[r.ID]; dup {
			errs = append(errs, fmt.Errorf("rule id %s is used twice", r.ID))
			continue
		}
		if r.Kind == "" && r.Vendor != VendorAny {
			errs = append(errs, fmt.Errorf("rule %s: a rule about any kind applies to any vendor", r.ID))
		}
		c.byID[r.ID] = &r
		c.rules = append(c.rules, &r)
	}
	sort.Slice(c.rules, func(i, j int) bool { return c.rules[i].ID < c.rules[j].ID })
	for _, r := range c.rules {
		c.byKind[r.Kind] = append(c.byKind[r.Kind], r)
	}
	for _, k := range inventory.Kinds {
		if !slices.ContainsFunc(c.byKind[k], func(r *Rule) bool { return r.Fallback && r.Vendor == VendorAny }) {
			errs = append(errs, fmt.Errorf("kind %s has no fallback rule for any vendor", k))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("rule catalogue %s: %w", version, err)
	}
	c.digest = digest(c.rules)
	return c, nil
}

// Version is the catalogue's semantic version.
func (c *Catalogue) Version() string { return c.version }

// Digest is the hex SHA-256 over every rule's data (id, version, vendor,
// kind, title, condition, class, proof and fallback flags, target, the
// rationale, notes and blocked templates, impact levels and OCM impacts),
// in id order.
func (c *Catalogue) Digest() string { return c.digest }

// ClassifierVersion is what a run records: "VERSION+DIGEST12".
func (c *Catalogue) ClassifierVersion() string { return c.version + "+" + c.digest[:12] }

// Rules returns every rule, built-ins included, in id order.
func (c *Catalogue) Rules() []Rule {
	out := make([]Rule, len(c.rules))
	for i, r := range c.rules {
		out[i] = *r
	}
	return out
}

// ruleIndex is the rule's position in Rules, for compact outcome maps.
func (c *Catalogue) ruleIndex(id string) int {
	i, _ := slices.BinarySearchFunc(c.rules, id, func(r *Rule, id string) int { return strings.Compare(r.ID, id) })
	return i
}

// Rule returns the rule with id.
func (c *Catalogue) Rule(id string) (Rule, bool) {
	r, ok := c.byID[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

func digest(rules []*Rule) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	for _, r := range rules {
		field(r.ID)
		field(strconv.Itoa(r.Version))
		field(string(r.Vendor))
		field(string(r.Kind))
		field(r.Title)
		field(r.Condition)
		field(string(r.Class))
		field(strconv.FormatBool(r.Proves))
		field(strconv.FormatBool(r.Fallback))
		field(string(r.Target.Noun))
		field(r.Target.Shape)
		field(r.Rationale)
		field(r.Notes)
		field(r.Blocked)
		field(string(r.OperatorImpact))
		field(string(r.UserImpact))
		for _, im := range r.Impacts {
			field(string(im.Audience))
			field(string(im.Severity))
			field(im.Summary)
		}
		field("end")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Decision is what the catalogue decides about one item.
type Decision struct {
	// Class and RuleID come from the deciding finding (Findings[0]).
	Class  Class
	RuleID string
	// Target is the deciding rule's target contract, or, when it names
	// none, that of the first other finding that does.
	Target Target
	// Rationale is the deciding rule's. Notes gathers every finding's notes
	// and BlockedReason every blocked finding's reason, in finding order.
	Rationale     string
	Notes         string
	BlockedReason string
	// OperatorImpact and UserImpact are the highest of every finding's.
	OperatorImpact Level
	UserImpact     Level
	// Findings are every rule that matched, the deciding one first (see
	// Classify for the order).
	Findings []Finding
	// Impacts are the OCM impacts every finding raises, each once.
	Impacts []RaisedImpact
}

// RaisedImpact is an OCM impact a rule raised on an item.
type RaisedImpact struct {
	RuleID string `json:"rule_id"`
	ImpactSpec
}

// Key is the impact's stable identity, the same in every run that raises
// it: a digest of rule id, audience, severity and summary. An
// acknowledgement recorded against a key carries over to a rerun that
// raises the same impact; a changed severity or wording asks again.
func (r RaisedImpact) Key() string {
	h := sha256.New()
	for _, s := range []string{r.RuleID, string(r.Audience), string(r.Severity), r.Summary} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Classify decides one item. Every rule of the item's kind and vendor is
// evaluated; when no deciding rule matches (a rule of a class other than
// native_import, or a native_import rule that Proves), the kind's fallback
// rules are. Findings are ordered by class, most restrictive first; among
// equal classes a proving rule comes before one that only annotates, then
// rule ids in ascending order. The first finding decides. An item whose view
// is missing or of another kind is judged by the built-in rules alone, and a
// rule that fails on an item (a panic or a template error) becomes a
// blocked finding of ANY-ITEM-RULEERROR-001 naming it.
func (c *Catalogue) Classify(s *Subject) Decision {
	var found []Finding
	decided := false
	add := func(r *Rule, v Vars) {
		f, err := c.finding(r, s, v)
		if err != nil {
			f, _ = c.finding(c.byID[RuleErrorID], s, Vars{"rule": r.ID, "error": err.Error()})
		}
		if f.Class != NativeImport || r.Proves || f.RuleID == RuleErrorID {
			decided = true
		}
		found = append(found, f)
	}
	eval := func(rules []*Rule, fallback bool) {
		for _, r := range rules {
			if r.Fallback != fallback || (r.Vendor != VendorAny && r.Vendor != s.Vendor) {
				continue
			}
			v, ok, err := safeMatch(r, s)
			if err != nil {
				add(c.byID[RuleErrorID], Vars{"rule": r.ID, "error": err.Error()})
				continue
			}
			if ok {
				add(r, v)
			}
		}
	}
	eval(c.byKind[""], false)
	if s.View.Kind() == s.Kind && s.Kind != "" {
		eval(c.byKind[s.Kind], false)
		if !decided {
			eval(c.byKind[s.Kind], true)
		}
	}
	if !decided { // only a kind without its own view reaches here unmatched
		eval(c.byKind[""], true)
	}
	if len(found) == 0 { // a fallback that did not match: never decide by default
		add(c.byID[RuleErrorID], Vars{"rule": "the " + string(s.Kind) + " fallback", "error": "no rule matched the item"})
	}
	return decide(found)
}

// safeMatch runs a rule's match, turning a panic into an error so one odd
// item cannot stop a run.
func safeMatch(r *Rule, s *Subject) (v Vars, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rule %s failed on this item: %v", r.ID, p)
		}
	}()
	v, ok = r.Match(s)
	return v, ok, nil
}

func (c *Catalogue) finding(r *Rule, s *Subject, v Vars) (Finding, error) {
	d := dataOf(s, v)
	f := Finding{RuleID: r.ID, RuleVersion: r.Version, Class: r.Class, Proves: r.Proves,
		OperatorImpact: r.OperatorImpact, UserImpact: r.UserImpact, Target: Target{Noun: r.Target.Noun}}
	var err error
	if f.Rationale, err = render(r.rationale, d); err != nil {
		return f, fmt.Errorf("rule %s: rationale: %w", r.ID, err)
	}
	if f.Notes, err = render(r.notes, d); err != nil {
		return f, fmt.Errorf("rule %s: notes: %w", r.ID, err)
	}
	if f.BlockedReason, err = render(r.blocked, d); err != nil {
		return f, fmt.Errorf("rule %s: blocked reason: %w", r.ID, err)
	}
	if f.Target.Shape, err = render(r.shape, d); err != nil {
		return f, fmt.Errorf("rule %s: target shape: %w", r.ID, err)
	}
	f.Impacts = r.Impacts
	f.Fingerprint = f.fingerprint()
	return f, nil
}

func decide(found []Finding) Decision {
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if ra, rb := a.Class.Rank(), b.Class.Rank(); ra != rb {
			return ra > rb
		}
		if a.Proves != b.Proves {
			return a.Proves
		}
		return a.RuleID < b.RuleID
	})
	first := found[0]
	d := Decision{
		Class: first.Class, RuleID: first.RuleID, Target: first.Target, Rationale: first.Rationale,
		OperatorImpact: LevelNone, UserImpact: LevelNone, Findings: found,
	}
	var notes, blocked []string
	seen := map[string]bool{}
	for _, f := range found {
		if d.Target.Noun == "" && f.Target.Noun != "" {
			d.Target = f.Target
		}
		if f.Notes != "" {
			notes = append(notes, f.Notes)
		}
		if f.BlockedReason != "" {
			blocked = append(blocked, f.BlockedReason)
		}
		d.OperatorImpact = maxLevel(d.OperatorImpact, f.OperatorImpact)
		d.UserImpact = maxLevel(d.UserImpact, f.UserImpact)
		for _, im := range f.Impacts {
			ri := RaisedImpact{RuleID: f.RuleID, ImpactSpec: im}
			if k := ri.Key(); !seen[k] {
				seen[k] = true
				d.Impacts = append(d.Impacts, ri)
			}
		}
	}
	if d.Target.Noun == "" {
		d.Target.Noun = NounNone
	}
	d.Notes = strings.Join(notes, "\n")
	d.BlockedReason = strings.Join(blocked, "\n")
	return d
}

// FoldName is how names are compared where the Portal requires them
// unique or reserves them: Unicode NFC, then full case folding, with
// surrounding space trimmed.
func FoldName(s string) string {
	c := folders.Get().(cases.Caser)
	defer folders.Put(c)
	return c.String(norm.NFC.String(strings.TrimSpace(s)))
}

// folders pools case folders: a cases.Caser keeps state and must not be
// shared between goroutines.
var folders = sync.Pool{New: func() any { return cases.Fold() }}
