package workspacedb

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
)

func benchEntry(i int) audit.Entry {
	return audit.Entry{At: time.Now(), Event: audit.SourceCreated, Tenant: "acme", Actor: "consultant@example.test",
		TargetID: fmt.Sprintf("src-%d", i), Facts: map[string]string{"name": fmt.Sprintf("okta-%d", i), "kind": "okta",
			"org_url": "https://acme.okta.example", "auth": "api_token", "status": "configured"}}
}

func appendEntries(b *testing.B, db *DB, n int) {
	b.Helper()
	err := db.UpdateTx(context.Background(), func(tx *Tx) error {
		for i := range n {
			if _, err := audit.Record(tx, benchEntry(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAuditRecord is one state change's audit entry, committed
// durably on its own (an fsync per op).
func BenchmarkAuditRecord(b *testing.B) {
	db, _ := newFile(b)
	defer db.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := db.UpdateTx(ctx, func(tx *Tx) error {
			_, err := audit.Record(tx, benchEntry(i))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuditAppend10000 appends 10,000 chained entries in one
// transaction.
func BenchmarkAuditAppend10000(b *testing.B) {
	db, _ := newFile(b)
	defer db.Close()
	for b.Loop() {
		appendEntries(b, db, 10_000)
	}
}

// BenchmarkAuditTrail10000 reads and verifies a 10,000-entry trail.
func BenchmarkAuditTrail10000(b *testing.B) {
	db, _ := newFile(b)
	defer db.Close()
	appendEntries(b, db, 10_000)
	svc := service(db)
	for b.Loop() {
		entries, brk, err := svc.AuditTrail(context.Background())
		if err != nil || brk != nil || len(entries) != 10_000 {
			b.Fatalf("trail: %d entries, break %v, err %v", len(entries), brk, err)
		}
	}
}

// BenchmarkSummary1000Sources computes the workspace summary over 1,000
// sources, each with a completed and a failed snapshot.
func BenchmarkSummary1000Sources(b *testing.B) {
	db, _ := newFile(b)
	defer db.Close()
	err := db.UpdateTx(context.Background(), func(tx *Tx) error {
		now := time.Now()
		if err := tx.SaveWorkspace(workspace.Workspace{ID: workspace.NewID(), Tenant: "acme",
			Mode: workspace.ModeFirstRunAdoption, Status: workspace.StatusReadyForInventory, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		for i := range 1000 {
			src := workspace.Source{ID: workspace.NewID(), Name: fmt.Sprintf("okta-%04d", i), Kind: "okta",
				Status: workspace.SourceConfigured, CreatedAt: now, LastInventoryAt: &now,
				Settings: json.RawMessage(fmt.Sprintf(`{"org_url":"https://t%04d.okta.example","auth":"api_token"}`, i))}
			if err := tx.SaveSource(src); err != nil {
				return err
			}
			for _, status := range []inventory.Status{inventory.StatusCompleted, inventory.StatusFailed} {
				snap := inventory.Snapshot{ID: workspace.NewID(), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
					Status: inventory.StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: "bench"}
				if err := tx.InsertSnapshot(snap); err != nil {
					return err
				}
				snap.Status, snap.FinishedAt = status, &now
				if err := tx.UpdateSnapshot(snap); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := &readiness.Service{Store: ReadinessStore(db)}
	for b.Loop() {
		sum, err := svc.Summary(context.Background())
		if err != nil || sum.SourceCount != 1000 || sum.LastInventoryAt == nil {
			b.Fatalf("summary: %d sources, last inventory %v, err %v", sum.SourceCount, sum.LastInventoryAt, err)
		}
	}
}
