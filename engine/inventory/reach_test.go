package inventory

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReachNamesWhatIsWrong: a dead port, an untrusted certificate and
// plain HTTP spoken to a TLS client each fail with what a consultant can
// act on; any HTTP answer, even a 404, means the endpoint is there.
func TestReachNamesWhatIsWrong(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	cases := []struct {
		name, url, want string
	}{
		{"nothing listening", deadURL, "nothing listens at " + strings.TrimPrefix(deadURL, "http://")},
		{"self-signed certificate", tlsSrv.URL, "the certificate of " + strings.TrimPrefix(tlsSrv.URL, "https://") + " is not trusted"},
		{"plain http behind https", "https://" + strings.TrimPrefix(plain.URL, "http://"), "does not speak TLS"},
		{"an answer", plain.URL, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := reach(context.Background(), vendorTransport(), tc.url)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a 404 is an answer: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrUnreachable saying %q", err, tc.want)
			}
		})
	}
}

// TestCheckDomainsRunsAFewAtATime: every probe runs, at most probeWorkers
// at once, and the checks come back in the probes' order under their
// domains.
func TestCheckDomainsRunsAFewAtATime(t *testing.T) {
	var mu sync.Mutex
	inflight, peak := 0, 0
	var probes []DomainProbe
	domains := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
	for i, d := range domains {
		probes = append(probes, DomainProbe{Domain: d, Check: func(context.Context) DomainCheck {
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			mu.Unlock()
			time.Sleep(time.Duration(len(domains)-i) * 5 * time.Millisecond)
			mu.Lock()
			inflight--
			mu.Unlock()
			return DomainCheck{Readable: i%2 == 0, Status: 200 + i}
		}})
	}
	checks := CheckDomains(context.Background(), probes)
	for i, c := range checks {
		if c.Domain != domains[i] || c.Status != 200+i || c.Readable != (i%2 == 0) {
			t.Errorf("check %d = %+v", i, c)
		}
	}
	if peak < 2 || peak > probeWorkers {
		t.Errorf("%d probes ran at once, want between 2 and %d", peak, probeWorkers)
	}
}
