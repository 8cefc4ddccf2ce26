package merge_test

import (
	"fmt"
	"testing"

	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// BenchmarkMatchGroups100k matches 100,000 incumbent group names against
// a live tenant of 100,000 groups, a tenth of them colliding in another
// case; BenchmarkNameKey is the floor: the name key alone, per name.
func BenchmarkMatchGroups100k(b *testing.B) {
	const n = 100_000
	groups := make([]api.Group, n)
	for i := range groups {
		groups[i] = api.Group{Id: fmt.Sprintf("grp_%d", i), Name: fmt.Sprintf("TEAM %d", i*10)}
	}
	live := merge.NewLive(merge.Live{Groups: groups})
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Team %d", i)
	}
	b.ResetTimer()
	for b.Loop() {
		hits := 0
		for _, name := range names {
			hits += len(live.MatchGroup(name))
		}
		if hits != n/10 {
			b.Fatalf("%d collisions, want %d", hits, n/10)
		}
	}
}

func BenchmarkNameKey(b *testing.B) {
	for b.Loop() {
		merge.NameKey("Ｆｉｎａｎｃｅ  and\u00a0Accounting ﬁrst-line")
	}
}
