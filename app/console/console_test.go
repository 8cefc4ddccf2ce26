package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

// needKeychain skips when no OS keychain answers, unless PMC_KEYCHAIN_TESTS=1
// (make test, CI) makes that a failure.
func needKeychain(t *testing.T) {
	t.Helper()
	k, ctx := keychain.New(), context.Background()
	err := k.Set(ctx, "console-test-probe", "probe", secret.New("fake-probe-for-tests"))
	if err == nil {
		err = k.Delete(ctx, "console-test-probe", "probe")
	}
	if err == nil {
		return
	}
	if os.Getenv("PMC_KEYCHAIN_TESTS") != "1" && errors.Is(err, keychain.ErrUnavailable) {
		t.Skipf("no OS keychain (run under scripts/with-keyring.sh): %v", err)
	}
	t.Fatalf("keychain probe: %v", err)
}

type gui struct {
	t  *testing.T
	c  *shell.Console
	cv fyne.Canvas
}

func startGUI(t *testing.T, b backend) *gui {
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 900))
	c := shell.New(a, win, b)
	t.Cleanup(c.Close)
	c.ShowWelcome()
	return &gui{t: t, c: c, cv: win.Canvas()}
}

func (g *gui) typeInto(label, text string) {
	g.t.Helper()
	e := uitest.FormField[*widget.Entry](g.t, g.cv, label)
	e.SetText("")
	test.Type(e, text)
}

func (g *gui) tap(button string) {
	g.t.Helper()
	test.Tap(uitest.Button(g.t, g.cv, button))
	g.c.Wait()
}

func (g *gui) mustShow(want string) {
	g.t.Helper()
	if !uitest.Shows(g.cv, want) {
		g.t.Fatalf("the window does not show %q; it shows %q", want, uitest.Texts(g.cv))
	}
}

// stage opens the navigator's stage of that title.
func (g *gui) stage(title string) {
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
	g.t.Fatalf("no stage %q in the navigator", title)
}

// TestCanaryCredentialStaysInKeychain types a unique credential into the
// source form and looks for it everywhere it must not be: the workspace
// file with its WAL and shared-memory files, and every text the window holds.
func TestCanaryCredentialStaysInKeychain(t *testing.T) {
	needKeychain(t)
	const canary = "fake-okta-token-for-tests-canary-Zt81mQ"
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.migration")
	g := startGUI(t, backend{demoPath: filepath.Join(dir, "demo.migration")})

	g.typeInto("File", path)
	g.typeInto("Tenant ID", "acme-test")
	g.tap("Create workspace")
	g.mustShow("Tenant acme-test")

	g.stage("Sources")
	g.tap("Add Okta source")
	g.typeInto("Name", "okta-canary")
	g.typeInto("Org URL", "https://acme-test.okta.com")
	g.typeInto("Credential", canary)
	g.tap("Add source")
	g.mustShow("okta-canary")
	g.mustShow("Ready for inventory")

	w, err := wiring.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ws, err := w.Service.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	role := workspace.SourceRole("okta-canary")
	t.Cleanup(func() { _ = w.Keychain.Delete(context.Background(), ws.ID, role) })
	got, err := w.Keychain.Get(context.Background(), ws.ID, role)
	if err != nil || got.Reveal() != canary {
		t.Fatalf("the keychain does not hold the typed credential (err %v)", err)
	}

	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Fatalf("%s holds the credential", filepath.Base(path+suffix))
		}
	}
	for _, s := range uitest.Texts(g.cv) {
		if strings.Contains(s, canary) {
			t.Fatalf("the window holds the credential in %q", s)
		}
	}
}

func TestCreateRefusedLeavesNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.migration")
	b := backend{}
	_, err := b.Create(context.Background(), path, workspace.CreateRequest{Tenant: "Bad Tenant", Mode: workspace.ModeFirstRunAdoption})
	if !errors.Is(err, workspace.ErrInvalid) {
		t.Fatalf("err %v, want invalid input", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused create left %s behind (stat err %v)", path, err)
	}
}
