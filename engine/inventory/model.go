// Package inventory is the read-only collection stage: one normalized model
// for Okta and Entra items, the raw evidence of every fetched page, and the
// snapshot lifecycle (collecting -> completed | failed).
package inventory

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/redact"
)

// Kind is a normalized item kind, the same for every incumbent.
type Kind string

const (
	KindApplication Kind = "application"
	KindProvider    Kind = "provider"
	KindRoutingRule Kind = "routing_rule"
	KindPolicy      Kind = "policy"
	KindGroup       Kind = "group"
	KindAssignment  Kind = "assignment"
	KindDomain      Kind = "domain"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindApplication, KindProvider, KindRoutingRule, KindPolicy, KindGroup, KindAssignment, KindDomain}

// Item is one normalized inventory item. SourceID is the incumbent's own id
// (for an assignment, "<app id>/<group or user id>"). View is the item read
// into its kind's typed, vendor-neutral view (view.go): the one
// representation later stages, the GUI detail and the search index read.
// Raw is the vendor's payload for this item exactly as received.
type Item struct {
	SourceID    string          `json:"source_id"`
	Kind        Kind            `json:"kind"`
	Subtype     string          `json:"subtype"`
	DisplayName string          `json:"display_name"`
	View        View            `json:"view"`
	Refs        []Ref           `json:"refs,omitempty"`
	Raw         json.RawMessage `json:"raw"`
	// EvidencePage is the PageID of the evidence page the item came from
	// (0 when unknown).
	EvidencePage int64 `json:"evidence_page"`
}

// Ref points from one item to another by the other's source id.
type Ref struct {
	Role     string `json:"role"` // e.g. "app", "group", "user", "provider", "policy"
	Kind     Kind   `json:"kind"`
	SourceID string `json:"source_id"`
}

// Page is the evidence of one fetched API response: the bytes the vendor
// sent with every secret value replaced by its marker, where and when they
// came from, and the digests of the bytes as received and as stored
// (docs/evidence.md).
type Page struct {
	PageID     int64     `json:"page_id"`
	Domain     string    `json:"domain"` // inventory domain, e.g. "applications"
	Method     string    `json:"method"`
	Endpoint   string    `json:"endpoint"` // path only
	Query      string    `json:"query"`
	PageNumber int       `json:"page_number"` // 1-based within one listing
	Status     int       `json:"status"`
	FetchedAt  time.Time `json:"fetched_at"`
	Bytes      int       `json:"bytes"`
	SHA256     string    `json:"sha256"` // of the bytes as received
	Body       []byte    `json:"-"`
	// The stored body's size and digest, and what was redacted from it.
	StoredBytes  int                `json:"stored_bytes"`
	StoredSHA256 string             `json:"stored_sha256"`
	Redactions   []redact.Redaction `json:"redactions,omitempty"`
}

// Emitter receives a collector's items and group memberships. It may
// block while it persists a batch; collectors must stop when it returns an
// error.
type Emitter interface {
	Emit(ctx context.Context, items ...Item) error
	MemberSink
}

// Collector reads one incumbent tenant, read-only, and emits its items. The
// *http.Client it was built with carries the evidence and pacing transports,
// so evidence is recorded and pacing applied below the vendor SDK.
type Collector interface {
	Collect(ctx context.Context, emit Emitter) error
}

// PageTrace lets a collector learn which evidence pages an SDK call
// produced: the evidence transport reports each recorded page to the trace
// carried by the request's context.
type PageTrace struct {
	mu    sync.Mutex
	pages []int64
}

type traceKey struct{}

// WithPageTrace returns a context whose requests report their evidence
// pages to the returned trace.
func WithPageTrace(ctx context.Context) (context.Context, *PageTrace) {
	t := &PageTrace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// TraceFrom returns the trace carried by ctx, or nil.
func TraceFrom(ctx context.Context) *PageTrace {
	t, _ := ctx.Value(traceKey{}).(*PageTrace)
	return t
}

// Add records a page id; the evidence transport calls it.
func (t *PageTrace) Add(pageID int64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.pages = append(t.pages, pageID)
	t.mu.Unlock()
}

// Last returns the most recent page id (a retried request's final answer),
// or 0 when none was recorded.
func (t *PageTrace) Last() int64 {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pages) == 0 {
		return 0
	}
	return t.pages[len(t.pages)-1]
}

// Reset forgets recorded pages so one trace can follow a listing page by
// page.
func (t *PageTrace) Reset() {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.pages = t.pages[:0]
	t.mu.Unlock()
}
