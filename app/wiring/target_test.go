package wiring

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// TestProbeTargetAgainstTheSandbox runs the probe through the real client
// against the real sandbox on 127.0.0.1: it returns whoami's identity, and
// a guest session comes back as a refusal that still names the tenant.
func TestProbeTargetAgainstTheSandbox(t *testing.T) {
	ctx := context.Background()
	db, err := sandboxdb.Open(ctx, filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(sandbox.NewServer(db, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	accept := func(tok string, sc api.SessionContext, perms ...api.Permission) secret.Value {
		v := secret.New(tok)
		spec := sandbox.TokenSpec{Tenant: "acme", Actor: "consultant@example-corp.test", SessionContext: sc, Permissions: perms}
		if err := sandbox.AcceptToken(ctx, db, v, spec); err != nil {
			t.Fatal(err)
		}
		return v
	}

	viewer := accept("fake-portal-view-token-for-tests", api.OperatorTenant, api.PortalMigrationsView)
	id, err := ProbeTarget(ctx, srv.URL, viewer)
	if err != nil || id.Tenant != "acme" || id.SessionContext != "operator_tenant" || id.CanManage() {
		t.Errorf("view-only probe: %+v, %v", id, err)
	}
	guest := accept("fake-portal-guest-token-for-tests", api.GuestAccess, api.PortalMigrationsManage)
	id, err = ProbeTarget(ctx, srv.URL, guest)
	if !errors.Is(err, workspace.ErrTargetRefused) || id.Tenant != "acme" || id.SessionContext != "guest_access" {
		t.Errorf("guest probe: %+v, %v; want a refusal naming the tenant", id, err)
	}
}

// TestConnectRefusesAnArchivedWorkspace: an archived workspace never asks
// the Portal and records nothing.
func TestConnectRefusesAnArchivedWorkspace(t *testing.T) {
	ctx := context.Background()
	w, _, err := Create(ctx, filepath.Join(t.TempDir(), "acme.pmcw"), workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}, WithGetenv(func(string) string { return "" }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.Service.Archive(ctx); err != nil {
		t.Fatal(err)
	}
	before, _, err := w.Service.AuditTrail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	probe := func(context.Context, string, secret.Value) (workspace.TargetIdentity, error) {
		t.Fatal("an archived workspace asked the Portal")
		return workspace.TargetIdentity{}, nil
	}
	_, _, err = w.Service.Connect(ctx, "http://127.0.0.1:8787", secret.New("fake-portal-token-for-tests"), probe)
	if !errors.Is(err, workspace.ErrArchived) {
		t.Fatalf("connect an archived workspace: %v, want ErrArchived", err)
	}
	ws, err := w.Service.Get(ctx)
	if err != nil || ws.Target.URL != "" {
		t.Errorf("the archived workspace changed: %+v, %v", ws.Target, err)
	}
	after, brk, err := w.Service.AuditTrail(ctx)
	if err != nil || brk != nil || len(after) != len(before) {
		t.Errorf("audit trail after a refused connect: %d entries (was %d), break %v, err %v", len(after), len(before), brk, err)
	}
}
