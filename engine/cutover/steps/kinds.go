package steps

import "github.com/portal-id/migration-console/engine/inventory"

// kinds is every kind the cutover creates, in plan order: a kind comes after
// every kind its requests refer to (routing rules name providers,
// assignments name applications and groups). Adding a kind is one file and
// one line here.
var kinds = []Kinder{
	samlProvider{},
	group{},
	oidcApplication{},
	routingRule{},
	groupAssignment{},
}

// followUpOnly are nouns the cutover never changes automatically: their
// items appear in a plan as manual follow-up, after the kinds above.
var followUpOnly = []Kind{KindSSOConfiguration, KindAuthSettings}

// Of returns the kind that creates objects of k; false for a noun the
// cutover never creates.
func Of(k Kind) (Kinder, bool) {
	for _, c := range kinds {
		if c.Kind() == k {
			return c, true
		}
	}
	return nil, false
}

// Rank orders kinds in a plan (see kinds); -1 for an unknown kind.
func Rank(k Kind) int {
	for i, c := range kinds {
		if c.Kind() == k {
			return i
		}
	}
	for i, f := range followUpOnly {
		if f == k {
			return len(kinds) + i
		}
	}
	return -1
}

// Kinds lists every step kind in plan order, creatable kinds first.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds)+len(followUpOnly))
	for _, c := range kinds {
		out = append(out, c.Kind())
	}
	return append(out, followUpOnly...)
}

// ForItem is the step kind an inventory item's follow-up is filed under
// when its target contract names no Portal noun; "" for items that never
// become a step (domains: routing rules carry them).
func ForItem(k inventory.Kind) Kind {
	switch k {
	case inventory.KindApplication:
		return KindApplication
	case inventory.KindProvider:
		return KindUpstreamProvider
	case inventory.KindRoutingRule:
		return KindRoutingRule
	case inventory.KindGroup:
		return KindGroup
	case inventory.KindAssignment:
		return KindAppAssignment
	case inventory.KindPolicy:
		return KindAuthSettings
	}
	return ""
}
