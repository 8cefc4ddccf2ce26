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

	"github.com/portal-id/migration-console/engine/netguard"
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
	// Slowdown is a throttle warning sent before any 429 (Microsoft
	// Graph's x-ms-throttle-limit-percentage): 0 when absent, 1 to hold the
	// current pace, below 1 to slow down to that fraction of it.
	Slowdown float64
}

// LimitReader extracts Limits from a response received at now.
type LimitReader func(resp *http.Response, now time.Time) Limits

// WindowHeaders is a LimitReader of a fixed-window budget the server
// reports in three headers: the window's limit, what is left of it, and
// when it resets (epoch seconds on the server's clock), as Okta's
// X-Rate-Limit-Limit, -Remaining and -Reset do. On a 429 it also reads
// Retry-After; the pacer then holds the group until the reset, or a later
// Retry-After.
func WindowHeaders(limit, remaining, reset string) LimitReader {
	return func(resp *http.Response, now time.Time) Limits {
		l := Limits{Remaining: -1}
		h := resp.Header
		if v, err := strconv.Atoi(strings.TrimSpace(h.Get(limit))); err == nil && v > 0 {
			l.Limit = v
		}
		if v, err := strconv.Atoi(strings.TrimSpace(h.Get(remaining))); err == nil && v >= 0 {
			l.Remaining = v
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(h.Get(reset)), 10, 64); err == nil && v > 0 {
			l.Reset = time.Unix(v, 0)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			if ra, ok := RetryAfter(h, now); ok {
				l.RetryAt = ra
			}
		}
		return l
	}
}

// RetryAfter reads a Retry-After header received at now: seconds (possibly
// fractional) or an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Time, bool) {
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

// WaitCause says why the pacer holds a group back.
type WaitCause string

const (
	// WaitShare: this collection spent its share of the group's current
	// rate-limit window (Wait.Share); the rest of the window is left to
	// the customer's own integrations until it resets.
	WaitShare WaitCause = "share_spent"
	// WaitWindow: the server reports the group's window spent, by this
	// collection and everyone else together, until it resets.
	WaitWindow WaitCause = "window_spent"
	// WaitThrottled: the server refused a request with 429 Too Many
	// Requests and named (or implied) when to come back.
	WaitThrottled WaitCause = "throttled"
	// WaitServerError: the server answered with a 5xx status; the request
	// is retried after a backoff.
	WaitServerError WaitCause = "server_error"
	// WaitTransport: the request failed below HTTP (Wait.Detail); it is
	// retried after a backoff.
	WaitTransport WaitCause = "transport_error"
)

// Wait is one pause the pacer takes before sending to a group. Each front
// end renders it in one place (migctl's progress line, the GUI's collect
// panel).
type Wait struct {
	Group string    `json:"group"`
	Cause WaitCause `json:"cause"`
	// Until is when the group may send again, on this machine's clock.
	Until time.Time `json:"until"`
	// Status is the HTTP status that caused a throttled or server-error
	// wait.
	Status int `json:"status,omitempty"`
	// Detail is the error of a transport wait.
	Detail string `json:"detail,omitempty"`
	// Reset is when the group's window resets as the server reported it,
	// on the server's clock (zero when the server names no window).
	Reset time.Time `json:"reset,omitzero"`
	// Share is the share of each window the collection may spend, for a
	// share-spent wait.
	Share float64 `json:"share,omitempty"`
}

// Answer is what caused a throttled, server-error or transport wait: "429
// Too Many Requests", "503 Service Unavailable" or the transport's error.
func (w Wait) Answer() string {
	if w.Status != 0 {
		return fmt.Sprintf("%d %s", w.Status, http.StatusText(w.Status))
	}
	return w.Detail
}

func (w Wait) String() string {
	return fmt.Sprintf("%s wait on %s until %s", w.Cause, w.Group, w.Until.Format("15:04:05.000"))
}

// DefaultShare is the share of each rate-limit window a collection spends
// unless told otherwise: half, leaving the other half to the customer's own
// integrations.
const DefaultShare = 0.5

// CheckShare reports whether share is a share of a window a collection may
// be told to spend: more than 0 and at most 1.
func CheckShare(share float64) error {
	if !(share > 0 && share <= 1) {
		return fmt.Errorf("a rate share must be more than 0 and at most 1 (a fraction of each rate-limit window), not %v", share)
	}
	return nil
}

// PacingOptions configure a Pacer.
type PacingOptions struct {
	// Group names the rate-limit group of a request (an endpoint family,
	// e.g. "/api/v1/apps/{id}/groups"). Nil puts every request in one
	// group.
	Group func(*http.Request) string
	// Limits reads each response's budget; each vendor has its own
	// (engine/vendor's Vendor.Pacing).
	Limits LimitReader
	// Share is the share of each rate-limit window the pacer may spend,
	// leaving the rest to the customer's own integrations: more than 0 and
	// at most 1; 0 means DefaultShare. See Pacer for what it means for each
	// kind of budget.
	Share float64
	// MaxAttempts bounds the tries of one request (429s, 5xx and transport
	// errors together); default 10.
	MaxAttempts int
	// MaxTimeouts bounds the tries of one request that time out: a server
	// silent that often on one request is not about to answer it; default
	// 3.
	MaxTimeouts int
	// MaxWait bounds any single wait the server asks for (a window's
	// reset, a Retry-After): a longer one fails the request with a
	// *WaitTooLongError naming when the server said to come back;
	// default DefaultMaxWait.
	MaxWait time.Duration
	// Backoff is the first pause after a 5xx or transport error, doubled
	// each time up to 30 s; default 500 ms.
	Backoff time.Duration
	// OnWait hears every pause; it must not block.
	OnWait func(Wait)
}

// DefaultMaxWait is the longest single rate-limit wait a collection takes
// unless told otherwise: ten times Okta's one-minute windows, and longer
// than any Retry-After Microsoft Graph documents for the directory. A
// server that names a later time is broken or means hours, and the
// collection fails saying when it may run again.
const DefaultMaxWait = 10 * time.Minute

// ErrWaitTooLong is wrapped by a *WaitTooLongError.
var ErrWaitTooLong = errors.New("rate-limit wait over the limit")

// WaitTooLongError is a wait the server asked for that is longer than
// PacingOptions.MaxWait.
type WaitTooLongError struct {
	Wait Wait
	Max  time.Duration
}

func (e *WaitTooLongError) Error() string {
	w := e.Wait
	in := roughly(time.Until(w.Until))
	group := w.Group
	if group == "" {
		group = "every request"
	}
	if !w.Reset.IsZero() {
		return fmt.Sprintf("the server's rate limit on %s resets at %s by its clock (in %s), later than the %s a collection waits for one rate limit; collect again after that time",
			group, w.Reset.UTC().Format(time.RFC3339), in, e.Max)
	}
	return fmt.Sprintf("the server asked to wait until %s (in %s, %s) before sending to %s again, later than the %s a collection waits for one rate limit; collect again after that time",
		w.Until.UTC().Format(time.RFC3339), in, w.Answer(), group, e.Max)
}

func (e *WaitTooLongError) Is(target error) bool { return target == ErrWaitTooLong }

// roughly renders a long duration in the largest unit that reads well.
func roughly(d time.Duration) string {
	switch {
	case d < time.Hour:
		return d.Round(time.Second).String()
	case d < 72*time.Hour:
		return fmt.Sprintf("%.0f hours", d.Hours())
	}
	return fmt.Sprintf("%.0f days", d.Hours()/24)
}

// Pacer is an http.RoundTripper that sends each endpoint group at no more
// than its share of the server's limit, and owns every retry: the vendor
// SDKs' own retries must be off. It retries only what another attempt can
// cure (netguard.Retryable: timeouts, dropped connections; and 408, 429
// and 5xx answers); any other failure (a certificate, a refused port, an
// oversized answer, a page the database refused) fails the request at
// once, explained (*netguard.FinalError). Nothing leaves a group before the server
// has answered its first request, so no burst goes out before the budget is
// known. After a 429 nothing leaves for that group before the time the
// server named.
//
// What the share means depends on what the server says about its budget:
//
//   - Windows the server counts and reports (WindowHeaders: Okta's
//     X-Rate-Limit-Limit, -Remaining and -Reset): the pacer spends at most floor(share × Limit)
//     requests (at least one) of each window. Remaining counts every
//     client of the org, the customer's integrations included, so the
//     pacer stops once Remaining, less its own requests in flight, is down
//     to the Limit minus that budget: (1 - share) × Limit of every window
//     stays free for the customer, and when their integrations use more
//     than that, the collection sends less, down to the one request that
//     learns each new window's budget. A fixed window is spent to the
//     budget and then held until its reset, on the server's clock: a token
//     bucket alone would overshoot at window edges or leave part of each
//     window unused.
//   - Groups whose server publishes no budget (Microsoft Graph): the share
//     scales the pace Graph's throttle signals allow. After a 429 the
//     group waits out the Retry-After and every waiting request leaves at
//     once, so the requests Graph accepts from then until its next 429
//     (counted over the time to that one's Retry-After) are the pace it
//     allows; a throttle warning (x-ms-throttle-limit-percentage, usage p
//     of the limit) shows the limit is the recent pace over p. The group
//     is then capped at share × that pace (golang.org/x/time/rate) for the
//     rest of the collection: later signals lower the cap, nothing raises
//     it. The estimate errs low (when the collection's own demand fell
//     short of what Graph allows during the span, the span's pace is that
//     demand), so the collection may run slower than its share, never
//     faster. Until Graph has throttled the group twice, or warned it
//     once, it runs as fast as its workers go.
//
// A share of 1 spends whole windows and follows Graph's warnings up and
// down.
type Pacer struct {
	base  http.RoundTripper
	opt   PacingOptions
	share float64

	mu      sync.Mutex
	groups  map[string]*paceGroup
	clock   serverClock
	tickFor time.Time // the server reset the latest tick probe aims at
}

// paceGroup is one rate-limit group's state, guarded by Pacer.mu.
type paceGroup struct {
	name string
	// answered is set by the group's first answer; until then one request
	// at a time asks for the budget.
	answered bool
	limit    int // requests per window; 0 = unknown, not gated
	// left is the lowest Remaining the server reported for the current
	// window. The server counts at arrival, so requests still in flight may
	// or may not be in it: the group may send left - inflight more, less
	// what the share keeps free.
	left     int
	reset    time.Time // end of the current window, on the server's clock
	probing  bool      // a window rolled over; one request is asking for the new budget
	tickAt   time.Time // when this window's last request leaves to time the server's clock
	hold     time.Time // after a 429: nothing leaves before this
	inflight int
	queued   int           // requests in acquire, waiting or about to leave
	slow     *rate.Limiter // the pace cap; nil until a signal sets one
	slowedAt time.Time     // last time slow was lowered
	lastSend time.Time
	pace     float64 // recent requests per second (moving average)
	// A span measures the pace a group without a window budget is
	// allowed: spanOK requests sent from spanStart on were accepted, until
	// a 429 named spanEnd. spanSaturated: the span began at a hold's end.
	spanStart     time.Time
	spanEnd       time.Time
	spanOK        int
	spanSaturated bool
	changed       chan struct{} // closed on every state change, then replaced
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
	if opt.MaxTimeouts <= 0 {
		opt.MaxTimeouts = 3
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = DefaultMaxWait
	}
	share := opt.Share
	if share == 0 {
		share = DefaultShare
	}
	share = min(max(share, 0.01), 1)
	return &Pacer{base: base, opt: opt, share: share, groups: map[string]*paceGroup{}}
}

// Share is the share of each window the pacer spends.
func (p *Pacer) Share() float64 { return p.share }

// ErrRetriesExhausted is wrapped by the error of a request that kept
// failing.
var ErrRetriesExhausted = errors.New("retries exhausted")

// RoundTrip implements http.RoundTripper.
func (p *Pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	g := p.group(req)
	backoff := p.opt.Backoff
	timeouts := 0
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
		w := Wait{Group: g.name}
		switch {
		case err != nil && !netguard.Retryable(err):
			return nil, netguard.Final(req, netguard.Unquote(err))
		case err != nil:
			w.Cause, w.Detail, w.Until = WaitTransport, netguard.Unquote(err).Error(), time.Now().Add(backoff)
			if netguard.IsTimeout(err) {
				timeouts++
			}
		case resp.StatusCode == http.StatusTooManyRequests:
			w.Cause, w.Status = WaitThrottled, resp.StatusCode
			if w.Until = p.holdUntil(g); w.Until.IsZero() {
				w.Until = time.Now().Add(backoff)
			}
			w.Reset = p.resetOf(g)
		case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout:
			w.Cause, w.Status, w.Until = WaitServerError, resp.StatusCode, time.Now().Add(backoff)
		default:
			return resp, nil
		}
		if resp != nil {
			resp.Body.Close()
		}
		if attempt >= p.opt.MaxAttempts || timeouts >= p.opt.MaxTimeouts || !replayable(req) {
			last := "last error: " + w.Detail
			if w.Status != 0 {
				last = "last answer: HTTP " + w.Answer()
			}
			return nil, fmt.Errorf("%s %s: %w after %d attempts, %s", req.Method, req.URL.Path, ErrRetriesExhausted, attempt, last)
		}
		if time.Until(w.Until) > p.opt.MaxWait {
			return nil, &WaitTooLongError{Wait: w, Max: p.opt.MaxWait}
		}
		if w.Cause != WaitThrottled {
			backoff = min(2*backoff, 30*time.Second)
		}
		p.notify(w)
		if err := sleepUntil(ctx, w.Until); err != nil {
			return nil, err
		}
	}
}

// resetOf is g's window reset on the server's clock, when the server
// reports one and it is still ahead.
func (p *Pacer) resetOf(g *paceGroup) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g.limit > 0 && p.clock.local(g.reset).After(time.Now()) {
		return g.reset
	}
	return time.Time{}
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

// budget is how many requests of a window of g's limit the share allows:
// at least one, so every window still makes progress.
func (p *Pacer) budget(g *paceGroup) int {
	// The epsilon keeps 0.29 × 100 from flooring to 28.
	return min(g.limit, max(1, int(math.Floor(p.share*float64(g.limit)+1e-9))))
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
		wait := Wait{Group: g.name}
		// room is what the window has left for this collection: its
		// budget less what others and this collection already spent,
		// counting requests in flight as spent.
		room := g.left - g.inflight - (g.limit - p.budget(g))
		switch {
		case now.Before(g.hold):
			until = g.hold
			wait.Cause, wait.Status = WaitThrottled, http.StatusTooManyRequests
		case g.limit > 0 && !now.Before(p.clock.local(g.reset)) && !g.probing && g.inflight > 0:
			// The window rolled over while requests sent in the last one
			// are out: one may have landed in the new window, and its
			// answer carries the new budget, so wait for them first.
			changed = g.changed
		case g.limit > 0 && !now.Before(p.clock.local(g.reset)) && !g.probing:
			// The window rolled over: its budget is unknown until the
			// server answers one request.
			g.probing = true
			g.left = 0
			g.tickAt = time.Time{}
			probe = true
		case g.limit > 0 && g.probing:
			changed = g.changed
		case !g.answered && p.opt.Limits != nil && g.inflight > 0:
			// The first request is asking for the budget.
			changed = g.changed
		case g.limit > 0 && room <= 0:
			until = p.clock.local(g.reset)
			wait.Cause, wait.Reset = WaitWindow, g.reset
			if g.left-g.inflight > 0 {
				wait.Cause, wait.Share = WaitShare, p.share
			}
		case g.limit > 0 && room == 1 && g.queued > 1 && p.clock.uncertain() && (!g.tickAt.IsZero() || !p.tickFor.Equal(g.reset)):
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
				wait.Cause, wait.Reset = WaitWindow, g.reset
				if g.limit > p.budget(g) {
					wait.Cause, wait.Share = WaitShare, p.share
				}
			}
		}
		if until.IsZero() && changed == nil {
			g.inflight++
			g.measure(now)
			if g.spanStart.IsZero() {
				g.spanStart = now
			}
			p.closeSpan(g, now)
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
			wait.Until = until
			if time.Until(until) > p.opt.MaxWait {
				return false, &WaitTooLongError{Wait: wait, Max: p.opt.MaxWait}
			}
			p.notify(wait)
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
		g.answered = true
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
		if g.limit == 0 {
			p.learnPace(g, resp.StatusCode, sent, now)
		}
		p.heed(g, l.Slowdown, now)
	case resp != nil:
		g.answered = true
	case !sent.IsZero():
		// A transport error: the request may have reached the server.
		g.left--
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// learnPace counts, for a group without a window budget, the requests the
// server accepted of those sent in the current span, and on a 429 closes
// the span at the time the server named. A span closes with the first send
// after that time (see closeSpan); answers to requests sent before still
// count towards it as they arrive.
func (p *Pacer) learnPace(g *paceGroup, status int, sent, now time.Time) {
	if sent.Before(g.spanStart) {
		return
	}
	switch {
	case status < 300:
		g.spanOK++
	case status == http.StatusTooManyRequests && g.spanEnd.IsZero():
		g.spanEnd = later(now, g.hold)
	}
}

// closeSpan ends the span a 429 closed once its hold is over, at now, just
// before the group sends again: the server accepted spanOK requests from
// spanStart to the time it named, so that is the pace it allows, and the
// group is capped at the share of it. Only a span that began at a hold's
// end measures that: every request waiting then leaves at once, so the
// group runs at the server's pace until it refuses. The group's first span
// runs at the collector's own, slower pace while its listings start.
func (p *Pacer) closeSpan(g *paceGroup, now time.Time) {
	if g.spanEnd.IsZero() || now.Before(g.spanEnd) {
		return
	}
	if span := g.spanEnd.Sub(g.spanStart).Seconds(); g.spanSaturated && g.spanOK > 0 && span > 0 && p.share < 1 {
		p.capPace(g, p.share*float64(g.spanOK)/span, now)
	}
	g.spanStart, g.spanEnd, g.spanOK, g.spanSaturated = now, time.Time{}, 0, true
}

// minPace is the slowest a share cap paces a group: one request every ten
// seconds still finishes a listing.
const minPace = 0.1

// settle is how long a throttle warning's usage figure takes to reflect a
// new pace (Graph's identity limits are counted over 10 s): a share cap is
// lowered on a warning at most this often, so one slow-moving figure is
// one step down, not a slide to the floor.
const settle = 10 * time.Second

// capPace lowers g's pace cap to perSecond (or sets it): a share cap is
// never raised.
func (p *Pacer) capPace(g *paceGroup, perSecond float64, now time.Time) {
	perSecond = math.Max(minPace, perSecond)
	switch {
	case g.slow == nil:
		g.slow = rate.NewLimiter(rate.Limit(perSecond), 1)
	case perSecond < float64(g.slow.Limit()):
		g.slow.SetLimit(rate.Limit(perSecond))
	default:
		return
	}
	g.slowedAt = now
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

// heed acts on a throttle warning (slowdown: 0 when absent, else the
// fraction of the recent pace to slow down to, 1 to hold it). At a share
// below 1, a warning caps g at the share of the limit it implies, lowered
// at most once per settle period and never lifted. At the full share, a
// warning below 1 caps g at that fraction of its recent pace (lowered at
// most once a second, so one burst of warnings is one step down), 1 keeps
// the cap, and no warning lifts it.
func (p *Pacer) heed(g *paceGroup, slowdown float64, now time.Time) {
	if p.share < 1 {
		if slowdown > 0 && (g.slow == nil || now.Sub(g.slowedAt) >= settle) {
			p.capPace(g, p.share*g.pace*slowdown, now)
		}
		return
	}
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
