package main

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

const (
	invSource    = "okta-test"
	invToken     = "fake-okta-token-for-tests"
	perPage      = 200
	payrollIndex = 4246 // a group (4246 % 7 == 4) with a name nothing else shares
)

// countingInventory is the real service, counting the item queries the
// screen makes.
type countingInventory struct {
	*inventory.Service
	items atomic.Int64
}

func (c *countingInventory) Items(ctx context.Context, q inventory.ItemQuery) (inventory.ItemPage, error) {
	c.items.Add(1)
	return c.Service.Items(ctx, q)
}

// fileBackend opens one workspace file with the given inventory service.
type fileBackend struct {
	path  string
	ws    *workspace.Service
	ready *readiness.Service
	inv   screens.Inventory
}

func (b fileBackend) Open(_ context.Context, path string) (shell.Session, error) {
	if path != b.path {
		return shell.Session{}, fmt.Errorf("open %s: not this test's file", path)
	}
	return shell.Session{Path: path, Workspace: b.ws, Readiness: b.ready, Vendors: wiring.Vendors(), Inventory: b.inv}, nil
}

func (b fileBackend) Create(context.Context, string, workspace.CreateRequest) (shell.Session, error) {
	return shell.Session{}, errors.New("no create in this test")
}

func (b fileBackend) OpenDemo(context.Context) (shell.Session, error) {
	return shell.Session{}, errors.New("no demo in this test")
}

// invFile is a real workspace file with one Okta source whose credential
// sits in an in-memory keychain.
type invFile struct {
	path  string
	db    *workspacedb.DB
	ws    *workspace.Service
	creds *uitest.MemSecrets
	src   workspace.Source
}

func newInvFile(t *testing.T) *invFile {
	t.Helper()
	ctx := context.Background()
	f := &invFile{path: filepath.Join(t.TempDir(), "acme.migration"), creds: &uitest.MemSecrets{}}
	var err error
	if f.db, err = workspacedb.Create(ctx, f.path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.ws = &workspace.Service{Store: f.db, Secrets: f.creds, Kinds: wiring.Vendors(), Actor: "consultant"}
	if _, err := f.ws.Create(ctx, workspace.CreateRequest{Tenant: "acme-test", Mode: workspace.ModeFirstRunAdoption}); err != nil {
		t.Fatal(err)
	}
	if f.src, err = f.ws.AddSource(ctx, workspace.NewSource{Name: invSource, Kind: okta.Kind,
		Settings:   map[string]string{okta.FieldOrgURL: "https://acme-test.okta.example", okta.FieldAuth: string(okta.AuthAPIToken)},
		Credential: secret.New(invToken)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func itemName(i int) string {
	if i == payrollIndex {
		return "Payroll Ünïcode"
	}
	return fmt.Sprintf("Item %06d", i)
}

// seed writes a completed snapshot of n items straight through the store,
// one evidence page per 200 items whose body is the page's payloads, and
// returns its id.
func (f *invFile) seed(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	store := workspacedb.InventoryStore(f.db)
	started := time.Date(2025, 3, 4, 13, 0, 0, 0, time.UTC)
	snap := inventory.Snapshot{ID: "snap-seeded", SourceID: f.src.ID, SourceName: f.src.Name, SourceKind: f.src.Kind,
		Status: inventory.StatusCollecting, StartedAt: started, HeartbeatAt: started, Owner: "test", Counts: map[inventory.Kind]int{}}
	if err := store.Update(ctx, func(tx inventory.Tx) error { return tx.InsertSnapshot(snap) }); err != nil {
		t.Fatal(err)
	}
	for start := 0; start < n; start += 5000 {
		var items []inventory.Item
		var pages []inventory.Page
		for p := start; p < min(start+5000, n); p += perPage {
			pageID := int64(p/perPage + 1)
			var raws []string
			for i := p; i < min(p+perPage, n); i++ {
				raw := fmt.Sprintf(`{"id":"0oa%07d","label":%q,"signOnMode":"SAML_2_0"}`, i, itemName(i))
				raws = append(raws, raw)
				it := inventory.NewItem(fmt.Sprintf("0oa%07d", i), itemName(i), viewOf(inventory.Kinds[i%len(inventory.Kinds)]), json.RawMessage(raw))
				it.EvidencePage = pageID
				items = append(items, it)
			}
			body := []byte("[" + strings.Join(raws, ",") + "]")
			sum := sha256.Sum256(body)
			pages = append(pages, inventory.Page{PageID: pageID, Domain: "applications", Method: http.MethodGet,
				Endpoint: "/api/v1/apps", Query: "limit=200", PageNumber: int(pageID), Status: http.StatusOK,
				FetchedAt: started, Bytes: len(body), SHA256: hex.EncodeToString(sum[:]), Body: body})
		}
		if err := store.Update(ctx, func(tx inventory.Tx) error {
			if err := tx.SavePages(snap.ID, pages); err != nil {
				return err
			}
			return tx.SaveItems(snap.ID, items)
		}); err != nil {
			t.Fatal(err)
		}
	}
	err := store.Update(ctx, func(tx inventory.Tx) error {
		counts, pages, err := tx.CountItems(snap.ID)
		if err != nil {
			return err
		}
		done := started.Add(time.Minute)
		snap.Status, snap.FinishedAt, snap.Counts, snap.PageCount, snap.ItemCount = inventory.StatusCompleted, &done, counts, pages, n
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap.ID
}

// invGUI is a console window on one workspace file's inventory stage.
type invGUI struct {
	t  *testing.T
	c  *shell.Console
	cv fyne.Canvas
}

// openInventory opens f in a console window on the inventory stage.
func openInventory(t *testing.T, f *invFile, inv screens.Inventory) *invGUI {
	t.Helper()
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 900))
	c := shell.New(a, win, fileBackend{path: f.path, ws: f.ws, ready: &readiness.Service{Store: workspacedb.ReadinessStore(f.db)}, inv: inv})
	t.Cleanup(c.Close)
	g := &invGUI{t: t, c: c, cv: win.Canvas()}
	c.Open(f.path)
	c.Wait()
	g.stageNamed("Inventory")
	c.Wait()
	return g
}

// inventoryBlocker is the readiness header's line while no configured
// source has a completed snapshot.
const inventoryBlocker = "Collect an inventory snapshot from a source."

func (g *invGUI) mustShow(want string) {
	g.t.Helper()
	if !uitest.Shows(g.cv, want) {
		g.t.Fatalf("the window does not show %q; it shows %q", want, uitest.Texts(g.cv))
	}
}

func (g *invGUI) tap(button string) {
	g.t.Helper()
	test.Tap(uitest.Button(g.t, g.cv, button))
	g.c.Wait()
}

func (g *invGUI) stageNamed(title string) {
	g.t.Helper()
	nav := uitest.Find[*widget.List](g.t, g.cv)
	for i := range nav.Length() {
		item := nav.CreateItem()
		nav.UpdateItem(i, item)
		for _, o := range item.(*fyne.Container).Objects {
			if l, ok := o.(*widget.Label); ok && l.Text == title {
				nav.Select(i)
				return
			}
		}
	}
	g.t.Fatalf("no stage %q", title)
}

// itemTable is the on-screen table with the item columns.
func (g *invGUI) itemTable() *widget.Table {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if tb, ok := o.(*widget.Table); ok {
			if _, cols := tb.Length(); cols == 4 {
				return tb
			}
		}
	}
	g.t.Fatal("no item table on screen")
	return nil
}

// cell reads a table cell through the table's own callbacks.
func cell(tb *widget.Table, row, col int) string {
	o := tb.CreateCell()
	tb.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
	return o.(*widget.Label).Text
}

func kindCount(n int, k inventory.Kind) int {
	c := 0
	for i := range n {
		if inventory.Kinds[i%len(inventory.Kinds)] == k {
			c++
		}
	}
	return c
}

func TestInventoryTableAt100kRows(t *testing.T) {
	const n = 100_050
	f := newInvFile(t)
	snapID := f.seed(t, n)
	inv := &countingInventory{Service: &inventory.Service{Store: workspacedb.InventoryStore(f.db), Secrets: f.creds, Actor: "consultant"}}
	g := openInventory(t, f, inv)

	g.mustShow("Completed")
	g.mustShow("100,050 items: ")
	// The readiness header reads the completed snapshot from the file.
	if uitest.Shows(g.cv, inventoryBlocker) {
		t.Errorf("the header still asks for an inventory with a completed snapshot on file")
	}
	g.mustShow("100,000+ items, refine the filter")
	tb := g.itemTable()
	if rows, _ := tb.Length(); rows != inventory.MaxCount {
		t.Fatalf("the table has %d rows, want %d", rows, inventory.MaxCount)
	}
	g.mustShow(itemName(0))

	// The last row of the capped, name-sorted list, read independently.
	last, err := inv.Service.Items(context.Background(), inventory.ItemQuery{SnapshotID: snapID, Offset: inventory.MaxCount - 1, Limit: 1})
	if err != nil || len(last.Items) != 1 {
		t.Fatalf("read the last row: %v", err)
	}
	before := inv.items.Load()
	tb.ScrollToBottom()
	g.c.Wait()
	g.mustShow(last.Items[0].DisplayName)
	g.mustShow(last.Items[0].SourceID)
	if fetched := inv.items.Load() - before; fetched == 0 || fetched > 4 {
		t.Fatalf("scrolling to row 100,000 made %d item queries, want 1 to 4", fetched)
	}
	for _, text := range uitest.Texts(g.cv) {
		if text == "…" {
			t.Fatal("rows at the end still wait for their window")
		}
	}

	// Filter by kind.
	kindSelect := g.selectWith("All kinds")
	kindSelect.SetSelected("Group")
	g.c.Wait()
	groups := kindCount(n, inventory.KindGroup)
	g.mustShow(screens.FormatCount(groups) + " items")
	tb = g.itemTable()
	if got := cell(tb, 0, 0); got != "Group" {
		t.Fatalf("first row after the kind filter is a %q", got)
	}

	// Sort by source id, both ways, by clicking its header.
	g.tap("Source ID")
	if got := cell(tb, 0, 3); got != "0oa0000004" {
		t.Fatalf("ascending by source id, the first group is %q", got)
	}
	g.tap("Source ID ▲")
	lastGroup := n - 1
	for inventory.Kinds[lastGroup%len(inventory.Kinds)] != inventory.KindGroup {
		lastGroup--
	}
	if got, want := cell(tb, 0, 3), fmt.Sprintf("0oa%07d", lastGroup); got != want {
		t.Fatalf("descending by source id, the first group is %q, want %q", got, want)
	}
	uitest.Button(t, g.cv, "Source ID ▼")

	// Filter by text (Enter applies it at once; typing alone waits for a pause).
	entry := g.entryWithPlaceholder("Filter by name, ID, subtype or attribute value")
	test.Type(entry, "payroll")
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.c.Wait()
	g.mustShow("1 item")
	if got := cell(tb, 0, 2); got != "Payroll Ünïcode" {
		t.Fatalf("the text filter shows %q", got)
	}

	// Select the row: its fields, raw payload and evidence digest.
	tb.Select(widget.TableCellID{Row: 0, Col: 2})
	g.c.Wait()
	g.mustShow(`"label": "Payroll Ünïcode"`)
	g.mustShow("https://sp.example.test")
	item, pages := g.payrollEvidence(inv.Service, snapID)
	if len(pages) != 1 || pages[0].PageID != item.EvidencePage {
		t.Fatalf("payroll item evidence: %+v", pages)
	}
	g.mustShow("SHA-256 " + pages[0].SHA256)
	g.mustShow(fmt.Sprintf("page %d of Applications, HTTP 200", payrollIndex/perPage+1))
}

// viewOf is a small complete view of kind that names
// https://sp.example.test.
func viewOf(kind inventory.Kind) inventory.View {
	const url = "https://sp.example.test"
	switch kind {
	case inventory.KindApplication:
		return inventory.View{Application: &inventory.ApplicationView{Protocol: inventory.ProtocolSAML, Object: inventory.AppObjectOktaApp,
			State: inventory.StateActive, Catalogue: inventory.CatalogueCustom, Origin: inventory.OriginTenant,
			SAML: &inventory.SAMLSettings{EntityIDs: []string{url}, StatementsExposed: inventory.Yes}}}
	case inventory.KindProvider:
		return inventory.View{Provider: &inventory.ProviderView{Protocol: inventory.ProviderSAML, State: inventory.StateActive, Issuer: url}}
	case inventory.KindRoutingRule:
		return inventory.View{RoutingRule: &inventory.RoutingRuleView{Type: inventory.RoutingIdPDiscovery, PolicyID: "00p1",
			State: inventory.StateActive, Patterns: []inventory.Pattern{{MatchType: inventory.MatchSuffix, Value: url}}}}
	case inventory.KindPolicy:
		return inventory.View{Policy: &inventory.PolicyView{Type: inventory.PolicySignOn, State: inventory.StateActive, Description: url}}
	case inventory.KindGroup:
		return inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Description: url}}
	case inventory.KindAssignment:
		return inventory.View{Assignment: &inventory.AssignmentView{Target: inventory.AssignGroup, AppID: "0oa1", AppName: url,
			PrincipalID: "00g1", PrincipalName: "Group 1", Direct: inventory.Yes}}
	}
	return inventory.View{Domain: &inventory.DomainView{Type: inventory.DomainSignInHost, Name: "sp.example.test", ValidationStatus: url}}
}

func (g *invGUI) payrollEvidence(inv *inventory.Service, snapID string) (inventory.StoredItem, []inventory.Page) {
	g.t.Helper()
	ctx := context.Background()
	found, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snapID, Text: "payroll"})
	if err != nil || len(found.Items) != 1 {
		g.t.Fatalf("find the payroll item: %v", err)
	}
	it, pages, err := inv.ItemDetail(ctx, snapID, found.Items[0].ID)
	if err != nil {
		g.t.Fatal(err)
	}
	return it, pages
}

func (g *invGUI) selectWith(option string) *widget.Select {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if s, ok := o.(*widget.Select); ok {
			for _, opt := range s.Options {
				if opt == option {
					return s
				}
			}
		}
	}
	g.t.Fatalf("no select offering %q", option)
	return nil
}

func (g *invGUI) entryWithPlaceholder(p string) *widget.Entry {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == p {
			return e
		}
	}
	g.t.Fatalf("no entry %q", p)
	return nil
}

// blockingCollector fetches one page from a loopback vendor through the
// service's evidence transport, emits its item, says so, and then holds the
// collection open until its context is cancelled.
type blockingCollector struct {
	client  *http.Client
	url     string
	started chan struct{}
}

func (c *blockingCollector) Collect(ctx context.Context, emit inventory.Emitter) error {
	pctx, trace := inventory.WithPageTrace(inventory.WithListing(ctx, "applications"))
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, c.url+"/api/v1/apps?limit=200", nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch apps: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	it := inventory.NewItem("0oa1", "HR portal", viewOf(inventory.KindApplication), body)
	it.EvidencePage = trace.Last()
	if err := emit.Emit(ctx, it); err != nil {
		return err
	}
	close(c.started)
	<-ctx.Done()
	return ctx.Err()
}

// blockingOkta is the Okta vendor with its collector swapped for coll, on
// the client the inventory service hands it.
type blockingOkta struct{ coll *blockingCollector }

func (b blockingOkta) Incumbent(kind workspace.SourceKind) (inventory.Incumbent, error) {
	if kind != okta.Kind {
		return nil, fmt.Errorf("no incumbent of kind %q here", kind)
	}
	return b, nil
}

func (blockingOkta) Label() string                   { return okta.Vendor{}.Label() }
func (blockingOkta) Pacing() inventory.PacingOptions { return okta.Vendor{}.Pacing() }
func (blockingOkta) Endpoints(raw json.RawMessage) ([]string, error) {
	return okta.Vendor{}.Endpoints(raw)
}
func (blockingOkta) Test(context.Context, json.RawMessage, secret.Value, *http.Client) ([]inventory.DomainCheck, error) {
	return nil, errors.New("not tested here")
}
func (blockingOkta) Scrub(text string, cred secret.Value) string {
	return okta.Vendor{}.Scrub(text, cred)
}
func (blockingOkta) PayloadSecrets() []redact.Field { return okta.Vendor{}.PayloadSecrets() }

func (b blockingOkta) Open(_ context.Context, _ json.RawMessage, cred secret.Value, client *http.Client) (inventory.Collector, error) {
	if cred.Reveal() != invToken {
		return nil, errors.New("the collector was handed the wrong credential")
	}
	b.coll.client = client
	return b.coll, nil
}

func TestInventoryCollectCancelEndsFailed(t *testing.T) {
	f := newInvFile(t)
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"0oa1","label":"HR portal"}`)
	}))
	t.Cleanup(vendor.Close)
	coll := &blockingCollector{url: vendor.URL, started: make(chan struct{})}
	inv := &inventory.Service{Store: workspacedb.InventoryStore(f.db), Secrets: f.creds, Actor: "consultant",
		Incumbents: blockingOkta{coll}}
	g := openInventory(t, f, inv)
	g.mustShow("No snapshot yet")

	test.Tap(uitest.Button(t, g.cv, "Collect inventory"))
	<-coll.started
	g.mustShow("Collecting the inventory of okta-test (Okta)…")
	g.mustShow("Pages by domain: Applications 1")
	if !uitest.Button(t, g.cv, "Collect inventory").Disabled() {
		t.Fatal("a second collection can be started while one runs")
	}

	g.tap("Cancel")
	g.mustShow("Cancelled: snapshot")
	g.mustShow("is recorded as failed")
	g.mustShow("Failed: collection cancelled")
	g.mustShow(inventoryBlocker) // a failed snapshot does not complete the inventory
	snaps, err := inv.Snapshots(context.Background())
	if err != nil || len(snaps) != 1 || snaps[0].Status != inventory.StatusFailed || snaps[0].PageCount != 1 {
		t.Fatalf("after cancel the file holds %+v (err %v), want one failed snapshot keeping its page", snaps, err)
	}
	if uitest.Button(t, g.cv, "Collect inventory").Disabled() {
		t.Fatal("Collect stays disabled after the collection ended")
	}
}

func TestInventoryExportWritesZipAndNeverOverwrites(t *testing.T) {
	f := newInvFile(t)
	snapID := f.seed(t, 450)
	inv := &inventory.Service{Store: workspacedb.InventoryStore(f.db), Secrets: f.creds, Actor: "consultant"}
	g := openInventory(t, f, inv)
	dir := t.TempDir()

	export := func() {
		g.tap("Export evidence…")
		e := uitest.FormField[*widget.Entry](t, g.cv, "Folder")
		e.SetText("")
		test.Type(e, dir)
		g.tap("Export")
	}
	export()
	g.mustShow("Wrote 3 evidence pages of snapshot " + snapID)
	snap, err := inv.Snapshot(context.Background(), snapID)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, screens.ExportFileName(snap))
	g.mustShow(path)

	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var m inventory.Manifest
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name] = b
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Pages) != 3 || m.Snapshot.ID != snapID {
		t.Fatalf("manifest lists %d pages of %s", len(m.Pages), m.Snapshot.ID)
	}
	for _, p := range m.Pages {
		sum := sha256.Sum256(files[p.File])
		if hex.EncodeToString(sum[:]) != p.SHA256 {
			t.Fatalf("%s does not match its manifest digest", p.File)
		}
	}

	// A second export to the same name is refused and the first is intact.
	test.Tap(uitest.Button(t, g.cv, "OK")) // close the report
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	export()
	g.mustShow("already exists: choose another name")
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the refused export changed the existing bundle (err %v)", err)
	}
}
