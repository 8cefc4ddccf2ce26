package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/ui/uitest"
)

// TestPilotFromIncumbentGroup: on the demo (which opens with each source
// collected, group membership included), a consultant creates a pilot from the incumbent group Finance in the
// wave board, sees who matched a Portal account and who is not in the
// wave and why (JIT, an email two accounts share, deprovisioned in Okta),
// finds them again in the preview, and the role simulator shows each
// user's role under the mapping the demo opens with.
func TestPilotFromIncumbentGroup(t *testing.T) {
	needKeychain(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.migration")
	g := startGUI(t, backend{demoPath: path})
	g.c.OpenDemo()
	g.c.Wait()
	t.Cleanup(func() { _ = forgetDemo(context.Background(), path) })
	g.mustShow("Tenant demo-tenant")

	g.stage("SSO rollout")
	g.c.Wait()
	g.tabs()[0].SelectIndex(1)
	g.c.Wait()
	g.tap("New pilot or wave…")
	g.typeInto("Name", "Finance pilot")
	uitest.FormField[*widget.RadioGroup](t, g.cv, "Choose users by").SetSelected("Incumbent group")
	g.c.Wait()
	src := uitest.FormField[*widget.Select](t, g.cv, "Incumbent group")
	if !slices.Equal(src.Options, []string{demoEntraSource, demoOktaSource}) {
		t.Fatalf("the group picker offers sources %q, want both collected demo sources", src.Options)
	}
	src.SetSelected(demoOktaSource)
	uitest.FormField[*widget.SelectEntry](t, g.cv, "Incumbent group").SetText("Finance")
	g.tap("Create")
	g.mustShow("Wave created from incumbent groups")
	g.mustShow("Matched (7)")
	g.mustShow("Not in the wave (3)")
	g.mustShow("1 has no Portal account (JIT will create it at the first SSO login)")
	g.tap("Close")

	uitest.Find[*widget.Table](t, g.cv).Select(widget.TableCellID{Row: 0, Col: 0})
	g.tap("Preview and apply…")
	g.mustShow("5 changes; 2 users or objects left out")
	dlg := g.tabs()
	dlg[len(dlg)-1].SelectIndex(2)
	g.mustShow("nadia.rahman@example-corp.com")
	g.mustShow("No Portal account (JIT)")
	g.mustShow("Ambiguous email")
	g.mustShow("Inactive in incumbent")
	g.tap("Close")

	g.tabs()[0].SelectIndex(4)
	g.c.Wait()
	g.mustShow("Engineering")
	g.tap("Simulate")
	g.mustShow("users:")
	tabs := g.tabs()
	sim := tabs[len(tabs)-1]
	if sim.Items[1].Text == "Users (membership not collected)" {
		t.Fatal("the simulator says membership was not collected")
	}
	sim.SelectIndex(1)
	g.mustShow("elena.rossi@example-corp.com")
	g.mustShow("role operator")
}
