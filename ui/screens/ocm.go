package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/ui/task"
)

// OCM is the OCM stage as the screens use it; *ocm.Service implements it.
type OCM interface {
	List(ctx context.Context, f ocm.Filter) (ocm.Listing, error)
	Acknowledge(ctx context.Context, q ocm.AckRequest) (ocm.AckResult, error)
}

// OCMScreen lists the current OCM impacts by audience and severity, each an
// acknowledgement item or a configuration item with its owner, and
// acknowledges one impact or a whole group with the note typed above.
type OCMScreen struct {
	env      Env
	listing  ocm.Listing
	tally    *widget.Label
	progress *widget.ProgressBar
	note     *widget.Entry
	status   *widget.Label
	groups   *fyne.Container
	content  fyne.CanvasObject
	// last is the state of the last reload.
	last State
	// Buttons are the acknowledge buttons by impact id and by group, for
	// tests and keyboard users.
	Buttons map[string]*widget.Button
}

// NewOCMScreen builds the OCM stage.
func NewOCMScreen(env Env) Screen {
	s := &OCMScreen{env: env, Buttons: map[string]*widget.Button{}}
	if env.OCM == nil {
		s.content = widget.NewLabel("OCM acknowledgement is not available in this session.")
		return s
	}
	s.tally = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.progress = widget.NewProgressBar()
	s.note = widget.NewEntry()
	s.note.SetPlaceHolder("Note for acknowledgements: who agreed, where (e.g. customer workshop 3)")
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.groups = container.NewVBox()
	s.content = container.NewBorder(container.NewVBox(heading("Organisational change (OCM)"), s.tally, s.progress, s.note, s.status),
		nil, nil, nil, container.NewVScroll(s.groups))
	return s
}

// Content implements Screen. Showing the stage reads its rows again, so a
// change made elsewhere (migctl on the same file) shows at once.
func (s *OCMScreen) Content() fyne.CanvasObject {
	if s.env.OCM != nil && s.env.Tasks != nil {
		s.Show(s.last)
	}
	return s.content
}

// Show implements Screen: the impacts are read again after every change.
func (s *OCMScreen) Show(st State) {
	if s.env.OCM == nil {
		return
	}
	s.last = st
	task.Run(s.env.Tasks, func(ctx context.Context) (ocm.Listing, error) {
		return s.env.OCM.List(ctx, ocm.Filter{})
	}, func(l ocm.Listing, err error) {
		if err != nil {
			s.tally.SetText("Could not read the OCM impacts: " + err.Error())
			return
		}
		s.listing = l
		s.render(st)
	})
}

func (s *OCMScreen) render(st State) {
	l := s.listing
	switch {
	case len(l.Runs) == 0:
		s.tally.SetText("No completed assessment yet: the OCM impacts of an assessment appear here.")
	case l.Total == 0:
		s.tally.SetText("The assessment raised no OCM impacts: nothing to acknowledge.")
	default:
		s.tally.SetText(fmt.Sprintf("%d of %d acknowledged · %d pending · %d need review · gate: %s", l.Acknowledged, l.Total,
			l.Pending, l.NeedsReview, Readable(st.Summary.PreviewHandoffStatus)))
	}
	if l.Total > 0 {
		s.progress.SetValue(float64(l.Acknowledged) / float64(l.Total))
	} else {
		s.progress.SetValue(0)
	}
	s.Buttons = map[string]*widget.Button{}
	var items []*widget.AccordionItem
	for _, g := range l.Groups {
		items = append(items, widget.NewAccordionItem(
			fmt.Sprintf("%s · %s severity — %d of %d acknowledged%s", Readable(string(g.Audience)), g.Severity, g.Acknowledged,
				len(g.Impacts), needsReviewNote(g.NeedsReview)), s.group(g)))
	}
	acc := widget.NewAccordion(items...)
	acc.MultiOpen = true
	for i, g := range l.Groups {
		if g.Pending+g.NeedsReview > 0 {
			acc.Open(i)
		}
	}
	s.groups.Objects = []fyne.CanvasObject{acc}
	s.groups.Refresh()
}

func needsReviewNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d need review", n)
}

func (s *OCMScreen) group(g ocm.Group) fyne.CanvasObject {
	box := container.NewVBox()
	all := widget.NewButtonWithIcon("Acknowledge this group", theme.ConfirmIcon(), func() {
		s.ack(ocm.AckRequest{Filter: ocm.Filter{Audience: g.Audience, Severity: g.Severity}})
	})
	if g.Pending+g.NeedsReview == 0 {
		all.Disable()
	}
	s.Buttons[string(g.Audience)+"/"+string(g.Severity)] = all
	box.Add(container.NewHBox(all))
	for _, im := range g.Impacts {
		box.Add(s.impactRow(im))
	}
	return box
}

func (s *OCMScreen) impactRow(im ocm.Impact) fyne.CanvasObject {
	summary := widget.NewLabel(im.Summary)
	summary.Wrapping = fyne.TextWrapWord
	kind := "Acknowledgement item: the customer accepts the change"
	if im.Kind == ocm.Configuration {
		kind = "Configuration item: someone must act"
	}
	facts := fmt.Sprintf("%s · owner: %s · %s · %s", kind, im.Owner, itemsLine(im), im.RuleID)
	state := "Pending"
	icon := theme.QuestionIcon()
	switch im.Status {
	case ocm.StatusAcknowledged:
		icon = theme.ConfirmIcon()
		state = fmt.Sprintf("Acknowledged by %s, %s", im.AckedBy, formatOptionalTime(im.AckedAt, "—"))
		if im.CarriedFrom != "" {
			state += " (carried over from an earlier assessment)"
		}
	case ocm.StatusNeedsReview:
		icon = theme.WarningIcon()
		state = fmt.Sprintf("Needs review: %s. Acknowledged earlier by %s, %s", im.ReviewReason, im.AckedBy, formatOptionalTime(im.AckedAt, "—"))
	}
	if im.Note != "" {
		state += " · note: " + im.Note
	}
	meta := widget.NewLabel(facts + "\n" + state)
	meta.Wrapping = fyne.TextWrapWord
	btn := widget.NewButton("Acknowledge", func() { s.ack(ocm.AckRequest{ImpactID: im.ID}) })
	if im.Status == ocm.StatusAcknowledged {
		btn.Disable()
	}
	s.Buttons[im.ID] = btn
	return container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(icon), container.NewVBox(btn), container.NewVBox(summary, meta))
}

func itemsLine(im ocm.Impact) string {
	names := ""
	for i, it := range im.Items {
		if i == 3 {
			names += ", …"
			break
		}
		if i > 0 {
			names += ", "
		}
		names += it.DisplayName
	}
	if im.ItemCount == 1 {
		return "1 item: " + names
	}
	return fmt.Sprintf("%d items: %s", im.ItemCount, names)
}

// ack records an acknowledgement with the note above and reloads every
// screen and the header.
func (s *OCMScreen) ack(q ocm.AckRequest) {
	q.Note = s.note.Text
	task.Run(s.env.Tasks, func(ctx context.Context) (ocm.AckResult, error) {
		return s.env.OCM.Acknowledge(ctx, q)
	}, func(r ocm.AckResult, err error) {
		if err != nil {
			s.status.SetText("Refused: " + err.Error())
			return
		}
		s.status.SetText(fmt.Sprintf("Acknowledged %d impact(s).", len(r.Acknowledged)))
		if s.env.Changed != nil {
			s.env.Changed()
		}
	})
}
