// Package client is the console's client for the Portal admin API. It adds
// what every call needs on top of the generated contract package: the bearer
// token (never logged, never in an error), TLS with normal verification,
// per-attempt timeouts and a bounded answer size (engine/netguard: an idle
// timeout, a whole-exchange timeout, a decompressed body limit), bounded
// retries of only what another attempt can cure that honour Retry-After, an
// Idempotency-Key on every create so that no create can make two objects,
// If-Match on updates, problem+json errors as *Problem, cursor pagination,
// and the whoami gate that refuses guest and support sessions.
package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/secret"
)

// Defaults, chosen for a consultant's laptop talking to a remote Portal.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxAttempts   = 5
	DefaultRetryWaitMin  = 250 * time.Millisecond
	DefaultRetryWaitMax  = 15 * time.Second
	DefaultMaxRetryAfter = 2 * time.Minute
	DefaultPageSize      = 500 // the contract's maximum: fewest round trips
	// DefaultMaxBody bounds one answer, decompressed: a full page of 500
	// of the largest objects (SSO configurations with their certificates)
	// is a few MB; a runaway or hostile server is not.
	DefaultMaxBody = 32 << 20
	userAgent      = "portal-migration-console"
)

// Client talks to one Portal tenant's admin API. It is safe for concurrent
// use.
type Client struct {
	base     *url.URL
	token    secret.Value
	http     *doer
	api      *api.Client
	pageSize int

	connecting sync.Mutex // serialises the lazy Connect of the first write
	mu         sync.Mutex // guards identity
	identity   *Identity
}

type config struct {
	timeout       time.Duration
	idleTimeout   time.Duration
	maxBody       int64
	maxAttempts   int
	waitMin       time.Duration
	waitMax       time.Duration
	maxRetryAfter time.Duration
	transport     http.RoundTripper
	rootCAs       *x509.CertPool
	logger        *slog.Logger
	userAgent     string
	pageSize      int
}

// Option adjusts a Client.
type Option func(*config)

// WithTimeout bounds each attempt (connect, send, read the answer).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithIdleTimeout bounds how long the Portal may keep an attempt waiting
// for its answer to begin, or for more of its body (default: the lesser
// of netguard's default and the attempt timeout).
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithMaxBody bounds one answer's body after decompression (default
// DefaultMaxBody); a larger one fails the call with a
// *netguard.BodyLimitError.
func WithMaxBody(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithMaxAttempts bounds how often one call is sent, first try included.
func WithMaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = n } }

// WithRetryWait sets the exponential backoff range used when the Portal did
// not say how long to wait.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(c *config) { c.waitMin, c.waitMax = minWait, maxWait }
}

// WithMaxRetryAfter caps the Retry-After the client will sleep through;
// a longer one is returned to the caller as ErrRateLimited.
func WithMaxRetryAfter(d time.Duration) Option { return func(c *config) { c.maxRetryAfter = d } }

// WithTransport replaces the base transport beneath the token and retry
// layers (tests put a validating RoundTripper here). TLS settings of the
// default transport then no longer apply.
func WithTransport(rt http.RoundTripper) Option { return func(c *config) { c.transport = rt } }

// WithRootCAs trusts these roots instead of the system's, for a Portal
// behind a private CA. Verification itself stays on.
func WithRootCAs(pool *x509.CertPool) Option { return func(c *config) { c.rootCAs = pool } }

// WithLogger logs requests and retries (method, redacted URL, status; never
// headers or bodies).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithPageSize sets how many objects each list request asks for (1-500).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithUserAgent names the calling program in the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// New returns a client for the admin API at baseURL (https, or http for a
// loopback host) authenticating with token. It sends nothing; call Connect.
func New(baseURL string, token secret.Value, opts ...Option) (*Client, error) {
	base, err := endpoint.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("portal admin API URL: %w", err)
	}
	if token.IsEmpty() {
		return nil, errors.New("portal admin API: no admin token given")
	}
	cfg := config{
		timeout:       DefaultTimeout,
		maxAttempts:   DefaultMaxAttempts,
		waitMin:       DefaultRetryWaitMin,
		waitMax:       DefaultRetryWaitMax,
		maxRetryAfter: DefaultMaxRetryAfter,
		userAgent:     userAgent,
		pageSize:      DefaultPageSize,
		maxBody:       DefaultMaxBody,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.idleTimeout == 0 {
		cfg.idleTimeout = min(netguard.DefaultIdleTimeout, cfg.timeout)
	}
	if cfg.maxAttempts < 1 {
		return nil, fmt.Errorf("portal admin API: max attempts must be at least 1, got %d", cfg.maxAttempts)
	}
	if cfg.pageSize < 1 || cfg.pageSize > 500 {
		return nil, fmt.Errorf("portal admin API: page size must be 1-500, got %d", cfg.pageSize)
	}
	if cfg.timeout <= 0 || cfg.idleTimeout <= 0 || cfg.maxBody <= 0 || cfg.waitMin <= 0 || cfg.waitMax < cfg.waitMin {
		return nil, errors.New("portal admin API: timeouts, the body limit and retry waits must be positive, with min <= max")
	}
	transport := cfg.transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.rootCAs}
		transport = t
	}
	bounded := netguard.NewTransport(transport, netguard.Bounds{RequestTimeout: cfg.timeout, IdleTimeout: cfg.idleTimeout, MaxBody: cfg.maxBody})
	httpClient := &http.Client{
		Transport: &bearer{origin: originOf(base), token: token, userAgent: cfg.userAgent, next: bounded},
		// The admin API never redirects; following one could send a write
		// somewhere the operator did not choose.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	policy := retryPolicy{maxRetryAfter: cfg.maxRetryAfter}
	retrying := &retryablehttp.Client{
		HTTPClient:   httpClient,
		RetryWaitMin: cfg.waitMin,
		RetryWaitMax: cfg.waitMax,
		RetryMax:     cfg.maxAttempts - 1,
		CheckRetry:   policy.check,
		Backoff:      backoff,
		ErrorHandler: giveUp,
	}
	if cfg.logger != nil {
		retrying.Logger = cfg.logger
	}
	httpDoer := &doer{retrying: retrying, token: token}
	generated, err := api.NewClient(base.String(), api.WithHTTPClient(httpDoer))
	if err != nil {
		return nil, fmt.Errorf("portal admin API client: %w", err)
	}
	return &Client{base: base, token: token, http: httpDoer, api: generated, pageSize: cfg.pageSize}, nil
}

// BaseURL is the admin API root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }
