package workspacedb

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// liveHeap samples the live heap (runtime/metrics /gc/heap/live:bytes, the
// heap marked live by the last GC) while a run goes, by the run's progress
// so the samples can be told apart by how far the run was.
type liveHeap struct {
	mu      sync.Mutex
	samples []metrics.Sample
	peak    [4]uint64 // by quarter of the run
}

func newLiveHeap() *liveHeap {
	return &liveHeap{samples: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
}

func (h *liveHeap) sample(done, total int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	metrics.Read(h.samples)
	v := h.samples[0].Value.Uint64()
	q := 0
	if total > 0 {
		q = min(3, done*4/total)
	}
	h.peak[q] = max(h.peak[q], v)
}

// BenchmarkAssess1M assesses a snapshot of 1,000,000 synthetic items end to
// end (read, classify, persist results, findings and impacts) and reports:
// items/s; the raw insert rate of the same items into the snapshot in the
// same run (batched SaveItems with search indexing) and the ratio of the
// two (aim: at least 0.5); and the peak live heap in each quarter of the
// run (aim: under 300 MB, and flat: the last quarter's no higher than the
// first's by more than the run's fixed structures). PMC_ASSESS_BENCH_ITEMS
// sets another size.
func BenchmarkAssess1M(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("PMC_ASSESS_BENCH_ITEMS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 20 {
			b.Fatalf("PMC_ASSESS_BENCH_ITEMS=%q is not a size of at least 20", s)
		}
		n = v
	}
	ctx := context.Background()
	f := newAssessFixture(b)
	f.svc.BatchSize, f.svc.PageSize, f.svc.StaleAfter = 0, 0, 0

	start := time.Now()
	snap := f.snapshot(b, estate(n, 42))
	insertRate := float64(snap.ItemCount) / time.Since(start).Seconds()
	if snap.ItemCount != n {
		b.Fatalf("seeded %d items of %d", snap.ItemCount, n)
	}

	var h *liveHeap
	var run assessment.Run
	for b.Loop() {
		runtime.GC()
		h = newLiveHeap()
		var err error
		run, err = f.svc.Run(ctx, snap.ID, func(p assessment.Progress) { h.sample(p.Items, p.Total) })
		if err != nil || run.ItemCount != n {
			b.Fatalf("run: %+v %v", run, err)
		}
	}
	rate := float64(n*b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "items/s")
	b.ReportMetric(insertRate, "insert-items/s")
	b.ReportMetric(rate/insertRate, "ratio-to-insert")
	for q, v := range h.peak {
		b.ReportMetric(float64(v)/(1<<20), "live-heap-MB-q"+strconv.Itoa(q+1))
	}
	b.Logf("%d items: %v; %d impact rows", n, run.Counts, run.ImpactCount)
	_ = inventory.MaxCount
}
