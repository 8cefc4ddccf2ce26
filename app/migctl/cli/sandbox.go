package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
)

// sandboxAdminActor is who the sandbox's admin token acts as.
const sandboxAdminActor = "sandbox-admin"

// shutdownGrace is how long in-flight requests get to finish after Ctrl-C.
const shutdownGrace = 5 * time.Second

func newSandboxCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox Portal: the admin API on a local SQLite file, for demos, tests and rehearsals",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newSandboxServeCmd(e), newSandboxSimulateLoginsCmd(e))
	return cmd
}

// sandboxServeFlags are the switches of sandbox serve.
type sandboxServeFlags struct {
	addr, db, seed, tenant       string
	latency, retryAfter          time.Duration
	rate429, rate5xx, rateCommit float64
	writeRate                    float64
	logins                       sandbox.LoginSimulation
	token                        secretFlags
}

// sandboxStarted is the --json document sandbox serve prints once it
// listens. AdminToken is set only when the sandbox generated the token.
type sandboxStarted struct {
	URL    string `json:"url"`
	Tenant string `json:"tenant"`
	Seed   string `json:"seed"`
	DB     string `json:"db"`
	// Throwaway is true when no --db was given: the file goes on exit.
	Throwaway   bool   `json:"throwaway"`
	TokenSource string `json:"token_source"`
	AdminToken  string `json:"admin_token,omitempty"`
	// SimulatedLogins is the login-simulation interval, when the switch is on.
	SimulatedLogins string `json:"simulated_logins,omitempty"`
}

func newSandboxServeCmd(e *env) *cobra.Command {
	f := sandboxServeFlags{token: secretFlags{what: "the admin token the sandbox accepts", stdinFlag: "token-stdin", envFlag: "token-env"}}
	cmd := &cobra.Command{
		Use:   "serve --addr 127.0.0.1:PORT [--db PATH] [--seed demo|empty] [--token-stdin | --token-env NAME]",
		Short: "Serve the Portal admin API contract on a loopback address until Ctrl-C",
		Long: `Serve runs the sandbox Portal on a loopback address only (127.0.0.1, ::1 or localhost).
Its state lives in the SQLite file --db (a throwaway file when omitted). The admin token it
accepts is read from stdin (--token-stdin) or a named variable (--token-env); otherwise one is
generated and printed once on stdout, and only its hash is kept. Requests are logged to
stderr at info, without tokens or bodies. The fault switches inject latency, 429s, 503s and
"commit, then fail" creates, to rehearse a client's resilience.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return serveSandbox(e, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8787", "loopback host:port to listen on (port 0 picks a free one)")
	fl.StringVar(&f.db, "db", "", "sandbox SQLite file, created if missing (default: a throwaway file removed on exit)")
	fl.StringVar(&f.seed, "seed", sandbox.SeedEmpty, "initial state when the file is new: demo or empty")
	fl.StringVar(&f.tenant, "tenant", sandbox.DemoTenant, "tenant the admin token belongs to (the demo seed fills "+sandbox.DemoTenant+")")
	fl.DurationVar(&f.latency, "latency", 0, "delay added to every request, e.g. 200ms")
	fl.Float64Var(&f.rate429, "rate-429", 0, "share of requests (0-1) answered 429 with Retry-After")
	fl.Float64Var(&f.rate5xx, "rate-5xx", 0, "share of requests (0-1) answered 503 with Retry-After")
	fl.Float64Var(&f.rateCommit, "rate-commit-then-fail", 0, "share of creates (0-1) committed and then answered 503 or dropped")
	fl.DurationVar(&f.retryAfter, "retry-after", time.Second, "Retry-After sent with injected 429s and 503s (whole seconds)")
	registerLoginFlags(cmd, &f.logins, "simulate-logins")
	fl.Float64Var(&f.writeRate, "write-rate", 0, "writes per second the sandbox accepts (a burst of one second's worth); more are answered 429 (0: no limit)")
	f.token.register(cmd)
	return cmd
}

func (f sandboxServeFlags) check() error {
	if err := oneOf("seed", f.seed, sandbox.SeedDemo, sandbox.SeedEmpty); err != nil {
		return err
	}
	for _, r := range []struct {
		flag string
		v    float64
	}{{"rate-429", f.rate429}, {"rate-5xx", f.rate5xx}, {"rate-commit-then-fail", f.rateCommit},
		{"login-failure-rate", f.logins.FailureRate}, {"jit-rate", f.logins.JITRate}} {
		if r.v < 0 || r.v > 1 {
			return usageErrorf("--%s must be between 0 and 1, got %g", r.flag, r.v)
		}
	}
	if f.latency < 0 || f.retryAfter < 0 || f.logins.Every < 0 || f.writeRate < 0 {
		return usageErrorf("--latency, --retry-after, --simulate-logins and --write-rate cannot be negative")
	}
	if err := wiring.CheckLoopbackAddr(f.addr); err != nil {
		return usageErrorf("--addr %v", err)
	}
	return nil
}

func serveSandbox(e *env, f sandboxServeFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	var token secret.Value
	if f.token.given() {
		var err error
		if token, err = e.readSecret(&f.token); err != nil {
			return err
		}
	}
	if e.logLevel == "" && e.getenv("PMC_LOG_LEVEL") == "" {
		e.log = wiring.Logger(e.stderr, slog.LevelInfo) // a server's requests are its output
	}

	path := f.db
	if path == "" {
		dir, err := os.MkdirTemp("", "pmc-sandbox-")
		if err != nil {
			return fmt.Errorf("make a throwaway sandbox file: %w", err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "sandbox.db")
	}
	sb, err := wiring.StartSandbox(e.ctx, wiring.SandboxSpec{
		Addr: f.addr, Path: path, Seed: f.seed, Tenant: f.tenant, Actor: sandboxAdminActor, Token: token,
		Options: sandbox.Options{
			Latency: f.latency, RateLimitedRate: f.rate429, UnavailableRate: f.rate5xx,
			CommitThenFailRate: f.rateCommit, RetryAfter: f.retryAfter, Logins: f.logins, Log: e.log,
			WriteRate: f.writeRate, WriteBurst: int(f.writeRate),
		},
		Middleware: func(h http.Handler) http.Handler { return logRequests(e.log, h) },
	})
	if err != nil {
		return err
	}
	started := sandboxStarted{URL: sb.URL, Tenant: f.tenant, Seed: f.seed, DB: path, Throwaway: f.db == "", TokenSource: "stdin"}
	if f.logins.Enabled() {
		started.SimulatedLogins = f.logins.Every.String()
	}
	switch {
	case sb.Issued:
		started.TokenSource, started.AdminToken = "generated", sb.Token.Reveal() // printed once, by design
	case f.token.envName != "":
		started.TokenSource = "environment"
	}
	if err := e.print(started, func(out io.Writer) error { return printSandboxStarted(out, started) }); err != nil {
		sb.Close()
		return err
	}
	e.log.Info("sandbox listening", "url", started.URL, "tenant", f.tenant, "seed", f.seed, "db", path)

	select {
	case <-sb.Stopped():
		sb.Close()
		return fmt.Errorf("sandbox server stopped: %w", sb.ServeErr())
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := sb.Shutdown(ctx); err != nil {
		return err
	}
	e.log.Info("sandbox stopped", "db", path)
	return nil
}

func printSandboxStarted(out io.Writer, s sandboxStarted) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "Sandbox Portal admin API for tenant %s (seed: %s) listening on %s\n", s.Tenant, s.Seed, s.URL)
	if s.Throwaway {
		fmt.Fprintf(w, "State: %s (throwaway: removed on exit; pass --db PATH to keep it)\n", s.DB)
	} else {
		fmt.Fprintf(w, "State: %s\n", s.DB)
	}
	if s.AdminToken != "" {
		fmt.Fprintf(w, "Admin token (shown only this once; the sandbox keeps just its hash):\n  %s\n", s.AdminToken)
	} else {
		fmt.Fprintf(w, "Admin token: the one read from %s.\n", s.TokenSource)
	}
	if s.SimulatedLogins != "" {
		fmt.Fprintf(w, "Simulating SSO logins every %s (sandbox only: users in SSO_PREFERRED or SSO_REQUIRED log in, link, and some fail).\n", s.SimulatedLogins)
	}
	fmt.Fprintf(w, "Connect a workspace: migctl workspace connect --target-url %s --target-token-stdin\n", s.URL)
	fmt.Fprintln(w, "Stop with Ctrl-C.")
	return w.Flush()
}

// logRequests logs each request at info: method, path, status and duration.
// Never headers (the token), queries or bodies.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
				if rec.hijacked {
					status = 0 // the connection was dropped on purpose (commit, then fail)
				}
			}
			log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
				"duration_ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status written. It passes Hijack through:
// the sandbox drops connections by hijacking them.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response writer cannot be hijacked")
	}
	s.hijacked = true
	return hj.Hijack()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
