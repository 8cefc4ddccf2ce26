package sandboxdb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// TestSandboxFileModeAndReopen: the file and its WAL are the owner's only,
// and a token and the demo seed survive closing and reopening the file.
func TestSandboxFileModeAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.db")
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sandbox.IssueToken(ctx, db, sandbox.AdminTokenSpec("t1", "tester"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Seed(ctx, db, sandbox.SeedDemo, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sandboxdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(ctx, func(tx sandbox.Tx) error {
		sum := sha256.Sum256([]byte(tok.Reveal()))
		spec, err := tx.Token(hex.EncodeToString(sum[:]))
		if err == nil && spec.Tenant != "t1" {
			t.Errorf("token tenant after reopen = %q", spec.Tenant)
		}
		return err
	})
	if err != nil {
		t.Fatalf("token after reopen: %v", err)
	}
}
