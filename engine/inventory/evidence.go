package inventory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/redact"
)

// PageSink persists evidence pages. SavePage may block while it writes; an
// error stops the request that produced the page (and so the collection).
type PageSink interface {
	SavePage(ctx context.Context, p Page) error
}

// Listing names the inventory domain of one paged listing (all pages of
// GET /api/v1/apps, or of one app's /groups) and numbers its pages. A
// collector puts one in the context of every call of that listing; the
// evidence transport reads it.
type Listing struct {
	Domain string

	mu   sync.Mutex
	done int // pages answered 2xx so far
}

type listingKey struct{}

// WithListing returns a context whose requests are pages of a new listing
// in domain.
func WithListing(ctx context.Context, domain string) context.Context {
	return context.WithValue(ctx, listingKey{}, &Listing{Domain: domain})
}

// ListingFrom returns the listing carried by ctx, or nil.
func ListingFrom(ctx context.Context) *Listing {
	l, _ := ctx.Value(listingKey{}).(*Listing)
	return l
}

// page returns the number of the page being fetched now: a retried attempt
// (a 429, a 5xx) keeps the number of the page it retries.
func (l *Listing) page() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done + 1
}

func (l *Listing) answered() {
	l.mu.Lock()
	l.done++
	l.mu.Unlock()
}

// Evidence is an http.RoundTripper that records every response of an
// inventory request as a Page. It reads each body fully, digests the bytes
// as received, redacts every secret value (engine/redact, with the source's
// catalogue) and hands the SDK a fresh reader over the redacted bytes: the
// plain value of a vendor secret never goes past this transport, so no
// normalizer, index, screen or export can see it. Requests that belong to
// no inventory domain (a token exchange, for one) pass through unrecorded,
// so credentials never become evidence; request headers are never recorded
// at all.
type Evidence struct {
	base     http.RoundTripper
	sink     PageSink
	redactor *redact.Redactor
	classify func(*http.Request) string
	now      func() time.Time
	lastID   atomic.Int64
}

// NewEvidence records the responses base returns into sink, redacted by
// redactor (required). base should bound every body (netguard.Transport):
// each is read whole here; nil bounds with netguard's defaults. classify names the inventory domain of a request
// that carries no Listing ("" means: not inventory, do not record); it may
// be nil.
func NewEvidence(base http.RoundTripper, sink PageSink, redactor *redact.Redactor, classify func(*http.Request) string) *Evidence {
	if base == nil {
		// Every body is read through a size limit, whoever builds this.
		base = netguard.NewTransport(nil, netguard.Bounds{})
	}
	if redactor == nil {
		panic("inventory: NewEvidence without a redactor would store vendor secrets")
	}
	return &Evidence{base: base, sink: sink, redactor: redactor, classify: classify, now: time.Now}
}

// RoundTrip implements http.RoundTripper.
func (e *Evidence) RoundTrip(req *http.Request) (*http.Response, error) {
	listing := ListingFrom(req.Context())
	domain := ""
	pageNumber := 0
	switch {
	case listing != nil:
		domain, pageNumber = listing.Domain, listing.page()
	case e.classify != nil:
		domain = e.classify(req)
	}
	resp, err := e.base.RoundTrip(req)
	if err != nil || domain == "" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s %s response body: %w", req.Method, req.URL.Path, err)
	}
	sum := sha256.Sum256(body)
	red, err := e.redactor.Redact(req.URL.Path, body)
	if err != nil {
		return nil, fmt.Errorf("refusing to store the %s %s response (HTTP %d, %d bytes): %w; nothing of it was kept",
			req.Method, req.URL.Path, resp.StatusCode, len(body), err)
	}
	stored := sha256.Sum256(red.Body)
	p := Page{
		PageID:     e.lastID.Add(1),
		Domain:     domain,
		Method:     req.Method,
		Endpoint:   req.URL.Path,
		Query:      req.URL.RawQuery,
		PageNumber: pageNumber,
		Status:     resp.StatusCode,
		FetchedAt:  e.now().UTC(),
		Bytes:      len(body),
		SHA256:     hex.EncodeToString(sum[:]),
		Body:       red.Body,

		StoredBytes:  len(red.Body),
		StoredSHA256: hex.EncodeToString(stored[:]),
		Redactions:   red.Redactions,
	}
	if err := e.sink.SavePage(req.Context(), p); err != nil {
		// The store refused the page: fetching it again would not change
		// that, so no layer above retries it.
		err = fmt.Errorf("save evidence of %s %s: %w", req.Method, req.URL.Path, err)
		return nil, &netguard.FinalError{Why: err.Error(), Err: err}
	}
	TraceFrom(req.Context()).Add(p.PageID)
	if listing != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		listing.answered()
	}
	resp.Body = io.NopCloser(bytes.NewReader(red.Body))
	resp.ContentLength = int64(len(red.Body))
	return resp, nil
}
