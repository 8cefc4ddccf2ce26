package wiring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func TestCreateThenOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acme.pmcw")
	env := map[string]string{"PMC_ACTOR": "test-consultant"}
	getenv := func(k string) string { return env[k] }

	w, err := Create(ctx, path, WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	if w.Service.Actor != "test-consultant" || w.Service.Store == nil || w.Service.Secrets == nil || w.Keychain == nil {
		t.Fatalf("service not ready: actor %q, store %v, secrets %v", w.Service.Actor, w.Service.Store, w.Service.Secrets)
	}
	ws, err := w.Service.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption})
	if err != nil {
		t.Fatal(err)
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

func TestDiscardRemovesTheUnfinishedFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.pmcw")
	w, err := Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Service.Create(ctx, workspace.CreateRequest{Tenant: "Not Valid!", Mode: workspace.ModeFirstRunAdoption}); !errors.Is(err, workspace.ErrInvalid) {
		t.Fatalf("create with a bad tenant: %v", err)
	}
	if err := w.Discard(); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("Discard left %s behind", f.Name())
	}
}

// TestVendors: the one list registers every incumbent once, with a spec
// the registry accepts (NewRegistry panics otherwise), and the services of
// an opened workspace use it.
func TestVendors(t *testing.T) {
	if got := strings.Join(Vendors().Kinds(), ","); got != "okta,entra" {
		t.Fatalf("vendors %s, want okta,entra", got)
	}
	w, err := Create(context.Background(), filepath.Join(t.TempDir(), "acme.pmcw"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Service.Kinds == nil || w.Inventory.Incumbents == nil || len(w.Vendors.Kinds()) != 2 {
		t.Fatalf("the services are not given the vendor registry")
	}
}
