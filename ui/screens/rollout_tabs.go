package screens

import (
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/ui/task"
)

// checklistTab shows the pre-migration checklist and the routing tester.
type checklistTab struct {
	s       *RolloutScreen
	status  *widget.Label
	items   *widget.Accordion
	loaded  *rollout.Checklist
	probe   *widget.Entry
	answer  *widget.Label
	content fyne.CanvasObject
}

func newChecklistTab(s *RolloutScreen) *checklistTab {
	c := &checklistTab{s: s, status: wrapped("The checklist reads the live Portal."), items: widget.NewAccordion(),
		probe: widget.NewEntry(), answer: wrapped("")}
	c.items.MultiOpen = true
	run := widget.NewButtonWithIcon("Run the checklist", theme.ViewRefreshIcon(), c.run)
	run.Importance = widget.HighImportance
	c.probe.SetPlaceHolder("an email or a username, e.g. maria.garcia@example-corp.com")
	c.probe.OnSubmitted = func(string) { c.route() }
	test := widget.NewButtonWithIcon("Test routing", theme.SearchIcon(), c.route)
	tester := container.NewVBox(widget.NewSeparator(), heading("Test an identifier"),
		wrapped("Which provider and SSO configuration a login with this identifier reaches, and why, as the Portal resolves it."),
		container.NewBorder(nil, nil, nil, test, c.probe), c.answer)
	c.content = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, run, c.status)), tester, nil, nil,
		container.NewVScroll(c.items))
	return c
}

func (c *checklistTab) run() {
	c.status.SetText("Reading the live Portal…")
	task.Run(c.s.env.Tasks, c.s.env.Rollout.Checklist, func(cl rollout.Checklist, err error) {
		if err != nil {
			c.status.Importance = widget.DangerImportance
			c.status.SetText("The checklist could not run: " + err.Error())
			return
		}
		c.loaded = &cl
		c.show(cl)
	})
}

func (c *checklistTab) show(cl rollout.Checklist) {
	line := fmt.Sprintf("%s enabled users of %s, checked %s. ", FormatCount(cl.EnabledUsers), FormatCount(cl.AllUsers), formatTime(cl.At))
	switch {
	case cl.TenantBlocked:
		c.status.Importance = widget.DangerImportance
		line += "Blocked: no wave can be applied until the tenant's blocking items are fixed."
	case cl.Status == rollout.CheckBlock:
		c.status.Importance = widget.WarningImportance
		line += "The users named by a blocking item are left out of every wave; the others may proceed."
	case cl.Status == rollout.CheckWarn:
		c.status.Importance = widget.WarningImportance
		line += "Ready, with warnings to read."
	default:
		c.status.Importance = widget.SuccessImportance
		line += "Ready."
	}
	c.status.SetText(line)
	c.items.Items = nil
	for _, it := range cl.Items {
		body := []fyne.CanvasObject{wrapped(it.Summary)}
		for _, d := range it.Domains {
			body = append(body, wrapped(fmt.Sprintf("• %s (%d users): %s", d.Domain, d.Users, d.Reason)))
		}
		for i, u := range it.Users {
			if i == 50 {
				body = append(body, wrapped(fmt.Sprintf("… and %d more (migctl rollout checklist --json lists all)", len(it.Users)-50)))
				break
			}
			text := "• " + u.Label + " (" + string(u.AuthMode) + ")"
			if u.Why != "" {
				text += ": " + u.Why
			}
			body = append(body, wrapped(text))
		}
		title := fmt.Sprintf("%s  %s", strings.ToUpper(string(it.Status)), it.Title)
		if n := len(it.Users); n > 0 {
			title += fmt.Sprintf(" — %s", countOf(n, "user", "users"))
		}
		c.items.Append(widget.NewAccordionItem(title, container.NewVBox(body...)))
	}
	c.items.Refresh()
}

func (c *checklistTab) route() {
	id := strings.TrimSpace(c.probe.Text)
	if id == "" {
		return
	}
	task.Run(c.s.env.Tasks, func(ctx context.Context) (api.RoutingResolution, error) { return c.s.env.Rollout.Route(ctx, id) },
		func(r api.RoutingResolution, err error) {
			if err != nil {
				c.answer.Importance = widget.DangerImportance
				c.answer.SetText(err.Error())
				return
			}
			c.answer.Importance = widget.MediumImportance
			if !r.Deterministic || r.Outcome == api.NoSsoConfiguration {
				c.answer.Importance = widget.WarningImportance
			}
			c.answer.SetText(fmt.Sprintf("%s → %s. %s", r.Identifier, Readable(string(r.Outcome)), r.Reason))
		})
}

// boardTab is the wave board: pilot, waves, enforcement, counts per
// auth_mode, and the actions on the selected wave.
type boardTab struct {
	s        *RolloutScreen
	counts   *widget.Label
	table    *dynTable
	board    rollout.Board
	selected int
	preview  *widget.Button
	enforce  *widget.Button
	resume   *widget.Button
	content  fyne.CanvasObject
}

func newBoardTab(s *RolloutScreen) *boardTab {
	b := &boardTab{s: s, counts: wrapped(""), selected: -1}
	b.table = newDynTable([]column{{"Wave", 180}, {"Kind", 70}, {"Status", 170}, {"Users", 60}, {"LOCAL_ONLY", 100},
		{"SSO_PREFERRED", 120}, {"SSO_REQUIRED", 120}, {"Linked", 70}, {"Enforcement", 190}})
	b.table.OnSelected = func(id widget.TableCellID) { b.selected = id.Row; b.buttons() }
	create := widget.NewButtonWithIcon("New pilot or wave…", theme.ContentAddIcon(), b.newWave)
	b.preview = widget.NewButtonWithIcon("Preview and apply…", theme.MailForwardIcon(), func() {
		if w, ok := b.wave(); ok {
			s.preview("Wave "+w.Name, func(ctx context.Context) (rollout.Preview, error) { return s.env.Rollout.PreviewWave(ctx, w.ID) })
		}
	})
	b.enforce = widget.NewButtonWithIcon("Enforce SSO_REQUIRED…", theme.WarningIcon(), b.enforceDialog)
	b.resume = widget.NewButtonWithIcon("Resume interrupted run", theme.MediaPlayIcon(), func() {
		s.apply("Resume", func(ctx context.Context, p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
			return s.env.Rollout.Resume(ctx, "", p)
		})
	})
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), b.reload)
	b.buttons()
	bar := container.NewHBox(create, b.preview, b.enforce, b.resume, refresh)
	b.content = container.NewBorder(container.NewVBox(b.counts, bar), nil, nil, nil, b.table.Table)
	return b
}

func (b *boardTab) wave() (rollout.Wave, bool) {
	if b.selected < 0 || b.selected >= len(b.board.Waves) {
		return rollout.Wave{}, false
	}
	return b.board.Waves[b.selected].Wave, true
}

func (b *boardTab) buttons() {
	_, ok := b.wave()
	for _, btn := range []*widget.Button{b.preview, b.enforce} {
		if ok && !b.s.busy() {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
	if len(b.board.Interrupted) > 0 && !b.s.busy() {
		b.resume.Enable()
	} else {
		b.resume.Disable()
	}
}

func (b *boardTab) reload() {
	task.Run(b.s.env.Tasks, b.s.env.Rollout.Board, func(board rollout.Board, err error) {
		if err != nil {
			b.counts.SetText("The wave board could not be read: " + err.Error())
			return
		}
		b.board = board
		b.counts.SetText(fmt.Sprintf("Tenant: %s users — LOCAL_ONLY %d · SSO_PREFERRED %d · SSO_REQUIRED %d · %d SSO-linked. A pilot comes first; each wave is previewed, then applied.",
			FormatCount(board.Users), board.AuthMode[api.LOCALONLY], board.AuthMode[api.SSOPREFERRED], board.AuthMode[api.SSOREQUIRED], board.Linked))
		b.table.set(len(board.Waves), func(r, c int) string {
			w := board.Waves[r]
			return [...]string{w.Wave.Name, string(w.Wave.Kind), Readable(string(w.Wave.Status)), fmt.Sprint(w.Wave.MemberCount),
				fmt.Sprint(w.AuthMode[api.LOCALONLY]), fmt.Sprint(w.AuthMode[api.SSOPREFERRED]), fmt.Sprint(w.AuthMode[api.SSOREQUIRED]),
				fmt.Sprint(w.Linked), orNone(Readable(string(w.Enforcement)), "—")}[c]
		})
		b.buttons()
	})
}

func (b *boardTab) newWave() {
	name := widget.NewEntry()
	kind := widget.NewRadioGroup([]string{"Pilot", "Wave"}, nil)
	kind.Horizontal = true
	kind.SetSelected("Pilot")
	for _, c := range b.board.Waves {
		if c.Wave.Kind == rollout.KindPilot {
			kind.SetSelected("Wave")
		}
	}
	by := widget.NewRadioGroup([]string{"Email domain", "Incumbent group", "List (CSV)", "By hand"}, nil)
	by.Horizontal = true
	by.SetSelected("Email domain")
	domains := widget.NewEntry()
	domains.SetPlaceHolder("example-corp.com (comma-separated; subdomains included)")
	groups := newGroupPicker(b.s)
	list := widget.NewMultiLineEntry()
	list.SetPlaceHolder("One email, username or user id per line. A CSV header may name email, username, user_id and set_email.")
	list.SetMinRowsVisible(6)
	importBtn := widget.NewButtonWithIcon("Import CSV…", theme.FolderOpenIcon(), func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			defer r.Close()
			data, err := io.ReadAll(io.LimitReader(r, 16<<20))
			if err != nil {
				ShowError(b.s.env.Window, "Could not read the list", err)
				return
			}
			list.SetText(string(data))
			by.SetSelected("List (CSV)")
		}, b.s.env.Window)
	})
	problem := wrapped("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	form := &widget.Form{Items: []*widget.FormItem{
		{Text: "Name", Widget: name},
		{Text: "Kind", Widget: kind, HintText: "Start with a small pilot; a wave needs an applied pilot"},
		{Text: "Choose users by", Widget: by},
		{Text: "Domains", Widget: domains},
		{Text: "Incumbent group", Widget: groups.content, HintText: "Its members, nested groups included, matched to Portal accounts by email"},
		{Text: "List", Widget: container.NewBorder(nil, importBtn, nil, nil, list)},
	}, SubmitText: "Create", CancelText: "Cancel"}
	var d dialog.Dialog
	form.OnCancel = func() { d.Hide() }
	form.OnSubmit = func() {
		req := rollout.NewWave{Name: name.Text, Kind: rollout.KindWave}
		if kind.Selected == "Pilot" {
			req.Kind = rollout.KindPilot
		}
		switch by.Selected {
		case "Email domain":
			for _, d := range strings.Split(domains.Text, ",") {
				if d = strings.TrimSpace(d); d != "" {
					req.Domains = append(req.Domains, d)
				}
			}
		case "Incumbent group":
			req.Groups, req.SnapshotID = groups.selection()
		case "List (CSV)":
			req.List, req.ListName = strings.NewReader(list.Text), "pasted list"
		default:
			for _, l := range strings.Split(list.Text, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					req.Users = append(req.Users, l)
				}
			}
		}
		form.Disable()
		task.Run(b.s.env.Tasks, func(ctx context.Context) (rollout.Wave, error) { return b.s.env.Rollout.CreateWave(ctx, req) },
			func(w rollout.Wave, err error) {
				form.Enable()
				if err != nil {
					problem.SetText(err.Error())
					problem.Show()
					return
				}
				d.Hide()
				b.reload()
				b.s.env.Changed()
				if w.Selection == rollout.ByGroup {
					showGroupWave(b.s.env.Window, w)
				}
			})
	}
	d = dialog.NewCustomWithoutButtons("New pilot or wave", container.NewVBox(form, problem), b.s.env.Window)
	d.Resize(fyne.NewSize(720, 0))
	d.Show()
}

// enforceDialog states the warning before anything else, then previews.
func (b *boardTab) enforceDialog() {
	w, ok := b.wave()
	if !ok {
		return
	}
	warn := widget.NewLabelWithStyle(rollout.EnforcementWarning, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.DangerImportance
	guaranteed := widget.NewCheck("Also enforce users not yet linked whose routing the Portal resolves deterministically to the rollout's SSO configuration (I assert their routing is guaranteed)", nil)
	body := container.NewVBox(warn, wrapped(fmt.Sprintf("The preview lists every user of %q who would become SSO_REQUIRED, and names each one refused with the reason.", w.Name)), guaranteed)
	dialog.ShowCustomConfirm("Enforce SSO_REQUIRED on "+w.Name, "Preview", "Cancel", body, func(ok bool) {
		if !ok {
			return
		}
		g := guaranteed.Checked
		b.s.preview("Enforcement of "+w.Name, func(ctx context.Context) (rollout.Preview, error) {
			return b.s.env.Rollout.PreviewEnforce(ctx, w.ID, g)
		})
	}, b.s.env.Window)
}
