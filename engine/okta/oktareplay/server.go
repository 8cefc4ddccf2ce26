package oktareplay

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	oktacollector "github.com/portal-id/migration-console/engine/okta"
)

// Token is the API token the server accepts unless Options say otherwise.
const Token = "fake-okta-token-for-tests"

// rateLimited429 is Okta's published 429 body (see SOURCES.md).
//
//go:embed rate_limited_429_body.json
var rateLimited429 []byte

// Fault is what Options.Inject asks the server to do to one request.
type Fault int

const (
	Serve       Fault = iota // answer normally
	ServerError              // 500 with an Okta error body
	Slow                     // answer after Options.SlowBy
	Truncate                 // declare the full length, send half, drop the connection
)

// Options configure a Server.
type Options struct {
	Token string
	// Window is the rate-limit window, a whole number of seconds aligned to
	// the epoch (Okta resets are epoch seconds). Default 1 s.
	Window time.Duration
	// Limits are requests per window by rate group (okta.RateGroup);
	// DefaultLimit applies to the others; 0 means unlimited.
	Limits       map[string]int
	DefaultLimit int
	// Inject picks a fault for the n-th request (1-based).
	Inject func(r *http.Request, n int) Fault
	SlowBy time.Duration
	// HideBudget sends X-Rate-Limit-* only on 429s, so a client learns
	// limits the hard way: a 429 storm.
	HideBudget bool
}

// Request is one request the server saw.
type Request struct {
	Group  string
	Path   string
	Query  string
	At     time.Time
	Status int
	// Reset is the reset a 429 named.
	Reset time.Time
	// SHA256 is the hex digest of a complete 200 body.
	SHA256 string
}

// Server is a running replay of one org on 127.0.0.1.
type Server struct {
	URL string

	org  *Org
	opt  Options
	http *httptest.Server
	// groupIDs are the org's group ids, so a member listing of a group the
	// org lacks is a 404 without reading every group per request.
	groupIDs map[string]bool

	mu       sync.Mutex
	revoked  bool
	n        int
	counts   map[string]int // group/window -> requests
	requests []Request
}

// TB is the part of testing.TB Start needs.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start serves org until the test ends.
func Start(tb TB, org *Org, opt Options) *Server {
	tb.Helper()
	s, err := Listen(org, opt)
	if err != nil {
		tb.Fatalf("start okta replay: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Listen serves org on a free 127.0.0.1 port until Close (the demo's entry
// point).
func Listen(org *Org, opt Options) (*Server, error) {
	if opt.Token == "" {
		opt.Token = Token
	}
	if opt.Window < time.Second {
		opt.Window = time.Second
	}
	opt.Window = opt.Window.Truncate(time.Second)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	s := &Server{org: org, opt: opt, counts: map[string]int{}, groupIDs: map[string]bool{}}
	for _, g := range org.Groups {
		s.groupIDs[idOf(g)] = true
	}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.http.Listener.Close()
	s.http.Listener = l
	s.http.Start()
	s.URL = s.http.URL
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// Revoke makes the token invalid from now on.
func (s *Server) Revoke() {
	s.mu.Lock()
	s.revoked = true
	s.mu.Unlock()
}

// Requests returns what the server saw, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	group := oktacollector.RateGroup(r.URL.Path)
	win := s.opt.Window
	windowStart := now.Truncate(win)
	reset := windowStart.Add(win)
	limit := s.opt.DefaultLimit
	if l, ok := s.opt.Limits[group]; ok {
		limit = l
	}

	s.mu.Lock()
	s.n++
	n := s.n
	revoked := s.revoked
	key := group + "@" + strconv.FormatInt(windowStart.Unix(), 10)
	s.counts[key]++
	used := s.counts[key]
	s.requests = append(s.requests, Request{Group: group, Path: r.URL.Path, Query: r.URL.RawQuery, At: now})
	idx := len(s.requests) - 1
	s.mu.Unlock()
	record := func(status int, named time.Time) {
		s.mu.Lock()
		s.requests[idx].Status, s.requests[idx].Reset = status, named
		s.mu.Unlock()
	}

	h := w.Header()
	h.Set("Content-Type", "application/json")
	if limit > 0 && (!s.opt.HideBudget || used > limit) {
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(max(0, limit-used)))
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
	}
	if revoked || r.Header.Get("Authorization") != "SSWS "+s.opt.Token {
		record(http.StatusUnauthorized, time.Time{})
		writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	}
	if limit > 0 && used > limit {
		record(http.StatusTooManyRequests, reset)
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(rateLimited429)
		return
	}
	fault := Serve
	if s.opt.Inject != nil {
		fault = s.opt.Inject(r, n)
	}
	if fault == ServerError {
		record(http.StatusInternalServerError, time.Time{})
		writeError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
		return
	}
	body, next, status := s.route(r)
	if status != http.StatusOK {
		record(status, time.Time{})
		writeError(w, status, "E0000007", "Not found: Resource not found: "+r.URL.Path+" (Route)")
		return
	}
	self := s.URL + r.URL.Path + "?" + r.URL.RawQuery
	h.Add("Link", "<"+self+">; rel=\"self\"")
	if next != "" {
		h.Add("Link", "<"+next+">; rel=\"next\"")
	}
	switch fault {
	case Slow:
		select {
		case <-time.After(s.opt.SlowBy):
		case <-r.Context().Done():
			return
		}
	case Truncate:
		record(http.StatusOK, time.Time{})
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		return
	}
	record(http.StatusOK, time.Time{})
	sum := sha256.Sum256(body)
	s.mu.Lock()
	s.requests[idx].SHA256 = hex.EncodeToString(sum[:])
	s.mu.Unlock()
	w.Write(body)
}

// pageLimits are each listing's default and largest page.
var pageLimits = map[string][2]int{
	"/api/v1/apps":              {20, 200},
	"/api/v1/groups":            {10000, 10000},
	"/api/v1/idps":              {20, 200},
	"/api/v1/apps/{id}/groups":  {20, 200},
	"/api/v1/apps/{id}/users":   {50, 500},
	"/api/v1/groups/rules":      {50, 200},
	"/api/v1/groups/{id}/users": {1000, 1000},
}

// route finds the collection a request reads and cuts its page.
func (s *Server) route(r *http.Request) (body []byte, next string, status int) {
	if r.Method != http.MethodGet {
		return nil, "", http.StatusNotFound
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	segs := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")
	q := r.URL.Query()
	o := s.org
	var elems []json.RawMessage
	switch {
	case path == "/api/v1/apps":
		elems = o.Apps
	case path == "/api/v1/groups":
		elems = o.Groups
	case path == "/api/v1/groups/rules":
		elems = o.GroupRules
	case path == "/api/v1/idps":
		elems = o.IdPs
	case path == "/api/v1/idps/credentials/keys":
		elems = o.IdPKeys
	case path == "/api/v1/domains":
		return wrapDomains(o.Domains), "", http.StatusOK
	case path == "/api/v1/policies":
		typ := q.Get("type")
		for _, p := range o.Policies {
			if field(p, "type") == typ {
				elems = append(elems, p)
			}
		}
	case len(segs) == 3 && segs[0] == "policies" && segs[2] == "rules":
		elems = o.Rules[segs[1]]
	case len(segs) == 3 && segs[0] == "apps" && segs[2] == "groups":
		elems = o.AppGroups[segs[1]]
		if q.Get("expand") == "group" {
			elems = o.embedGroups(elems)
		}
	case len(segs) == 3 && segs[0] == "groups" && segs[2] == "users":
		if !s.groupIDs[segs[1]] {
			return nil, "", http.StatusNotFound
		}
		elems = o.GroupUsers[segs[1]]
	case len(segs) == 3 && segs[0] == "apps" && segs[2] == "users":
		elems = o.AppUsers[segs[1]]
	case len(segs) == 4 && segs[0] == "apps" && segs[2] == "credentials" && segs[3] == "keys":
		elems = o.AppKeys[segs[1]]
	default:
		return nil, "", http.StatusNotFound
	}
	if elems == nil {
		elems = []json.RawMessage{}
	}
	limits, paged := pageLimits[oktacollector.RateGroup(path)]
	if !paged {
		return joinArray(elems), "", http.StatusOK
	}
	limit := limits[0]
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, limits[1])
	}
	start := 0
	if v, err := strconv.Atoi(q.Get("after")); err == nil && v > 0 && v <= len(elems) {
		start = v
	}
	end := min(start+limit, len(elems))
	if end < len(elems) {
		// Okta's next link keeps the request's other parameters (expand).
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("limit", strconv.Itoa(limit))
		nq.Set("after", strconv.Itoa(end))
		next = s.URL + path + "?" + nq.Encode()
	}
	return joinArray(elems[start:end]), next, http.StatusOK
}

// embedGroups answers expand=group as Okta does: each assignment carries
// its group under _embedded.group. An assignment already holding
// _embedded, or naming a group the org lacks, is served as stored.
func (o *Org) embedGroups(elems []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, len(elems))
	for i, e := range elems {
		out[i] = e
		var probe struct {
			Embedded json.RawMessage `json:"_embedded"`
		}
		g, ok := o.group(idOf(e))
		trimmed := bytes.TrimRight(e, " \t\r\n")
		if !ok || json.Unmarshal(e, &probe) != nil || probe.Embedded != nil || len(trimmed) < 2 || trimmed[len(trimmed)-1] != '}' {
			continue
		}
		var b bytes.Buffer
		b.Write(trimmed[:len(trimmed)-1])
		if len(bytes.TrimSpace(trimmed[1:len(trimmed)-1])) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"_embedded":{"group":`)
		b.Write(g)
		b.WriteString("}}")
		out[i] = b.Bytes()
	}
	return out
}

func (o *Org) group(id string) (json.RawMessage, bool) {
	for _, g := range o.Groups {
		if idOf(g) == id {
			return g, true
		}
	}
	return nil, false
}

// joinArray writes elements into a JSON array without re-encoding them, so
// each element's bytes are the stored payload's.
func joinArray(elems []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func wrapDomains(elems []json.RawMessage) []byte {
	return append(append([]byte(`{"domains":`), joinArray(elems)...), '}')
}

func writeError(w http.ResponseWriter, status int, code, summary string) {
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{
		"errorCode": code, "errorSummary": summary, "errorLink": code,
		"errorId": "oae-replay-" + strconv.Itoa(status), "errorCauses": []any{},
	})
	w.Write(b)
}
