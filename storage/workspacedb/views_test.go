package workspacedb

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// legacyCert is the signing certificate a schema-2 Okta collection kept
// among a SAML app's attributes (read from the app's key page, not its raw
// payload): the view rebuilt after the upgrade must still carry it.
const legacyCert = `{"kid":"mh_16Cc8sIfHMFDMlHnp194cxKvJ6yXqs_mNn_6ZC0Q","certificate_pem":"-----BEGIN CERTIFICATE-----\nfake-test-only\n-----END CERTIFICATE-----\n",
	"sha256_fingerprint":"AB12","subject":"CN=test-only","not_before":"2024-01-01T00:00:00Z","not_after":"2034-01-01T00:00:00Z","expired":false}`

// A workspace written before views (schema 2) opens at the current schema
// with every item readable and findable; the console then rebuilds each
// view from the raw payload, keeping what only the legacy fields held, and
// an item whose payload cannot be read keeps it with the reason.
func TestItemsStoredBeforeViewsAreRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.pmw")
	db, err := create(ctx, path, schema, 2)
	if err != nil {
		t.Fatal(err)
	}
	populate(t, service(db))
	sources, err := service(db).Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var src workspace.Source
	for _, s := range sources {
		if s.Name == "okta-sandbox" {
			src = s
		}
	}
	samlRaw, err := os.ReadFile("../../engine/okta/testdata/vendor/applications/saml_2_0_app.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	legacy := []struct {
		kind, sourceID, subtype, name, attrs, refs, raw string
	}{
		{"application", "0oafxqCAJWWGELFTYASJ", "SAML_2_0", "Example Custom SAML 2.0 App",
			`{"sign_on_mode":"SAML_2_0","audience":"asdqwe123","signing_kid":"mh_16Cc8sIfHMFDMlHnp194cxKvJ6yXqs_mNn_6ZC0Q","signing_certificate":` + legacyCert + `}`,
			`[]`, string(samlRaw)},
		{"assignment", "0oafxqCAJWWGELFTYASJ/00g1", "group", "0oafxqCAJWWGELFTYASJ ← group 00g1", `{"app_id":"0oafxqCAJWWGELFTYASJ","group_id":"00g1","priority":2}`,
			`[{"role":"app","kind":"application","source_id":"0oafxqCAJWWGELFTYASJ"},{"role":"group","kind":"group","source_id":"00g1"}]`,
			`{"id":"00g1","priority":2}`},
		{"group", "00gBroken", "OKTA_GROUP", "Broken", `{"name":"Broken"}`, `[]`, `{"profile":{"name":"Broken"}}`},
	}
	err = InventoryStore(db).Update(ctx, func(tx inventory.Tx) error {
		if err := tx.InsertSnapshot(inventory.Snapshot{ID: "snap-old", SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
			Status: inventory.StatusCompleted, StartedAt: now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}); err != nil {
			return err
		}
		t := tx.(*Tx)
		for _, l := range legacy {
			res, err := t.tx.ExecContext(t.ctx, `INSERT INTO items (snapshot_id, kind, source_id, subtype, display_name, attributes, refs, raw, evidence_page)
				VALUES ('snap-old', ?, ?, ?, ?, ?, ?, ?, 0)`, l.kind, l.sourceID, l.subtype, l.name, l.attrs, l.refs, []byte(l.raw))
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO items_fts (rowid, display_name, source_id, subtype, attributes)
				VALUES (?, ?, ?, ?, ?)`, id, l.name, l.sourceID, l.subtype, l.attrs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = open(ctx, path, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	inv := &inventory.Service{Store: InventoryStore(db)}
	find := func(text string) []inventory.StoredItem {
		t.Helper()
		page, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: "snap-old", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
	if got := find("asdqwe123"); len(got) != 1 || got[0].SourceID != "0oafxqCAJWWGELFTYASJ" {
		t.Fatalf("after the upgrade a search by a legacy field finds %d items, want the app", len(got))
	}
	before := find("")
	if len(before) != 3 {
		t.Fatalf("after the upgrade the snapshot holds %d items, want 3", len(before))
	}
	for _, it := range before {
		if !it.View.Missing() || it.View.Unbuilt != inventory.ViewNotBuiltYet || len(it.Raw) == 0 {
			t.Fatalf("item %s before the rebuild: view %+v, %d raw bytes", it.SourceID, it.View, len(it.Raw))
		}
	}

	n, err := inv.BuildMissingViews(ctx, map[workspace.SourceKind]inventory.ViewBuilder{okta.Vendor{}.Kind(): okta.RebuildView})
	if err != nil || n != 3 {
		t.Fatalf("rebuilt %d views, %v; want 3", n, err)
	}
	byID := map[string]inventory.StoredItem{}
	for _, it := range find("0oafxqCAJWWGELFTYASJ") {
		byID[it.SourceID] = it
	}
	app := byID["0oafxqCAJWWGELFTYASJ"]
	if p := inventory.CheckView(app.Item); len(p) > 0 || app.Subtype != "saml" {
		t.Fatalf("rebuilt app: subtype %q, problems %v", app.Subtype, p)
	}
	certs := app.View.Application.SAML.SigningCertificates
	if len(certs) != 1 || !strings.Contains(certs[0].PEM, "fake-test-only") || certs[0].Expired != inventory.No {
		t.Fatalf("the legacy signing certificate was lost: %+v", certs)
	}
	if string(app.Raw) != string(samlRaw) {
		t.Fatal("the raw payload changed")
	}
	assign := byID["0oafxqCAJWWGELFTYASJ/00g1"].View.Assignment
	if assign == nil || assign.Priority == nil || *assign.Priority != 2 {
		t.Fatalf("rebuilt assignment: %+v", assign)
	}
	// The index now holds the views.
	if got := find("testorgone"); len(got) != 1 || got[0].SourceID != "0oafxqCAJWWGELFTYASJ" {
		t.Fatalf("search by a view value found %d items", len(got))
	}
	broken := find("Broken")
	if len(broken) != 1 || !strings.Contains(broken[0].View.Unbuilt, "rebuilding the view from the raw payload failed") || len(broken[0].Raw) == 0 {
		t.Fatalf("an unreadable payload: %+v", broken)
	}
	if n, err := inv.BuildMissingViews(ctx, nil); err != nil || n != 0 {
		t.Fatalf("a second run rebuilt %d views, %v", n, err)
	}
}

// emitCollector emits fixed items (no network): enough to drive a
// collection's completion.
type emitCollector []inventory.Item

func (c emitCollector) Collect(ctx context.Context, emit inventory.Emitter) error {
	return emit.Emit(ctx, c...)
}

// emitIncumbents opens an emitCollector for every source.
type emitIncumbents struct {
	fixtureIncumbents
	items emitCollector
}

func (e emitIncumbents) Incumbent(workspace.SourceKind) (inventory.Incumbent, error) { return e, nil }

func (e emitIncumbents) Open(context.Context, json.RawMessage, secret.Value, *http.Client) (inventory.Collector, error) {
	return e.items, nil
}

// Before a snapshot completes, assignments are named from the snapshot's
// own items; what it cannot name stays said to be unresolved, and the
// search index follows the names.
func TestCompletionNamesAssignmentsFromTheSnapshot(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "ws.pmw"), 1, 0, 0)
	assign := func(group, name string) inventory.Item {
		a := &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: "0oa1", PrincipalID: group, PrincipalName: name, Direct: inventory.Yes}
		a.Unresolved = []string{"app"}
		if name == "" {
			a.Unresolved = append(a.Unresolved, "principal")
		}
		return inventory.NewItem("0oa1/"+group, inventory.AssignmentDisplayName(a), inventory.View{Assignment: a}, []byte(`{"id":"`+group+`"}`))
	}
	items := emitCollector{
		inventory.NewItem("0oa1", "Payroll", inventory.View{Application: &inventory.ApplicationView{Protocol: inventory.ProtocolBookmark,
			Object: inventory.AppObjectOktaApp, State: inventory.StateActive, Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant}}, []byte(`{"id":"0oa1"}`)),
		inventory.NewItem("00g1", "Finance", inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: "Finance"}}, []byte(`{"id":"00g1"}`)),
		assign("00g1", ""), assign("00gGone", ""), assign("00g2", "Named In Payload"),
	}
	f.inv.Incumbents = emitIncumbents{fixtureIncumbents{f}, items}
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.inv.Items(ctx, inventory.ItemQuery{SnapshotID: snap.ID, Kind: inventory.KindAssignment, SortBy: "source_id"})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("assignments: %+v %v", page, err)
	}
	want := map[string]struct {
		name       string
		unresolved string
	}{
		"0oa1/00g1":    {"Payroll ← group Finance", ""},
		"0oa1/00g2":    {"Payroll ← group Named In Payload", ""},
		"0oa1/00gGone": {"Payroll ← group 00gGone", "principal"},
	}
	for _, it := range page.Items {
		w := want[it.SourceID]
		if it.DisplayName != w.name || strings.Join(it.View.Assignment.Unresolved, ",") != w.unresolved || it.View.Assignment.AppName != "Payroll" {
			t.Errorf("%s: %q unresolved %v, want %q unresolved %q", it.SourceID, it.DisplayName, it.View.Assignment.Unresolved, w.name, w.unresolved)
		}
	}
	found, err := f.inv.Items(ctx, inventory.ItemQuery{SnapshotID: snap.ID, Kind: inventory.KindAssignment, Text: "finance"})
	if err != nil || len(found.Items) != 1 || found.Items[0].SourceID != "0oa1/00g1" {
		t.Fatalf("search by a resolved name: %+v %v", found, err)
	}
}
