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
}

// BenchmarkAssessmentQueries100k measures what the GUI's assessment table
// and detail ask of a completed run of 100,000 items: a window deep into
// one class, the items a rule matched, a text search, one item's detail,
// and the readiness roll-up.
func BenchmarkAssessmentQueries100k(b *testing.B) {
	ctx := context.Background()
	f := newAssessFixture(b)
	f.svc.BatchSize, f.svc.PageSize = 0, 0
	snap := f.snapshot(b, estate(100_000, 43))
	run, err := f.svc.Run(ctx, snap.ID, nil)
	if err != nil {
		b.Fatal(err)
	}
	blocked, err := f.svc.Results(ctx, assessment.ResultQuery{RunID: run.ID, Class: assessment.Blocked, Limit: 1})
	if err != nil || blocked.Total < 1000 {
		b.Fatalf("blocked results: %d %v", blocked.Total, err)
	}
	query := func(name string, fn func(i int) error) {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := fn(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
		})
	}
	query("class-window", func(i int) error {
		_, err := f.svc.Results(ctx, assessment.ResultQuery{RunID: run.ID, Class: assessment.Blocked, Offset: (i * 997) % (blocked.Total - 100), Limit: 100})
		return err
	})
	query("matched-rule", func(int) error {
		_, err := f.svc.Results(ctx, assessment.ResultQuery{RunID: run.ID, RuleID: "ANY-APP-CREDENTIALS-001", Limit: 100})
		return err
	})
	query("text", func(i int) error {
		_, err := f.svc.Results(ctx, assessment.ResultQuery{RunID: run.ID, Text: strconv.Itoa(1000 + i%1000), Limit: 100})
		return err
	})
	query("detail", func(i int) error {
		_, err := f.svc.Detail(ctx, run.ID, blocked.Results[0].ItemID)
		return err
	})
	query("readiness", func(int) error {
		_, err := f.svc.Readiness(ctx, run.ID)
		return err
	})
}
