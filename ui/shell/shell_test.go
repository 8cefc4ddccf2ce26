package shell_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

// memBackend runs the real engine on in-memory files, keyed by path.
type memBackend struct {
	files   map[string]*uitest.MemStore
	secrets *uitest.MemSecrets
}

func newMemBackend() *memBackend {
	return &memBackend{files: map[string]*uitest.MemStore{}, secrets: &uitest.MemSecrets{}}
}

// vendors are the incumbents the console offers, as app/wiring lists them.
var vendors = vendor.NewRegistry(okta.Vendor{}, entra.Vendor{})

func (b *memBackend) service(st *uitest.MemStore) *workspace.Service {
	return &workspace.Service{Store: st, Secrets: b.secrets, Kinds: vendors, Actor: "consultant"}
}

func (b *memBackend) Create(ctx context.Context, path string, req workspace.CreateRequest) (shell.Session, error) {
	st := &uitest.MemStore{}
	if _, err := b.service(st).Create(ctx, req); err != nil {
		return shell.Session{}, err
	}
	b.files[path] = st
	return b.session(path, st), nil
}

func (b *memBackend) session(path string, st *uitest.MemStore) shell.Session {
	return shell.Session{Path: path, Workspace: b.service(st), Readiness: &readiness.Service{Store: st.Readiness()}, Vendors: vendors}
}

func (b *memBackend) Open(_ context.Context, path string) (shell.Session, error) {
	st, ok := b.files[path]
	if !ok {
		return shell.Session{}, fmt.Errorf("open %s: no such workspace file", path)
	}
	return b.session(path, st), nil
}

func (b *memBackend) OpenDemo(ctx context.Context) (shell.Session, error) {
	return shell.Session{}, fmt.Errorf("no demo in this test")
}

type harness struct {
	t   *testing.T
	c   *shell.Console
	win fyne.Window
	cv  fyne.Canvas
}

func start(t *testing.T, b shell.Backend) *harness {
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 900))
	c := shell.New(a, win, b)
	t.Cleanup(c.Close)
	c.ShowWelcome()
	return &harness{t: t, c: c, win: win, cv: win.Canvas()}
}

func (h *harness) typeInto(label, text string) {
	h.t.Helper()
	e := uitest.FormField[*widget.Entry](h.t, h.cv, label)
	e.SetText("")
	test.Type(e, text)
}

func (h *harness) tap(button string) {
	h.t.Helper()
	test.Tap(uitest.Button(h.t, h.cv, button))
	h.c.Wait()
}

func (h *harness) mustShow(want string) {
	h.t.Helper()
	if !uitest.Shows(h.cv, want) {
		h.t.Fatalf("the window does not show %q; it shows %q", want, uitest.Texts(h.cv))
	}
}

func (h *harness) mustNotShow(unwanted string) {
	h.t.Helper()
	if uitest.Shows(h.cv, unwanted) {
		h.t.Fatalf("the window shows %q", unwanted)
	}
}

func (h *harness) stage(title string) {
	h.t.Helper()
	nav := uitest.Find[*widget.List](h.t, h.cv)
	for i := range nav.Length() {
		if h.stageTitle(nav, i) == title {
			nav.Select(i)
			return
		}
	}
	h.t.Fatalf("no stage %q in the navigator", title)
}

func (h *harness) stageTitle(nav *widget.List, i int) string {
	item := nav.CreateItem()
	nav.UpdateItem(i, item)
	for _, o := range item.(*fyne.Container).Objects {
		if l, ok := o.(*widget.Label); ok {
			return l.Text
		}
	}
	return ""
}

func (h *harness) createWorkspace(path, tenant string) {
	h.t.Helper()
	h.typeInto("File", path)
	h.typeInto("Tenant ID", tenant)
	uitest.FormField[*widget.RadioGroup](h.t, h.cv, "Mode").SetSelected(
		"Merge into existing: the target tenant already has live Portal state")
	h.tap("Create workspace")
}

func (h *harness) selectSource(name string) {
	h.t.Helper()
	table := uitest.Find[*widget.Table](h.t, h.cv)
	rows, _ := table.Length()
	for r := range rows {
		cell := table.CreateCell()
		table.UpdateCell(widget.TableCellID{Row: r, Col: 0}, cell)
		if cell.(*widget.Label).Text == name {
			table.Select(widget.TableCellID{Row: r, Col: 0})
			return
		}
	}
	h.t.Fatalf("no source %q in the table", name)
}

func TestWelcomeRejectsBadTenantInline(t *testing.T) {
	h := start(t, newMemBackend())
	h.typeInto("File", "/workspaces/bad.migration")
	h.typeInto("Tenant ID", "Not A Tenant")
	h.tap("Create workspace")
	h.mustShow("must be 1-63 lowercase letters")
	h.mustShow("Create workspace") // still on the welcome screen
}

func TestWalkthrough(t *testing.T) {
	const canary = "fake-okta-token-for-tests-canary-7Q2x"
	b := newMemBackend()
	h := start(t, b)

	h.createWorkspace("/workspaces/acme.migration", "acme-test")
	h.mustShow("Tenant acme-test")
	h.mustShow("Merge into existing  ·  Draft")
	h.mustShow("Add an Okta or Entra source.")
	h.mustShow("Preview handoff: Blocked (3 blockers)")

	h.stage("Sources")
	h.tap("Add Okta source")
	h.typeInto("Name", "okta-prod")
	h.typeInto("Org URL", "https://acme-test.okta.com")
	h.typeInto("Credential", canary)
	h.tap("Add source")
	h.mustShow("okta-prod")
	h.mustShow("https://acme-test.okta.com · API token")
	h.mustShow("Merge into existing  ·  Ready for inventory")
	h.mustNotShow("Add an Okta or Entra source.")
	h.mustShow("Preview handoff: Blocked (2 blockers)")

	h.tap("Add Entra source")
	h.typeInto("Name", "entra-prod")
	h.typeInto("Tenant ID", "not a tenant")
	h.typeInto("Client ID", "11111111-2222-3333-4444-555555555555")
	h.typeInto("Credential", "fake-entra-secret-for-tests")
	h.tap("Add source")
	h.mustShow("must be a GUID or a verified domain") // inline, the dialog stays open
	h.typeInto("Tenant ID", "acme-test.onmicrosoft.com")
	h.tap("Add source") // the credential was kept from the first attempt
	h.mustShow("entra-prod")
	h.mustShow("tenant acme-test.onmicrosoft.com")

	h.selectSource("okta-prod")
	h.tap("Archive selected source…")
	h.tap("Archive")
	h.mustShow("Archived")
	h.mustShow("Ready for inventory") // the Entra source still counts

	h.selectSource("entra-prod")
	h.tap("Archive selected source…")
	h.tap("Archive")
	h.mustShow("Merge into existing  ·  Draft")
	h.mustShow("Add an Okta or Entra source.")
	if n := b.secrets.Len(); n != 0 {
		t.Errorf("archived sources left %d credentials in the keychain", n)
	}

	h.stage("Audit trail")
	h.mustShow(audit.SourceArchived)
	h.tap("Verify trail")
	h.mustShow("Trail intact (5 entries)")

	for _, s := range uitest.Texts(h.cv) {
		if strings.Contains(s, canary) {
			t.Fatalf("the window shows the typed credential in %q", s)
		}
	}

	b.files["/workspaces/acme.migration"].Tamper(2, func(e *audit.Entry) { e.Facts["org_url"] = "https://evil.example.com" })
	h.tap("Verify trail")
	h.mustShow("Trail broken at entry 2: edited")
}

func TestWorkspaceScreenShowsSummaryAndTarget(t *testing.T) {
	b := newMemBackend()
	h := start(t, b)
	h.typeInto("File", "/workspaces/target.migration")
	h.typeInto("Tenant ID", "target-test")
	h.typeInto("Target URL", "http://127.0.0.1:8443")
	h.typeInto("Target token", "fake-portal-token-for-tests")
	h.tap("Create workspace")
	h.stage("Workspace")
	for _, want := range []string{
		"Pending merge decisions", "Preview handoff blockers", "Unavoidable changes",
		"First-run adoption", "Not applicable", "http://127.0.0.1:8443", "Not connected yet",
	} {
		h.mustShow(want)
	}
	h.mustNotShow("fake-portal-token-for-tests")
}

func TestRecentWorkspacesMarkMissingFiles(t *testing.T) {
	b := newMemBackend()
	h := start(t, b)
	present := filepath.Join(t.TempDir(), "present.migration")
	if err := os.WriteFile(present, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.createWorkspace(present, "present-test")
	h.c.ShowWelcome()
	h.createWorkspace("/nonexistent-dir/gone.migration", "gone-test")
	h.mustShow("Tenant gone-test")

	h.c.ShowWelcome()
	h.mustShow("/nonexistent-dir/gone.migration (missing)")
	h.mustNotShow(present + " (missing)")
	h.tap("Open") // only the present file offers Open
	h.mustShow("Tenant present-test")
}
