package merge_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// liveSandbox is the sandbox Portal on its own file, served on 127.0.0.1,
// with a client holding a manager's token.
type liveSandbox struct {
	t      *testing.T
	client *client.Client
	url    string
	token  secret.Value
}

func newLiveSandbox(t *testing.T) *liveSandbox {
	t.Helper()
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(sandbox.NewServer(db, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	tok := secret.New("fake-portal-token-for-merge-tests")
	if err := sandbox.AcceptToken(ctx, db, tok, sandbox.AdminTokenSpec("merge-tests", "consultant@example-corp.test")); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, tok, client.WithTimeout(10*time.Second), client.WithPageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	return &liveSandbox{t: t, client: c, url: srv.URL, token: tok}
}

func (s *liveSandbox) provider(name, entityID string) string {
	s.t.Helper()
	v, err := s.client.CreateUpstreamProvider(context.Background(), client.OperationKey("p", name), api.UpstreamProviderInput{
		Name: name, Type: api.Saml, Saml: &api.SamlSettings{EntityId: entityID, SsoUrl: "https://idp.example.test/sso",
			SigningCertificate: sandbox.DemoSAMLCertificate[1:]}})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

func (s *liveSandbox) oidcProvider(name, issuer string) string {
	s.t.Helper()
	v, err := s.client.CreateUpstreamProvider(context.Background(), client.OperationKey("p", name), api.UpstreamProviderInput{
		Name: name, Type: api.Oidc, Oidc: &api.OidcSettings{Issuer: issuer, ClientId: "fake-client-id"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

func (s *liveSandbox) rule(name, providerID string, domains ...string) string {
	s.t.Helper()
	v, err := s.client.CreateRoutingRule(context.Background(), client.OperationKey("r", name), api.RoutingRuleInput{
		Name: name, Domains: domains, ProviderId: providerID, Priority: 10})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

func (s *liveSandbox) group(name string) string {
	s.t.Helper()
	v, err := s.client.CreateGroup(context.Background(), client.OperationKey("g", name), api.GroupInput{Name: name})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

func (s *liveSandbox) app(name string, redirects ...string) string {
	s.t.Helper()
	v, _, err := s.client.CreateApplication(context.Background(), client.OperationKey("a", name), api.ApplicationInput{
		Name: name, RedirectUris: redirects, ClientType: api.Confidential,
		GrantTypes: []api.GrantType{api.AuthorizationCode}})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

func (s *liveSandbox) assign(appID, groupID string) string {
	s.t.Helper()
	v, err := s.client.CreateAppAssignment(context.Background(), client.OperationKey("asg", appID, groupID),
		api.AppAssignmentInput{AppId: appID, GroupId: groupID})
	if err != nil {
		s.t.Fatal(err)
	}
	return v.Value.Id
}

type want struct {
	id    string
	types []merge.MatchType
}

func check(t *testing.T, name string, hits []merge.Hit, wants ...want) {
	t.Helper()
	if len(hits) != len(wants) {
		t.Errorf("%s: %d matches %v, want %d", name, len(hits), hits, len(wants))
		return
	}
	for _, w := range wants {
		i := slices.IndexFunc(hits, func(h merge.Hit) bool { return h.ID == w.id })
		if i < 0 {
			t.Errorf("%s: %s not matched (got %v)", name, w.id, hits)
			continue
		}
		var types []merge.MatchType
		for _, e := range hits[i].Evidence {
			types = append(types, e.Type)
		}
		if !slices.Equal(types, w.types) {
			t.Errorf("%s: %s matched by %v, want %v", name, w.id, types, w.types)
		}
	}
}

// Collisions and near misses per noun, read from the sandbox over HTTP
// (two objects a page, so every list is paged).
func TestMatchingPerNoun(t *testing.T) {
	s := newLiveSandbox(t)
	saml := s.provider("Okta Corporate SAML", "http://www.okta.com/exk1demo")
	oidc := s.oidcProvider("Partner OIDC", "https://login.partner.example/v2.0")
	rule := s.rule("Example Corp staff", saml, "example-corp.com")
	idn := s.rule("Bücher staff", saml, "xn--bcher-kva.example")
	finance := s.group("Finance")
	dataTeam := s.group("Data Team")
	s.group("Expense Portal") // a group named like an application
	expense := s.app("Expense Portal", "https://expenses.example-corp.com/oauth/callback")
	wiki := s.app("Wiki", "https://wiki.example.test:443/cb")
	asg := s.assign(expense, finance)

	live, err := merge.ReadLive(context.Background(), s.client, merge.Limits{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := live.Counts(); got[assessment.NounGroup] != 3 || got[assessment.NounApplication] != 2 || got[assessment.NounAppAssignment] != 1 {
		t.Fatalf("live counts %v", got)
	}

	// Upstream providers: by entity id or issuer, and by name.
	check(t, "same entity id, other name", live.MatchProvider("Corporate IdP", "http://www.okta.com/exk1demo"), want{saml, []merge.MatchType{merge.MatchEntityID}})
	check(t, "entity id with upper-case host and a trailing slash", live.MatchProvider("x", "HTTP://WWW.OKTA.COM/exk1demo/"), want{saml, []merge.MatchType{merge.MatchEntityID}})
	check(t, "entity id whose path differs in case", live.MatchProvider("x", "http://www.okta.com/EXK1DEMO"))
	check(t, "same name in other case and spacing", live.MatchProvider("okta  corporate\u00a0saml", "https://other.example/idp"), want{saml, []merge.MatchType{merge.MatchName}})
	check(t, "same entity id and name", live.MatchProvider("Okta Corporate SAML", "http://www.okta.com/exk1demo"), want{saml, []merge.MatchType{merge.MatchEntityID, merge.MatchName}})
	check(t, "OIDC issuer", live.MatchProvider("Partner", "https://LOGIN.partner.example/v2.0/"), want{oidc, []merge.MatchType{merge.MatchIssuer}})
	check(t, "a near name", live.MatchProvider("Okta Corporate SAML 2", "https://other.example/idp"))
	check(t, "a group's name is not a provider", live.MatchProvider("Finance", ""))

	// Routing rules: by email domain.
	check(t, "routed domain in upper case with a root dot", live.MatchRoutingRule([]string{"EXAMPLE-CORP.COM."}), want{rule, []merge.MatchType{merge.MatchEmailDomain}})
	check(t, "a sub-domain is another domain", live.MatchRoutingRule([]string{"eu.example-corp.com"}))
	check(t, "an internationalised domain in Unicode", live.MatchRoutingRule([]string{"Bücher.example"}), want{idn, []merge.MatchType{merge.MatchEmailDomain}})
	check(t, "one of several domains", live.MatchRoutingRule([]string{"new.example", "example-corp.com"}), want{rule, []merge.MatchType{merge.MatchEmailDomain}})

	// Groups: by name after NFKC, case folding and white space.
	for _, name := range []string{"Finance", "finance", "FINANCE", " Finance\t", "ﬁnance", "Ｆｉｎａｎｃｅ", "Fin\u200bance"} {
		check(t, "group "+name, live.MatchGroup(name), want{finance, []merge.MatchType{merge.MatchName}})
	}
	check(t, "group with a line break inside", live.MatchGroup("Data\n  Team"), want{dataTeam, []merge.MatchType{merge.MatchName}})
	check(t, "decomposed and composed accents", live.MatchGroup("Data Te\u0301am"))
	for _, name := range []string{"Finances", "Fin ance", "Finance 2", "Wiki"} {
		check(t, "near miss "+name, live.MatchGroup(name))
	}

	// Applications: by name and by redirect URI.
	check(t, "app name in other case", live.MatchApplication("expense portal", nil), want{expense, []merge.MatchType{merge.MatchName}})
	check(t, "same redirect URI, other name", live.MatchApplication("Expenses",
		[]string{"https://EXPENSES.example-corp.com/oauth/callback/"}), want{expense, []merge.MatchType{merge.MatchRedirectURI}})
	check(t, "redirect URI with the default port spelled out", live.MatchApplication("Knowledge base", []string{"https://wiki.example.test/cb"}),
		want{wiki, []merge.MatchType{merge.MatchRedirectURI}})
	check(t, "redirect path differs in case", live.MatchApplication("Expenses", []string{"https://expenses.example-corp.com/oauth/Callback"}))
	check(t, "a group's name is not an application", live.MatchApplication("Finance", nil))

	// Assignments: by (application, group).
	apps := live.MatchApplication("Expense Portal", nil)
	check(t, "assignment of a matched app to a matched group", live.MatchAssignment("Expense Portal", "finance", apps, live.MatchGroup("finance")),
		want{asg, []merge.MatchType{merge.MatchAppGroup}})
	check(t, "the app assigned to another group", live.MatchAssignment("Expense Portal", "Data Team", apps, live.MatchGroup("Data Team")))
}

func TestNameKey(t *testing.T) {
	same := [][2]string{{"Finance", "ﬁnance"}, {"Finance", "FINANCE"}, {"Data Team", " data\u3000team "}, {"Straße", "STRASSE"},
		{"Ｆｉｎａｎｃｅ", "finance"}, {"Fin\u00adance", "Finance"}, {"Café", "Cafe\u0301"}}
	for _, p := range same {
		if merge.NameKey(p[0]) != merge.NameKey(p[1]) {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q: want the same", p[0], merge.NameKey(p[0]), p[1], merge.NameKey(p[1]))
		}
	}
	differ := [][2]string{{"Finance", "Finances"}, {"Fin ance", "Finance"}, {"Cafe", "Café"}}
	for _, p := range differ {
		if merge.NameKey(p[0]) == merge.NameKey(p[1]) {
			t.Errorf("NameKey(%q) == NameKey(%q): want them apart", p[0], p[1])
		}
	}
}
