package inventory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits is what one response says about its endpoint group's budget.
// Zero fields are unknown.
type Limits struct {
	// Limit is the number of requests the window allows.
	Limit int
	// Remaining is how many of them are left (-1 when unknown).
	Remaining int
	// Reset is when the current window ends, on this machine's clock.
	Reset time.Time
	// RetryAt is when a throttled request may be sent again.
	RetryAt time.Time
	// Slowdown is a throttle warning sent before any 429 (Graph's
	// x-ms-throttle-limit-percentage): 0 when absent, 1 to hold the current
	// pace, below 1 to slow down to that fraction of it.
	Slowdown float64
}

// LimitReader extracts Limits from a response received at now.
type LimitReader func(resp *http.Response, now time.Time) Limits

// OktaLimits returns a reader of X-Rate-Limit-Limit, -Remaining and -Reset
// (epoch seconds on the server's clock). It carries the reset onto this
// machine's clock with the skew seen in the Date headers: Date is truncated
// to the second, so the largest (Date - now) seen so far never overstates
// how far the server runs ahead, and the reset it yields never comes early.
func OktaLimits() LimitReader {
	var mu sync.Mutex
	var skew time.Duration
	seen := false
	return func(resp *http.Response, now time.Time) Limits {
		l := Limits{Remaining: -1}
		h := resp.Header
		if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit"))); err == nil && v > 0 {
			l.Limit = v
		}
		if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining"))); err == nil && v >= 0 {
			l.Remaining = v
		}
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			mu.Lock()
			if d := date.Sub(now); !seen || d > skew {
				skew, seen = d, true
			}
			mu.Unlock()
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64); err == nil && v > 0 {
			mu.Lock()
			l.Reset = time.Unix(v, 0).Add(-skew)
			mu.Unlock()
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			l.RetryAt = l.Reset
			if ra, ok := retryAfter(h, now); ok && ra.After(l.RetryAt) {
				l.RetryAt = ra
			}
		}
		return l
	}
}

// GraphLimits is a LimitReader of Microsoft Graph's throttling signals: Retry-After
// (seconds, possibly fractional, or an HTTP date) on a 429 or 503, and
// x-ms-throttle-limit-percentage (above 1.0 the caller is over its share
// and should slow down before Graph starts refusing).
func GraphLimits(resp *http.Response, now time.Time) Limits {
	l := Limits{Remaining: -1}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if ra, ok := retryAfter(resp.Header, now); ok {
			l.RetryAt = ra
		}
	}
	if v, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("x-ms-throttle-limit-percentage")), 64); err == nil && v > 0 {
		l.Slowdown = math.Min(1, 1/v)
	}
	return l
}

func retryAfter(h http.Header, now time.Time) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return time.Time{}, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && !math.IsInf(secs, 0) {
		return now.Add(time.Duration(secs * float64(time.Second))), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Wait is one pause the pacer takes before sending to a group.
type Wait struct {
	Group  string
	Until  time.Time
	Reason string // "rate-limit" or "retry after <status or error>"
}

func (w Wait) String() string {
	return fmt.Sprintf("%s wait on %s until %s", w.Reason, w.Group, w.Until.Format("15:04:05.000"))
}

// PacingOptions configure a Pacer.
type PacingOptions struct {
	// Group names the rate-limit group of a request (Okta: the endpoint
	// family, e.g. "/api/v1/apps/{id}/groups"). Nil puts every request in
	// one group.
	Group func(*http.Request) string
	// Limits reads each response's budget: OktaLimits() or GraphLimits.
	Limits LimitReader
	// MaxAttempts bounds the tries of one request (429s, 5xx and transport
	// errors together); default 10.
	MaxAttempts int
	// Backoff is the first pause after a 5xx or transport error, doubled
	// each time up to 30 s; default 500 ms.
	Backoff time.Duration
	// OnWait hears every pause; it must not block.
	OnWait func(Wait)
}

// Pacer is an http.RoundTripper that sends each endpoint group at its
// server-reported limit and not over it, and owns every retry: the vendor
// SDKs' own retries must be off. Okta budgets are fixed windows that the
// server counts and reports (limit, remaining, reset), so the pacer spends
// exactly the reported remainder and then holds the group until the reset;
// a token bucket alone would either overshoot at window edges or leave part
// of each window unused. golang.org/x/time/rate paces the groups whose
// server asks for a lower rate without a budget (Graph's throttle
// percentage). After a 429 nothing leaves for that group before the time the
// server named.
type Pacer struct {
	base http.RoundTripper
	opt  PacingOptions

	mu     sync.Mutex
	groups map[string]*paceGroup
}

// paceGroup is one rate-limit group's state, guarded by Pacer.mu.
type paceGroup struct {
	name      string
	limit     int       // requests per window; 0 = unknown, not gated
	remaining int       // budget left in the window, minus what is in flight
	reset     time.Time // end of the current window
	probing   bool      // a window rolled over; one request is asking for the new budget
	hold      time.Time // after a 429: nothing leaves before this
	inflight  int
	slow      *rate.Limiter // nil unless the server warned of throttling
	slowedAt  time.Time     // last time slow was lowered
	lastSend  time.Time
	pace      float64       // recent requests per second (moving average)
	changed   chan struct{} // closed on every state change, then replaced
}

// NewPacer paces requests to base.
func NewPacer(base http.RoundTripper, opt PacingOptions) *Pacer {
	if base == nil {
		base = http.DefaultTransport
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 500 * time.Millisecond
	}
	return &Pacer{base: base, opt: opt, groups: map[string]*paceGroup{}}
}

const sameWindow = 500 * time.Millisecond

// ErrRetriesExhausted is wrapped by the error of a request that kept
// failing.
var ErrRetriesExhausted = errors.New("retries exhausted")

// RoundTrip implements http.RoundTripper.
func (p *Pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	g := p.group(req)
	backoff := p.opt.Backoff
	var last string
	for attempt := 1; ; attempt++ {
		probe, err := p.acquire(ctx, g)
		if err != nil {
			return nil, err
		}
		try := req
		if attempt > 1 {
			if try, err = rewind(req); err != nil {
				p.release(g, probe, nil)
				return nil, err
			}
		}
		resp, err := p.base.RoundTrip(try)
		p.release(g, probe, resp)
		if ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, ctx.Err()
		}
		var until time.Time
		switch {
		case err != nil:
			last = err.Error()
			until = time.Now().Add(backoff)
		case resp.StatusCode == http.StatusTooManyRequests:
			last = resp.Status
			until = p.holdUntil(g)
			if until.IsZero() {
				until = time.Now().Add(backoff)
			}
		case resp.StatusCode >= 500:
			last = resp.Status
			until = time.Now().Add(backoff)
		default:
			return resp, nil
		}
		if resp != nil {
			resp.Body.Close()
		}
		if attempt >= p.opt.MaxAttempts || !replayable(req) {
			return nil, fmt.Errorf("%s %s: %w after %d attempts, last answer: %s", req.Method, req.URL.Path, ErrRetriesExhausted, attempt, last)
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			backoff = min(2*backoff, 30*time.Second)
		}
		p.notify(Wait{Group: g.name, Until: until, Reason: "retry after " + last})
		if err := sleepUntil(ctx, until); err != nil {
			return nil, err
		}
	}
}

func (p *Pacer) group(req *http.Request) *paceGroup {
	name := ""
	if p.opt.Group != nil {
		name = p.opt.Group(req)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.groups[name]
	if g == nil {
		g = &paceGroup{name: name, changed: make(chan struct{})}
		p.groups[name] = g
	}
	return g
}

// acquire blocks until g may send one request. probe reports that this
// request is the one asking for a new window's budget.
func (p *Pacer) acquire(ctx context.Context, g *paceGroup) (probe bool, err error) {
	var told time.Time
	for {
		p.mu.Lock()
		now := time.Now()
		var until time.Time
		var changed chan struct{}
		switch {
		case now.Before(g.hold):
			until = g.hold
		case g.limit > 0 && !now.Before(g.reset) && !g.probing:
			// The window rolled over: its budget is unknown until the
			// server answers one request.
			g.probing = true
			g.remaining = 0
			probe = true
		case g.limit > 0 && g.probing:
			changed = g.changed
		case g.limit > 0 && g.remaining <= 0:
			until = g.reset
		case g.limit > 0:
			g.remaining--
		}
		if until.IsZero() && changed == nil {
			g.inflight++
			g.measure(now)
			slow := g.slow
			p.mu.Unlock()
			if slow != nil {
				if err := slow.Wait(ctx); err != nil {
					p.release(g, probe, nil)
					return false, err
				}
			}
			return probe, nil
		}
		if changed == nil {
			changed = g.changed
		}
		p.mu.Unlock()
		if !until.IsZero() && !until.Equal(told) {
			p.notify(Wait{Group: g.name, Until: until, Reason: "rate-limit"})
			told = until
		}
		if err := waitFor(ctx, until, changed); err != nil {
			return false, err
		}
	}
}

// release returns g's in-flight slot and learns from resp (nil after a
// transport error).
func (p *Pacer) release(g *paceGroup, probe bool, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g.inflight--
	if probe {
		g.probing = false
	}
	if resp != nil && p.opt.Limits != nil {
		now := time.Now()
		l := p.opt.Limits(resp, now)
		if l.Limit > 0 && !l.Reset.IsZero() && l.Remaining >= 0 {
			// Requests still in flight may not be counted by the server
			// yet: assume they are not, so the budget errs low.
			// Resets within half a second name the same window (they are
			// whole epoch seconds; only the skew estimate moves them).
			left := l.Remaining - g.inflight
			shift := l.Reset.Sub(g.reset)
			switch {
			case g.limit == 0 || shift > sameWindow:
				g.limit, g.reset, g.remaining = l.Limit, l.Reset, left
			case shift >= -sameWindow:
				g.limit, g.reset, g.remaining = l.Limit, l.Reset, min(g.remaining, left)
			}
		}
		if l.RetryAt.After(g.hold) {
			g.hold = l.RetryAt
		}
		g.heed(l.Slowdown, now)
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// measure folds a send at now into g's moving-average pace.
func (g *paceGroup) measure(now time.Time) {
	if !g.lastSend.IsZero() {
		if gap := now.Sub(g.lastSend).Seconds(); gap > 0 {
			g.pace = 0.8*g.pace + 0.2/gap
		}
	}
	g.lastSend = now
}

// heed acts on a throttle warning: below 1, cap g at that fraction of its
// recent pace (lowered at most once a second, so one burst of warnings is
// one step down); 1 keeps the cap; 0, no warning, lifts it.
func (g *paceGroup) heed(slowdown float64, now time.Time) {
	switch {
	case slowdown == 0:
		g.slow = nil
	case slowdown >= 1:
	case g.slow == nil:
		g.slow = rate.NewLimiter(rate.Limit(math.Max(1, g.pace*slowdown)), 1)
		g.slowedAt = now
	case now.Sub(g.slowedAt) >= time.Second:
		g.slow.SetLimit(rate.Limit(math.Max(1, float64(g.slow.Limit())*slowdown)))
		g.slowedAt = now
	}
}

func (p *Pacer) holdUntil(g *paceGroup) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g.hold.After(time.Now()) {
		return g.hold
	}
	return time.Time{}
}

func (p *Pacer) notify(w Wait) {
	if p.opt.OnWait != nil {
		p.opt.OnWait(w)
	}
}

// replayable reports whether req can be sent again: no body, or one the
// request can recreate.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("rewind %s %s body for a retry: %w", req.Method, req.URL.Path, err)
	}
	r.Body = body
	return r, nil
}

func sleepUntil(ctx context.Context, until time.Time) error {
	return waitFor(ctx, until, nil)
}

// waitFor returns when until has passed (if set), changed is closed (if
// set), or ctx is done, whichever comes first.
func waitFor(ctx context.Context, until time.Time, changed <-chan struct{}) error {
	var timer <-chan time.Time
	if !until.IsZero() {
		d := time.Until(until)
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer:
		return nil
	case <-changed:
		return nil
	}
}
