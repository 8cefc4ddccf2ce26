package inventory

import (
	"context"
	"errors"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Status is the snapshot lifecycle state.
type Status string

const (
	StatusCollecting Status = "collecting"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
)

// Snapshot is one durable inventory of one source. Counts are by item kind
// and are computed from the stored rows when the snapshot completes.
type Snapshot struct {
	ID          string               `json:"id"`
	SourceID    string               `json:"source_id"`
	SourceName  string               `json:"source_name"`
	SourceKind  workspace.SourceKind `json:"source_kind"`
	Status      Status               `json:"status"`
	StartedAt   time.Time            `json:"started_at"`
	FinishedAt  *time.Time           `json:"finished_at,omitempty"`
	HeartbeatAt time.Time            `json:"heartbeat_at"`
	Owner       string               `json:"owner"`
	Counts      map[Kind]int         `json:"counts"`
	ItemCount   int                  `json:"item_count"`
	PageCount   int                  `json:"page_count"`
	Error       string               `json:"error,omitempty"`
}

// StoredItem is an item as persisted in a snapshot.
type StoredItem struct {
	ID         int64  `json:"id"`
	SnapshotID string `json:"snapshot_id"`
	Item
}

// LegacyItem is an item stored before views existed, with what rebuilding
// its view needs: its source's kind, when it was collected, and the
// normalized fields the collector kept then.
type LegacyItem struct {
	StoredItem
	SourceKind  workspace.SourceKind
	CollectedAt time.Time
	Legacy      map[string]any
}

// ItemQuery selects a window of a snapshot's items. Text matches display
// names, source ids, subtypes and the values of their views (full-text search).
type ItemQuery struct {
	SnapshotID string
	Kind       Kind   // "" for every kind
	Text       string // "" for no text filter
	SortBy     string // "display_name" (default), "kind", "subtype", "source_id"
	Descending bool
	Offset     int
	Limit      int // 0 means 100
}

// ItemPage is one window of a query's results and the match count. Counting
// stops at MaxCount: past that, Total is MaxCount and Capped is set (a
// filter that broad is refined, not scrolled).
type ItemPage struct {
	Items  []StoredItem `json:"items"`
	Total  int          `json:"total"`
	Capped bool         `json:"total_capped"`
}

// MaxCount is where item counting stops.
const MaxCount = 100_000

// ErrCollectionRunning is returned when the source already has a live
// collection (in this process or another).
var ErrCollectionRunning = errors.New("a collection is already running for this source")

// ErrSnapshotNotFound is returned for an unknown snapshot id.
var ErrSnapshotNotFound = errors.New("no such snapshot")

// Tx is what the inventory stage reads and writes inside a transaction.
type Tx interface {
	audit.Log
	Workspace() (workspace.Workspace, error)
	Sources() ([]workspace.Source, error)
	SaveSource(workspace.Source) error

	// InsertSnapshot returns ErrCollectionRunning when another snapshot of
	// the same source is collecting (the store enforces it, so it holds
	// across processes).
	InsertSnapshot(Snapshot) error
	UpdateSnapshot(Snapshot) error
	// Snapshot returns ErrSnapshotNotFound for an unknown id.
	Snapshot(id string) (Snapshot, error)
	// Snapshots lists every snapshot, newest first.
	Snapshots() ([]Snapshot, error)
	// SavePages stores evidence pages; a body already stored (same SHA-256)
	// is stored once and referred to.
	SavePages(snapshotID string, pages []Page) error
	SaveItems(snapshotID string, items []Item) error
	// SaveMembers stores group members; a (group, member) pair the
	// snapshot already holds is kept once.
	SaveMembers(snapshotID string, members []Member) error
	// SaveMemberListings records groups whose member listing was read to
	// its end.
	SaveMemberListings(snapshotID string, listings []MemberListing) error
	MembershipTx
	// ReplaceViews rewrites stored items' subtype, display name, refs and
	// view, and re-indexes them for search.
	ReplaceViews(items []StoredItem) error
	// ItemsWithoutView returns up to limit items stored before views
	// existed whose id is above after, in id order.
	ItemsWithoutView(after int64, limit int) ([]LegacyItem, error)
	// UnresolvedAssignments returns a snapshot's assignments whose view
	// names something it could not name (AssignmentView.Unresolved).
	UnresolvedAssignments(snapshotID string) ([]StoredItem, error)
	// ItemNames returns display names of a snapshot's items of kind by
	// source id; ids the snapshot lacks are absent.
	ItemNames(snapshotID string, kind Kind, sourceIDs []string) (map[string]string, error)
	// CountItems returns the stored items by kind and the stored page count.
	CountItems(snapshotID string) (map[Kind]int, int, error)
	QueryItems(ItemQuery) (ItemPage, error)
	Item(snapshotID string, id int64) (StoredItem, error)
	// Pages returns a snapshot's evidence pages with their bodies when
	// withBodies is set; ids empty means all.
	Pages(snapshotID string, ids []int64, withBodies bool) ([]Page, error)
}

// Store is the workspace file as the inventory stage sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}
