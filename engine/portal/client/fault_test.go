package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/secret"
)

// portalFakeToken is an admin token no Portal accepts.
const portalFakeToken = "fake-portal-admin-token-test-only"

// Bounds tight enough for a test to wait out every fault, and loose enough
// that a loaded machine does not time out a healthy exchange.
const (
	faultTimeout  = 3 * time.Second
	faultIdle     = 500 * time.Millisecond
	faultMaxBody  = 4 << 20
	faultAttempts = 3
)

// TestCallsEndOnEveryFault: a Portal client call (a cursor-paged listing)
// against each fault ends within five times the bound that catches it,
// with an error that names what happened; a failure no retry can cure is
// sent once; and the heap stays below ten times the body limit.
func TestCallsEndOnEveryFault(t *testing.T) {
	untrusted := faulttest.StartUntrusted(t, http.NotFoundHandler())
	idle := faultIdle.String()
	cases := []struct {
		fault faulttest.Fault
		url   func(t testing.TB) string
		bound time.Duration
		final bool
		is    error
		want  []string
	}{
		{fault: faulttest.Silence, bound: faultAttempts * faultIdle, want: []string{"did not answer within " + idle, "after 3 attempt(s)"}},
		{fault: faulttest.HeadersThenSilence, bound: faultAttempts * faultIdle, want: []string{"stopped sending its answer: nothing more came for " + idle}},
		{fault: faulttest.EndlessBody, bound: faultTimeout, final: true, is: netguard.ErrBodyLimit, want: []string{"exceeded the 4 MiB limit"}},
		{fault: faulttest.GzipBomb, bound: faultTimeout, final: true, is: netguard.ErrBodyLimit, want: []string{"exceeded the 4 MiB limit", "after decompression"}},
		{fault: faulttest.FarFutureReset, bound: faultIdle, final: true, is: client.ErrRateLimited, want: []string{"wait until 2100-01-01T00:00:00Z", "try again after that time"}},
		{fault: faulttest.SelfNext, bound: faultIdle, want: []string{"list groups listing's next page (cursor-that-repeats)", "is a page it already sent"}},
		{fault: "refused port", url: faulttest.RefusedURL, bound: faultIdle, final: true, want: []string{"GET http://127.0.0.1:", "/groups: nothing listens at 127.0.0.1:"}},
		{fault: "untrusted certificate", url: func(testing.TB) string { return untrusted.URL }, bound: faultIdle, final: true,
			want: []string{"the certificate of 127.0.0.1:", "is not trusted"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			url := ""
			if tc.url != nil {
				url = tc.url(t)
			} else {
				url = faulttest.Start(t, faulttest.Portal, tc.fault).URL
			}
			count := &faulttest.Counter{Base: http.DefaultTransport.(*http.Transport).Clone()}
			c, err := client.New(url, secret.New(portalFakeToken), client.WithTransport(count),
				client.WithTimeout(faultTimeout), client.WithIdleTimeout(faultIdle), client.WithMaxBody(faultMaxBody),
				client.WithMaxAttempts(faultAttempts), client.WithRetryWait(time.Millisecond, 10*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			grew := faulttest.PeakHeap(func() { _, err = c.ListGroups(context.Background()) })
			faulttest.Within(t, string(tc.fault), time.Since(start), 5*tc.bound)
			t.Log(err)
			faulttest.Named(t, err, tc.want...)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if grew > 10*faultMaxBody {
				t.Errorf("the heap grew by %s, over ten times the %s body limit", netguard.Size(grew), netguard.Size(faultMaxBody))
			}
			if path, outcomes := count.Most(); tc.final && len(outcomes) > 1 {
				t.Errorf("%s was sent %d times (%q); a failure no retry can cure is sent once", path, len(outcomes), outcomes)
			}
			faulttest.NoBlame(t, err)
		})
	}
}

// TestCancelEndsAStalledCall: cancelling the caller's context ends a call
// the Portal never answers at once, with context.Canceled.
func TestCancelEndsAStalledCall(t *testing.T) {
	srv := faulttest.Start(t, faulttest.Portal, faulttest.Silence)
	c, err := client.New(srv.URL, secret.New(portalFakeToken), client.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.ListGroups(ctx)
	faulttest.Within(t, "a cancelled call", time.Since(start), time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled call ended with %v, want context.Canceled", err)
	}
}
