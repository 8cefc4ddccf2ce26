package inventory

import (
	"fmt"
	"slices"
	"strings"
)

// Subtypes returns the closed set of subtypes of kind.
func Subtypes(kind Kind) []string {
	switch kind {
	case KindApplication:
		return names(Protocols)
	case KindProvider:
		return names(ProviderProtocols)
	case KindRoutingRule:
		return names(RoutingTypes)
	case KindPolicy:
		return PolicySubtypes()
	case KindGroup:
		return names(GroupTypes)
	case KindAssignment:
		return names(AssignTargets)
	case KindDomain:
		return names(DomainTypes)
	}
	return nil
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// CheckView lists what is wrong with an item's view: missing, of another
// kind than the item, a subtype outside its kind's closed set or unequal to
// the envelope's, a value outside a closed set, a required fact absent, or
// a secret marker that is not one. An empty result means the view is
// complete and consistent as far as the item alone can tell; references
// between items are checked by the conformance suite.
func CheckView(it Item) []string {
	v := it.View
	if v.Missing() {
		if v.Unbuilt != "" {
			return []string{"the item has no view: " + v.Unbuilt}
		}
		return []string{"the item has no view"}
	}
	var p problems
	set := 0
	for _, m := range []bool{v.Application != nil, v.Provider != nil, v.RoutingRule != nil, v.Policy != nil,
		v.Group != nil, v.Assignment != nil, v.Domain != nil} {
		if m {
			set++
		}
	}
	p.check(set == 1, "%d view members are set; exactly one must be", set)
	p.check(v.Kind() == it.Kind, "the view is of kind %s but the item is %s", v.Kind(), it.Kind)
	p.check(slices.Contains(Subtypes(v.Kind()), v.Subtype()), "subtype %q is not one of %s's %v", v.Subtype(), v.Kind(), Subtypes(v.Kind()))
	p.check(it.Subtype == v.Subtype(), "the item's subtype %q is not its view's %q", it.Subtype, v.Subtype())
	switch {
	case v.Application != nil:
		checkApplication(&p, v.Application)
	case v.Provider != nil:
		checkProvider(&p, v.Provider)
	case v.RoutingRule != nil:
		r := v.RoutingRule
		p.state(r.State)
		p.check(r.PolicyID != "", "a routing rule names no policy")
		for _, pt := range r.Patterns {
			p.check(pt.MatchType != "", "a pattern of value %q has no match type", pt.Value)
		}
	case v.Policy != nil:
		pv := v.Policy
		p.state(pv.State)
		p.check(!pv.Rule || pv.PolicyID != "", "a policy rule names no policy")
		p.check(pv.Rule || pv.PolicyID == "", "a policy names a containing policy %q", pv.PolicyID)
		p.check(slices.Contains([]string{"", "allow", "deny"}, pv.Actions.Access), "access %q is not allow, deny or empty", pv.Actions.Access)
	case v.Group != nil:
		p.check(v.Group.Type != GroupDynamic || v.Group.RuleBased == Yes, "a dynamic group is not rule-based")
	case v.Assignment != nil:
		a := v.Assignment
		p.check(a.AppID != "", "an assignment names no application")
		p.check(a.PrincipalID != "", "an assignment names no principal")
		p.check(a.AppName != "" || slices.Contains(a.Unresolved, "app"), "an assignment has no application name and does not say it is unresolved")
		p.check(a.PrincipalName != "" || slices.Contains(a.Unresolved, "principal"), "an assignment has no principal name and does not say it is unresolved")
	case v.Domain != nil:
		p.check(v.Domain.Name != "", "a domain has no name")
	}
	return p
}

func checkApplication(p *problems, a *ApplicationView) {
	p.check(slices.Contains(AppObjects, a.Object), "application object %q is not one of %v", a.Object, AppObjects)
	p.state(a.State)
	p.check(slices.Contains(Catalogues, a.Catalogue), "catalogue %q is not one of %v", a.Catalogue, Catalogues)
	p.check(slices.Contains(Origins, a.Origin), "origin %q is not one of %v", a.Origin, Origins)
	switch a.Protocol {
	case ProtocolSAML:
		p.check(a.SAML != nil, "a SAML application has no SAML settings")
	case ProtocolOIDC:
		p.check(a.OIDC != nil, "an OIDC application has no OIDC settings")
	case ProtocolWSFederation:
		p.check(a.WSFederation != nil, "a WS-Federation application has no WS-Federation settings")
	case ProtocolPassword:
		p.check(a.Password != nil, "a password application has no password settings")
	}
	p.check(a.SAML == nil || a.Protocol == ProtocolSAML, "SAML settings on a %s application", a.Protocol)
	if s := a.SAML; s != nil {
		p.check((s.StatementsExposed == Yes) == (s.StatementsGap == ""), "attribute statements exposed=%s with gap %q: a gap is named exactly when they are not exposed", s.StatementsExposed, s.StatementsGap)
		p.check(s.StatementsExposed == Yes || len(s.AttributeStatements) == 0, "attribute statements listed although the API is said not to expose them")
	}
	if pw := a.Password; pw != nil {
		p.check(slices.Contains([]string{PasswordVariantSWA, PasswordVariantBrowserPlugin, PasswordVariantVaulted, PasswordVariantBasicAuth}, pw.Variant),
			"password variant %q is not a known one", pw.Variant)
	}
	for _, c := range a.Credentials {
		p.check(c.Type == "secret" || c.Type == "certificate", "credential type %q is not secret or certificate", c.Type)
	}
	p.secret(a.ClientSecret)
}

func checkProvider(p *problems, pv *ProviderView) {
	p.state(pv.State)
	p.check(pv.Protocol != ProviderSocial || pv.SocialNetwork != "", "a social provider does not say which network")
	p.check(pv.Protocol == ProviderSocial || pv.SocialNetwork == "", "a %s provider names social network %q", pv.Protocol, pv.SocialNetwork)
	p.secret(pv.ClientSecret)
}

type problems []string

func (p *problems) check(ok bool, format string, args ...any) {
	if !ok {
		*p = append(*p, fmt.Sprintf(format, args...))
	}
}

func (p *problems) state(s State) {
	p.check(slices.Contains(States, s), "state %q is not one of %v", s, States)
}

func (p *problems) secret(s SecretField) {
	p.check(s.Marker == "" || strings.HasPrefix(s.Marker, RedactedPrefix), "a secret field holds a value that is not a redaction marker")
	p.check(s.Marker == "" || s.Present == Yes, "a secret marker is kept but the secret is not said to be present")
}
