// Package contracttest checks a client's traffic against the admin API
// contract in tests: every request and every answer that passes through
// Transport is validated with kin-openapi, and each violation fails the
// test when it ends.
package contracttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// Validator validates the traffic of one server.
type Validator struct {
	router routers.Router
	mu     sync.Mutex
	fails  []string
}

// New returns a validator for the server at url that reports to tb.
func New(tb testing.TB, url string) *Validator {
	tb.Helper()
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: url}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	v := &Validator{router: router}
	tb.Cleanup(func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		for i, f := range v.fails {
			if i == 5 {
				tb.Errorf("... and %d more contract violations", len(v.fails)-5)
				break
			}
			tb.Errorf("contract violation: %s", f)
		}
	})
	return v
}

func (v *Validator) fail(format string, a ...any) {
	v.mu.Lock()
	v.fails = append(v.fails, fmt.Sprintf(format, a...))
	v.mu.Unlock()
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Transport validates each request before next sends it and each answer
// next returns.
func (v *Validator) Transport(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, err
			}
			body = b
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		what := req.Method + " " + req.URL.Path
		route, params, err := v.router.FindRoute(req)
		if err != nil {
			v.fail("%s: not in the contract: %v", what, err)
			return next.RoundTrip(req)
		}
		check := req.Clone(req.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))
		in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
			Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error {
				if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
					return errors.New("no bearer token")
				}
				return nil
			}}}
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			v.fail("%s request: %v", what, err)
		}
		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(answer)), Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
			v.fail("%s answer %d: %v", what, resp.StatusCode, err)
		}
		return resp, nil
	})
}
