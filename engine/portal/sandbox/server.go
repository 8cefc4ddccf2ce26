// Package sandbox is a real Portal admin API server on a Store: the demo's
// target and the one every test and rehearsal runs against. It implements
// the generated strict server interface of engine/portal/api, checks every
// request against the contract, and has switches (Options) that inject
// latency, 429s, 503s and "commit, then fail" answers so a client's
// resilience can be shown.
package sandbox

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// FailMode says how a "commit, then fail" create answers.
type FailMode int

const (
	// FailMixed picks 503 or a dropped connection at random.
	FailMixed FailMode = iota
	// Fail503 answers 503 with Retry-After.
	Fail503
	// FailDrop closes the connection without an answer.
	FailDrop
)

// Options are the sandbox's switches. The zero value is a well-behaved
// server.
type Options struct {
	// Latency is added before every request is handled.
	Latency time.Duration
	// RateLimitedRate is the share (0..1) of requests answered 429 before
	// any work is done.
	RateLimitedRate float64
	// UnavailableRate is the share (0..1) of requests answered 503 before
	// any work is done.
	UnavailableRate float64
	// CommitThenFailRate is the share (0..1) of creates that are committed
	// (and their idempotent answer stored) and then answered per
	// CommitThenFailMode instead.
	CommitThenFailRate float64
	CommitThenFailMode FailMode
	// WriteRate is how many writes (anything but GET and HEAD) per second
	// the tenant's token may send, as a token bucket holding WriteBurst
	// (at least 1); a write beyond it is answered 429 with the Retry-After
	// the bucket needs. 0 means no limit.
	WriteRate  float64
	WriteBurst int
	// RetryAfter goes into 429 and 503 answers, in whole seconds.
	RetryAfter time.Duration
	// Seed fixes the switches' random draws; 0 picks a random seed.
	Seed uint64
	// Logins is the login-simulation switch (off when zero).
	Logins LoginSimulation
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Log receives internal errors (slog.Default when nil). Tokens and
	// request bodies are never logged.
	Log *slog.Logger
}

// Server implements api.StrictServerInterface on a Store.
type Server struct {
	store Store
	opts  Options
	log   *slog.Logger

	randMu sync.Mutex
	rand   *rand.Rand

	simMu     sync.Mutex
	lastRound map[string]time.Time // by tenant

	keys keyLocks

	writes *rate.Limiter // nil without a write rate
}

var _ api.StrictServerInterface = (*Server)(nil)

// NewServer returns the sandbox's HTTP handler, serving the contract under
// /api/v1.
func NewServer(store Store, opts Options) http.Handler {
	s := newServer(store, opts)
	mux := http.NewServeMux()
	strict := api.NewStrictHandlerWithOptions(s, nil, api.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeProblem(w, invalid("request body: %s", clip(err.Error())))
		},
		ResponseErrorHandlerFunc: s.writeError,
	})
	routes := api.HandlerWithOptions(strict, api.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeProblem(w, invalid("%s", clip(err.Error())))
		},
	})
	var h http.Handler = routes
	h = s.idempotent(h)
	h = s.validated(h)
	h = s.simulated(h)
	h = s.authorised(h)
	h = s.faults(h)
	h = s.delayed(h)
	h = wellFormed(h)
	return s.recovered(h)
}

func newServer(store Store, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s := &Server{store: store, opts: opts, log: opts.Log, rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		lastRound: map[string]time.Time{}}
	if opts.WriteRate > 0 {
		s.writes = rate.NewLimiter(rate.Limit(opts.WriteRate), max(opts.WriteBurst, 1))
	}
	return s
}

func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// chance draws true with probability p.
func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rand.Float64() < p
}

func (s *Server) retryAfter() string {
	return strconv.Itoa(int(s.opts.RetryAfter / time.Second))
}

// writeError renders a handler's error: a problemError as itself, anything
// else as a 500 whose cause goes to the log only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if p, ok := err.(*problemError); ok {
		writeProblem(w, p)
		return
	}
	s.log.Error("sandbox request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeProblem(w, problemf(http.StatusInternalServerError, api.ProblemCodeInternalError, "the sandbox failed to handle the request"))
}

type principalKey struct{}

func principalFrom(ctx context.Context) TokenSpec {
	p, _ := ctx.Value(principalKey{}).(TokenSpec)
	return p
}

// keyLocks serialises requests that share an idempotency key, so two
// concurrent retries cannot both create.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
