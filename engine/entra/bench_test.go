package entra

import (
	"context"
	"math"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// counter is an Emitter that keeps nothing, so the benchmark measures the
// collector and not a slice growing.
type counter struct{ n atomic.Int64 }

func (c *counter) Emit(_ context.Context, items ...inventory.Item) error {
	c.n.Add(int64(len(items)))
	return nil
}

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop <-chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return &peak
}

// BenchmarkCollectSynthetic collects a synthetic tenant from the replay
// server under a Graph-style request budget. Sizes come from
// ENTRA_BENCH_SPS (default 500, up to 20000), ENTRA_BENCH_GROUPS (default
// 2000, up to 100000) and the budget from ENTRA_BENCH_LIMIT requests per
// 100 ms window (default 400). It reports items/s, peak heap in use, and
// wall time over the floor the budget allows for the requests made.
func BenchmarkCollectSynthetic(b *testing.B) {
	sps := envInt("ENTRA_BENCH_SPS", 500)
	groups := envInt("ENTRA_BENCH_GROUPS", 2000)
	limit := envInt("ENTRA_BENCH_LIMIT", 400)
	const window = 100 * time.Millisecond
	tenant := graphreplay.Synthetic(graphreplay.Size{
		Applications: sps / 4, ServicePrincipals: sps, Groups: groups, Policies: 20, Domains: 5, AssignmentsPerSP: 3,
	})
	s, err := graphreplay.Start(graphreplay.Options{Tenant: tenant, AccessTokens: []string{testToken},
		Limits: []graphreplay.Limit{{Requests: limit, Window: window}}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	settings := workspace.EntraSettings{TenantID: testTenantID, Auth: workspace.EntraAccessToken, GraphURL: s.URL()}

	var items, requests int64
	var elapsed time.Duration
	var peak uint64
	var mu sync.Mutex
	b.ResetTimer()
	for b.Loop() {
		before := len(s.Requests())
		c, err := Open(settings, secret.New(testToken), http.DefaultTransport, nil)
		if err != nil {
			b.Fatal(err)
		}
		out := &counter{}
		stop := make(chan struct{})
		p := peakHeap(stop)
		start := time.Now()
		if err := c.Collect(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		close(stop)
		ok := 0
		for _, r := range s.Requests()[before:] {
			if r.Status == http.StatusOK {
				ok++
			}
		}
		mu.Lock()
		items += out.n.Load()
		requests += int64(ok)
		elapsed += took
		peak = max(peak, p.Load())
		mu.Unlock()
	}
	b.StopTimer()
	runs := float64(b.N)
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	// The budget lets limit requests through per window; the last window
	// need not run out.
	floor := time.Duration(math.Ceil(float64(requests)/runs/float64(limit))-1) * window
	if floor > 0 {
		b.ReportMetric(elapsed.Seconds()/runs/floor.Seconds(), "wall/floor")
	}
	b.ReportMetric(float64(requests)/runs, "requests/op")
}
