// Package portaltest is test support for the Portal admin API: one
// validating transport, shared by the sandbox's and the client's tests,
// that checks every request and every answer on the wire against the
// contract (engine/portal/openapi.yaml) and counts the operations it saw.
// Only test code imports it.
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/portal-id/migration-console/engine/portal"
)

// maxReported is how many violations a validator reports one by one; the
// rest are counted, so a broken contract under a thousand requests stays
// readable.
const maxReported = 10

// Validator checks traffic to one server against the contract.
type Validator struct {
	tb     testing.TB
	router routers.Router

	mu         sync.Mutex
	reported   int
	suppressed int
	operations map[string]int
}

// NewValidator returns a validator for the server at serverURL. Violations
// are reported to tb, or to the test named by the request's context (see
// ReportTo); the ones past the first ten are summed up when tb ends.
func NewValidator(tb testing.TB, serverURL string) *Validator {
	tb.Helper()
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	v := &Validator{tb: tb, router: router, operations: map[string]int{}}
	tb.Cleanup(func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		if v.suppressed > 0 {
			tb.Errorf("... and %d more contract violations", v.suppressed)
		}
	})
	return v
}

type (
	reportKey     struct{}
	deliberateKey struct{}
)

// ReportTo makes the validator report the violations of requests made with
// the returned context to tb at once (a fuzz target's own T, say).
func ReportTo(ctx context.Context, tb testing.TB) context.Context {
	return context.WithValue(ctx, reportKey{}, tb)
}

// Deliberate marks requests made with the returned context as breaking the
// contract on purpose (a bad-input test): the request is not checked, and
// may go to a route the contract does not declare, but the answer still
// is.
func Deliberate(ctx context.Context) context.Context {
	return context.WithValue(ctx, deliberateKey{}, true)
}

func (v *Validator) fail(ctx context.Context, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if tb, ok := ctx.Value(reportKey{}).(testing.TB); ok {
		tb.Errorf("contract violation: %s", msg)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.reported == maxReported {
		v.suppressed++
		return
	}
	v.reported++
	v.tb.Errorf("contract violation: %s", msg)
}

// Seen returns how often each operation (by operationId) was requested.
func (v *Validator) Seen() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]int, len(v.operations))
	for k, n := range v.operations {
		out[k] = n
	}
	return out
}

// Transport returns next wrapped in the checks: the request against its
// operation (parameters, headers, bearer token, body), and the answer
// against the operation's declared responses. An error answer must be an
// application/problem+json document whose status is the HTTP status, and
// no answer may be a 5xx other than 503 (the only one the contract lets a
// server send on purpose).
func (v *Validator) Transport(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		ctx := req.Context()
		body, err := readBody(req)
		if err != nil {
			return nil, err
		}
		what := req.Method + " " + req.URL.Path
		deliberate, _ := ctx.Value(deliberateKey{}).(bool)
		var in *openapi3filter.RequestValidationInput
		route, params, err := v.router.FindRoute(req)
		switch {
		case err != nil && !deliberate:
			v.fail(ctx, "%s: not in the contract: %v", what, err)
		case err == nil:
			v.mu.Lock()
			v.operations[route.Operation.OperationID]++
			v.mu.Unlock()
			check := req.Clone(ctx)
			check.Body = io.NopCloser(bytes.NewReader(body))
			in = &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
				Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: bearerPresent}}
			if !deliberate {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					v.fail(ctx, "%s request: %v", what, err)
				}
			}
		}

		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err // a dropped connection has no answer to check
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		v.checkAnswer(ctx, what, in, resp, answer)
		return resp, nil
	})
}

func (v *Validator) checkAnswer(ctx context.Context, what string, in *openapi3filter.RequestValidationInput, resp *http.Response, answer []byte) {
	status := resp.StatusCode
	if status >= 500 && status != http.StatusServiceUnavailable {
		v.fail(ctx, "%s answered %d: %s", what, status, clip(answer))
	}
	if status >= 400 {
		if err := checkProblem(resp, answer); err != nil {
			v.fail(ctx, "%s answer %d: %v: %s", what, status, err, clip(answer))
		}
	}
	if in == nil {
		return // an undeclared route: the problem check is all there is
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status,
		Header: resp.Header, Body: io.NopCloser(bytes.NewReader(answer)),
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		v.fail(ctx, "%s answer %d: %v\n%s", what, status, err, clip(answer))
	}
}

// checkProblem checks an error answer is an RFC 9457 problem document
// whose status is the HTTP status.
func checkProblem(resp *http.Response, answer []byte) error {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "application/problem+json" {
		return fmt.Errorf("content type %q, want application/problem+json", resp.Header.Get("Content-Type"))
	}
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if err := json.Unmarshal(answer, &p); err != nil {
		return fmt.Errorf("not a problem document: %v", err)
	}
	if p.Status != resp.StatusCode {
		return fmt.Errorf("problem status %d is not the HTTP status", p.Status)
	}
	return nil
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// clip keeps a failure message readable when an answer is large.
func clip(b []byte) string {
	const max = 2048
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
