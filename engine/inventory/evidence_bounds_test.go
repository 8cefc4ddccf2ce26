package inventory_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/netguard/faulttest"
)

// refusingSink is a store that refuses every page, as a full disk does.
type refusingSink struct{}

func (refusingSink) SavePage(context.Context, inventory.Page) error {
	return errors.New("database or disk is full")
}

// TestEvidenceFailuresAreNotFetchedAgain: a page the store refuses, and a
// compressed bomb, each cost one request: the pacer above the evidence
// transport does not fetch them again, and the bomb's body is read no
// further than the limit.
func TestEvidenceFailuresAreNotFetchedAgain(t *testing.T) {
	const limit = 2 << 20
	bounds := netguard.Bounds{IdleTimeout: 2 * time.Second, MaxBody: limit}
	cases := []struct {
		name  string
		fault faulttest.Fault
		sink  inventory.PageSink
		want  []string
	}{
		{"the store refuses the page", faulttest.SelfNext, refusingSink{}, []string{"save evidence of GET /api/v1/groups", "disk is full"}},
		{"a compressed bomb", faulttest.GzipBomb, &memorySink{}, []string{"/api/v1/groups", "exceeded the 2 MiB limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := faulttest.Start(t, faulttest.Okta, tc.fault)
			ev := inventory.NewEvidence(netguard.NewTransport(nil, bounds), tc.sink, noCatalogue, nil)
			p := inventory.NewPacer(ev, inventory.PacingOptions{Backoff: time.Millisecond})
			ctx := inventory.WithListing(context.Background(), "groups")
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/groups?limit=10000", nil)
			var err error
			grew := faulttest.PeakHeap(func() { _, err = p.RoundTrip(req) })
			faulttest.Named(t, err, tc.want...)
			if n := srv.Requests(); n != 1 {
				t.Errorf("the server was asked %d times, want once", n)
			}
			if grew > 10*limit {
				t.Errorf("the heap grew by %s, over ten times the %s limit", netguard.Size(grew), netguard.Size(limit))
			}
		})
	}
}
