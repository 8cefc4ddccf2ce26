package okta_test

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/secret"
)

// counter is a sink and emitter that keeps nothing, so the benchmark
// measures the collector, not storage.
type counter struct{ pages, items, members atomic.Int64 }

func (c *counter) SavePage(context.Context, inventory.Page) error { c.pages.Add(1); return nil }
func (c *counter) Emit(_ context.Context, items ...inventory.Item) error {
	c.items.Add(int64(len(items)))
	return nil
}
func (c *counter) EmitMembers(_ context.Context, members ...inventory.Member) error {
	c.members.Add(int64(len(members)))
	return nil
}
func (c *counter) MembersListed(context.Context, inventory.MemberListing) error { return nil }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkCollectSyntheticOrg collects a synthetic org from the replay
// server, whose rate-limit windows are scaled down to one second, at the
// default rate share (half of each window; OKTA_BENCH_SHARE sets another),
// and reports how close the collection comes to the floor that share of
// the limits sets (wall/floor, goal ≤ 1.1), items ingested per second, and
// the collector's
// peak heap (peak-heap-MB: the peak live heap above what the org's
// payloads, held by the in-process replay server, occupy before the
// collection starts; it must not grow with the org).
//
// The default size runs in well under a minute for make bench. The issue's
// size (5,000 apps, 50,000 groups, 500,000 assignments, 50 requests per
// second per endpoint group: about 100 one-second windows) runs with
//
//	OKTA_BENCH_FULL=1 go test ./engine/okta -run '^$' -bench CollectSyntheticOrg -benchtime 1x
//
// and each dimension can be set on its own: OKTA_BENCH_APPS,
// OKTA_BENCH_GROUPS, OKTA_BENCH_GROUPS_PER_APP, OKTA_BENCH_USERS_PER_APP,
// OKTA_BENCH_LIMIT (requests per window per endpoint group) and
// OKTA_BENCH_SHARE (the share of each window the collection may spend).
func BenchmarkCollectSyntheticOrg(b *testing.B) {
	spec := oktareplay.Spec{Apps: 400, Groups: 5000, IdPs: 12, GroupsPerApp: 10, UsersPerApp: 40, Seed: 7}
	if os.Getenv("OKTA_BENCH_FULL") != "" {
		spec.Apps, spec.Groups, spec.GroupsPerApp, spec.UsersPerApp = 5000, 50000, 20, 80
	}
	spec.Apps = envInt("OKTA_BENCH_APPS", spec.Apps)
	spec.Groups = envInt("OKTA_BENCH_GROUPS", spec.Groups)
	spec.GroupsPerApp = envInt("OKTA_BENCH_GROUPS_PER_APP", spec.GroupsPerApp)
	spec.UsersPerApp = envInt("OKTA_BENCH_USERS_PER_APP", spec.UsersPerApp)
	limit := envInt("OKTA_BENCH_LIMIT", 50)
	share := inventory.DefaultShare
	if v, err := strconv.ParseFloat(os.Getenv("OKTA_BENCH_SHARE"), 64); err == nil && inventory.CheckShare(v) == nil {
		share = v
	}
	// The pacer spends floor(share × limit) of each window, at least one.
	budget := max(1, int(share*float64(limit)+1e-9))
	const window = time.Second
	org := oktareplay.Generate(spec)
	want := 0
	for _, n := range org.Counts() {
		want += n
	}
	var ratio, itemsPerSec, floorSecs float64
	var peak uint64
	for b.Loop() {
		srv := oktareplay.Start(b, org, oktareplay.Options{DefaultLimit: limit, Window: window})
		sink := &counter{}
		c, err := okta.New(context.Background(), okta.Settings{OrgURL: srv.URL, Auth: okta.AuthAPIToken},
			secret.New(oktareplay.Token), pacedClient(inventory.NewEvidence(nil, sink, testRedactor, nil), share, nil))
		if err != nil {
			b.Fatal(err)
		}
		// Start on a window boundary, where the server's count starts,
		// so the first window is a whole one like every other.
		time.Sleep(time.Until(time.Now().Truncate(window).Add(window)))
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
		floor := floorOf(srv.Requests(), budget, window)
		ratio = wall.Seconds() / floor.Seconds()
		floorSecs = floor.Seconds()
		itemsPerSec = float64(want) / wall.Seconds()
		srv.Close()
	}
	b.ReportMetric(ratio, "wall/floor")
	b.ReportMetric(share, "share")
	b.ReportMetric(floorSecs, "floor-s")
	b.ReportMetric(float64(want), "items")
	b.ReportMetric(itemsPerSec, "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// floorOf is the least time a budget of limit requests per window (the
// collection's share of the server's limit) allows for the requests that
// succeeded, counted the way the replay server counts: in windows aligned
// to the epoch, starting with the collection. A group with R requests at L
// per window needs ceil(R/L) windows, so its last request cannot leave
// before the last of them opens, (ceil(R/L)-1) windows after the start;
// groups run side by side, so the slowest sets the floor. A collection
// that fits one window has no limit-set floor: a tenth of a window stands
// in, so the ratio stays finite.
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

// samplePeakHeap records the largest live heap, as each garbage collection
// marks it, above the live heap at the call until stop is called. Live, not
// allocated: the replay server's payloads share the process, and the
// garbage the collector may let pile up scales with them, not with what the
// collection holds. runtime/metrics does not stop the world to read it.
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
