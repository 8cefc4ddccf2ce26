package report

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// inventoryStats is what the executive summary repeats of the inventory.
type inventoryStats struct {
	items, pages int
	// byKind[source][kind] counts the covered snapshots' items.
	byKind map[string]map[inventory.Kind]int
}

// ItemRegisterSummaryAbove is how many register rows a reading format
// prints before it switches to the per-kind summary (see Table.Summary).
const ItemRegisterSummaryAbove = 2000

func inventorySection(ctx context.Context, data Data, in Input) (Section, inventoryStats, error) {
	sec := Section{ID: string(SlotInventory), Title: SlotInventory.Title(), Status: Complete}
	stats := inventoryStats{byKind: map[string]map[inventory.Kind]int{}}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }

	add(ParagraphBlock("Each incumbent was read through its vendor's own API, read-only. Every response the " +
		"console received is kept byte for byte as an evidence page with its SHA-256; each item below names " +
		"the page it came from, so any number in this report can be traced to what the vendor sent. The " +
		"signed evidence bundle (migctl evidence bundle) carries the pages themselves or their digests."))

	if len(in.Snapshots) == 0 {
		sec.Status = NotRun
		add(NoteBlock(ToneInfo, "No inventory has been collected in this workspace: no source has been read yet."))
		return sec, stats, nil
	}
	if len(in.Covered) < len(in.Sources) {
		sec.Status = Partial
		var missing []string
		for _, src := range in.Sources {
			found := false
			for _, sn := range in.Covered {
				found = found || sn.SourceID == src.ID
			}
			if !found {
				missing = append(missing, src.Name)
			}
		}
		add(NoteBlock(ToneWarning, "%d of %d sources have no completed snapshot (%s); this report describes only what was collected.",
			len(missing), len(in.Sources), joinNames(missing)))
	}

	// Every snapshot, failed ones included: a failed collection is part of
	// the record, and its stored pages are evidence too.
	snaps := &Table{ID: "snapshots", Title: "Snapshots", Columns: []Column{
		{Key: "snapshot_id", Title: "Snapshot", Type: ColID, Weight: 2.2},
		{Key: "source", Title: "Source", Type: ColText, Weight: 1.2},
		{Key: "source_kind", Title: "Kind", Type: ColText, Weight: 0.6},
		{Key: "status", Title: "Status", Type: ColStatus, Weight: 0.9},
		{Key: "started_at", Title: "Started", Type: ColTime, Weight: 1.3},
		{Key: "finished_at", Title: "Finished", Type: ColTime, Weight: 1.3},
		{Key: "items", Title: "Items", Type: ColInteger, Weight: 0.7},
		{Key: "pages", Title: "Pages", Type: ColInteger, Weight: 0.6},
		{Key: "in_report", Title: "Described here", Type: ColBool, Weight: 0.8},
		{Key: "error", Title: "Error", Type: ColText, Detail: true},
	}, Rows: [][]any{}}
	covered := map[string]bool{}
	for _, sn := range in.Covered {
		covered[sn.ID] = true
	}
	for _, sn := range in.Snapshots {
		snaps.Rows = append(snaps.Rows, Row(sn.ID, sn.SourceName, string(sn.SourceKind), string(sn.Status),
			sn.StartedAt, sn.FinishedAt, sn.ItemCount, sn.PageCount, covered[sn.ID], sn.Error))
	}
	add(HeadingBlock(2, "Snapshots"), TableBlock(snaps))
	if len(in.Covered) == 0 {
		if sec.Status == Complete {
			sec.Status = Partial
		}
		add(NoteBlock(ToneWarning, "No snapshot has completed, so no item counts are reported. A failed snapshot's stored pages are listed in its export (migctl inventory export)."))
		return sec, stats, nil
	}

	counts := &Table{ID: "inventory_counts", Title: "Items by source and kind", Columns: []Column{
		{Key: "source", Title: "Source", Type: ColText, Weight: 1.5},
		{Key: "snapshot_id", Title: "Snapshot", Type: ColID, Weight: 2.2},
		{Key: "kind", Title: "Kind", Type: ColText, Weight: 1.2},
		{Key: "items", Title: "Items", Type: ColInteger, Weight: 0.8},
	}, Rows: [][]any{}}
	for _, sn := range in.Covered {
		stats.byKind[sn.SourceName] = map[inventory.Kind]int{}
		for _, k := range inventory.Kinds {
			n := sn.Counts[k]
			stats.byKind[sn.SourceName][k] = n
			stats.items += n
			counts.Rows = append(counts.Rows, Row(sn.SourceName, sn.ID, string(k), n))
		}
	}
	add(HeadingBlock(2, "Items by kind"), ChartBlock(kindChart("inventory_by_kind", stats)), TableBlock(counts))

	pages := &Table{ID: "evidence_pages", Title: "Evidence pages", Columns: []Column{
		{Key: "source", Title: "Source", Type: ColText, Weight: 1.1},
		{Key: "snapshot_id", Title: "Snapshot", Type: ColID, Detail: true},
		{Key: "page_id", Title: "Page", Type: ColInteger, Weight: 0.5},
		{Key: "domain", Title: "Domain", Type: ColText, Weight: 1.2},
		{Key: "method", Title: "Method", Type: ColText, Detail: true},
		{Key: "endpoint", Title: "Endpoint", Type: ColText, Weight: 2.4},
		{Key: "query", Title: "Query", Type: ColText, Detail: true},
		{Key: "page_number", Title: "No.", Type: ColInteger, Weight: 0.4},
		{Key: "status", Title: "HTTP", Type: ColInteger, Weight: 0.45},
		{Key: "fetched_at", Title: "Fetched", Type: ColTime, Detail: true},
		{Key: "bytes", Title: "Bytes", Type: ColInteger, Detail: true},
		{Key: "sha256", Title: "SHA-256", Type: ColDigest, Weight: 3.4},
		{Key: "stored_sha256", Title: "Stored SHA-256", Type: ColDigest, Detail: true},
		{Key: "redacted", Title: "Redacted", Type: ColInteger, Detail: true},
	}, Rows: [][]any{}, Interactive: true}
	for _, sn := range in.Covered {
		ps, err := data.Pages(ctx, sn.ID)
		if err != nil {
			return sec, stats, fmt.Errorf("read the evidence pages of snapshot %s: %w", sn.ID, err)
		}
		for _, p := range ps {
			pages.Rows = append(pages.Rows, Row(sn.SourceName, sn.ID, p.PageID, p.Domain, p.Method, p.Endpoint, p.Query,
				p.PageNumber, p.Status, p.FetchedAt, p.Bytes, p.SHA256, p.StoredSHA256, len(p.Redactions)))
		}
		stats.pages += len(ps)
	}
	add(HeadingBlock(2, "Evidence pages"),
		ParagraphBlock("Every page of every covered snapshot, with the SHA-256 of exactly the bytes the vendor sent (%s pages). "+
			"Vendor secrets were redacted before a page was stored: the stored SHA-256 is that of the page as stored, "+
			"and Redacted counts the values replaced by a marker naming the field and a keyed digest of the value.", Thousands(int64(stats.pages))),
		TableBlock(pages))

	register, err := itemRegister(ctx, data, in)
	if err != nil {
		return sec, stats, err
	}
	add(HeadingBlock(2, "Item register"),
		ParagraphBlock("Every item collected, as normalized, with the evidence page it came from (%s items). Its raw vendor payload is in that page.", Thousands(int64(len(register.Rows)))),
		TableBlock(register))
	return sec, stats, nil
}

func itemRegister(ctx context.Context, data Data, in Input) (*Table, error) {
	t := &Table{ID: "inventory_items", Title: "Item register", Columns: []Column{
		{Key: "source", Title: "Source", Type: ColText, Weight: 1.1},
		{Key: "kind", Title: "Kind", Type: ColText, Weight: 1},
		{Key: "subtype", Title: "Subtype", Type: ColText, Weight: 1.2},
		{Key: "display_name", Title: "Name", Type: ColText, Weight: 2.4},
		{Key: "source_id", Title: "Incumbent id", Type: ColID, Weight: 2.2},
		{Key: "evidence_page", Title: "Page", Type: ColInteger, Weight: 0.5},
		{Key: "snapshot_id", Title: "Snapshot", Type: ColID, Detail: true},
	}, Rows: [][]any{}, Interactive: true, Empty: "The covered snapshots hold no items."}
	type key struct {
		source  string
		kind    inventory.Kind
		subtype string
	}
	bySubtype := map[key]int{}
	for _, sn := range in.Covered {
		err := data.EachItem(ctx, sn.ID, func(it inventory.StoredItem) error {
			t.Rows = append(t.Rows, Row(sn.SourceName, string(it.Kind), it.Subtype, it.DisplayName, it.SourceID, it.EvidencePage, sn.ID))
			bySubtype[key{sn.SourceName, it.Kind, it.Subtype}]++
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read the items of snapshot %s: %w", sn.ID, err)
		}
	}
	kindOrder := map[inventory.Kind]int{}
	for i, k := range inventory.Kinds {
		kindOrder[k] = i
	}
	// Source, kind (in display order), name, then id: a register reads as
	// a list of applications, then providers, and so on, whatever order
	// the store returned.
	sort.SliceStable(t.Rows, func(i, j int) bool {
		a, b := t.Rows[i], t.Rows[j]
		if a[0] != b[0] {
			return cellString(a[0]) < cellString(b[0])
		}
		if ka, kb := kindOrder[inventory.Kind(cellString(a[1]))], kindOrder[inventory.Kind(cellString(b[1]))]; ka != kb {
			return ka < kb
		}
		if na, nb := strings.ToLower(cellString(a[3])), strings.ToLower(cellString(b[3])); na != nb {
			return na < nb
		}
		return cellString(a[4]) < cellString(b[4])
	})
	if len(t.Rows) <= ItemRegisterSummaryAbove {
		return t, nil
	}
	keys := make([]key, 0, len(bySubtype))
	for k := range bySubtype {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.source != b.source {
			return a.source < b.source
		}
		if a.kind != b.kind {
			return kindOrder[a.kind] < kindOrder[b.kind]
		}
		return a.subtype < b.subtype
	})
	sum := &Table{ID: "inventory_items_by_subtype", Title: "Item register, summarised by kind and subtype", Columns: []Column{
		{Key: "source", Title: "Source", Type: ColText, Weight: 1.2},
		{Key: "kind", Title: "Kind", Type: ColText, Weight: 1},
		{Key: "subtype", Title: "Subtype", Type: ColText, Weight: 1.6},
		{Key: "items", Title: "Items", Type: ColInteger, Weight: 0.7},
	}, Rows: make([][]any, 0, len(keys))}
	for _, k := range keys {
		sum.Rows = append(sum.Rows, Row(k.source, string(k.kind), k.subtype, bySubtype[k]))
	}
	t.Summary = sum
	return t, nil
}

func cellString(v any) string {
	s, _ := v.(string)
	return s
}

// kindChart is items by kind, one stacked series per source.
func kindChart(id string, stats inventoryStats) *Chart {
	c := &Chart{ID: id, Kind: "hbar", Title: "Items by kind", Stacked: true}
	sources := make([]string, 0, len(stats.byKind))
	for s := range stats.byKind {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	var alt []string
	for _, k := range inventory.Kinds {
		c.Labels = append(c.Labels, string(k))
		total := 0
		for _, s := range sources {
			total += stats.byKind[s][k]
		}
		alt = append(alt, fmt.Sprintf("%s %s", Thousands(int64(total)), k))
	}
	for _, s := range sources {
		sr := ChartSeries{Name: s}
		for _, k := range inventory.Kinds {
			sr.Values = append(sr.Values, float64(stats.byKind[s][k]))
		}
		c.Series = append(c.Series, sr)
	}
	c.AltText = fmt.Sprintf("Items by kind across %s: %s.", plural(len(sources), "source"), joinNames(alt))
	return c
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		noun = strings.TrimSuffix(noun, "y") + "ie"
	}
	return Thousands(int64(n)) + " " + noun + "s"
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	out := ""
	for i, n := range names {
		switch {
		case i == 0:
			out = n
		case i == len(names)-1:
			out += " and " + n
		default:
			out += ", " + n
		}
	}
	return out
}
