package assessment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Diff compares two completed runs item by item (items matched by kind
// and source id).
type Diff struct {
	From RunRef `json:"from"`
	To   RunRef `json:"to"`
	// CatalogueChanged: the runs used different rule catalogues, so a
	// change may come from the rules rather than the tenant (each entry's
	// Cause says which).
	CatalogueChanged bool `json:"catalogue_changed"`
	// Buckets are always the same four, in this order: added, removed,
	// class_changed, findings_changed.
	Buckets   []DiffBucket `json:"buckets"`
	Unchanged int          `json:"unchanged"`
}

// RunRef names a run in a diff.
type RunRef struct {
	ID                string    `json:"id"`
	SnapshotID        string    `json:"snapshot_id"`
	SourceName        string    `json:"source_name"`
	ClassifierVersion string    `json:"classifier_version"`
	StartedAt         time.Time `json:"started_at"`
}

// Diff bucket names.
const (
	BucketAdded           = "added"
	BucketRemoved         = "removed"
	BucketClassChanged    = "class_changed"
	BucketFindingsChanged = "findings_changed"
)

// DiffBucket is one bucket: how many items fell in it and the first
// entries (Truncated when there are more).
type DiffBucket struct {
	Name      string      `json:"name"`
	Count     int         `json:"count"`
	Entries   []DiffEntry `json:"entries"`
	Truncated bool        `json:"truncated"`
}

// Causes of a change.
const (
	CauseCatalogue = "catalogue"
	CauseInventory = "inventory"
	CauseBoth      = "catalogue_and_inventory"
)

// DiffEntry is one item that changed.
type DiffEntry struct {
	Kind        inventory.Kind `json:"kind"`
	SourceID    string         `json:"source_id"`
	DisplayName string         `json:"display_name"`
	FromClass   Class          `json:"from_class,omitempty"`
	ToClass     Class          `json:"to_class,omitempty"`
	FromRule    string         `json:"from_rule,omitempty"`
	ToRule      string         `json:"to_rule,omitempty"`
	// RulesAdded and RulesRemoved are the rules that matched in one run
	// only; for findings_changed with neither, a finding's text changed.
	RulesAdded   []string `json:"rules_added,omitempty"`
	RulesRemoved []string `json:"rules_removed,omitempty"`
	// Cause says what changed for a changed item: the catalogue (the item
	// is the same in both snapshots), the inventory (same catalogue), or
	// both.
	Cause string `json:"cause,omitempty"`
}

// DiffRuns compares two completed runs, listing up to limit entries per
// bucket (limit <= 0: 1000). Items are read in key order, a page at a
// time, so the comparison of large runs holds only the listed entries.
func (s *Service) DiffRuns(ctx context.Context, fromID, toID string, limit int) (Diff, error) {
	if limit <= 0 {
		limit = 1000
	}
	from, err := s.completedRun(ctx, fromID)
	if err != nil {
		return Diff{}, err
	}
	to, err := s.completedRun(ctx, toID)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{From: refOf(from), To: refOf(to), CatalogueChanged: from.ClassifierVersion != to.ClassifierVersion}
	for _, name := range []string{BucketAdded, BucketRemoved, BucketClassChanged, BucketFindingsChanged} {
		d.Buckets = append(d.Buckets, DiffBucket{Name: name, Entries: []DiffEntry{}})
	}
	add := func(b int, e DiffEntry) {
		bk := &d.Buckets[b]
		bk.Count++
		if len(bk.Entries) < limit {
			bk.Entries = append(bk.Entries, e)
		} else {
			bk.Truncated = true
		}
	}
	a := &cursor{s: s, ctx: ctx, run: from.ID}
	b := &cursor{s: s, ctx: ctx, run: to.ID}
	for {
		ra, okA, err := a.peek()
		if err != nil {
			return Diff{}, err
		}
		rb, okB, err := b.peek()
		if err != nil {
			return Diff{}, err
		}
		if !okA && !okB {
			break
		}
		switch c := compareKey(ra, rb, okA, okB); {
		case c < 0:
			add(1, DiffEntry{Kind: ra.Kind, SourceID: ra.SourceID, DisplayName: ra.DisplayName, FromClass: ra.Class, FromRule: ra.RuleID})
			a.next()
		case c > 0:
			add(0, DiffEntry{Kind: rb.Kind, SourceID: rb.SourceID, DisplayName: rb.DisplayName, ToClass: rb.Class, ToRule: rb.RuleID})
			b.next()
		default:
			a.next()
			b.next()
			e := DiffEntry{Kind: rb.Kind, SourceID: rb.SourceID, DisplayName: rb.DisplayName, FromClass: ra.Class, ToClass: rb.Class,
				FromRule: ra.RuleID, ToRule: rb.RuleID}
			e.RulesAdded, e.RulesRemoved = ruleSetDiff(ra.Findings, rb.Findings)
			switch {
			case ra.Class != rb.Class || ra.RuleID != rb.RuleID:
				if d.Buckets[2].Count < limit {
					e.Cause = s.cause(ctx, from, to, ra, rb)
				}
				add(2, e)
			case !sameFindings(ra.Findings, rb.Findings):
				if d.Buckets[3].Count < limit {
					e.Cause = s.cause(ctx, from, to, ra, rb)
				}
				add(3, e)
			default:
				d.Unchanged++
			}
		}
	}
	return d, nil
}

// Changes compares a completed run (runID "" for the newest) with the
// previous completed run of the same source: what changed since the last
// run. ok is false when the run is the source's first.
func (s *Service) Changes(ctx context.Context, runID string, limit int) (d Diff, ok bool, err error) {
	run, err := s.completedRun(ctx, runID)
	if err != nil {
		return Diff{}, false, err
	}
	runs, err := s.Runs(ctx)
	if err != nil {
		return Diff{}, false, err
	}
	seen := false
	for _, r := range runs { // newest first
		if r.ID == run.ID {
			seen = true
			continue
		}
		if seen && r.SourceID == run.SourceID && r.Status == StatusCompleted {
			d, err := s.DiffRuns(ctx, r.ID, run.ID, limit)
			return d, err == nil, err
		}
	}
	return Diff{}, false, nil
}

func refOf(r Run) RunRef {
	return RunRef{ID: r.ID, SnapshotID: r.SnapshotID, SourceName: r.SourceName, ClassifierVersion: r.ClassifierVersion, StartedAt: r.StartedAt}
}

// cause tells a rules change from a tenant change: the item is the same
// in both snapshots when the runs share one, or when its view reads the
// same in both.
func (s *Service) cause(ctx context.Context, from, to Run, a, b Result) string {
	catalogue := from.ClassifierVersion != to.ClassifierVersion
	inventoryChanged := false
	if from.SnapshotID != to.SnapshotID {
		var ia, ib inventory.StoredItem
		err := s.Store.View(ctx, func(tx Tx) error {
			var err error
			if ia, err = tx.Item(from.SnapshotID, a.ItemID); err != nil {
				return err
			}
			ib, err = tx.Item(to.SnapshotID, b.ItemID)
			return err
		})
		va, _ := json.Marshal(ia.View)
		vb, _ := json.Marshal(ib.View)
		inventoryChanged = err != nil || !bytes.Equal(va, vb)
	}
	switch {
	case catalogue && inventoryChanged:
		return CauseBoth
	case catalogue:
		return CauseCatalogue
	default:
		return CauseInventory
	}
}

func compareKey(a, b Result, okA, okB bool) int {
	switch {
	case !okA:
		return 1
	case !okB:
		return -1
	case a.Kind != b.Kind:
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	case a.SourceID < b.SourceID:
		return -1
	case a.SourceID > b.SourceID:
		return 1
	}
	return 0
}

func ruleSetDiff(a, b []Finding) (added, removed []string) {
	in := func(fs []Finding, id string) bool {
		return slices.ContainsFunc(fs, func(f Finding) bool { return f.RuleID == id })
	}
	for _, f := range b {
		if !in(a, f.RuleID) {
			added = append(added, f.RuleID)
		}
	}
	for _, f := range a {
		if !in(b, f.RuleID) {
			removed = append(removed, f.RuleID)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed
}

func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	fa := make([]string, len(a))
	fb := make([]string, len(b))
	for i := range a {
		fa[i], fb[i] = a[i].Fingerprint, b[i].Fingerprint
	}
	slices.Sort(fa)
	slices.Sort(fb)
	return slices.Equal(fa, fb)
}

// cursor walks a run's results in key order, a page at a time.
type cursor struct {
	s    *Service
	ctx  context.Context
	run  string
	page []Result
	pos  int
	done bool
}

func (c *cursor) peek() (Result, bool, error) {
	if c.pos < len(c.page) {
		return c.page[c.pos], true, nil
	}
	if c.done {
		return Result{}, false, nil
	}
	var afterKind inventory.Kind
	var afterID string
	if len(c.page) > 0 {
		last := c.page[len(c.page)-1]
		afterKind, afterID = last.Kind, last.SourceID
	}
	const pageSize = 1000
	err := c.s.Store.View(c.ctx, func(tx Tx) error {
		var err error
		c.page, err = tx.AssessmentResultsByKey(c.run, afterKind, afterID, pageSize)
		return err
	})
	if err != nil {
		return Result{}, false, fmt.Errorf("read results of run %s: %w", c.run, err)
	}
	c.pos = 0
	if len(c.page) < pageSize {
		c.done = true
	}
	if len(c.page) == 0 {
		return Result{}, false, nil
	}
	return c.page[0], true, nil
}

func (c *cursor) next() { c.pos++ }
