package workspacedb

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// membershipTenant sizes the benchmark's tenant: the 100,000 users
// in 5,000 groups by default. Every user is in Everyone and in perUser
// other groups, so it holds users*(perUser+1) memberships (400,000).
type membershipTenant struct{ users, groups, perUser int }

func benchTenant() membershipTenant {
	env := func(name string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
			return v
		}
		return def
	}
	return membershipTenant{users: env("MEMBERS_BENCH_USERS", 100_000), groups: env("MEMBERS_BENCH_GROUPS", 5_000), perUser: 3}
}

// each streams the tenant's memberships in batches of n, as a collection
// hands them to the store, never all held: user by user, each in Everyone
// (group 0) and in perUser other groups spread over the rest.
func (mt membershipTenant) each(n int, fn func([]inventory.Member) error) error {
	batch := make([]inventory.Member, 0, n)
	for u := range mt.users {
		email := fmt.Sprintf("user%06d@example.test", u)
		groups := []int{0}
		for i := 0; i < mt.perUser && mt.groups > 1; i++ {
			if g := 1 + (u*mt.perUser+i*7919)%(mt.groups-1); !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
		for _, g := range groups {
			batch = append(batch, inventory.Member{GroupID: fmt.Sprintf("00g%06d", g), SourceID: fmt.Sprintf("00u%06d", u), Type: inventory.MemberUser,
				Login: email, Email: email, DisplayName: fmt.Sprintf("User %d", u), State: inventory.StateActive, VendorStatus: "ACTIVE",
				EvidencePage: int64(g + 1)})
			if len(batch) == n {
				if err := fn(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// memberships counts what each yields.
func (mt membershipTenant) memberships() int {
	n := 0
	mt.each(1<<16, func(b []inventory.Member) error { n += len(b); return nil })
	return n
}

func membershipFile(b *testing.B) (*DB, string) {
	b.Helper()
	db, snapID, _ := seedItems(b, 0)
	return db, snapID
}

// BenchmarkMembershipIngest stores 100,000 users in 5,000 groups (400,000
// memberships) as a collection does, in transactions of 500 members, and
// reports the rate as a ratio to the floor measured in the same run: the
// same number of rows of three integers inserted into a table without an
// index, in the same transactions (ingest/raw, goal ≥ 0.2), and the peak
// live heap above where it started (peak-heap-MB: the store must not hold
// what it has written). MEMBERS_BENCH_USERS and MEMBERS_BENCH_GROUPS resize
// the tenant.
func BenchmarkMembershipIngest(b *testing.B) {
	mt := benchTenant()
	ctx := context.Background()
	const batch = 500
	rows := mt.memberships()
	var rate, rawRate float64
	var peak uint64
	for b.Loop() {
		db, snapID := membershipFile(b)
		store := InventoryStore(db)

		stop := samplePeakHeap(&peak)
		start := time.Now()
		err := mt.each(batch, func(ms []inventory.Member) error {
			return store.Update(ctx, func(tx inventory.Tx) error { return tx.SaveMembers(snapID, ms) })
		})
		if err != nil {
			b.Fatal(err)
		}
		rate = float64(rows) / time.Since(start).Seconds()
		stop()

		if err := db.UpdateTx(ctx, func(t *Tx) error {
			_, err := t.tx.ExecContext(t.ctx, `CREATE TABLE bench_raw (a INTEGER, b INTEGER, c INTEGER) STRICT`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for done := 0; done < rows; done += batch {
			n := min(batch, rows-done)
			err := db.UpdateTx(ctx, func(t *Tx) error {
				st, err := t.tx.PrepareContext(t.ctx, `INSERT INTO bench_raw (a, b, c) VALUES (?, ?, ?)`)
				if err != nil {
					return err
				}
				defer st.Close()
				for i := range n {
					if _, err := st.ExecContext(t.ctx, done+i, i, 1); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		rawRate = float64(rows) / time.Since(start).Seconds()

		var got inventory.MembershipSummary
		if err := store.View(ctx, func(tx inventory.Tx) error {
			var err error
			got, err = tx.MembershipSummary(snapID)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if got.Memberships != rows || got.Members[inventory.MemberUser] != mt.users {
			b.Fatalf("stored %d memberships of %d users, want %d of %d", got.Memberships, got.Members[inventory.MemberUser], rows, mt.users)
		}
	}
	b.ReportMetric(float64(rows), "memberships")
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(rawRate, "raw-rows/s")
	b.ReportMetric(rate/rawRate, "ingest/raw")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkMembershipQueries measures the two questions on the same
// tenant: a group's members (a window of 200 of a 100,000-member group, and
// all of a group of about 60), a person's groups by email, and streaming
// every user with their groups (what the role simulator reads).
func BenchmarkMembershipQueries(b *testing.B) {
	mt := benchTenant()
	ctx := context.Background()
	db, snapID := membershipFile(b)
	store := InventoryStore(db)
	if err := mt.each(5000, func(ms []inventory.Member) error {
		return store.Update(ctx, func(tx inventory.Tx) error { return tx.SaveMembers(snapID, ms) })
	}); err != nil {
		b.Fatal(err)
	}
	inv := &inventory.Service{Store: store}
	b.Run("members-window-of-everyone", func(b *testing.B) {
		for b.Loop() {
			page, _, err := groupMembers(ctx, inv, snapID, "00g000000", mt.users/2, 200)
			if err != nil || len(page.Members) != 200 {
				b.Fatalf("%d members, %v", len(page.Members), err)
			}
		}
	})
	b.Run("members-of-a-team", func(b *testing.B) {
		for b.Loop() {
			if page, _, err := groupMembers(ctx, inv, snapID, "00g000017", 0, 0); err != nil || len(page.Members) == 0 {
				b.Fatalf("%d members, %v", len(page.Members), err)
			}
		}
	})
	b.Run("groups-of-a-person", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var got []inventory.MemberOf
			err := store.View(ctx, func(tx inventory.Tx) error {
				var err error
				got, err = tx.MemberGroups(snapID, fmt.Sprintf("USER%06d@EXAMPLE.TEST", (i*7)%mt.users))
				return err
			})
			if err != nil || len(got) != 1 || len(got[0].Groups) < 2 {
				b.Fatalf("groups: %+v %v", got, err)
			}
		}
	})
	b.Run("every-user-with-groups", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := db.ViewTx(ctx, func(t *Tx) error {
				return t.EachMember(snapID, inventory.MemberUser, func(inventory.Member, []string) error { n++; return nil })
			})
			if err != nil || n != mt.users {
				b.Fatalf("%d users, %v", n, err)
			}
		}
	})
}

func groupMembers(ctx context.Context, inv *inventory.Service, snapID, group string, offset, limit int) (inventory.MemberPage, bool, error) {
	var page inventory.MemberPage
	var listed bool
	err := inv.Store.View(ctx, func(tx inventory.Tx) error {
		var err error
		page, listed, err = tx.GroupMembers(inventory.MemberQuery{SnapshotID: snapID, GroupID: group, Offset: offset, Limit: limit})
		return err
	})
	return page, listed, err
}

// samplePeakHeap records the largest live heap, as each garbage collection
// marks it, above the live heap at the call, until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	// The live heap is what the last collection marked: two collections
	// leave no garbage of the setup counted as live.
	runtime.GC()
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
