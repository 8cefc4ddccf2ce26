package graphreplay

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// throttledBody is Microsoft's published 429 body (see
// ../testdata/vendor/SOURCES.md).
//
//go:embed throttled_429_body.json
var throttledBody []byte

// Options configure a replay server.
type Options struct {
	Tenant *Tenant
	// TenantID is the directory the token endpoint serves ("" accepts any).
	TenantID string
	// ClientID and ClientSecret are the app credentials the token endpoint
	// accepts for the client-credentials grant.
	ClientID, ClientSecret string
	// AccessTokens are accepted as bearer tokens as they are (a pasted token).
	AccessTokens []string
	// AnyToken accepts every non-empty bearer token (the demo, whose
	// credentials are fake); Revoke still applies.
	AnyToken bool
	// TokenLifetime of issued tokens; 0 means one hour.
	TokenLifetime time.Duration
	// DefaultPageSize applies without $top (Graph: 100); MaxPageSize caps
	// $top (Graph: 999).
	DefaultPageSize, MaxPageSize int
	// Limits throttle requests: each answers 429 with Retry-After once its
	// window's budget is spent.
	Limits []Limit
	// Denied collections answer 403 Authorization_RequestDenied.
	Denied []string
	// TLS serves https with a self-signed loopback certificate (the token
	// endpoint must be https for MSAL); see Server.CertPool.
	TLS bool
}

// Limit is a fixed-window request budget, for one collection or for all
// (Collection "").
type Limit struct {
	Collection string
	Requests   int
	Window     time.Duration
}

// Fault is a one-off misbehaviour applied to the next Times requests whose
// collection matches (Collection "" matches every Graph request).
type Fault struct {
	Collection string
	Times      int
	// Status answers with this code: 429 (with RetryAfter and Microsoft's
	// published body) or a 5xx.
	Status     int
	RetryAfter time.Duration
	// Delay holds the answer back (cut short if the client goes away).
	Delay time.Duration
	// Truncate sends half of the body and drops the connection.
	Truncate bool
}

// Request is one request the server answered, for pacing tests.
type Request struct {
	At         time.Time
	Method     string
	Path       string
	Query      string
	Collection string
	Status     int
}

// Server is a running replay tenant.
type Server struct {
	opts     Options
	http     *httptest.Server
	spIDs    map[string]bool
	groupIDs map[string]bool

	mu       sync.Mutex
	tokens   map[string]time.Time // issued or pasted token -> expiry
	revoked  map[string]bool
	faults   []Fault
	windows  []window
	requests []Request
	issued   int
}

type window struct {
	start time.Time
	count int
}

// Start serves opts.Tenant on 127.0.0.1 until Close.
func Start(opts Options) (*Server, error) {
	if opts.Tenant == nil {
		return nil, errors.New("start graph replay: no tenant payload set")
	}
	if opts.DefaultPageSize <= 0 {
		opts.DefaultPageSize = 100
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 999
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start graph replay: %w", err)
	}
	s := &Server{
		opts:     opts,
		tokens:   map[string]time.Time{},
		revoked:  map[string]bool{},
		windows:  make([]window, len(opts.Limits)),
		spIDs:    map[string]bool{},
		groupIDs: map[string]bool{},
	}
	for _, sp := range opts.Tenant.ServicePrincipals {
		s.spIDs[idOf(sp)] = true
	}
	for _, g := range opts.Tenant.Groups {
		s.groupIDs[idOf(g)] = true
	}
	for _, t := range opts.AccessTokens {
		s.tokens[t] = time.Now().Add(opts.TokenLifetime)
	}
	s.http = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	if opts.TLS {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	return s, nil
}

// URL is the server's root: the Graph base (add /v1.0) and the authority
// host at once.
func (s *Server) URL() string { return s.http.URL }

// CertPool trusts the server's certificate (TLS mode only).
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	if c := s.http.Certificate(); c != nil {
		p.AddCert(c)
	}
	return p
}

// Client returns an http.Client that trusts the server (either mode).
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// Revoke makes token (issued or pasted) fail from now on, as a revoked
// session does.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	s.revoked[token] = true
	s.mu.Unlock()
}

// RevokeAll revokes every token known so far.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	for t := range s.tokens {
		s.revoked[t] = true
	}
	s.mu.Unlock()
}

// Requests returns the Graph and token requests answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP routes token, discovery and Graph v1.0 requests. A request is
// logged when its status is written, before the client can read the answer,
// so a test that has its response always finds it in Requests; one that
// aborts before writing (a truncated answer) is logged when it ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	collection, _, _ := s.collection(strings.TrimPrefix(r.URL.Path, "/v1.0/"))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rec.record = func(status int) {
		s.mu.Lock()
		s.requests = append(s.requests, Request{At: at, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Collection: collection, Status: status})
		s.mu.Unlock()
	}
	defer rec.logOnce()
	s.route(rec, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	record func(status int)
	logged bool
}

func (r *statusRecorder) logOnce() {
	if !r.logged {
		r.logged = true
		r.record(r.status)
	}
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.logOnce()
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.logOnce()
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// route answers r.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		s.token(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/oauth2/v2.0/token"))
		return
	case strings.HasSuffix(path, "/v2.0/.well-known/openid-configuration"):
		s.discovery(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/v2.0/.well-known/openid-configuration"))
		return
	}
	rest, ok := strings.CutPrefix(path, "/v1.0/")
	if !ok {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid version: "+path)
		return
	}
	collection, items, ok := s.collection(rest)
	if !ok {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", rest))
		return
	}
	if r.Method != http.MethodGet {
		graphError(w, http.StatusMethodNotAllowed, "Request_BadRequest", "The replay tenant is read-only.")
		return
	}
	if !s.authorize(w, r) {
		return
	}
	if wait, limited := s.throttle(collection); limited {
		tooMany(w, wait)
		return
	}
	f, faulted := s.fault(collection)
	if faulted && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if faulted && f.Status == http.StatusTooManyRequests {
		tooMany(w, f.RetryAfter)
		return
	}
	if faulted && f.Status >= 500 {
		graphError(w, f.Status, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.")
		return
	}
	for _, d := range s.opts.Denied {
		if d == collection {
			graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
			return
		}
	}
	body, err := s.page(r, rest, items)
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	if faulted && f.Truncate {
		truncate(w, body)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// collection resolves a v1.0 path to its collection and entities.
func (s *Server) collection(rest string) (string, []json.RawMessage, bool) {
	t := s.opts.Tenant
	switch rest {
	case "applications":
		return Applications, t.Applications, true
	case "servicePrincipals":
		return ServicePrincipals, t.ServicePrincipals, true
	case "domains":
		return Domains, t.Domains, true
	case "groups":
		return Groups, t.Groups, true
	case "identity/conditionalAccess/policies":
		return Policies, t.Policies, true
	}
	if id, ok := strings.CutPrefix(rest, "groups/"); ok {
		if id, ok := strings.CutSuffix(id, "/members"); ok && !strings.Contains(id, "/") {
			items, found := t.GroupMembers[id]
			return GroupMembers, items, found || s.groupIDs[id]
		}
	}
	if id, ok := strings.CutPrefix(rest, "servicePrincipals/"); ok {
		if id, ok := strings.CutSuffix(id, "/appRoleAssignedTo"); ok && !strings.Contains(id, "/") {
			items, found := t.AppRoleAssignedTo[id]
			return AppRoleAssignedTo, items, found || s.spIDs[id]
		}
	}
	return "", nil, false
}

// page renders one page of items as Graph does: @odata.context, an
// @odata.nextLink while more remain, and value, honouring $top, $select and
// the $skiptoken of a previous nextLink.
func (s *Server) page(r *http.Request, rest string, items []json.RawMessage) ([]byte, error) {
	q := r.URL.Query()
	size := s.opts.DefaultPageSize
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, s.opts.MaxPageSize)
		}
		size = min(n, s.opts.MaxPageSize)
	}
	offset := 0
	if v := q.Get("$skiptoken"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, convErr := strconv.Atoi(string(b))
		if err != nil || convErr != nil || n < 0 {
			return nil, fmt.Errorf("Invalid skip token '%s'.", v)
		}
		offset = min(n, len(items))
	}
	var fields []string
	if v := q.Get("$select"); v != "" {
		fields = strings.Split(v, ",")
	}
	end := min(offset+size, len(items))

	var b bytes.Buffer
	base := s.http.URL + "/v1.0/"
	// A group's members are a collection of directoryObjects.
	entitySet := rest
	if strings.HasSuffix(rest, "/members") {
		entitySet = "directoryObjects"
	}
	ctx := base + "$metadata#" + entitySet
	if fields != nil {
		ctx = base + "$metadata#" + entitySet + "(" + strings.Join(fields, ",") + ")"
	}
	b.WriteString(`{"@odata.context":`)
	writeJSONString(&b, ctx)
	if end < len(items) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("$top", strconv.Itoa(size))
		next.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
		b.WriteString(`,"@odata.nextLink":`)
		writeJSONString(&b, base+rest+"?"+next.Encode())
	}
	b.WriteString(`,"value":[`)
	for i, item := range items[offset:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		if fields == nil {
			b.Write(item)
			continue
		}
		projected, err := project(item, fields)
		if err != nil {
			return nil, err
		}
		b.Write(projected)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// project keeps only the $select fields, and id and "@odata.type" (the
// type of an element of a polymorphic collection), which Graph always
// sends.
func project(item json.RawMessage, fields []string) ([]byte, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(item, &all); err != nil {
		return nil, fmt.Errorf("payload entity is not an object: %w", err)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	seen := map[string]bool{}
	for _, f := range append([]string{"@odata.type", "id"}, fields...) {
		v, ok := all[f]
		if !ok || seen[f] {
			continue
		}
		seen[f] = true
		if n > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, f)
		b.WriteByte(':')
		b.Write(v)
		n++
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// truncate promises the whole body, sends half and drops the connection,
// so the client sees an unexpected EOF as on a broken network.
func truncate(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	s.mu.Lock()
	expiry, known := s.tokens[token]
	revoked := s.revoked[token]
	s.mu.Unlock()
	switch {
	case !known && !s.opts.AnyToken:
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).")
	case revoked:
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp")
	case known && time.Now().After(expiry):
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
	default:
		return true
	}
	return false
}

// throttle spends one request from every limit covering collection and
// reports how long to wait when one is exhausted.
func (s *Server) throttle(collection string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for i, l := range s.opts.Limits {
		if l.Collection != "" && l.Collection != collection {
			continue
		}
		win := &s.windows[i]
		if win.start.IsZero() || now.Sub(win.start) >= l.Window {
			*win = window{start: now}
		}
		if win.count >= l.Requests {
			wait = max(wait, win.start.Add(l.Window).Sub(now))
			continue
		}
		win.count++
	}
	return wait, wait > 0
}

func (s *Server) fault(collection string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if f.Times > 0 && (f.Collection == "" || f.Collection == collection) {
			f.Times--
			return *f, true
		}
	}
	return Fault{}, false
}

// tooMany answers 429 with Retry-After in seconds (fractional, as
// Microsoft's published sample is) and Microsoft's published body.
func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatFloat(max(wait, time.Millisecond).Seconds(), 'f', 3, 64))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(throttledBody)
}

func graphError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"innerError": map[string]string{
			"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id": "00000000-0000-0000-0000-000000000000",
		},
	}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// token implements the client-credentials grant of the Microsoft identity
// platform's v2.0 token endpoint.
func (s *Server) token(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.")
		return
	}
	if s.opts.TenantID != "" && tenant != s.opts.TenantID {
		oauthError(w, http.StatusBadRequest, "invalid_tenant", fmt.Sprintf("AADSTS90002: Tenant '%s' not found.", tenant))
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
		return
	}
	if r.PostForm.Get("client_id") != s.opts.ClientID || s.opts.ClientID == "" {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory.", r.PostForm.Get("client_id")))
		return
	}
	if r.PostForm.Get("client_secret") != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
		return
	}
	s.mu.Lock()
	s.issued++
	token := fmt.Sprintf("replay-access-token-%d", s.issued)
	s.tokens[token] = time.Now().Add(s.opts.TokenLifetime)
	s.mu.Unlock()
	secs := int(s.opts.TokenLifetime.Seconds())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": token,
	})
}

// discovery serves the tenant's OpenID configuration, which MSAL reads
// before its first token request when instance discovery is off.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request, tenant string) {
	base := s.http.URL + "/" + tenant
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_endpoint":         base + "/oauth2/v2.0/token",
		"authorization_endpoint": base + "/oauth2/v2.0/authorize",
		"issuer":                 base + "/v2.0",
		"tenant_region_scope":    "NA",
	})
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": description, "error_codes": []int{}})
}
