package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
	"github.com/portal-id/migration-console/ui/uitest"
)

// The vendor-written Okta IdPs, collected through the real SDK: the item
// detail of each provider shows its client secret's redaction marker, never
// the secret, and says the secret is held in the keychain.
func TestItemDetailNeverShowsAVendorSecret(t *testing.T) {
	ctx := context.Background()
	orgs, err := oktareplay.VendorOrgs(filepath.Join("..", "..", "engine", "okta", "testdata", "vendor"))
	if err != nil {
		t.Fatal(err)
	}
	org := orgs[0]
	srv := oktareplay.Start(t, org, oktareplay.Options{})

	f := &invFile{path: filepath.Join(t.TempDir(), "acme.migration"), creds: &uitest.MemSecrets{}}
	if f.db, err = workspacedb.Create(ctx, f.path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.ws = &workspace.Service{Store: f.db, Secrets: f.creds, Kinds: wiring.Vendors(), Actor: "consultant"}
	if _, err := f.ws.Create(ctx, workspace.CreateRequest{Tenant: "acme-test", Mode: workspace.ModeFirstRunAdoption}); err != nil {
		t.Fatal(err)
	}
	if f.src, err = f.ws.AddSource(ctx, workspace.NewSource{Name: invSource, Kind: okta.Kind,
		Settings:   map[string]string{okta.FieldOrgURL: srv.URL, okta.FieldAuth: string(okta.AuthAPIToken)},
		Credential: secret.New(oktareplay.Token)}); err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Service{Store: workspacedb.InventoryStore(f.db), Secrets: f.creds, Incumbents: wiring.Vendors(), Actor: "consultant"}
	snap, err := inv.Collect(ctx, invSource, inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	providers := snap.Counts[inventory.KindProvider]
	if providers < 2 {
		t.Fatalf("the vendor org has %d providers", providers)
	}

	g := openInventory(t, f, inv)
	g.selectWith("All kinds").SetSelected("Provider")
	g.c.Wait()
	tb := g.itemTable()
	held := 0
	for row := range providers {
		tb.Select(widget.TableCellID{Row: row, Col: 2})
		g.c.Wait()
		shown := strings.Join(uitest.Texts(g.cv), "\n")
		if !strings.Contains(shown, "Raw payload") || !strings.Contains(shown, "SHA-256") {
			t.Fatalf("row %d: no item detail on screen", row)
		}
		for _, s := range []string{"your-client-secret", "MIGTAgEAMBM........Cb9PnybCnzDv+3cWSGWqpAIsQQZ"} {
			if strings.Contains(shown, s) {
				t.Errorf("row %d (%s): the window shows %q", row, cell(tb, row, 2), s)
			}
		}
		if strings.Contains(shown, "client_secret: secret held in the keychain") {
			held++
			if !strings.Contains(shown, `"client_secret": "[REDACTED client_secret hmac-sha256:`) ||
				!strings.Contains(shown, "redacted: SHA-256 ") {
				t.Errorf("row %d: the raw payload or the evidence does not show the redaction", row)
			}
		}
	}
	if held == 0 {
		t.Error("no provider's detail says its client secret is held in the keychain")
	}
}
