package netguard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Phases of an exchange a server can stall in.
const (
	PhaseHeaders = "headers" // waiting for the answer to begin
	PhaseBody    = "body"    // waiting for more of its body
)

// TimeoutError is an exchange a bound ended: the server stayed silent
// longer than the idle timeout, or the whole exchange ran past the request
// timeout.
type TimeoutError struct {
	Endpoint string
	Waited   time.Duration
	// Whole: the request timeout ended it; otherwise the idle timeout did,
	// in Phase.
	Whole bool
	Phase string
}

func (e *TimeoutError) Error() string {
	switch {
	case e.Whole:
		return fmt.Sprintf("%s did not finish within %s (the request timeout)", e.Endpoint, e.Waited)
	case e.Phase == PhaseBody:
		return fmt.Sprintf("%s stopped sending its answer: nothing more came for %s (the idle timeout)", e.Endpoint, e.Waited)
	}
	return fmt.Sprintf("%s did not answer within %s (the idle timeout)", e.Endpoint, e.Waited)
}

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// ErrBodyLimit is what a *BodyLimitError is, for errors.Is.
var ErrBodyLimit = errors.New("response body over the limit")

// BodyLimitError is a response body larger than Bounds.MaxBody: read up to
// the limit and no further, or refused at once when its Content-Length
// already said so.
type BodyLimitError struct {
	Endpoint string
	Limit    int64
	// Declared is the Content-Length the server announced, when it was
	// over the limit (0 when the body was cut while reading).
	Declared int64
}

func (e *BodyLimitError) Error() string {
	size := "exceeded"
	if e.Declared > 0 {
		size = fmt.Sprintf("announced %s, over", Size(e.Declared))
	}
	return fmt.Sprintf("the response to %s %s the %s limit on one response (counted after decompression); no real page is that large, so the server is broken or hostile: check the URL",
		e.Endpoint, size, Size(e.Limit))
}

// Is makes a *BodyLimitError ErrBodyLimit.
func (e *BodyLimitError) Is(target error) bool { return target == ErrBodyLimit }

// Size renders a byte count in binary units: "128 MiB".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// Retryable reports whether an exchange that failed with err may succeed
// if sent again unchanged: a timeout (the idle timeout, a dial or DNS
// timeout), or a connection the server or the network dropped. Everything
// else fails the same way again: a certificate this machine does not
// trust, a host name that does not resolve, a port nothing listens on, an
// answer over the body limit or one that cannot be read, the run's own
// cancellation, a local failure (the database refusing a row). The
// whole-exchange request timeout is not retried either: a server that
// needed longer than it for one answer needs as long again.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var timeout *TimeoutError
	if errors.As(err, &timeout) {
		return !timeout.Whole
	}
	var limit *BodyLimitError
	var loop *LoopError
	var final *FinalError
	if errors.As(err, &limit) || errors.As(err, &loop) || errors.As(err, &final) || isTLS(err) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	// HTTP/2 says a stream or connection was dropped in text only.
	msg := err.Error()
	return strings.Contains(msg, "http2: server sent GOAWAY") || strings.Contains(msg, "http2: client connection lost") ||
		strings.Contains(msg, "stream error: stream ID")
}

// IsTimeout reports whether err is a timeout of any kind.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

func isTLS(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &record) || errors.As(err, &alert) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// Explain says why an exchange with host failed, in terms a consultant can
// act on: what is wrong and what to check. host is the server's host[:port]
// as the URL names it.
func Explain(host string, err error) string {
	var (
		final    *FinalError
		timeout  *TimeoutError
		limit    *BodyLimitError
		loop     *LoopError
		op       *net.OpError
		dns      *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	switch {
	case errors.As(err, &final):
		return final.Why
	case errors.As(err, &timeout):
		return timeout.Error()
	case errors.As(err, &limit):
		return limit.Error()
	case errors.As(err, &loop):
		return loop.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing listens at %s (connection refused); check the URL and that the service is up", host)
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Sprintf("no host named %s could be found (DNS: %s); check the URL", dns.Name, dns.Err)
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %s could not be looked up (DNS: %s); check this machine's network and DNS settings", dns.Name, dns.Err)
	case errors.As(err, &unknown):
		return fmt.Sprintf("the certificate of %s is not trusted (signed by an authority this machine does not know); a proxy that inspects TLS needs its root certificate installed on this machine", host)
	case errors.As(err, &hostname):
		return fmt.Sprintf("the certificate of %s is not valid for that name (%s); check the URL", host, hostname.Error())
	case errors.As(err, &invalid):
		return fmt.Sprintf("the certificate of %s is not valid (%s)", host, invalid.Error())
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http says the latter in a string only.
		return fmt.Sprintf("%s does not speak TLS (it answered plain HTTP); check the URL's scheme", host)
	case errors.As(err, &alert):
		return fmt.Sprintf("%s refused the TLS handshake (%s); check the URL and whether the service needs a client certificate", host, alert.Error())
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Sprintf("%s dropped the connection (%s)", host, rootCause(err))
	case IsTimeout(err):
		return fmt.Sprintf("%s did not answer in time (%s)", host, rootCause(err))
	case errors.As(err, &op):
		return fmt.Sprintf("cannot reach %s: %s", host, rootCause(err))
	}
	return err.Error()
}

// rootCause is the innermost message of err's chain, without the URL
// net/http's url.Error adds (it may carry a token exchange's query).
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// FinalError is an exchange that failed for a reason another attempt would
// not change (Retryable is false), explained in the consultant's terms. A
// layer that knows a failure of its own is final (the database refusing a
// page) says so by returning one.
type FinalError struct {
	// Why says what went wrong and what to check, naming the endpoint.
	Why string
	Err error
}

// Final explains err, the failure of req, as a *FinalError (err itself
// when it already is one).
func Final(req *http.Request, err error) *FinalError {
	var final *FinalError
	if errors.As(err, &final) {
		return final
	}
	endpoint := Endpoint(req)
	why := Explain(req.URL.Host, err)
	if !strings.Contains(why, endpoint) {
		why = endpoint + ": " + why
	}
	return &FinalError{Why: why, Err: err}
}

func (e *FinalError) Error() string { return e.Why }
func (e *FinalError) Unwrap() error { return e.Err }

// Unquote returns the error net/http's *url.Error wraps, when err is one:
// its text repeats the request's whole URL, query included (a cursor, or a
// token request's signed client assertion), where this package's errors
// name the endpoint alone.
func Unquote(err error) error {
	var u *url.Error
	if errors.As(err, &u) && u.Err != nil {
		return u.Err
	}
	return err
}
