package inventory_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// windowServer answers like Okta: limit requests per one-second window,
// aligned to epoch seconds of its clock (skew off this machine's), its Date
// header in whole seconds, and a 429 naming the reset once they are spent.
type windowServer struct {
	limit int
	skew  time.Duration
	// busy delays each answer after the request was counted, so the
	// client has counted requests in flight; noDate leaves out Date.
	busy   time.Duration
	noDate bool

	mu       sync.Mutex
	counts   map[int64]int
	log      []arrival
	throttle int
}

type arrival struct {
	at    time.Time
	reset time.Time // named by the answer when it was a 429
}

func (s *windowServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := time.Now().Add(s.skew)
	win := now.Unix()
	s.counts[win]++
	n := s.counts[win]
	a := arrival{at: now}
	if n > s.limit {
		s.throttle++
		a.reset = time.Unix(win+1, 0)
	}
	s.log = append(s.log, a)
	s.mu.Unlock()
	time.Sleep(s.busy)
	h := w.Header()
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	if s.noDate {
		h["Date"] = nil
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(s.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(max(0, s.limit-n)))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(win+1, 10))
	if n > s.limit {
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`)
		return
	}
	io.WriteString(w, `[]`)
}

func get(t *testing.T, ctx context.Context, c *http.Client, url string) error {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func TestPacerStaysWithinTheWindowBudget(t *testing.T) {
	ws := &windowServer{limit: 4, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	var waits []inventory.Wait
	var wmu sync.Mutex
	p := inventory.NewPacer(nil, inventory.PacingOptions{
		Limits: inventory.OktaLimits,
		OnWait: func(w inventory.Wait) { wmu.Lock(); waits = append(waits, w); wmu.Unlock() },
	})
	c := &http.Client{Transport: p}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range 4 {
				if err := get(t, context.Background(), c, srv.URL+"/api/v1/groups"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// The first requests go out before any limit is known; after that the
	// pacer must never overspend a window.
	if ws.throttle > 3 {
		t.Errorf("%d requests were throttled; only the first unpaced ones may be", ws.throttle)
	}
	if len(waits) == 0 {
		t.Error("12 requests at 4 per window must wait for a reset at least once")
	}
	for _, w := range waits {
		if w.Group != "" || w.Until.IsZero() {
			t.Errorf("odd wait %+v", w)
		}
	}
}

// Answers count requests still in flight: a budget that subtracts them
// from every answer's Remaining, and keeps the lowest result, would end
// each window with units unspent. The pacer spends every unit of every
// window it starts in full.
func TestPacerSpendsTheWholeWindow(t *testing.T) {
	ws := &windowServer{limit: 5, busy: 30 * time.Millisecond, noDate: true, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{Limits: inventory.OktaLimits})}
	if err := get(t, context.Background(), c, srv.URL+"/api/v1/users"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 3 {
				if err := get(t, context.Background(), c, srv.URL+"/api/v1/users"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.throttle > 0 {
		t.Errorf("%d requests were sent into a spent window", ws.throttle)
	}
	var wins []int64
	for w := range ws.counts {
		wins = append(wins, w)
	}
	slices.Sort(wins)
	// The first window began at an arbitrary moment; the last holds what
	// was left over.
	for _, w := range wins[1 : len(wins)-1] {
		if n := ws.counts[w]; n != ws.limit {
			t.Errorf("window %d served %d requests of %d, with more waiting", w, n, ws.limit)
		}
	}
}

func TestPacerHoldsTheGroupUntilTheNamedReset(t *testing.T) {
	// One request per window: every second request is refused, a storm of
	// 429s.
	ws := &windowServer{limit: 1, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	// Hide the budget from the pacer so it learns only from 429s, the worst
	// case.
	reader := inventory.OktaLimits
	p := inventory.NewPacer(nil, inventory.PacingOptions{
		Limits: func(resp *http.Response, now time.Time) inventory.Limits {
			l := reader(resp, now)
			l.Limit = 0
			return l
		},
		MaxAttempts: 20,
	})
	c := &http.Client{Transport: p}
	// Requests go one after another, so each leaves only after the client
	// heard the previous answer: any arrival after a 429 and before the
	// reset it named is the pacer's fault.
	for range 3 {
		if err := get(t, context.Background(), c, srv.URL+"/api/v1/apps"); err != nil {
			t.Fatal(err)
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.throttle == 0 {
		t.Fatal("the storm produced no 429")
	}
	for i := 1; i < len(ws.log); i++ {
		if prev := ws.log[i-1]; !prev.reset.IsZero() && ws.log[i].at.Before(prev.reset) {
			t.Errorf("request %d arrived at %s, before the reset %s named by the 429 before it",
				i, ws.log[i].at.Format(time.StampMicro), prev.reset.Format(time.StampMicro))
		}
	}
}

func TestPacerGivesUpWithAClearError(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	p := inventory.NewPacer(nil, inventory.PacingOptions{MaxAttempts: 3, Backoff: time.Millisecond})
	_, err := (&http.Client{Transport: p}).Get(srv.URL + "/api/v1/idps")
	if !errors.Is(err, inventory.ErrRetriesExhausted) {
		t.Fatalf("want ErrRetriesExhausted, got %v", err)
	}
	if calls != 3 {
		t.Errorf("want 3 attempts, got %d", calls)
	}
}

func TestPacerCancelsDuringAHold(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	p := inventory.NewPacer(nil, inventory.PacingOptions{
		Limits: inventory.GraphLimits,
		OnWait: func(inventory.Wait) { cancel() },
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1.0/groups", nil)
	_, err := (&http.Client{Transport: p}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestGraphLimitsReadsFractionalRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"2.128"}}}
	l := inventory.GraphLimits(resp, now)
	if got := l.RetryAt.Sub(now); got != 2128*time.Millisecond {
		t.Fatalf("retry after %s, want 2.128s", got)
	}
	resp = &http.Response{StatusCode: 200, Header: http.Header{"X-Ms-Throttle-Limit-Percentage": {"1.25"}}}
	if l := inventory.GraphLimits(resp, now); l.Slowdown != 0.8 {
		t.Fatalf("slowdown %v, want 0.8", l.Slowdown)
	}
}

// A server whose clock runs 10.4 s behind names resets that have passed on
// this machine's clock: taken at face value they would send every window's
// requests early into a spent budget. The pacer carries them over with the
// offset its Date headers bound, and never sends early.
func TestPacerFollowsTheServersClock(t *testing.T) {
	ws := &windowServer{limit: 3, skew: -10400 * time.Millisecond, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	p := inventory.NewPacer(nil, inventory.PacingOptions{Limits: inventory.OktaLimits})
	c := &http.Client{Transport: p}
	// One request first, so the budget is known before the burst.
	if err := get(t, context.Background(), c, srv.URL+"/api/v1/groups"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				if err := get(t, context.Background(), c, srv.URL+"/api/v1/groups"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.throttle > 0 {
		t.Errorf("%d requests were sent into a spent window", ws.throttle)
	}
	if len(ws.counts) < 4 {
		t.Errorf("13 requests at 3 per window used only %d windows", len(ws.counts))
	}
}

func TestOktaLimitsReadsTheBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "600")
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", "1700000060")
	h.Set("Retry-After", "90")
	l := inventory.OktaLimits(&http.Response{StatusCode: 429, Header: h}, now)
	if l.Limit != 600 || l.Remaining != 0 || !l.Reset.Equal(time.Unix(1_700_000_060, 0)) {
		t.Fatalf("limits %+v", l)
	}
	if !l.RetryAt.Equal(now.Add(90 * time.Second)) {
		t.Fatalf("retry at %s, want 90 s after %s", l.RetryAt, now)
	}
}
