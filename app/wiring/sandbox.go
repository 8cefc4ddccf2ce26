package wiring

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// SandboxSpec says how to start the sandbox Portal: the admin API contract
// served from a local SQLite file. `migctl sandbox serve` and the demo both
// start it through StartSandbox.
type SandboxSpec struct {
	// Addr is the loopback host:port to listen on; port 0 picks a free one
	// and "" means 127.0.0.1:0.
	Addr string
	// Path is the sandbox file, created if missing.
	Path string
	// Fresh removes the file at Path first, so the sandbox starts from its
	// seed rather than from what a previous run left.
	Fresh bool
	// Seed is sandbox.SeedDemo or sandbox.SeedEmpty; seeding a file that
	// already holds the demo changes nothing.
	Seed string
	// Tenant and Actor are whom the admin token acts for.
	Tenant, Actor string
	// Token is the admin token to accept; when empty a new one is issued
	// and returned in Sandbox.Token (only its hash is stored).
	Token secret.Value
	// Options are the server's fault switches, clock and log; Options.Log
	// also receives the HTTP server's own errors.
	Options sandbox.Options
	// Middleware, when set, wraps the sandbox's handler (request logging).
	Middleware func(http.Handler) http.Handler
}

// Sandbox is a running sandbox Portal. Stop it with Shutdown or Close.
type Sandbox struct {
	// URL is the admin API's base URL, e.g. http://127.0.0.1:8787.
	URL string
	// Path is the sandbox file.
	Path string
	// Token is the admin token the sandbox accepts for Tenant.
	Token secret.Value
	// Issued is set when StartSandbox minted Token (nobody else knows it).
	Issued bool

	db       *sandboxdb.DB
	srv      *http.Server
	stopped  chan struct{}
	serveErr error
	once     sync.Once
	closeErr error
}

// StartSandbox opens (or creates) and seeds the sandbox file, makes it
// accept the admin token, and serves it on a loopback address. Nothing is
// left running when it fails.
func StartSandbox(ctx context.Context, spec SandboxSpec) (_ *Sandbox, err error) {
	if spec.Addr == "" {
		spec.Addr = "127.0.0.1:0"
	}
	if err := CheckLoopbackAddr(spec.Addr); err != nil { // before touching any file
		return nil, fmt.Errorf("sandbox address %w", err)
	}
	if spec.Fresh {
		if err := RemoveSQLiteFiles(spec.Path); err != nil {
			return nil, fmt.Errorf("start the sandbox: remove the previous file: %w", err)
		}
	}
	db, err := sandboxdb.Open(ctx, spec.Path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if err := sandbox.Seed(ctx, db, spec.Seed, time.Now()); err != nil {
		return nil, fmt.Errorf("seed sandbox %s: %w", spec.Path, err)
	}
	s := &Sandbox{Path: spec.Path, Token: spec.Token, db: db, stopped: make(chan struct{})}
	tokenSpec := sandbox.AdminTokenSpec(spec.Tenant, spec.Actor)
	if s.Token.IsEmpty() {
		if s.Token, err = sandbox.IssueToken(ctx, db, tokenSpec); err != nil {
			return nil, err
		}
		s.Issued = true
	} else if err := sandbox.AcceptToken(ctx, db, s.Token, tokenSpec); err != nil {
		return nil, err
	}

	ln, err := listenLoopback(spec.Addr)
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	var handler http.Handler = sandbox.NewServer(db, spec.Options)
	if spec.Middleware != nil {
		handler = spec.Middleware(handler)
	}
	var errLog *log.Logger
	if spec.Options.Log != nil {
		errLog = slog.NewLogLogger(spec.Options.Log.Handler(), slog.LevelWarn)
	}
	timeouts := sandbox.DefaultTimeouts
	timeouts.Write += spec.Options.Latency // injected latency is not a stalled client
	s.srv = sandbox.HTTPServer(handler, timeouts, errLog)
	go func() {
		s.serveErr = s.srv.Serve(sandbox.ProblemListener(ln))
		close(s.stopped)
	}()
	return s, nil
}

// CheckLoopbackAddr refuses a listen address that could reach beyond this
// machine: the sandbox accepts a well-known demo state and weak test tokens.
func CheckLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port, e.g. 127.0.0.1:8787", addr)
	}
	if !endpoint.IsLoopback(host) {
		return fmt.Errorf("%q is not a loopback address; the sandbox listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	return nil
}

// listenLoopback listens on addr, which CheckLoopbackAddr accepted, and
// checks the bound address too: "localhost" could resolve off the machine
// on an odd resolver setup.
func listenLoopback(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("listen on %s: bound %s, which is not a loopback address", addr, ln.Addr())
	}
	return ln, nil
}

// Stopped is closed when the server stops serving, on its own or by
// Shutdown or Close; ServeErr then says why.
func (s *Sandbox) Stopped() <-chan struct{} { return s.stopped }

// ServeErr is what ended serving (http.ErrServerClosed after Shutdown or
// Close); call it once Stopped is closed.
func (s *Sandbox) ServeErr() error { return s.serveErr }

// Shutdown stops accepting requests, lets those in flight finish until ctx
// ends (then drops them), and closes the sandbox file. Later calls, and
// Close, return the first call's result.
func (s *Sandbox) Shutdown(ctx context.Context) error {
	return s.stop(func() error {
		if err := s.srv.Shutdown(ctx); err != nil {
			return errors.Join(fmt.Errorf("stop the sandbox: %w", err), s.srv.Close())
		}
		return nil
	})
}

// Close stops the sandbox at once, dropping requests in flight, and closes
// its file.
func (s *Sandbox) Close() error { return s.stop(s.srv.Close) }

func (s *Sandbox) stop(halt func() error) error {
	s.once.Do(func() {
		errs := []error{halt()}
		<-s.stopped
		if !errors.Is(s.serveErr, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("sandbox server: %w", s.serveErr))
		}
		if err := s.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the sandbox file: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
