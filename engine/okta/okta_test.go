package okta_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	demo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/secret"
)

// recorder is the inventory's page sink and item emitter, in memory.
type recorder struct {
	mu    sync.Mutex
	pages []inventory.Page
	items []inventory.Item
	// members and listings are the group memberships emitted.
	members  []inventory.Member
	listings []inventory.MemberListing
	// afterItems, when set, runs once the recorder holds that many items.
	afterItems int
	then       func()
}

func (r *recorder) SavePage(_ context.Context, p inventory.Page) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, p)
	return nil
}

func (r *recorder) Emit(_ context.Context, items ...inventory.Item) error {
	r.mu.Lock()
	r.items = append(r.items, items...)
	fire := r.then != nil && len(r.items) >= r.afterItems
	then := r.then
	if fire {
		r.then = nil
	}
	r.mu.Unlock()
	if fire {
		then()
	}
	return nil
}

func (r *recorder) EmitMembers(_ context.Context, members ...inventory.Member) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.members = append(r.members, members...)
	return nil
}

func (r *recorder) MembersListed(_ context.Context, l inventory.MemberListing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listings = append(r.listings, l)
	return nil
}

func (r *recorder) counts() map[inventory.Kind]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := map[inventory.Kind]int{}
	for _, it := range r.items {
		c[it.Kind]++
	}
	return c
}

func open(t testing.TB, srv *oktareplay.Server, rec *recorder, token string, onWait func(inventory.Wait)) *okta.Collector {
	t.Helper()
	c, err := okta.New(context.Background(), okta.Settings{OrgURL: srv.URL, Auth: okta.AuthAPIToken},
		secret.New(token), pacedClient(inventory.NewEvidence(nil, rec, testRedactor, nil), 1, onWait))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pacedClient is the client the inventory service hands a collector: Okta's
// pacing at share over base.
func pacedClient(base http.RoundTripper, share float64, onWait func(inventory.Wait)) *http.Client {
	p := okta.Vendor{}.Pacing()
	p.Share, p.OnWait = share, onWait
	return &http.Client{Transport: inventory.NewPacer(base, p)}
}

func sameCounts(t *testing.T, want, got map[inventory.Kind]int) {
	t.Helper()
	for _, k := range inventory.Kinds {
		if want[k] != got[k] {
			t.Errorf("%s: collected %d, payloads hold %d", k, got[k], want[k])
		}
	}
}

// Every vendor-written payload is served by some replayed org, parsed by
// the real SDK, and collected exactly: counts match, every item's raw
// payload is one served element, every page's digest is the served body's.
func TestVendorPayloadsCollectExactly(t *testing.T) {
	orgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) < 2 {
		t.Fatalf("expected the vendor examples to need several orgs, got %d", len(orgs))
	}
	for i, org := range orgs {
		srv := oktareplay.Start(t, org, oktareplay.Options{})
		rec := &recorder{}
		if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
			t.Fatalf("org %d: %v", i, err)
		}
		sameCounts(t, org.Counts(), rec.counts())

		// An item's raw payload is a served element, redacted as the
		// evidence transport redacts its page.
		stored := map[string]bool{}
		keep := func(b []byte) {
			res, err := testRedactor.Redact("", b)
			if err != nil {
				t.Fatal(err)
			}
			stored[string(res.Body)] = true
		}
		for _, set := range [][][]byte{raws(org.Apps), raws(org.Groups), raws(org.IdPs), raws(org.Domains), raws(org.Policies)} {
			for _, b := range set {
				keep(b)
			}
		}
		for _, rules := range org.Rules {
			for _, b := range rules {
				keep(b)
			}
		}
		for _, it := range rec.items {
			if it.Kind != inventory.KindAssignment && !stored[string(it.Raw)] {
				t.Errorf("org %d: %s %s raw payload is not a served element", i, it.Kind, it.SourceID)
			}
			if it.EvidencePage == 0 {
				t.Errorf("org %d: %s %s has no evidence page", i, it.Kind, it.SourceID)
			}
		}
		served := map[string]bool{}
		for _, r := range srv.Requests() {
			if r.SHA256 != "" {
				served[r.SHA256] = true
			}
		}
		for _, p := range rec.pages {
			if !served[p.SHA256] {
				t.Errorf("org %d: page %s?%s digest %s was never served", i, p.Endpoint, p.Query, p.SHA256)
			}
			if bytes.Contains(p.Body, []byte(oktareplay.Token)) {
				t.Errorf("page %d carries the token", p.PageID)
			}
		}
	}
}

func raws[T ~[]byte](in []T) [][]byte {
	out := make([][]byte, len(in))
	for i, b := range in {
		out[i] = b
	}
	return out
}

func TestRevokedTokenFailsWithTheAPIsMessage(t *testing.T) {
	orgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	srv := oktareplay.Start(t, orgs[0], oktareplay.Options{})
	srv.Revoke()
	rec := &recorder{}
	c := open(t, srv, rec, oktareplay.Token, nil)
	err = c.Collect(context.Background(), rec)
	if err == nil || !strings.Contains(err.Error(), "Invalid token provided") || !strings.Contains(err.Error(), "E0000011") {
		t.Fatalf("want Okta's E0000011 message, got %v", err)
	}
	if strings.Contains(err.Error(), oktareplay.Token) {
		t.Fatal("the error carries the token")
	}
	for _, ch := range c.Test(context.Background()) {
		if ch.Readable || ch.Code != "E0000011" || ch.Status != http.StatusUnauthorized {
			t.Errorf("source test %+v: want denied with E0000011", ch)
		}
	}
}

func TestSourceTestReadsEveryDomain(t *testing.T) {
	orgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	srv := oktareplay.Start(t, orgs[0], oktareplay.Options{})
	checks := open(t, srv, &recorder{}, oktareplay.Token, nil).Test(context.Background())
	if len(checks) != len(okta.Domains) {
		t.Fatalf("want %d checks, got %d", len(okta.Domains), len(checks))
	}
	for _, ch := range checks {
		if !ch.Readable {
			t.Errorf("%+v: want readable", ch)
		}
	}
}

func TestCancellationMidwayReturnsTheContextError(t *testing.T) {
	org := oktareplay.Generate(oktareplay.Spec{Apps: 60, Groups: 300, IdPs: 4, GroupsPerApp: 3, UsersPerApp: 5, Seed: 1})
	srv := oktareplay.Start(t, org, oktareplay.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{afterItems: 50, then: cancel}
	err := open(t, srv, rec, oktareplay.Token, nil).Collect(ctx, rec)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// Faults on the wire (5xx, truncated bodies) are retried by the pacer and
// the collection still comes out exact.
func TestFaultsAreRetriedAndCountsStayExact(t *testing.T) {
	org := oktareplay.Generate(oktareplay.Spec{Apps: 30, Groups: 120, IdPs: 3, GroupsPerApp: 2, UsersPerApp: 4, Seed: 2})
	srv := oktareplay.Start(t, org, oktareplay.Options{
		Inject: func(r *http.Request, n int) oktareplay.Fault {
			switch n % 7 {
			case 3:
				return oktareplay.ServerError
			case 5:
				return oktareplay.Truncate
			}
			return oktareplay.Serve
		},
	})
	rec := &recorder{}
	if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, org.Counts(), rec.counts())
	statuses := map[int]int{}
	for _, p := range rec.pages {
		statuses[p.Status]++
	}
	if statuses[http.StatusInternalServerError] == 0 {
		t.Error("the 5xx answers must be kept as evidence")
	}
}

// Under a 429 storm (the server hides its budget until it refuses), no
// request of a group arrives before the reset the server named. With one
// worker every group is read by one goroutine, so the request after a 429
// in a group left only after the client heard that 429.
func TestStormNoRequestBeforeTheNamedReset(t *testing.T) {
	org := oktareplay.Generate(oktareplay.Spec{Apps: 12, Groups: 50, IdPs: 2, GroupsPerApp: 1, UsersPerApp: 2, Seed: 3})
	srv := oktareplay.Start(t, org, oktareplay.Options{DefaultLimit: 3, HideBudget: true})
	rec := &recorder{}
	var waits int
	var mu sync.Mutex
	c := open(t, srv, rec, oktareplay.Token, func(inventory.Wait) { mu.Lock(); waits++; mu.Unlock() })
	c.Workers = 1
	if err := c.Collect(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, org.Counts(), rec.counts())
	last := map[string]oktareplay.Request{}
	storms := 0
	for _, r := range srv.Requests() {
		if prev, ok := last[r.Group]; ok && prev.Status == http.StatusTooManyRequests {
			storms++
			if r.At.Before(prev.Reset) {
				t.Errorf("%s arrived at %s, before the reset %s named by the 429 before it",
					r.Path, r.At.Format("15:04:05.000000"), prev.Reset.Format("15:04:05.000000"))
			}
		}
		last[r.Group] = r
	}
	if storms == 0 || waits == 0 {
		t.Fatalf("the server refused nothing (%d storms, %d waits): the test proves nothing", storms, waits)
	}
}

// The demo org collects exactly and carries the awkward cases the later
// stages and the demo walk through.
func TestDemoOrgCollectsWithItsAwkwardCases(t *testing.T) {
	org, err := oktareplay.LoadFS(demo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	srv := oktareplay.Start(t, org, oktareplay.Options{DefaultLimit: 50})
	rec := &recorder{}
	if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, org.Counts(), rec.counts())
	found := map[string]bool{}
	modes := map[string]bool{}
	for _, it := range rec.items {
		switch it.Kind {
		case inventory.KindApplication:
			a := it.View.Application
			modes[a.VendorType] = true
			if it.DisplayName == "Expense Portal" {
				found["Expense Portal"] = a.SAML != nil && len(a.SAML.SigningCertificates) > 0 && a.SAML.SigningCertificates[0].PEM != ""
			}
		case inventory.KindGroup:
			for _, name := range []string{"Engineering", "Everyone", "Admin Center Administrators"} {
				if it.DisplayName == name {
					found[name] = true
				}
			}
		case inventory.KindProvider:
			for _, c := range it.View.Provider.SigningCertificates {
				if c.Expired == inventory.Yes {
					found["expired certificate"] = true
				}
			}
		case inventory.KindRoutingRule:
			for _, p := range it.View.RoutingRule.Patterns {
				if p.MatchType == "EXPRESSION" {
					found["regex rule"] = true
				}
			}
		case inventory.KindAssignment:
			if a := it.View.Assignment; a.Target == inventory.AssignUser && a.Direct == inventory.Yes {
				found["direct user assignment"] = true
			}
		}
	}
	for _, want := range []string{"Expense Portal", "Engineering", "Everyone", "Admin Center Administrators", "expired certificate", "regex rule", "direct user assignment"} {
		if !found[want] {
			t.Errorf("demo collection lacks %s", want)
		}
	}
	if len(modes) < 5 {
		t.Errorf("demo apps cover only %d sign-on modes", len(modes))
	}
}
