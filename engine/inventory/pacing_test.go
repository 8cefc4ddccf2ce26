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
	// others is what the customer's own integrations spend of each window
	// before this client's first request in it: counted, not logged.
	others int

	mu       sync.Mutex
	counts   map[int64]int
	log      []arrival
	throttle int
}

type arrival struct {
	at       time.Time
	window   int64
	reset    time.Time // named by the answer when it was a 429
	answered time.Time // when its answer was written
}

func (s *windowServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := time.Now().Add(s.skew)
	win := now.Unix()
	if _, seen := s.counts[win]; !seen {
		s.counts[win] = s.others
	}
	s.counts[win]++
	n := s.counts[win]
	a := arrival{at: now, window: win}
	if n > s.limit {
		s.throttle++
		a.reset = time.Unix(win+1, 0)
	}
	s.log = append(s.log, a)
	idx := len(s.log) - 1
	s.mu.Unlock()
	time.Sleep(s.busy)
	defer func() {
		s.mu.Lock()
		s.log[idx].answered = time.Now().Add(s.skew)
		s.mu.Unlock()
	}()
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

// windowLimits reads windowServer's budget headers.
var windowLimits = inventory.WindowHeaders("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")

// retryLimits reads only Retry-After, from a server that names no budget.
func retryLimits(resp *http.Response, now time.Time) inventory.Limits {
	l := inventory.Limits{Remaining: -1}
	if resp.StatusCode == http.StatusTooManyRequests {
		l.RetryAt, _ = inventory.RetryAfter(resp.Header, now)
	}
	return l
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
		Limits: windowLimits,
		Share:  1,
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
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{Limits: windowLimits, Share: 1})}
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
	reader := windowLimits
	p := inventory.NewPacer(nil, inventory.PacingOptions{
		Limits: func(resp *http.Response, now time.Time) inventory.Limits {
			l := reader(resp, now)
			l.Limit = 0
			return l
		},
		MaxAttempts: 20,
		Share:       1,
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
		Limits:  retryLimits,
		MaxWait: 2 * time.Hour,
		OnWait:  func(inventory.Wait) { cancel() },
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1.0/groups", nil)
	_, err := (&http.Client{Transport: p}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
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
	p := inventory.NewPacer(nil, inventory.PacingOptions{Limits: windowLimits, Share: 1})
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

// ours counts this client's requests per window, as the server logged them.
func (s *windowServer) ours() map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]int{}
	for _, a := range s.log {
		out[a.window]++
	}
	return out
}

// TestPacerSpendsItsShareOfEachWindow: at half of a 4-request window the
// pacer sends 2 requests a window, no more (and, with more waiting, no
// fewer), never meets a 429, and says the share is what it waits for.
func TestPacerSpendsItsShareOfEachWindow(t *testing.T) {
	t.Parallel()
	// No Date: the pacer then never holds a window's last request to time
	// the server's clock, which may push it into the next window.
	ws := &windowServer{limit: 4, noDate: true, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	var waits []inventory.Wait
	var wmu sync.Mutex
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{
		Limits: windowLimits, Share: 0.5,
		OnWait: func(w inventory.Wait) { wmu.Lock(); waits = append(waits, w); wmu.Unlock() },
	})}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range 3 {
				if err := get(t, context.Background(), c, srv.URL+"/api/v1/groups"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if ws.throttle > 0 {
		t.Errorf("%d requests were throttled", ws.throttle)
	}
	ours := ws.ours()
	var wins []int64
	for w, n := range ours {
		wins = append(wins, w)
		if n > 2 {
			t.Errorf("window %d served %d of this client's requests; half of 4 is 2", w, n)
		}
	}
	slices.Sort(wins)
	for _, w := range wins[1 : len(wins)-1] {
		if ours[w] != 2 {
			t.Errorf("window %d served %d requests with more waiting; the share is 2", w, ours[w])
		}
	}
	shareWaits := 0
	for _, w := range waits {
		if w.Cause == inventory.WaitShare && w.Share == 0.5 && !w.Reset.IsZero() {
			shareWaits++
		}
	}
	if shareWaits == 0 {
		t.Errorf("no wait said the share was spent: %+v", waits)
	}
}

// TestPacerLeavesTheCustomersShare: the customer's integrations spend 4 of
// each 10-request window before the collection's first request in it. The
// server's Remaining counts them, so the collection's budget of half the
// window leaves it 1 request, and Remaining never drops below the 5 kept
// for the customer.
func TestPacerLeavesTheCustomersShare(t *testing.T) {
	t.Parallel()
	ws := &windowServer{limit: 10, others: 4, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{Limits: windowLimits, Share: 0.5})}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 2 {
				if err := get(t, context.Background(), c, srv.URL+"/api/v1/apps"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for w, n := range ws.ours() {
		if n > 1 {
			t.Errorf("window %d: the collection sent %d requests into a window the customer had spent 4 of; its share leaves 1", w, n)
		}
	}
	for w, n := range ws.counts {
		if ws.limit-n < 5 {
			t.Errorf("window %d was left with %d of 10; 5 are the customer's", w, ws.limit-n)
		}
	}
}

// TestPacerAsksForTheBudgetBeforeABurst: eight requests at once, and only
// one reaches the server before it has answered: no burst goes out before
// the budget is known.
func TestPacerAsksForTheBudgetBeforeABurst(t *testing.T) {
	ws := &windowServer{limit: 50, busy: 40 * time.Millisecond, counts: map[int64]int{}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{Limits: windowLimits, Share: 1})}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := get(t, context.Background(), c, srv.URL+"/api/v1/users"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	first := ws.log[0]
	for i, a := range ws.log[1:] {
		if a.at.Before(first.answered) {
			t.Errorf("request %d arrived at %s, before the first answer at %s", i+2, a.at.Format(time.StampMicro), first.answered.Format(time.StampMicro))
		}
	}
}

// graphServer answers like Graph's replay: limit requests per window, the
// window opening at the first request after the last one ended, and a 429
// with a fractional Retry-After once it is spent. It publishes no budget.
type graphServer struct {
	limit  int
	window time.Duration

	mu        sync.Mutex
	start     time.Time
	served    int
	windows   []int // requests served per window, in order
	throttled []int // 429s per window
}

func (s *graphServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := time.Now()
	if s.start.IsZero() || now.Sub(s.start) >= s.window {
		s.start, s.served = now, 0
		s.windows, s.throttled = append(s.windows, 0), append(s.throttled, 0)
	}
	i := len(s.windows) - 1
	if s.served >= s.limit {
		s.throttled[i]++
		wait := s.start.Add(s.window).Sub(now)
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	s.served++
	s.windows[i]++
	s.mu.Unlock()
	io.WriteString(w, `{"value":[]}`)
}

// TestPacerHoldsGraphToItsShareOfThePace: Graph names no budget, but once
// it has refused the group, waited out, and refused it again, the second
// span shows the pace it allows; from then on the pacer holds the group to
// half of it: the windows after serve half their limit on average (a busy
// machine may bunch a few sends across a window's edge, so one window is
// not held to it exactly), and no request meets another 429.
func TestPacerHoldsGraphToItsShareOfThePace(t *testing.T) {
	gs := &graphServer{limit: 20, window: 200 * time.Millisecond}
	srv := httptest.NewServer(gs)
	defer srv.Close()
	c := &http.Client{Transport: inventory.NewPacer(nil, inventory.PacingOptions{Limits: retryLimits, Share: 0.5, MaxAttempts: 50})}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 18 {
				if err := get(t, context.Background(), c, srv.URL+"/v1.0/groups"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	gs.mu.Lock()
	defer gs.mu.Unlock()
	var throttled []int
	for i, n := range gs.throttled {
		if n > 0 {
			throttled = append(throttled, i)
		}
	}
	if len(throttled) == 0 {
		t.Fatal("the burst met no 429; this test would prove nothing")
	}
	if len(throttled) > 2 {
		t.Errorf("windows %v refused requests; the pacer should have learnt Graph's pace by the second", throttled)
	}
	// The last window holds what was left over.
	later := gs.windows[throttled[len(throttled)-1]+1 : len(gs.windows)-1]
	if len(later) < 5 {
		t.Fatalf("only %d full windows after the pace was learnt: %v", len(later), gs.windows)
	}
	served := 0
	for _, n := range later {
		served += n
	}
	if mean := float64(served) / float64(len(later)); mean > 11 {
		t.Errorf("the windows after the pace was learnt served %.1f requests on average (%v); half of the pace Graph allowed is 10", mean, later)
	}
}
