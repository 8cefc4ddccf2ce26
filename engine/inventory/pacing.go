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
	// Reset is when the current window ends, on the server's clock: the
	// pacer carries it onto this machine's clock (see serverClock).
	Reset time.Time
	// RetryAt is when a throttled request may be sent again, on this
	// machine's clock.
	RetryAt time.Time
	// Slowdown is a throttle warning sent before any 429 (Graph's
	// x-ms-throttle-limit-percentage): 0 when absent, 1 to hold the current
	// pace, below 1 to slow down to that fraction of it.
	Slowdown float64
}

// LimitReader extracts Limits from a response received at now.
type LimitReader func(resp *http.Response, now time.Time) Limits

// OktaLimits is a LimitReader of X-Rate-Limit-Limit, -Remaining and -Reset
// (epoch seconds on the server's clock). After a 429 the pacer holds the
// group until that reset, or a later Retry-After.
func OktaLimits(resp *http.Response, now time.Time) Limits {
	l := Limits{Remaining: -1}
	h := resp.Header
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit"))); err == nil && v > 0 {
		l.Limit = v
	}
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining"))); err == nil && v >= 0 {
		l.Remaining = v
	}
	if v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64); err == nil && v > 0 {
		l.Reset = time.Unix(v, 0)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if ra, ok := retryAfter(h, now); ok {
			l.RetryAt = ra
		}
	}
	return l
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

	mu      sync.Mutex
	groups  map[string]*paceGroup
	clock   serverClock
	tickFor time.Time // the server reset the latest tick probe aims at
}

// paceGroup is one rate-limit group's state, guarded by Pacer.mu.
type paceGroup struct {
	name  string
	limit int // requests per window; 0 = unknown, not gated
	// left is the lowest Remaining the server reported for the current
	// window. The server counts at arrival, so requests still in flight may
	// or may not be in it: the group may send left - inflight more.
	left     int
	reset    time.Time // end of the current window, on the server's clock
	probing  bool      // a window rolled over; one request is asking for the new budget
	tickAt   time.Time // when this window's last request leaves to time the server's clock
	hold     time.Time // after a 429: nothing leaves before this
	inflight int
	queued   int           // requests in acquire, waiting or about to leave
	slow     *rate.Limiter // nil unless the server warned of throttling
	slowedAt time.Time     // last time slow was lowered
	lastSend time.Time
	pace     float64       // recent requests per second (moving average)
	changed  chan struct{} // closed on every state change, then replaced
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
				p.release(g, probe, nil, time.Time{})
				return nil, err
			}
		}
		sent := time.Now()
		resp, err := p.base.RoundTrip(try)
		p.release(g, probe, resp, sent)
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
	p.mu.Lock()
	g.queued++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		g.queued--
		p.mu.Unlock()
	}()
	for {
		p.mu.Lock()
		now := time.Now()
		var until time.Time
		var changed chan struct{}
		switch {
		case now.Before(g.hold):
			until = g.hold
		case g.limit > 0 && !now.Before(p.clock.local(g.reset)) && !g.probing:
			// The window rolled over: its budget is unknown until the
			// server answers one request.
			g.probing = true
			g.left = 0
			g.tickAt = time.Time{}
			probe = true
		case g.limit > 0 && g.probing:
			changed = g.changed
		case g.limit > 0 && g.left-g.inflight <= 0:
			until = p.clock.local(g.reset)
		case g.limit > 0 && g.left-g.inflight == 1 && g.queued > 1 && p.clock.uncertain() && (!g.tickAt.IsZero() || !p.tickFor.Equal(g.reset)):
			// More requests wait than the window has room for: hold its
			// last one and send it when the server's second may tick. Its
			// Date then narrows the clock estimate, so later windows start
			// closer to their reset; the group needs the next window
			// anyway, so the hold delays nothing. The window's budget
			// covers it either way, but one landing after the tick leaves
			// that unit unused, so only one group probes each tick.
			if g.tickAt.IsZero() {
				g.tickAt = p.clock.tickProbe(g.reset)
				p.tickFor = g.reset
			}
			if now.Before(g.tickAt) {
				until = g.tickAt
			}
		}
		if until.IsZero() && changed == nil {
			g.inflight++
			g.measure(now)
			slow := g.slow
			p.mu.Unlock()
			if slow != nil {
				if err := slow.Wait(ctx); err != nil {
					p.release(g, probe, nil, time.Time{})
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

// release returns g's in-flight slot and learns from resp, sent at sent
// (resp is nil when the request failed or never left).
func (p *Pacer) release(g *paceGroup, probe bool, resp *http.Response, sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g.inflight--
	if probe {
		g.probing = false
	}
	switch {
	case resp != nil && p.opt.Limits != nil:
		now := time.Now()
		if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			p.clock.observe(date, sent, now)
		}
		l := p.opt.Limits(resp, now)
		switch {
		case l.Limit <= 0 || l.Reset.IsZero() || l.Remaining < 0:
			// No budget in the answer, yet the server may have counted
			// the request.
			g.left--
		case g.limit == 0 || l.Reset.After(g.reset):
			// A new window.
			g.limit, g.reset, g.left, g.tickAt = l.Limit, l.Reset, l.Remaining, time.Time{}
		case l.Reset.Equal(g.reset):
			// The server's count only grows within a window, so its
			// lowest Remaining is its latest.
			g.limit, g.left = l.Limit, min(g.left, l.Remaining)
		}
		hold := l.RetryAt
		if resp.StatusCode == http.StatusTooManyRequests && !l.Reset.IsZero() {
			hold = later(hold, p.clock.local(l.Reset))
		}
		g.hold = later(g.hold, hold)
		g.heed(l.Slowdown, now)
	case !sent.IsZero():
		// A transport error: the request may have reached the server.
		g.left--
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// serverClock bounds the offset of the server's clock from this machine's
// (server minus local) from Date headers, which have whole-second
// resolution. An answer sent at s and received at r with Date D was stamped
// when the server's clock read [D, D+1s) at some moment in [s, r], so the
// offset lies in [D - r, D + 1s - s]. Intersecting the answers' intervals
// narrows it; an answer stamped just after the server's second ticked
// narrows it most, which is what the pacer's tick probes aim for. local
// uses the interval's low end, so a reset it carries over never comes early.
type serverClock struct {
	lo, hi time.Duration
	minRTT time.Duration
	known  bool
}

// clockPrecision is where narrowing the clock estimate further stops paying
// for holding back a window's last request.
const clockPrecision = 20 * time.Millisecond

func (c *serverClock) observe(date, sent, received time.Time) {
	if sent.IsZero() || received.Before(sent) {
		return
	}
	lo, hi := date.Sub(received), date.Add(time.Second).Sub(sent)
	rtt := received.Sub(sent)
	if !c.known || lo > c.hi || hi < c.lo {
		// The first answer, or the server's clock jumped: start over.
		c.lo, c.hi, c.minRTT, c.known = lo, hi, rtt, true
		return
	}
	c.lo, c.hi, c.minRTT = max(c.lo, lo), min(c.hi, hi), min(c.minRTT, rtt)
}

// local is the earliest moment of this machine's clock at which the
// server's clock may read t (t itself before any Date was seen).
func (c *serverClock) local(t time.Time) time.Time { return t.Add(-c.lo) }

// uncertain reports whether a tick probe can still narrow the estimate: an
// answer pins the tick no closer than its round trip.
func (c *serverClock) uncertain() bool {
	return c.known && c.hi-c.lo > max(clockPrecision, 2*c.minRTT)
}

// tickProbe is when a tick probe leaves to see the server's clock reach t:
// a quarter into the interval of local times where that can happen. A
// probe that lands before the tick costs nothing and cuts the interval to
// its last three quarters; one that lands after it cuts it to the first
// quarter but is counted in the next window, leaving a unit of this one
// unused. Probing early in the interval spends fewer units than halving it
// would, for a few more windows to converge.
func (c *serverClock) tickProbe(t time.Time) time.Time {
	return t.Add(-c.hi + (c.hi-c.lo)/4)
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
