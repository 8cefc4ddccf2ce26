package client

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/secret"
)

const fakeToken = "fake-portal-admin-token-for-tests"

// hit is what the server saw of one request.
type hit struct {
	at     time.Time
	method string
	key    string
	auth   string
	body   string
}

// recorder is a loopback Portal stand-in whose handler answers by attempt
// number and keeps server-side timestamps of every request.
type recorder struct {
	mu      sync.Mutex
	hits    []hit
	replied []time.Time // when each answer was about to be written
}

func (r *recorder) serve(t *testing.T, answer func(n int, w http.ResponseWriter, req *http.Request)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.hits = append(r.hits, hit{at: time.Now(), method: req.Method, key: req.Header.Get(HeaderIdempotencyKey), auth: req.Header.Get("Authorization"), body: string(body)})
		n := len(r.hits)
		r.replied = append(r.replied, time.Now())
		r.mu.Unlock()
		answer(n, w, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (r *recorder) all() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

func newTestClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithRetryWait(time.Millisecond, 5*time.Millisecond), WithTimeout(10 * time.Second)}, opts...)
	c, err := New(url, secret.New(fakeToken), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func send(t *testing.T, c *Client, ctx context.Context, method, path, key, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	resp, err := c.http.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestNewRefusesUnsafeTargets(t *testing.T) {
	for _, raw := range []string{"http://portal.example.com", "ftp://127.0.0.1", "https://user:pw@portal.example.com", ""} {
		if _, err := New(raw, secret.New(fakeToken)); err == nil {
			t.Errorf("New(%q) accepted an unsafe or empty URL", raw)
		}
	}
	if _, err := New("https://portal.example.com", secret.Value{}); err == nil {
		t.Error("New accepted an empty token")
	}
	if _, err := New("http://127.0.0.1:1", secret.New(fakeToken)); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}

func TestRetryAfterSecondsIsHonouredServerSide(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := newTestClient(t, srv.URL)
	resp, err := send(t, c, context.Background(), http.MethodGet, "/v1/groups", "", "")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("want 200 after one 429, got %v %v", resp, err)
	}
	hits := rec.all()
	if len(hits) != 2 {
		t.Fatalf("want 2 requests, got %d", len(hits))
	}
	if gap := hits[1].at.Sub(rec.replied[0]); gap < time.Second {
		t.Errorf("second request arrived %s after the 429 that asked for 1s", gap)
	}
}

func TestRetryAfterHTTPDateIsHonouredServerSide(t *testing.T) {
	var rec recorder
	var notBefore time.Time
	srv := rec.serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			// HTTP dates have whole seconds: ask for the second after next.
			notBefore = time.Now().Add(time.Second).Truncate(time.Second).Add(time.Second)
			w.Header().Set("Retry-After", notBefore.UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := newTestClient(t, srv.URL)
	if _, err := send(t, c, context.Background(), http.MethodGet, "/v1/users", "", ""); err != nil {
		t.Fatal(err)
	}
	hits := rec.all()
	if len(hits) != 2 {
		t.Fatalf("want 2 requests, got %d", len(hits))
	}
	if hits[1].at.Before(notBefore) {
		t.Errorf("retry at %s, before the Retry-After date %s", hits[1].at, notBefore)
	}
}

func TestTooLongRetryAfterIsReturnedNotSlept(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"status":429,"code":"rate_limited","title":"Too many requests"}`)
	})
	c := newTestClient(t, srv.URL, WithMaxRetryAfter(time.Minute))
	resp, err := send(t, c, context.Background(), http.MethodGet, "/v1/groups", "", "")
	if err != nil {
		t.Fatal(err)
	}
	p := readProblem(resp, c.token)
	if !errors.Is(p, ErrRateLimited) || p.RetryAfter != time.Hour {
		t.Fatalf("want ErrRateLimited with a 1h RetryAfter, got %v", p)
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("want 1 request, got %d", n)
	}
}

func TestServerErrorsRetriedOnlyWhenReplayable(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	c := newTestClient(t, srv.URL, WithMaxAttempts(3))

	cases := []struct {
		method, key string
		want        int
	}{
		{http.MethodPost, "", 1},   // a create without a key could make two objects
		{http.MethodPost, "k1", 3}, // the server replays the stored answer
		{http.MethodGet, "", 3},
		{http.MethodDelete, "", 3},
	}
	for _, tc := range cases {
		before := len(rec.all())
		resp, err := send(t, c, context.Background(), tc.method, "/v1/groups", tc.key, `{"name":"g"}`)
		if err != nil || resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("%s key=%q: want the final 500 back, got %v %v", tc.method, tc.key, resp, err)
		}
		if got := len(rec.all()) - before; got != tc.want {
			t.Errorf("%s key=%q: sent %d times, want %d", tc.method, tc.key, got, tc.want)
		}
	}
}

func TestDroppedCreateIsResentWithTheSameKeyAndBody(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			// Committed, then the connection drops before the answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	c := newTestClient(t, srv.URL)
	key := OperationKey("ws-1", "plan-1", "step-7", "group", "okta-00g1")
	resp, err := send(t, c, context.Background(), http.MethodPost, "/v1/groups", key, `{"name":"Engineering"}`)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("want 201 on the resend, got %v %v", resp, err)
	}
	hits := rec.all()
	if len(hits) != 2 {
		t.Fatalf("want 2 requests, got %d", len(hits))
	}
	if hits[0].key != key || hits[1].key != key || hits[0].body != hits[1].body {
		t.Errorf("resend differs: %+v vs %+v", hits[0], hits[1])
	}
}

func TestDroppedUnkeyedPostIsNotResent(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := newTestClient(t, srv.URL)
	if _, err := send(t, c, context.Background(), http.MethodPost, "/v1/groups", "", `{}`); err == nil {
		t.Fatal("want an error for a dropped connection")
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("an unkeyed POST was sent %d times", n)
	}
}

func TestCancelStopsWaitingForRetryAfter(t *testing.T) {
	var rec recorder
	ctx, cancel := context.WithCancel(context.Background())
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		cancel()
	})
	c := newTestClient(t, srv.URL)
	_, err := send(t, c, ctx, http.MethodGet, "/v1/groups", "", "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("sent %d requests after cancel", n)
	}
}

func TestTokenGoesOnlyToThePortalOrigin(t *testing.T) {
	var portal, other recorder
	otherSrv := other.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {})
	portalSrv := portal.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {})
	c := newTestClient(t, portalSrv.URL)
	send(t, c, context.Background(), http.MethodGet, "/v1/whoami", "", "")
	req, _ := http.NewRequest(http.MethodGet, otherSrv.URL+"/elsewhere", nil)
	if resp, err := c.http.Do(req); err == nil {
		resp.Body.Close()
	}
	if got := portal.all()[0].auth; got != "Bearer "+fakeToken {
		t.Errorf("portal got Authorization %q", got)
	}
	if got := other.all()[0].auth; got != "" {
		t.Errorf("another origin got Authorization %q", got)
	}
}

// leakyTransport fails with the Authorization header in its error text, as a
// careless proxy or middleware might.
type leakyTransport struct{}

func (leakyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("proxy refused request with header %q", req.Header.Get("Authorization"))
}

func TestTokenNeverInErrorText(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1", WithTransport(leakyTransport{}), WithMaxAttempts(2))
	_, err := send(t, c, context.Background(), http.MethodGet, "/v1/whoami", "", "")
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), fakeToken) || strings.Contains(fmt.Sprintf("%+v", err), fakeToken) {
		t.Fatalf("token leaked into error: %v", err)
	}

	p := problemFrom(http.StatusUnauthorized, http.Header{"Content-Type": {"application/problem+json"}},
		[]byte(`{"code":"invalid_token","title":"bad token `+fakeToken+`","detail":"token `+fakeToken+` revoked"}`), c.token)
	if strings.Contains(p.Error(), fakeToken) {
		t.Fatalf("token echoed by the server leaked into the problem: %v", p)
	}
	if !errors.Is(p, ErrUnauthorized) {
		t.Errorf("401 problem does not match ErrUnauthorized")
	}
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	srv.StartTLS()
	defer srv.Close()
	c := newTestClient(t, srv.URL) // system roots: the test CA is not trusted
	_, err := send(t, c, context.Background(), http.MethodGet, "/v1/whoami", "", "")
	if err == nil || !strings.Contains(err.Error(), "is not trusted") {
		t.Fatalf("want a certificate error, got %v", err)
	}
	mu.Lock()
	dialled := conns
	mu.Unlock()
	if dialled != 1 {
		t.Errorf("dialled %d times; a bad certificate must not be retried", dialled)
	}

	trusted := newTestClient(t, srv.URL, WithRootCAs(poolOf(srv)))
	if _, err := send(t, trusted, context.Background(), http.MethodGet, "/v1/whoami", "", ""); err != nil {
		t.Fatalf("with the test CA trusted: %v", err)
	}
}

func TestOperationKeyIsStableAndUnambiguous(t *testing.T) {
	a := OperationKey("ws", "plan", "step", "group", "00g1")
	if a != OperationKey("ws", "plan", "step", "group", "00g1") {
		t.Fatal("same parts, different keys")
	}
	if OperationKey("ab", "c") == OperationKey("a", "bc") {
		t.Error("part boundaries are not part of the key")
	}
	// Pinned so a change of derivation (which would re-create objects on
	// resume after an upgrade) is a deliberate, visible decision.
	if want := "97c5a0482c74d3c35264e7e10ef2c41263f6f010acba552369d8a7101c033877"; a != want {
		t.Errorf("OperationKey derivation changed: got %s, want %s", a, want)
	}
}

func poolOf(srv *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return pool
}
