package okta_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/secret"
)

// faultBounds are tight enough for a test to wait out every fault.
// faultBounds are tight enough for a test to wait out every fault, and
// loose enough that a loaded machine does not time out a healthy exchange.
var faultBounds = netguard.Bounds{RequestTimeout: 3 * time.Second, IdleTimeout: 500 * time.Millisecond, MaxBody: 4 << 20}

// faultCollector is the collector the inventory service builds, with its
// whole transport stack (pacing, evidence, network bounds) over a counter.
func faultCollector(t *testing.T, stop context.Context, orgURL string, settings okta.Settings, cred secret.Value) (*okta.Collector, *faulttest.Counter) {
	t.Helper()
	count := &faulttest.Counter{Base: &netguard.Transport{Bounds: faultBounds, Stop: stop}}
	pacing := okta.Vendor{}.Pacing()
	pacing.Share, pacing.MaxWait, pacing.Backoff = 1, time.Minute, 10*time.Millisecond
	client := &http.Client{Transport: inventory.NewPacer(inventory.NewEvidence(count, &recorder{}, testRedactor, nil), pacing)}
	settings.OrgURL = orgURL
	c, err := okta.New(context.Background(), settings, cred, client)
	if err != nil {
		t.Fatal(err)
	}
	return c, count
}

// TestCollectionEndsOnEveryFault: through the real Okta SDK and the
// service's transports, each fault ends the collection within five times
// the bound that catches it, with an error that names what happened; a
// failure no retry can cure is sent once; and the heap stays below ten
// times the body limit.
func TestCollectionEndsOnEveryFault(t *testing.T) {
	untrusted := faulttest.StartUntrusted(t, http.NotFoundHandler())
	cases := []struct {
		fault   faulttest.Fault
		url     func(t testing.TB) string
		bound   time.Duration
		final   bool
		want    []string
		notWant string
	}{
		{fault: faulttest.Silence, bound: 3 * faultBounds.IdleTimeout, want: []string{"did not answer within " + faultBounds.IdleTimeout.String(), "after 3 attempts"}},
		{fault: faulttest.HeadersThenSilence, bound: 3 * faultBounds.IdleTimeout, want: []string{"stopped sending its answer: nothing more came for " + faultBounds.IdleTimeout.String(), "after 3 attempts"}},
		{fault: faulttest.EndlessBody, bound: faultBounds.RequestTimeout, final: true, want: []string{"exceeded the 4 MiB limit"}},
		{fault: faulttest.GzipBomb, bound: faultBounds.RequestTimeout, final: true, want: []string{"exceeded the 4 MiB limit", "after decompression"}},
		{fault: faulttest.FarFutureReset, bound: faultBounds.IdleTimeout, final: true, want: []string{"resets at 2100-01-01T00:00:00Z", "collect again after that time"}},
		{fault: faulttest.SelfNext, bound: faultBounds.IdleTimeout, want: []string{"next page", "is a page it already sent", "/api/v1/"}},
		{fault: "refused port", url: faulttest.RefusedURL, bound: faultBounds.IdleTimeout, final: true, want: []string{"nothing listens at 127.0.0.1:"}},
		{fault: "untrusted certificate", url: func(testing.TB) string { return untrusted.URL }, bound: faultBounds.IdleTimeout, final: true,
			want: []string{"the certificate of 127.0.0.1:", "is not trusted"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			var orgURL string
			if tc.url != nil {
				orgURL = tc.url(t)
			} else {
				orgURL = faulttest.Start(t, faulttest.Okta, tc.fault).URL
			}
			c, count := faultCollector(t, context.Background(), orgURL, okta.Settings{Auth: okta.AuthAPIToken}, secret.New("fake-okta-token-test-only"))
			var err error
			start := time.Now()
			grew := faulttest.PeakHeap(func() { err = c.Collect(context.Background(), &recorder{}) })
			faulttest.Within(t, string(tc.fault), time.Since(start), 5*tc.bound)
			t.Log(err)
			faulttest.Named(t, err, tc.want...)
			// Each listing in flight may hold one body up to the limit.
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

// TestTheTokenRequestIsBounded: a private-key source's token request,
// which the SDK sends without the caller's context, still ends at the idle
// timeout on a silent org, and at once when the collection is cancelled.
func TestTheTokenRequestIsBounded(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := secret.New(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	srv := faulttest.Start(t, faulttest.Okta, faulttest.Silence)
	settings := okta.Settings{Auth: okta.AuthPrivateKey, ClientID: "0oa-fake-client-test-only"}

	c, _ := faultCollector(t, context.Background(), srv.URL, settings, pemKey)
	start := time.Now()
	err = c.Collect(context.Background(), &recorder{})
	faulttest.Within(t, "a silent token endpoint", time.Since(start), 5*3*faultBounds.IdleTimeout)
	faulttest.Named(t, err, "/oauth2/v1/token", "did not answer within "+faultBounds.IdleTimeout.String())
	if strings.Contains(err.Error(), "client_assertion") {
		t.Errorf("the error quotes the token request's signed assertion: %v", err)
	}

	// Cancelled: the collection's stop context reaches the token request.
	stop, cancel := context.WithCancel(context.Background())
	c, _ = faultCollector(t, stop, srv.URL, settings, pemKey)
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	err = c.Collect(stop, &recorder{})
	faulttest.Within(t, "a cancelled token request", time.Since(start), faultBounds.IdleTimeout)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled collection ended with %v, want context.Canceled", err)
	}
}
