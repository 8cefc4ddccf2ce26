package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/secret"
)

// Problem is an application/problem+json answer from the Portal (RFC 9457).
// Code is the Portal's stable machine-readable code; match it against the
// Code… constants or use errors.Is with the Err… sentinels.
type Problem struct {
	Status int
	Code   string
	Title  string
	Detail string
	// RetryAfter is the pause a 429 or 503 asked for, when it said, and
	// RetryAt the time it ends.
	RetryAfter time.Duration
	RetryAt    time.Time
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "portal: %d", p.Status)
	if p.Code != "" {
		fmt.Fprintf(&b, " %s", p.Code)
	}
	if p.Title != "" {
		fmt.Fprintf(&b, ": %s", p.Title)
	}
	if p.Detail != "" && p.Detail != p.Title {
		fmt.Fprintf(&b, ": %s", p.Detail)
	}
	switch {
	case p.RetryAfter > time.Hour:
		fmt.Fprintf(&b, " (the Portal asks to wait until %s: try again after that time)", p.RetryAt.UTC().Format(time.RFC3339))
	case p.RetryAfter > 0:
		fmt.Fprintf(&b, " (retry after %s)", p.RetryAfter)
	}
	return b.String()
}

// Sentinels for errors.Is. A *Problem matches the sentinel of its status
// and, for some codes, a narrower one (see codes.go).
var (
	ErrBadRequest         = errors.New("portal rejected the request as invalid")
	ErrUnauthorized       = errors.New("portal did not accept the admin token")
	ErrForbidden          = errors.New("portal refused: permission or session context missing")
	ErrNotFound           = errors.New("portal object not found")
	ErrConflict           = errors.New("portal refused: conflicts with live state")
	ErrPreconditionFailed = errors.New("portal object changed since it was read (ETag mismatch)")
	ErrRateLimited        = errors.New("portal rate limit reached")
	ErrUnavailable        = errors.New("portal unavailable")
)

var statusSentinels = map[int]error{
	http.StatusBadRequest:            ErrBadRequest,
	http.StatusUnprocessableEntity:   ErrBadRequest,
	http.StatusRequestEntityTooLarge: ErrBadRequest,
	http.StatusUnsupportedMediaType:  ErrBadRequest,
	http.StatusUnauthorized:          ErrUnauthorized,
	http.StatusForbidden:             ErrForbidden,
	http.StatusNotFound:              ErrNotFound,
	http.StatusConflict:              ErrConflict,
	http.StatusPreconditionFailed:    ErrPreconditionFailed,
	http.StatusPreconditionRequired:  ErrPreconditionFailed,
	http.StatusTooManyRequests:       ErrRateLimited,
	http.StatusServiceUnavailable:    ErrUnavailable,
	http.StatusBadGateway:            ErrUnavailable,
	http.StatusGatewayTimeout:        ErrUnavailable,
}

func (p *Problem) Is(target error) bool {
	if s, ok := codeSentinels[p.Code]; ok && s == target {
		return true
	}
	return statusSentinels[p.Status] == target
}

// maxProblemBytes bounds how much of an error body is read.
const maxProblemBytes = 64 << 10

// problemFrom turns a non-2xx answer into a *Problem. Bodies that are not
// problem documents still give a Problem carrying the status, so callers
// see one error type. Text the server echoed is scrubbed of the token.
func problemFrom(status int, header http.Header, body []byte, token secret.Value) *Problem {
	p := &Problem{Status: status}
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt == "application/problem+json" || mt == "application/json" {
		var doc struct {
			Code   string `json:"code"`
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &doc) == nil {
			p.Code, p.Title, p.Detail = doc.Code, doc.Title, doc.Detail
		}
	}
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	if now := time.Now(); status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if wait, ok := retryAfter(header, now); ok {
			p.RetryAfter, p.RetryAt = wait, now.Add(wait)
		}
	}
	if !token.IsEmpty() {
		p.Title = strings.ReplaceAll(p.Title, token.Reveal(), "[REDACTED]")
		p.Detail = strings.ReplaceAll(p.Detail, token.Reveal(), "[REDACTED]")
	}
	return p
}

// readProblem reads a bounded error body from resp and closes it.
func readProblem(resp *http.Response, token secret.Value) *Problem {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	return problemFrom(resp.StatusCode, resp.Header, body, token)
}
