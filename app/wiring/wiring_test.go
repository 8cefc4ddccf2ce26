package wiring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func TestCreateThenOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acme.pmcw")
	env := map[string]string{"PMC_ACTOR": "test-consultant"}
	getenv := func(k string) string { return env[k] }

	w, ws, err := Create(ctx, path, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}, WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	if w.Service.Actor != "test-consultant" || w.Service.Store == nil || w.Service.Secrets == nil || w.Keychain == nil || w.Path != path {
		t.Fatalf("service not ready: actor %q, store %v, secrets %v, path %s", w.Service.Actor, w.Service.Store, w.Service.Secrets, w.Path)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	w, err = Open(ctx, path, WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got, err := w.Service.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != ws.ID || got.Tenant != "acme" {
		t.Fatalf("reopened workspace %+v, want id %s", got, ws.ID)
	}
	entries, brk, err := w.Service.AuditTrail(ctx)
	if err != nil || brk != nil || len(entries) != 1 || entries[0].Actor != "test-consultant" {
		t.Fatalf("audit trail: %d entries, break %v, err %v", len(entries), brk, err)
	}
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.pmcw")
	if _, err := Open(context.Background(), path); !errors.Is(err, workspacedb.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open created the missing file (stat err %v)", err)
	}
}

func TestFailedCreateLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.pmcw")
	_, _, err := Create(ctx, path, workspace.CreateRequest{Tenant: "Not Valid!", Mode: workspace.ModeFirstRunAdoption})
	if !errors.Is(err, workspace.ErrInvalid) {
		t.Fatalf("create with a bad tenant: %v", err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("a failed create left %s behind", f.Name())
	}
}
