package shell

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/ui/screens"
	"github.com/portal-id/migration-console/ui/task"
)

// stage is one entry of the navigator.
type stage struct {
	title string
	icon  func() fyne.Resource
	build func(screens.Env) screens.Screen
}

// stages follow the migration flow of docs/architecture.md (workspace,
// sources, inventory, assessment, merge review, OCM, cutover, evidence,
// rollout), then the audit trail. Only stages that work are listed: a new stage is one more line here.
var stages = []stage{
	{"Workspace", theme.HomeIcon, screens.NewWorkspaceScreen},
	{"Sources", theme.StorageIcon, screens.NewSourcesScreen},
	{"Inventory", theme.DownloadIcon, screens.NewInventoryScreen},
	{"Assessment", theme.ConfirmIcon, screens.NewAssessmentScreen},
	{"Merge review", theme.MailReplyAllIcon, screens.NewMergeScreen},
	{"OCM", theme.InfoIcon, screens.NewOCMScreen},
	{"SSO rollout", theme.AccountIcon, screens.NewRolloutScreen},
	{"Audit trail", theme.ListIcon, screens.NewAuditScreen},
}

// workspaceView is an open workspace: header, navigator and current stage.
type workspaceView struct {
	env     screens.Env
	header  *screens.Header
	screens []screens.Screen
	current *fyne.Container
	nav     *widget.List
	content fyne.CanvasObject
	// closed is set when another workspace replaced this one: a reload
	// still in flight then reads a closed file and must stay quiet.
	closed bool
}

func newWorkspaceView(env screens.Env) *workspaceView {
	v := &workspaceView{header: screens.NewHeader(), current: container.NewStack()}
	env.Changed = v.reload
	v.env = env
	for _, st := range stages {
		v.screens = append(v.screens, st.build(env))
	}
	v.nav = widget.NewList(
		func() int { return len(stages) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(nil), widget.NewLabel("Audit trail"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container).Objects
			row[0].(*widget.Icon).SetResource(stages[i].icon())
			row[1].(*widget.Label).SetText(stages[i].title)
		})
	v.nav.OnSelected = v.showStage
	v.nav.Select(0)
	split := container.NewHSplit(v.nav, container.NewPadded(v.current))
	split.Offset = 0.16
	v.content = container.NewBorder(container.NewPadded(v.header.Content()), nil, nil, nil, split)
	return v
}

func (v *workspaceView) showStage(i widget.ListItemID) {
	v.current.Objects = []fyne.CanvasObject{v.screens[i].Content()}
	v.current.Refresh()
}

// reload reads the workspace again and shows it in the header and in every
// screen, so nothing shows a state older than the last change.
func (v *workspaceView) reload() {
	task.Run(v.env.Tasks, func(ctx context.Context) (screens.State, error) {
		return screens.Load(ctx, v.env.Workspace, v.env.Readiness)
	}, func(st screens.State, err error) {
		if v.closed {
			return
		}
		if err != nil {
			screens.ShowError(v.env.Window, "Could not read the workspace", err)
			return
		}
		v.header.Show(st)
		for _, s := range v.screens {
			s.Show(st)
		}
	})
}
