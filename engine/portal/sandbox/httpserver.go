package sandbox

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// Timeouts bound how long the sandbox waits on a client, so a client that
// stalls (a slow-loris header, a body that never ends, an idle keep-alive)
// cannot hold a connection for ever.
type Timeouts struct {
	// ReadHeader is the time to read a request's headers, Read the whole
	// request (headers and body, at most MaxBodyBytes), Write the answer,
	// Idle the wait for the next request on a kept-alive connection.
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts suit a sandbox on loopback: requests are small, so a
// request that takes longer than this is a stalled client.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: time.Minute, Idle: time.Minute}

// MaxHeaderBytes is the largest request header the sandbox reads (64 KiB;
// net/http's default is 1 MiB). A larger one is answered 431.
const MaxHeaderBytes = 64 << 10

// HTTPServer is how the sandbox is served: handler behind the timeouts and
// header limit, logging the HTTP layer's own errors to errLog. Serve it on
// a ProblemListener so the HTTP layer's refusals are problem documents too.
func HTTPServer(handler http.Handler, t Timeouts, errLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          errLog,
	}
}

// ProblemListener wraps ln so that the answers net/http writes itself,
// before any handler runs (a malformed request line or percent-escape in
// the path, an oversized header, an unsupported protocol version), are
// application/problem+json documents like every other sandbox error,
// instead of net/http's plain-text ones.
func ProblemListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

// plainError is exactly how net/http writes its own refusals, in one write
// straight to the connection (server.go: "HTTP/1.1 " + status + errorHeaders
// + text). Handler answers go through its buffered writer with their own
// headers, and the sandbox's handlers only write JSON, so nothing else
// matches.
var plainError = regexp.MustCompile(`\AHTTP/1\.1 ([1-5][0-9][0-9])[^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]{0,512})\z`)

type problemConn struct{ net.Conn }

func (c problemConn) Write(b []byte) (int, error) {
	m := plainError.FindSubmatch(b)
	if m == nil {
		return c.Conn.Write(b)
	}
	status, _ := strconv.Atoi(string(m[1]))
	if _, err := c.Conn.Write(problemResponse(status, string(m[2]))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// problemResponse is a whole HTTP/1.1 answer carrying a problem document
// for one of net/http's own refusals; text is net/http's, e.g.
// "400 Bad Request: malformed HTTP request".
func problemResponse(status int, text string) []byte {
	code := api.ProblemCodeValidationFailed
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge, http.StatusRequestEntityTooLarge:
		code = api.ProblemCodePayloadTooLarge
	case http.StatusMethodNotAllowed:
		code = api.ProblemCodeMethodNotAllowed
	}
	detail := "the request could not be read (" + clip(text) + "); send a well-formed HTTP/1.1 request to /api/v1"
	body, _ := json.Marshal(api.Problem{ // a Problem always encodes
		Type:   "https://portal.example.com/problems/" + string(code),
		Title:  http.StatusText(status),
		Status: status,
		Code:   code,
		Detail: &detail,
	})
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
}

// wellFormed refuses a query string with a malformed percent-escape, which
// net/http passes on and the query parser would otherwise drop silently.
func wellFormed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			writeProblem(w, invalid("the query string is malformed (%s); percent-encode it as RFC 3986 says", clip(err.Error())))
			return
		}
		next.ServeHTTP(w, r)
	})
}
