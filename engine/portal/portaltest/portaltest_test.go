package portaltest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recordingTB keeps what would have failed a test.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// A server that breaks the contract in each way the validator must catch,
// and one exchange that keeps to it.
func TestValidatorCatchesEachKindOfViolation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("answer") {
		case "good":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"tenant_id":"t","actor":"a","session_context":"customer_tenant","permissions":["portal.migrations.view"]}`)
		case "missing-field":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"tenant_id":"t"}`)
		case "crash":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(500)
			io.WriteString(w, `{"type":"about:blank","title":"boom","status":500,"code":"internal"}`)
		case "plain-404":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(404)
			io.WriteString(w, "not found")
		case "status-mismatch":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(429)
			io.WriteString(w, `{"type":"about:blank","title":"slow down","status":400,"code":"rate_limited"}`)
		}
	}))
	t.Cleanup(srv.Close)

	for _, c := range []struct {
		name, path, token string
		deliberate        bool
		want              string // "" for no violation
	}{
		{"keeps to the contract", "/api/v1/whoami?answer=good", "fake-token-for-tests", false, ""},
		{"answer misses a required field", "/api/v1/whoami?answer=missing-field", "fake-token-for-tests", false, "answer 200"},
		{"server error", "/api/v1/whoami?answer=crash", "fake-token-for-tests", false, "answered 500"},
		{"error answer is not a problem", "/api/v1/whoami?answer=plain-404", "fake-token-for-tests", false, "want application/problem+json"},
		{"problem status differs", "/api/v1/whoami?answer=status-mismatch", "fake-token-for-tests", false, "not the HTTP status"},
		{"request without a token", "/api/v1/whoami?answer=good", "", false, "no bearer token"},
		{"undeclared route", "/api/v1/nowhere?answer=good", "fake-token-for-tests", false, "not in the contract"},
		{"deliberately off contract", "/api/v1/nowhere?answer=good", "", true, ""},
		{"deliberate request, bad answer", "/api/v1/whoami?answer=plain-404", "", true, "want application/problem+json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			v := NewValidator(rec, srv.URL)
			ctx := context.Background()
			if c.deliberate {
				ctx = Deliberate(ctx)
			}
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := (&http.Client{Transport: v.Transport(http.DefaultTransport)}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(body) == 0 && resp.StatusCode == 200 {
				t.Error("the transport did not hand the answer's body on")
			}
			got := rec.all()
			switch {
			case c.want == "" && got != "":
				t.Errorf("reported a violation for a good exchange: %s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("violations %q do not include %q", got, c.want)
			}
			if strings.HasPrefix(c.path, "/api/v1/whoami") && !c.deliberate && v.Seen()["getWhoami"] != 1 {
				t.Errorf("seen = %v, want getWhoami once", v.Seen())
			}
		})
	}
}
