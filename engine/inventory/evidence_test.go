package inventory_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
)

type memorySink struct {
	mu    sync.Mutex
	pages []inventory.Page
}

func (s *memorySink) SavePage(_ context.Context, p inventory.Page) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = append(s.pages, p)
	return nil
}

func (s *memorySink) all() []inventory.Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]inventory.Page(nil), s.pages...)
}

func TestEvidenceRecordsExactBytesAndNumbersPages(t *testing.T) {
	bodies := []string{`[{"id":"a1"}]`, `[{"id":"a2"},  {"id":"a3"}]` + "\n"}
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch calls {
		case 2: // the second page is throttled once, then served
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"errorCode":"E0000047"}`)
		case 1:
			io.WriteString(w, bodies[0])
		default:
			io.WriteString(w, bodies[1])
		}
	}))
	defer srv.Close()

	sink := &memorySink{}
	ev := inventory.NewEvidence(nil, sink, noCatalogue, nil)
	client := &http.Client{Transport: ev}
	ctx, trace := inventory.WithPageTrace(inventory.WithListing(context.Background(), "applications"))

	var got []string
	for range 3 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/apps?limit=200", nil)
		req.Header.Set("Authorization", "SSWS fake-okta-token-for-tests")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	if got[0] != bodies[0] || got[2] != bodies[1] {
		t.Fatalf("the client did not get the served bytes: %q", got)
	}
	pages := sink.all()
	if len(pages) != 3 {
		t.Fatalf("want 3 pages (two answers and one 429), got %d", len(pages))
	}
	wantNumbers := []int{1, 2, 2}
	wantStatus := []int{200, 429, 200}
	for i, p := range pages {
		sum := sha256.Sum256([]byte(got[i]))
		if p.SHA256 != hex.EncodeToString(sum[:]) || p.Bytes != len(got[i]) || string(p.Body) != got[i] {
			t.Errorf("page %d: digest/bytes do not match the served body", i)
		}
		if p.PageID != int64(i+1) || p.PageNumber != wantNumbers[i] || p.Status != wantStatus[i] {
			t.Errorf("page %d: id %d number %d status %d", i, p.PageID, p.PageNumber, p.Status)
		}
		if p.Domain != "applications" || p.Endpoint != "/api/v1/apps" || p.Query != "limit=200" {
			t.Errorf("page %d: %s %s?%s", i, p.Domain, p.Endpoint, p.Query)
		}
		if strings.Contains(string(p.Body), "fake-okta-token") {
			t.Errorf("page %d carries the credential", i)
		}
	}
	if trace.Last() != 3 {
		t.Errorf("trace last = %d, want 3", trace.Last())
	}
}

func TestEvidenceSkipsRequestsOutsideInventory(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"access_token":"fake-access-token-for-tests"}`)
	}))
	defer srv.Close()
	sink := &memorySink{}
	classify := func(r *http.Request) string {
		if strings.HasPrefix(r.URL.Path, "/oauth2/") {
			return ""
		}
		return "groups"
	}
	client := &http.Client{Transport: inventory.NewEvidence(nil, sink, noCatalogue, classify)}
	for _, path := range []string{"/oauth2/v1/token", "/api/v1/groups"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	pages := sink.all()
	if len(pages) != 1 || pages[0].Endpoint != "/api/v1/groups" || pages[0].Domain != "groups" {
		t.Fatalf("want only the groups page recorded, got %+v", pages)
	}
}

func TestEvidenceFailsOnTruncatedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, `[{"id":`)
	}))
	defer srv.Close()
	sink := &memorySink{}
	client := &http.Client{Transport: inventory.NewEvidence(nil, sink, noCatalogue, func(*http.Request) string { return "groups" })}
	resp, err := client.Get(srv.URL + "/api/v1/groups")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a truncated body must fail the request")
	}
	if len(sink.all()) != 0 {
		t.Fatal("a truncated body is not evidence of what the vendor sent")
	}
}
