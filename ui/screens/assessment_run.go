package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/ui/task"
)

// assessPanel shows one assessment run in progress: its phase, how many
// items are classified of how many, the elapsed time, and how it ended.
type assessPanel struct {
	content   *fyne.Container
	title     *widget.Label
	bar       *widget.ProgressBar
	phase     *widget.Label
	elapsed   *widget.Label
	cancel    *widget.Button
	started   time.Time
	active    bool
	cancelled bool
	stop      context.CancelFunc
}

func newAssessPanel() *assessPanel {
	p := &assessPanel{
		title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar:     widget.NewProgressBar(),
		phase:   widget.NewLabel(""),
		elapsed: widget.NewLabel(""),
		cancel:  widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil),
	}
	p.title.Wrapping = fyne.TextWrapWord
	p.content = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(p.elapsed, p.cancel), p.title),
		p.bar, p.phase)
	p.content.Hide()
	return p
}

func (p *assessPanel) start(snapshot string, stop context.CancelFunc) {
	p.started, p.active, p.cancelled, p.stop = time.Now(), true, false, stop
	p.title.Importance = widget.MediumImportance
	p.title.SetText("Assessing snapshot " + snapshot + "…")
	p.bar.SetValue(0)
	p.bar.Show()
	p.phase.SetText("Starting…")
	p.phase.Show()
	p.cancel.SetText("Cancel")
	p.cancel.Enable()
	p.cancel.Show()
	p.showElapsed()
	p.content.Show()
}

func (p *assessPanel) showElapsed() {
	if p.active {
		p.elapsed.SetText("Elapsed " + formatElapsed(time.Since(p.started)))
	}
}

func (p *assessPanel) showProgress(pr assessment.Progress) {
	if !p.active {
		return
	}
	if pr.Total > 0 {
		p.bar.Max = float64(pr.Total)
		p.bar.SetValue(float64(pr.Items))
	}
	p.phase.SetText(ProgressLine(pr))
	p.showElapsed()
}

// ProgressLine says what a run is doing, in a consultant's words.
func ProgressLine(pr assessment.Progress) string {
	switch pr.Phase {
	case assessment.PhaseIndexing:
		return fmt.Sprintf("Reading the applications, providers, groups, routing rules and policies the rules compare (%s items in the snapshot)…",
			FormatCount(pr.Total))
	case assessment.PhaseFinishing:
		return fmt.Sprintf("Classified %s of %s items; storing the OCM impacts and completing the run…", FormatCount(pr.Items), FormatCount(pr.Total))
	}
	return fmt.Sprintf("Classified %s of %s items", FormatCount(pr.Items), FormatCount(pr.Total))
}

// finish shows how the run ended; a run the engine recorded as failed is
// said to be failed, whatever the cause.
func (p *assessPanel) finish(run assessment.Run, err error) {
	took := formatElapsed(time.Since(p.started))
	p.active, p.stop = false, nil
	p.bar.Hide()
	p.phase.Hide()
	p.cancel.Hide()
	p.elapsed.SetText("Took " + took)
	switch {
	case err == nil:
		p.title.Importance = widget.SuccessImportance
		p.title.SetText(fmt.Sprintf("Assessment completed: %s items classified, %s blocked, %s OCM impact%s raised.",
			FormatCount(run.ItemCount), FormatCount(run.Counts[assessment.Blocked]), FormatCount(run.ImpactCount), plural(run.ImpactCount)))
	case p.cancelled && run.ID != "":
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("Cancelled: run %s is recorded as failed (cancelled) and none of its results are used.", run.ID))
	case run.ID != "":
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("Run %s failed and is recorded as failed. %s", run.ID, runError(run)))
	default:
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("The assessment did not start: %v", err))
	}
}

func (s *AssessmentScreen) startRun() {
	snapID := s.pickedSnapshot()
	if snapID == "" || s.running || s.env.Assessment == nil {
		return
	}
	s.running = true
	s.updateButtons()
	ctx, cancel := context.WithCancel(context.Background())
	s.panel.start(snapID, cancel)
	ticking := make(chan struct{})
	go tickEverySecond(ticking, s.panel.showElapsed)
	task.Run(s.env.Tasks, func(group context.Context) (assessment.Run, error) {
		defer close(ticking)
		defer cancel()
		// Closing the window cancels the group: the run then ends failed,
		// durably, rather than running on unseen.
		defer context.AfterFunc(group, cancel)()
		listed := false
		// The engine reports about ten times a second; each report is one
		// hop to the UI goroutine.
		return s.env.Assessment.Run(ctx, snapID, func(pr assessment.Progress) {
			fyne.Do(func() {
				s.panel.showProgress(pr)
				if !listed { // the run exists now: list it as assessing
					listed = true
					s.reload()
				}
			})
		})
	}, func(run assessment.Run, err error) {
		s.running = false
		s.panel.finish(run, err)
		if run.ID != "" {
			s.selected = run.ID
		}
		s.updateButtons()
		if s.env.Changed != nil {
			s.env.Changed() // the readiness header follows the run, and Show reloads this screen
		} else {
			s.reload()
		}
	})
}

func (s *AssessmentScreen) cancelRun() {
	p := s.panel
	if !p.active || p.stop == nil {
		return
	}
	p.cancelled = true
	p.cancel.SetText("Cancelling…")
	p.cancel.Disable()
	p.stop()
}
