package sandbox_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// The write rate switch: writes beyond the bucket are answered 429 with
// the Retry-After the bucket needs; reads are never limited.
func TestSandboxWriteRate(t *testing.T) {
	h := newSbx(t, sandbox.Options{WriteRate: 0.5, WriteBurst: 2})
	tok := h.admin()
	for i := range 2 {
		body := fmt.Appendf(nil, `{"name":"Rate group %d"}`, i)
		if a := h.do(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", fmt.Sprint("rate-", i)); a.status != 201 {
			t.Fatalf("write %d within the burst = %d %s", i, a.status, a.body)
		}
	}
	a := h.do(tok, "POST", "/api/v1/groups", []byte(`{"name":"Rate group 2"}`), "Idempotency-Key", "rate-2")
	if a.status != 429 || a.problem(t).Code != "rate_limited" {
		t.Fatalf("a write beyond the rate = %d %s", a.status, a.body)
	}
	if secs, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || secs < 1 || secs > 2 {
		t.Fatalf("Retry-After %q: want the 1-2 seconds the bucket needs", a.header.Get("Retry-After"))
	}
	for range 5 {
		if a := h.do(tok, "GET", "/api/v1/groups", nil); a.status != 200 {
			t.Fatalf("a read under the write limit = %d", a.status)
		}
	}
}
