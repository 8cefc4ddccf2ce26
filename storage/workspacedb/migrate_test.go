package workspacedb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

func latest(t testing.TB) int64 {
	t.Helper()
	db, _ := newFile(t)
	defer db.Close()
	v, err := latestVersion(db.write, schema)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func versionOf(t testing.TB, db *DB) int64 {
	t.Helper()
	v, err := db.schemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type state struct {
	Sources []workspace.Source
	Trail   []audit.Entry
}

func readState(t testing.TB, db *DB) state {
	t.Helper()
	svc := service(db)
	sources, err := svc.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	trail, brk, err := svc.AuditTrail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if brk != nil {
		t.Fatalf("audit trail broken: %v", brk)
	}
	return state{sources, trail}
}

// upgradeFrom builds a file at schema `from` with fsys's migrations, fills
// it through the engine, and opens it with every migration in fsys.
func upgradeFrom(t *testing.T, fsys fs.FS, from, to int64) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.pmw")
	db, err := create(ctx, path, fsys, from)
	if err != nil {
		t.Fatal(err)
	}
	if got := versionOf(t, db); got != from {
		t.Fatalf("built file at schema %d, want %d", got, from)
	}
	// The workspace stage's tables are all in migration 1, so the current
	// code can fill a file at any schema.
	populate(t, service(db))
	before := readState(t, db)
	db.Close()

	db, err = open(ctx, path, fsys)
	if err != nil {
		t.Fatalf("Open schema-%d file: %v", from, err)
	}
	defer db.Close()
	if got := versionOf(t, db); got != to {
		t.Errorf("after Open the file is at schema %d, want %d", got, to)
	}
	if d := cmp.Diff(before, readState(t, db)); d != "" {
		t.Errorf("data changed across the upgrade (-before +after):\n%s", d)
	}

	bak := backupPath(path, from)
	st, err := os.Stat(bak)
	if err != nil {
		t.Fatalf("no backup before the upgrade: %v", err)
	}
	if st.Mode().Perm() != 0o600 && filepath.Separator == '/' {
		t.Errorf("backup mode = %v, want 0600", st.Mode().Perm())
	}
	// The backup is the old file, whole: readable at its old schema.
	old, err := connect(ctx, bak, "rw")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.check(ctx, "quick_check"); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if got := versionOf(t, old); got != from {
		t.Errorf("backup is at schema %d, want %d", got, from)
	}
	if d := cmp.Diff(before, readState(t, old)); d != "" {
		t.Errorf("backup differs from the file before the upgrade (-before +backup):\n%s", d)
	}
}

// TestUpgradeFromEveryOlderSchema builds a file at each schema this build
// has moved past and opens it.
func TestUpgradeFromEveryOlderSchema(t *testing.T) {
	db, _ := newFile(t)
	p, err := provider(db.write, schema)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	sources := p.ListSources()
	last := sources[len(sources)-1].Version
	// Versions, not 1..last: helpers add migrations on branches in
	// parallel, so a build may skip a number until they merge.
	for _, src := range sources[:len(sources)-1] {
		v := src.Version
		t.Run(fmt.Sprintf("from schema %d", v), func(t *testing.T) { upgradeFrom(t, schema, v, last) })
	}
}

// withNextMigration is the embedded schema plus one more migration, so the
// upgrade path runs even while the build has a single schema version.
func withNextMigration(t testing.TB) (fs.FS, int64) {
	t.Helper()
	next := latest(t) + 1
	fsys := fstest.MapFS{}
	err := fs.WalkDir(schema, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schema, p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fsys[fmt.Sprintf("%05d_probe.sql", next)] = &fstest.MapFile{Data: []byte(
		"-- +goose Up\nCREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY) STRICT;\n")}
	return fsys, next
}

func TestUpgradeToNextSchema(t *testing.T) {
	fsys, next := withNextMigration(t)
	upgradeFrom(t, fsys, next-1, next)
}

func TestOpenCurrentSchemaMakesNoBackup(t *testing.T) {
	db, path := newFile(t)
	populate(t, service(db))
	reopen(t, db)
	matches, err := filepath.Glob(path + ".pre-schema-*")
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 0 {
		t.Fatalf("backups made with nothing to migrate: %v", matches)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	db, path := newFile(t)
	populate(t, service(db))
	known := latest(t)
	db.Close()
	rawSQL(t, path, fmt.Sprintf("INSERT INTO %s (version_id, is_applied) VALUES (%d, 1)", versionTable, known+3))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(context.Background(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, fmt.Sprintf("schema %d", known+3), fmt.Sprintf("knows up to %d", known), "upgrade the console"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("Open changed a file it refused")
	}
	if matches, _ := filepath.Glob(path + ".pre-schema-*"); len(matches) != 0 {
		t.Errorf("Open made backups of a file it refused: %v", matches)
	}
}
