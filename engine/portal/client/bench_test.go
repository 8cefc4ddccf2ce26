package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// benchClient talks to the sandbox without the contract validator, so the
// numbers are the client's and the sandbox's, not the validator's.
func benchClient(b *testing.B, h *ctHarness) *client.Client {
	b.Helper()
	c, err := client.New(h.url, h.manager())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Connect(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkClientCreates reports creates per second through the client
// (idempotency key, retry layer, SQLite commit, audit event).
func BenchmarkClientCreates(b *testing.B) {
	ctx := context.Background()
	h := newCTHarness(b, sandbox.Options{})
	c := benchClient(b, h)
	i := 0
	for b.Loop() {
		i++
		if _, err := c.CreateGroup(ctx, client.OperationKey("bench", strconv.Itoa(i)), api.GroupInput{Name: "Bench group " + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

// BenchmarkClientList100k reports how long listing 100,000 users takes,
// every page of 500 followed through its cursor. The users are seeded
// straight through the store: creating them over HTTP would take minutes.
func BenchmarkClientList100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	h := newCTHarness(b, sandbox.Options{})
	seedUsers(b, h.store, n)
	c := benchClient(b, h)
	for b.Loop() {
		users, err := c.ListUsers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(users) != n {
			b.Fatalf("listed %d users, want %d", len(users), n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/list")
}

func seedUsers(b *testing.B, store sandbox.Store, n int) {
	b.Helper()
	at := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
	err := store.Update(context.Background(), func(tx sandbox.Tx) error {
		for i := range n {
			email := fmt.Sprintf("user%06d@example-corp.test", i)
			u := api.User{Id: fmt.Sprintf("usr_bench%06d", i), Email: &email, Username: fmt.Sprintf("user%06d", i),
				AuthMode: api.SSOPREFERRED, AccountState: api.Active, Origin: api.Admin, CreatedAt: at, UpdatedAt: at}
			body, err := json.Marshal(u)
			if err != nil {
				return err
			}
			o := sandbox.Object{Tenant: ctTenant, Kind: sandbox.KindUser, ID: u.Id, ETag: fmt.Sprintf(`"bench%06d"`, i), Body: body,
				Unique: []string{"email:" + email, "username:" + u.Username}}
			if err := tx.Insert(&o); err != nil {
				return fmt.Errorf("seed user %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
