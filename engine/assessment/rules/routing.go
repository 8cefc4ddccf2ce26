package rules

import (
	"slices"
	"strings"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Routing rules: the Portal routes a user by the domain of their email to
// exactly one provider, and refuses a second rule for a domain already
// routed (engine/portal/openapi.yaml RoutingRuleInput). Routing must stay
// deterministic: only one rule may match a given domain
// (docs/migration-contract.md).

func routing(s *a.Subject) *inventory.RoutingRuleView { return s.View.RoutingRule }

// live reports an active rule that is not the default catch-all.
func live(r *inventory.RoutingRuleView) bool { return r.State == inventory.StateActive && !r.Default }

// extraConditions names the rule's conditions the Portal's routing rules
// cannot express, grouped by what a rule does about them.
func extraConditions(r *inventory.RoutingRuleView) (zones, apps, people, unmodeled []string) {
	c := r.Conditions
	if (c.Network != "" && c.Network != "ANYWHERE") || !c.NetworkZones.Empty() {
		zones = append(zones, "network "+firstNonEmpty(c.Network, "ZONE"))
		zones = append(zones, c.NetworkZones.Include...)
	}
	if !c.Apps.Empty() {
		apps = append(apps, c.Apps.Include...)
		for _, x := range c.Apps.Exclude {
			apps = append(apps, "not "+x)
		}
	}
	for _, pair := range []struct {
		label string
		ie    inventory.IncludeExclude
	}{{"groups", c.Groups}, {"users", c.Users}, {"user types", c.UserTypes}, {"platforms", c.Platforms}} {
		if !pair.ie.Empty() {
			people = append(people, pair.label)
		}
	}
	if len(c.UserAttributes) > 0 {
		people = append(people, "user attributes")
	}
	if c.Expression != "" {
		unmodeled = append(unmodeled, "expression "+c.Expression)
	}
	unmodeled = append(unmodeled, c.Unmodeled...)
	return zones, apps, people, unmodeled
}

// domainPatterns reports a rule whose every pattern names a domain
// (SUFFIX or EQUALS with a domain value).
func domainPatterns(r *inventory.RoutingRuleView) bool {
	if len(r.Patterns) == 0 || len(r.Domains) != len(r.Patterns) {
		return false
	}
	for _, p := range r.Patterns {
		if p.MatchType != inventory.MatchSuffix && p.MatchType != inventory.MatchEquals {
			return false
		}
	}
	for _, d := range r.Domains {
		if !asciiDomain(d) {
			return false
		}
	}
	return true
}

// asciiDomain reports a domain name in the ASCII (punycode) form the
// Portal accepts.
func asciiDomain(d string) bool {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// externalProviders are the rule's providers other than the incumbent
// itself (Okta type OKTA).
func externalProviders(r *inventory.RoutingRuleView) []inventory.ProviderChoice {
	var out []inventory.ProviderChoice
	for _, p := range r.Providers {
		if p.Type != "OKTA" {
			out = append(out, p)
		}
	}
	return out
}

var oktaRoutingDomain = a.Rule{
	ID: "OKTA-ROUTING-DOMAIN-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title: "Simple domain routing to one provider",
	Condition: "an active, non-default IdP-discovery rule on what the user types (IDENTIFIER), whose every pattern is " +
		"a SUFFIX or EQUALS domain in ASCII form, that sends users to exactly one provider (SPECIFIC, not Okta itself) " +
		"the snapshot holds and the Portal creates, with no other condition, and whose domains no other active rule " +
		"routes",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounRoutingRule, Shape: `routing rule "{{.Name}}": {{join .Routing.Domains ", "}} → provider {{.V.provider}}, priority {{.Routing.Priority}}`},
	Rationale: "{{.Name}} routes {{list .Routing.Domains}} to provider {{.V.provider}} and nothing else decides it: a " +
		"Portal routing rule says exactly that.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityLow,
		Summary: "Users of routed domains are sent to their organisation's sign-in page by the Portal instead of Okta."}},
	References: []string{docOktaPolicies, docOktaDiscovery, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		if !live(r) || (r.IdentifierType != "" && r.IdentifierType != "IDENTIFIER") || !domainPatterns(r) {
			return nil, false
		}
		if r.Selection != "" && r.Selection != "SPECIFIC" || len(r.DynamicSelection) > 0 || len(r.Providers) != 1 {
			return nil, false
		}
		ext := externalProviders(r)
		if len(ext) != 1 {
			return nil, false
		}
		zones, apps, people, unmodeled := extraConditions(r)
		if len(zones)+len(apps)+len(people)+len(unmodeled) > 0 {
			return nil, false
		}
		if notImported("", s.Snapshot.Outcome(inventory.KindProvider, ext[0].ID)) != "" {
			return nil, false
		}
		for _, d := range r.Domains {
			if len(s.Snapshot.Routes(d)) > 1 {
				return nil, false
			}
		}
		return a.Vars{"provider": ext[0].ID}, true
	},
}

var oktaRoutingConflict = a.Rule{
	ID: "OKTA-ROUTING-CONFLICT-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Two routing rules for the same domain",
	Condition: "an active, non-default routing rule that routes a domain another active, non-default rule also routes",
	Class:     a.Blocked,
	Target:    a.Target{Noun: a.NounRoutingRule},
	Rationale: "{{.Name}} routes {{list .V.domains}}, which {{list .V.others}} also route{{if eq (len .V.others) 1}}s{{end}}: " +
		"which provider a user lands on would depend on rule order, and routing must be deterministic (the Portal " +
		"refuses a second rule for a routed domain).",
	Blocked:        "Decide which rule routes {{list .V.domains}} and remove the domain from the others, then collect again.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityHigh,
		Summary: "Domains routed by more than one rule must be given to exactly one provider before cutover."}},
	References: []string{docOktaDiscovery, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		if !live(r) {
			return nil, false
		}
		var domains, others []string
		for _, d := range r.Domains {
			for _, id := range s.Snapshot.Routes(d) {
				if id == s.SourceID {
					continue
				}
				if !slices.Contains(domains, d) {
					domains = append(domains, d)
				}
				if !slices.Contains(others, id) {
					others = append(others, id)
				}
			}
		}
		slices.Sort(others)
		return a.Vars{"domains": domains, "others": others}, len(domains) > 0
	},
}

var oktaRoutingProvider = a.Rule{
	ID: "OKTA-ROUTING-PROVIDER-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title: "Routing to a provider that will not exist on the Portal",
	Condition: "an active routing rule that sends users to a provider the snapshot does not hold, or that the Portal " +
		"will not create (its class is not native_import or import_with_approximation)",
	Class:          a.Blocked,
	Target:         a.Target{Noun: a.NounRoutingRule},
	Rationale:      "{{.Name}} routes to providers that will not exist on the Portal: {{join .V.problems \"; \"}}.",
	Blocked:        "A routing rule needs its provider on the Portal: fix {{join .V.problems \"; \"}}, or map the provider to an existing Portal provider in merge review.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelHigh,
	References: []string{docOktaDiscovery, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		if !live(r) {
			return nil, false
		}
		var problems []string
		for _, p := range externalProviders(r) {
			if why := notImported("provider "+p.ID, s.Snapshot.Outcome(inventory.KindProvider, p.ID)); why != "" {
				problems = append(problems, why)
			}
		}
		return a.Vars{"problems": problems}, len(problems) > 0
	},
}

var oktaRoutingRegex = a.Rule{
	ID: "OKTA-ROUTING-REGEX-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing by regular expression",
	Condition: "an active routing rule with an EXPRESSION (regular expression) identifier pattern",
	Class:     a.ManualRebuildRequired,
	Target:    a.Target{Noun: a.NounRoutingRule, Shape: "routing rule with the domains the expression stands for"},
	Rationale: "{{.Name}} matches identifiers with {{list .V.patterns}}; the Portal routes by exact domain, and no rule " +
		"can prove which domains a regular expression stands for.",
	Notes:          "List the domains the expression is meant to match and route those.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		var pats []string
		for _, p := range r.Patterns {
			if p.MatchType == inventory.MatchExpression {
				pats = append(pats, p.Value)
			}
		}
		return a.Vars{"patterns": pats}, live(r) && len(pats) > 0
	},
}

var oktaRoutingPattern = a.Rule{
	ID: "OKTA-ROUTING-PATTERN-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title: "Routing by a pattern that is not a domain",
	Condition: "an active routing rule with a STARTS_WITH or CONTAINS pattern, an EQUALS pattern that is not a " +
		"domain (a whole identifier), or a domain not in ASCII form",
	Class:          a.ManualRebuildRequired,
	Target:         a.Target{Noun: a.NounRoutingRule, Shape: "routing rule by domain"},
	Rationale:      "{{.Name}} matches {{list .V.patterns}}; the Portal routes by email domain only.",
	Notes:          "Rewrite the rule as a list of domains (punycode for international domains), or route those users another way.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		if !live(r) {
			return nil, false
		}
		var pats []string
		for _, p := range r.Patterns {
			switch p.MatchType {
			case inventory.MatchStartsWith, inventory.MatchContains:
				pats = append(pats, p.MatchType+" "+p.Value)
			}
		}
		if len(r.Domains) < countDomainish(r.Patterns) {
			pats = append(pats, "EQUALS on a whole identifier")
		}
		for _, d := range r.Domains {
			if !asciiDomain(d) {
				pats = append(pats, "domain "+d)
			}
		}
		return a.Vars{"patterns": pats}, len(pats) > 0
	},
}

func countDomainish(ps []inventory.Pattern) int {
	n := 0
	for _, p := range ps {
		if p.MatchType == inventory.MatchSuffix || p.MatchType == inventory.MatchEquals {
			n++
		}
	}
	return n
}

var oktaRoutingAttribute = a.Rule{
	ID: "OKTA-ROUTING-ATTRIBUTE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title: "Routing on a profile attribute",
	Condition: "an active routing rule that matches a user profile attribute (userIdentifier type ATTRIBUTE) rather " +
		"than what the user types",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounRoutingRule, Shape: "routing rule by domain"},
	Rationale: "{{.Name}} routes on the profile attribute {{.Routing.IdentifierAttribute}}; the Portal routes on the " +
		"email domain the user types.",
	Notes:          "Find the domains these users sign in with and route those, or keep them on local sign-in.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		return nil, live(r) && r.IdentifierType == "ATTRIBUTE"
	},
}

var oktaRoutingDynamic = a.Rule{
	ID: "OKTA-ROUTING-DYNAMIC-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title: "Routing that chooses the provider by expression",
	Condition: "an active routing rule with dynamic provider selection (idpSelectionType DYNAMIC, matchCriteria " +
		"expressions)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounRoutingRule, Shape: "one routing rule per domain and provider"},
	Rationale: "{{.Name}} picks the provider at sign-in by evaluating {{list .V.expr}}; the Portal needs each domain " +
		"tied to one provider in advance.",
	Notes:          "Work out which domain goes to which provider and create one rule for each.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docOktaEL},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		var expr []string
		for _, m := range r.DynamicSelection {
			expr = append(expr, m.Expression+" = "+m.PropertyName)
		}
		if r.Selection == "DYNAMIC" && len(expr) == 0 {
			expr = append(expr, "DYNAMIC selection")
		}
		return a.Vars{"expr": expr}, live(r) && len(expr) > 0
	},
}

var oktaRoutingChoice = a.Rule{
	ID: "OKTA-ROUTING-CHOICE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing that lets the user choose among providers",
	Condition: "an active routing rule with more than one provider",
	Class:     a.ManualRebuildRequired,
	Target:    a.Target{Noun: a.NounRoutingRule, Shape: "routing rule to one provider"},
	Rationale: "{{.Name}} offers {{len .Routing.Providers}} providers to choose from; a Portal routing rule sends a " +
		"domain to exactly one.",
	Notes:          "Pick one provider per domain.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		return nil, live(r) && len(r.Providers) > 1
	},
}

var oktaRoutingLocal = a.Rule{
	ID: "OKTA-ROUTING-LOCAL-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing that keeps users on local sign-in",
	Condition: "an active, non-default routing rule whose only provider is Okta itself",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounNone, Shape: "no rule: the Portal's local sign-in applies to unrouted domains"},
	Rationale: "{{.Name}} keeps {{if .Routing.Domains}}{{list .Routing.Domains}}{{else}}its users{{end}} on Okta's own " +
		"sign-in; on the Portal, a domain no rule routes signs in locally, so no rule is created.",
	Notes:          "Users it covers sign in with a Portal local account (LOCAL_ONLY or SSO_PREFERRED) after cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Users who signed in with an Okta password sign in with a Portal local account after cutover."}},
	References: []string{docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		return nil, live(r) && len(r.Providers) > 0 && len(externalProviders(r)) == 0
	},
}

var oktaRoutingZone = a.Rule{
	ID: "OKTA-ROUTING-ZONE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing conditioned on network zones",
	Condition: "an active routing rule with a network condition (zones, on or off network)",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounRoutingRule, Shape: "routing rule by domain, without the network condition"},
	Rationale: "{{.Name}} routes only from {{list .V.zones}}; Portal routing has no network condition, so the rule " +
		"would apply from anywhere.",
	Notes:          "The network condition is dropped: users of these domains are routed to the provider wherever they are.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Routing that depended on the user's network applies from any network after cutover."}},
	References: []string{docOktaPolicies, docOktaDiscovery},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		zones, _, _, _ := extraConditions(r)
		return a.Vars{"zones": zones}, live(r) && len(zones) > 0
	},
}

var oktaRoutingApps = a.Rule{
	ID: "OKTA-ROUTING-APP-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing conditioned on the application",
	Condition: "an active routing rule that applies only to some applications",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounRoutingRule, Shape: "routing rule by domain for every application"},
	Rationale: "{{.Name}} applies only when users sign in to {{list .V.apps}}; a Portal routing rule applies to every " +
		"application.",
	Notes:          "After cutover the rule routes users of these domains for every application.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Routing that applied to some applications only applies to every application after cutover."}},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		_, apps, _, _ := extraConditions(r)
		return a.Vars{"apps": apps}, live(r) && len(apps) > 0
	},
}

var oktaRoutingPeople = a.Rule{
	ID: "OKTA-ROUTING-PEOPLE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Routing conditioned on groups, users, user types or platforms",
	Condition: "an active routing rule with group, user, user-type, user-attribute or platform conditions",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounRoutingRule, Shape: "routing rule by domain for everyone"},
	Rationale: "{{.Name}} applies only to some people or devices ({{list .V.people}}); a Portal routing rule applies " +
		"to everyone whose email has the domain.",
	Notes:          "The {{join .V.people \", \"}} condition is dropped.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityMedium,
		Summary: "Routing that applied to some groups or devices applies to everyone with the domain after cutover."}},
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		_, _, people, _ := extraConditions(r)
		return a.Vars{"people": people}, live(r) && len(people) > 0
	},
}

var oktaRoutingUnmodeled = a.Rule{
	ID: "OKTA-ROUTING-UNMODELED-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:          "Routing with conditions no rule can judge",
	Condition:      "an active routing rule with an Expression Language condition or a condition the view does not model",
	Class:          a.ManualRebuildRequired,
	Target:         a.Target{Noun: a.NounRoutingRule},
	Rationale:      "{{.Name}} has conditions no rule can judge: {{list .V.unmodeled}}.",
	Notes:          "Read the rule in Okta and decide how its users should be routed.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaPolicies, docOktaEL},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		_, _, _, unmodeled := extraConditions(r)
		return a.Vars{"unmodeled": unmodeled}, live(r) && len(unmodeled) > 0
	},
}

var oktaRoutingDefault = a.Rule{
	ID: "OKTA-ROUTING-DEFAULT-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:     "Okta's default routing rule",
	Condition: "the system (default) rule of the IdP-discovery policy, applied when no other rule matches",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounNone, Shape: "mapped to the Portal's behaviour for unrouted domains, never created"},
	Rationale: "{{.Name}} is Okta's catch-all; on the Portal, users whose domain no rule routes sign in locally. It is " +
		"mapped, never created.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelLow,
	References: []string{docOktaDiscovery},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, routing(s).Default },
}

var oktaRoutingInactive = a.Rule{
	ID: "OKTA-ROUTING-INACTIVE-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindRoutingRule,
	Title:          "Inactive routing rule",
	Condition:      "a routing rule the incumbent has deactivated",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} is inactive: it routes no one today, so it is not created.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docOktaPolicies},
	Match: func(s *a.Subject) (a.Vars, bool) {
		r := routing(s)
		return nil, r.State == inventory.StateInactive && !r.Default
	},
}

var anyRoutingFallback = a.Rule{
	ID: "ANY-ROUTING-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindRoutingRule,
	Title:     "Routing rule no rule proves importable",
	Condition: "a routing rule no deciding rule matched",
	Class:     a.ManualRebuildRequired, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      fallbackRationale,
	Notes:          "Read {{.Name}} in the incumbent and decide how its users are routed.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaDiscovery},
	Match:      fallbackMatch,
}
