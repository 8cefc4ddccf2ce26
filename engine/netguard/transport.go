// Package netguard bounds every HTTP exchange the console has with a server
// it does not control: an incumbent's API (Okta, Microsoft Graph), their
// token endpoints, the Portal's admin API. It assumes the server is hostile
// or broken: a server that accepts and never answers, answers its headers
// and then stalls, streams a body for ever, or sends a small compressed
// body that inflates to gigabytes. Each of those ends in a named error
// within a bound the operator can read in docs/network.md, and memory stays
// flat whatever the server sends.
//
// It also says which failures are worth another attempt (Retryable) and
// explains the rest in the consultant's terms (Explain), so the retrying
// layers (engine/inventory's pacer, the Portal client) spend no time on a
// certificate nobody trusts or a port nothing listens on, and a listing
// whose next link comes back to a page it already sent stops (Pages).
package netguard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Defaults for talking to a real tenant from a consultant's laptop
// (docs/network.md says how they were chosen).
const (
	// DefaultRequestTimeout bounds one whole exchange, the body included:
	// the largest real page (an Okta page of 10,000 groups, tens of MB)
	// arrives well within it on a slow link.
	DefaultRequestTimeout = 5 * time.Minute
	// DefaultIdleTimeout bounds how long the server may keep the client
	// waiting for its first byte, or for the next bytes of a body.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultMaxBody bounds one response body after decompression, well
	// above the largest real page.
	DefaultMaxBody = 128 << 20
)

// Bounds limit one exchange. A zero field takes its default.
type Bounds struct {
	// RequestTimeout bounds the whole exchange: connecting, sending,
	// waiting, and reading the whole body.
	RequestTimeout time.Duration
	// IdleTimeout bounds each wait on the server: from sending the request
	// to its answer's headers, and each read of the body.
	IdleTimeout time.Duration
	// MaxBody bounds the bytes of one response body as the consumer reads
	// them, that is after the transport's transparent gzip decoding.
	MaxBody int64
}

// WithDefaults fills the zero fields.
func (b Bounds) WithDefaults() Bounds {
	if b.RequestTimeout <= 0 {
		b.RequestTimeout = DefaultRequestTimeout
	}
	if b.IdleTimeout <= 0 {
		b.IdleTimeout = DefaultIdleTimeout
	}
	if b.MaxBody <= 0 {
		b.MaxBody = DefaultMaxBody
	}
	return b
}

// Check refuses negative bounds (zero means the default).
func (b Bounds) Check() error {
	if b.RequestTimeout < 0 || b.IdleTimeout < 0 || b.MaxBody < 0 {
		return fmt.Errorf("network bounds must not be negative (zero takes the default): request timeout %s, idle timeout %s, max body %d bytes",
			b.RequestTimeout, b.IdleTimeout, b.MaxBody)
	}
	return nil
}

// Transport is an http.RoundTripper that holds every exchange through it to
// Bounds: it ends an exchange whose server stays silent longer than the
// idle timeout or that runs past the request timeout, and fails the read
// of a body that grows past MaxBody, closing the connection. Its errors
// name the endpoint and the bound (*TimeoutError, *BodyLimitError).
//
// It asks the transport below for gzip itself, so Go's transparent
// decoding applies and the body limit counts decoded bytes: an
// Accept-Encoding a caller set is dropped, since a caller that decodes on
// its own would inflate a compressed bomb beyond any limit here.
type Transport struct {
	// Base sends the requests; nil uses a clone of http.DefaultTransport.
	Base http.RoundTripper
	// Bounds limit each exchange.
	Bounds Bounds
	// Stop, when set, ends every exchange still running once it is done.
	// Some SDK calls carry no context of their own (the Okta SDK's token
	// request), so only this reaches them when a collection is cancelled.
	Stop context.Context

	once sync.Once
	base http.RoundTripper
}

// NewTransport bounds the exchanges base sends (nil: a clone of
// http.DefaultTransport).
func NewTransport(base http.RoundTripper, b Bounds) *Transport {
	return &Transport{Base: base, Bounds: b}
}

func (t *Transport) next() http.RoundTripper {
	t.once.Do(func() {
		t.base = t.Base
		if t.base == nil {
			t.base = http.DefaultTransport.(*http.Transport).Clone()
		}
	})
	return t.base
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	b := t.Bounds.WithDefaults()
	ctx, cancel := context.WithCancelCause(req.Context())
	x := &exchange{cancel: cancel, endpoint: Endpoint(req), idleAfter: b.IdleTimeout}
	x.deadline = time.AfterFunc(b.RequestTimeout, func() {
		cancel(&TimeoutError{Endpoint: x.endpoint, Waited: b.RequestTimeout, Whole: true})
	})
	x.idle = time.AfterFunc(b.IdleTimeout, func() {
		cancel(&TimeoutError{Endpoint: x.endpoint, Waited: b.IdleTimeout, Phase: x.phase()})
	})
	if t.Stop != nil {
		stop := t.Stop
		x.unstop = context.AfterFunc(stop, func() { cancel(context.Cause(stop)) })
	}

	r := req.WithContext(ctx)
	if req.Header.Get("Accept-Encoding") != "" {
		r.Header = req.Header.Clone()
		r.Header.Del("Accept-Encoding")
	}
	resp, err := t.next().RoundTrip(r)
	if err != nil {
		x.finish()
		return nil, x.cause(ctx, err)
	}
	x.waitBody()
	if resp.ContentLength > b.MaxBody {
		resp.Body.Close()
		x.finish()
		return nil, &BodyLimitError{Endpoint: x.endpoint, Limit: b.MaxBody, Declared: resp.ContentLength}
	}
	resp.Body = &body{rc: resp.Body, x: x, ctx: ctx, limit: b.MaxBody}
	return resp, nil
}

// exchange is one request's timers and cancellation.
type exchange struct {
	cancel    context.CancelCauseFunc
	endpoint  string
	idleAfter time.Duration
	deadline  *time.Timer
	idle      *time.Timer
	unstop    func() bool

	mu      sync.Mutex
	reading bool // the headers arrived: the idle timer now guards body reads
	done    bool
}

func (x *exchange) phase() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.reading {
		return PhaseBody
	}
	return PhaseHeaders
}

// waitBody marks the headers as received: the idle timer stops until the
// consumer reads.
func (x *exchange) waitBody() {
	x.idle.Stop()
	x.mu.Lock()
	x.reading = true
	x.mu.Unlock()
}

// finish stops the timers and releases the exchange's context. Safe to
// call more than once.
func (x *exchange) finish() {
	x.mu.Lock()
	done := x.done
	x.done = true
	x.mu.Unlock()
	if done {
		return
	}
	x.deadline.Stop()
	x.idle.Stop()
	if x.unstop != nil {
		x.unstop()
	}
	x.cancel(nil)
}

// cause replaces the transport's "context canceled" with the bound that
// ended the exchange, when one did.
func (x *exchange) cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && c != context.Canceled && c != context.DeadlineExceeded {
		return c
	}
	return err
}

// body counts and times the reads of a response body.
type body struct {
	rc    io.ReadCloser
	x     *exchange
	ctx   context.Context
	limit int64
	read  int64
	err   error // sticky: once over the limit, every read fails
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// Read at most one byte past the limit: that byte proves the body
	// is over it, and the consumer never holds more than limit bytes.
	if room := b.limit - b.read + 1; int64(len(p)) > room {
		p = p[:room]
	}
	b.x.idle.Reset(b.x.idleAfter)
	n, err := b.rc.Read(p)
	b.x.idle.Stop()
	b.read += int64(n)
	if b.read > b.limit {
		b.err = &BodyLimitError{Endpoint: b.x.endpoint, Limit: b.limit}
		b.x.cancel(b.err)
		b.x.finish()
		return n - int(b.read-b.limit), b.err
	}
	switch {
	case err == io.EOF:
		b.x.finish()
	case err != nil:
		err = b.x.cause(b.ctx, err)
		b.err = err
		b.x.finish()
	}
	return n, err
}

func (b *body) Close() error {
	err := b.rc.Close()
	b.x.finish()
	return err
}

// Endpoint names a request's endpoint in errors: its method, scheme, host
// and path, without the query (cursors, filters) or any userinfo.
func Endpoint(req *http.Request) string {
	if req.URL == nil {
		return req.Method
	}
	return req.Method + " " + req.URL.Scheme + "://" + req.URL.Host + req.URL.EscapedPath()
}
