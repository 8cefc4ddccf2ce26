package sandboxdb_test

// The harness for the admin API client's contract, resilience and benchmark
// tests: the real sandbox on a real SQLite file, served on 127.0.0.1, with
// every request and answer checked against the OpenAPI document on the
// client's side and a server-side log of what arrived when.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/portal-id/migration-console/engine/portal"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

const ctTenant = "contract-test-tenant"

// ctHarness is one sandbox on its own file.
type ctHarness struct {
	tb    testing.TB
	store sandbox.Store
	url   string
	log   *ctServerLog
	check *ctValidator
}

func newCTHarness(tb testing.TB, opts sandbox.Options) *ctHarness {
	tb.Helper()
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, filepath.Join(tb.TempDir(), "sandbox.db"))
	if err != nil {
		tb.Fatalf("open sandbox store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log := &ctServerLog{}
	srv := httptest.NewServer(log.wrap(sandbox.NewServer(db, opts)))
	tb.Cleanup(srv.Close)
	return &ctHarness{tb: tb, store: db, url: srv.URL, log: log, check: newCTValidator(tb, srv.URL)}
}

// token makes the sandbox accept an obviously fake token for a session.
func (h *ctHarness) token(sc api.SessionContext, perms ...api.Permission) secret.Value {
	h.tb.Helper()
	tok := secret.New(fmt.Sprintf("fake-portal-token-for-tests-%s-%d", sc, len(perms)))
	spec := sandbox.TokenSpec{Tenant: ctTenant, Actor: "consultant@example-corp.test", SessionContext: sc, Permissions: perms}
	if err := sandbox.AcceptToken(context.Background(), h.store, tok, spec); err != nil {
		h.tb.Fatalf("accept token: %v", err)
	}
	return tok
}

// manager is a token of a tenant member allowed to write.
func (h *ctHarness) manager() secret.Value {
	return h.token(api.CustomerTenant, api.PortalMigrationsView, api.PortalMigrationsManage)
}

// client returns a client whose every request and answer is validated.
func (h *ctHarness) client(tok secret.Value, opts ...client.Option) *client.Client {
	h.tb.Helper()
	opts = append([]client.Option{
		client.WithTransport(h.check.transport(http.DefaultTransport)),
		client.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		client.WithMaxAttempts(8),
	}, opts...)
	c, err := client.New(h.url, tok, opts...)
	if err != nil {
		h.tb.Fatalf("client: %v", err)
	}
	return c
}

// ctValidator checks requests and answers against the contract and keeps
// which operations were exercised.
type ctValidator struct {
	tb     testing.TB
	router routers.Router

	mu         sync.Mutex
	failures   []string
	operations map[string]int
}

func newCTValidator(tb testing.TB, serverURL string) *ctValidator {
	tb.Helper()
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	v := &ctValidator{tb: tb, router: router, operations: map[string]int{}}
	tb.Cleanup(func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		for i, f := range v.failures {
			if i == 10 {
				tb.Errorf("... and %d more contract violations", len(v.failures)-10)
				break
			}
			tb.Errorf("contract violation: %s", f)
		}
	})
	return v
}

func (v *ctValidator) fail(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, fmt.Sprintf(format, args...))
}

func (v *ctValidator) seen() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]int, len(v.operations))
	for k, n := range v.operations {
		out[k] = n
	}
	return out
}

func (v *ctValidator) transport(next http.RoundTripper) http.RoundTripper {
	return ctRoundTripper(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, err
			}
			body = b
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		what := req.Method + " " + req.URL.Path
		route, params, err := v.router.FindRoute(req)
		if err != nil {
			v.fail("%s: not in the contract: %v", what, err)
			return next.RoundTrip(req)
		}
		v.mu.Lock()
		v.operations[route.Operation.OperationID]++
		v.mu.Unlock()

		check := req.Clone(req.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))
		in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
			Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: bearerPresent}}
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			v.fail("%s request: %v", what, err)
		}

		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err // a dropped connection has no answer to check
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
			Header: resp.Header, Body: io.NopCloser(bytes.NewReader(answer)),
			Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
			v.fail("%s answer %d: %v", what, resp.StatusCode, err)
		}
		if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			v.fail("%s answer %d is not application/problem+json", what, resp.StatusCode)
		}
		return resp, nil
	})
}

func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

type ctRoundTripper func(*http.Request) (*http.Response, error)

func (f ctRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// ctArrival is one request as the server saw it.
type ctArrival struct {
	At         time.Time // when the request arrived
	Answered   time.Time // when the answer's header was written
	Method     string
	Path       string
	Key        string
	Status     int // 0 for a dropped connection
	RetryAfter string
}

// ctServerLog records every request on the server side, so timing claims
// (no retry before Retry-After) are checked where they matter.
type ctServerLog struct {
	mu       sync.Mutex
	arrivals []ctArrival
}

func (l *ctServerLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &ctStatusWriter{ResponseWriter: w}
		a := ctArrival{At: time.Now(), Method: r.Method, Path: r.URL.Path, Key: r.Header.Get(client.HeaderIdempotencyKey)}
		next.ServeHTTP(rw, r)
		a.Status, a.Answered, a.RetryAfter = rw.status, rw.at, rw.Header().Get("Retry-After")
		l.mu.Lock()
		l.arrivals = append(l.arrivals, a)
		l.mu.Unlock()
	})
}

func (l *ctServerLog) all() []ctArrival {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ctArrival(nil), l.arrivals...)
}

// ctStatusWriter notes the status and keeps Hijack working, which the
// sandbox's "commit, then drop the connection" switch needs.
type ctStatusWriter struct {
	http.ResponseWriter
	status int
	at     time.Time
}

func (w *ctStatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status, w.at = code, time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *ctStatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *ctStatusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
