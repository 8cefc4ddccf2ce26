package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/portal-id/migration-console/engine/portal"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/secret"
)

// MaxBodyBytes is the largest request body the sandbox reads (1 MiB).
const MaxBodyBytes = 1 << 20

// IdempotencyTTL is how long a create's answer is kept for replay.
const IdempotencyTTL = 24 * time.Hour

// recovered turns a panic into a 500 problem so one bad request cannot take
// the server down; the tests show none happens.
func (s *Server) recovered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.log.Error("sandbox handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			writeProblem(w, problemf(http.StatusInternalServerError, api.ProblemCodeInternalError, "the sandbox failed to handle the request"))
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) delayed(next http.Handler) http.Handler {
	if s.opts.Latency <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(s.opts.Latency)
		defer t.Stop()
		select {
		case <-t.C:
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// faults answers a share of requests with 429 or 503 before any work, and
// writes beyond the write rate with 429.
func (s *Server) faults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait, limited := s.writeLimited(r); limited {
			secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
			w.Header().Set("Retry-After", secs)
			writeProblem(w, problemf(http.StatusTooManyRequests, api.ProblemCodeRateLimited, "write rate limit reached; retry after %s seconds", secs))
			return
		}
		switch {
		case s.chance(s.opts.RateLimitedRate):
			w.Header().Set("Retry-After", s.retryAfter())
			writeProblem(w, problemf(http.StatusTooManyRequests, api.ProblemCodeRateLimited, "rate limit reached; retry after %s seconds", s.retryAfter()))
		case s.chance(s.opts.UnavailableRate):
			w.Header().Set("Retry-After", s.retryAfter())
			writeProblem(w, problemf(http.StatusServiceUnavailable, api.ProblemCodeUnavailable, "temporarily unavailable; retry after %s seconds", s.retryAfter()))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// authorised resolves the bearer token and applies the access rules:
// guest_access and support_access sessions may only ask whoami; reads need
// portal.migrations.view or .manage, writes need .manage.
func (s *Server) authorised(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spec, p := s.authenticate(r)
		if p != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="portal"`)
			writeProblem(w, p)
			return
		}
		if r.URL.Path != "/api/v1/whoami" {
			if p := access(spec, r.Method); p != nil {
				writeProblem(w, p)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, spec)))
	})
}

func (s *Server) authenticate(r *http.Request) (TokenSpec, *problemError) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return TokenSpec{}, problemf(http.StatusUnauthorized, api.ProblemCodeUnauthorized, "send an admin API token as Authorization: Bearer <token>")
	}
	var spec TokenSpec
	err := s.store.View(r.Context(), func(tx Tx) error {
		var err error
		spec, err = tx.Token(hashToken(secret.New(raw)))
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return TokenSpec{}, problemf(http.StatusUnauthorized, api.ProblemCodeUnauthorized, "the token is not known to this Portal")
	case err != nil:
		s.log.Error("sandbox token lookup failed", "err", err)
		return TokenSpec{}, problemf(http.StatusServiceUnavailable, api.ProblemCodeUnavailable, "cannot check the token right now")
	case !spec.ExpiresAt.IsZero() && !s.opts.Now().Before(spec.ExpiresAt):
		return TokenSpec{}, problemf(http.StatusUnauthorized, api.ProblemCodeUnauthorized, "the token has expired")
	}
	return spec, nil
}

func access(spec TokenSpec, method string) *problemError {
	if spec.SessionContext == api.GuestAccess || spec.SessionContext == api.SupportAccess {
		return problemf(http.StatusForbidden, api.ProblemCodeForbiddenContext,
			"%s sessions cannot use the admin API: migration state requires membership-backed tenant context", spec.SessionContext)
	}
	if method == http.MethodGet || method == http.MethodHead {
		if !spec.canRead() {
			return problemf(http.StatusForbidden, api.ProblemCodeMissingPermission, "reading needs %s or %s", api.PortalMigrationsView, api.PortalMigrationsManage)
		}
		return nil
	}
	if !spec.has(api.PortalMigrationsManage) {
		return problemf(http.StatusForbidden, api.ProblemCodeMissingPermission, "this write needs %s", api.PortalMigrationsManage)
	}
	return nil
}

// contract is the parsed spec and a router over it, loaded once.
var contract = sync.OnceValues(func() (routers.Router, error) {
	doc, err := portal.LoadSpec(context.Background())
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // match on path alone, whatever address the sandbox listens on
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route portal admin API contract: %w", err)
	}
	return router, nil
})

type bodyKey struct{}

// validated reads the body (at most MaxBodyBytes) and checks the request
// against the contract before any handler sees it: unknown fields, wrong
// types, missing headers and odd characters all become 4xx problems.
func (s *Server) validated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router, err := contract()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body, p := readBody(w, r)
		if p == nil {
			p = checkRequest(router, r, body)
		}
		if p != nil {
			writeProblem(w, p)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)))
	})
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *problemError) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, problemf(http.StatusRequestEntityTooLarge, api.ProblemCodePayloadTooLarge, "request bodies are limited to %d bytes", MaxBodyBytes)
	case err != nil:
		return nil, invalid("cannot read the request body")
	}
	if len(body) == 0 {
		return body, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, problemf(http.StatusUnsupportedMediaType, api.ProblemCodeUnsupportedMediaType, "send request bodies as application/json")
	}
	if !utf8.Valid(body) {
		return nil, invalid("the body is not valid UTF-8")
	}
	if !json.Valid(body) {
		return nil, invalid("the body is not well-formed JSON")
	}
	if err := checkJSONText(body); err != nil {
		return nil, err.(*problemError)
	}
	return body, nil
}

func checkRequest(router routers.Router, r *http.Request, body []byte) *problemError {
	route, params, err := router.FindRoute(r)
	switch {
	case err != nil && err.Error() == routers.ErrMethodNotAllowed.Error(): // the legacy router returns a copy
		return problemf(http.StatusMethodNotAllowed, api.ProblemCodeMethodNotAllowed, "%s is not allowed on %s", r.Method, clip(r.URL.Path))
	case err != nil:
		return problemf(http.StatusNotFound, api.ProblemCodeNotFound, "no such route: %s", clip(r.URL.Path))
	}
	if r.Method == http.MethodPut && r.Header.Get("If-Match") == "" {
		return problemf(http.StatusPreconditionRequired, api.ProblemCodePreconditionRequired, "send the object's ETag in If-Match")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	err = openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
	if err != nil {
		return invalid("%s", describeValidation(err))
	}
	return nil
}

// describeValidation names the failing field without echoing the value.
func describeValidation(err error) string {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			where := strings.Join(se.JSONPointer(), ".")
			if where == "" {
				where = "body"
			}
			return clip(where + ": " + se.Reason)
		}
		if re.Parameter != nil {
			return clip(fmt.Sprintf("%s %s: %s", re.Parameter.In, re.Parameter.Name, re.Reason))
		}
		if re.Reason != "" {
			return clip(re.Reason)
		}
	}
	return clip(err.Error())
}

// idempotent makes creates safe to retry: the first 2xx answer for a
// (tenant, key) is stored and replayed for the same request; the same key
// with another request is refused. It also runs the "commit, then fail"
// switch, after the answer is stored, so a retry always finds it.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		tenant := principalFrom(r.Context()).Tenant
		unlock := s.keys.lock(tenant + "\x00" + key)
		defer unlock()

		body, _ := r.Context().Value(bodyKey{}).([]byte)
		fp := fingerprint(r.Method, r.URL.Path, body)
		rec, found, err := s.storedAnswer(r.Context(), tenant, key)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if found {
			if rec.Fingerprint != fp {
				writeProblem(w, problemf(http.StatusConflict, api.ProblemCodeIdempotencyKeyReused, "this Idempotency-Key was already used for a different request"))
				return
			}
			replay(w, rec)
			return
		}

		rw := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rw, r)
		if rw.status >= 200 && rw.status < 300 {
			rec := IdempotencyRecord{Tenant: tenant, Key: key, Fingerprint: fp, Status: rw.status,
				ContentType: rw.header.Get("Content-Type"), ETag: rw.header.Get("ETag"),
				Body: withoutSecret(rw.body.Bytes()), CreatedAt: s.opts.Now().UTC()}
			if err := s.saveAnswer(r.Context(), rec); err != nil {
				s.log.Error("sandbox could not store an idempotent answer", "err", err)
			} else if s.chance(s.opts.CommitThenFailRate) {
				s.failAfterCommit(w)
				return
			}
		}
		for k, v := range rw.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rw.status)
		_, _ = w.Write(rw.body.Bytes())
	})
}

func fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) storedAnswer(ctx context.Context, tenant, key string) (IdempotencyRecord, bool, error) {
	var rec IdempotencyRecord
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		rec, err = tx.Idempotency(tenant, key)
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return rec, false, nil
	case err != nil:
		return rec, false, fmt.Errorf("look up idempotency key: %w", err)
	case s.opts.Now().Sub(rec.CreatedAt) >= IdempotencyTTL:
		return rec, false, nil
	}
	return rec, true, nil
}

func (s *Server) saveAnswer(ctx context.Context, rec IdempotencyRecord) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PurgeIdempotency(rec.CreatedAt.Add(-IdempotencyTTL)); err != nil {
			return err
		}
		return tx.SaveIdempotency(rec)
	})
}

func replay(w http.ResponseWriter, rec IdempotencyRecord) {
	if rec.ContentType != "" {
		w.Header().Set("Content-Type", rec.ContentType)
	}
	if rec.ETag != "" {
		w.Header().Set("ETag", rec.ETag)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}

// withoutSecret drops a generated client secret from an answer before it is
// stored: secrets are kept only as hashes, so a replay omits it.
func withoutSecret(body []byte) []byte {
	if !bytes.Contains(body, []byte(`"client_secret"`)) {
		return body
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return body
	}
	delete(m, "client_secret")
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

func (s *Server) failAfterCommit(w http.ResponseWriter) {
	drop := s.opts.CommitThenFailMode == FailDrop || (s.opts.CommitThenFailMode == FailMixed && s.chance(0.5))
	if hj, ok := w.(http.Hijacker); ok && drop {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	w.Header().Set("Retry-After", s.retryAfter())
	writeProblem(w, problemf(http.StatusServiceUnavailable, api.ProblemCodeUnavailable, "temporarily unavailable; retry after %s seconds", s.retryAfter()))
}

// recorder buffers a handler's answer so it can be stored before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// writeLimited takes a token for a write; without one it says how long
// until the bucket has one.
func (s *Server) writeLimited(r *http.Request) (time.Duration, bool) {
	if s.writes == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return 0, false
	}
	res := s.writes.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return d, true
	}
	return 0, false
}
