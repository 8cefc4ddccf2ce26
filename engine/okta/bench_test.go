package okta_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// counter is a sink and emitter that keeps nothing, so the benchmark
// measures the collector, not storage.
type counter struct{ pages, items atomic.Int64 }

func (c *counter) SavePage(context.Context, inventory.Page) error { c.pages.Add(1); return nil }
func (c *counter) Emit(_ context.Context, items ...inventory.Item) error {
	c.items.Add(int64(len(items)))
	return nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkCollectSyntheticOrg collects a synthetic org through the replay
// server with one-second windows and reports wall time over the floor the
// limits allow (goal ≤ 1.1), items per second and peak heap. Scale it with
// OKTA_BENCH_APPS, OKTA_BENCH_GROUPS, OKTA_BENCH_USERS_PER_APP and
// OKTA_BENCH_LIMIT (requests per window per endpoint group).
func BenchmarkCollectSyntheticOrg(b *testing.B) {
	spec := oktareplay.Spec{
		Apps: envInt("OKTA_BENCH_APPS", 400), Groups: envInt("OKTA_BENCH_GROUPS", 5000), IdPs: 12,
		GroupsPerApp: 10, UsersPerApp: envInt("OKTA_BENCH_USERS_PER_APP", 40), Seed: 7,
	}
	limit := envInt("OKTA_BENCH_LIMIT", 50)
	org := oktareplay.Generate(spec)
	want := 0
	for _, n := range org.Counts() {
		want += n
	}
	b.ResetTimer()
	var ratio, itemsPerSec float64
	var peak uint64
	for b.Loop() {
		srv := oktareplay.Start(b, org, oktareplay.Options{DefaultLimit: limit, Window: time.Second})
		sink := &counter{}
		c, err := okta.New(context.Background(), workspace.OktaSettings{OrgURL: srv.URL, Auth: workspace.OktaAPIToken},
			secret.New(oktareplay.Token), inventory.NewEvidence(nil, sink, nil), nil)
		if err != nil {
			b.Fatal(err)
		}
		stop := samplePeakHeap(&peak)
		start := time.Now()
		if err := c.Collect(context.Background(), sink); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		stop()
		if got := int(sink.items.Load()); got != want {
			b.Fatalf("collected %d items, the org holds %d", got, want)
		}
		floor := floorOf(srv.Requests(), limit, time.Second)
		ratio = wall.Seconds() / floor.Seconds()
		itemsPerSec = float64(want) / wall.Seconds()
		srv.Close()
	}
	b.ReportMetric(ratio, "wall/floor")
	b.ReportMetric(itemsPerSec, "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// floorOf is the least time the limits allow for the requests that
// succeeded: a group with R requests at L per window needs ceil(R/L)
// windows, the first of which starts at once; groups run side by side.
func floorOf(reqs []oktareplay.Request, limit int, window time.Duration) time.Duration {
	per := map[string]int{}
	for _, r := range reqs {
		if r.Status == 200 {
			per[r.Group]++
		}
	}
	var floor time.Duration
	for _, n := range per {
		if f := time.Duration((n+limit-1)/limit-1) * window; f > floor {
			floor = f
		}
	}
	return max(floor, window/10)
}

// samplePeakHeap records the largest live heap seen until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
