package workspacedb

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/portal-id/migration-console/engine/inventory"
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
	if err := old.quickCheck(ctx); err != nil {
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

// TestUpgradeFromSchema2SourceSettings opens a file as schema 2 left it:
// sources whose kind the schema checked against okta and entra, settings
// with every optional field written out empty, and a snapshot with its
// evidence and items that refer to a source. After the upgrade the sources
// read exactly as a source added today reads, every reference still
// resolves, and the kind is the vendor registry's business, not the
// schema's.
func TestUpgradeFromSchema2SourceSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "schema2.pmw")
	db, err := create(ctx, path, schema, 2)
	if err != nil {
		t.Fatal(err)
	}
	now := ts("2026-11-23T09:00:00Z")
	// What schema 2's storage wrote for each kind: every optional setting
	// present, empty or null.
	legacy := []workspace.Source{
		{ID: "s1", Name: "okta-token", Kind: "okta", Status: workspace.SourceConfigured, CreatedAt: now,
			Settings: json.RawMessage(`{"org_url":"https://acme.okta.example","auth":"api_token","client_id":"","scopes":null}`)},
		{ID: "s2", Name: "okta-key", Kind: "okta", Status: workspace.SourceConfigured, CreatedAt: now,
			Settings: json.RawMessage(`{"org_url":"https://acme.okta.example","auth":"private_key","client_id":"0oa1example","scopes":["okta.apps.read"]}`)},
		{ID: "s3", Name: "okta-empty-scopes", Kind: "okta", Status: workspace.SourceArchived, CreatedAt: now, ArchivedAt: &now,
			Settings: json.RawMessage(`{"org_url":"http://127.0.0.1:8080","auth":"api_token","client_id":"","scopes":[]}`)},
		{ID: "s4", Name: "entra-token", Kind: "entra", Status: workspace.SourceConfigured, CreatedAt: now, LastInventoryAt: &now,
			Settings: json.RawMessage(`{"tenant_id":"contoso.onmicrosoft.com","client_id":"","auth":"access_token","cloud":"global","graph_url":"","authority_url":""}`)},
		{ID: "s5", Name: "entra-gov", Kind: "entra", Status: workspace.SourceConfigured, CreatedAt: now,
			Settings: json.RawMessage(`{"tenant_id":"11111111-2222-3333-4444-555555555555","client_id":"66666666-7777-8888-9999-000000000000","auth":"certificate","cloud":"usgov","graph_url":"https://graph.microsoft.us","authority_url":""}`)},
	}
	want := map[string]string{
		"s1": `{"org_url":"https://acme.okta.example","auth":"api_token"}`,
		"s2": `{"org_url":"https://acme.okta.example","auth":"private_key","client_id":"0oa1example","scopes":["okta.apps.read"]}`,
		"s3": `{"org_url":"http://127.0.0.1:8080","auth":"api_token"}`,
		"s4": `{"tenant_id":"contoso.onmicrosoft.com","auth":"access_token","cloud":"global"}`,
		"s5": `{"tenant_id":"11111111-2222-3333-4444-555555555555","client_id":"66666666-7777-8888-9999-000000000000","auth":"certificate","cloud":"usgov","graph_url":"https://graph.microsoft.us"}`,
	}
	snap := inventory.Snapshot{ID: "snap1", SourceID: "s4", SourceName: "entra-token", SourceKind: "entra",
		Status: inventory.StatusCompleted, StartedAt: now, FinishedAt: &now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}
	err = db.UpdateTx(ctx, func(tx *Tx) error {
		if err := tx.SaveWorkspace(fullWorkspace()); err != nil {
			return err
		}
		for _, s := range legacy {
			if err := tx.SaveSource(s); err != nil {
				return err
			}
		}
		if err := tx.InsertSnapshot(snap); err != nil {
			return err
		}
		// The page as schema 2 stored it (no stored digest, no redactions).
		body := []byte(`[{"id":"g1"}]`)
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO page_bodies (sha256, body) VALUES ('00', ?)`, body); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO evidence_pages (snapshot_id, page_id, domain, method, endpoint, query,
			page_number, status, fetched_at, bytes, sha256) VALUES (?, 1, 'groups', 'GET', '/v1.0/groups', '', 1, 200, ?, ?, '00')`,
			snap.ID, formatTime(now), len(body)); err != nil {
			return err
		}
		// The item as schema 2 stored it (attributes, no view).
		_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO items (snapshot_id, kind, source_id, subtype, display_name,
			attributes, refs, raw, evidence_page) VALUES (?, 'group', 'g1', 'security', 'g1', '{}', '[]', ?, 1)`,
			snap.ID, []byte(`{"id":"g1"}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Schema 2 checks the kind against its fixed list.
	if err := db.UpdateTx(ctx, func(tx *Tx) error {
		return tx.SaveSource(workspace.Source{ID: "s9", Name: "ping", Kind: "ping", Status: workspace.SourceConfigured,
			CreatedAt: now, Settings: json.RawMessage(`{}`)})
	}); err == nil {
		t.Fatal("schema 2 took a source of a kind outside its list; this test would prove nothing")
	}
	db.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("open the schema-2 file: %v", err)
	}
	defer db.Close()
	if got := versionOf(t, db); got < 3 {
		t.Fatalf("schema %d after the upgrade", got)
	}
	var got []workspace.Source
	if err := db.View(ctx, func(tx workspace.Tx) error { got, err = tx.Sources(); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(legacy) {
		t.Fatalf("%d sources after the upgrade, want %d", len(got), len(legacy))
	}
	for i, s := range got {
		old := legacy[i]
		if s.ID != old.ID || s.Name != old.Name || s.Kind != old.Kind || s.Status != old.Status ||
			!s.CreatedAt.Equal(old.CreatedAt) || !cmp.Equal(s.ArchivedAt, old.ArchivedAt) || !cmp.Equal(s.LastInventoryAt, old.LastInventoryAt) {
			t.Errorf("source %d changed across the upgrade: %+v, was %+v", i, s, old)
		}
		if d := cmp.Diff(decodeJSON(t, want[s.ID]), decodeJSON(t, string(s.Settings))); d != "" {
			t.Errorf("source %s settings (-want +got):\n%s", s.ID, d)
		}
	}
	var fkProblems int
	if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&fkProblems); err != nil {
		t.Fatal(err)
	}
	if fkProblems != 0 {
		t.Errorf("%d foreign key violations after the upgrade", fkProblems)
	}
	inv := &inventory.Service{Store: InventoryStore(db)}
	page, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: "snap1", Limit: 10})
	if err != nil || page.Total != 1 || page.Items[0].SourceID != "g1" {
		t.Errorf("the snapshot's items after the upgrade: %+v, %v", page, err)
	}
	// The schema now leaves the kind to the registry, and still guards the
	// settings' shape.
	err = db.UpdateTx(ctx, func(tx *Tx) error {
		return tx.SaveSource(workspace.Source{ID: "s9", Name: "ping", Kind: "ping", Status: workspace.SourceConfigured,
			CreatedAt: now, Settings: json.RawMessage(`{"issuer":"https://ping.example"}`)})
	})
	if err != nil {
		t.Errorf("a source of a new kind after the upgrade: %v", err)
	}
	for _, bad := range []workspace.Source{
		{ID: "s10", Name: "no-kind", Status: workspace.SourceConfigured, CreatedAt: now, Settings: json.RawMessage(`{}`)},
		{ID: "s11", Name: "array", Kind: "ping", Status: workspace.SourceConfigured, CreatedAt: now, Settings: json.RawMessage(`[]`)},
	} {
		if err := db.UpdateTx(ctx, func(tx *Tx) error { return tx.SaveSource(bad) }); err == nil {
			t.Errorf("source %s saved", bad.Name)
		}
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO sources (id, workspace_id, name, kind, status, settings, created_at)
		SELECT 's12', id, 'raw', '', 'configured', '{}', 'now' FROM workspace`); err == nil {
		t.Error("the schema took a source without a kind")
	}
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}
