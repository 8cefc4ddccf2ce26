package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/storage/sandboxdb"
	"github.com/portal-id/migration-console/ui/uitest"
)

// tabs returns the visible tab containers: the stage's first, then any
// dialog's.
func (g *gui) tabs() []*container.AppTabs {
	var out []*container.AppTabs
	for _, o := range uitest.Objects(g.cv) {
		if t, ok := o.(*container.AppTabs); ok {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		g.t.Fatal("no tabs on screen")
	}
	return out
}

func (g *gui) check(text string) {
	g.t.Helper()
	for _, o := range uitest.Objects(g.cv) {
		if c, ok := o.(*widget.Check); ok && c.Text == text {
			test.Tap(c)
			return
		}
	}
	g.t.Fatalf("no check box %q on screen", text)
}

// linkDemoUsers records an SSO link and a successful login for the demo
// users with these emails, as their first SSO login would.
func linkDemoUsers(t *testing.T, store sandbox.Store, emails ...string) {
	t.Helper()
	err := store.Update(context.Background(), func(tx sandbox.Tx) error {
		for after := int64(0); ; {
			objs, err := tx.List(sandbox.DemoTenant, sandbox.KindUser, after, 500)
			if err != nil {
				return err
			}
			for _, o := range objs {
				after = o.Seq
				var u api.User
				if err := json.Unmarshal(o.Body, &u); err != nil {
					return err
				}
				if u.Email == nil || !slices.Contains(emails, *u.Email) {
					continue
				}
				full, err := tx.Get(sandbox.DemoTenant, sandbox.KindUser, o.ID)
				if err != nil {
					return err
				}
				now := u.CreatedAt
				u.SsoLink, u.LastSsoLoginAt = &api.SsoLink{Issuer: sandbox.DemoSAMLEntityID, Subject: "sub-" + u.Id}, &now
				full.Body, _ = json.Marshal(u)
				full.ETag = fmt.Sprintf(`"linked-%s"`, u.Id)
				if err := tx.Replace(full); err != nil {
					return err
				}
			}
			if len(objs) < 500 {
				return nil
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRolloutStageFlow drives the rollout stage on the demo as a
// consultant would: checklist, routing tester, a five-user pilot, logins,
// enforcement with the warning read and the unlinked users named, and a
// rollback; then checks the Portal and the audit trail.
func TestRolloutStageFlow(t *testing.T) {
	needKeychain(t)
	saved := demoLogins
	demoLogins = sandbox.LoginSimulation{} // logins are played by the test, so outcomes are fixed
	t.Cleanup(func() { demoLogins = saved })
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.migration")
	g := startGUI(t, backend{demoPath: path})
	g.c.OpenDemo()
	g.c.Wait()
	t.Cleanup(func() { _ = forgetDemo(context.Background(), path) })
	g.mustShow("Tenant demo-tenant")

	g.stage("SSO rollout")
	g.c.Wait()
	g.mustShow("BLOCK  Duplicate canonical emails")
	g.mustShow("WARN  At least one break-glass administrator")

	probe := uitest.Find[*widget.Entry](t, g.cv)
	test.Type(probe, "maria.garcia@example-corp.com")
	g.tap("Test routing")
	g.mustShow("to Okta Corporate SAML, whose SSO configuration is enabled")

	g.tabs()[0].SelectIndex(1)
	g.c.Wait()
	g.tap("New pilot or wave…")
	g.typeInto("Name", "Pilot")
	uitest.FormField[*widget.RadioGroup](t, g.cv, "Choose users by").SetSelected("By hand")
	pilot := []string{"aisha.khan@example-corp.com", "ben.carter@example-corp.com", "chloe.martin@example-corp.com",
		"daniel.novak@example-corp.com", "elena.rossi@example-corp.com"}
	g.typeInto("List", strings.Join(pilot, "\n"))
	g.tap("Create")
	board := uitest.Find[*widget.Table](t, g.cv)
	board.Select(widget.TableCellID{Row: 0, Col: 0})
	g.tap("Preview and apply…")
	g.mustShow("5 changes; 0 users or objects left out")
	g.tap("Apply")
	g.mustShow("Done: 5 applied")

	demos.Lock()
	run := demos.running[path]
	demos.Unlock()
	// A second connection to the running sandbox's file, as the logins
	// would write it.
	store, err := sandboxdb.Open(context.Background(), run.estate.portal.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	linkDemoUsers(t, store, pilot[:3]...)

	g.tabs()[0].SelectIndex(1)
	g.c.Wait()
	uitest.Find[*widget.Table](t, g.cv).Select(widget.TableCellID{Row: 0, Col: 0})
	g.tap("Enforce SSO_REQUIRED…")
	g.mustShow(rollout.EnforcementWarning)
	g.tap("Preview")
	g.mustShow("3 changes; 2 users or objects left out")
	if !uitest.Button(t, g.cv, "Apply").Disabled() {
		t.Fatal("enforcement can be applied before the warning is acknowledged")
	}
	dlg := g.tabs()
	dlg[len(dlg)-1].SelectIndex(1)
	g.mustShow("daniel.novak@example-corp.com")
	g.mustShow("not SSO-linked: no successful SSO login yet; enforcing could lock them out")
	g.check("I have read this warning")
	g.tap("Apply")
	g.mustShow("Done: 3 applied")

	g.tabs()[0].SelectIndex(3)
	g.c.Wait()
	g.tap("Preview the rollback…")
	g.mustShow("SSO_REQUIRED → LOCAL_ONLY")
	g.tap("Apply")
	g.mustShow("Done:")

	// Role mapping: an elevated rule is written only once approved.
	g.tabs()[0].SelectIndex(4)
	g.c.Wait()
	g.tap("Edit rules…")
	editor := uitest.Find[*widget.Entry](t, g.cv)
	editor.SetText(`{"rules": [{"source_attribute": "groups", "match_value": "Engineering", "role": "operator"},
		{"source_attribute": "groups", "match_value": "Platform Admins", "role": "admin"}], "default_role": "member"}`)
	g.tap("Save")
	g.mustShow("role admin")
	g.tap("Write to the SSO configuration")
	g.mustShow("elevated role without a recorded approval")
	g.tap("Close")
	uitest.Find[*widget.Table](t, g.cv).Select(widget.TableCellID{Row: 1, Col: 0})
	g.tap("Approve this elevation")
	g.mustShow("approved by")
	g.tap("Write to the SSO configuration")
	g.mustShow("The rules are on SSO configuration")

	ctx := context.Background()
	w, err := wiring.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	trail, brk, err := w.Service.AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", err, brk)
	}
	var events []string
	for _, e := range trail {
		events = append(events, e.Event)
	}
	for _, want := range []string{audit.RolloutWaveCreated, audit.RolloutWaveApplied, audit.RolloutEnforcementApplied, audit.RolloutRolledBack,
		audit.RolloutRoleElevationApproved, audit.RolloutRoleMappingApplied} {
		if !slices.Contains(events, want) {
			t.Errorf("the audit trail has no %s", want)
		}
	}
	users, err := w.Rollout.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if users.Waves[0].AuthMode[api.LOCALONLY] != 5 || users.Waves[0].Linked != 3 {
		t.Errorf("after rollback the pilot is %v with %d linked; want all LOCAL_ONLY and the links kept", users.Waves[0].AuthMode, users.Waves[0].Linked)
	}
}
