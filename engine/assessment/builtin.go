package assessment

import "github.com/portal-id/migration-console/engine/inventory"

// Built-in rule ids: they judge what no catalogue rule can, and are part of
// every catalogue.
const (
	// NoViewID decides an item without a typed view of its kind.
	NoViewID = "ANY-ITEM-NOVIEW-001"
	// RuleErrorID records a rule that failed on an item.
	RuleErrorID = "ANY-ITEM-RULEERROR-001"
)

// BuiltinRules are the rules every catalogue holds.
func BuiltinRules() []Rule {
	return []Rule{
		{
			ID: NoViewID, Version: 1, Vendor: VendorAny, Title: "Item without a typed view",
			Condition: "the item has no typed view of its kind (it was stored by a build that did not read this kind into a view), so no rule can judge it",
			Class:     Blocked, Fallback: true, Target: Target{Noun: NounNone},
			Rationale:      "No rule can judge this {{.Kind}}: {{.V.why}}.",
			Blocked:        "Collect a new snapshot of the source with this version of the console, then assess that snapshot.",
			OperatorImpact: LevelLow, UserImpact: LevelNone,
			Match: func(s *Subject) (Vars, bool) {
				why := "the snapshot holds no typed view of it"
				if s.View.Unbuilt != "" {
					why = "its typed view could not be built (" + s.View.Unbuilt + ")"
				} else if k := s.View.Kind(); k != "" && k != s.Kind {
					why = "its view is of kind " + string(k)
				}
				return Vars{"why": why}, s.View.Kind() != s.Kind || s.Kind == ""
			},
		},
		{
			ID: RuleErrorID, Version: 1, Vendor: VendorAny, Title: "A rule failed on the item",
			Condition: "a rule could not evaluate the item (it failed on an unexpected value); the item is blocked rather than judged without that rule",
			Class:     Blocked, Target: Target{Noun: NounNone},
			Rationale:      "Rule {{.V.rule}} could not judge this item: {{.V.error}}.",
			Blocked:        "Report the failing rule with this item's raw payload; until it is fixed the item cannot be judged.",
			OperatorImpact: LevelMedium, UserImpact: LevelNone,
			Match: func(*Subject) (Vars, bool) { return nil, false }, // raised by Classify, never matched
		},
	}
}

// Layers are the kinds in the order a run assesses them: an item is judged
// after every kind it can reference, so a rule reading a reference's
// outcome sees it decided. Applications, providers, groups and domains
// reference nothing a rule needs decided; routing rules reference
// providers; policies reference groups, applications and providers;
// assignments reference applications and groups.
var Layers = [][]inventory.Kind{
	{inventory.KindApplication, inventory.KindProvider, inventory.KindGroup, inventory.KindDomain},
	{inventory.KindRoutingRule, inventory.KindPolicy, inventory.KindAssignment},
}
