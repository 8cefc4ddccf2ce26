package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// lockedBuffer is stderr for a server that logs from its handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// servingSandbox is `migctl sandbox serve` running in-process.
type servingSandbox struct {
	started sandboxStarted
	stdout  string // the human form's first lines, or the JSON document
	stderr  *lockedBuffer
	stop    func() int
}

// serve starts migctl sandbox serve with args and waits until it printed
// where it listens. stop cancels it (Ctrl-C) and returns the exit code.
func serve(t *testing.T, stdin string, env map[string]string, args ...string) *servingSandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	s := &servingSandbox{stderr: &lockedBuffer{}}
	done := make(chan int, 1)
	go func() {
		code := Run(ctx, append([]string{"sandbox", "serve", "--json"}, args...), strings.NewReader(stdin), outW, s.stderr, func(k string) string { return env[k] })
		outW.Close()
		done <- code
	}()
	var raw json.RawMessage
	if err := json.NewDecoder(outR).Decode(&raw); err != nil {
		cancel()
		t.Fatalf("sandbox serve printed no JSON document (exit %d): %v\nstderr: %s", <-done, err, s.stderr)
	}
	go io.Copy(io.Discard, outR) // nothing more is expected; never block the server
	if err := json.Unmarshal(raw, &s.started); err != nil {
		t.Fatal(err)
	}
	s.stdout = string(raw)
	stopped := false
	s.stop = func() int {
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if !stopped {
			s.stop()
		}
	})
	return s
}

func whoami(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/api/v1/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSandboxServeTokenFromStdin(t *testing.T) {
	canary := "canary-sandbox-token-" + randomHex(t, 16)
	db := filepath.Join(t.TempDir(), "sandbox.db")
	s := serve(t, canary+"\n", nil, "--addr", "127.0.0.1:0", "--db", db, "--seed", "demo", "--token-stdin")

	if !strings.HasPrefix(s.started.URL, "http://127.0.0.1:") || s.started.Tenant != sandbox.DemoTenant ||
		s.started.TokenSource != "stdin" || s.started.AdminToken != "" || s.started.DB != db || s.started.Throwaway {
		t.Fatalf("started document: %+v", s.started)
	}
	status, body := whoami(t, s.started.URL, canary)
	if status != http.StatusOK || !strings.Contains(body, `"tenant_id":"demo-tenant"`) {
		t.Fatalf("whoami with the stdin token: %d %s", status, body)
	}
	if status, _ := whoami(t, s.started.URL, "fake-portal-token-for-tests-unknown"); status != http.StatusUnauthorized {
		t.Errorf("whoami with an unknown token: %d, want 401", status)
	}
	// The real client sees the demo seed through the contract.
	c, err := client.New(s.started.URL, secret.New(canary))
	if err != nil {
		t.Fatal(err)
	}
	counts, err := c.Counts(context.Background())
	if err != nil || counts[client.NounUsers] == 0 {
		t.Errorf("counts through the served contract: %v, %v", counts, err)
	}

	if code := s.stop(); code != 0 {
		t.Fatalf("stopping with Ctrl-C: exit %d, want 0\nstderr: %s", code, s.stderr)
	}
	logged := s.stderr.String()
	if !strings.Contains(logged, "level=INFO msg=request method=GET path=/api/v1/whoami status=200") ||
		!strings.Contains(logged, "status=401") || !strings.Contains(logged, "sandbox stopped") {
		t.Errorf("requests are not logged at info:\n%s", logged)
	}
	if strings.Contains(logged+s.stdout, canary) {
		t.Errorf("the admin token was printed:\nstdout: %s\nstderr: %s", s.stdout, logged)
	}
	// The file keeps only the token's hash, and survives for the next run.
	store, err := sandboxdb.Open(context.Background(), db)
	if err != nil {
		t.Fatalf("reopen the sandbox file: %v", err)
	}
	store.Close()
	assertFileLacks(t, db, canary)
}

func TestSandboxServeGeneratesTokenOnce(t *testing.T) {
	s := serve(t, "", nil, "--addr", "127.0.0.1:0", "--seed", "empty", "--tenant", "rehearsal-tenant")
	tok := s.started.AdminToken
	if s.started.TokenSource != "generated" || !strings.HasPrefix(tok, "psbx_") || !s.started.Throwaway {
		t.Fatalf("started document: %+v", s.started)
	}
	if status, body := whoami(t, s.started.URL, tok); status != http.StatusOK || !strings.Contains(body, `"tenant_id":"rehearsal-tenant"`) {
		t.Fatalf("whoami with the generated token: %d %s", status, body)
	}
	path := s.started.DB
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, s.stderr)
	}
	if strings.Contains(s.stderr.String(), tok) {
		t.Errorf("the generated token reached the log:\n%s", s.stderr)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the throwaway sandbox file %s outlived the sandbox (stat: %v)", path, err)
	}
}

func TestSandboxServeHumanOutput(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Press Ctrl-C as soon as the sandbox has said how to stop it.
	out := &stopAfter{marker: "Stop with Ctrl-C.", stop: cancel}
	var errOut bytes.Buffer
	code := Run(ctx, []string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db")},
		strings.NewReader(""), out, &errOut, func(k string) string { return h.env[k] })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"listening on http://127.0.0.1:", "Admin token (shown only this once", "psbx_",
		"migctl workspace connect --target-url http://127.0.0.1:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// stopAfter collects output and calls stop once marker was written.
type stopAfter struct {
	bytes.Buffer
	marker string
	stop   func()
}

func (s *stopAfter) Write(p []byte) (int, error) {
	n, err := s.Buffer.Write(p)
	if strings.Contains(s.String(), s.marker) {
		s.stop()
	}
	return n, err
}

// assertFileLacks fails when the file at path, or its -wal, holds needle.
func assertFileLacks(t *testing.T, path, needle string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(needle)) {
			t.Errorf("%s%s holds the secret", filepath.Base(path), suffix)
		}
	}
}

func TestSandboxServeRefusesNonLoopback(t *testing.T) {
	h := newHarness(t)
	for _, addr := range []string{"0.0.0.0:8787", ":8787", "[::]:8787", "192.0.2.10:8787", "example.com:80", "8787"} {
		r := h.runRaw("fake-sandbox-token-for-tests", "sandbox", "serve", "--addr", addr, "--token-stdin", "--db", filepath.Join(t.TempDir(), "s.db"))
		if r.code != 2 || !strings.Contains(r.stderr, "--addr") || r.stdout != "" {
			t.Errorf("--addr %s: exit %d, want 2 with a message about --addr\nstdout: %s\nstderr: %s", addr, r.code, r.stdout, r.stderr)
		}
	}
	for _, bad := range [][]string{{"--seed", "full"}, {"--rate-429", "1.5"}, {"--rate-commit-then-fail", "-0.1"}} {
		r := h.runRaw("", append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, bad...)...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", bad, r.code, r.stderr)
		}
	}
}
