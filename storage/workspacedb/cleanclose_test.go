package workspacedb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// memLedger is the keychain's clean-close records, in memory; app/wiring
// tests the keychain-backed one.
type memLedger struct {
	mu sync.Mutex
	m  map[string]CleanClose
}

func (l *memLedger) LastClose(_ context.Context, id string) (CleanClose, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.m[id]
	if !ok {
		return CleanClose{}, errors.New("no record (test-only)")
	}
	return c, nil
}

func (l *memLedger) RecordClose(_ context.Context, id string, c CleanClose) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]CleanClose{}
	}
	l.m[id] = c
	return nil
}

// ledgerFile is a workspace file with a completed snapshot, closed cleanly
// with its clean close recorded in the returned ledger.
func ledgerFile(t testing.TB) (string, *memLedger) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acme.pmw")
	f := newInventoryFixture(t, path, 6, 0, 0)
	if _, err := f.inv.Collect(context.Background(), "okta-prod", inventory.CollectOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	f.db.Close()
	l := &memLedger{}
	db, err := Open(context.Background(), path, WithCloseLedger(l))
	if err != nil {
		t.Fatal(err)
	}
	if db.cleanAtOpen {
		t.Fatal("a file no clean close was recorded for opened with the quick check")
	}
	if err := db.Close(); err != nil { // records the clean close
		t.Fatal(err)
	}
	if len(l.m) != 1 {
		t.Fatalf("%d clean closes recorded, want 1", len(l.m))
	}
	return path, l
}

// openedClean opens path with l and reports whether the quick check sufficed.
func openedClean(t *testing.T, path string, l *memLedger) (bool, error) {
	t.Helper()
	db, err := Open(context.Background(), path, WithCloseLedger(l))
	if err != nil {
		return false, err
	}
	clean := db.cleanAtOpen
	return clean, db.Close()
}

func TestOpenChecksInFullWhenTheFileChanged(t *testing.T) {
	path, l := ledgerFile(t)
	if clean, err := openedClean(t, path, l); err != nil || !clean {
		t.Fatalf("an untouched file: quick %v, %v; want the quick check", clean, err)
	}
	// Read-only sessions change nothing: the record stays good.
	if clean, err := openedClean(t, path, l); err != nil || !clean {
		t.Fatalf("after a read-only session: quick %v, %v", clean, err)
	}
	// The same bytes with a new modification time (a copy): quick, by CRC.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if clean, err := openedClean(t, path, l); err != nil || !clean {
		t.Fatalf("touched but unchanged: quick %v, %v", clean, err)
	}
	// Written by the console: the session records its own clean close.
	db, err := Open(context.Background(), path, WithCloseLedger(l))
	if err != nil {
		t.Fatal(err)
	}
	if err := service(db).Store.Update(context.Background(), func(tx workspace.Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		ws.UpdatedAt = time.Now().UTC()
		return tx.SaveWorkspace(ws)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if clean, err := openedClean(t, path, l); err != nil || !clean {
		t.Fatalf("after the console wrote and closed: quick %v, %v", clean, err)
	}
	// No ledger (no keychain): always the full check.
	db, err = Open(context.Background(), path)
	if err != nil || db.cleanAtOpen {
		t.Fatalf("without a ledger: quick %v, %v", db != nil && db.cleanAtOpen, err)
	}
	db.Close()
}

func TestAFileEditedAfterItsCleanCloseIsRefused(t *testing.T) {
	path, l := ledgerFile(t)
	rawSQL(t, path, "UPDATE sources SET name = 'renamed-by-hand'")
	_, err := openedClean(t, path, l)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "changed after the console closed it") || !strings.Contains(err.Error(), "audit verify") {
		t.Fatalf("open of a hand-edited file: %v", err)
	}
	// For inspection it opens, after the full check, and says so.
	db, err := Open(context.Background(), path, WithCloseLedger(l), ForInspection())
	if err != nil || !db.ChangedOutside() || db.cleanAtOpen {
		t.Fatalf("inspection: %v, changed outside %v", err, err == nil && db.ChangedOutside())
	}
	db.Close()
	if _, err := openedClean(t, path, l); !errors.Is(err, ErrDamaged) {
		t.Fatalf("inspection vouched for the file: %v", err)
	}
}

// TestACopyThatKeptTheTimeIsCompared: a copy made with its modification
// time kept (cp -p, rsync -a, a restore) and damaged on the way has the
// size and time of the closed file, but it is another file: its bytes are
// compared, and it is refused.
func TestACopyThatKeptTheTimeIsCompared(t *testing.T) {
	path, l := ledgerFile(t)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fileIdentity(st) == "" {
		t.Skip("this system gives no file identity")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-100] ^= 0x10 // in the last page: a row's bytes or its free space
	cp := filepath.Join(t.TempDir(), "restored.pmw")
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cp, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if _, err := openedClean(t, cp, l); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "changed after the console closed it") {
		t.Fatalf("a damaged copy with the original's size and time: %v", err)
	}
	// Undamaged, the same copy is vouched for by its bytes.
	b[len(b)-100] ^= 0x10
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cp, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if clean, err := openedClean(t, cp, l); err != nil || !clean {
		t.Fatalf("an intact copy: quick %v, %v", clean, err)
	}
}

// TestADamagedMarkerOrIDIsRefused: the two values that find the record
// are damage when they do not check out, not a reason to fall back to the
// full check (which cannot see a changed value).
func TestADamagedMarkerOrIDIsRefused(t *testing.T) {
	for name, edit := range map[string]string{
		"marker": "UPDATE clean_close SET marker = (CASE WHEN substr(marker, 1, 1) = 'f' THEN 'e' ELSE 'f' END) || substr(marker, 2)",
		"id":     "UPDATE clean_close SET workspace_id = 'x' || substr(workspace_id, 2)",
	} {
		t.Run(name, func(t *testing.T) {
			path, l := ledgerFile(t)
			rawSQL(t, path, edit)
			if _, err := openedClean(t, path, l); !errors.Is(err, ErrDamaged) {
				t.Fatalf("open with a damaged %s: %v", name, err)
			}
			// Inspection still opens it, and says it changed outside.
			db, err := Open(context.Background(), path, WithCloseLedger(l), ForInspection())
			if err != nil || !db.ChangedOutside() {
				t.Fatalf("inspection: %v", err)
			}
			db.Close()
		})
	}
}

// TestACrashedSessionGetsTheFullCheck kills a process that wrote to the
// file: the next open runs the full check and accepts the file.
func TestACrashedSessionGetsTheFullCheck(t *testing.T) {
	if path := os.Getenv("PMC_CLEANCLOSE_CHILD"); path != "" {
		db, err := Open(context.Background(), path, WithCloseLedger(&memLedger{}))
		if err != nil {
			t.Fatal(err)
		}
		if err := service(db).Store.Update(context.Background(), func(tx workspace.Tx) error {
			ws, err := tx.Workspace()
			if err != nil {
				return err
			}
			ws.UpdatedAt = time.Now().UTC()
			return tx.SaveWorkspace(ws)
		}); err != nil {
			t.Fatal(err)
		}
		fmt.Println("written")
		time.Sleep(time.Minute)
		return
	}
	path, l := ledgerFile(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestACrashedSessionGetsTheFullCheck$")
	cmd.Env = append(os.Environ(), "PMC_CLEANCLOSE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill()
	cmd.Wait()
	if !strings.HasPrefix(line, "written") {
		t.Fatalf("child said %q", line)
	}
	clean, err := openedClean(t, path, l)
	if err != nil || clean {
		t.Fatalf("after a crash: quick %v, %v; want the full check and the file accepted", clean, err)
	}
	if clean, err := openedClean(t, path, l); err != nil || !clean {
		t.Fatalf("after the crash was cleaned up: quick %v, %v", clean, err)
	}
}

// TestBitFlippedCopiesAreRefused flips one random bit in copies of a
// cleanly closed workspace file and counts the copies Open accepts. SQLite
// checksums nothing, so a flip inside a row's value passes even the full
// integrity check; the clean-close record's CRC finds every one.
func TestBitFlippedCopiesAreRefused(t *testing.T) {
	accepted, total := bitFlips(t, 60, 1)
	if accepted != 0 {
		t.Fatalf("%d of %d bit-flipped copies were accepted", accepted, total)
	}
}

// BenchmarkBitFlips is the larger run (make bench): 1,000 flipped copies.
func BenchmarkBitFlips(b *testing.B) {
	for b.Loop() {
		accepted, total := bitFlips(b, 1000, 2)
		b.ReportMetric(float64(accepted), "accepted")
		b.ReportMetric(float64(total), "flipped")
	}
}

func bitFlips(t testing.TB, n int, seed uint64) (accepted, total int) {
	t.Helper()
	path, l := ledgerFile(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 14))
	dir := t.TempDir()
	for i := 0; i < n; i++ {
		b := append([]byte(nil), good...)
		b[r.IntN(len(b))] ^= 1 << r.IntN(8)
		p := filepath.Join(dir, fmt.Sprintf("flip-%04d.pmw", i))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		total++
		db, err := Open(context.Background(), p, WithCloseLedger(l))
		if err == nil {
			accepted++
			db.abandon()
			continue
		}
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotWorkspaceFile) {
			t.Fatalf("flip %d: refused with %v, want ErrDamaged or ErrNotWorkspaceFile", i, err)
		}
	}
	return accepted, total
}

// BenchmarkOpenCheck1M measures what opening costs at 1,000,000 items: the
// quick check (a file as last closed), the full integrity check (a file
// that changed) and the CRC of the whole file (a file whose time changed),
// and reports the full check's cost as a ratio to the quick check's.
func BenchmarkOpenCheck1M(b *testing.B) {
	db, _, _ := seedItems(b, 1_000_000)
	path := db.Path()
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.Logf("file: %d MB", st.Size()>>20)
	raw, err := connect(context.Background(), path, "rw")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var quick, full time.Duration
	run := func(name string, f func() error) time.Duration {
		var per time.Duration
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			per = b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(per.Seconds(), "s/open")
		})
		return per
	}
	quick = run("quick_check", func() error { return raw.check(context.Background(), "quick_check") })
	full = run("integrity_check", func() error { return raw.check(context.Background(), "integrity_check") })
	run("crc32c", func() error { _, err := fileCRC(path); return err })
	if quick > 0 {
		b.Logf("integrity_check / quick_check = %.1f", float64(full)/float64(quick))
	}
}
