package wiring

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// The audit trail against the real keychain and real files: each way of
// rewriting a closed workspace file is found and named.

// needKeychain skips when no OS keychain answers, unless PMC_KEYCHAIN_TESTS=1
// (make test) makes that a failure.
func needKeychain(t *testing.T) {
	t.Helper()
	k, ctx := keychain.New(), context.Background()
	err := k.Set(ctx, "wiring-test-probe", "probe", secret.New("fake-probe-for-tests"))
	if err == nil {
		err = k.Delete(ctx, "wiring-test-probe", "probe")
	}
	if err == nil {
		return
	}
	if os.Getenv("PMC_KEYCHAIN_TESTS") != "1" && errors.Is(err, keychain.ErrUnavailable) {
		t.Skipf("no OS keychain (run under scripts/with-keyring.sh): %v", err)
	}
	t.Fatalf("keychain probe: %v", err)
}

var quiet = WithGetenv(func(k string) string { return map[string]string{"PMC_ACTOR": "test-consultant"}[k] })

// trailFile creates a workspace with n sources (n+1 audit entries), closes
// it, and forgets its keychain entries when the test ends.
func trailFile(t *testing.T, n int) (path string, ws workspace.Workspace) {
	t.Helper()
	needKeychain(t)
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "acme.pmcw")
	w, ws, err := Create(ctx, path, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { forgetKeychain(context.Background(), keychain.New(), ws.ID, sourceRoles(n)) })
	addSources(t, w, 0, n)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, ws
}

func sourceRoles(n int) []string {
	var roles []string
	for i := range n {
		roles = append(roles, workspace.SourceRole(fmt.Sprintf("okta-%02d", i)))
	}
	return roles
}

func addSources(t *testing.T, w *Workspace, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := w.Service.AddSource(context.Background(), workspace.NewSource{
			Name: fmt.Sprintf("okta-%02d", i), Kind: "okta",
			Settings:   map[string]string{"org_url": fmt.Sprintf("https://tenant-%02d.okta.example", i)},
			Credential: secret.New("fake-okta-token-for-tests-0123456789"),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// verify checks the file as `migctl audit verify` does.
func verify(t *testing.T, path string) (audit.Verdict, bool) {
	t.Helper()
	w, err := Open(context.Background(), path, quiet, ForAuditVerification())
	if err != nil {
		t.Fatalf("open for verification: %v", err)
	}
	defer w.Close()
	c, err := w.Service.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Verdict, w.DB.ChangedOutside()
}

// edit changes the closed file with the bare driver, as someone holding it
// would.
func edit(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rewrite edits entry seq and recomputes the whole chain and the head, as
// an attacker who knows the format (but not the key) would.
func rewrite(t *testing.T, path string, seq int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT seq, at, event, tenant, actor, target_id, facts FROM audit_entries ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	var entries []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at, facts string
		if err := rows.Scan(&e.Seq, &at, &e.Event, &e.Tenant, &e.Actor, &e.TargetID, &facts); err != nil {
			t.Fatal(err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		if err := json.Unmarshal([]byte(facts), &e.Facts); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	prev := audit.GenesisHash
	for i := range entries {
		if entries[i].Seq == seq {
			entries[i].Actor = "mallory"
		}
		entries[i].PrevHash = prev
		entries[i].Hash = entries[i].ComputeHash()
		prev = entries[i].Hash
		if _, err := db.Exec("UPDATE audit_entries SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
			entries[i].Actor, entries[i].PrevHash, entries[i].Hash, entries[i].Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("UPDATE audit_head SET hash = ?", prev); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuditAnchorNamesWhatWasDoneToTheFile(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, path, backup string)
		kind   string
		says   string
	}{
		{"emptied", func(t *testing.T, path, _ string) {
			edit(t, path, "DELETE FROM audit_entries", "UPDATE audit_head SET seq = 0, hash = '', seal = ''")
		}, audit.BreakEmptied, "the file holds no audit entries"},
		{"rewritten as a whole", func(t *testing.T, path, _ string) {
			rewrite(t, path, 2)
		}, audit.BreakRewritten, "recomputed after an edit"},
		{"rolled back to an older copy", func(t *testing.T, path, backup string) {
			copyFile(t, backup, path)
		}, audit.BreakRolledBack, "older copy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, _ := trailFile(t, 2)
			backup := path + ".copy"
			copyFile(t, path, backup) // three entries
			w, err := Open(context.Background(), path, quiet)
			if err != nil {
				t.Fatal(err)
			}
			addSources(t, w, 2, 4) // five
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if v, _ := verify(t, path); v.Break != nil || v.Anchor.Status != audit.Anchored || v.Anchor.Seq != 5 {
				t.Fatalf("before tampering: %+v", v)
			}
			c.tamper(t, path, backup)
			v, _ := verify(t, path)
			if v.Break == nil || v.Break.Kind != c.kind || !strings.Contains(v.Break.Reason, c.says) {
				t.Fatalf("verdict %+v, want a %s break saying %q", v, c.kind, c.says)
			}
			// The file's own chain does not show it: only the anchor does.
			w, err = Open(context.Background(), path, quiet, ForAuditVerification())
			if err != nil {
				t.Fatal(err)
			}
			var entries []audit.Entry
			var head audit.Head
			w.Service.Store.View(context.Background(), func(tx workspace.Tx) error {
				entries, _ = tx.AuditEntries()
				head, _ = tx.AuditHead()
				return nil
			})
			w.Close()
			if b := audit.Verify(entries, head); b != nil {
				t.Fatalf("the file's own chain should verify after this tampering, got %v", b)
			}
		})
	}
}

func TestAHandEditedFileIsRefusedButCanBeVerified(t *testing.T) {
	path, _ := trailFile(t, 1)
	rewrite(t, path, 1)
	_, err := Open(context.Background(), path, quiet)
	if !errors.Is(err, workspacedb.ErrDamaged) || !strings.Contains(err.Error(), "audit verify") {
		t.Fatalf("open of a file edited after a clean close: %v, want ErrDamaged pointing at audit verify", err)
	}
	v, changed := verify(t, path)
	if !changed || v.Break == nil || v.Break.Kind != audit.BreakRewritten {
		t.Fatalf("verification: changed outside %v, %+v", changed, v)
	}
	// Verifying vouched for nothing: the file is still refused.
	if _, err := Open(context.Background(), path, quiet); !errors.Is(err, workspacedb.ErrDamaged) {
		t.Fatalf("open after verification: %v, want ErrDamaged", err)
	}
}

func TestAReopenedBrokenTrailKeepsTheAnchor(t *testing.T) {
	path, ws := trailFile(t, 3)
	kc := keychain.New()
	before, err := kc.LoadAnchor(context.Background(), ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Rewritten and its clean-close marker emptied, so it opens.
	rewrite(t, path, 2)
	edit(t, path, "UPDATE clean_close SET marker = ''")
	w, err := Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if w.AuditAtOpen == nil || w.AuditAtOpen.Break == nil || w.AuditAtOpen.Break.Kind != audit.BreakRewritten {
		t.Fatalf("found at open: %+v", w.AuditAtOpen)
	}
	addSources(t, w, 3, 5)
	var head audit.Head
	w.Service.Store.View(context.Background(), func(tx workspace.Tx) error { head, _ = tx.AuditHead(); return nil })
	if head.Seal != "" {
		t.Fatal("entries appended to a trail found rewritten were sealed")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := kc.LoadAnchor(context.Background(), ws.ID)
	if err != nil || after != before {
		t.Fatalf("anchor moved from %+v to %+v (%v) although the trail was found rewritten", before, after, err)
	}
	if v, _ := verify(t, path); v.Break == nil || v.Break.Kind != audit.BreakRewritten {
		t.Fatalf("later verification: %+v", v)
	}
}

func TestACopiedFileVerifiesItsChainOnlyAndSaysSo(t *testing.T) {
	path, ws := trailFile(t, 2)
	// Another machine: a keychain without this workspace's key or anchor.
	kc := keychain.New()
	for _, role := range keychainRoles {
		if err := kc.Delete(context.Background(), ws.ID, role); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := verify(t, path)
	if v.Break != nil || v.Anchor.Status != audit.ChainOnly || !strings.Contains(v.Anchor.Note, "another machine") || v.Entries != 3 {
		t.Fatalf("copied file: %+v", v)
	}
	if _, err := keys.Existing(context.Background(), kc, ws.ID); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("verification made a key: %v", err)
	}
	// Opening it for work anchors it on this machine, with an entry saying
	// the head's seal came from another key.
	w, err := Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := w.Service.AuditTrail(context.Background())
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Event != audit.AuditTrailAnchored || last.Facts["reason"] != audit.AnchorFirst || last.Facts["head_seal"] != "other_key" || last.Facts["entries"] != "3" {
		t.Fatalf("first anchoring here: %+v", last)
	}
	if v, _ := verify(t, path); v.Break != nil || v.Anchor.Status != audit.Anchored || v.Anchor.Seq != 4 {
		t.Fatalf("after the first open here: %+v", v)
	}
}

// TestCrashBeforeAnchoring kills a console that appended entries it had
// not anchored yet: verification reports an unanchored tail (a warning,
// not a break) and the next open anchors it.
func TestCrashBeforeAnchoring(t *testing.T) {
	if os.Getenv("PMC_CRASH_CHILD") != "" {
		crashChild(t)
		return
	}
	path, ws := trailFile(t, 2)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBeforeAnchoring$")
	cmd.Env = append(os.Environ(), "PMC_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.Contains(string(buf[:n]), "appended") {
		cmd.Process.Kill()
		t.Fatalf("child said %q", buf[:n])
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Cleanup(func() { forgetKeychain(context.Background(), keychain.New(), ws.ID, sourceRoles(7)) })

	v, _ := verify(t, path)
	if v.Break != nil || v.Anchor.Status != audit.UnanchoredTail || v.Anchor.Seq != 3 || v.Anchor.TailFrom != 4 || v.Anchor.TailTo != 8 || !v.Anchor.Sealed {
		t.Fatalf("after the crash: %+v", v)
	}
	if !strings.Contains(v.Anchor.Note, "entries 4–8 chain correctly from the anchored head but were not anchored: the console stopped before anchoring them") {
		t.Fatalf("note: %s", v.Anchor.Note)
	}
	w, err := Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if w.AuditAtOpen == nil || w.AuditAtOpen.Anchor.Status != audit.UnanchoredTail {
		t.Fatalf("found at open: %+v", w.AuditAtOpen)
	}
	w.Close()
	if v, _ := verify(t, path); v.Break != nil || v.Anchor.Status != audit.Anchored || v.Anchor.Seq != 8 {
		t.Fatalf("after the next open: %+v", v)
	}
}

// crashChild appends five entries with anchoring cut off (as if the
// process died before its anchor timer fired), says so, and waits to be
// killed.
func crashChild(t *testing.T) {
	w, err := Open(context.Background(), os.Getenv("PMC_CRASH_CHILD"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	w.DB.OnAuditCommit(func() {})
	addSources(t, w, 2, 7)
	fmt.Println("appended")
	time.Sleep(time.Minute)
}

// TestAcceptingARestoredCopy: a backup restored on purpose is accepted with
// a reason, recorded in the trail, and anchored again.
func TestAcceptingARestoredCopy(t *testing.T) {
	path, _ := trailFile(t, 1)
	backup := path + ".copy"
	copyFile(t, path, backup)
	w, err := Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	addSources(t, w, 1, 3)
	w.Close()
	copyFile(t, backup, path)

	w, err = Open(context.Background(), path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	before, err := w.AcceptAuditTrail(context.Background(), "restored last night's backup after a disk failure")
	if err != nil {
		t.Fatal(err)
	}
	if before.Break == nil || before.Break.Kind != audit.BreakRolledBack {
		t.Fatalf("accepted %+v, want the rollback", before)
	}
	addSources(t, w, 3, 4) // sealed and anchored again
	entries, _, _ := w.Service.AuditTrail(context.Background())
	w.Close()
	accepted := entries[2]
	if accepted.Event != audit.AuditTrailAnchored || accepted.Facts["reason"] != audit.AnchorAccepted || accepted.Facts["finding"] != audit.BreakRolledBack ||
		accepted.Facts["previous_anchor_seq"] != "4" || !strings.Contains(accepted.Facts["operator_reason"], "disk failure") {
		t.Fatalf("acceptance entry: %+v", accepted)
	}
	if v, _ := verify(t, path); v.Break != nil || v.Anchor.Status != audit.Anchored || v.Anchor.Seq != 4 {
		t.Fatalf("after accepting: %+v", v)
	}
}
