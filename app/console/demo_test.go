package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	entrademo "github.com/portal-id/migration-console/assets/demo/entra"
	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/ui/shell"
)

// launch opens the demo at path the way the GUI does and returns the
// session with the run behind it; the test's end closes it and removes the
// file and the secrets it named.
func launch(t *testing.T, path string) (shell.Session, *demoRun) {
	t.Helper()
	ctx := context.Background()
	s, err := openDemo(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	demos.Lock()
	run := demos.running[path]
	demos.Unlock()
	if run == nil {
		t.Fatal("the launch is not registered as running")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := forgetDemo(ctx, path); err != nil {
			t.Error(err)
		}
	})
	return s, run
}

// serverURLs are the launch's three loopback servers.
func serverURLs(r *demoRun) []string {
	return []string{r.estate.okta.URL, r.estate.graph.URL(), r.estate.portalURL}
}

// answers reports whether anything accepts HTTP requests at rawURL.
func answers(t *testing.T, rawURL string) bool {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// wantEntraCounts is what the Entra collector makes of the demo tenant:
// registrations and service principals are both applications.
func wantEntraCounts(t *testing.T) map[inventory.Kind]int {
	t.Helper()
	tenant, err := graphreplay.Load(entrademo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	n := tenant.Counts()
	return map[inventory.Kind]int{
		inventory.KindApplication: n[graphreplay.Applications] + n[graphreplay.ServicePrincipals],
		inventory.KindDomain:      n[graphreplay.Domains],
		inventory.KindGroup:       n[graphreplay.Groups],
		inventory.KindPolicy:      n[graphreplay.Policies],
		inventory.KindAssignment:  n[graphreplay.AppRoleAssignedTo],
	}
}

func wantOktaCounts(t *testing.T) map[inventory.Kind]int {
	t.Helper()
	org, err := oktareplay.LoadFS(oktademo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	return org.Counts()
}

// TestDemoCollectsBothIncumbentsAndConnectsTheSandbox walks the demo the
// way a consultant would: the workspace is in merge mode, connected to the
// sandbox Portal, and both sources collect through the real SDKs from live
// loopback servers, item for item what the bundled payloads hold.
func TestDemoCollectsBothIncumbentsAndConnectsTheSandbox(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "storage", "demo.migration")
	s, run := launch(t, path)
	if s.Path != path || s.Workspace == nil || s.Inventory == nil {
		t.Fatalf("the demo session is incomplete: %+v", s)
	}

	ws, err := run.w.Service.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Tenant != demoTenant || ws.Mode != workspace.ModeMergeIntoExisting {
		t.Fatalf("demo workspace is %s in %s", ws.Tenant, ws.Mode)
	}
	if ws.Target.URL != run.estate.portalURL || ws.Target.TenantID != sandbox.DemoTenant || ws.Target.ConnectedAt == nil {
		t.Fatalf("the demo is not connected to its sandbox Portal: %+v", ws.Target)
	}
	if !slices.Contains(ws.Target.Permissions, workspace.PermissionManage) {
		t.Fatalf("the demo's admin token cannot write: %v", ws.Target.Permissions)
	}
	tok, err := run.w.Keychain.Get(ctx, ws.ID, workspace.RoleTargetToken)
	if err != nil || tok.Reveal() != run.estate.adminToken.Reveal() {
		t.Fatalf("the keychain does not hold the sandbox admin token (err %v)", err)
	}

	snapshots := map[string]string{}
	for _, c := range []struct {
		source string
		want   map[inventory.Kind]int
	}{
		{demoOktaSource, wantOktaCounts(t)},
		{demoEntraSource, wantEntraCounts(t)},
	} {
		src, err := run.w.Service.Source(ctx, c.source)
		if err != nil {
			t.Fatal(err)
		}
		v, err := run.w.Vendors.Lookup(src.Kind)
		if err != nil {
			t.Fatal(err)
		}
		bases, err := v.Endpoints(src.Settings)
		if err != nil || len(bases) == 0 {
			t.Fatalf("source %s names no endpoint (%v)", c.source, err)
		}
		for _, base := range bases {
			if u, err := url.Parse(base); err != nil || !endpoint.IsLoopback(u.Hostname()) {
				t.Fatalf("source %s points at %q, not at loopback", c.source, base)
			}
		}
		snap, err := run.w.Inventory.Collect(ctx, c.source, inventory.CollectOptions{}, nil)
		if err != nil {
			t.Fatalf("collect %s: %v", c.source, err)
		}
		if snap.Status != inventory.StatusCompleted {
			t.Fatalf("collect %s ended %s: %s", c.source, snap.Status, snap.Error)
		}
		for _, k := range inventory.Kinds {
			if snap.Counts[k] != c.want[k] {
				t.Errorf("%s %s: collected %d, the demo payloads hold %d", c.source, k, snap.Counts[k], c.want[k])
			}
		}
		snapshots[c.source] = snap.ID
	}

	// Merge review needs collisions: each incumbent holds a group and an
	// application named like ones the sandbox Portal already has live.
	portal, _, err := run.w.TargetClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := portal.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := portal.ListApplications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	live := map[inventory.Kind][]string{}
	for _, g := range groups {
		live[inventory.KindGroup] = append(live[inventory.KindGroup], g.Name)
	}
	for _, a := range apps {
		live[inventory.KindApplication] = append(live[inventory.KindApplication], a.Name)
	}
	for source, snapID := range snapshots {
		for kind, names := range live {
			if !overlaps(t, run, snapID, kind, names) {
				t.Errorf("%s has no %s named like a live Portal one (%q)", source, kind, names)
			}
		}
	}

	// Every demo credential stays in the keychain: neither the workspace
	// file nor the sandbox's holds one.
	secrets := [][]byte{[]byte(demoOktaToken), []byte(demoEntraToken), []byte(run.estate.adminToken.Reveal())}
	sandboxPath := filepath.Join(filepath.Dir(path), demoSandboxFile)
	for _, f := range []string{path, path + "-wal", path + "-shm", sandboxPath, sandboxPath + "-wal", sandboxPath + "-shm"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if bytes.Contains(b, secret) {
				t.Errorf("%s holds a demo credential", filepath.Base(f))
			}
		}
	}
}

// overlaps reports whether the snapshot holds an item of kind named like
// one of names.
func overlaps(t *testing.T, run *demoRun, snapshotID string, kind inventory.Kind, names []string) bool {
	t.Helper()
	for _, name := range names {
		page, err := run.w.Inventory.Items(context.Background(), inventory.ItemQuery{SnapshotID: snapshotID, Kind: kind, Text: name})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if it.DisplayName == name {
				return true
			}
		}
	}
	return false
}

// TestDemoRelaunchStartsAfresh opens the demo three times, the second time
// while the first is still open (the menu's "Open the demo" on the demo):
// each launch has a new workspace on new servers, and the previous one's
// servers, snapshots and keychain entries are gone.
func TestDemoRelaunchStartsAfresh(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.migration")

	_, first := launch(t, path)
	firstWS, err := first.w.Service.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	firstSnap, err := first.w.Inventory.Collect(ctx, demoOktaSource, inventory.CollectOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}

	second, run2 := launch(t, path)
	for _, u := range serverURLs(first) {
		if answers(t, u) {
			t.Errorf("the first launch's server at %s still answers", u)
		}
	}
	for _, role := range []string{workspace.RoleTargetToken, workspace.SourceRole(demoOktaSource), workspace.SourceRole(demoEntraSource)} {
		if _, err := run2.w.Keychain.Get(ctx, firstWS.ID, role); !errors.Is(err, keychain.ErrNotFound) {
			t.Errorf("the first launch's %s is still in the keychain (err %v)", role, err)
		}
	}
	ws2, err := run2.w.Service.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws2.ID == firstWS.ID {
		t.Fatal("the second launch reused the first launch's workspace")
	}
	// A launch starts with the one snapshot per source it takes itself
	// (prepareDemo), none of the previous launch's.
	snaps, err := run2.w.Inventory.Snapshots(ctx)
	if err != nil || len(snaps) != 2 || slices.ContainsFunc(snaps, func(s inventory.Snapshot) bool { return s.ID == firstSnap.ID }) {
		t.Fatalf("the second launch starts with %d snapshots (err %v), want its own two", len(snaps), err)
	}

	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	_, run3 := launch(t, path)
	for _, u := range serverURLs(run3) {
		if !answers(t, u) {
			t.Errorf("the third launch's server at %s does not answer", u)
		}
	}
	if _, err := run3.w.Inventory.Collect(ctx, demoEntraSource, inventory.CollectOptions{}, nil); err != nil {
		t.Fatalf("the third launch cannot collect: %v", err)
	}
}

// TestDemoOpensInTheWindowAndStopsOnClose opens the demo from the welcome
// screen, walks to its sources, and closes the console: every server stops.
func TestDemoOpensInTheWindowAndStopsOnClose(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.migration")
	t.Cleanup(func() {
		if err := forgetDemo(ctx, path); err != nil {
			t.Error(err)
		}
	})
	g := startGUI(t, backend{demoPath: path})
	g.tap("Open the demo")
	g.mustShow("Tenant " + demoTenant)
	var titles []string
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		titles = append(titles, w.Title())
	}
	if !slices.ContainsFunc(titles, func(s string) bool { return strings.HasPrefix(s, demoName+" — ") }) {
		t.Errorf("no window is titled as the demo: %q", titles)
	}
	g.mustShow(string(api.CustomerTenant)) // the connected target's session context
	g.stage("Sources")
	g.mustShow(demoOktaSource)
	g.mustShow(demoEntraSource)
	g.mustShow("tenant " + demoEntraTenantID)

	demos.Lock()
	run := demos.running[path]
	demos.Unlock()
	if run == nil {
		t.Fatal("the demo is not running")
	}
	urls := serverURLs(run)
	for _, u := range urls {
		if !answers(t, u) {
			t.Fatalf("the demo server at %s does not answer", u)
		}
	}
	g.c.Close()
	for _, u := range urls {
		if answers(t, u) {
			t.Errorf("the demo server at %s still answers after the console closed", u)
		}
	}
}
