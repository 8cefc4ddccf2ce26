package screens

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
	"github.com/portal-id/migration-console/ui/uitest"
)

const (
	fakeManageToken = "fake-portal-manage-token-for-tests"
	fakeGuestToken  = "fake-portal-guest-token-for-tests"
)

// fakeProbe answers whoami for two known tokens, as a Portal would.
func fakeProbe(_ context.Context, url string, token secret.Value) (workspace.TargetIdentity, error) {
	switch token.Reveal() {
	case fakeManageToken:
		return workspace.TargetIdentity{Tenant: "acme", Actor: "consultant@example-corp.test", SessionContext: "customer_tenant",
			Permissions: []string{workspace.PermissionView, workspace.PermissionManage}}, nil
	case fakeGuestToken:
		return workspace.TargetIdentity{Tenant: "acme", Actor: "visitor@example-corp.test", SessionContext: workspace.SessionGuestAccess,
			Permissions: []string{workspace.PermissionView}}, nil
	}
	return workspace.TargetIdentity{}, errors.New("portal: 401 unauthorized: the token is not known to this Portal")
}

// probeConnector is the real engine Connect with the fake probe.
type probeConnector struct{ svc *workspace.Service }

func (p probeConnector) ConnectTarget(ctx context.Context, url string, token secret.Value) (workspace.Workspace, workspace.TargetIdentity, error) {
	return p.svc.Connect(ctx, url, token, fakeProbe)
}

type connectHarness struct {
	t       *testing.T
	svc     *workspace.Service
	secrets *uitest.MemSecrets
	tasks   *task.Group
	cv      fyne.Canvas
}

func newConnectHarness(t *testing.T) *connectHarness {
	test.NewTempApp(t)
	ctx := context.Background()
	secrets := &uitest.MemSecrets{}
	store := &uitest.MemStore{}
	svc := &workspace.Service{Store: store, Secrets: secrets, Actor: "test-consultant"}
	ready := &readiness.Service{Store: store.Readiness()}
	if _, err := svc.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeMergeIntoExisting}); err != nil {
		t.Fatal(err)
	}
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(1000, 900))
	tasks := task.NewGroup()
	t.Cleanup(tasks.Cancel)
	var screen Screen
	reload := func() {
		st, err := Load(ctx, svc, ready)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		screen.Show(st)
	}
	screen = NewWorkspaceScreen(Env{Window: win, Workspace: svc, Readiness: ready, Target: probeConnector{svc}, Tasks: tasks, Changed: reload})
	win.SetContent(screen.Content())
	reload()
	return &connectHarness{t: t, svc: svc, secrets: secrets, tasks: tasks, cv: win.Canvas()}
}

// connect fills the Connect form and submits it, waiting for the answer.
func (h *connectHarness) connect(url, token string) {
	h.t.Helper()
	test.Tap(uitest.Button(h.t, h.cv, "Connect to the Portal…"))
	u := uitest.FormField[*widget.Entry](h.t, h.cv, "Admin API URL")
	u.SetText("")
	test.Type(u, url)
	test.Type(uitest.FormField[*widget.Entry](h.t, h.cv, "Admin token"), token)
	test.Tap(uitest.Button(h.t, h.cv, "Test and connect"))
	h.tasks.Wait()
}

func (h *connectHarness) mustShow(want string) {
	h.t.Helper()
	if !uitest.Shows(h.cv, want) {
		h.t.Fatalf("the window does not show %q; it shows %q", want, uitest.Texts(h.cv))
	}
}

func (h *connectHarness) target() workspace.Target {
	h.t.Helper()
	ws, err := h.svc.Get(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ws.Target
}

func TestConnectFormShowsTheFacts(t *testing.T) {
	h := newConnectHarness(t)
	h.mustShow("Not connected yet")

	h.connect("http://127.0.0.1:8787", fakeManageToken)
	h.mustShow("Connected to tenant acme as consultant@example-corp.test (Customer tenant session); writes are allowed")
	for _, fact := range []string{"http://127.0.0.1:8787", "customer_tenant", "portal.migrations.view, portal.migrations.manage"} {
		h.mustShow(fact) // the target grid, reloaded from the workspace
	}
	if uitest.Shows(h.cv, "Test and connect") {
		t.Error("the form is still open after a successful connection")
	}
	if tgt := h.target(); tgt.TenantID != "acme" || tgt.ConnectedAt == nil {
		t.Errorf("the workspace did not record the connection: %+v", tgt)
	}
	for _, s := range uitest.Texts(h.cv) {
		if strings.Contains(s, fakeManageToken) {
			t.Fatalf("the window shows the token in %q", s)
		}
	}
}

func TestConnectFormShowsTheRefusal(t *testing.T) {
	h := newConnectHarness(t)

	h.connect("http://127.0.0.1:8787", fakeGuestToken)
	h.mustShow("Not connected; nothing was changed.")
	h.mustShow("guest_access session")
	if tgt := h.target(); tgt.URL != "" || tgt.TenantID != "" || h.secrets.Len() != 0 {
		t.Errorf("a refused token changed the workspace or keychain: %+v, %d secrets", tgt, h.secrets.Len())
	}
	for _, s := range uitest.Texts(h.cv) {
		if strings.Contains(s, fakeGuestToken) {
			t.Fatalf("the window shows the token in %q", s)
		}
	}

	// The form stays open to correct the token; an unknown one is refused
	// with the Portal's own reason.
	tok := uitest.FormField[*widget.Entry](h.t, h.cv, "Admin token")
	test.Type(tok, "fake-portal-unknown-token-for-tests")
	test.Tap(uitest.Button(h.t, h.cv, "Test and connect"))
	h.tasks.Wait()
	h.mustShow("the token is not known to this Portal")
	h.mustShow("Not connected yet")
}
