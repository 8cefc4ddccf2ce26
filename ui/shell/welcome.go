package shell

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/task"
)

// Mode choices as the welcome form words them.
const (
	modeFirstRun = "First-run adoption: the target tenant has no live Portal state yet"
	modeMerge    = "Merge into existing: the target tenant already has live Portal state"
)

type welcome struct {
	c       *Console
	content fyne.CanvasObject
}

func newWelcome(c *Console) *welcome {
	w := &welcome{c: c}
	title := widget.NewLabelWithStyle("Portal Migration Console", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("Move a customer's identity estate off Okta or Microsoft Entra ID onto the Portal. One workspace file per customer tenant; credentials stay in the OS keychain.")
	intro.Wrapping = fyne.TextWrapWord

	open := widget.NewButtonWithIcon("Open workspace file…", theme.FolderOpenIcon(), func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil {
				screens.ShowError(c.win, "Could not open the file", err)
				return
			}
			if r == nil {
				return
			}
			path := r.URI().Path()
			_ = r.Close() // only the path is needed; the backend opens the file itself
			c.Open(path)
		}, c.win)
	})
	demo := widget.NewButtonWithIcon("Open the demo", theme.MediaPlayIcon(), c.OpenDemo)
	demo.Importance = widget.HighImportance

	left := container.NewVBox(
		widget.NewCard("New workspace", "One per customer tenant", w.newWorkspaceForm()),
	)
	right := container.NewVBox(
		widget.NewCard("Open", "", container.NewVBox(open, demo)),
		widget.NewCard("Recent workspaces", "", w.recentList()),
	)
	w.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		title, intro, container.NewGridWithColumns(2, left, right),
	)))
	return w
}

func (w *welcome) newWorkspaceForm() fyne.CanvasObject {
	c := w.c
	path, tenant, targetURL := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	path.SetPlaceHolder("Path of the new workspace file (choose a folder →)")
	tenant.SetPlaceHolder("customer-tenant-id")
	targetURL.SetPlaceHolder("Optional: https://portal.example.com/admin-api")
	token := screens.NewSecretInput(c.win, "Optional: target admin API token", false)
	mode := widget.NewRadioGroup([]string{modeFirstRun, modeMerge}, nil)
	mode.SetSelected(modeFirstRun)
	// A folder dialog, not Fyne's save dialog: that one opens the chosen
	// file for writing, which truncates an existing workspace on "overwrite".
	choose := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
			if err != nil {
				screens.ShowError(c.win, "Could not choose the folder", err)
				return
			}
			if dir == nil {
				return
			}
			name := strings.TrimSpace(tenant.Text)
			if name == "" {
				name = "workspace"
			}
			path.SetText(filepath.Join(dir.Path(), name+".migration"))
		}, c.win)
	})
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()

	form := &widget.Form{SubmitText: "Create workspace", Items: []*widget.FormItem{
		{Text: "File", Widget: container.NewBorder(nil, nil, nil, choose, path)},
		{Text: "Tenant ID", Widget: tenant, HintText: "Lowercase letters, digits, '.', '_' or '-'"},
		{Text: "Mode", Widget: mode},
		{Text: "Target URL", Widget: targetURL},
		{Text: "Target token", Widget: token.Content},
	}}
	form.OnSubmit = func() {
		if strings.TrimSpace(path.Text) == "" {
			problem.SetText("Choose where to save the workspace file.")
			problem.Show()
			return
		}
		m := workspace.ModeFirstRunAdoption
		if mode.Selected == modeMerge {
			m = workspace.ModeMergeIntoExisting
		}
		req := workspace.CreateRequest{Tenant: tenant.Text, Mode: m, TargetURL: strings.TrimSpace(targetURL.Text), TargetToken: token.Take()}
		p := strings.TrimSpace(path.Text)
		form.Disable()
		task.Run(c.tasks, func(ctx context.Context) (Session, error) {
			return c.backend.Create(ctx, p, req)
		}, func(s Session, err error) {
			form.Enable()
			if err != nil {
				problem.SetText(err.Error())
				problem.Show()
				return
			}
			token.Forget()
			c.recents.add(s.Path)
			c.show(s)
		})
	}
	return container.NewVBox(form, problem)
}

func (w *welcome) recentList() fyne.CanvasObject {
	c := w.c
	paths := c.recents.list()
	if len(paths) == 0 {
		return widget.NewLabel("Workspaces you open appear here.")
	}
	box := container.NewVBox()
	for _, p := range paths {
		name := widget.NewLabel(p)
		name.Truncation = fyne.TextTruncateEllipsis
		forget := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			c.recents.forget(p)
			c.ShowWelcome()
		})
		var action fyne.CanvasObject
		if missing(p) {
			name.Importance = widget.LowImportance
			name.SetText(p + " (missing)")
			action = widget.NewIcon(theme.WarningIcon())
		} else {
			action = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), func() { c.Open(p) })
		}
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(action, forget), name))
	}
	return box
}
