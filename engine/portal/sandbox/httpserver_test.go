package sandbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// served runs the sandbox as StartSandbox does (HTTPServer on a
// ProblemListener, on 127.0.0.1) with the given timeouts, and returns its
// address and an accepted admin token.
func served(t *testing.T, timeouts sandbox.Timeouts) (addr, token string) {
	t.Helper()
	db, err := sandboxdb.Open(context.Background(), filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	token = "fake-sandbox-token-for-tests-http-layer"
	if err := sandbox.AcceptToken(context.Background(), db, secret.New(token), sandbox.AdminTokenSpec("acme", "tester@example-corp.test")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := sandbox.HTTPServer(sandbox.NewServer(db, sandbox.Options{}), timeouts, log.New(io.Discard, "", 0))
	go srv.Serve(sandbox.ProblemListener(ln))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), token
}

// raw sends text as is and reads one answer.
func raw(t *testing.T, addr, text string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, text); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read the answer to %.40q: %v", text, err)
	}
	return resp
}

// TestEveryErrorIsAProblemDocument: the sandbox's own refusals and the
// HTTP layer's (which net/http writes before any handler runs) all answer
// application/problem+json with the status in the document.
func TestEveryErrorIsAProblemDocument(t *testing.T) {
	addr, token := served(t, sandbox.DefaultTimeouts)
	auth := "Authorization: Bearer " + token + "\r\n"
	for name, c := range map[string]struct {
		request string
		status  int
	}{
		"percent-escape in the path":   {"GET /api/v1/users/%zz HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", 400},
		"percent-escape in the query":  {"GET /api/v1/users?cursor=%zz HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", 400},
		"no protocol version":          {"GET /api/v1/users\r\nHost: x\r\n\r\n", 400},
		"unsupported protocol version": {"GET /api/v1/users HTTP/9.9\r\nHost: x\r\n\r\n", 505},
		"malformed header":             {"GET /api/v1/users HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400},
		"oversized header":             {"GET /api/v1/users HTTP/1.1\r\nHost: x\r\nX-Filler: " + strings.Repeat("a", 2*sandbox.MaxHeaderBytes) + "\r\n\r\n", 431},
		"unknown route":                {"GET /api/v1/nothing-here HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", 404},
		"bad method":                   {"BREW /api/v1/users HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", 405},
		"no token":                     {"GET /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n", 401},
		"unsupported transfer coding":  {"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
	} {
		t.Run(name, func(t *testing.T) {
			resp := raw(t, addr, c.request)
			defer resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			var p api.Problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatalf("not a problem document: %v", err)
			}
			if p.Status != c.status || p.Code == "" || p.Title == "" || p.Detail == nil || *p.Detail == "" {
				t.Fatalf("problem %+v", p)
			}
		})
	}
}

// TestStalledClientsAreCut: a client that never finishes its headers, one
// whose body never ends, and an idle kept-alive connection are each closed
// within a few times the configured timeout.
func TestStalledClientsAreCut(t *testing.T) {
	const limit = 300 * time.Millisecond
	addr, token := served(t, sandbox.Timeouts{ReadHeader: limit, Read: 2 * limit, Write: 2 * limit, Idle: limit})
	for name, c := range map[string]struct {
		send string
		keep bool // read one answer first, then idle
	}{
		"headers never finished": {send: "GET /api/v1/users HTTP/1.1\r\nHost: x\r\nX-Slow: "},
		"body never ends": {send: "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":"},
		"idle keep-alive": {send: "GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n", keep: true},
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			conn.SetDeadline(start.Add(20 * limit))
			fmt.Fprint(conn, c.send)
			r := bufio.NewReader(conn)
			if c.keep {
				resp, err := http.ReadResponse(r, nil)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("first answer: %v", err)
				}
				io.Copy(io.Discard, resp.Body)
				start = time.Now()
			}
			_, err = io.Copy(io.Discard, r) // until the server closes
			elapsed := time.Since(start)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the server kept the connection for %v", elapsed)
			}
			if elapsed > 10*limit {
				t.Fatalf("closed after %v, want within %v", elapsed, 10*limit)
			}
		})
	}
}
