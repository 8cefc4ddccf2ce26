package netguard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
)

// tight are bounds a test can wait out: each fault must end within a few
// times the bound that catches it.
var tight = netguard.Bounds{RequestTimeout: 2 * time.Second, IdleTimeout: 300 * time.Millisecond, MaxBody: 4 << 20}

// get sends one GET through a bounded transport and reads the whole body,
// as every consumer does.
func get(ctx context.Context, b netguard.Bounds, u string) ([]byte, error) {
	client := &http.Client{Transport: netguard.NewTransport(nil, b)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// TestEveryFaultEndsWithANamedError: each fault of the fault server ends
// the exchange within a few times the bound that catches it, with an error
// that names the endpoint and the bound, and the heap stays well below ten
// times the body limit.
func TestEveryFaultEndsWithANamedError(t *testing.T) {
	cases := []struct {
		fault     faulttest.Fault
		bound     time.Duration
		want      []string
		retryable bool
	}{
		{faulttest.Silence, tight.IdleTimeout, []string{"GET http://", "/page", "did not answer within 300ms"}, true},
		{faulttest.HeadersThenSilence, tight.IdleTimeout, []string{"/page", "stopped sending its answer", "300ms"}, true},
		{faulttest.EndlessBody, tight.RequestTimeout, []string{"/page", "exceeded the 4 MiB limit"}, false},
		{faulttest.GzipBomb, tight.RequestTimeout, []string{"/page", "exceeded the 4 MiB limit", "after decompression"}, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			srv := faulttest.Start(t, faulttest.Okta, tc.fault)
			var err error
			var body []byte
			start := time.Now()
			grew := faulttest.PeakHeap(func() { body, err = get(context.Background(), tight, srv.URL+"/page?after=x") })
			faulttest.Within(t, string(tc.fault), time.Since(start), 5*tc.bound)
			faulttest.Named(t, err, tc.want...)
			if len(body) > int(tight.MaxBody) {
				t.Errorf("the consumer holds %d bytes, over the %d limit", len(body), tight.MaxBody)
			}
			if grew > 10*tight.MaxBody {
				t.Errorf("the heap grew by %s, over ten times the %s body limit", netguard.Size(grew), netguard.Size(tight.MaxBody))
			}
			if got := netguard.Retryable(err); got != tc.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tc.retryable)
			}
			// net/http's url.Error quotes the URL; what this package says
			// names the endpoint without its query (cursors, a token
			// exchange's assertion).
			var timeout *netguard.TimeoutError
			var limit *netguard.BodyLimitError
			switch {
			case errors.As(err, &timeout):
				err = timeout
			case errors.As(err, &limit):
				err = limit
			default:
				t.Fatalf("%v is neither a timeout nor a body limit", err)
			}
			if strings.Contains(err.Error(), "after=x") {
				t.Errorf("error %q quotes the query", err)
			}
		})
	}
}

// TestTheWholeExchangeIsBounded: a body that trickles in, never idle long
// enough for the idle timeout, still ends at the request timeout, and that
// is not retried.
func TestTheWholeExchangeIsBounded(t *testing.T) {
	trickle := faulttest.StartHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	b := netguard.Bounds{RequestTimeout: 700 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := get(context.Background(), b, trickle.URL+"/slow")
	faulttest.Within(t, "a trickling body", time.Since(start), 5*b.RequestTimeout)
	faulttest.Named(t, err, "/slow", "did not finish within 700ms")
	if netguard.Retryable(err) {
		t.Errorf("the request timeout is retryable: %v", err)
	}
}

// TestADeclaredOversizedBodyIsRefusedBeforeReading: a Content-Length over
// the limit fails at once.
func TestADeclaredOversizedBodyIsRefusedBeforeReading(t *testing.T) {
	big := faulttest.StartHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(8<<20))
		w.WriteHeader(http.StatusOK)
	}))
	_, err := get(context.Background(), tight, big.URL+"/big")
	faulttest.Named(t, err, "/big", "announced 8 MiB, over the 4 MiB limit")
}

// TestHopelessEndpointsAreNamedAndFinal: a refused port and an untrusted
// certificate fail at once, are not retryable, and are explained.
func TestHopelessEndpointsAreNamedAndFinal(t *testing.T) {
	refused := faulttest.RefusedURL(t)
	untrusted := faulttest.StartUntrusted(t, http.NotFoundHandler())
	cases := []struct {
		name, url, want string
	}{
		{"refused", refused, "nothing listens at " + strings.TrimPrefix(refused, "http://")},
		{"untrusted", untrusted.URL, "the certificate of " + strings.TrimPrefix(untrusted.URL, "https://") + " is not trusted"},
		{"plain http behind https", "https://" + strings.TrimPrefix(faulttest.Start(t, faulttest.Okta, faulttest.SelfNext).URL, "http://"), "does not speak TLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := get(context.Background(), tight, tc.url)
			faulttest.Within(t, tc.name, time.Since(start), 5*tight.IdleTimeout)
			if err == nil {
				t.Fatal("no error")
			}
			if netguard.Retryable(err) {
				t.Errorf("Retryable(%v) = true", err)
			}
			u, _ := url.Parse(tc.url)
			if got := netguard.Explain(u.Host, err); !strings.Contains(got, tc.want) {
				t.Errorf("Explain = %q, want it to say %q", got, tc.want)
			}
		})
	}
}

// TestCancelAndStopEndAStall: the caller's context and the transport's Stop
// each end a stalled exchange at once, as a cancellation, not a timeout.
func TestCancelAndStopEndAStall(t *testing.T) {
	srv := faulttest.Start(t, faulttest.Okta, faulttest.Silence)
	slow := netguard.Bounds{IdleTimeout: time.Minute}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := get(ctx, slow, srv.URL)
	faulttest.Within(t, "a cancelled stall", time.Since(start), 5*time.Second)
	if !errors.Is(err, context.Canceled) || netguard.Retryable(err) {
		t.Errorf("cancelled: %v", err)
	}

	stop, halt := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, halt)
	tr := &netguard.Transport{Bounds: slow, Stop: stop}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil) // no context, as the Okta SDK's token request
	start = time.Now()
	_, err = tr.RoundTrip(req)
	faulttest.Within(t, "a stopped stall", time.Since(start), 5*time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("stopped: %v", err)
	}
}

// TestACallersAcceptEncodingIsDropped: the transport asks for gzip itself,
// so the body limit counts decoded bytes even when the caller asked for
// gzip.
func TestACallersAcceptEncodingIsDropped(t *testing.T) {
	srv := faulttest.Start(t, faulttest.Okta, faulttest.GzipBomb)
	client := &http.Client{Transport: netguard.NewTransport(nil, tight)}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !resp.Uncompressed {
		t.Error("the transport did not decode the body itself")
	}
	_, err = io.ReadAll(resp.Body)
	faulttest.Named(t, err, "exceeded the 4 MiB limit")
}

// TestRetryable: what can succeed on another attempt, and what cannot.
func TestRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&netguard.TimeoutError{Waited: time.Second}, true},
		{&netguard.TimeoutError{Waited: time.Second, Whole: true}, false},
		{&url.Error{Op: "Get", URL: "https://x", Err: syscall.ECONNRESET}, true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false},
		{&net.DNSError{Name: "nowhere.invalid", Err: "no such host", IsNotFound: true}, false},
		{&net.DNSError{Name: "slow.example", Err: "i/o timeout", IsTimeout: true}, true},
		{&netguard.BodyLimitError{Limit: 1}, false},
		{&netguard.LoopError{Listing: "x"}, false},
		{context.Canceled, false},
		{errors.New("database is locked"), false},
	}
	for _, tc := range cases {
		if got := netguard.Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestPagesRefusesARepeat: a listing's next page may not be one it already
// fetched, however long ago; the error names the page.
func TestPagesRefusesARepeat(t *testing.T) {
	p := netguard.NewPages("okta groups")
	for _, ref := range []string{"/api/v1/groups", "/api/v1/groups?after=a", "/api/v1/groups?after=b"} {
		if err := p.Visit(ref); err != nil {
			t.Fatalf("first visit of %s: %v", ref, err)
		}
	}
	err := p.Visit("/api/v1/groups?after=a")
	var loop *netguard.LoopError
	if !errors.As(err, &loop) || loop.After != 3 {
		t.Fatalf("repeat: %v", err)
	}
	faulttest.Named(t, err, "okta groups", "/api/v1/groups?after=a", "after page 3")
	long := strings.Repeat("x", 1000)
	_ = p.Visit(long)
	if err := p.Visit(long); len(err.Error()) > 600 {
		t.Errorf("a long repeated link is quoted whole: %d characters", len(err.Error()))
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 bytes", 4 << 20: "4 MiB", 128 << 20: "128 MiB", 3 << 29: "1.5 GiB"} {
		if got := netguard.Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
