package sandbox_test

// The sandbox's own test harness: the server on a real SQLite file, served
// on 127.0.0.1, every request and answer checked against the OpenAPI
// document by the shared validating transport (engine/portal/portaltest).

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/portaltest"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

const sbxTenant = "sandbox-test-tenant"

// sbxClock is a settable clock for the 24-hour idempotency window.
type sbxClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *sbxClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *sbxClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

type sbx struct {
	t     testing.TB
	path  string
	store *sandboxdb.DB
	url   string
	clock *sbxClock
	// http validates every request and answer against the contract.
	http *http.Client
}

func newSbx(t testing.TB, opts sandbox.Options) *sbx {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	db, err := sandboxdb.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open sandbox store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &sbxClock{now: time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := httptest.NewServer(sandbox.NewServer(db, opts))
	t.Cleanup(srv.Close)
	check := portaltest.NewValidator(t, srv.URL)
	client := &http.Client{Transport: check.Transport(srv.Client().Transport)}
	return &sbx{t: t, path: path, store: db, url: srv.URL, clock: clock, http: client}
}

func (h *sbx) token(sc api.SessionContext, perms ...api.Permission) string {
	h.t.Helper()
	tok := "fake-sandbox-token-for-tests-" + string(sc) + "-" + strings.Repeat("m", len(perms))
	spec := sandbox.TokenSpec{Tenant: sbxTenant, Actor: "tester@example-corp.test", SessionContext: sc, Permissions: perms}
	if err := sandbox.AcceptToken(context.Background(), h.store, secret.New(tok), spec); err != nil {
		h.t.Fatalf("accept token: %v", err)
	}
	return tok
}

func (h *sbx) admin() string {
	return h.token(api.CustomerTenant, api.PortalMigrationsView, api.PortalMigrationsManage)
}

// answer is a response whose body was read and checked against the spec.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) problem(t testing.TB) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("answer %d is not a problem document: %v: %s", a.status, err, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("problem content type = %q", ct)
	}
	if p.Status != a.status {
		t.Errorf("problem status %d != HTTP status %d", p.Status, a.status)
	}
	return p
}

func (a answer) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %d answer: %v: %s", a.status, err, a.body)
	}
}

// do sends a request that keeps to the contract; the harness's transport
// validates it and the answer. hdr holds extra headers; a JSON body gets
// Content-Type application/json unless hdr sets one.
func (h *sbx) do(tok, method, path string, body []byte, hdr ...string) answer {
	h.t.Helper()
	a, err := h.send(tok, method, path, body, hdr...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

// doBad sends a request that breaks the contract on purpose (bad input, a
// missing token, an unknown route): only the answer is validated.
func (h *sbx) doBad(tok, method, path string, body []byte, hdr ...string) answer {
	h.t.Helper()
	a, err := h.sendBad(tok, method, path, body, hdr...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

func (h *sbx) send(tok, method, path string, body []byte, hdr ...string) (answer, error) {
	return h.exchange(portaltest.ReportTo(context.Background(), h.t), tok, method, path, body, hdr...)
}

func (h *sbx) sendBad(tok, method, path string, body []byte, hdr ...string) (answer, error) {
	ctx := portaltest.Deliberate(portaltest.ReportTo(context.Background(), h.t))
	return h.exchange(ctx, tok, method, path, body, hdr...)
}

func (h *sbx) exchange(ctx context.Context, tok, method, path string, body []byte, hdr ...string) (answer, error) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
