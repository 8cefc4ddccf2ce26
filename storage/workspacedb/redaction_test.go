package workspacedb

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// clientIncumbents opens, for every source, the collector open builds on
// the client the service gives it; its payloads are Okta's.
type clientIncumbents struct {
	fixtureIncumbents
	open func(*http.Client) inventory.Collector
}

func (c clientIncumbents) Incumbent(workspace.SourceKind) (inventory.Incumbent, error) { return c, nil }

func (c clientIncumbents) Open(_ context.Context, _ json.RawMessage, _ secret.Value, client *http.Client) (inventory.Collector, error) {
	return c.open(client), nil
}

// preRedactionSchemas are the schemas older than redaction that held
// inventory: a file built at one of them is a workspace made before this
// change.
func preRedactionSchemas(t *testing.T) []int64 {
	t.Helper()
	db, _ := newFile(t)
	p, err := provider(db.write, schema)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, s := range p.ListSources() {
		if s.Version >= inventorySchema && s.Version < redactionSchema {
			out = append(out, s.Version)
		}
	}
	return out
}

const (
	// inventorySchema added snapshots and items (00002); viewsSchema
	// replaced items' attributes by views (00004).
	inventorySchema = 2
	viewsSchema     = 4
)

const (
	// Okta's published IdP examples carry this client secret.
	fixtureSecret = "your-client-secret"
	// A catalogue app's provisioning token, copied into its attributes by
	// the normalizers of schemas before views, hence into the search
	// index: one FTS token.
	appToken = "fakeUpgradeTokenQ7x9test"
)

type oldPage struct {
	id       int64
	endpoint string
	body     []byte
}

// seedOldWorkspace fills a file at a pre-redaction schema the way the
// console did then: page bodies and raw payloads hold the secrets as Okta
// sent them; before views, the attributes the normalizers derived and the
// search index held them too; with views, each view was built from the
// plain payload.
func seedOldWorkspace(t *testing.T, db *DB, version int64) (snapshotID string, pages []oldPage) {
	t.Helper()
	ctx := context.Background()
	svc := service(db)
	if _, err := svc.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}); err != nil {
		t.Fatal(err)
	}
	src, err := svc.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: "okta",
		Settings: map[string]string{"org_url": "https://acme.okta.example"}, Credential: secret.New(fakeOktaToken)})
	if err != nil {
		t.Fatal(err)
	}
	idps, err := os.ReadFile(filepath.Join("..", "..", "engine", "okta", "testdata", "vendor", "idps", "list_idps.json"))
	if err != nil {
		t.Fatal(err)
	}
	apps := []byte(`[{"id":"0oaUPGRADE1","name":"acme_provisioning","label":"Acme Provisioning","status":"ACTIVE","signOnMode":"BOOKMARK",` +
		`"settings":{"app":{"url":"https://acme.example.test","apiToken":"` + appToken + `"}}}]`)
	pages = []oldPage{{1, "/api/v1/idps", idps}, {2, "/api/v1/apps", apps}}
	snapshotID = "snap-before-redaction"
	err = db.UpdateTx(ctx, func(tx *Tx) error {
		now := formatTime(time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC))
		if _, err := tx.tx.Exec(`INSERT INTO snapshots (id, source_id, source_name, source_kind, status, started_at, finished_at,
			heartbeat_at, owner, counts, item_count, page_count, error) VALUES (?, ?, ?, 'okta', 'completed', ?, ?, ?, 'test', '{}', 0, 2, '')`,
			snapshotID, src.ID, src.Name, now, now, now); err != nil {
			return err
		}
		for _, p := range pages {
			sum := sha256.Sum256(p.body)
			sha := hex.EncodeToString(sum[:])
			if _, err := tx.tx.Exec(`INSERT INTO page_bodies (sha256, body) VALUES (?, ?)`, sha, p.body); err != nil {
				return err
			}
			if _, err := tx.tx.Exec(`INSERT INTO evidence_pages (snapshot_id, page_id, domain, method, endpoint, query, page_number,
				status, fetched_at, bytes, sha256) VALUES (?, ?, 'd', 'GET', ?, '', 1, 200, ?, ?, ?)`, snapshotID, p.id, p.endpoint, now, len(p.body), sha); err != nil {
				return err
			}
			var elems []json.RawMessage
			if err := json.Unmarshal(p.body, &elems); err != nil {
				return err
			}
			for _, raw := range elems {
				var it inventory.Item
				if p.endpoint == "/api/v1/idps" {
					it, err = okta.NormalizeIdP(raw, nil)
				} else {
					it, err = okta.NormalizeApp(raw, nil, time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC))
				}
				if err != nil {
					return err
				}
				if version < viewsSchema {
					if err := insertPreViewItem(tx, snapshotID, p.id, it, raw); err != nil {
						return err
					}
					continue
				}
				view, _ := json.Marshal(it.View)
				var id int64
				if err := tx.tx.QueryRow(`INSERT INTO items (snapshot_id, kind, source_id, subtype, display_name, legacy_attributes, view, refs, raw, evidence_page)
					VALUES (?, ?, ?, ?, ?, '{}', ?, '[]', ?, ?) RETURNING id`, snapshotID, string(it.Kind), it.SourceID, it.Subtype, it.DisplayName,
					string(view), []byte(raw), p.id).Scan(&id); err != nil {
					return err
				}
				if _, err := tx.tx.Exec(`INSERT INTO items_fts (rowid, display_name, source_id, subtype, view) VALUES (?, ?, ?, ?, ?)`,
					id, it.DisplayName, it.SourceID, it.Subtype, SearchText(it)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snapshotID, pages
}

// insertPreViewItem stores an item as schemas before views did: with the
// attributes the normalizers of then derived, which copied every field of
// a provider's credentials and of an app's settings, and indexed their
// values.
func insertPreViewItem(tx *Tx, snapshotID string, pageID int64, it inventory.Item, raw json.RawMessage) error {
	var payload struct {
		Protocol struct {
			Credentials struct {
				Client map[string]any `json:"client"`
			} `json:"credentials"`
		} `json:"protocol"`
		Settings struct {
			App map[string]any `json:"app"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(raw, &payload); err != nil {
		return err
	}
	attrs := map[string]any{"client": payload.Protocol.Credentials.Client, "app_settings": payload.Settings.App}
	b, err := json.Marshal(attrs)
	if err != nil {
		return err
	}
	var text strings.Builder
	for _, m := range []map[string]any{payload.Protocol.Credentials.Client, payload.Settings.App} {
		for _, v := range m {
			if s, ok := v.(string); ok {
				text.WriteString(s + " ")
			}
		}
	}
	var id int64
	if err := tx.tx.QueryRow(`INSERT INTO items (snapshot_id, kind, source_id, subtype, display_name, attributes, refs, raw, evidence_page)
		VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?) RETURNING id`, snapshotID, string(it.Kind), it.SourceID, it.Subtype, it.DisplayName,
		string(b), []byte(raw), pageID).Scan(&id); err != nil {
		return err
	}
	_, err = tx.tx.Exec(`INSERT INTO items_fts (rowid, display_name, source_id, subtype, attributes) VALUES (?, ?, ?, ?, ?)`,
		id, it.DisplayName, it.SourceID, it.Subtype, text.String())
	return err
}

// failingStore fails the n-th Update, as a crash would stop the upgrade
// between two of its transactions.
type failingStore struct {
	inventory.RedactionStore
	n, calls int
}

var errCrash = errors.New("simulated crash")

func (s *failingStore) Update(ctx context.Context, fn func(inventory.RedactionTx) error) error {
	s.calls++
	if s.calls == s.n {
		return errCrash
	}
	return s.RedactionStore.Update(ctx, fn)
}

func fileHolds(t *testing.T, path string, needles ...string) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				found = append(found, filepath.Base(p)+": "+n)
			}
		}
	}
	return found
}

func pageDigests(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	err := db.ViewTx(context.Background(), func(tx *Tx) error {
		rows, err := tx.tx.Query(`SELECT p.sha256 || ' ' || b.sha256 FROM evidence_pages p JOIN page_bodies b ON b.sha256 = p.sha256 ORDER BY p.page_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A workspace made before redaction, at each older schema that held
// inventory: opening it upgrades the schema, and the redaction upgrade
// (interrupted once, then run again), followed by the rebuild of views
// missing since before views existed, removes every secret from the pages,
// items' payloads, legacy fields and views, the search index, the file and
// its WAL, keeps each page's digest of the bytes as received, and says so in
// the audit trail. Every provider's view then carries its secret's marker,
// as a fresh collection's would.
func TestRedactionUpgradeOfAWorkspaceMadeBeforeRedaction(t *testing.T) {
	for _, v := range preRedactionSchemas(t) {
		t.Run(fmt.Sprintf("from schema %d", v), func(t *testing.T) { redactionUpgradeFrom(t, v) })
	}
}

func redactionUpgradeFrom(t *testing.T, old int64) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.pmw")
	db, err := create(ctx, path, schema, old)
	if err != nil {
		t.Fatal(err)
	}
	snapID, pages := seedOldWorkspace(t, db, old)
	before := pageDigests(t, db)
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if found := fileHolds(t, path, fixtureSecret, appToken); len(found) != 2 {
		t.Fatalf("the seeded file should hold both secrets, holds %v", found)
	}
	db.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(backupPath(path, old)); err != nil {
		t.Fatalf("no pre-upgrade backup: %v", err)
	}
	creds := memSecrets{}
	inv := &inventory.Service{Store: InventoryStore(db), Secrets: creds}
	if old < viewsSchema {
		// The schema upgrade indexed the legacy fields, secrets included.
		if hits, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snapID, Text: appToken}); err != nil || hits.Total != 1 {
			t.Fatalf("before the redaction upgrade the index finds the app token in %d items (%v), want 1", hits.Total, err)
		}
	}
	builders := map[workspace.SourceKind]inventory.ViewBuilder{okta.Kind: okta.RebuildView}
	up := inventory.RedactionUpgrade{Store: RedactionStore(db), Secrets: creds, Catalogue: okta.SecretFields, Views: builders, Actor: "consultant"}
	if pending, err := up.Pending(ctx); err != nil || !pending {
		t.Fatalf("pending = %v, %v", pending, err)
	}

	crashed := up
	crashed.Store = &failingStore{RedactionStore: up.Store, n: 2}
	if _, err := crashed.Run(ctx); !errors.Is(err, errCrash) {
		t.Fatalf("interrupted run: %v", err)
	}
	rep, err := up.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Ran || rep.Items == 0 || rep.Snapshots != 1 {
		t.Errorf("report = %+v", rep)
	}
	if wantViews := old >= viewsSchema; (rep.Views > 0) != wantViews {
		t.Errorf("report = %+v; views redacted should be %v", rep, wantViews)
	}
	if again, err := up.Run(ctx); err != nil || again.Ran {
		t.Errorf("a second run = %+v, %v; want nothing to do", again, err)
	}
	if _, err := inv.BuildMissingViews(ctx, builders); err != nil {
		t.Fatal(err)
	}

	if after := pageDigests(t, db); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("digests of the bytes as received changed:\n%v\n%v", before, after)
	}
	var stored []inventory.Page
	if err := inv.Store.View(ctx, func(tx inventory.Tx) error {
		stored, err = tx.Pages(snapID, nil, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, p := range stored {
		sum := sha256.Sum256(p.Body)
		if p.StoredSHA256 != hex.EncodeToString(sum[:]) || p.StoredBytes != len(p.Body) {
			t.Errorf("page %d: stored digest %s does not describe its body", p.PageID, p.StoredSHA256)
		}
		if len(p.Redactions) == 0 {
			t.Errorf("page %d: no redaction record", p.PageID)
		}
		if p.Bytes != len(pages[i].body) {
			t.Errorf("page %d: as-received size %d changed", p.PageID, p.Bytes)
		}
	}
	items, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snapID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	providers := 0
	for _, it := range items.Items {
		view, _ := json.Marshal(it.View)
		for _, s := range []string{fixtureSecret, appToken} {
			if bytes.Contains(it.Raw, []byte(s)) || bytes.Contains(view, []byte(s)) {
				t.Errorf("%s %s still holds %q", it.Kind, it.SourceID, s)
			}
		}
		if p := inventory.CheckView(it.Item); len(p) > 0 {
			t.Errorf("%s %s: view problems %v", it.Kind, it.SourceID, p)
		}
		if pv := it.View.Provider; pv != nil && bytes.Contains(it.Raw, []byte(`"client_secret"`)) {
			providers++
			if !strings.HasPrefix(pv.ClientSecret.Marker, inventory.RedactedPrefix) || !bytes.Contains(it.Raw, []byte(pv.ClientSecret.Marker)) {
				t.Errorf("provider %s: client secret %+v is not the marker its payload holds", it.SourceID, pv.ClientSecret)
			}
		}
	}
	if providers == 0 {
		t.Error("no provider with a client secret was checked")
	}
	if found := columnHolds(t, db, "legacy_attributes", fixtureSecret, appToken); len(found) > 0 {
		t.Errorf("legacy fields still hold %v", found)
	}
	if hits, _ := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snapID, Text: appToken}); hits.Total != 0 {
		t.Errorf("the search index still finds the app token in %d items", hits.Total)
	}
	if hits, _ := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snapID, Text: "Acme Provisioning"}); hits.Total != 1 {
		t.Errorf("the rebuilt index finds the app by name %d times, want 1", hits.Total)
	}
	trail, brk, err := service(db).AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", err, brk)
	}
	if last := trail[len(trail)-1]; last.Event != audit.InventorySecretsRedacted || last.Facts["search_index"] != "rebuilt" {
		t.Errorf("last audit entry = %+v", last)
	}

	var zipped bytes.Buffer
	m, err := inv.ExportEvidence(ctx, snapID, &zipped)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for _, p := range m.Pages {
		recorded = append(recorded, p.SHA256)
	}
	sort.Strings(recorded)
	for _, b := range before {
		if i := sort.SearchStrings(recorded, strings.Fields(b)[0]); i == len(recorded) || recorded[i] != strings.Fields(b)[0] {
			t.Errorf("the bundle's manifest lacks the as-received digest %s", b)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte(fixtureSecret)) || bytes.Contains(b, []byte(appToken)) {
			t.Errorf("bundle file %s holds a secret", f.Name)
		}
	}

	removed, err := db.RemoveUnredactedBackups(ctx, true)
	if err != nil || len(removed) != 1 {
		t.Errorf("removed backups %v, %v; want the pre-upgrade one", removed, err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if found := fileHolds(t, path, fixtureSecret, appToken); len(found) > 0 {
		t.Errorf("after the upgrade the workspace file still holds %v", found)
	}
}

// columnHolds lists the needles some item's column holds.
func columnHolds(t *testing.T, db *DB, column string, needles ...string) []string {
	t.Helper()
	var found []string
	err := db.ViewTx(context.Background(), func(tx *Tx) error {
		for _, n := range needles {
			var hit bool
			if err := tx.tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM items WHERE instr(`+column+`, ?) > 0)`, n).Scan(&hit); err != nil {
				return err
			}
			if hit {
				found = append(found, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
