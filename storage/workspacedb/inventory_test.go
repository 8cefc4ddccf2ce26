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
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// pagedCollector reads a loopback "vendor" that serves JSON arrays of
// {"id","name"} pages, through the transport the service gives it, and
// emits one group item per element: enough of a collector to drive the
// snapshot lifecycle against a real file.
type pagedCollector struct {
	client  *http.Client
	baseURL string
	pages   int
	// afterPage, when set, runs after that page is emitted.
	afterPage func(page int) error
}

func (c *pagedCollector) Collect(ctx context.Context, emit inventory.Emitter) error {
	ctx = inventory.WithListing(ctx, "groups")
	for page := 1; page <= c.pages; page++ {
		pctx, trace := inventory.WithPageTrace(ctx)
		req, err := http.NewRequestWithContext(pctx, http.MethodGet, fmt.Sprintf("%s/api/v1/groups?page=%d", c.baseURL, page), nil)
		if err != nil {
			return err
		}
		resp, err := c.client.Do(req)
		if err != nil {
			return fmt.Errorf("fetch groups page %d: %w", page, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("groups page %d: HTTP %d: %s", page, resp.StatusCode, body)
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(body, &elems); err != nil {
			return fmt.Errorf("decode groups page %d: %w", page, err)
		}
		for _, raw := range elems {
			var g struct{ ID, Name string }
			if err := json.Unmarshal(raw, &g); err != nil {
				return err
			}
			it := inventory.NewItem(g.ID, g.Name, inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant,
				VendorType: "OKTA_GROUP", Name: g.Name, Description: "team " + g.Name}}, raw)
			it.EvidencePage = trace.Last()
			if err := emit.Emit(ctx, it); err != nil {
				return err
			}
		}
		if c.afterPage != nil {
			if err := c.afterPage(page); err != nil {
				return err
			}
		}
	}
	return nil
}

// vendor serves `pages` pages of `perPage` groups; page failAt answers 500.
func vendor(t testing.TB, perPage, failAt int, delay time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		var page int
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		if page == failAt {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`)
			return
		}
		var elems []string
		for i := 0; i < perPage; i++ {
			n := (page-1)*perPage + i
			elems = append(elems, fmt.Sprintf(`{"id":"00g%05d","name":"Team %d Ünïcode"}`, n, n))
		}
		io.WriteString(w, "["+strings.Join(elems, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fixtureIncumbents opens the fixture's pagedCollector for every source
// kind, on the client the service gives it.
type fixtureIncumbents struct{ f *inventoryFixture }

func (i fixtureIncumbents) Incumbent(workspace.SourceKind) (inventory.Incumbent, error) {
	return i, nil
}

func (fixtureIncumbents) Label() string { return "Loopback" }

// Pacing sends each request once: these tests are about the snapshot
// lifecycle, and a failing page must fail the collection at once.
func (fixtureIncumbents) Pacing() inventory.PacingOptions {
	return inventory.PacingOptions{MaxAttempts: 1}
}

func (i fixtureIncumbents) Endpoints(json.RawMessage) ([]string, error) {
	return []string{i.f.srv.URL}, nil
}

func (i fixtureIncumbents) Open(_ context.Context, _ json.RawMessage, cred secret.Value, client *http.Client) (inventory.Collector, error) {
	if cred.Reveal() != fakeOktaToken {
		return nil, errors.New("wrong credential handed to the collector")
	}
	i.f.coll.client = client
	return i.f.coll, nil
}

func (fixtureIncumbents) Test(context.Context, json.RawMessage, secret.Value, *http.Client) ([]inventory.DomainCheck, error) {
	return nil, errors.New("not tested here")
}

func (fixtureIncumbents) Scrub(text string, cred secret.Value) string {
	return strings.ReplaceAll(text, cred.Reveal(), "[REDACTED]")
}

// PayloadSecrets: the loopback vendor's payloads are Okta-shaped.
func (fixtureIncumbents) PayloadSecrets() []redact.Field { return okta.SecretFields }

type inventoryFixture struct {
	db    *DB
	ws    *workspace.Service
	inv   *inventory.Service
	coll  *pagedCollector
	srv   *httptest.Server
	creds memSecrets
}

func newInventoryFixture(t testing.TB, path string, pages, failAt int, delay time.Duration) *inventoryFixture {
	t.Helper()
	ctx := context.Background()
	var db *DB
	var err error
	if _, statErr := os.Stat(path); statErr == nil {
		db, err = Open(ctx, path)
	} else {
		db, err = Create(ctx, path)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &inventoryFixture{db: db, srv: vendor(t, 7, failAt, delay), creds: memSecrets{}}
	f.ws = &workspace.Service{Store: db, Secrets: f.creds, Actor: "consultant"}
	f.coll = &pagedCollector{baseURL: f.srv.URL, pages: pages}
	f.inv = &inventory.Service{
		Store: InventoryStore(db), Secrets: f.creds, Actor: "consultant", BatchSize: 5,
		StaleAfter: 600 * time.Millisecond,
		Incumbents: fixtureIncumbents{f},
	}
	f.ws.Kinds = testKinds{}
	if _, err := f.ws.Get(ctx); errors.Is(err, workspace.ErrNoWorkspace) {
		if _, err := f.ws.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ws.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: "okta",
			Settings: map[string]string{"org_url": "https://acme.okta.example"}, Credential: secret.New(fakeOktaToken)}); err != nil {
			t.Fatal(err)
		}
	} else {
		ws, _ := f.ws.Get(ctx)
		f.creds.Set(ctx, ws.ID, workspace.SourceRole("okta-prod"), secret.New(fakeOktaToken))
	}
	return f
}

func TestCollectCompletesWithItemsAndEvidence(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 3, 0, 0)
	var last inventory.Progress
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, func(p inventory.Progress) { last = p })
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	if snap.Status != inventory.StatusCompleted || snap.Counts[inventory.KindGroup] != 21 || snap.ItemCount != 21 || snap.PageCount != 3 {
		t.Fatalf("snapshot = %+v", snap)
	}
	if !last.Done || last.Items[inventory.KindGroup] != 21 || last.Pages["groups"] != 3 {
		t.Fatalf("final progress = %+v", last)
	}
	src, err := f.ws.Source(ctx, "okta-prod")
	if err != nil || src.LastInventoryAt == nil {
		t.Fatalf("last_inventory_at not set: %+v %v", src, err)
	}

	db := reopen(t, f.db)
	inv := &inventory.Service{Store: InventoryStore(db)}
	got, err := inv.Snapshot(ctx, "")
	if err != nil || got.ID != snap.ID || got.Status != inventory.StatusCompleted {
		t.Fatalf("reopened snapshot = %+v, %v", got, err)
	}
	page, err := inv.Items(ctx, inventory.ItemQuery{SnapshotID: snap.ID, Text: "unicode team 1", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	// "1" as a prefix matches Team 1 and Team 10-19.
	if page.Total != 11 {
		t.Fatalf("text search matched %d items, want 11", page.Total)
	}
	page, err = inv.Items(ctx, inventory.ItemQuery{SnapshotID: snap.ID, Kind: inventory.KindGroup, SortBy: "source_id", Descending: true, Limit: 2})
	if err != nil || page.Total != 21 || len(page.Items) != 2 || page.Items[0].SourceID != "00g00020" {
		t.Fatalf("sorted window = %+v, %v", page, err)
	}
	item, pages, err := inv.ItemDetail(ctx, snap.ID, page.Items[0].ID)
	if err != nil || len(pages) != 1 || pages[0].PageNumber != 3 || pages[0].Status != 200 {
		t.Fatalf("detail = %+v %+v %v", item, pages, err)
	}
	if string(item.Raw) != `{"id":"00g00020","name":"Team 20 Ünïcode"}` {
		t.Fatalf("raw payload changed: %s", item.Raw)
	}
	var bodies []inventory.Page
	err = db.ViewTx(ctx, func(tx *Tx) error {
		var err error
		bodies, err = tx.Pages(snap.ID, nil, true)
		return err
	})
	if err != nil || len(bodies) != 3 || !strings.Contains(string(bodies[2].Body), "00g00020") {
		t.Fatalf("evidence bodies = %v, %v", len(bodies), err)
	}
	entries, brk, err := (&workspace.Service{Store: db}).AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit: %v %v", brk, err)
	}
	lastEntry := entries[len(entries)-1]
	if lastEntry.Event != audit.InventoryCollected || lastEntry.TargetID != snap.ID || lastEntry.Facts["count.group"] != "21" {
		t.Fatalf("last audit entry = %+v", lastEntry)
	}
}

func TestCollectFailureKeepsEvidence(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 4, 3, 0)
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), "Internal Server Error") {
		t.Fatalf("err = %v", err)
	}
	if snap.Status != inventory.StatusFailed || snap.PageCount != 3 || !strings.Contains(snap.Error, "HTTP 500") {
		t.Fatalf("snapshot = %+v", snap)
	}
	if src, _ := f.ws.Source(ctx, "okta-prod"); src.LastInventoryAt != nil {
		t.Fatal("a failed collection updated last_inventory_at")
	}
	entries, _, _ := f.ws.AuditTrail(ctx)
	if e := entries[len(entries)-1]; e.Event != audit.InventoryCollectionFailed || !strings.Contains(e.Facts["error"], "HTTP 500") {
		t.Fatalf("last audit entry = %+v", e)
	}
}

func TestCollectCancelledIsFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 5, 0, 0)
	f.coll.afterPage = func(page int) error {
		if page == 2 {
			cancel()
		}
		return nil
	}
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err == nil || snap.Status != inventory.StatusFailed || !strings.Contains(snap.Error, "cancelled") {
		t.Fatalf("snapshot = %+v, err = %v", snap, err)
	}
	got, err := f.inv.Snapshot(context.Background(), snap.ID)
	if err != nil || got.Status != inventory.StatusFailed {
		t.Fatalf("stored snapshot = %+v, %v", got, err)
	}
}

func TestOneCollectionPerSource(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 2, 0, 0)
	started := make(chan struct{})
	release := make(chan struct{})
	f.coll.afterPage = func(page int) error {
		if page == 1 {
			close(started)
			<-release
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { _, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil); done <- err }()
	<-started
	// A second service on a second connection to the file: another process.
	other, err := Open(ctx, f.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second := *f.inv
	second.Store = InventoryStore(other)
	if _, err := second.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil); !errors.Is(err, inventory.ErrCollectionRunning) {
		t.Fatalf("second collection: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestArchivedSourceCannotCollect(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 1, 0, 0)
	if _, err := f.ws.ArchiveSource(ctx, "okta-prod"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil); !errors.Is(err, inventory.ErrSourceNotReady) {
		t.Fatalf("collect from archived source: %v", err)
	}
}

// TestKilledCollectionIsNeverCompleted runs a collection in a child process
// (this test binary), kills it with SIGKILL mid-collection, and checks the
// file shows the snapshot as failed, and that the next collection records
// the interruption and succeeds.
func TestKilledCollectionIsNeverCompleted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.pmw")
	f := newInventoryFixture(t, path, 1, 0, 0)
	f.db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), "PMC_KILL_CHILD="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var out strings.Builder
	for !strings.Contains(out.String(), "COLLECTING") {
		n, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("child ended before collecting: %v: %s", err, out.String())
		}
		out.Write(buf[:n])
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	ctx := context.Background()
	f = newInventoryFixture(t, path, 1, 0, 0)
	snaps, err := f.inv.Snapshots(ctx)
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots = %+v, %v", snaps, err)
	}
	time.Sleep(700 * time.Millisecond) // let the dead child's heartbeat go stale
	snaps, _ = f.inv.Snapshots(ctx)
	if snaps[0].Status != inventory.StatusFailed || !strings.Contains(snaps[0].Error, "interrupted") {
		t.Fatalf("killed snapshot shown as %+v", snaps[0])
	}
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err != nil || snap.Status != inventory.StatusCompleted {
		t.Fatalf("collection after a killed one: %+v, %v", snap, err)
	}
	snaps, _ = f.inv.Snapshots(ctx)
	if len(snaps) != 2 || snaps[1].Status != inventory.StatusFailed {
		t.Fatalf("snapshots after = %+v", snaps)
	}
}

// TestKillChild is the child of TestKilledCollectionIsNeverCompleted: it
// collects from a server that never finishes answering page 2.
func TestKillChild(t *testing.T) {
	path := os.Getenv("PMC_KILL_CHILD")
	if path == "" {
		t.Skip("runs only as the child of TestKilledCollectionIsNeverCompleted")
	}
	f := newInventoryFixture(t, path, 3, 0, 0)
	f.coll.afterPage = func(page int) error {
		fmt.Println("COLLECTING")
		os.Stdout.Sync()
		time.Sleep(time.Minute)
		return nil
	}
	f.inv.Collect(context.Background(), "okta-prod", inventory.CollectOptions{}, nil)
}

func TestExportEvidenceBundle(t *testing.T) {
	ctx := context.Background()
	f := newInventoryFixture(t, filepath.Join(t.TempDir(), "acme.pmw"), 3, 0, 0)
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := f.inv.ExportEvidence(ctx, snap.ID, &buf)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = b
	}
	var manifest inventory.Manifest
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(manifest.Pages) != 3 || len(m.Pages) != 3 || manifest.Snapshot.ID != snap.ID {
		t.Fatalf("manifest = %+v", manifest)
	}
	for _, p := range manifest.Pages {
		sum := sha256.Sum256(files[p.File])
		if hex.EncodeToString(sum[:]) != p.SHA256 || p.Bytes != len(files[p.File]) {
			t.Fatalf("%s does not match its manifest digest", p.File)
		}
	}
	// A body altered in the file is refused, not exported.
	f.db.Close()
	rawSQL(t, f.db.Path(), `UPDATE page_bodies SET body = CAST('[]' AS BLOB) WHERE rowid = 1`)
	db, err := Open(ctx, f.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	inv := &inventory.Service{Store: InventoryStore(db)}
	if _, err := inv.ExportEvidence(ctx, snap.ID, io.Discard); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("export of an altered body: %v", err)
	}
}

// The summary reads inventory from the snapshots on the file: a failed
// collection leaves the gate's inventory blocker, a completed one lifts
// it, and archiving the source brings it back.
func TestSummaryFollowsSnapshotsOnFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acme.pmw")
	summary := func(db *DB) readiness.Summary {
		t.Helper()
		sum, err := (&readiness.Service{Store: ReadinessStore(db)}).Summary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	blocked := func(sum readiness.Summary) bool {
		for _, b := range sum.PreviewHandoffBlockers {
			if b.Code == readiness.BlockerNoCompletedInventory {
				return true
			}
		}
		return false
	}

	failing := newInventoryFixture(t, path, 4, 3, 0)
	if _, err := failing.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil); err == nil {
		t.Fatal("the failing vendor's collection succeeded")
	}
	if sum := summary(failing.db); !blocked(sum) || sum.LastInventoryAt != nil {
		t.Fatalf("after a failed collection: blockers %v, last inventory %v", sum.PreviewHandoffBlockers, sum.LastInventoryAt)
	}
	failing.db.Close()

	f := newInventoryFixture(t, path, 2, 0, 0)
	snap, err := f.inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := summary(f.db)
	if blocked(sum) || sum.LastInventoryAt == nil || !sum.LastInventoryAt.Equal(*snap.FinishedAt) {
		t.Fatalf("after a completed collection: blockers %v, last inventory %v, want %v", sum.PreviewHandoffBlockers, sum.LastInventoryAt, snap.FinishedAt)
	}
	if sum.PreviewHandoffStatus != readiness.HandoffBlocked {
		t.Fatalf("gate = %s with no assessment stage yet", sum.PreviewHandoffStatus)
	}

	if _, err := f.ws.ArchiveSource(ctx, "okta-prod"); err != nil {
		t.Fatal(err)
	}
	if sum := summary(f.db); !blocked(sum) || sum.LastInventoryAt != nil || sum.ConfiguredSourceCount != 0 {
		t.Fatalf("after archiving the only source: blockers %v, last inventory %v", sum.PreviewHandoffBlockers, sum.LastInventoryAt)
	}
}
