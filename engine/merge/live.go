package merge

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
)

// Target is the live Portal as overlap detection reads it: every list, page
// by page, and one object with its ETag. *client.Client implements it; the
// client bounds each request (timeout, retries, answer size).
type Target interface {
	UpstreamProviders(ctx context.Context) iter.Seq2[api.UpstreamProvider, error]
	RoutingRules(ctx context.Context) iter.Seq2[api.RoutingRule, error]
	Groups(ctx context.Context) iter.Seq2[api.Group, error]
	Applications(ctx context.Context) iter.Seq2[api.Application, error]
	AppAssignments(ctx context.Context) iter.Seq2[api.AppAssignment, error]
	GetUpstreamProvider(ctx context.Context, id string) (client.Versioned[api.UpstreamProvider], error)
	GetRoutingRule(ctx context.Context, id string) (client.Versioned[api.RoutingRule], error)
	GetGroup(ctx context.Context, id string) (client.Versioned[api.Group], error)
	GetApplication(ctx context.Context, id string) (client.Versioned[api.Application], error)
	GetAppAssignment(ctx context.Context, id string) (client.Versioned[api.AppAssignment], error)
}

// Limits bound one read of the live target.
type Limits struct {
	// MaxObjects is the most objects of one noun read (default 500,000):
	// a target holding more is refused with a clear error rather than
	// half-read, since an unread object could be a missed overlap.
	MaxObjects int
	// Deadline bounds the whole read (default 10 minutes).
	Deadline time.Duration
}

func (l Limits) maxObjects() int {
	if l.MaxObjects > 0 {
		return l.MaxObjects
	}
	return 500_000
}

func (l Limits) deadline() time.Duration {
	if l.Deadline > 0 {
		return l.Deadline
	}
	return 10 * time.Minute
}

// Live is the live target's state as read at one moment.
type Live struct {
	Providers   []api.UpstreamProvider
	Rules       []api.RoutingRule
	Groups      []api.Group
	Apps        []api.Application
	Assignments []api.AppAssignment
	ReadAt      time.Time

	providerByIssuer map[string][]int
	providerByName   map[string][]int
	ruleByDomain     map[string][]int
	groupByName      map[string][]int
	appByName        map[string][]int
	appByRedirect    map[string][]int
	assignmentByPair map[[2]string]int
	providerIndex    map[string]int
	appIndex         map[string]int
	groupIndex       map[string]int
}

// ReadLive reads every provider, routing rule, group, application and app
// assignment of the live target, within the limits.
func ReadLive(ctx context.Context, t Target, lim Limits, now time.Time) (*Live, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.deadline())
	defer cancel()
	l := &Live{ReadAt: now}
	var err error
	if l.Providers, err = drain(t.UpstreamProviders(ctx), "upstream providers", lim); err != nil {
		return nil, err
	}
	if l.Rules, err = drain(t.RoutingRules(ctx), "routing rules", lim); err != nil {
		return nil, err
	}
	if l.Groups, err = drain(t.Groups(ctx), "groups", lim); err != nil {
		return nil, err
	}
	if l.Apps, err = drain(t.Applications(ctx), "applications", lim); err != nil {
		return nil, err
	}
	if l.Assignments, err = drain(t.AppAssignments(ctx), "app assignments", lim); err != nil {
		return nil, err
	}
	l.index()
	return l, nil
}

func drain[T any](seq iter.Seq2[T, error], noun string, lim Limits) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, fmt.Errorf("read the live target's %s: %w", noun, err)
		}
		if len(out) >= lim.maxObjects() {
			return nil, fmt.Errorf("the live target holds more than %d %s, more than overlap detection reads; nothing was decided", lim.maxObjects(), noun)
		}
		out = append(out, v)
	}
	return out, nil
}

// NewLive indexes objects already read (tests build one by hand).
func NewLive(l Live) *Live {
	l.index()
	return &l
}

func (l *Live) index() {
	add := func(m map[string][]int, key string, i int) {
		if key == "" {
			return
		}
		for _, j := range m[key] {
			if j == i {
				return
			}
		}
		m[key] = append(m[key], i)
	}
	l.providerByIssuer, l.providerByName = map[string][]int{}, map[string][]int{}
	l.providerIndex = map[string]int{}
	for i, p := range l.Providers {
		l.providerIndex[p.Id] = i
		add(l.providerByName, NameKey(p.Name), i)
		if iss := providerIssuer(p); iss != "" {
			add(l.providerByIssuer, URIKey(iss), i)
		}
	}
	l.ruleByDomain = map[string][]int{}
	for i, r := range l.Rules {
		for _, d := range r.Domains {
			add(l.ruleByDomain, DomainKey(d), i)
		}
	}
	l.groupByName, l.groupIndex = map[string][]int{}, map[string]int{}
	for i, g := range l.Groups {
		l.groupIndex[g.Id] = i
		add(l.groupByName, NameKey(g.Name), i)
	}
	l.appByName, l.appByRedirect, l.appIndex = map[string][]int{}, map[string][]int{}, map[string]int{}
	for i, a := range l.Apps {
		l.appIndex[a.Id] = i
		add(l.appByName, NameKey(a.Name), i)
		for _, u := range a.RedirectUris {
			add(l.appByRedirect, URIKey(u), i)
		}
	}
	l.assignmentByPair = map[[2]string]int{}
	for i, a := range l.Assignments {
		l.assignmentByPair[[2]string{a.AppId, a.GroupId}] = i
	}
}

func providerIssuer(p api.UpstreamProvider) string {
	switch {
	case p.Saml != nil:
		return p.Saml.EntityId
	case p.Oidc != nil:
		return p.Oidc.Issuer
	}
	return ""
}

// Counts are the live objects per noun.
func (l *Live) Counts() map[assessment.Noun]int {
	return map[assessment.Noun]int{
		assessment.NounUpstreamProvider: len(l.Providers),
		assessment.NounRoutingRule:      len(l.Rules),
		assessment.NounGroup:            len(l.Groups),
		assessment.NounApplication:      len(l.Apps),
		assessment.NounAppAssignment:    len(l.Assignments),
	}
}

// Samples are the first few names per noun, in the order the Portal listed
// them.
func (l *Live) Samples() map[assessment.Noun][]string {
	out := map[assessment.Noun][]string{}
	take := func(noun assessment.Noun, n int, name func(int) string) {
		for i := 0; i < n && i < SampleNames; i++ {
			out[noun] = append(out[noun], name(i))
		}
	}
	take(assessment.NounUpstreamProvider, len(l.Providers), func(i int) string { return l.Providers[i].Name })
	take(assessment.NounRoutingRule, len(l.Rules), func(i int) string { return l.Rules[i].Name })
	take(assessment.NounGroup, len(l.Groups), func(i int) string { return l.Groups[i].Name })
	take(assessment.NounApplication, len(l.Apps), func(i int) string { return l.Apps[i].Name })
	take(assessment.NounAppAssignment, len(l.Assignments), func(i int) string { return l.assignmentName(l.Assignments[i]) })
	return out
}

func (l *Live) assignmentName(a api.AppAssignment) string {
	app, group := a.AppId, a.GroupId
	if i, ok := l.appIndex[app]; ok {
		app = l.Apps[i].Name
	}
	if i, ok := l.groupIndex[group]; ok {
		group = l.Groups[i].Name
	}
	return app + " ← group " + group
}

// NameTaken reports a live object of noun whose name has the key of name,
// with its id and name: the Portal keeps provider, group and application
// names unique, so a create under such a name collides.
func (l *Live) NameTaken(noun assessment.Noun, name string) (id, taken string, ok bool) {
	key := NameKey(name)
	switch noun {
	case assessment.NounUpstreamProvider:
		if is := l.providerByName[key]; len(is) > 0 {
			return l.Providers[is[0]].Id, l.Providers[is[0]].Name, true
		}
	case assessment.NounGroup:
		if is := l.groupByName[key]; len(is) > 0 {
			return l.Groups[is[0]].Id, l.Groups[is[0]].Name, true
		}
	case assessment.NounApplication:
		if is := l.appByName[key]; len(is) > 0 {
			return l.Apps[is[0]].Id, l.Apps[is[0]].Name, true
		}
	}
	return "", "", false
}

// LiveName is one name the live target holds, as stored for later
// create_new checks.
type LiveName struct {
	Noun     assessment.Noun `json:"noun"`
	Key      string          `json:"key"`
	TargetID string          `json:"target_id"`
	Name     string          `json:"name"`
}

// Names lists every provider, group and application name as read, so a
// create_new can be checked against the live state the run saw.
func (l *Live) Names() []LiveName {
	out := make([]LiveName, 0, len(l.Providers)+len(l.Groups)+len(l.Apps))
	for _, p := range l.Providers {
		out = append(out, LiveName{assessment.NounUpstreamProvider, NameKey(p.Name), p.Id, p.Name})
	}
	for _, g := range l.Groups {
		out = append(out, LiveName{assessment.NounGroup, NameKey(g.Name), g.Id, g.Name})
	}
	for _, a := range l.Apps {
		out = append(out, LiveName{assessment.NounApplication, NameKey(a.Name), a.Id, a.Name})
	}
	return out
}

// Hit is one live object an item matched, before it is read again for its
// ETag.
type Hit struct {
	Noun     assessment.Noun `json:"noun"`
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Evidence []Evidence      `json:"evidence"`
}

func addHit(hits []Hit, h Hit) []Hit {
	for i := range hits {
		if hits[i].ID == h.ID {
			for _, e := range h.Evidence {
				if !containsEvidence(hits[i].Evidence, e) {
					hits[i].Evidence = append(hits[i].Evidence, e)
				}
			}
			return hits
		}
	}
	return append(hits, h)
}

func containsEvidence(es []Evidence, e Evidence) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// MatchProvider matches an upstream provider by its entity id or issuer,
// and by its name.
func (l *Live) MatchProvider(name, issuer string) []Hit {
	var hits []Hit
	if issuer != "" {
		for _, i := range l.providerByIssuer[URIKey(issuer)] {
			p := l.Providers[i]
			t := MatchIssuer
			if p.Saml != nil {
				t = MatchEntityID
			}
			hits = addHit(hits, Hit{assessment.NounUpstreamProvider, p.Id, p.Name, []Evidence{{t, issuer, providerIssuer(p)}}})
		}
	}
	for _, i := range l.providerByName[NameKey(name)] {
		p := l.Providers[i]
		hits = addHit(hits, Hit{assessment.NounUpstreamProvider, p.Id, p.Name, []Evidence{{MatchName, name, p.Name}}})
	}
	return hits
}

// MatchRoutingRule matches the live routing rules that already route one
// of domains: the Portal routes a domain by one rule only.
func (l *Live) MatchRoutingRule(domains []string) []Hit {
	var hits []Hit
	for _, d := range domains {
		for _, i := range l.ruleByDomain[DomainKey(d)] {
			r := l.Rules[i]
			live := ""
			for _, ld := range r.Domains {
				if DomainKey(ld) == DomainKey(d) {
					live = ld
				}
			}
			hits = addHit(hits, Hit{assessment.NounRoutingRule, r.Id, r.Name, []Evidence{{MatchEmailDomain, d, live}}})
		}
	}
	return hits
}

// MatchGroup matches live groups by name.
func (l *Live) MatchGroup(name string) []Hit {
	var hits []Hit
	for _, i := range l.groupByName[NameKey(name)] {
		g := l.Groups[i]
		hits = addHit(hits, Hit{assessment.NounGroup, g.Id, g.Name, []Evidence{{MatchName, name, g.Name}}})
	}
	return hits
}

// MatchApplication matches live applications by name and by any shared
// redirect URI.
func (l *Live) MatchApplication(name string, redirects []string) []Hit {
	var hits []Hit
	for _, i := range l.appByName[NameKey(name)] {
		a := l.Apps[i]
		hits = addHit(hits, Hit{assessment.NounApplication, a.Id, a.Name, []Evidence{{MatchName, name, a.Name}}})
	}
	for _, u := range redirects {
		for _, i := range l.appByRedirect[URIKey(u)] {
			a := l.Apps[i]
			live := ""
			for _, lu := range a.RedirectUris {
				if URIKey(lu) == URIKey(u) {
					live = lu
				}
			}
			hits = addHit(hits, Hit{assessment.NounApplication, a.Id, a.Name, []Evidence{{MatchRedirectURI, u, live}}})
		}
	}
	return hits
}

// MatchAssignment matches the live assignments of any application among
// apps to any group among groups (the ids the assignment's own
// application and group matched).
func (l *Live) MatchAssignment(appName, groupName string, apps, groups []Hit) []Hit {
	var hits []Hit
	for _, a := range apps {
		for _, g := range groups {
			i, ok := l.assignmentByPair[[2]string{a.ID, g.ID}]
			if !ok {
				continue
			}
			asg := l.Assignments[i]
			hits = addHit(hits, Hit{assessment.NounAppAssignment, asg.Id, l.assignmentName(asg), []Evidence{{MatchAppGroup,
				appName + " ← group " + groupName, a.Name + " ← group " + g.Name}}})
		}
	}
	return hits
}

// refsOf names the objects a live object refers to.
func (l *Live) refsOf(noun assessment.Noun, obj any) map[string]string {
	switch v := obj.(type) {
	case api.RoutingRule:
		if i, ok := l.providerIndex[v.ProviderId]; ok {
			return map[string]string{"provider": l.Providers[i].Name}
		}
	case api.AppAssignment:
		out := map[string]string{}
		if i, ok := l.appIndex[v.AppId]; ok {
			out["application"] = l.Apps[i].Name
		}
		if i, ok := l.groupIndex[v.GroupId]; ok {
			out["group"] = l.Groups[i].Name
		}
		return out
	}
	return nil
}

// resolve reads a Hit's object again, for its ETag and the object as it is
// now; gone reports an object deleted since the list was read.
func resolve(ctx context.Context, t Target, l *Live, h Hit, now time.Time) (m MatchedResource, gone bool, err error) {
	m = MatchedResource{Noun: h.Noun, TargetID: h.ID, Name: h.Name, Evidence: h.Evidence, ReadAt: now}
	var obj any
	switch h.Noun {
	case assessment.NounUpstreamProvider:
		v, e := t.GetUpstreamProvider(ctx, h.ID)
		obj, m.ETag, err = v.Value, v.ETag, e
	case assessment.NounRoutingRule:
		v, e := t.GetRoutingRule(ctx, h.ID)
		obj, m.ETag, err = v.Value, v.ETag, e
	case assessment.NounGroup:
		v, e := t.GetGroup(ctx, h.ID)
		obj, m.ETag, err = v.Value, v.ETag, e
	case assessment.NounApplication:
		v, e := t.GetApplication(ctx, h.ID)
		obj, m.ETag, err = v.Value, v.ETag, e
	case assessment.NounAppAssignment:
		v, e := t.GetAppAssignment(ctx, h.ID)
		obj, m.ETag, err = v.Value, v.ETag, e
	default:
		return m, false, fmt.Errorf("no live noun %q", h.Noun)
	}
	if err != nil {
		if isNotFound(err) {
			return m, true, nil
		}
		return m, false, fmt.Errorf("read live %s %s: %w", strings.ReplaceAll(string(h.Noun), "_", " "), h.ID, err)
	}
	if m.Object, err = json.Marshal(obj); err != nil {
		return m, false, fmt.Errorf("encode live %s %s: %w", h.Noun, h.ID, err)
	}
	m.Refs = l.refsOf(h.Noun, obj)
	return m, false, nil
}

func isNotFound(err error) bool { return errors.Is(err, client.ErrNotFound) }

// certFingerprint is the upper-case hex SHA-256 of a PEM certificate's DER
// bytes (the form inventory.Certificate uses), or "" when it does not parse.
func certFingerprint(pemText string) string {
	b, _ := pem.Decode([]byte(pemText))
	if b == nil {
		return ""
	}
	if _, err := x509.ParseCertificate(b.Bytes); err != nil {
		return ""
	}
	sum := sha256.Sum256(b.Bytes)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
