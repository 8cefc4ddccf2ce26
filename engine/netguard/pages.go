package netguard

import (
	"crypto/sha256"
	"fmt"
	"sync"
)

// LoopError is a paged listing whose next page (a next link or a cursor)
// is one it already fetched: following it would loop for ever.
type LoopError struct {
	// Listing names the listing: "okta groups", "list users".
	Listing string
	// Next is the repeated link or cursor, cut to a readable length.
	Next string
	// After is the number of pages fetched before the repeat.
	After int
}

func (e *LoopError) Error() string {
	return fmt.Sprintf("the %s listing's next page (%s) after page %d is a page it already sent; following it would loop for ever, so the listing stopped: the server's paging is broken, try again later or report it to the vendor",
		e.Listing, e.Next, e.After)
}

// maxShown bounds how much of a repeated link an error quotes.
const maxShown = 200

// Pages follows one paged listing and refuses a next page it has already
// fetched. It keeps a digest of each page reference, so a listing of any
// length costs 32 bytes a page. Safe for concurrent use.
type Pages struct {
	listing string
	mu      sync.Mutex
	seen    map[[sha256.Size]byte]struct{}
}

// NewPages follows the listing named listing (for errors).
func NewPages(listing string) *Pages {
	return &Pages{listing: listing, seen: map[[sha256.Size]byte]struct{}{}}
}

// Visit records that ref (the first page's URL, a next link, a cursor) is
// about to be fetched, or returns a *LoopError when it already was.
func (p *Pages) Visit(ref string) error {
	sum := sha256.Sum256([]byte(ref))
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.seen[sum]; ok {
		if len(ref) > maxShown {
			ref = ref[:maxShown] + "…"
		}
		return &LoopError{Listing: p.listing, Next: ref, After: len(p.seen)}
	}
	p.seen[sum] = struct{}{}
	return nil
}
