package entra

import (
	"context"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// counter is an Emitter and an evidence PageSink that keeps nothing, so the
// benchmark measures the collector and not a slice growing.
type counter struct{ n, pages, members atomic.Int64 }

func (c *counter) Emit(_ context.Context, items ...inventory.Item) error {
	c.n.Add(int64(len(items)))
	return nil
}

func (c *counter) EmitMembers(_ context.Context, members ...inventory.Member) error {
	c.members.Add(int64(len(members)))
	return nil
}

func (c *counter) MembersListed(context.Context, inventory.MemberListing) error { return nil }

func (c *counter) SavePage(context.Context, inventory.Page) error {
	c.pages.Add(1)
	return nil
}

// samplePeakHeap records the largest live heap, as each garbage collection
// marks it, above the live heap at the call until stop is called: the
// replay server's payloads share the process and are not the collector's.
// runtime/metrics reads it without stopping the world (ReadMemStats every
// few milliseconds would slow the collection it measures).
func samplePeakHeap(peak *uint64) (stop func()) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := heap()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if h := heap(); h > base {
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

// BenchmarkCollectSynthetic collects a synthetic tenant from the replay
// server under a Graph-style request budget, through the evidence transport
// as the inventory service runs it, at the default rate share (half;
// ENTRA_BENCH_SHARE sets another). Sizes come from ENTRA_BENCH_SPS
// (default 500) and ENTRA_BENCH_GROUPS (default 2000), the budget from
// ENTRA_BENCH_LIMIT requests per 100 ms window over all of Graph (default
// 25: the default tenant's ~500 requests then take 4 s at half of it). It
// reports wall time over the floor that share of the budget allows for the
// requests that succeeded, items/s, and the collector's peak live heap.
//
// The size (20,000 service principals, 100,000 groups, ~20,130
// requests; the floor at half of a limit of 50 is 80.4 s):
//
//	ENTRA_BENCH_SPS=20000 ENTRA_BENCH_GROUPS=100000 ENTRA_BENCH_LIMIT=50 \
//	  go test -p 1 -timeout 0 -run '^$' -bench CollectSynthetic ./engine/entra/
func BenchmarkCollectSynthetic(b *testing.B) {
	sps := envInt("ENTRA_BENCH_SPS", 500)
	groups := envInt("ENTRA_BENCH_GROUPS", 2000)
	limit := envInt("ENTRA_BENCH_LIMIT", 25)
	share := inventory.DefaultShare
	if v, err := strconv.ParseFloat(os.Getenv("ENTRA_BENCH_SHARE"), 64); err == nil && inventory.CheckShare(v) == nil {
		share = v
	}
	const window = 100 * time.Millisecond
	tenant := graphreplay.Synthetic(graphreplay.Size{
		Applications: sps / 4, ServicePrincipals: sps, Groups: groups, Policies: 20, Domains: 5, AssignmentsPerSP: 3,
	})
	want := 0
	for _, n := range tenant.Counts() {
		want += n
	}
	s, err := graphreplay.Start(graphreplay.Options{Tenant: tenant, AccessTokens: []string{testToken},
		Limits: []graphreplay.Limit{{Requests: limit, Window: window}}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	settings := Settings{TenantID: testTenantID, Auth: AuthAccessToken, GraphURL: s.URL()}

	var ratio, itemsPerSec, floorSecs, requests float64
	var peak uint64
	for b.Loop() {
		before := len(s.Requests())
		out := &counter{}
		c, err := open(settings, secret.New(testToken), inventory.NewEvidence(http.DefaultTransport, out, testRedactor, nil), share, nil)
		if err != nil {
			b.Fatal(err)
		}
		stop := samplePeakHeap(&peak)
		start := time.Now()
		if err := c.Collect(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		stop()
		if got := int(out.n.Load()); got != want {
			b.Fatalf("collected %d items, the tenant holds %d", got, want)
		}
		ok := 0
		for _, r := range s.Requests()[before:] {
			if r.Status == http.StatusOK {
				ok++
			}
		}
		floor := floorOf(ok, share*float64(limit), window)
		ratio, floorSecs = wall.Seconds()/floor.Seconds(), floor.Seconds()
		itemsPerSec = float64(want) / wall.Seconds()
		requests = float64(ok)
	}
	b.ReportMetric(ratio, "wall/floor")
	b.ReportMetric(share, "share")
	b.ReportMetric(floorSecs, "floor-s")
	b.ReportMetric(itemsPerSec, "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(requests, "requests/op")
}

// floorOf is the least time a pace of perWindow requests per window allows
// for n successful requests: the collection's share of the replay server's
// budget, which is the pace the pacer holds Graph to once a 429 showed it
// the budget. The replay server opens a window at the first request after
// the last one ended, so n requests need ceil(n/perWindow) windows and the
// last cannot leave before the last window opens, (ceil(n/perWindow)-1)
// windows after the first. Graph's directory and conditional access share
// the one budget here, so there is one group and no slower group to set
// the floor. The first window, before the pacer has heard a 429, may be
// spent in full, so a collection can come in just under this floor. A
// collection that fits one window has no budget-set floor: a tenth of a
// window stands in, so the ratio stays finite.
func floorOf(n int, perWindow float64, window time.Duration) time.Duration {
	windows := math.Ceil(float64(n)/perWindow) - 1
	return max(time.Duration(windows*float64(window)), window/10)
}
