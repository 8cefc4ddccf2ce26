package entra

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
	"github.com/portal-id/migration-console/engine/secret"
)

// faultBounds are tight enough for a test to wait out every fault, and
// loose enough that a loaded machine does not time out a healthy exchange.
var faultBounds = netguard.Bounds{RequestTimeout: 3 * time.Second, IdleTimeout: 500 * time.Millisecond, MaxBody: 4 << 20}

// faultCollector is the collector the inventory service builds, with its
// whole transport stack (pacing, evidence, network bounds) over a counter,
// and token requests held to the same bounds.
func faultCollector(t *testing.T, settings Settings, cred secret.Value, base http.RoundTripper) (*Collector, *faulttest.Counter) {
	t.Helper()
	count := &faulttest.Counter{Base: &netguard.Transport{Base: base, Bounds: faultBounds}}
	pacing := Vendor{}.Pacing()
	pacing.Share, pacing.MaxWait, pacing.Backoff = 1, time.Minute, 10*time.Millisecond
	c, err := New(Config{
		Settings:   settings,
		Credential: cred,
		HTTPClient: &http.Client{Transport: inventory.NewPacer(inventory.NewEvidence(count, &memory{}, testRedactor, nil), pacing)},
		AuthClient: &http.Client{Transport: &netguard.Transport{Base: base, Bounds: faultBounds}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, count
}

// TestCollectionEndsOnEveryFault: through the real Graph SDK and the
// service's transports, each fault ends the collection within five times
// the bound that catches it, with an error that names what happened; a
// failure no retry can cure is sent once; and the heap stays below ten
// times the body limit for each exchange in flight.
func TestCollectionEndsOnEveryFault(t *testing.T) {
	untrusted := faulttest.StartUntrusted(t, http.NotFoundHandler())
	idle := faultBounds.IdleTimeout.String()
	cases := []struct {
		fault faulttest.Fault
		url   func(t testing.TB) string
		bound time.Duration
		final bool
		want  []string
	}{
		{fault: faulttest.Silence, bound: 3 * faultBounds.IdleTimeout, want: []string{"did not answer within " + idle, "after 3 attempts"}},
		{fault: faulttest.HeadersThenSilence, bound: 3 * faultBounds.IdleTimeout, want: []string{"stopped sending its answer: nothing more came for " + idle, "after 3 attempts"}},
		{fault: faulttest.EndlessBody, bound: faultBounds.RequestTimeout, final: true, want: []string{"exceeded the 4 MiB limit"}},
		{fault: faulttest.GzipBomb, bound: faultBounds.RequestTimeout, final: true, want: []string{"exceeded the 4 MiB limit", "after decompression"}},
		{fault: faulttest.FarFutureReset, bound: faultBounds.IdleTimeout, final: true, want: []string{"until 2100-01-01T00:00:00Z", "collect again after that time"}},
		{fault: faulttest.SelfNext, bound: faultBounds.IdleTimeout, want: []string{"listing's next page", "is a page it already sent", "/v1.0/"}},
		{fault: "refused port", url: faulttest.RefusedURL, bound: faultBounds.IdleTimeout, final: true, want: []string{"nothing listens at 127.0.0.1:"}},
		{fault: "untrusted certificate", url: func(testing.TB) string { return untrusted.URL }, bound: faultBounds.IdleTimeout, final: true,
			want: []string{"the certificate of 127.0.0.1:", "is not trusted"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			graphURL := ""
			if tc.url != nil {
				graphURL = tc.url(t)
			} else {
				graphURL = faulttest.Start(t, faulttest.Graph, tc.fault).URL
			}
			settings := Settings{TenantID: testTenantID, Auth: AuthAccessToken, GraphURL: graphURL}
			c, count := faultCollector(t, settings, secret.New(testToken), nil)
			var err error
			start := time.Now()
			grew := faulttest.PeakHeap(func() { err = c.Collect(context.Background(), &memory{}) })
			faulttest.Within(t, string(tc.fault), time.Since(start), 5*tc.bound)
			t.Log(err)
			faulttest.Named(t, err, tc.want...)
			if bound := 10 * faultBounds.MaxBody * int64(count.MostInFlight()); grew > bound {
				t.Errorf("the heap grew by %s, over ten times the %s body limit for each of the %d exchanges in flight",
					netguard.Size(grew), netguard.Size(faultBounds.MaxBody), count.MostInFlight())
			}
			if path, outcomes := count.Most(); tc.final && len(outcomes) > 1 {
				t.Errorf("%s was sent %d times (%q); a failure no retry can cure is sent once", path, len(outcomes), outcomes)
			}
			faulttest.NoBlame(t, err)
		})
	}
}

// TestASilentAuthorityEndsTheCollection: a client-secret source whose
// authority accepts and never answers fails the collection within five
// times its three tries, naming the authority's endpoint, and at
// once when the collection is cancelled.
func TestASilentAuthorityEndsTheCollection(t *testing.T) {
	srv := faulttest.StartTLS(t, faulttest.Graph, faulttest.Silence)
	settings := Settings{TenantID: testTenantID, ClientID: testClientID, Auth: AuthClientSecret, GraphURL: srv.URL, AuthorityURL: srv.URL}
	c, _ := faultCollector(t, settings, secret.New(testSecret), srv.Transport())
	start := time.Now()
	err := c.Collect(context.Background(), &memory{})
	faulttest.Within(t, "a silent authority", time.Since(start), 5*3*faultBounds.IdleTimeout)
	// The authority's metadata (OpenID discovery) is its first request.
	faulttest.Named(t, err, srv.URL+"/"+testTenantID+"/v2.0/", "did not answer within "+faultBounds.IdleTimeout.String())
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("the error carries the client secret: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	err = c.Collect(ctx, &memory{})
	faulttest.Within(t, "a cancelled token request", time.Since(start), faultBounds.IdleTimeout)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled collection ended with %v, want context.Canceled", err)
	}
}
