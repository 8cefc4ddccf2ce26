package entra

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
)

const (
	testToken    = "fake-graph-token-for-tests"
	testTenantID = "00000000-0000-4000-8000-00000000aaaa"
	testClientID = "00000000-0000-4000-8000-00000000bbbb"
	testSecret   = "fake-client-secret-for-tests"
	vendorDir    = "testdata/vendor"
)

// memory is an Emitter and a PageSink that keeps everything.
type memory struct {
	mu       sync.Mutex
	items    []inventory.Item
	members  []inventory.Member
	listings []inventory.MemberListing
	pages    map[int64]inventory.Page
}

func (m *memory) Emit(_ context.Context, items ...inventory.Item) error {
	m.mu.Lock()
	m.items = append(m.items, items...)
	m.mu.Unlock()
	return nil
}

func (m *memory) EmitMembers(_ context.Context, members ...inventory.Member) error {
	m.mu.Lock()
	m.members = append(m.members, members...)
	m.mu.Unlock()
	return nil
}

func (m *memory) MembersListed(_ context.Context, l inventory.MemberListing) error {
	m.mu.Lock()
	m.listings = append(m.listings, l)
	m.mu.Unlock()
	return nil
}

func (m *memory) SavePage(_ context.Context, p inventory.Page) error {
	m.mu.Lock()
	if m.pages == nil {
		m.pages = map[int64]inventory.Page{}
	}
	m.pages[p.PageID] = p
	m.mu.Unlock()
	return nil
}

func (m *memory) counts() map[inventory.Kind]int {
	c := map[inventory.Kind]int{}
	for _, it := range m.items {
		c[it.Kind]++
	}
	return c
}

func startReplay(t *testing.T, opts graphreplay.Options) *graphreplay.Server {
	t.Helper()
	if opts.AccessTokens == nil {
		opts.AccessTokens = []string{testToken}
	}
	s, err := graphreplay.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func vendorTenant(t *testing.T) *graphreplay.Tenant {
	t.Helper()
	tenant, err := graphreplay.LoadVendor(vendorDir)
	if err != nil {
		t.Fatal(err)
	}
	return tenant
}

// tokenCollector collects from s with a pasted token, through the evidence
// transport and the Graph pacer as the inventory service wires them.
func tokenCollector(t *testing.T, s *graphreplay.Server, sink inventory.PageSink, onWait func(inventory.Wait)) *Collector {
	t.Helper()
	settings := Settings{TenantID: testTenantID, Auth: AuthAccessToken, Cloud: CloudGlobal, GraphURL: s.URL()}
	c, err := open(settings, secret.New(testToken), inventory.NewEvidence(http.DefaultTransport, sink, testRedactor, nil), 1, onWait)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// open builds a collector as the inventory service does: Graph's pacing at
// share over transport.
func open(settings Settings, cred secret.Value, transport http.RoundTripper, share float64, onWait func(inventory.Wait)) (*Collector, error) {
	p := Vendor{}.Pacing()
	p.Share, p.OnWait = share, onWait
	return New(Config{Settings: settings, Credential: cred, HTTPClient: &http.Client{Transport: inventory.NewPacer(transport, p)}})
}

func wantCounts(tenant *graphreplay.Tenant) map[inventory.Kind]int {
	n := tenant.Counts()
	return map[inventory.Kind]int{
		inventory.KindApplication: n[graphreplay.Applications] + n[graphreplay.ServicePrincipals],
		inventory.KindDomain:      n[graphreplay.Domains],
		inventory.KindGroup:       n[graphreplay.Groups],
		inventory.KindPolicy:      n[graphreplay.Policies],
		inventory.KindAssignment:  n[graphreplay.AppRoleAssignedTo],
	}
}

func checkCounts(t *testing.T, got, want map[inventory.Kind]int) {
	t.Helper()
	for _, k := range inventory.Kinds {
		if got[k] != want[k] {
			t.Errorf("%s: collected %d, payloads hold %d", k, got[k], want[k])
		}
	}
}

// TestVendorPayloadsThroughSDK serves every vendor-written payload, two per
// page so the SDK's iterator follows @odata.nextLink, and checks the real
// SDK parses them all, counts match, and each item's raw payload is the
// bytes Graph sent for it, inside the evidence page it names.
func TestVendorPayloadsThroughSDK(t *testing.T) {
	tenant := vendorTenant(t)
	s := startReplay(t, graphreplay.Options{Tenant: tenant, MaxPageSize: 2, DefaultPageSize: 2})
	mem := &memory{}
	if err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, mem.counts(), wantCounts(tenant))
	for _, it := range mem.items {
		page, ok := mem.pages[it.EvidencePage]
		if !ok {
			t.Fatalf("%s %s names evidence page %d, which was not recorded", it.Kind, it.SourceID, it.EvidencePage)
		}
		if !bytes.Contains(page.Body, it.Raw) {
			t.Errorf("%s %s: raw payload is not the bytes of its evidence page", it.Kind, it.SourceID)
		}
		if !json.Valid(it.Raw) {
			t.Errorf("%s %s: raw payload is not JSON", it.Kind, it.SourceID)
		}
	}
	var multiPage bool
	for _, p := range mem.pages {
		multiPage = multiPage || p.PageNumber > 1
	}
	if !multiPage {
		t.Error("no listing needed a second page; nextLink paging went untested")
	}
}

// TestVendorAssignmentPayload reads the published appRoleAssignedTo list,
// filed under a service principal the published lists do not contain.
func TestVendorAssignmentPayload(t *testing.T) {
	s := startReplay(t, graphreplay.Options{Tenant: vendorTenant(t)})
	mem := &memory{}
	c := tokenCollector(t, s, mem, nil)
	out := &batcher{emit: mem}
	if err := c.assignments(context.Background(), "8e881353-1735-45af-af21-ee1344582a4d", out); err != nil {
		t.Fatal(err)
	}
	if err := out.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(mem.items) != 1 {
		t.Fatalf("got %d assignments, want 1", len(mem.items))
	}
	it := mem.items[0]
	if it.Subtype != string(inventory.AssignUser) || it.SourceID != "8e881353-1735-45af-af21-ee1344582a4d/cdb555e3-b33e-4fd5-a427-17fadacbdfa7" {
		t.Fatalf("assignment normalized as %s %s", it.Subtype, it.SourceID)
	}
}

func TestDemoTenantCollects(t *testing.T) {
	tenant := graphreplay.Demo()
	s := startReplay(t, graphreplay.Options{Tenant: tenant})
	mem := &memory{}
	if err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, mem.counts(), wantCounts(tenant))
	// Kinds of item by the vendor's own type: service principals by SSO
	// mode (null as "none"), domains by verification.
	subtypes := map[string]int{}
	origins := map[inventory.Origin]bool{}
	var expired []string
	for _, it := range mem.items {
		key := string(it.Kind) + "/" + it.Subtype
		switch v := it.View; {
		case v.Application != nil && v.Application.Object == inventory.AppObjectEntraServicePrincipal:
			key = "application/" + cmp.Or(v.Application.VendorType, "none")
			origins[v.Application.Origin] = true
			if s := v.Application.SAML; s != nil && s.ValidSigningCertificate == inventory.No {
				expired = append(expired, it.DisplayName)
			}
		case v.Application != nil:
			key = "application/" + string(v.Application.Object)
		case v.Domain != nil:
			key = map[inventory.Tri]string{inventory.Yes: "domain/verified", inventory.No: "domain/unverified"}[v.Domain.Verified]
		}
		subtypes[key]++
	}
	for _, want := range []string{"application/saml", "application/oidc", "application/password", "application/notSupported", "application/none",
		"application/entra_app_registration", "group/dynamic", "group/microsoft_365", "group/tenant", "assignment/user", "assignment/group",
		"assignment/service_principal", "domain/verified", "domain/unverified", "policy/conditional_access"} {
		if subtypes[want] == 0 {
			t.Errorf("no %s item in the demo tenant (got %v)", want, subtypes)
		}
	}
	for _, o := range []inventory.Origin{inventory.OriginTenant, inventory.OriginMicrosoft, inventory.OriginManagedIdentity, inventory.OriginOtherTenant} {
		if !origins[o] {
			t.Errorf("no service principal of origin %s in the demo tenant (got %v)", o, origins)
		}
	}
	if len(expired) != 1 || expired[0] != "Legacy Intranet (SAML)" {
		t.Errorf("expired SAML signing certificates: %v", expired)
	}
}

// TestRetryAfterHonoured: after a 429 the pacer sends nothing to Graph
// before the time Retry-After named, and the collection completes.
func TestRetryAfterHonoured(t *testing.T) {
	tenant := graphreplay.Synthetic(graphreplay.Size{Groups: 30, ServicePrincipals: 4, AssignmentsPerSP: 2, Domains: 2, Applications: 3, Policies: 2})
	s := startReplay(t, graphreplay.Options{Tenant: tenant, DefaultPageSize: 10, MaxPageSize: 10})
	const retryAfter = 1200 * time.Millisecond
	s.Inject(graphreplay.Fault{Collection: graphreplay.Groups, Times: 1, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
	var waits []inventory.Wait
	var mu sync.Mutex
	mem := &memory{}
	c := tokenCollector(t, s, mem, func(w inventory.Wait) { mu.Lock(); waits = append(waits, w); mu.Unlock() })
	if err := c.Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, mem.counts(), wantCounts(tenant))
	var throttledAt time.Time
	for _, r := range s.Requests() {
		if r.Status == http.StatusTooManyRequests {
			throttledAt = r.At
			continue
		}
		// Other listings may have had requests in flight when the 429 came
		// back; the groups listing is sequential, so its retry is the test.
		if !throttledAt.IsZero() && r.Collection == graphreplay.Groups && r.At.Before(throttledAt.Add(retryAfter)) {
			t.Errorf("%s %s sent %v after the 429, before Retry-After (%v) ran out", r.Path, r.Query, r.At.Sub(throttledAt), retryAfter)
		}
	}
	if throttledAt.IsZero() {
		t.Fatal("the injected 429 was never served")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) == 0 {
		t.Error("the pacer reported no wait for the 429")
	}
}

func TestRevokedTokenFailsWithGraphMessage(t *testing.T) {
	s := startReplay(t, graphreplay.Options{Tenant: graphreplay.Synthetic(graphreplay.Size{Groups: 3})})
	s.RevokeAll()
	mem := &memory{}
	err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem)
	var g *GraphError
	if !errors.As(err, &g) || g.Status != 401 || g.Code != "InvalidAuthenticationToken" || !strings.Contains(g.Message, "TokenIssuedBeforeRevocationTimestamp") {
		t.Fatalf("revoked token gave %v, want Graph's 401 InvalidAuthenticationToken", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatal("the error text carries the token")
	}
}

func TestClientSecretAgainstReplayTokenEndpoint(t *testing.T) {
	tenant := graphreplay.Synthetic(graphreplay.Size{Groups: 5, Domains: 1, ServicePrincipals: 2, AssignmentsPerSP: 1})
	s := startReplay(t, graphreplay.Options{Tenant: tenant, TLS: true, TenantID: testTenantID, ClientID: testClientID, ClientSecret: testSecret, AccessTokens: []string{}})
	collector := func(secretValue string) *Collector {
		c, err := New(Config{
			Settings: Settings{TenantID: testTenantID, ClientID: testClientID, Auth: AuthClientSecret,
				Cloud: CloudGlobal, GraphURL: s.URL(), AuthorityURL: s.URL()},
			Credential: secret.New(secretValue),
			HTTPClient: s.Client(),
			AuthClient: s.Client(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mem := &memory{}
	if err := collector(testSecret).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, mem.counts(), wantCounts(tenant))

	err := collector("fake-wrong-secret-for-tests").Collect(context.Background(), &memory{})
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("wrong secret gave %v, want the authority's AADSTS7000215", err)
	}
	if strings.Contains(err.Error(), "fake-wrong-secret-for-tests") {
		t.Fatal("the error text carries the secret")
	}
}

// cancelOn cancels the collection as soon as a request for path leaves.
type cancelOn struct {
	path   string
	cancel context.CancelFunc
	once   sync.Once
}

func (c *cancelOn) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, c.path) {
		c.once.Do(c.cancel)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestCancelMidway: the groups listing hangs on a server that would answer
// in an hour; cancelling returns the collection with context.Canceled.
func TestCancelMidway(t *testing.T) {
	s := startReplay(t, graphreplay.Options{Tenant: graphreplay.Synthetic(graphreplay.Size{Groups: 20, ServicePrincipals: 3, AssignmentsPerSP: 1}), DefaultPageSize: 5, MaxPageSize: 5})
	s.Inject(graphreplay.Fault{Collection: graphreplay.Groups, Times: 1000, Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	settings := Settings{TenantID: testTenantID, Auth: AuthAccessToken, GraphURL: s.URL()}
	c, err := open(settings, secret.New(testToken), &cancelOn{path: "/groups", cancel: cancel}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Collect(ctx, &memory{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled collection returned %v, want context.Canceled", err)
	}
}

func TestSourceTestReportsGraphDenial(t *testing.T) {
	s := startReplay(t, graphreplay.Options{Tenant: graphreplay.Demo(), Denied: []string{graphreplay.Policies}})
	checks := tokenCollector(t, s, &memory{}, nil).Test(context.Background())
	if len(checks) != len(Domains) {
		t.Fatalf("%d checks, want one per domain (%d)", len(checks), len(Domains))
	}
	for _, c := range checks {
		if c.Domain == DomainConditionalAccess {
			if c.Readable || c.Status != 403 || c.Code != "Authorization_RequestDenied" || c.Message != "Insufficient privileges to complete the operation." {
				t.Errorf("denied domain reported as %+v", c)
			}
			continue
		}
		if !c.Readable {
			t.Errorf("%s reported unreadable: %+v", c.Domain, c)
		}
	}
}

func TestCloudEndpoints(t *testing.T) {
	for cloud, want := range map[Cloud]Endpoints{
		CloudGlobal: {"https://graph.microsoft.com", "https://login.microsoftonline.com"},
		CloudUSGov:  {"https://graph.microsoft.us", "https://login.microsoftonline.us"},
		CloudChina:  {"https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"},
	} {
		got, err := CloudEndpoints(cloud)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", cloud, got, err)
		}
	}
	_, err := New(Config{Settings: Settings{TenantID: testTenantID, Auth: AuthAccessToken, GraphURL: "http://graph.example.com"},
		Credential: secret.New(testToken), HTTPClient: http.DefaultClient})
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("plain http to a remote Graph accepted: %v", err)
	}
}

// TestSurvivesTruncatedAnd5xx: a response cut off mid-body and a 503 are
// retried by the pacer (the evidence transport turns the cut body into a
// transport error), and the snapshot still holds every element once.
func TestSurvivesTruncatedAnd5xx(t *testing.T) {
	tenant := graphreplay.Synthetic(graphreplay.Size{Groups: 40, ServicePrincipals: 5, AssignmentsPerSP: 2, Applications: 4, Domains: 2, Policies: 2})
	s := startReplay(t, graphreplay.Options{Tenant: tenant, DefaultPageSize: 10, MaxPageSize: 10})
	s.Inject(graphreplay.Fault{Collection: graphreplay.Groups, Times: 1, Truncate: true})
	s.Inject(graphreplay.Fault{Collection: graphreplay.ServicePrincipals, Times: 1, Status: http.StatusServiceUnavailable})
	mem := &memory{}
	if err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, mem.counts(), wantCounts(tenant))
	seen := map[string]bool{}
	for _, it := range mem.items {
		key := string(it.Kind) + "/" + it.SourceID
		if seen[key] {
			t.Fatalf("%s emitted twice", key)
		}
		seen[key] = true
	}
}
