package client_test

// The harness for the admin API client's contract, resilience and benchmark
// tests: the real sandbox on a real SQLite file, served on 127.0.0.1, with
// every request and answer checked against the OpenAPI document on the
// client's side by the shared validating transport (engine/portal/portaltest)
// and a server-side log of what arrived when.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/portaltest"
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
	check *portaltest.Validator
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
	return &ctHarness{tb: tb, store: db, url: srv.URL, log: log, check: portaltest.NewValidator(tb, srv.URL)}
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
		client.WithTransport(h.check.Transport(http.DefaultTransport)),
		client.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		client.WithMaxAttempts(8),
	}, opts...)
	c, err := client.New(h.url, tok, opts...)
	if err != nil {
		h.tb.Fatalf("client: %v", err)
	}
	return c
}

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
