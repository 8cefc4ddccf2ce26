package wiring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// memSecrets keeps the benchmark's source credentials out of the OS
// keychain: the reports never read them.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]secret.Value
}

func (s *memSecrets) Set(_ context.Context, ws, role string, v secret.Value) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[ws+"/"+role] = v
	return nil
}

func (s *memSecrets) Get(_ context.Context, ws, role string) (secret.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[ws+"/"+role]
	if !ok {
		return secret.Value{}, secret.ErrNotFound
	}
	return v, nil
}

func (s *memSecrets) Delete(_ context.Context, ws, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, ws+"/"+role)
	return nil
}

// seedEngagement makes a workspace file holding two sources with one
// completed snapshot each: items in all, every kind, 100 items per
// evidence page.
func seedEngagement(b *testing.B, items int) *Workspace {
	b.Helper()
	ctx := context.Background()
	w, err := Create(ctx, filepath.Join(b.TempDir(), "bench.pmcw"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	w.Service.Secrets = &memSecrets{m: map[string]secret.Value{}}
	if _, err := w.Service.Create(ctx, workspace.CreateRequest{Tenant: "bench-corp", Mode: workspace.ModeMergeIntoExisting}); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"okta-prod", "okta-test"} {
		if _, err := w.Service.AddSource(ctx, workspace.NewSource{Name: name, Kind: "okta",
			Settings: map[string]string{"org_url": "https://" + name + ".okta.com"}, Credential: secret.New("fake-token-for-bench")}); err != nil {
			b.Fatal(err)
		}
	}
	sources, err := w.Service.Sources(ctx)
	if err != nil {
		b.Fatal(err)
	}
	store := w.Inventory.Store
	for si, src := range sources {
		n := items / len(sources)
		snapID := fmt.Sprintf("bench-snapshot-%d", si)
		now := time.Now().UTC()
		counts := map[inventory.Kind]int{}
		var pages []inventory.Page
		for p := 0; p < (n+99)/100; p++ {
			body := []byte(fmt.Sprintf(`{"page":%d,"source":%q}`, p, src.Name))
			sum := sha256.Sum256(body)
			pages = append(pages, inventory.Page{PageID: int64(p + 1), Domain: "apps", Method: "GET", Endpoint: "/api/v1/apps",
				Query: fmt.Sprintf("after=%d", p*100), PageNumber: p + 1, Status: 200, FetchedAt: now, Bytes: len(body),
				SHA256: hex.EncodeToString(sum[:]), Body: body})
		}
		err := store.Update(ctx, func(tx inventory.Tx) error {
			if err := tx.InsertSnapshot(inventory.Snapshot{ID: snapID, SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
				Status: inventory.StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: "bench", Counts: counts}); err != nil {
				return err
			}
			return tx.SavePages(snapID, pages)
		})
		if err != nil {
			b.Fatal(err)
		}
		const batch = 5000
		for start := 0; start < n; start += batch {
			its := make([]inventory.Item, 0, batch)
			for i := start; i < min(start+batch, n); i++ {
				k := inventory.Kinds[i%len(inventory.Kinds)]
				counts[k]++
				its = append(its, inventory.Item{SourceID: fmt.Sprintf("0oa%09d", i), Kind: k, Subtype: "SAML_2_0",
					DisplayName: fmt.Sprintf("%s %s %d", src.Name, k, i), Raw: []byte(`{"id":"x"}`),
					EvidencePage: int64(i/100 + 1)})
			}
			if err := store.Update(ctx, func(tx inventory.Tx) error { return tx.SaveItems(snapID, its) }); err != nil {
				b.Fatal(err)
			}
		}
		err = store.Update(ctx, func(tx inventory.Tx) error {
			snap, err := tx.Snapshot(snapID)
			if err != nil {
				return err
			}
			done := time.Now().UTC()
			snap.Status, snap.FinishedAt, snap.Counts, snap.ItemCount, snap.PageCount = inventory.StatusCompleted, &done, counts, n, len(pages)
			return tx.UpdateSnapshot(snap)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return w
}

// discard is report.Files that counts bytes and keeps none.
type discard struct{ n int64 }

func (d *discard) Create(string) (io.Writer, error) { return d, nil }
func (d *discard) Write(p []byte) (int, error)      { d.n += int64(len(p)); return len(p), nil }

// peakHeap samples the live heap, as each garbage collection marks it,
// above the live heap at the call, until stop.
func peakHeap(peak *uint64) (stop func()) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if h := read(); h > base {
				*peak = max(*peak, h-base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// BenchmarkEngagementReport100k builds the engagement report of a
// 100,000-item workspace and writes it in each format: seconds per report,
// the peak live heap, the output size, and the time as a multiple of the
// floor measured in the same run, which is reading the 100,000 items out of
// the workspace file (what any report of them must do).
func BenchmarkEngagementReport100k(b *testing.B) {
	const items = 100_000
	w := seedEngagement(b, items)
	ctx := context.Background()
	data := ReportData{W: w}
	opt := report.Options{ConsoleVersion: Version, PreparedBy: "bench", SigningKey: fmt.Sprintf("%064x", 1)}

	// The floor: reading the items out of the file, as any report must.
	var floor float64
	b.Run("floor-read-items", func(b *testing.B) {
		for b.Loop() {
			read := 0
			snaps, err := data.Snapshots(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for _, sn := range snaps {
				if err := data.EachItem(ctx, sn.ID, func(inventory.StoredItem) error { read++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			if read != items {
				b.Fatalf("read %d items back, seeded %d", read, items)
			}
		}
		floor = b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(floor, "s/read")
	})
	for _, f := range formats.List {
		b.Run(f.Name, func(b *testing.B) {
			var peak uint64
			var out int64
			for b.Loop() {
				stop := peakHeap(&peak)
				doc, err := report.Build(ctx, report.KindEngagement, data, nil, opt)
				if err == nil {
					d := &discard{}
					err = formats.Render(doc, f.Name, d)
					out = d.n
				}
				stop()
				if err != nil {
					b.Fatal(err)
				}
			}
			perReport := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perReport, "s/report")
			b.ReportMetric(perReport/floor, "x-floor")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(out)/(1<<20), "output-MB")
		})
	}
}
