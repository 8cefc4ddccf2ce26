package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// TargetConnector tests a Portal admin API token and, when the Portal
// accepts it for this workspace, keeps it in the keychain and records the
// target; app/wiring's Workspace implements it. A refusal changes nothing
// and its error says why.
type TargetConnector interface {
	ConnectTarget(ctx context.Context, url string, token secret.Value) (workspace.Workspace, workspace.TargetIdentity, error)
}

// connectSection is the workspace screen's "Connect to the Portal" button
// and the line saying what the last connection test found.
type connectSection struct {
	env     Env
	button  *widget.Button
	outcome *widget.Label
	content fyne.CanvasObject
	url     string // the recorded target URL, to prefill the form
}

func newConnectSection(env Env) *connectSection {
	c := &connectSection{env: env, outcome: widget.NewLabel("")}
	c.outcome.Wrapping = fyne.TextWrapWord
	c.outcome.Hide()
	c.button = widget.NewButtonWithIcon("Connect to the Portal…", theme.LoginIcon(), c.showForm)
	if env.Target == nil {
		c.button.Disable() // this session offers no target connection (a screenshot or test shell)
	}
	c.content = container.NewVBox(container.NewHBox(c.button), c.outcome)
	return c
}

func (c *connectSection) show(st State) { c.url = st.Workspace.Target.URL }

func (c *connectSection) showForm() {
	url := widget.NewEntry()
	url.SetPlaceHolder("https://portal.example.com")
	url.SetText(c.url)
	token := NewSecretInput(c.env.Window, "Admin API token", false)
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	form := &widget.Form{
		Items: []*widget.FormItem{
			{Text: "Admin API URL", Widget: url, HintText: "https, or http for a sandbox on this machine"},
			{Text: "Admin token", Widget: token.Content, HintText: "Stored in the OS keychain, never in the workspace file"},
		},
		SubmitText: "Test and connect",
		CancelText: "Cancel",
	}
	var d dialog.Dialog
	form.OnCancel = func() {
		token.Forget()
		d.Hide()
	}
	form.OnSubmit = func() {
		target, tok := strings.TrimSpace(url.Text), token.Take()
		form.Disable()
		problem.Hide()
		task.Run(c.env.Tasks, func(ctx context.Context) (workspace.TargetIdentity, error) {
			_, id, err := c.env.Target.ConnectTarget(ctx, target, tok)
			return id, err
		}, func(id workspace.TargetIdentity, err error) {
			form.Enable()
			if err != nil {
				problem.SetText("Not connected; nothing was changed. " + err.Error())
				problem.Show()
				return
			}
			token.Forget()
			d.Hide()
			c.outcome.SetText(connectedLine(id))
			c.outcome.Show()
			c.env.Changed()
		})
	}
	d = dialog.NewCustomWithoutButtons("Connect to the Portal", container.NewVBox(form, problem), c.env.Window)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// connectedLine says in one sentence who the token is and what it may do.
func connectedLine(id workspace.TargetIdentity) string {
	writes := "writes are allowed (" + workspace.PermissionManage + ")"
	if !id.CanManage() {
		writes = "read-only: preview and apply need " + workspace.PermissionManage
	}
	return fmt.Sprintf("Connected to tenant %s as %s (%s session); %s.", id.Tenant, id.Actor, Readable(id.SessionContext), writes)
}
