// Package faulttest is a loopback server that misbehaves the way a stalled,
// broken or hostile endpoint does, for the tests of every client that talks
// to one (the Okta and Graph collectors through their SDKs, the Portal
// client). It plays one Fault for every request, in the wire format of the
// client under test where the fault needs one (a next link is an Okta
// Link header, a Graph @odata.nextLink, a Portal next_cursor). It binds
// 127.0.0.1 only.
//
// It also measures what a fault costs the client: PeakHeap samples the
// heap (runtime/metrics) while the client runs.
package faulttest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is one way the server misbehaves.
type Fault string

const (
	// Silence accepts the connection, reads the request and never answers.
	Silence Fault = "silence after accept"
	// HeadersThenSilence sends 200 and its headers, then nothing.
	HeadersThenSilence Fault = "headers then silence"
	// EndlessBody sends 200 and a body that never ends (JSON whitespace,
	// as fast as the client reads).
	EndlessBody Fault = "endless body"
	// FarFutureReset refuses every request with 429 and a rate-limit reset
	// in the year 2100: Okta's X-Rate-Limit-* headers and a Retry-After
	// date, which Graph and the Portal read.
	FarFutureReset Fault = "far-future rate-limit reset"
	// SelfNext answers every request with an empty page whose next page is
	// the request itself.
	SelfNext Fault = "self-referencing next page"
	// GzipBomb answers with a gzip body of about 1 MB that inflates to
	// 1 GiB of JSON whitespace.
	GzipBomb Fault = "compressed bomb"
)

// Faults are every fault a Server plays, in a stable order.
var Faults = []Fault{Silence, HeadersThenSilence, EndlessBody, FarFutureReset, SelfNext, GzipBomb}

// Dialect is the wire format of a page: where its elements and its next
// page go.
type Dialect int

const (
	// Okta: a JSON array, the next page in a Link header (rel="next").
	Okta Dialect = iota
	// Graph: {"value": [...], "@odata.nextLink": URL}.
	Graph
	// Portal: {"items": [...], "next_cursor": CURSOR}.
	Portal
)

// FarReset is the reset FarFutureReset announces.
var FarReset = time.Date(2100, time.January, 1, 0, 0, 0, 0, time.UTC)

// Server is a running fault server.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	srv      *httptest.Server
	requests atomic.Int64
	stop     chan struct{}
}

// Start serves fault f in dialect d over plain HTTP until the test ends.
func Start(t testing.TB, d Dialect, f Fault) *Server {
	t.Helper()
	return start(t, d, f, false)
}

// StartTLS serves fault f in dialect d over TLS, for a client that insists
// on https (an OAuth authority); Transport trusts its certificate.
func StartTLS(t testing.TB, d Dialect, f Fault) *Server {
	t.Helper()
	return start(t, d, f, true)
}

// Transport is a transport that trusts the server's certificate.
func (s *Server) Transport() http.RoundTripper { return s.srv.Client().Transport }

func start(t testing.TB, d Dialect, f Fault, tls bool) *Server {
	t.Helper()
	s := &Server{stop: make(chan struct{})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.serve(w, r, d, f)
	}))
	s.srv.Listener = listen(t)
	if tls {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Requests is how many requests reached the server.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Close releases every stalled handler and stops the server.
func (s *Server) Close() {
	select {
	case <-s.stop:
		return
	default:
		close(s.stop)
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, d Dialect, f Fault) {
	switch f {
	case Silence:
		s.stall(r)
	case HeadersThenSilence:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		s.stall(r)
	case EndlessBody:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			select {
			case <-s.stop:
				return
			case <-r.Context().Done():
				return
			default:
			}
		}
	case FarFutureReset:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Rate-Limit-Limit", "600")
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", fmt.Sprint(FarReset.Unix()))
		h.Set("Retry-After", FarReset.Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`)
	case SelfNext:
		self := "http://" + r.Host + r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		switch d {
		case Okta:
			w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="self"`, self))
			w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="next"`, self))
			if strings.HasSuffix(r.URL.Path, "/domains") {
				// Okta wraps this one listing in an object.
				fmt.Fprint(w, `{"domains":[]}`)
			} else {
				fmt.Fprint(w, `[]`)
			}
		case Graph:
			fmt.Fprintf(w, `{"@odata.context":"%s/$metadata#groups","value":[],"@odata.nextLink":%q}`, "http://"+r.Host+"/v1.0", self)
		case Portal:
			fmt.Fprint(w, `{"items":[],"next_cursor":"cursor-that-repeats"}`)
		}
	case GzipBomb:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(Bomb())
	}
}

// stall holds a handler until the client gives up or the server closes.
func (s *Server) stall(r *http.Request) {
	select {
	case <-s.stop:
	case <-r.Context().Done():
	}
}

// BombInflated is what the Bomb inflates to.
const BombInflated = 1 << 30

var (
	bombOnce sync.Once
	bomb     []byte
)

// Bomb is a gzip stream of about 1 MB that inflates to BombInflated bytes
// of JSON whitespace: 1,024 gzip members of 1 MiB each (a gzip reader reads
// concatenated members as one stream), built once per test binary.
func Bomb() []byte {
	bombOnce.Do(func() {
		var member bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
		_, _ = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
		_ = zw.Close()
		bomb = bytes.Repeat(member.Bytes(), BombInflated>>20)
	})
	return bomb
}

// RefusedURL is an http URL on a loopback port nothing listens on.
func RefusedURL(t testing.TB) string {
	t.Helper()
	l := listen(t)
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// StartHandler serves h over plain HTTP on loopback until the test ends,
// for a misbehaviour of a test's own.
func StartHandler(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = listen(t)
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// StartUntrusted serves h over TLS with a certificate no machine trusts
// (httptest's own), for the client under test to refuse.
func StartUntrusted(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = listen(t)
	// The refused handshakes are the point: keep them out of the log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// heapMetric is the bytes of heap objects, live or not yet swept: what the
// process holds for them.
const heapMetric = "/memory/classes/heap/objects:bytes"

// PeakHeap runs fn and returns how far the heap grew above what it held
// when fn started, sampled every millisecond while fn runs and once after.
func PeakHeap(fn func()) int64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: heapMetric}}
	read := func() int64 {
		metrics.Read(sample)
		return int64(sample[0].Value.Uint64())
	}
	base := read()
	var peak atomic.Int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		s := []metrics.Sample{{Name: heapMetric}}
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	return max(0, peak.Load()-base)
}

// Within fails t unless took is at most bound, with what ran in the
// message.
func Within(t testing.TB, what string, took, bound time.Duration) {
	t.Helper()
	if took > bound {
		t.Errorf("%s took %s, over its bound of %s", what, took.Round(time.Millisecond), bound)
	}
}

// Named fails t unless err is not nil and its message holds every want.
func Named(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
}

// Counter is an http.RoundTripper that counts the exchanges base sends:
// how often each path was sent and with what error, and how many were
// in flight at once (from sending to the body's close or end).
type Counter struct {
	Base http.RoundTripper

	mu       sync.Mutex
	sent     map[string][]string
	inFlight int
	most     int
}

// RoundTrip implements http.RoundTripper.
func (c *Counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.sent == nil {
		c.sent = map[string][]string{}
	}
	c.inFlight++
	c.most = max(c.most, c.inFlight)
	c.mu.Unlock()
	resp, err := c.Base.RoundTrip(req)
	c.mu.Lock()
	defer c.mu.Unlock()
	outcome := "answered"
	if err != nil {
		outcome = err.Error()
		c.inFlight--
	} else {
		resp.Body = &counted{ReadCloser: resp.Body, c: c}
	}
	c.sent[req.URL.Path] = append(c.sent[req.URL.Path], outcome)
	return resp, err
}

// Most is the path sent most often, how often, and each attempt's outcome.
func (c *Counter) Most() (path string, outcomes []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, o := range c.sent {
		if len(o) > len(outcomes) {
			path, outcomes = p, o
		}
	}
	return path, outcomes
}

// MostInFlight is the most exchanges in flight at once.
func (c *Counter) MostInFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.most
}

type counted struct {
	io.ReadCloser
	c    *Counter
	once sync.Once
}

func (b *counted) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *counted) Close() error {
	b.done()
	return b.ReadCloser.Close()
}

func (b *counted) done() {
	b.once.Do(func() {
		b.c.mu.Lock()
		b.c.inFlight--
		b.c.mu.Unlock()
	})
}

// NoBlame fails t when err blames the credential (names a credential, a
// token, 401 or 403), for a failure where the server never refused one.
// Paths and URLs in the message are skipped (a path may hold such a word),
// and a status is a word of its own (a port may end in 401).
func NoBlame(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, w := range strings.Fields(strings.ToLower(err.Error())) {
		if strings.Contains(w, "/") {
			continue
		}
		w = strings.Trim(w, "()[]{}\"',.;:")
		for _, blame := range []string{"credential", "token", "unauthori", "forbidden"} {
			if strings.Contains(w, blame) {
				t.Errorf("%q mentions %q though the server never refused the credential", err, blame)
			}
		}
		if w == "401" || w == "403" {
			t.Errorf("%q mentions HTTP %s though the server never answered it", err, w)
		}
	}
}
