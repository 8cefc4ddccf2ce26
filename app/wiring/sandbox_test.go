package wiring

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
)

// TestStartSandboxServesSeedsAndStops starts the sandbox as the demo does
// (fresh demo file, issued token), then as migctl does on the kept file
// (given token): each time whoami answers for the token on 127.0.0.1, and
// the file keeps the demo seed without doubling it.
func TestStartSandboxServesSeedsAndStops(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	quiet := sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	first, err := StartSandbox(ctx, SandboxSpec{Path: path, Fresh: true, Seed: sandbox.SeedDemo,
		Tenant: sandbox.DemoTenant, Actor: "consultant", Options: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Issued || !strings.HasPrefix(first.URL, "http://127.0.0.1:") {
		t.Fatalf("started at %s, issued %v; want a loopback URL and an issued token", first.URL, first.Issued)
	}
	id, err := ProbeTarget(ctx, first.URL, first.Token)
	if err != nil || id.Tenant != sandbox.DemoTenant || !id.CanManage() {
		t.Fatalf("whoami with the issued token: %+v, %v", id, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	if _, err := http.Get(first.URL + "/api/v1/whoami"); err == nil {
		t.Fatal("the sandbox still answers after Close")
	}

	given := secret.New("fake-sandbox-admin-token-for-tests")
	second, err := StartSandbox(ctx, SandboxSpec{Addr: "127.0.0.1:0", Path: path, Seed: sandbox.SeedDemo,
		Tenant: sandbox.DemoTenant, Actor: "sandbox-admin", Token: given, Options: quiet})
	if err != nil {
		t.Fatalf("restart on the kept file: %v", err)
	}
	if second.Issued || second.Token.Reveal() != given.Reveal() {
		t.Fatal("a given token was replaced by an issued one")
	}
	if id, err := ProbeTarget(ctx, second.URL, given); err != nil || id.Actor != "sandbox-admin" {
		t.Fatalf("whoami with the given token: %+v, %v", id, err)
	}
	if _, err := ProbeTarget(ctx, second.URL, first.Token); err != nil {
		t.Errorf("the kept file forgot the first run's token: %v", err)
	}
	shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := second.Shutdown(shutdownCtx); err != nil {
		t.Fatal(err)
	}
	<-second.Stopped()
	if !errors.Is(second.ServeErr(), http.ErrServerClosed) {
		t.Errorf("serve ended with %v, want http.ErrServerClosed", second.ServeErr())
	}

	third, err := StartSandbox(ctx, SandboxSpec{Path: path, Fresh: true, Seed: sandbox.SeedEmpty,
		Tenant: "other-tenant", Actor: "consultant", Options: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if _, err := ProbeTarget(ctx, third.URL, given); err == nil {
		t.Error("a fresh start kept the previous file's tokens")
	}
}

func TestStartSandboxRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.10:8787", "8787"} {
		_, err := StartSandbox(context.Background(), SandboxSpec{Addr: addr, Path: filepath.Join(t.TempDir(), "s.db"),
			Seed: sandbox.SeedEmpty, Tenant: "acme", Actor: "consultant"})
		if err == nil || !strings.Contains(err.Error(), addr) {
			t.Errorf("address %q: err = %v, want a refusal naming it", addr, err)
		}
	}
}
