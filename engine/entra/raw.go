package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
)

// The SDK parses Graph's JSON into models and drops the bytes; an item's
// raw payload must be exactly what Graph sent for that element. rawCapture
// sits between the SDK's middleware and our transports and hands each
// listing page's elements, by id, to the listing that asked for them.

type pageKey struct{}

// listingPage holds the elements of the latest page of one listing.
type listingPage struct {
	mu     sync.Mutex
	byID   map[string]json.RawMessage
	pageID int64
	err    error
}

func withListingPage(ctx context.Context) (context.Context, *listingPage) {
	p := &listingPage{}
	return context.WithValue(ctx, pageKey{}, p), p
}

// record replaces the page with body's value elements.
func (p *listingPage) record(body []byte, pageID int64) {
	var page struct {
		Value []json.RawMessage `json:"value"`
	}
	err := json.Unmarshal(body, &page)
	byID := make(map[string]json.RawMessage, len(page.Value))
	for _, raw := range page.Value {
		var e struct {
			ID string `json:"id"`
		}
		if err == nil {
			err = json.Unmarshal(raw, &e)
		}
		byID[e.ID] = raw
	}
	p.mu.Lock()
	p.byID, p.pageID, p.err = byID, pageID, err
	p.mu.Unlock()
}

// raw returns the bytes Graph sent for the element with id on the current
// page, and the evidence page they came in.
func (p *listingPage) raw(id string) (json.RawMessage, int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, 0, fmt.Errorf("decode page elements: %w", p.err)
	}
	raw, ok := p.byID[id]
	if !ok {
		return nil, 0, fmt.Errorf("element %q is not on the page Graph sent", id)
	}
	return raw, p.pageID, nil
}

type pagesKey struct{}

// withPages follows the listing named listing: the SDK's page iterator
// follows every @odata.nextLink it is given, so rawCapture refuses a page
// the listing already fetched (*netguard.LoopError).
func withPages(ctx context.Context, listing string) context.Context {
	return context.WithValue(ctx, pagesKey{}, netguard.NewPages("entra "+listing))
}

type rawCapture struct{ base http.RoundTripper }

func (c rawCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	if pages, ok := req.Context().Value(pagesKey{}).(*netguard.Pages); ok && req.Method == http.MethodGet {
		if err := pages.Visit(req.URL.String()); err != nil {
			return nil, err
		}
	}
	resp, err := c.base.RoundTrip(req)
	page, _ := req.Context().Value(pageKey{}).(*listingPage)
	if err != nil || page == nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s response body: %w", req.URL.Path, err)
	}
	page.record(body, inventory.TraceFrom(req.Context()).Last())
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
