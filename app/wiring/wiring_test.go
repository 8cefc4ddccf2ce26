package wiring

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
	"testing"
	"time"

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

// TestVendors: the one list registers every incumbent once, with a spec
// the registry accepts (NewRegistry panics otherwise), and the services of
// an opened workspace use it.
func TestVendors(t *testing.T) {
	if got := strings.Join(Vendors().Kinds(), ","); got != "okta,entra" {
		t.Fatalf("vendors %s, want okta,entra", got)
	}
	w, _, err := Create(context.Background(), filepath.Join(t.TempDir(), "acme.pmcw"), workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Service.Kinds == nil || w.Inventory.Incumbents == nil || len(w.Vendors.Kinds()) != 2 {
		t.Fatalf("the services are not given the vendor registry")
	}
}

// TestAKilledCreateLeavesNothingRefused kills a process that creates
// workspaces one after another: every file at a workspace path opens as a
// workspace, and none is left half-made to be refused as foreign.
func TestAKilledCreateLeavesNothingRefused(t *testing.T) {
	if dir := os.Getenv("PMC_CREATE_CHILD"); dir != "" {
		for i := 0; ; i++ {
			w, _, err := Create(context.Background(), filepath.Join(dir, fmt.Sprintf("ws-%03d.pmcw", i)),
				workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption})
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			fmt.Println("created", i)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAKilledCreateLeavesNothingRefused$")
	cmd.Env = append(os.Environ(), "PMC_CREATE_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	for i := 0; i < 3; i++ { // let a few complete, then kill during the next
		if _, err := r.ReadString('\n'); err != nil {
			cmd.Process.Kill()
			t.Fatalf("child stopped: %v", err)
		}
	}
	time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	paths, _ := filepath.Glob(filepath.Join(dir, "ws-*.pmcw"))
	if len(paths) < 3 {
		t.Fatalf("%d workspaces created before the kill, want at least 3", len(paths))
	}
	for _, p := range paths {
		w, err := Open(context.Background(), p)
		if err != nil {
			t.Errorf("%s, left by a killed create: %v", filepath.Base(p), err)
			continue
		}
		if _, err := w.Service.Get(context.Background()); err != nil {
			t.Errorf("%s holds no workspace: %v", filepath.Base(p), err)
		}
		w.CloseAndForget(context.Background())
	}
}
