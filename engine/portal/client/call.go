package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/portal-id/migration-console/engine/netguard"
)

// Versioned is an object as the Portal answered it, with the ETag to send
// back as If-Match when replacing it.
type Versioned[T any] struct {
	Value T
	ETag  string
	// Replayed reports that the answer came from the Portal's idempotency
	// store: an earlier attempt with the same key already created the object.
	Replayed bool
}

type sendFunc func(ctx context.Context) (*http.Response, error)

// call sends one request and decodes the answer it expects; any other
// status becomes a *Problem.
func call[T any](c *Client, ctx context.Context, op string, want int, send sendFunc) (Versioned[T], error) {
	var out Versioned[T]
	resp, err := send(ctx)
	if err != nil {
		return out, fmt.Errorf("%s: %w", op, scrubToken(err, c.token))
	}
	if resp.StatusCode != want {
		return out, fmt.Errorf("%s: %w", op, readProblem(resp, c.token))
	}
	defer resp.Body.Close()
	out.ETag = resp.Header.Get("ETag")
	out.Replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	if want == http.StatusNoContent {
		return out, nil
	}
	// The transport bounds the body (WithMaxBody): past the limit the read
	// fails with a *netguard.BodyLimitError naming the endpoint.
	if err := json.NewDecoder(resp.Body).Decode(&out.Value); err != nil {
		return out, fmt.Errorf("%s: decode the Portal's answer: %w", op, scrubToken(err, c.token))
	}
	return out, nil
}

// create sends a create once the token may write, with its Idempotency-Key.
func create[T any](c *Client, ctx context.Context, op, key string, send sendFunc) (Versioned[T], error) {
	if key == "" {
		return Versioned[T]{}, errNoKey(op)
	}
	if err := c.writable(ctx); err != nil {
		return Versioned[T]{}, fmt.Errorf("%s: %w", op, err)
	}
	return call[T](c, ctx, op, http.StatusCreated, send)
}

// replace sends a conditional full replacement; a stale etag comes back as
// ErrPreconditionFailed.
func replace[T any](c *Client, ctx context.Context, op, etag string, send sendFunc) (Versioned[T], error) {
	if etag == "" {
		return Versioned[T]{}, fmt.Errorf("%s: no ETag: read the object first so a concurrent change is not overwritten", op)
	}
	if err := c.writable(ctx); err != nil {
		return Versioned[T]{}, fmt.Errorf("%s: %w", op, err)
	}
	return call[T](c, ctx, op, http.StatusOK, send)
}

// remove deletes; etag may be empty for an unconditional delete.
func remove(c *Client, ctx context.Context, op string, send sendFunc) error {
	if err := c.writable(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err := call[struct{}](c, ctx, op, http.StatusNoContent, send)
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// page is the shape every list answer shares.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type fetchFunc func(ctx context.Context, cursor *string, limit *int) (*http.Response, error)

// walk yields every object of a list, following next_cursor page by page.
// It stops at the first error, which it yields, or when the caller stops; a
// cursor it already followed is a *netguard.LoopError.
func walk[T any](c *Client, ctx context.Context, op string, fetch fetchFunc) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var cursor *string
		pages := netguard.NewPages(op)
		for pageNo := 1; ; pageNo++ {
			ref := "" // the first page
			if cursor != nil {
				ref = *cursor
			}
			if err := pages.Visit(ref); err != nil {
				yield(zero, err)
				return
			}
			limit := c.pageSize
			p, err := call[page[T]](c, ctx, fmt.Sprintf("%s (page %d)", op, pageNo), http.StatusOK, func(ctx context.Context) (*http.Response, error) {
				return fetch(ctx, cursor, &limit)
			})
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range p.Value.Items {
				if !yield(item, nil) {
					return
				}
			}
			next := p.Value.NextCursor
			if next == nil || *next == "" {
				return
			}
			cursor = next
		}
	}
}

// collect drains a walk into a slice.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var all []T
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, item)
	}
	return all, nil
}

// count drains a walk, counting.
func count[T any](seq iter.Seq2[T, error]) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

func errNoKey(op string) error {
	return fmt.Errorf("%s: no idempotency key (derive one from the operation with OperationKey)", op)
}

// errNotConnected is returned by writes before a successful Connect.
var errNotConnected = errors.New("not connected: call Connect first so the token's session context and permissions are checked")
