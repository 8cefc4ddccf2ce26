package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/workspacedb"
	"github.com/portal-id/migration-console/ui/shell"
	"github.com/portal-id/migration-console/ui/uitest"
)

var guiEstate = cutovertest.Shape{Providers: 1, Groups: 4, Apps: 4, Assignments: 6}

const guiPortalToken = "fake-portal-token-for-the-cutover-gui-test"

// cutoverWorkspace is a first-run workspace file holding an assessed
// estate, connected to a sandbox Portal over loopback HTTP, with the
// sandbox's own client for checking what the target holds.
func cutoverWorkspace(t *testing.T) (string, *client.Client) {
	t.Helper()
	ctx := context.Background()
	sb, err := wiring.StartSandbox(ctx, wiring.SandboxSpec{Path: filepath.Join(t.TempDir(), "sandbox.db"), Seed: sandbox.SeedEmpty,
		Tenant: "gui-cutover", Actor: "consultant@example.test", Token: secret.New(guiPortalToken)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	path := filepath.Join(t.TempDir(), "cutover.migration")
	w, ws, err := wiring.Create(ctx, path, workspace.CreateRequest{Tenant: "gui-cutover", Mode: workspace.ModeFirstRunAdoption})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Cleanup(func() {
		for _, role := range []string{workspace.RoleTargetToken, workspace.SourceRole("gui-okta")} {
			_ = w.Keychain.Delete(context.Background(), ws.ID, role)
		}
	})
	src, err := w.Service.AddSource(ctx, workspace.NewSource{Name: "gui-okta", Kind: "okta",
		Settings: map[string]string{"org_url": "https://gui-cutover.okta.example"}, Credential: secret.New("fake-okta-token-for-the-gui-test")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	snap := inventory.Snapshot{ID: workspace.NewID(), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
		Status: inventory.StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: "test", Counts: map[inventory.Kind]int{}}
	var items []inventory.Item
	if err := cutovertest.Generate(guiEstate, func(it inventory.Item) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	err = w.DB.UpdateTx(ctx, func(tx *workspacedb.Tx) error {
		if err := tx.InsertSnapshot(snap); err != nil {
			return err
		}
		if err := tx.SaveItems(snap.ID, items); err != nil {
			return err
		}
		counts, pages, err := tx.CountItems(snap.ID)
		if err != nil {
			return err
		}
		snap.Status, snap.FinishedAt, snap.Counts, snap.PageCount, snap.ItemCount = inventory.StatusCompleted, &now, counts, pages, len(items)
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Connected first, so the assessment reads the (empty) live target;
	// then every OCM impact acknowledged: the gate opens.
	if _, _, err := w.ConnectTarget(ctx, sb.URL, secret.New(guiPortalToken)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Assessment.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.OCM.Acknowledge(ctx, ocm.AckRequest{Note: "test-only acknowledgement"}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(sb.URL, secret.New(guiPortalToken))
	if err != nil {
		t.Fatal(err)
	}
	return path, c
}

// labelWith is the first text on screen that holds part.
func (g *gui) labelWith(part string) string {
	for _, s := range uitest.Texts(g.cv) {
		if strings.Contains(s, part) {
			return s
		}
	}
	return ""
}

func liveCount(t *testing.T, c *client.Client) int {
	t.Helper()
	ctx := context.Background()
	counts, err := c.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// The cutover stage end to end against a sandbox Portal: create, preview,
// apply (with the client secrets shown once), probe, roll back.
func TestCutoverStage(t *testing.T) {
	needKeychain(t)
	path, portal := cutoverWorkspace(t)
	g := startGUI(t, backend{})
	g.c.Open(path)
	g.c.Wait()
	g.stageNamed("Cutover")
	g.c.Wait()
	g.mustShow("The preview-handoff gate is open: plans can be created, previewed and applied.")
	if uitest.Button(t, g.cv, "Apply…").Disabled() == false {
		t.Fatal("Apply is enabled before a plan exists")
	}

	g.tap("Create plan")
	if line := g.labelWith("Plan "); !strings.Contains(line, "Draft") || !strings.Contains(line, fmt.Sprintf("%d planned", guiEstate.Planned())) {
		t.Fatalf("plan line after create: %q", line)
	}
	g.tap("Preview")
	if line := g.labelWith("Previewed: the token"); line == "" {
		t.Fatalf("no token line after preview; the window shows %q", uitest.Texts(g.cv))
	}
	g.mustShow("Preview")

	g.tap("Apply…")
	g.tap("Yes") // the confirmation
	deadline := time.Now().Add(20 * time.Second)
	for !uitest.Shows(g.cv, "Client secrets, shown once") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		g.c.Wait()
	}
	g.mustShow("Install each client secret now: it is shown once and stored nowhere.")
	confidential := 0
	for i := range guiEstate.Apps {
		if i%4 != 3 {
			confidential++
		}
	}
	copies := 0
	for _, o := range uitest.Objects(g.cv) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Copy" {
			copies++
		}
	}
	if copies != confidential {
		t.Fatalf("%d secrets shown with a copy button, want one per confidential client (%d)", copies, confidential)
	}
	if line := g.labelWith("have not reached you"); !strings.Contains(line, fmt.Sprintf(" %d client secrets have not reached you yet.", confidential)) {
		t.Fatalf("run line while the secrets are shown: %q", line)
	}
	g.tap("I have saved them")
	g.c.Wait()
	// Once saved, the run line stops asking for them.
	if line := g.labelWith("client secrets"); strings.Contains(line, "have not reached you") ||
		!strings.Contains(line, fmt.Sprintf(" %d client secrets delivered.", confidential)) {
		t.Fatalf("run line after the secrets were saved: %q", line)
	}
	if n := liveCount(t, portal); n != guiEstate.Planned() {
		t.Fatalf("the target holds %d objects after apply, want %d", n, guiEstate.Planned())
	}
	if line := g.labelWith("Apply run "); !strings.Contains(line, "Completed with follow up") {
		t.Fatalf("plan line after apply: %q", line)
	}

	g.tap("Probe")
	if line := g.labelWith("Newest probe run"); !strings.Contains(line, "0 fail") {
		t.Fatalf("probe line: %q", line)
	}

	g.tap("Roll back…")
	g.tap("Roll back")
	deadline = time.Now().Add(20 * time.Second)
	for liveCount(t, portal) != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		g.c.Wait()
	}
	if n := liveCount(t, portal); n != 0 {
		t.Fatalf("the target holds %d objects after rollback", n)
	}
	g.c.Wait()
	if line := g.labelWith("Rollback run "); !strings.Contains(line, "Completed") {
		t.Fatalf("plan line after rollback: %q", line)
	}
}

// An apply interrupted elsewhere (here: cancelled in-process) is resumed
// from the stage.
func TestCutoverStageResumes(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	path, portal := cutoverWorkspace(t)
	w, err := wiring.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := w.Cutover.Create(ctx, cutover.CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := w.TargetClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := w.Cutover.Preview(ctx, plan.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	// Cancelled as the first step starts: the run stops after the steps
	// already sent and is interrupted.
	out, err := w.Cutover.Apply(runCtx, plan.ID, prev.Token, c, cutover.ApplyOptions{Progress: func(cutover.Progress) { cancel() }})
	if err != nil || !out.Cancelled {
		t.Fatalf("cancelled apply: %v %+v", err, out)
	}
	w.Close()

	g := startGUI(t, backend{})
	g.c.Open(path)
	g.c.Wait()
	g.stageNamed("Cutover")
	g.c.Wait()
	if line := g.labelWith("Apply run "); !strings.Contains(line, "interrupted, resumable") {
		t.Fatalf("plan line of an interrupted apply: %q", line)
	}
	g.tap("Resume")
	deadline := time.Now().Add(20 * time.Second)
	for !uitest.Shows(g.cv, "Client secrets, shown once") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		g.c.Wait()
	}
	g.tap("I have saved them")
	if n := liveCount(t, portal); n != guiEstate.Planned() {
		t.Fatalf("the target holds %d objects after resume, want %d", n, guiEstate.Planned())
	}
}

// stageNamed selects the navigator entry titled title.
func (g *gui) stageNamed(title string) {
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

// The cutover stage's source select shows a demo source's whole name, not
// "demo-…": a select is only as wide as its placeholder unless given room.
func TestCutoverSourceSelectFitsSourceNames(t *testing.T) {
	needKeychain(t)
	_, run := launch(t, filepath.Join(t.TempDir(), "storage", "demo.migration"))
	a := test.NewTempApp(t)
	win := a.NewWindow("console")
	win.Resize(fyne.NewSize(1400, 900))
	s := session(run.w)
	s.Close = nil // the demo launch closes the file
	c := shell.New(a, win, sessionBackend{s})
	t.Cleanup(c.Close)
	g := &gui{t: t, c: c, cv: win.Canvas()}
	c.Open(run.w.Path)
	c.Wait()
	g.stageNamed("Cutover")
	c.Wait()

	sel := uitest.Find[*widget.Select](t, g.cv)
	if len(sel.Options) == 0 {
		t.Fatal("the cutover stage lists no source")
	}
	th := sel.Theme()
	// The select's text area: its width less the drop icon, the inner
	// padding before it and the label's padding (Fyne's select layout).
	chrome := th.Size(theme.SizeNameInlineIcon) + th.Size(theme.SizeNameInnerPadding) + 3*th.Size(theme.SizeNamePadding)
	for _, name := range sel.Options {
		need := fyne.MeasureText(name, th.Size(theme.SizeNameText), fyne.TextStyle{}).Width + chrome
		if w := sel.Size().Width; w < need {
			t.Errorf("the source select is %.0f wide: %q needs %.0f and is cut short", w, name, need)
		}
	}
}
