package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
)

// The secrets Okta's published IdP examples carry.
const (
	vendorClientSecret = "your-client-secret"
	vendorApplePrivKey = "MIGTAgEAMBM........Cb9PnybCnzDv+3cWSGWqpAIsQQZ"
	clientSecretPath   = "protocol.credentials.client.client_secret"
	applePrivKeyPath   = "protocol.credentials.signing.privateKey"
)

var vendorSecrets = []string{vendorClientSecret, vendorApplePrivKey}

// shownSecretsDoc is the part of inventory show --json this test reads.
type shownSecretsDoc struct {
	Snapshot struct {
		ID       string `json:"id"`
		SourceID string `json:"source_id"`
	} `json:"snapshot"`
	Total int `json:"total"`
	Items []struct {
		ID          int64                    `json:"id"`
		Kind        string                   `json:"kind"`
		SourceID    string                   `json:"source_id"`
		DisplayName string                   `json:"display_name"`
		Secrets     []inventory.SecretStatus `json:"secrets"`
	} `json:"items"`
}

// removeVendorSecrets deletes the workspace key and the vendor secrets the
// collections put in the keychain.
func removeVendorSecrets(t *testing.T, path string) {
	ctx := context.Background()
	w, err := wiring.Open(ctx, path)
	if err != nil {
		return
	}
	defer w.Close()
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return
	}
	snaps, _ := w.Inventory.Snapshots(ctx)
	for _, s := range snaps {
		v, err := w.Vendors.Lookup(s.SourceKind)
		if err != nil {
			continue
		}
		page, _ := w.Inventory.Items(ctx, inventory.ItemQuery{SnapshotID: s.ID, Kind: inventory.KindProvider, Limit: inventory.MaxCount})
		for _, it := range page.Items {
			for _, f := range v.PayloadSecrets() {
				if f.Keep {
					if err := w.Keychain.Delete(ctx, ws.ID, workspace.VendorSecretRole(s.SourceID, it.SourceID, f.Path)); err != nil && !errors.Is(err, keychain.ErrNotFound) {
						t.Errorf("clean up a vendor secret: %v", err)
					}
				}
			}
		}
	}
	if err := w.Keychain.Delete(ctx, ws.ID, keys.Role); err != nil {
		t.Errorf("clean up the workspace key: %v", err)
	}
}

// Every vendor-written Okta payload that carries a secret, collected through
// the real SDK against the replay server: the secret is in none of the
// workspace file, its WAL, the search index, inventory show (JSON or text)
// or the unzipped evidence export, and the keychain holds each provider's
// secret where the migration reads it.
func TestVendorSecretsReachOnlyTheKeychain(t *testing.T) {
	h := newHarness(t)
	kc := requireKeychain(t, h)
	t.Cleanup(func() { removeVendorSecrets(t, h.path) })
	wsID := h.createWorkspace("first_run_adoption")

	orgs, err := oktareplay.VendorOrgs(filepath.Join("..", "..", "..", "engine", "okta", "testdata", "vendor"))
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]string{} // provider id -> field held
	type collected struct{ snapshotID, sourceID string }
	var snaps []collected
	for i, org := range orgs {
		srv := oktareplay.Start(t, org, oktareplay.Options{})
		name := fmt.Sprintf("okta-vendor-%d", i)
		h.addOkta(name, srv.URL, oktareplay.Token)
		snap, r := h.collect(name)
		if r.code != 0 || snap.Status != "completed" {
			t.Fatalf("collect %s: exit %d, %+v\n%s", name, r.code, snap, r.stderr)
		}

		var shown shownSecretsDoc
		r = h.ok("", "inventory", "show", "--snapshot", snap.ID, "--limit", "100000", "--json")
		decodeInto(t, r.stdout, &shown)
		snaps = append(snaps, collected{snap.ID, shown.Snapshot.SourceID})
		for _, it := range shown.Items {
			for _, s := range it.Secrets {
				if s.State == inventory.SecretHeld {
					held[it.SourceID] = s.Field
				}
				if it.Kind != "provider" {
					t.Errorf("%s %s has secret statuses", it.Kind, it.SourceID)
				}
			}
		}
		text := h.ok("", "inventory", "show", "--snapshot", snap.ID, "--type", "provider").stdout
		for _, s := range vendorSecrets {
			if strings.Contains(r.stdout, s) || strings.Contains(text, s) {
				t.Errorf("inventory show of %s prints %q", name, s)
			}
		}
		if strings.Contains(string(orgRaw(org)), vendorClientSecret) && !strings.Contains(text, "client_secret: secret held in the keychain") {
			t.Errorf("inventory show of %s does not say the client secret is held:\n%s", name, text)
		}

		// The index: nothing matches the Apple key's one searchable token.
		var found shownSecretsDoc
		decodeInto(t, h.ok("", "inventory", "show", "--snapshot", snap.ID, "--search", "MIGTAgEAMBM", "--json").stdout, &found)
		if found.Total != 0 {
			t.Errorf("searching %s for the Apple private key finds %d items", name, found.Total)
		}

		zipPath := filepath.Join(t.TempDir(), "evidence.zip")
		h.ok("", "inventory", "export", "--snapshot", snap.ID, "--out", zipPath)
		data, err := os.ReadFile(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		for file, body := range unzip(t, data) {
			for _, s := range vendorSecrets {
				if bytes.Contains(body, []byte(s)) {
					t.Errorf("bundle of %s: %s holds %q", name, file, s)
				}
			}
		}
	}

	// OIDC, Google, Facebook and Microsoft IdPs: client secrets; Apple: the
	// private key.
	want := map[string]string{
		"0oaulob4BFVa4zQvt0g3": clientSecretPath, "0oa62bfdiumsUndnZ0h7": clientSecretPath,
		"0oa62b57p7c8PaGpU0h7": clientSecretPath, "0oajmvdFawBih4gey0g3": clientSecretPath,
		"0oa18hsHsG3boVejU0g4": applePrivKeyPath,
	}
	for id, field := range want {
		if held[id] != field {
			t.Errorf("provider %s: show says %q is held, want %s", id, held[id], field)
		}
	}

	for _, p := range []string{h.path, h.path + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range vendorSecrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", filepath.Base(p), s)
			}
		}
	}

	// The keychain holds them where the cutover reads them.
	ctx := context.Background()
	w, err := wiring.Open(ctx, h.path)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	roles := make([][]string, len(snaps)) // by source: the roles read back
	for i, c := range snaps {
		page, err := w.Inventory.Items(ctx, inventory.ItemQuery{SnapshotID: c.snapshotID, Kind: inventory.KindProvider, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			field, ok := want[it.SourceID]
			if !ok {
				continue
			}
			wantValue := vendorClientSecret
			if field == applePrivKeyPath {
				wantValue = vendorApplePrivKey
			}
			role := workspace.VendorSecretRole(c.sourceID, it.SourceID, field)
			v, err := kc.Get(ctx, wsID, role)
			if err != nil || v.Reveal() != wantValue {
				t.Errorf("keychain %s of %s: %v", field, it.SourceID, err)
			}
			roles[i] = append(roles[i], role)
			got, err := w.Inventory.MigrationSecret(ctx, c.snapshotID, it.ID, field)
			if err != nil || got.Reveal() != wantValue {
				t.Errorf("MigrationSecret(%s, %s): %v", it.SourceID, field, err)
			}
			read++
		}
	}
	if read < len(want) {
		t.Errorf("read %d secrets back, want at least %d", read, len(want))
	}

	// Archiving a source removes the secrets its collections kept (as its
	// pages' redaction records list them), and only those.
	kept := make([][]string, len(snaps))
	for i, c := range snaps {
		var vs []workspace.VendorSecret
		if err := w.DB.View(ctx, func(tx workspace.Tx) error { vs, err = tx.VendorSecrets(c.sourceID); return err }); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			role := workspace.VendorSecretRole(c.sourceID, v.ResourceID, v.Field)
			if _, err := kc.Get(ctx, wsID, role); err != nil {
				t.Errorf("the records list %s as kept, but the keychain does not hold it: %v", role, err)
			}
			kept[i] = append(kept[i], role)
		}
		for _, role := range roles[i] {
			if !slices.Contains(kept[i], role) {
				t.Errorf("%s was read back but its source's records do not list it", role)
			}
		}
	}
	w.Close()
	archived := -1
	for i := range kept {
		if len(kept[i]) > 0 {
			archived = i
			break
		}
	}
	if archived < 0 {
		t.Fatal("no source kept a vendor secret")
	}
	h.ok("", "source", "archive", "--name", fmt.Sprintf("okta-vendor-%d", archived))
	for i, rs := range kept {
		for _, role := range rs {
			_, err := kc.Get(ctx, wsID, role)
			switch {
			case i == archived && !errors.Is(err, keychain.ErrNotFound):
				t.Errorf("after archiving its source the keychain still holds %s (%v)", role, err)
			case i != archived && err != nil:
				t.Errorf("archiving another source removed %s: %v", role, err)
			}
		}
	}
	var trail struct {
		Entries []struct {
			Event string            `json:"event"`
			Facts map[string]string `json:"facts"`
		} `json:"entries"`
	}
	decodeInto(t, h.ok("", "audit", "list", "--json").stdout, &trail)
	if n := len(trail.Entries); n == 0 || trail.Entries[n-1].Event != "migration.source.archived" ||
		trail.Entries[n-1].Facts["vendor_secrets_removed"] != fmt.Sprint(len(kept[archived])) {
		t.Errorf("the archive's audit entry does not count the %d vendor secrets removed: %+v", len(kept[archived]), trail.Entries[len(trail.Entries)-1:])
	}
	for _, line := range h.printed {
		for _, s := range vendorSecrets {
			if strings.Contains(line, s) {
				t.Fatalf("migctl printed %q", s)
			}
		}
	}
}

func orgRaw(org *oktareplay.Org) []byte {
	var b bytes.Buffer
	for _, idp := range org.IdPs {
		b.Write(idp)
	}
	return b.Bytes()
}

// clientSecretMarker matches a client secret's marker in a stored body or payload.
var clientSecretMarker = regexp.MustCompile(`\[REDACTED client_secret hmac-sha256:[0-9a-f]{64}\]`)

// A workspace whose inventory was stored before redaction (its bodies and
// items put back as Okta sent them, unmarked): the next migctl command opens
// it with its keychain, redacts it, and the audit trail says so.
func TestOpeningAWorkspaceCollectedBeforeRedactionRedactsIt(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	t.Cleanup(func() { removeVendorSecrets(t, h.path) })
	h.createWorkspace("first_run_adoption")
	orgs, err := oktareplay.VendorOrgs(filepath.Join("..", "..", "..", "engine", "okta", "testdata", "vendor"))
	if err != nil {
		t.Fatal(err)
	}
	srv := oktareplay.Start(t, orgs[0], oktareplay.Options{})
	h.addOkta("okta-vendor", srv.URL, oktareplay.Token)
	if snap, r := h.collect("okta-vendor"); r.code != 0 || snap.Status != "completed" {
		t.Fatalf("collect: %s", r.stderr)
	}

	// Put the vendor's client secret back where redaction had put markers:
	// the bodies then hash to their keys again, as before redaction.
	db, err := sql.Open("sqlite", h.path)
	if err != nil {
		t.Fatal(err)
	}
	unredact := func(table, column, key string) int {
		rows, err := db.Query(`SELECT ` + key + `, ` + column + ` FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			key  any
			body []byte
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.body); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		rows.Close()
		n := 0
		for _, r := range all {
			plain := clientSecretMarker.ReplaceAll(r.body, []byte(vendorClientSecret))
			if bytes.Equal(plain, r.body) {
				continue
			}
			if _, err := db.Exec(`UPDATE `+table+` SET `+column+` = ? WHERE `+key+` = ?`, plain, r.key); err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if unredact("page_bodies", "body", "sha256") == 0 || unredact("items", "raw", "id") == 0 {
		t.Fatal("no client secret marker to put the secret back in place of")
	}
	if _, err := db.Exec(`UPDATE page_bodies SET stored_sha256 = NULL, redactions = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE snapshots SET secrets_redacted = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if b, _ := os.ReadFile(h.path); !bytes.Contains(b, []byte(vendorClientSecret)) {
		if w, _ := os.ReadFile(h.path + "-wal"); !bytes.Contains(w, []byte(vendorClientSecret)) {
			t.Fatal("the simulated old workspace does not hold the secret")
		}
	}

	var shown shownSecretsDoc
	r := h.ok("", "inventory", "show", "--type", "provider", "--json")
	decodeInto(t, r.stdout, &shown)
	if strings.Contains(r.stdout, vendorClientSecret) {
		t.Error("show prints the secret after the upgrade")
	}
	held := 0
	for _, it := range shown.Items {
		for _, s := range it.Secrets {
			if s.State == inventory.SecretHeld {
				held++
			}
		}
	}
	if held == 0 {
		t.Error("after the upgrade no provider's secret is held (its digest no longer matches the keychain?)")
	}
	var trail struct {
		Entries []struct {
			Event string            `json:"event"`
			Facts map[string]string `json:"facts"`
		} `json:"entries"`
	}
	decodeInto(t, h.ok("", "audit", "list", "--json").stdout, &trail)
	last := trail.Entries[len(trail.Entries)-1]
	if last.Event != "migration.inventory.secrets_redacted" || last.Facts["items_redacted"] == "0" {
		t.Errorf("last audit entry = %+v", last)
	}
	for _, p := range []string{h.path, h.path + "-wal"} {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(vendorClientSecret)) {
			t.Errorf("%s still holds the client secret", filepath.Base(p))
		}
	}
	h.ok("", "audit", "verify")
}
