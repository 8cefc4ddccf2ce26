// Package shell is the console's window: the welcome screen, and for an open
// workspace the stage navigator, the readiness header and the stage screens.
package shell

import (
	"context"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"

	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/task"
	"github.com/portal-id/migration-console/ui/theme"
)

// Session is one open workspace file.
type Session struct {
	Path      string
	Workspace screens.Workspace
	Readiness screens.Readiness
	// Vendors are the incumbent platforms sources can be of.
	Vendors   vendor.Registry
	Inventory screens.Inventory
	// Assessment runs and reviews compatibility assessments; nil leaves
	// the stage empty.
	Assessment screens.Assessment
	// Target connects the workspace to the Portal; nil disables the
	// workspace screen's Connect button.
	Target screens.TargetConnector
	// Rollout is the SSO rollout stage; nil leaves it disabled.
	Rollout screens.Rollout
	// Merge and OCM are the merge review and OCM stages; nil hides their
	// work.
	Merge screens.Merge
	OCM   screens.OCM
	// Name is what the window title calls the workspace; empty means the
	// file's name.
	Name string
	// Close releases the file; nil when there is nothing to release.
	Close func() error
}

// Backend opens and creates workspace files; app/console implements it.
type Backend interface {
	Open(ctx context.Context, path string) (Session, error)
	// Create makes a new workspace file at path holding the workspace req
	// describes, and leaves nothing behind when the engine refuses req.
	Create(ctx context.Context, path string, req workspace.CreateRequest) (Session, error)
	// OpenDemo opens the demo workspace.
	OpenDemo(ctx context.Context) (Session, error)
}

// Console drives one window.
type Console struct {
	app     fyne.App
	win     fyne.Window
	backend Backend
	tasks   *task.Group
	recents recents
	session *Session
	view    *workspaceView
}

// New returns a console for win; call ShowWelcome, Open or OpenDemo next.
func New(a fyne.App, win fyne.Window, b Backend) *Console {
	c := &Console{app: a, win: win, backend: b, tasks: task.NewGroup(), recents: recents{a.Preferences()}}
	theme.Apply(a, theme.Saved(a))
	c.setMenu()
	win.SetCloseIntercept(func() {
		c.Close()
		win.Close()
	})
	return c
}

// Wait blocks until background work has finished and updated the window.
// Call it off the UI goroutine (tests, shutdown paths).
func (c *Console) Wait() { c.tasks.Wait() }

// Close stops background work and closes the open workspace file.
func (c *Console) Close() {
	c.tasks.Cancel()
	c.closeSession()
}

func (c *Console) closeSession() {
	if c.view != nil {
		c.view.closed = true
		c.view = nil
	}
	if c.session == nil {
		return
	}
	if c.session.Close != nil {
		if err := c.session.Close(); err != nil {
			fyne.LogError("close workspace", err)
		}
	}
	c.session = nil
}

// Open opens the workspace file at path.
func (c *Console) Open(path string) {
	c.open(func(ctx context.Context) (Session, error) { return c.backend.Open(ctx, path) }, true)
}

// OpenDemo opens the demo workspace.
func (c *Console) OpenDemo() {
	c.open(c.backend.OpenDemo, false)
}

func (c *Console) open(open func(context.Context) (Session, error), remember bool) {
	task.Run(c.tasks, open, func(s Session, err error) {
		if err != nil {
			screens.ShowError(c.win, "Could not open the workspace", err)
			return
		}
		if remember {
			c.recents.add(s.Path)
		}
		c.show(s)
	})
}

// show replaces whatever the window shows with the session's workspace.
func (c *Console) show(s Session) {
	c.closeSession()
	c.session = &s
	name := s.Name
	if name == "" {
		name = filepath.Base(s.Path)
	}
	c.win.SetTitle(fmt.Sprintf("%s — Portal Migration Console", name))
	c.view = newWorkspaceView(screens.Env{Window: c.win, Workspace: s.Workspace, Readiness: s.Readiness, Vendors: s.Vendors, Inventory: s.Inventory,
		Target: s.Target, Tasks: c.tasks, Assessment: s.Assessment, Merge: s.Merge, OCM: s.OCM, Rollout: s.Rollout})
	c.win.SetContent(c.view.content)
	c.view.reload()
}

// ShowWelcome closes any open workspace and shows the welcome screen.
func (c *Console) ShowWelcome() {
	c.closeSession()
	c.win.SetTitle("Portal Migration Console")
	c.win.SetContent(newWelcome(c).content)
}

func (c *Console) setMenu() {
	themeItems := make([]*fyne.MenuItem, len(theme.Choices))
	for i, choice := range theme.Choices {
		item := fyne.NewMenuItem(choice.Label(), nil)
		item.Action = func() {
			theme.Apply(c.app, choice)
			for _, it := range themeItems {
				it.Checked = it == item
			}
			c.win.MainMenu().Refresh()
		}
		item.Checked = choice == theme.Saved(c.app)
		themeItems[i] = item
	}
	c.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu("Workspace",
			fyne.NewMenuItem("Welcome screen", c.ShowWelcome),
			fyne.NewMenuItem("Open the demo", c.OpenDemo),
		),
		fyne.NewMenu("View", themeItems...),
	))
}
