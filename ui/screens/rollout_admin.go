package screens

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/ui/task"
)

// rollbackTab holds the one-action rollback and the SCIM deprovisioning
// toggle with its pre-flight.
type rollbackTab struct {
	s       *RolloutScreen
	scim    *fyne.Container
	content fyne.CanvasObject
}

func newRollbackTab(s *RolloutScreen) *rollbackTab {
	r := &rollbackTab{s: s, scim: container.NewVBox()}
	rollbackBtn := widget.NewButtonWithIcon("Preview the rollback…", theme.MediaReplayIcon(), func() {
		s.preview("Rollback", s.env.Rollout.PreviewRollback)
	})
	rollbackBtn.Importance = widget.DangerImportance
	enable := widget.NewButtonWithIcon("Preview enabling SCIM deprovisioning…", theme.ConfirmIcon(), func() {
		s.preview("Enable SCIM deprovisioning", func(ctx context.Context) (rollout.Preview, error) { return s.env.Rollout.PreviewScim(ctx, true) })
	})
	disable := widget.NewButtonWithIcon("Preview disabling it…", theme.CancelIcon(), func() {
		s.preview("Disable SCIM deprovisioning", func(ctx context.Context) (rollout.Preview, error) { return s.env.Rollout.PreviewScim(ctx, false) })
	})
	rollback := container.NewVBox(heading("Rollback"),
		wrapped("One action, in the procedure's order: every user the rollout moved (and anyone else on SSO through its configuration) back to LOCAL_ONLY, then the SSO configuration disabled, then SCIM deprovisioning off. No user and no SSO link is removed; the preview lists each change."),
		container.NewHBox(rollbackBtn))
	scim := container.NewVBox(widget.NewSeparator(), heading("SCIM deprovisioning"),
		wrapped("Offered only once the rollout is stable. When on, removing someone in the identity provider disables their Portal account if they are SSO-linked; for someone never linked it does nothing."),
		r.scim, container.NewHBox(enable, disable))
	r.content = container.NewVScroll(container.NewVBox(rollback, scim))
	return r
}

func (r *rollbackTab) reloadScim() {
	task.Run(r.s.env.Tasks, r.s.env.Rollout.ScimPreflight, func(pf rollout.ScimPreflight, err error) {
		r.scim.Objects = nil
		if err != nil {
			r.scim.Add(wrapped("The pre-flight could not run: " + err.Error()))
		} else {
			r.scim.Add(scimSummary(pf))
		}
		r.scim.Refresh()
	})
}

// scimSummary words the SCIM pre-flight.
func scimSummary(pf rollout.ScimPreflight) fyne.CanvasObject {
	state := wrapped(fmt.Sprintf("Stable: the rollout may turn SCIM deprovisioning on (now %s).", onOff(pf.CurrentlyEnabled)))
	state.Importance = widget.SuccessImportance
	if !pf.Stable {
		state = wrapped("Not stable: " + strings.Join(pf.Unstable, " "))
		state.Importance = widget.WarningImportance
	}
	lines := []fyne.CanvasObject{state}
	if pf.Stable {
		lines = append(lines, wrapped(fmt.Sprintf("%d of %d enabled users are SSO-linked (%.0f%%); the threshold is %.0f%%.", pf.LinkedEnabled, pf.EnabledUsers, 100*pf.LinkedShare, 100*pf.Threshold)))
	}
	lines = append(lines,
		wrapped(fmt.Sprintf("A deprovisioning would disable %s and be a no-op for %s.",
			countOf(len(pf.WouldDisable), "SSO-linked user", "SSO-linked users"), countOf(len(pf.NoOp), "user never linked", "users never linked"))))
	acc := widget.NewAccordion(
		widget.NewAccordionItem(fmt.Sprintf("Would be disabled (%d)", len(pf.WouldDisable)), wrapped(userLabels(pf.WouldDisable))),
		widget.NewAccordionItem(fmt.Sprintf("No-op, never linked (%d)", len(pf.NoOp)), wrapped(userLabels(pf.NoOp))))
	lines = append(lines, acc)
	for _, g := range pf.ReservedGroups {
		l := wrapped(fmt.Sprintf("Reserved group %q is assigned to the incumbent app %q (%s): do not push it to the Portal.", g.Group, g.App, g.Source))
		l.Importance = widget.DangerImportance
		lines = append(lines, l)
	}
	return container.NewVBox(lines...)
}

func userLabels(us []rollout.UserRef) string {
	names := make([]string, 0, len(us))
	for _, u := range us {
		names = append(names, u.Label)
	}
	return joinOr(names, "None.")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// rolesTab shows the role mapping, its approvals, and the simulator.
type rolesTab struct {
	s        *RolloutScreen
	mapping  rollout.RoleMapping
	rules    *dynTable
	selected int
	approve  *widget.Button
	snaps    []inventory.Snapshot
	pick     *widget.Select
	simLine  *widget.Label
	sim      *dynTable
	simUsers *dynTable
	simTabs  *container.AppTabs
	content  fyne.CanvasObject
}

func newRolesTab(s *RolloutScreen) *rolesTab {
	r := &rolesTab{s: s, selected: -1, simLine: wrapped("Simulate the mapping over an inventory snapshot's groups and, where it holds group membership, each user.")}
	r.rules = newDynTable([]column{{"#", 40}, {"Attribute", 120}, {"Value", 200}, {"Grants", 200}, {"Approval", 360}})
	r.rules.OnSelected = func(id widget.TableCellID) { r.selected = id.Row; r.buttons() }
	edit := widget.NewButtonWithIcon("Edit rules…", theme.DocumentCreateIcon(), r.edit)
	r.approve = widget.NewButtonWithIcon("Approve this elevation", theme.ConfirmIcon(), func() {
		n := r.selected + 1
		task.Run(s.env.Tasks, func(ctx context.Context) (rollout.RoleMapping, error) { return s.env.Rollout.ApproveElevation(ctx, n) },
			func(m rollout.RoleMapping, err error) {
				if err != nil {
					ShowError(s.env.Window, "Not approved", err)
					return
				}
				r.show(m)
				s.env.Changed()
			})
	})
	applyBtn := widget.NewButtonWithIcon("Write to the SSO configuration", theme.UploadIcon(), func() {
		task.Run(s.env.Tasks, func(ctx context.Context) (string, error) {
			cfg, err := s.env.Rollout.ApplyRoleMapping(ctx)
			return cfg.Id, err
		}, func(id string, err error) {
			if err != nil {
				ShowError(s.env.Window, "The role mapping was not written", err)
				return
			}
			dialog.ShowInformation("Role mapping written", "The rules are on SSO configuration "+id+".", s.env.Window)
			s.env.Changed()
		})
	})
	r.pick = widget.NewSelect(nil, nil)
	r.pick.PlaceHolder = "Choose a completed snapshot"
	simulate := widget.NewButtonWithIcon("Simulate", theme.MediaPlayIcon(), r.simulate)
	r.sim = newDynTable([]column{{"Incumbent group", 260}, {"Grants", 220}, {"Rule", 70}, {"Elevation", 180}, {"Apps", 60}})
	r.simUsers = newDynTable([]column{{"User", 280}, {"Grants", 200}, {"Rule", 70}, {"Through group", 200}, {"Elevation", 180}, {"State", 90}})
	r.simTabs = container.NewAppTabs(container.NewTabItem("Groups", r.sim.Table), container.NewTabItem("Users", r.simUsers.Table))
	top := container.NewVBox(wrapped("Ordered rules: the first that matches decides; the default applies to everyone else. A rule granting an elevated role (admin, owner) is never written without an approval recorded with who and when."),
		container.NewHBox(edit, r.approve, applyBtn))
	simBar := container.NewVBox(widget.NewSeparator(), heading("Simulator"), container.NewBorder(nil, nil, widget.NewLabel("Snapshot"), simulate, r.pick), r.simLine)
	split := container.NewVSplit(r.rules.Table, container.NewBorder(simBar, nil, nil, nil, r.simTabs))
	split.Offset = 0.35
	r.content = container.NewBorder(top, nil, nil, nil, split)
	r.buttons()
	return r
}

func (r *rolesTab) buttons() {
	if r.selected >= 0 && r.selected < len(r.mapping.Rules) && r.mapping.Rules[r.selected].Role != "" && r.mapping.Rules[r.selected].Approval == nil {
		r.approve.Enable()
	} else {
		r.approve.Disable()
	}
}

func (r *rolesTab) reload() {
	task.Run(r.s.env.Tasks, r.s.env.Rollout.RoleMapping, func(m rollout.RoleMapping, err error) {
		if err != nil {
			ShowError(r.s.env.Window, "Could not read the role mapping", err)
			return
		}
		r.show(m)
	})
	if r.s.env.Inventory == nil {
		return
	}
	task.Run(r.s.env.Tasks, r.s.env.Inventory.Snapshots, func(snaps []inventory.Snapshot, err error) {
		if err != nil {
			return
		}
		r.snaps = r.snaps[:0]
		var names []string
		for _, sn := range snaps {
			if sn.Status == inventory.StatusCompleted {
				r.snaps = append(r.snaps, sn)
				names = append(names, fmt.Sprintf("%s — %s, %s", sn.SourceName, formatTime(sn.StartedAt), sn.ID[:8]))
			}
		}
		r.pick.SetOptions(names)
		if r.pick.SelectedIndex() < 0 && len(names) > 0 {
			r.pick.SetSelectedIndex(0)
		}
	})
}

func (r *rolesTab) show(m rollout.RoleMapping) {
	r.mapping = m
	rows := len(m.Rules)
	if m.DefaultRole != "" {
		rows++
	}
	r.rules.set(rows, func(row, col int) string {
		if row == len(m.Rules) {
			return [...]string{"—", "", "no rule matches", "role " + m.DefaultRole + " (default)", ""}[col]
		}
		ru := m.Rules[row]
		grants := "role " + ru.Role
		if ru.Role == "" {
			grants = "template " + ru.UserTemplateID
		}
		approval := ""
		if ru.Approval != nil {
			approval = "approved by " + ru.Approval.By + " at " + formatTime(ru.Approval.At)
		}
		return [...]string{fmt.Sprint(row + 1), ru.SourceAttribute, ru.MatchValue, grants, approval}[col]
	})
	r.buttons()
}

// edit replaces the rules from their JSON form (the same as migctl's).
func (r *rolesTab) edit() {
	doc := struct {
		Rules       []rollout.RoleRule `json:"rules"`
		DefaultRole string             `json:"default_role"`
	}{Rules: r.mapping.Rules, DefaultRole: r.mapping.DefaultRole}
	for i := range doc.Rules {
		doc.Rules[i].Approval = nil
	}
	if doc.Rules == nil {
		doc.Rules = []rollout.RoleRule{{SourceAttribute: "groups", MatchValue: "Engineering", Role: "operator"}}
		doc.DefaultRole = "member"
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	text := widget.NewMultiLineEntry()
	text.SetText(string(b))
	text.SetMinRowsVisible(14)
	problem := wrapped("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	var d dialog.Dialog
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		var in struct {
			Rules       []rollout.RoleRule `json:"rules"`
			DefaultRole string             `json:"default_role"`
		}
		if err := json.Unmarshal([]byte(text.Text), &in); err != nil {
			problem.SetText("Not valid rules: " + err.Error())
			problem.Show()
			return
		}
		for i := range in.Rules {
			in.Rules[i].Approval = nil
		}
		task.Run(r.s.env.Tasks, func(ctx context.Context) (rollout.RoleMapping, error) {
			return r.s.env.Rollout.SetRoleMapping(ctx, in.Rules, in.DefaultRole)
		}, func(m rollout.RoleMapping, err error) {
			if err != nil {
				problem.SetText(err.Error())
				problem.Show()
				return
			}
			d.Hide()
			r.show(m)
			r.s.env.Changed()
		})
	})
	save.Importance = widget.HighImportance
	hint := wrapped(`Each rule: "source_attribute" (groups, department, …), "match_value", and "role" or "user_template_id". Approvals are kept for rules left unchanged.`)
	d = dialog.NewCustomWithoutButtons("Role mapping rules", container.NewBorder(hint, container.NewVBox(problem,
		container.NewHBox(widget.NewButton("Cancel", func() { d.Hide() }), save)), nil, nil, text), r.s.env.Window)
	d.Resize(fyne.NewSize(720, 560))
	d.Show()
}

func (r *rolesTab) simulate() {
	i := r.pick.SelectedIndex()
	if i < 0 || i >= len(r.snaps) {
		return
	}
	id := r.snaps[i].ID
	task.Run(r.s.env.Tasks, func(ctx context.Context) (rollout.RoleSimulation, error) {
		return r.s.env.Rollout.SimulateRoles(ctx, id)
	},
		func(sim rollout.RoleSimulation, err error) {
			if err != nil {
				r.simLine.SetText("The simulation failed: " + err.Error())
				return
			}
			notes := append(append([]string{}, sim.Unsimulated...), sim.Notes...)
			r.simLine.SetText(fmt.Sprintf("%s groups, %s users: %s match no rule (they get the default), %s. %s",
				FormatCount(len(sim.Groups)), FormatCount(len(sim.Users)), FormatCount(len(sim.Unmatched)),
				countOf(len(sim.Elevations), "elevation", "elevations"), strings.Join(notes, " ")))
			r.sim.set(len(sim.Groups), func(row, col int) string {
				g := sim.Groups[row]
				rule, elev := ruleAndElevation(g)
				return [...]string{g.Name, g.Grants, rule, elev, fmt.Sprint(g.Apps)}[col]
			})
			r.simUsers.set(len(sim.Users), func(row, col int) string {
				u := sim.Users[row]
				rule, elev := ruleAndElevation(u)
				return [...]string{u.Name, u.Grants, rule, u.Via, elev, string(u.State)}[col]
			})
			r.simTabs.Items[1].Text = "Users (" + FormatCount(len(sim.Users)) + ")"
			if !sim.PerUser {
				r.simTabs.Items[1].Text = "Users (membership not collected)"
			}
			r.simTabs.Refresh()
		})
}

// ruleAndElevation renders an outcome's rule number ("default" when none
// matched) and whether it elevates.
func ruleAndElevation(o rollout.RoleOutcome) (string, string) {
	rule, elev := "default", ""
	if o.Rule > 0 {
		rule = fmt.Sprint(o.Rule)
	}
	if o.Elevated {
		elev = "ELEVATED — not approved"
		if o.Approved {
			elev = "elevated, approved"
		}
	}
	return rule, elev
}
