package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
)

// failing is a base transport whose every attempt fails with err, counted.
type failing struct {
	err   error
	calls atomic.Int32
}

func (f *failing) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, f.err
}

// TestPacerRetriesOnlyWhatCanSucceed: a failure another attempt cannot
// cure is sent once and comes back explained; a dropped connection is
// retried up to MaxAttempts, a timeout up to MaxTimeouts.
func TestPacerRetriesOnlyWhatCanSucceed(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		calls int32
		want  string
	}{
		{"the database refused the page", errors.New("save evidence of GET /api/v1/apps: disk I/O error"), 1, "disk I/O error"},
		{"an oversized answer", &netguard.BodyLimitError{Endpoint: "GET https://acme.example/api/v1/apps", Limit: 1 << 20}, 1, "exceeded the 1 MiB limit"},
		{"a refused connection", fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED), 1, "nothing listens at acme.example"},
		{"a dropped connection", fmt.Errorf("read tcp: %w", syscall.ECONNRESET), 5, "retries exhausted after 5 attempts"},
		{"a silent server", &netguard.TimeoutError{Endpoint: "GET https://acme.example/api/v1/apps", Waited: time.Second}, 3, "did not answer within 1s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := &failing{err: tc.err}
			p := inventory.NewPacer(base, inventory.PacingOptions{MaxAttempts: 5, Backoff: time.Millisecond})
			req, _ := http.NewRequest(http.MethodGet, "https://acme.example/api/v1/apps?limit=200", nil)
			_, err := p.RoundTrip(req)
			if got := base.calls.Load(); got != tc.calls {
				t.Errorf("%d attempts, want %d", got, tc.calls)
			}
			faulttest.Named(t, err, tc.want)
			if tc.calls == 1 && !errors.Is(err, tc.err) {
				t.Errorf("the final error %v does not wrap its cause", err)
			}
			if strings.Contains(err.Error(), "credential") || strings.Contains(err.Error(), "token") {
				t.Errorf("%q blames the credential though the server never refused it", err)
			}
		})
	}
}

// TestPacerRetriesRequestTimeoutsAndServerErrorsOnly: 408 and 5xx are
// retried, any other 4xx is the server's answer.
func TestPacerRetriesRequestTimeoutsAndServerErrorsOnly(t *testing.T) {
	for status, calls := range map[int]int32{http.StatusRequestTimeout: 3, http.StatusServiceUnavailable: 3, http.StatusNotFound: 1, http.StatusForbidden: 1} {
		var n atomic.Int32
		srv := faulttest.StartHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
		}))
		p := inventory.NewPacer(nil, inventory.PacingOptions{MaxAttempts: 3, Backoff: time.Millisecond})
		resp, err := (&http.Client{Transport: p}).Get(srv.URL + "/api/v1/apps")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if got := n.Load(); got != calls {
			t.Errorf("HTTP %d: %d attempts, want %d", status, got, calls)
		}
	}
}

// TestPacerRefusesAFarFutureReset: a 429 whose reset is in 2100 fails the
// request at once, naming the server's reset time, instead of sleeping
// until then.
func TestPacerRefusesAFarFutureReset(t *testing.T) {
	srv := faulttest.Start(t, faulttest.Okta, faulttest.FarFutureReset)
	p := inventory.NewPacer(nil, inventory.PacingOptions{Limits: windowLimits, MaxWait: time.Minute})
	start := time.Now()
	_, err := (&http.Client{Transport: p}).Get(srv.URL + "/api/v1/apps")
	faulttest.Within(t, "a far-future reset", time.Since(start), 5*time.Second)
	faulttest.Named(t, err, "resets at 2100-01-01T00:00:00Z", "/api/v1/apps", "1m0s", "collect again after that time")
	if !errors.Is(err, inventory.ErrWaitTooLong) {
		t.Errorf("%v is not ErrWaitTooLong", err)
	}
	// A wait within the cap is taken: the same reset a second away.
	waited := 0
	soon := faulttest.StartHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if waited == 0 {
			waited++
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "[]")
	}))
	p = inventory.NewPacer(nil, inventory.PacingOptions{Limits: retryLimits, MaxWait: time.Minute})
	if err := get(t, context.Background(), &http.Client{Transport: p}, soon.URL+"/api/v1/apps"); err != nil {
		t.Fatalf("a one-second Retry-After: %v", err)
	}
}
