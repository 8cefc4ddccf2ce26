package screens

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// collectPanel shows one collection: what it has fetched so far, a
// rate-limit wait as such, the elapsed time, and how it ended.
type collectPanel struct {
	content   *fyne.Container
	title     *widget.Label
	bar       *widget.ProgressBarInfinite
	elapsed   *widget.Label
	wait      *widget.Label
	pages     *widget.Label
	items     *widget.Label
	counts    *fyne.Container
	cancel    *widget.Button
	source    workspace.Source
	label     string // the source's platform, "Okta"
	started   time.Time
	active    bool
	cancelled bool
	lastWait  *inventory.Wait
	stop      context.CancelFunc
}

func newCollectPanel() *collectPanel {
	p := &collectPanel{
		title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		bar:     widget.NewProgressBarInfinite(),
		elapsed: widget.NewLabel(""),
		wait:    widget.NewLabel(""),
		pages:   widget.NewLabel(""),
		items:   widget.NewLabel(""),
		cancel:  widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), nil),
	}
	p.title.Wrapping = fyne.TextWrapWord
	p.wait.Importance = widget.WarningImportance
	p.wait.Hide()
	p.bar.Stop()
	// One wrapped line each keeps the panel short however many domains a
	// vendor has, so the snapshot list and the items stay in view.
	for _, l := range []*widget.Label{p.pages, p.items} {
		l.Wrapping = fyne.TextWrapWord
	}
	p.counts = container.NewVBox(p.pages, p.items)
	p.content = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(p.elapsed, p.cancel), p.title),
		p.bar, p.wait, p.counts)
	p.content.Hide()
	return p
}

// start shows a collection of src, an incumbent of platform label, that
// spends at most share of each rate-limit window.
func (p *collectPanel) start(src workspace.Source, label string, share float64, stop context.CancelFunc) {
	p.source, p.label, p.started, p.active, p.cancelled, p.lastWait, p.stop = src, label, time.Now(), true, false, nil, stop
	p.title.Importance = widget.MediumImportance
	p.title.SetText(fmt.Sprintf("Collecting the inventory of %s (%s)… at most %s of each rate-limit window, the rest is left to the customer's integrations",
		src.Name, label, percent(share)))
	p.pages.SetText("Pages by domain: waiting for the first page…")
	p.items.SetText("Items by kind: none yet")
	p.counts.Show()
	p.wait.Hide()
	p.cancel.SetText("Cancel")
	p.cancel.Enable()
	p.cancel.Show()
	p.bar.Show()
	p.bar.Start()
	p.showElapsed()
	p.content.Show()
}

// showElapsed runs at each progress report and every second.
func (p *collectPanel) showElapsed() {
	if p.active {
		p.elapsed.SetText("Elapsed " + formatElapsed(time.Since(p.started)))
		p.showWait()
	}
}

func formatElapsed(d time.Duration) string { return d.Round(time.Second).String() }

func (p *collectPanel) showProgress(pr inventory.Progress) {
	if !p.active {
		return
	}
	var pages []string
	for _, d := range inventory.SortedDomains(pr.Pages) {
		pages = append(pages, fmt.Sprintf("%s %s", Readable(d), FormatCount(pr.Pages[d])))
	}
	if len(pages) > 0 {
		p.pages.SetText("Pages by domain: " + strings.Join(pages, " · "))
	}
	var items []string
	for _, k := range inventory.Kinds {
		if n := pr.Items[k]; n > 0 {
			items = append(items, KindCount(k, n))
		}
	}
	if len(items) > 0 {
		p.items.SetText("Items by kind: " + strings.Join(items, " · "))
	}
	if pr.Waiting != nil {
		w := *pr.Waiting
		p.lastWait = &w
	}
	p.showElapsed()
}

// showWait keeps a rate-limit wait on screen until it ends: the engine
// clears it at the next page, which may come from another endpoint group
// while this one still waits.
func (p *collectPanel) showWait() {
	if p.lastWait == nil || !p.lastWait.Until.After(time.Now()) {
		p.wait.Hide()
		return
	}
	p.wait.SetText(WaitLine(p.label, *p.lastWait))
	p.wait.Show()
}

// WaitLine says what a collection is waiting for, in the vendor's terms,
// the one place the GUI renders a wait: "Waiting for Okta rate limit on
// /api/v1/apps until 14:02:31".
func WaitLine(label string, w inventory.Wait) string {
	until := w.Until.Local().Format("15:04:05")
	switch w.Cause {
	case inventory.WaitWindow:
		return fmt.Sprintf("Waiting for %s rate limit on %s until %s", label, w.Group, until)
	case inventory.WaitShare:
		return fmt.Sprintf("Waiting for %s rate limit on %s until %s: this collection's %s of the window is spent, the rest is left to the customer's integrations",
			label, w.Group, until, percent(w.Share))
	case inventory.WaitThrottled:
		return fmt.Sprintf("Waiting for %s rate limit on %s until %s (%s answered %s)", label, w.Group, until, label, w.Answer())
	case inventory.WaitServerError:
		return fmt.Sprintf("Waiting on %s until %s (retry after %d)", w.Group, until, w.Status)
	}
	return fmt.Sprintf("Waiting on %s until %s (retry after a network error: %s)", w.Group, until, w.Detail)
}

// percent renders a share as "50 %".
func percent(share float64) string {
	return strconv.FormatFloat(math.Round(share*100), 'f', -1, 64) + " %"
}

// shareControl sets the share of each rate-limit window the next
// collection may spend: DefaultShare to start with, in steps of 5 %.
type shareControl struct {
	slider  *widget.Slider
	label   *widget.Label
	content *fyne.Container
}

func newShareControl() *shareControl {
	c := &shareControl{slider: widget.NewSlider(5, 100), label: widget.NewLabel("")}
	c.slider.Step = 5
	c.slider.OnChanged = func(float64) { c.show() }
	c.slider.SetValue(inventory.DefaultShare * 100)
	c.show()
	track := container.NewGridWrap(fyne.NewSize(140, c.slider.MinSize().Height), c.slider)
	c.content = container.NewHBox(widget.NewLabel("Rate share"), track, c.label)
	return c
}

func (c *shareControl) show() { c.label.SetText(percent(c.value()) + " of each window") }

// value is the share chosen, a fraction.
func (c *shareControl) value() float64 { return c.slider.Value / 100 }

func (c *shareControl) enable(on bool) {
	if on {
		c.slider.Enable()
	} else {
		c.slider.Disable()
	}
}

// budgetChoices are the time budgets a collection can be given, in hours:
// the default (inventory.DefaultMaxDuration) reads a 100k-group org, and
// longer ones are for orgs whose per-app windows are tight.
var budgetChoices = []int{1, 3, 6, 12, 24, 48}

// budgetControl sets the next collection's time budget: past it the
// collection stops, recorded as failed, keeping what it fetched.
type budgetControl struct {
	pick    *widget.Select
	content *fyne.Container
}

func newBudgetControl() *budgetControl {
	var options []string
	for _, h := range budgetChoices {
		options = append(options, budgetLabel(h))
	}
	c := &budgetControl{pick: widget.NewSelect(options, nil)}
	c.pick.SetSelected(budgetLabel(int(inventory.DefaultMaxDuration / time.Hour)))
	c.content = container.NewHBox(widget.NewLabel("Stop after"), c.pick)
	return c
}

func budgetLabel(hours int) string {
	if hours == 1 {
		return "1 hour"
	}
	return fmt.Sprintf("%d hours", hours)
}

// value is the budget chosen.
func (c *budgetControl) value() time.Duration {
	return time.Duration(budgetChoices[max(0, c.pick.SelectedIndex())]) * time.Hour
}

func (c *budgetControl) enable(on bool) {
	if on {
		c.pick.Enable()
	} else {
		c.pick.Disable()
	}
}

// finish shows how the collection ended; a snapshot the engine recorded as
// failed is said to be failed, whatever the cause.
func (p *collectPanel) finish(snap inventory.Snapshot, err error) {
	took := formatElapsed(time.Since(p.started))
	p.active, p.stop = false, nil
	p.bar.Stop()
	p.bar.Hide()
	p.wait.Hide()
	p.counts.Hide() // the snapshot list now holds the counts
	p.cancel.Hide()
	p.elapsed.SetText("Took " + took)
	switch {
	case err == nil:
		p.title.Importance = widget.SuccessImportance
		p.title.SetText(fmt.Sprintf("Snapshot completed: %s from %s evidence page%s.",
			CountsSummary(snap), FormatCount(snap.PageCount), plural(snap.PageCount)))
	case p.cancelled && snap.ID != "":
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("Cancelled: snapshot %s is recorded as failed, keeping %s evidence page%s.",
			snap.ID, FormatCount(snap.PageCount), plural(snap.PageCount)))
	case snap.ID != "":
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("Snapshot %s failed: %v", snap.ID, err))
	default:
		p.title.Importance = widget.DangerImportance
		p.title.SetText(fmt.Sprintf("The collection did not start: %v", err))
	}
}

func (s *InventoryScreen) startCollect() {
	src, ok := s.pickedSource()
	if !ok || s.running || s.env.Inventory == nil {
		return
	}
	s.running = true
	s.updateButtons()
	ctx, cancel := context.WithCancel(context.Background())
	share, budget := s.share.value(), s.budget.value()
	s.panel.start(src, s.env.Vendors.Label(src.Kind), share, cancel)
	ticking := make(chan struct{})
	go tickEverySecond(ticking, s.panel.showElapsed)
	task.Run(s.env.Tasks, func(group context.Context) (inventory.Snapshot, error) {
		defer close(ticking)
		defer cancel()
		// Closing the window cancels the group: the collection then ends
		// failed, durably, rather than running on unseen.
		defer context.AfterFunc(group, cancel)()
		listed := false
		return s.env.Inventory.Collect(ctx, src.Name, inventory.CollectOptions{RateShare: share, MaxDuration: budget}, func(pr inventory.Progress) {
			fyne.Do(func() {
				s.panel.showProgress(pr)
				if !listed { // the snapshot exists now: list it as collecting
					listed = true
					s.reloadSnapshots()
				}
			})
		})
	}, func(snap inventory.Snapshot, err error) {
		s.running = false
		s.panel.finish(snap, err)
		if snap.ID != "" {
			s.selected = snap.ID
		}
		s.updateButtons()
		s.env.Changed()
	})
}

func (s *InventoryScreen) cancelCollect() {
	p := s.panel
	if !p.active || p.stop == nil {
		return
	}
	p.cancelled = true
	p.cancel.SetText("Cancelling…")
	p.cancel.Disable()
	p.stop()
}

// tickEverySecond calls fn on the UI goroutine once a second until stop is
// closed, so the elapsed time moves during a long rate-limit wait.
func tickEverySecond(stop <-chan struct{}, fn func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fyne.Do(fn)
		}
	}
}
