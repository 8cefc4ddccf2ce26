package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/secret"
)

// HeaderIdempotencyKey carries the operation key on every create.
const HeaderIdempotencyKey = "Idempotency-Key"

// bearer adds the admin token to requests for the Portal's own origin only,
// so a stray absolute URL can never carry the token to another host.
type bearer struct {
	origin    string // scheme://host[:port]
	token     secret.Value
	userAgent string
	next      http.RoundTripper
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if originOf(r.URL) == b.origin {
		r.Header.Set("Authorization", "Bearer "+b.token.Reveal())
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", b.userAgent)
	}
	return b.next.RoundTrip(r)
}

func originOf(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// replayableKey marks, per request, whether sending it twice cannot change
// the outcome. retryablehttp's CheckRetry sees only the context, not the
// request, so the answer travels there.
type replayableKey struct{}

// replayable reports whether the request can be sent again after the server
// may already have acted on it: safe and idempotent methods, creates carrying
// an Idempotency-Key (the server replays its stored answer) and conditional
// updates (a second If-Match write fails with 412 instead of applying twice).
func replayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get(HeaderIdempotencyKey) != "" || req.Header.Get("If-Match") != ""
}

// retryPolicy decides which failures are worth another attempt.
type retryPolicy struct {
	maxRetryAfter time.Duration
}

func (p retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	canReplay, _ := ctx.Value(replayableKey{}).(bool)
	if err != nil {
		// A certificate, a refused port, an unknown host, an oversized
		// answer fail the same way again: only a timeout or a dropped
		// connection may not. The request may have reached the server, so
		// only a replayable one is sent again (a create with its key).
		return canReplay && netguard.Retryable(err), nil
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		wait, ok := retryAfter(resp.Header, time.Now())
		// A server asking for a longer pause than we are willing to sleep
		// gets its answer back, as ErrRateLimited with the wait it asked for.
		return !ok || wait <= p.maxRetryAfter, nil
	case code >= 500 && code != http.StatusNotImplemented:
		return canReplay, nil
	}
	return false, nil
}

// backoff honours Retry-After on 429 and 503 and otherwise waits
// exponentially longer with full jitter, so many consoles hitting one
// recovering Portal do not retry in lockstep.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := retryAfter(resp.Header, time.Now()); ok {
			return wait
		}
	}
	ceiling := minWait << min(attempt, 30)
	if ceiling <= 0 || ceiling > maxWait {
		ceiling = maxWait
	}
	if ceiling <= minWait {
		return minWait
	}
	return minWait + rand.N(ceiling-minWait)
}

// retryAfter reads Retry-After as delay seconds or an HTTP date. A date in
// the past means "now".
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// doer sends requests through the retrying client. It satisfies the
// generated package's HttpRequestDoer.
type doer struct {
	retrying *retryablehttp.Client
	token    secret.Value
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	ctx := context.WithValue(req.Context(), replayableKey{}, replayable(req))
	rreq, err := retryablehttp.FromRequest(req.WithContext(ctx))
	if err != nil {
		return nil, d.scrub(fmt.Errorf("prepare %s %s: %w", req.Method, req.URL.Path, err))
	}
	resp, err := d.retrying.Do(rreq)
	if err != nil {
		return nil, d.scrub(explain(req, err))
	}
	return resp, nil
}

// explain says why a call failed in the consultant's terms, naming the
// endpoint: what no retry could cure (netguard.Final), or the last failure
// of the attempts spent, without net/http's quote of the whole URL.
func explain(req *http.Request, err error) error {
	if req.Context().Err() != nil {
		return err
	}
	var gaveUp *gaveUpError
	if errors.As(err, &gaveUp) && netguard.Retryable(gaveUp.err) {
		return fmt.Errorf("%s after %d attempt(s)", netguard.Final(req, netguard.Unquote(gaveUp.err)).Why, gaveUp.attempts)
	}
	return netguard.Final(req, netguard.Unquote(err))
}

// giveUp returns the last answer when retries run out, so a final 429 or 503
// reaches the caller as a typed problem rather than a bare "giving up".
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if err == nil && resp != nil {
		return resp, nil
	}
	if resp != nil {
		resp.Body.Close()
	}
	return nil, &gaveUpError{err: err, attempts: attempts}
}

// gaveUpError is the last failure of a call, after attempts tries.
type gaveUpError struct {
	err      error
	attempts int
}

func (e *gaveUpError) Error() string {
	return fmt.Sprintf("after %d attempt(s): %v", e.attempts, e.err)
}
func (e *gaveUpError) Unwrap() error { return e.err }

// scrub guarantees the token never reaches an error text, whatever a lower
// layer put in its message.
func (d *doer) scrub(err error) error { return scrubToken(err, d.token) }

func scrubToken(err error, token secret.Value) error {
	if err == nil || token.IsEmpty() || !strings.Contains(err.Error(), token.Reveal()) {
		return err
	}
	return &redactedError{
		msg:      strings.ReplaceAll(err.Error(), token.Reveal(), "[REDACTED]"),
		canceled: errors.Is(err, context.Canceled),
		deadline: errors.Is(err, context.DeadlineExceeded),
	}
}

// redactedError replaces an error whose text held the token. It drops the
// original chain (which still holds the text) but keeps what callers test
// for: cancellation and deadlines.
type redactedError struct {
	msg                string
	canceled, deadline bool
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Is(target error) bool {
	return (e.canceled && target == context.Canceled) || (e.deadline && target == context.DeadlineExceeded)
}
