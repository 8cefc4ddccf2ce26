package workspacedb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// vocabulary is a fixed set of pseudo-words: display names in a real tenant
// are mostly distinct, so a search word matches a small share of items.
func vocabulary(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	out := make([]string, n)
	for i := range out {
		w := make([]byte, 5+r.IntN(6))
		for j := range w {
			w[j] = letters[r.IntN(len(letters))]
		}
		out[i] = string(w)
	}
	return out
}

// seedItems writes n synthetic items (every kind, three-word names from a
// 2,000-word vocabulary) into a completed snapshot of a fresh file.
func seedItems(b *testing.B, n int) (*DB, string, []string) {
	b.Helper()
	ctx := context.Background()
	f := newInventoryFixture(b, b.TempDir()+"/bench.pmw", 1, 0, 0)
	sources, _ := f.ws.Sources(ctx)
	snapID := "bench-snapshot"
	words := vocabulary(2000)
	store := InventoryStore(f.db)
	err := store.Update(ctx, func(tx inventory.Tx) error {
		now := time.Now()
		return tx.InsertSnapshot(inventory.Snapshot{ID: snapID, SourceID: sources[0].ID, SourceName: "okta-prod",
			SourceKind: sources[0].Kind, Status: inventory.StatusCompleted, StartedAt: now, HeartbeatAt: now, Owner: "bench"})
	})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const batch = 5000
	for start := 0; start < n; start += batch {
		items := make([]inventory.Item, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			name := fmt.Sprintf("%s %s %s", words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))])
			// Kinds rotate; the view only carries one searchable value (the
			// store does not check that a view matches its kind).
			kind := inventory.Kinds[i%len(inventory.Kinds)]
			it := inventory.Item{SourceID: fmt.Sprintf("0oa%09d", i), Kind: kind, Subtype: "bench", DisplayName: name,
				View: inventory.View{Domain: &inventory.DomainView{Type: inventory.DomainSignInHost,
					Name: "https://sp.example.test/" + words[r.IntN(len(words))]}},
				Raw: []byte(`{"id":"x"}`)}
			items = append(items, it)
		}
		if err := store.Update(ctx, func(tx inventory.Tx) error { return tx.SaveItems(snapID, items) }); err != nil {
			b.Fatal(err)
		}
	}
	return f.db, snapID, words
}

// BenchmarkItems1M seeds 1,000,000 items once and measures the inventory
// table's queries on them: a text search (goal: under 50 ms), a two-word
// search, and one sorted window of 100 rows deep into a kind.
func BenchmarkItems1M(b *testing.B) {
	db, snapID, words := seedItems(b, 1_000_000)
	inv := &inventory.Service{Store: InventoryStore(db)}
	ctx := context.Background()
	run := func(name string, query func(i int) inventory.ItemQuery) {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := inv.Items(ctx, query(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
		})
	}
	run("search-one-word", func(i int) inventory.ItemQuery {
		return inventory.ItemQuery{SnapshotID: snapID, Text: words[(i*37)%len(words)], Limit: 100}
	})
	run("search-prefix", func(i int) inventory.ItemQuery {
		return inventory.ItemQuery{SnapshotID: snapID, Text: words[(i*37)%len(words)][:4], Limit: 100}
	})
	run("search-two-words", func(i int) inventory.ItemQuery {
		return inventory.ItemQuery{SnapshotID: snapID, Text: words[i%len(words)] + " " + words[(i*7)%len(words)], Limit: 100}
	})
	run("window-by-kind", func(i int) inventory.ItemQuery {
		return inventory.ItemQuery{SnapshotID: snapID, Kind: inventory.KindGroup, Offset: (i * 997) % 140_000, Limit: 100}
	})
}

// BenchmarkIngestItems measures items written per second in batched
// transactions, search indexing included.
func BenchmarkIngestItems(b *testing.B) {
	const n = 50_000
	for b.Loop() {
		seedItems(b, n)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
