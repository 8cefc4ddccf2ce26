package inventory

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

// ErrUnreachable is wrapped by the error of a source test whose endpoint
// does not answer HTTP at all: the credential was never sent.
var ErrUnreachable = errors.New("endpoint unreachable")

// unreachableError says why an endpoint did not answer, in its own words,
// and is ErrUnreachable.
type unreachableError struct{ why string }

func (e unreachableError) Error() string        { return e.why + "; the credential was not sent" }
func (e unreachableError) Is(target error) bool { return target == ErrUnreachable }

// reachTimeout bounds one reachability check: a host that takes longer to
// answer an unauthenticated request would not carry a collection either.
const reachTimeout = 15 * time.Second

// reach checks that something answers HTTP at base with one plain GET that
// carries no credential: any status will do, the body is not read beyond a
// few kilobytes. Its error names the failure in the terms a consultant can
// act on ("nothing listens at …", "the certificate of … is not trusted")
// and is ErrUnreachable.
func reach(ctx context.Context, rt http.RoundTripper, base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return unreachableError{fmt.Sprintf("%q is not a URL: %v", base, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return unreachableError{err.Error()}
	}
	// No redirects: an answer, any answer, is what this asks for.
	client := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ctx.Err()
		}
		return unreachableError{unreachable(u, err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
}

// unreachable says why nothing answered at u.
func unreachable(u *url.URL, err error) string {
	host := u.Host
	var (
		dns      *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing listens at %s (connection refused); check the URL and that the service is up", host)
	case errors.As(err, &dns):
		return fmt.Sprintf("no host named %s could be found (DNS: %s); check the URL", u.Hostname(), dns.Err)
	case errors.As(err, &unknown):
		return fmt.Sprintf("the certificate of %s is not trusted (signed by an authority this machine does not know); a proxy that inspects TLS needs its root certificate installed on this machine", host)
	case errors.As(err, &hostname):
		return fmt.Sprintf("the certificate of %s is not valid for that name (%v); check the URL", host, hostname.Error())
	case errors.As(err, &invalid):
		return fmt.Sprintf("the certificate of %s is not valid (%s)", host, invalid.Error())
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http says the latter in a string only.
		return fmt.Sprintf("%s does not speak TLS (it answered plain HTTP); check the URL's scheme", host)
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("%s did not answer within %s", host, reachTimeout)
	}
	return fmt.Sprintf("cannot reach %s: %v", host, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
