package client_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// TestThousandCreatesWithCommitThenFail: a fifth of the creates are
// committed and then answered with a 503 or a dropped connection. Every
// create is retried with its key, so the tenant ends with exactly 1,000
// groups, and resuming the run in a new process creates nothing.
func TestThousandCreatesWithCommitThenFail(t *testing.T) {
	const n = 1000
	ctx := context.Background()
	h := newCTHarness(t, sandbox.Options{CommitThenFailRate: 0.2, CommitThenFailMode: sandbox.FailMixed, Seed: 20})
	tok := h.manager()
	c := h.client(tok)
	keyOf := func(i int) string {
		return client.OperationKey("ws-resilience", "plan-1", "step-"+strconv.Itoa(i), "group")
	}

	type result struct {
		id       string
		replayed bool
		err      error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				g, err := c.CreateGroup(ctx, keyOf(i), api.GroupInput{Name: fmt.Sprintf("Resilience group %04d", i)})
				results[i] = result{g.Value.Id, g.Replayed, err}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()

	ids := map[string]bool{}
	replayed := 0
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("create %d: %v", i, r.err)
		}
		ids[r.id] = true
		if r.replayed {
			replayed++
		}
	}
	if len(ids) != n {
		t.Fatalf("%d distinct ids for %d creates", len(ids), n)
	}
	failed := 0
	for _, a := range h.log.all() {
		if a.Method == http.MethodPost && (a.Status == 0 || a.Status == http.StatusServiceUnavailable) {
			failed++
		}
	}
	if failed < n/10 {
		t.Fatalf("only %d commit-then-fail answers; the switch did not bite", failed)
	}
	t.Logf("%d of %d creates were committed, then failed, and replayed", failed, n)
	if replayed != failed {
		t.Errorf("%d creates were answered from the idempotency store, want one per failure (%d)", replayed, failed)
	}
	counts, err := c.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[client.NounGroups] != n {
		t.Fatalf("the tenant holds %d groups, want exactly %d", counts[client.NounGroups], n)
	}

	// A resumed run (new process, same operation identities) creates nothing.
	resumed := h.client(tok)
	for i := range 50 {
		g, err := resumed.CreateGroup(ctx, keyOf(i), api.GroupInput{Name: fmt.Sprintf("Resilience group %04d", i)})
		if err != nil || !g.Replayed || g.Value.Id != results[i].id {
			t.Fatalf("resumed create %d: replayed %v, same id %v, %v", i, g.Replayed, g.Value.Id == results[i].id, err)
		}
	}
	if counts, err = resumed.Counts(ctx); err != nil || counts[client.NounGroups] != n {
		t.Fatalf("after resuming: %d groups, %v", counts[client.NounGroups], err)
	}
}

// TestRateLimitsAreHonoured: after every 429 the next request reaches the
// server no earlier than Retry-After says, measured on the server's clock.
func TestRateLimitsAreHonoured(t *testing.T) {
	ctx := context.Background()
	h := newCTHarness(t, sandbox.Options{RateLimitedRate: 0.5, RetryAfter: time.Second, Seed: 7})
	c := h.client(h.manager(), client.WithMaxAttempts(12))
	for i := range 3 {
		if _, err := c.CreateGroup(ctx, client.OperationKey("rate-limit", strconv.Itoa(i)), api.GroupInput{Name: "Rate limited " + strconv.Itoa(i)}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		if _, err := c.ListGroups(ctx); err != nil {
			t.Fatalf("list %d: %v", i, err)
		}
	}
	arrivals := h.log.all()
	limited := 0
	for i, a := range arrivals[:len(arrivals)-1] {
		if a.Status != http.StatusTooManyRequests {
			continue
		}
		limited++
		secs, err := strconv.Atoi(a.RetryAfter)
		if err != nil {
			t.Fatalf("429 without a Retry-After in seconds: %q", a.RetryAfter)
		}
		next := arrivals[i+1]
		if earliest := a.Answered.Add(time.Duration(secs) * time.Second); next.At.Before(earliest) {
			t.Errorf("request %d (%s %s) arrived %s after a 429 that asked for %ds", i+1, next.Method, next.Path, next.At.Sub(a.Answered), secs)
		}
	}
	if limited == 0 {
		t.Fatal("no 429 was served; the test proves nothing")
	}
	t.Logf("%d requests, %d answered 429 and retried no earlier than asked", len(arrivals), limited)
}
