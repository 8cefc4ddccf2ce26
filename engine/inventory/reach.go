package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/portal-id/migration-console/engine/netguard"
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
		// A bound of the transport's names itself; the check's own
		// deadline is said here.
		var bounded *netguard.TimeoutError
		if !errors.As(err, &bounded) && netguard.IsTimeout(err) {
			return unreachableError{fmt.Sprintf("%s did not answer within %s", u.Host, reachTimeout)}
		}
		return unreachableError{netguard.Explain(u.Host, netguard.Unquote(err))}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
}
