package sandboxdb_test

// The sandbox's own test harness: the server on a real SQLite file, served
// on 127.0.0.1, every answer checked against the OpenAPI document.

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

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/portal-id/migration-console/engine/portal"
	"github.com/portal-id/migration-console/engine/portal/api"
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
	t      testing.TB
	path   string
	store  *sandboxdb.DB
	url    string
	router routers.Router
	clock  *sbxClock
	http   *http.Client
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
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &sbx{t: t, path: path, store: db, url: srv.URL, router: router, clock: clock, http: srv.Client()}
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

// do sends a request and validates the answer against the contract. hdr
// holds extra headers; a JSON body gets Content-Type application/json
// unless hdr sets one.
func (h *sbx) do(tok, method, path string, body []byte, hdr ...string) answer {
	h.t.Helper()
	a, err := h.send(tok, method, path, body, hdr...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

func (h *sbx) send(tok, method, path string, body []byte, hdr ...string) (answer, error) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(body))
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
	a := answer{status: resp.StatusCode, header: resp.Header, body: data}
	h.validate(req, a)
	return a, nil
}

// validate checks an answer against the contract: its status is declared
// (or covered by default), its headers and body match the schema.
func (h *sbx) validate(req *http.Request, a answer) {
	h.t.Helper()
	if a.status >= 500 && a.status != http.StatusServiceUnavailable {
		h.t.Errorf("%s %s answered %d: %s", req.Method, req.URL.Path, a.status, a.body)
	}
	if a.status >= 400 {
		a.problem(h.t)
	}
	route, params, err := h.router.FindRoute(req)
	if err != nil {
		return // an undeclared route: the problem check above is all there is
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 a.status,
		Header:                 a.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(a.body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		h.t.Errorf("%s %s answer %d breaks the contract: %v\n%s", req.Method, req.URL.Path, a.status, err, a.body)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
