package workspacedb

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/audit"
)

// entryAt reads one stored entry with the bare driver, as a forger would.
func entryAt(t *testing.T, raw *sql.DB, seq int64) audit.Entry {
	t.Helper()
	db := &DB{path: "raw", write: raw, read: raw}
	var e audit.Entry
	err := db.ViewTx(context.Background(), func(tx *Tx) error {
		entries, err := tx.AuditEntries()
		for _, x := range entries {
			if x.Seq == seq {
				e = x
			}
		}
		return err
	})
	if err != nil || e.Seq != seq {
		t.Fatalf("read entry %d: %v", seq, err)
	}
	return e
}

// TestAuditTamperingFound records a five-entry trail through the engine
// (create workspace, add two sources, archive one, add another), edits the
// closed file with plain SQL, reopens it, and checks the engine's verdict
// names the first entry that can no longer be trusted.
func TestAuditTamperingFound(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, raw *sql.DB)
		wantSeq int64 // 0: the trail verifies
		reason  string
	}{
		{"untouched", func(*testing.T, *sql.DB) {}, 0, ""},
		{"fact edited", func(t *testing.T, raw *sql.DB) {
			mustExec(t, raw, `UPDATE audit_entries SET facts = json_set(facts, '$.org_url', 'https://evil.okta.example') WHERE seq = 2`)
		}, 2, "edited"},
		{"actor edited and entry rehashed", func(t *testing.T, raw *sql.DB) {
			e := entryAt(t, raw, 3)
			e.Actor = "someone-else"
			mustExec(t, raw, `UPDATE audit_entries SET actor = ?, hash = ? WHERE seq = 3`, e.Actor, e.ComputeHash())
		}, 4, "does not follow"},
		{"middle entry deleted", func(t *testing.T, raw *sql.DB) {
			mustExec(t, raw, `DELETE FROM audit_entries WHERE seq = 3`)
		}, 3, "missing"},
		{"forged entry inserted", func(t *testing.T, raw *sql.DB) {
			// A careful forger: the new entry 3 is hashed and linked to entry
			// 2, and later entries are renumbered to make room. Entry 3 looks
			// genuine (an unkeyed chain cannot tell); the displaced original,
			// now numbered 4, no longer matches its hash.
			prev := entryAt(t, raw, 2)
			forged := audit.Entry{Seq: 3, At: prev.At, Event: audit.SourceArchived, Tenant: prev.Tenant,
				Actor: prev.Actor, TargetID: "forged", Facts: map[string]string{"name": "entra-prod"}, PrevHash: prev.Hash}
			forged.Hash = forged.ComputeHash()
			mustExec(t, raw, `UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 3`)
			mustExec(t, raw, `UPDATE audit_entries SET seq = seq - 999 WHERE seq > 1000`)
			mustExec(t, raw, `INSERT INTO audit_entries (seq, at, event, tenant, actor, target_id, facts, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, '{"name":"entra-prod"}', ?, ?)`, forged.Seq, formatTime(forged.At),
				forged.Event, forged.Tenant, forged.Actor, forged.TargetID, forged.PrevHash, forged.Hash)
		}, 4, "edited"},
		{"two entries swapped", func(t *testing.T, raw *sql.DB) {
			mustExec(t, raw, `UPDATE audit_entries SET seq = 1000 WHERE seq = 2`)
			mustExec(t, raw, `UPDATE audit_entries SET seq = 2 WHERE seq = 4`)
			mustExec(t, raw, `UPDATE audit_entries SET seq = 4 WHERE seq = 1000`)
		}, 2, "edited"},
		{"last entry deleted", func(t *testing.T, raw *sql.DB) {
			mustExec(t, raw, `DELETE FROM audit_entries WHERE seq = 5`)
		}, 5, "ends at entry 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, path := newFile(t)
			populate(t, service(db))
			db.Close()

			raw, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			c.tamper(t, raw)
			raw.Close()

			db = reopen(t, db)
			entries, brk, err := service(db).AuditTrail(ctx)
			if err != nil {
				t.Fatalf("AuditTrail: %v", err)
			}
			if c.wantSeq == 0 {
				if brk != nil {
					t.Fatalf("untouched trail reported broken: %v", brk)
				}
				if len(entries) != 5 {
					t.Fatalf("trail has %d entries, want 5", len(entries))
				}
				return
			}
			if brk == nil {
				t.Fatal("tampering not found")
			}
			if brk.Seq != c.wantSeq || !strings.Contains(brk.Reason, c.reason) {
				t.Fatalf("break = entry %d (%s), want entry %d (%s)", brk.Seq, brk.Reason, c.wantSeq, c.reason)
			}
		})
	}
}

func mustExec(t *testing.T, raw *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestAuditAppendKeepsHead checks the head moves with every append and
// that a rolled-back append leaves neither entry nor head behind.
func TestAuditAppendKeepsHead(t *testing.T) {
	ctx := context.Background()
	db, _ := newFile(t)
	defer db.Close()
	populate(t, service(db))
	var before audit.Head
	err := db.UpdateTx(ctx, func(tx *Tx) error {
		var err error
		if before, err = tx.AuditHead(); err != nil {
			return err
		}
		if _, err := audit.Record(tx, audit.Entry{Event: audit.WorkspaceArchived, Tenant: "acme"}); err != nil {
			return err
		}
		return context.Canceled // roll back
	})
	if err != context.Canceled {
		t.Fatalf("UpdateTx = %v", err)
	}
	err = db.ViewTx(ctx, func(tx *Tx) error {
		head, err := tx.AuditHead()
		if err != nil {
			return err
		}
		entries, err := tx.AuditEntries()
		if head != before || int64(len(entries)) != before.Seq || before.Seq != 5 {
			t.Errorf("after rollback: head %+v, %d entries; want head %+v and 5 entries", head, len(entries), before)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
