package inventory

import (
	"context"
	"fmt"
	"slices"

	"github.com/portal-id/migration-console/engine/workspace"
)

// ViewBuilder rebuilds the item a vendor's normalizer makes of a legacy
// item's raw payload (its view, subtype, display name and refs), reading
// the legacy fields where the raw payload alone lacks a fact.
type ViewBuilder func(LegacyItem) (Item, error)

// viewBatch is how many legacy items one transaction rebuilds.
const viewBatch = 500

// BuildMissingViews rebuilds the view of every item stored before views
// existed, from its raw payload, with the builder of its source's kind,
// in batches of one transaction each, so an interrupted run resumes where
// it stopped. An item whose view cannot be built keeps its raw payload and
// gets a view that says why (View.Unbuilt); nothing is dropped. It returns
// how many items it rebuilt.
func (s *Service) BuildMissingViews(ctx context.Context, builders map[workspace.SourceKind]ViewBuilder) (int, error) {
	done := 0
	var after int64
	for {
		var batch []LegacyItem
		err := s.Store.Update(ctx, func(tx Tx) error {
			var err error
			if batch, err = tx.ItemsWithoutView(after, viewBatch); err != nil || len(batch) == 0 {
				return err
			}
			rebuilt := make([]StoredItem, 0, len(batch))
			for _, li := range batch {
				rebuilt = append(rebuilt, rebuildView(li, builders))
			}
			return tx.ReplaceViews(rebuilt)
		})
		if err != nil {
			return done, fmt.Errorf("rebuild item views: %w", err)
		}
		if len(batch) == 0 {
			return done, nil
		}
		done += len(batch)
		after = batch[len(batch)-1].ID
	}
}

func rebuildView(li LegacyItem, builders map[workspace.SourceKind]ViewBuilder) StoredItem {
	out := li.StoredItem
	build, ok := builders[li.SourceKind]
	if !ok {
		out.View = View{Unbuilt: fmt.Sprintf("no view builder for %q sources", li.SourceKind)}
		return out
	}
	it, err := build(li)
	switch {
	case err != nil:
		out.View = View{Unbuilt: "rebuilding the view from the raw payload failed: " + err.Error()}
	case it.View.Kind() != li.Kind || it.SourceID != li.SourceID:
		out.View = View{Unbuilt: fmt.Sprintf("the raw payload now reads as %s %s, not %s %s", it.View.Kind(), it.SourceID, li.Kind, li.SourceID)}
	default:
		out.Subtype, out.DisplayName, out.Refs, out.View = it.Subtype, it.DisplayName, it.Refs, it.View
	}
	return out
}

// resolveNames names, from the snapshot's own items, the applications and
// principals its assignments' payloads did not name, before the snapshot
// completes (see NameAssignments).
func resolveNames(tx Tx, snapshotID string) error {
	items, err := tx.UnresolvedAssignments(snapshotID)
	if err != nil || len(items) == 0 {
		return err
	}
	changed, err := nameAssignments(items, func(k Kind, ids []string) (map[string]string, error) {
		return tx.ItemNames(snapshotID, k, ids)
	})
	if err != nil || len(changed) == 0 {
		return err
	}
	return tx.ReplaceViews(changed)
}

// NameAssignments does in memory what a completing snapshot does in its
// store: it names, from the items themselves, what assignments' payloads
// did not, and returns the items with those assignments renamed.
func NameAssignments(items []Item) []Item {
	names := map[Kind]map[string]string{}
	var unresolved []StoredItem
	for i, it := range items {
		if names[it.Kind] == nil {
			names[it.Kind] = map[string]string{}
		}
		names[it.Kind][it.SourceID] = it.DisplayName
		if a := it.View.Assignment; a != nil && len(a.Unresolved) > 0 {
			unresolved = append(unresolved, StoredItem{ID: int64(i), Item: it})
		}
	}
	changed, _ := nameAssignments(unresolved, func(k Kind, _ []string) (map[string]string, error) { return names[k], nil })
	out := slices.Clone(items)
	for _, c := range changed {
		out[c.ID] = c.Item
	}
	return out
}

// nameAssignments is the vendor-neutral naming: an assignment's AppID is an
// application item's source id, a group or service principal is a group
// or application item's. What the items cannot name (users, which are not
// items, or objects missing from the snapshot) stays in Unresolved. It
// returns the assignments it changed.
func nameAssignments(items []StoredItem, lookup func(Kind, []string) (map[string]string, error)) ([]StoredItem, error) {
	want := map[Kind][]string{}
	for _, it := range items {
		a := it.View.Assignment
		if slices.Contains(a.Unresolved, "app") {
			want[KindApplication] = append(want[KindApplication], a.AppID)
		}
		if k := principalKind(a.Target); k != "" && slices.Contains(a.Unresolved, "principal") {
			want[k] = append(want[k], a.PrincipalID)
		}
	}
	names := map[Kind]map[string]string{}
	for k, ids := range want {
		slices.Sort(ids)
		var err error
		if names[k], err = lookup(k, slices.Compact(ids)); err != nil {
			return nil, err
		}
	}
	var changed []StoredItem
	for _, it := range items {
		a := *it.View.Assignment
		if a.AppName == "" {
			a.AppName = names[KindApplication][a.AppID]
		}
		if k := principalKind(a.Target); k != "" && a.PrincipalName == "" {
			a.PrincipalName = names[k][a.PrincipalID]
		}
		var unresolved []string
		if a.AppName == "" {
			unresolved = append(unresolved, "app")
		}
		if a.PrincipalName == "" {
			unresolved = append(unresolved, "principal")
		}
		if slices.Equal(unresolved, a.Unresolved) {
			continue
		}
		a.Unresolved = unresolved
		it.View.Assignment = &a
		it.DisplayName = AssignmentDisplayName(&a)
		changed = append(changed, it)
	}
	return changed, nil
}

// principalKind is the item kind an assignment's principal is, "" for
// principals that are not items (users).
func principalKind(t AssignTarget) Kind {
	switch t {
	case AssignGroup:
		return KindGroup
	case AssignServicePrincipal:
		return KindApplication
	}
	return ""
}
