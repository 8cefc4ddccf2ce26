package assessment

import (
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Rule is one entry of the rule catalogue: a named, versioned judgement
// about items of one kind. Everything but Match is data: it is what the
// catalogue's digest covers and what `migctl assessment rules` prints, so a
// change to how a rule reads must come with a change to its Condition text
// and Version.
type Rule struct {
	// ID is stable across versions, e.g. OKTA-APP-OIDC-001: vendor (OKTA,
	// ENTRA or ANY), kind, topic and a number.
	ID string
	// Version goes up whenever the rule's behaviour changes.
	Version int
	Vendor  Vendor
	// Kind is the item kind the rule reads; "" for a rule about any item
	// (only the built-in rules are).
	Kind inventory.Kind
	// Title names the rule in a sentence fragment.
	Title string
	// Condition says, in words, when the rule matches.
	Condition string
	Class     Class
	// Proves marks a native_import rule whose match proves the item fits
	// its target contract. A native_import rule that does not prove only
	// annotates (it raises impacts or notes) and never keeps an item from
	// the conservative fallback.
	Proves bool
	// Fallback marks a rule evaluated only when no deciding rule matched
	// the item: the conservative catch-all of its kind.
	Fallback bool
	// Target is the target contract; its Shape is a template.
	Target Target
	// Rationale, Notes and Blocked are templates (text/template) filled
	// from the item: see Data for what they can read. Rationale says why
	// the class; Notes what changes or what a person must do; Blocked
	// (required for a blocked rule) what must be fixed.
	Rationale string
	Notes     string
	Blocked   string
	// OperatorImpact and UserImpact are how much the item's migration
	// changes things for the consultant and the customer's administrators,
	// and for end users.
	OperatorImpact Level
	UserImpact     Level
	// Impacts are the OCM impacts the rule raises on every item it matches.
	Impacts []ImpactSpec
	// References are the vendor documents the rule was checked against.
	References []string
	// Match decides whether the rule applies to the subject and returns
	// the values its templates read as .V (nil when they need none). It
	// runs only on subjects whose view is of the rule's kind.
	Match func(s *Subject) (Vars, bool)

	rationale, notes, blocked, shape *template.Template
}

// ImpactSpec is an OCM impact a rule raises: one row per distinct
// (rule, audience, severity, summary) in a run, listing every item that
// raised it. The summary is fixed text, not a template, so the items a rule
// matches share one row.
type ImpactSpec struct {
	Audience Audience `json:"audience"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
}

// Vars are the values a rule's match hands its templates (as .V).
type Vars map[string]any

// Subject is what a rule reads: one item, its vendor, when it was
// collected and what the run knows about the rest of the snapshot.
type Subject struct {
	SourceID    string
	Kind        inventory.Kind
	Subtype     string
	DisplayName string
	View        inventory.View
	Refs        []inventory.Ref
	Vendor      Vendor
	// CollectedAt is when the snapshot was taken: "expired" and "expiring"
	// are judged at that moment, never at the clock's, so the same snapshot
	// always assesses the same.
	CollectedAt time.Time
	// Snapshot answers questions about other items of the snapshot.
	Snapshot Context
}

// Context is what a run knows across the snapshot while it classifies one
// item. Kinds are assessed in dependency order (see Layers), so an item's
// references to items of an earlier layer are already decided.
type Context interface {
	// Outcome reports an item of the snapshot by kind and source id:
	// whether the snapshot holds it, and its class and deciding rule once
	// it is assessed.
	Outcome(kind inventory.Kind, sourceID string) Outcome
	// AppRegistration reports the Entra application registration whose
	// client id (appId) is clientID, the object a service principal is an
	// instance of.
	AppRegistration(clientID string) (sourceID string, o Outcome)
	// Carrier reports the item whose import makes the given application
	// exist on the target: the application itself, or for an Entra
	// service principal of the tenant, the application registration it is
	// an instance of (the Portal application is created from the
	// registration).
	Carrier(appSourceID string) (sourceID string, o Outcome)
	// NameCount is how many items of kind carry name, compared after
	// Unicode NFC normalisation and case folding (FoldName).
	NameCount(kind inventory.Kind, name string) int
	// Routes lists the source ids of the active, non-default routing rules
	// that route domain (lower case), in id order.
	Routes(domain string) []string
}

// Outcome is what a run knows of one item.
type Outcome struct {
	// Exists: the snapshot holds the item.
	Exists bool
	// Assessed: the item is classified (Class and RuleID are set).
	Assessed bool
	Class    Class
	RuleID   string
}

// Data is what a rule's templates read: the item's name, ids and kind, its
// view's member for the rule's kind, and the match's Vars as .V.
type Data struct {
	Name       string
	SourceID   string
	Kind       inventory.Kind
	Subtype    string
	App        *inventory.ApplicationView
	Provider   *inventory.ProviderView
	Routing    *inventory.RoutingRuleView
	Policy     *inventory.PolicyView
	Group      *inventory.GroupView
	Assignment *inventory.AssignmentView
	Domain     *inventory.DomainView
	V          Vars
}

func dataOf(s *Subject, v Vars) Data {
	return Data{
		Name: s.DisplayName, SourceID: s.SourceID, Kind: s.Kind, Subtype: s.Subtype,
		App: s.View.Application, Provider: s.View.Provider, Routing: s.View.RoutingRule, Policy: s.View.Policy,
		Group: s.View.Group, Assignment: s.View.Assignment, Domain: s.View.Domain, V: v,
	}
}

// templateFuncs are the helpers rule templates may call.
var templateFuncs = template.FuncMap{
	// list quotes up to ten values and says how many more there are.
	"list": func(v any) string {
		var items []string
		switch x := v.(type) {
		case []string:
			items = x
		case string:
			items = []string{x}
		default:
			items = []string{fmt.Sprint(x)}
		}
		return quoteList(items, 10)
	},
	"join": strings.Join,
	"plural": func(n int, word string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", word)
		}
		return fmt.Sprintf("%d %ss", n, word)
	},
}

// quoteList renders `"a", "b" and 3 more`.
func quoteList(items []string, max int) string {
	if len(items) == 0 {
		return "(none)"
	}
	n := len(items)
	if n > max {
		items = items[:max]
	}
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	out := strings.Join(q, ", ")
	if n > max {
		out += fmt.Sprintf(" and %d more", n-max)
	}
	return out
}

var ruleID = regexp.MustCompile(`^(ANY|OKTA|ENTRA)-[A-Z0-9]+(-[A-Z0-9]+)*-[0-9]{3}$`)

// compile checks the rule and parses its templates.
func (r *Rule) compile() error {
	if !ruleID.MatchString(r.ID) {
		return fmt.Errorf("rule id %q is not VENDOR-TOPIC-NNN", r.ID)
	}
	prefix := map[Vendor]string{VendorAny: "ANY-", VendorOkta: "OKTA-", VendorEntra: "ENTRA-"}[r.Vendor]
	if prefix == "" || !strings.HasPrefix(r.ID, prefix) {
		return fmt.Errorf("rule %s: vendor %q does not match its id", r.ID, r.Vendor)
	}
	switch {
	case r.Version < 1:
		return fmt.Errorf("rule %s: version must be at least 1", r.ID)
	case !r.Class.Valid():
		return fmt.Errorf("rule %s: class %q is not a class", r.ID, r.Class)
	case r.Title == "" || r.Condition == "" || r.Rationale == "":
		return fmt.Errorf("rule %s: title, condition and rationale are required", r.ID)
	case r.Match == nil:
		return fmt.Errorf("rule %s: no match function", r.ID)
	case r.Class == Blocked && r.Blocked == "":
		return fmt.Errorf("rule %s: a blocked rule must say what is blocked", r.ID)
	case r.Class != Blocked && r.Blocked != "":
		return fmt.Errorf("rule %s: only a blocked rule has a blocked reason", r.ID)
	case r.Proves && r.Class != NativeImport:
		return fmt.Errorf("rule %s: only a native_import rule proves an item fits", r.ID)
	case r.Proves && (r.Target.Noun == "" || r.Target.Noun == NounNone):
		return fmt.Errorf("rule %s: a proving rule must name the Portal noun the item becomes", r.ID)
	case r.Fallback && r.Class == NativeImport:
		return fmt.Errorf("rule %s: a fallback is never native_import", r.ID)
	case !r.OperatorImpact.Valid() || !r.UserImpact.Valid():
		return fmt.Errorf("rule %s: impact levels must be none, low, medium or high", r.ID)
	}
	for _, im := range r.Impacts {
		if !im.Audience.Valid() || !im.Severity.Valid() || im.Summary == "" {
			return fmt.Errorf("rule %s: impact %+v needs a known audience, a severity and a summary", r.ID, im)
		}
	}
	var err error
	parse := func(name, text string) *template.Template {
		if err != nil || text == "" {
			return nil
		}
		var t *template.Template
		t, err = template.New(r.ID + "." + name).Funcs(templateFuncs).Parse(text)
		if err != nil {
			err = fmt.Errorf("rule %s: %s template: %w", r.ID, name, err)
		}
		return t
	}
	r.rationale = parse("rationale", r.Rationale)
	r.notes = parse("notes", r.Notes)
	r.blocked = parse("blocked", r.Blocked)
	r.shape = parse("shape", r.Target.Shape)
	return err
}

func render(t *template.Template, d Data) (string, error) {
	if t == nil {
		return "", nil
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}
