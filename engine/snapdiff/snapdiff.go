// Package snapdiff compares two completed inventory snapshots of one
// source item by item: items added, removed, and changed, each change
// naming the fields of the item's typed view that differ. Items are
// matched by kind and source id and read in that order a page at a time,
// so comparing two large snapshots holds only the entries it lists.
//
// A secret is never shown: the evidence transport replaces it with a
// redaction marker carrying a keyed digest (inventory.SecretField), so a
// changed secret shows as changed, with its value withheld.
package snapdiff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Tx is what a comparison reads, in one read transaction per page.
type Tx interface {
	// Snapshot returns inventory.ErrSnapshotNotFound for an unknown id.
	Snapshot(id string) (inventory.Snapshot, error)
	// SnapshotItemsByKey returns up to limit items of a snapshot after the key
	// (kind, source id), in that order, with their views (no raw payload).
	SnapshotItemsByKey(snapshotID string, afterKind inventory.Kind, afterSourceID string, limit int) ([]inventory.StoredItem, error)
}

// Store is the workspace file as a comparison sees it.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// Diff is the comparison of two snapshots.
type Diff struct {
	From SnapshotRef `json:"from"`
	To   SnapshotRef `json:"to"`
	// Buckets are always added, removed and changed, in that order.
	Buckets   []Bucket `json:"buckets"`
	Unchanged int      `json:"unchanged"`
}

// SnapshotRef names a snapshot in a diff.
type SnapshotRef struct {
	ID         string     `json:"id"`
	SourceName string     `json:"source_name"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ItemCount  int        `json:"item_count"`
}

// Bucket names.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Bucket is one bucket: its count and its first entries (Truncated when
// there are more).
type Bucket struct {
	Name      string  `json:"name"`
	Count     int     `json:"count"`
	Entries   []Entry `json:"entries"`
	Truncated bool    `json:"truncated"`
}

// Entry is one item that was added, removed or changed.
type Entry struct {
	Kind        inventory.Kind `json:"kind"`
	SourceID    string         `json:"source_id"`
	DisplayName string         `json:"display_name"`
	// Fields are the view's fields that changed (changed items only).
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one field that differs: its path of JSON names and both
// values as text ("" where the field is absent on that side). A secret's
// values are withheld (Secret set).
type FieldChange struct {
	Path   string `json:"path"`
	From   string `json:"from"`
	To     string `json:"to"`
	Secret bool   `json:"secret,omitempty"`
}

// ErrDifferentSources: two snapshots of different sources have nothing
// to compare item by item.
var ErrDifferentSources = errors.New("the snapshots are of different sources")

const pageSize = 1000

// Compare diffs snapshot fromID against toID, both completed snapshots of
// the same source, listing at most limit entries per bucket (limit <= 0:
// 1000); the counts are always complete.
func Compare(ctx context.Context, store Store, fromID, toID string, limit int) (Diff, error) {
	if limit <= 0 {
		limit = 1000
	}
	var from, to inventory.Snapshot
	err := store.View(ctx, func(tx Tx) error {
		var err error
		if from, err = tx.Snapshot(fromID); err != nil {
			return err
		}
		to, err = tx.Snapshot(toID)
		return err
	})
	if err != nil {
		return Diff{}, fmt.Errorf("compare snapshots: %w", err)
	}
	for _, s := range []inventory.Snapshot{from, to} {
		if s.Status != inventory.StatusCompleted {
			return Diff{}, fmt.Errorf("compare snapshots: snapshot %s is %s; only completed snapshots hold every item", s.ID, s.Status)
		}
	}
	if from.SourceID != to.SourceID {
		return Diff{}, fmt.Errorf("compare snapshots: %w (%q and %q)", ErrDifferentSources, from.SourceName, to.SourceName)
	}
	d := Diff{From: ref(from), To: ref(to)}
	for _, n := range []string{Added, Removed, Changed} {
		d.Buckets = append(d.Buckets, Bucket{Name: n, Entries: []Entry{}})
	}
	add := func(b int, e Entry) {
		bk := &d.Buckets[b]
		bk.Count++
		if len(bk.Entries) < limit {
			bk.Entries = append(bk.Entries, e)
		} else {
			bk.Truncated = true
		}
	}
	a := &cursor{ctx: ctx, store: store, snapshot: from.ID}
	b := &cursor{ctx: ctx, store: store, snapshot: to.ID}
	for {
		ia, okA, err := a.peek()
		if err != nil {
			return Diff{}, err
		}
		ib, okB, err := b.peek()
		if err != nil {
			return Diff{}, err
		}
		if !okA && !okB {
			return d, nil
		}
		switch c := compareKey(ia, ib, okA, okB); {
		case c < 0:
			add(1, Entry{Kind: ia.Kind, SourceID: ia.SourceID, DisplayName: ia.DisplayName})
			a.pos++
		case c > 0:
			add(0, Entry{Kind: ib.Kind, SourceID: ib.SourceID, DisplayName: ib.DisplayName})
			b.pos++
		default:
			a.pos++
			b.pos++
			if fields := Fields(ia.Item, ib.Item); len(fields) > 0 {
				if d.Buckets[2].Count < limit {
					add(2, Entry{Kind: ib.Kind, SourceID: ib.SourceID, DisplayName: ib.DisplayName, Fields: fields})
				} else {
					add(2, Entry{})
				}
			} else {
				d.Unchanged++
			}
		}
	}
}

func ref(s inventory.Snapshot) SnapshotRef {
	return SnapshotRef{ID: s.ID, SourceName: s.SourceName, FinishedAt: s.FinishedAt, ItemCount: s.ItemCount}
}

// Fields compares two readings of one item field by field: the display
// name and every fact of the view (inventory.View.Facts), in the view's
// field order. A secret field's values are withheld.
func Fields(a, b inventory.Item) []FieldChange {
	var out []FieldChange
	if a.DisplayName != b.DisplayName {
		out = append(out, FieldChange{Path: "display_name", From: a.DisplayName, To: b.DisplayName})
	}
	fa, fb := a.View.Facts(), b.View.Facts()
	am := make(map[string]string, len(fa))
	for _, f := range fa {
		am[f.Path] = f.Value
	}
	bm := make(map[string]string, len(fb))
	for _, f := range fb {
		bm[f.Path] = f.Value
	}
	emit := func(path string) {
		va, okA := am[path]
		vb, okB := bm[path]
		if okA == okB && va == vb {
			return
		}
		fc := FieldChange{Path: path, From: va, To: vb}
		if isSecret(path, va, vb) {
			fc.From, fc.To, fc.Secret = withheld(va), withheld(vb), true
		}
		out = append(out, fc)
	}
	seen := map[string]bool{}
	for _, f := range fa {
		if !seen[f.Path] {
			seen[f.Path] = true
			emit(f.Path)
		}
	}
	for _, f := range fb {
		if !seen[f.Path] {
			seen[f.Path] = true
			emit(f.Path)
		}
	}
	return out
}

// isSecret reports a secret field's marker (client_secret.marker) or any
// value that is a redaction marker.
func isSecret(path, a, b string) bool {
	return strings.HasSuffix(path, ".marker") || strings.HasPrefix(a, inventory.RedactedPrefix) || strings.HasPrefix(b, inventory.RedactedPrefix)
}

func withheld(v string) string {
	if v == "" {
		return ""
	}
	return "(secret withheld)"
}

func compareKey(a, b inventory.StoredItem, okA, okB bool) int {
	switch {
	case !okA:
		return 1
	case !okB:
		return -1
	case a.Kind != b.Kind:
		return strings.Compare(string(a.Kind), string(b.Kind))
	}
	return strings.Compare(a.SourceID, b.SourceID)
}

// cursor walks a snapshot's items in key order.
type cursor struct {
	ctx      context.Context
	store    Store
	snapshot string
	page     []inventory.StoredItem
	pos      int
	done     bool
}

func (c *cursor) peek() (inventory.StoredItem, bool, error) {
	if c.pos < len(c.page) {
		return c.page[c.pos], true, nil
	}
	if c.done {
		return inventory.StoredItem{}, false, nil
	}
	var kind inventory.Kind
	var after string
	if len(c.page) > 0 {
		last := c.page[len(c.page)-1]
		kind, after = last.Kind, last.SourceID
	}
	err := c.store.View(c.ctx, func(tx Tx) error {
		var err error
		c.page, err = tx.SnapshotItemsByKey(c.snapshot, kind, after, pageSize)
		return err
	})
	if err != nil {
		return inventory.StoredItem{}, false, fmt.Errorf("read the items of snapshot %s: %w", c.snapshot, err)
	}
	c.pos = 0
	c.done = len(c.page) < pageSize
	if len(c.page) == 0 {
		return inventory.StoredItem{}, false, nil
	}
	return c.page[0], true, nil
}
