package workspacedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portal-id/migration-console/engine/workspace"
)

func newFile(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acme.pmw")
	db, err := Create(context.Background(), path)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return db, path
}

func reopen(t testing.TB, db *DB) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := Open(context.Background(), db.Path())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rawSQL opens the file with the bare driver, as someone editing it by hand
// would, runs stmts and closes it.
func rawSQL(t testing.TB, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// fullWorkspace sets every field, with times carrying nanoseconds and a
// non-UTC zone to check normalisation.
func fullWorkspace() workspace.Workspace {
	return workspace.Workspace{
		ID: "0123456789abcdef0123456789abcdef", Tenant: "acme-corp", Mode: workspace.ModeMergeIntoExisting,
		Status: workspace.StatusReadyForInventory,
		Target: workspace.Target{
			URL: "https://portal.example.test/admin", TenantID: "tnt-42", SessionContext: "operator",
			Permissions: []string{"portal.migrations.view", "portal.migrations.manage"},
			ConnectedAt: ptr(ts("2026-11-23T10:11:12.123456789+02:00")),
		},
		CreatedAt: ts("2026-11-23T09:00:00.000000001Z"),
		UpdatedAt: ts("2026-11-23T09:30:00.5Z"),
	}
}

func fullSources() []workspace.Source {
	return []workspace.Source{
		{
			ID: "s-okta", Name: "Okta production ✓", Kind: "okta", Status: workspace.SourceConfigured,
			Settings:        json.RawMessage(`{"org_url":"https://acme.okta.example","auth":"private_key","client_id":"0oa1example","scopes":["okta.apps.read","okta.groups.read"]}`),
			CreatedAt:       ts("2026-11-23T09:01:00.1Z"),
			LastInventoryAt: ptr(ts("2026-11-23T11:00:00.987654321Z")),
		},
		{
			ID: "s-entra", Name: "Entra (US Gov)", Kind: "entra", Status: workspace.SourceArchived,
			Settings: json.RawMessage(`{"tenant_id":"11111111-2222-3333-4444-555555555555","client_id":"66666666-7777-8888-9999-000000000000",` +
				`"auth":"certificate","cloud":"usgov","graph_url":"https://graph.microsoft.us","authority_url":"https://login.microsoftonline.us"}`),
			CreatedAt:  ts("2026-11-23T09:00:59Z"), // older than the first: order is insertion order
			ArchivedAt: ptr(ts("2026-11-24T00:00:00Z")),
		},
		{
			ID: "s-okta-empty", Name: "okta-token", Kind: "okta", Status: workspace.SourceConfigured,
			Settings:  json.RawMessage(`{"org_url":"http://127.0.0.1:8080","auth":"api_token","scopes":[]}`),
			CreatedAt: ts("2026-11-23T09:02:00Z"),
		},
	}
}

func TestCreateReopenRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := newFile(t)
	ws, sources := fullWorkspace(), fullSources()
	err := db.Update(ctx, func(tx workspace.Tx) error {
		if _, err := tx.Workspace(); !errors.Is(err, workspace.ErrNoWorkspace) {
			t.Errorf("Workspace on a new file = %v, want ErrNoWorkspace", err)
		}
		if err := tx.SaveWorkspace(ws); err != nil {
			return err
		}
		for _, s := range sources {
			if err := tx.SaveSource(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	db = reopen(t, db)
	var gotWS workspace.Workspace
	var gotSources []workspace.Source
	err = db.View(ctx, func(tx workspace.Tx) error {
		var err error
		if gotWS, err = tx.Workspace(); err != nil {
			return err
		}
		gotSources, err = tx.Sources()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ws, gotWS); d != "" {
		t.Errorf("workspace round trip (-want +got):\n%s", d)
	}
	if gotWS.CreatedAt.Location() != time.UTC || gotWS.Target.ConnectedAt.Location() != time.UTC {
		t.Errorf("times come back in UTC: got %v, %v", gotWS.CreatedAt.Location(), gotWS.Target.ConnectedAt.Location())
	}
	if d := cmp.Diff(sources, gotSources); d != "" {
		t.Errorf("sources round trip (-want +got):\n%s", d)
	}

	// Updates replace every field in place.
	ws.Status, ws.Target = workspace.StatusArchived, workspace.Target{}
	sources[0].Status, sources[0].ArchivedAt = workspace.SourceArchived, ptr(ts("2026-12-01T00:00:00Z"))
	sources[0].Settings = json.RawMessage(`{"org_url":"https://acme.okta.example","auth":"private_key","client_id":"0oa1example"}`)
	err = db.Update(ctx, func(tx workspace.Tx) error {
		if err := tx.SaveWorkspace(ws); err != nil {
			return err
		}
		return tx.SaveSource(sources[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db)
	err = db.View(ctx, func(tx workspace.Tx) error {
		var err error
		if gotWS, err = tx.Workspace(); err != nil {
			return err
		}
		gotSources, err = tx.Sources()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ws, gotWS); d != "" {
		t.Errorf("updated workspace (-want +got):\n%s", d)
	}
	if d := cmp.Diff(sources, gotSources); d != "" {
		t.Errorf("updated sources (-want +got):\n%s", d)
	}
}

func TestCreateRefusesExistingFile(t *testing.T) {
	db, path := newFile(t)
	db.Close()
	if _, err := Create(context.Background(), path); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a workspace = %v, want ErrExists", err)
	}
	other := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(other, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), other); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a text file = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep me" {
		t.Fatalf("Create changed an existing file: %q", b)
	}
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.pmw")
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open missing = %v, want ErrNotExist", err)
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
		t.Fatalf("Open created the missing file")
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	db, path := newFile(t)
	if err := db.Update(context.Background(), func(tx workspace.Tx) error { return tx.SaveWorkspace(fullWorkspace()) }); err != nil {
		t.Fatal(err)
	}
	// While open, the WAL companions exist too.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
	db.Close()

	// A copy handed over with a wide mode is tightened on open.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode after Open = %v, want 0600", st.Mode().Perm())
	}
}

func TestSourceNameUniqueInSchema(t *testing.T) {
	ctx := context.Background()
	db, path := newFile(t)
	src := fullSources()[0]
	err := db.Update(ctx, func(tx workspace.Tx) error {
		if err := tx.SaveWorkspace(fullWorkspace()); err != nil {
			return err
		}
		return tx.SaveSource(src)
	})
	if err != nil {
		t.Fatal(err)
	}
	dup := src
	dup.ID = "another-id"
	err = db.Update(ctx, func(tx workspace.Tx) error { return tx.SaveSource(dup) })
	if !errors.Is(err, workspace.ErrSourceExists) {
		t.Fatalf("second source with the same name = %v, want ErrSourceExists", err)
	}
	db.Close()

	// By hand, past the Go code, the schema still refuses it.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = raw.Exec(`INSERT INTO sources (id, workspace_id, name, kind, status, settings, created_at)
		SELECT 'x', workspace_id, name, kind, status, settings, created_at FROM sources`)
	if err == nil {
		t.Fatal("the schema accepted a duplicate source name")
	}
}

func TestSaveWorkspaceRefusesSecondWorkspace(t *testing.T) {
	db, _ := newFile(t)
	defer db.Close()
	ws := fullWorkspace()
	other := ws
	other.ID = "ffffffffffffffffffffffffffffffff"
	err := db.Update(context.Background(), func(tx workspace.Tx) error {
		if err := tx.SaveWorkspace(ws); err != nil {
			return err
		}
		return tx.SaveWorkspace(other)
	})
	if !errors.Is(err, workspace.ErrWorkspaceExists) {
		t.Fatalf("saving a second workspace = %v, want ErrWorkspaceExists", err)
	}
}

func TestSaveSourceNeedsWorkspace(t *testing.T) {
	db, _ := newFile(t)
	defer db.Close()
	err := db.Update(context.Background(), func(tx workspace.Tx) error { return tx.SaveSource(fullSources()[0]) })
	if !errors.Is(err, workspace.ErrNoWorkspace) {
		t.Fatalf("source without workspace = %v, want ErrNoWorkspace", err)
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db, _ := newFile(t)
	defer db.Close()
	boom := errors.New("boom")
	err := db.Update(ctx, func(tx workspace.Tx) error {
		if err := tx.SaveWorkspace(fullWorkspace()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	err = db.View(ctx, func(tx workspace.Tx) error {
		_, err := tx.Workspace()
		return err
	})
	if !errors.Is(err, workspace.ErrNoWorkspace) {
		t.Fatalf("after a failed Update, Workspace = %v, want ErrNoWorkspace", err)
	}
}

func TestViewCannotWrite(t *testing.T) {
	db, _ := newFile(t)
	defer db.Close()
	err := db.View(context.Background(), func(tx workspace.Tx) error { return tx.SaveWorkspace(fullWorkspace()) })
	if err == nil {
		t.Fatal("a write inside View succeeded")
	}
}
