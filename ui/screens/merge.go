package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// Merge is merge review as the screens use it; *merge.Service implements
// it.
type Merge interface {
	List(ctx context.Context, f merge.Filter) (merge.Page, error)
	Get(ctx context.Context, id string) (merge.Detail, error)
	Resolve(ctx context.Context, q merge.ResolveRequest) (merge.Decision, error)
	ResolveAll(ctx context.Context, q merge.BulkRequest) (merge.BulkResult, error)
}

// MergeScreen is merge review: the overlaps with the live Portal, pending
// first, each decided with one click or one key (n next pending, m map to
// the selected live object, c create new, s skip) with its field-by-field
// diff beside it, and in bulk over the rows shown.
type MergeScreen struct {
	env      Env
	page     merge.Page
	rows     []merge.Decision
	filter   *widget.Select
	progress *widget.ProgressBar
	tally    *widget.Label
	scans    *widget.Label
	list     *DecisionList
	bulk     *widget.Button

	selected string
	detail   merge.Detail
	title    *widget.Label
	facts    *widget.Label
	target   *widget.Select
	diff     *widget.Table
	diffRows []merge.FieldRow
	history  *widget.Label
	note     *widget.Entry
	newName  *widget.Entry
	mapBtn   *widget.Button
	newBtn   *widget.Button
	skipBtn  *widget.Button
	nextBtn  *widget.Button
	why      *widget.Label
	content  fyne.CanvasObject
	// last is the state of the last reload.
	last State
}

// Filter choices of the decision list.
const (
	showPending  = "Pending first (all)"
	showOnlyOpen = "Pending only"
	showResolved = "Resolved only"
)

// NewMergeScreen builds the merge review stage.
func NewMergeScreen(env Env) Screen {
	s := &MergeScreen{env: env}
	if env.Merge == nil {
		s.content = widget.NewLabel("Merge review is not available in this session.")
		return s
	}
	s.tally = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.progress = widget.NewProgressBar()
	s.scans = widget.NewLabel("")
	s.scans.Wrapping = fyne.TextWrapWord
	s.filter = widget.NewSelect([]string{showPending, showOnlyOpen, showResolved}, func(string) { s.applyFilter() })
	s.filter.SetSelected(showPending)
	s.list = newDecisionList(s)
	s.bulk = widget.NewButtonWithIcon("Decide all shown…", theme.ContentCopyIcon(), s.bulkDialog)

	s.title = widget.NewLabelWithStyle("Select a decision", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.Wrapping = fyne.TextWrapWord
	s.facts = widget.NewLabel("")
	s.facts.Wrapping = fyne.TextWrapWord
	s.target = widget.NewSelect(nil, func(string) { s.showDiff() })
	s.target.PlaceHolder = "Live object"
	s.diff = widget.NewTable(func() (int, int) { return len(s.diffRows) + 1, 4 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("incumbent value")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { s.diffCell(id, o.(*widget.Label)) })
	for i, w := range []float32{120, 175, 175, 120} {
		s.diff.SetColumnWidth(i, w)
	}
	s.history = widget.NewLabel("")
	s.history.Wrapping = fyne.TextWrapWord
	s.note = widget.NewEntry()
	s.note.SetPlaceHolder("Note: why (kept with the decision)")
	s.newName = widget.NewEntry()
	s.newName.SetPlaceHolder("New name for create new (optional)")
	s.mapBtn = widget.NewButtonWithIcon("Map to existing (m)", theme.MailForwardIcon(), s.mapSelected)
	s.newBtn = widget.NewButtonWithIcon("Create new (c)", theme.ContentAddIcon(), s.createNew)
	s.skipBtn = widget.NewButtonWithIcon("Skip (s)", theme.MediaSkipNextIcon(), s.skip)
	s.nextBtn = widget.NewButtonWithIcon("Next pending (n)", theme.NavigateNextIcon(), s.nextPending)
	s.why = widget.NewLabel("")
	s.why.Wrapping = fyne.TextWrapWord
	s.why.Hide()
	s.history.Hide()
	s.setButtons(false)

	left := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, s.bulk, s.filter)), nil, nil, nil, s.list)
	actions := container.NewVBox(container.NewGridWithColumns(2, s.note, s.newName),
		container.NewHBox(s.mapBtn, s.newBtn, s.skipBtn, s.nextBtn), s.why, s.history)
	right := container.NewBorder(container.NewVBox(s.title, s.facts, container.NewBorder(nil, nil, widget.NewLabel("Compare with"), nil, s.target)),
		container.NewVBox(widget.NewSeparator(), actions), nil, nil, s.diff)
	split := container.NewHSplit(left, right)
	split.Offset = 0.38
	s.content = container.NewBorder(container.NewVBox(heading("Merge review"), s.tally, s.progress, s.scans), nil, nil, nil, split)
	return s
}

// Content implements Screen. Showing the stage reads its rows again, so a
// change made elsewhere (migctl on the same file) shows at once.
func (s *MergeScreen) Content() fyne.CanvasObject {
	if s.env.Merge != nil && s.env.Tasks != nil {
		s.Show(s.last)
	}
	return s.content
}

// Show implements Screen: the decisions are read again after every change.
func (s *MergeScreen) Show(st State) {
	if s.env.Merge == nil {
		return
	}
	s.last = st
	task.Run(s.env.Tasks, func(ctx context.Context) (merge.Page, error) {
		return s.env.Merge.List(ctx, merge.Filter{})
	}, func(p merge.Page, err error) {
		if err != nil {
			s.tally.SetText("Could not read the merge decisions: " + err.Error())
			return
		}
		s.page = p
		s.showTally(st)
		s.applyFilter()
	})
}

func (s *MergeScreen) showTally(st State) {
	p := s.page
	total := p.Pending + p.Resolved
	switch {
	case p.Mode != workspace.ModeMergeIntoExisting:
		s.tally.SetText("This workspace adopts an empty Portal (first-run adoption): there are no overlaps to decide.")
	case len(p.Scans) == 0:
		s.tally.SetText("No completed assessment yet: assess a snapshot first; its overlaps with the live Portal appear here.")
	case total == 0:
		s.tally.SetText("No overlaps with the live Portal: nothing to decide.")
	default:
		s.tally.SetText(fmt.Sprintf("%d of %d decided · %d pending · gate: %s", p.Resolved, total, p.Pending,
			Readable(st.Summary.PreviewHandoffStatus)))
	}
	if total > 0 {
		s.progress.SetValue(float64(p.Resolved) / float64(total))
	} else {
		s.progress.SetValue(0)
	}
	var lines, unmoved []string
	seen := map[string]bool{}
	n := 0
	for _, sc := range p.Scans {
		line := "The live target was not read: " + sc.Reason
		if sc.Status == merge.ScanRead {
			line = "Live Portal as the assessment read it: " + liveCounts(sc) + "."
		}
		if !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
		n += sc.Unmoved
		for _, u := range sc.UnmovedSamples {
			if !seen[u] {
				seen[u] = true
				unmoved = append(unmoved, u)
			}
		}
	}
	if n > 0 {
		lines = append(lines, fmt.Sprintf("%d item(s) that will not be created also match live objects and need no decision: %s.", n, strings.Join(unmoved, ", ")))
	}
	s.scans.SetText(strings.Join(lines, " "))
}

func liveCounts(sc merge.Scan) string {
	var parts []string
	for _, n := range []struct {
		noun  assessment.Noun
		label string
	}{{assessment.NounUpstreamProvider, "providers"}, {assessment.NounRoutingRule, "routing rules"}, {assessment.NounGroup, "groups"},
		{assessment.NounApplication, "applications"}, {assessment.NounAppAssignment, "assignments"}} {
		parts = append(parts, fmt.Sprintf("%d %s", sc.Counts[n.noun], n.label))
	}
	return strings.Join(parts, ", ")
}

func (s *MergeScreen) applyFilter() {
	if s.list == nil {
		return
	}
	s.rows = s.rows[:0]
	for _, d := range s.page.Decisions {
		switch s.filter.Selected {
		case showOnlyOpen:
			if d.Status != merge.StatusPending {
				continue
			}
		case showResolved:
			if d.Status != merge.StatusResolved {
				continue
			}
		}
		s.rows = append(s.rows, d)
	}
	s.list.Refresh()
	s.bulk.Disable()
	if len(s.rows) > 0 {
		s.bulk.Enable()
	}
	if s.selected == "" && len(s.rows) > 0 {
		s.list.Select(0)
		return
	}
	for i, d := range s.rows {
		if d.ID == s.selected {
			s.list.Select(i)
			s.load(d.ID)
			return
		}
	}
}

// DecisionList is merge review's list of rows; with the keyboard focus on
// it, n (next pending), m (map to the live object compared), c (create
// new) and s (skip) decide without the mouse.
type DecisionList struct {
	widget.List
	screen *MergeScreen
}

func newDecisionList(s *MergeScreen) *DecisionList {
	l := &DecisionList{screen: s}
	l.Length = func() int { return len(s.rows) }
	l.CreateItem = func() fyne.CanvasObject {
		name := widget.NewLabel("Decision name")
		name.Truncation = fyne.TextTruncateEllipsis
		return container.NewBorder(nil, nil, widget.NewIcon(theme.QuestionIcon()), nil, name)
	}
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		d := s.rows[i]
		c := o.(*fyne.Container)
		icon := theme.QuestionIcon()
		if d.Status == merge.StatusResolved {
			icon = theme.ConfirmIcon()
		}
		for _, obj := range c.Objects {
			switch w := obj.(type) {
			case *widget.Icon:
				w.SetResource(icon)
			case *widget.Label:
				w.SetText(fmt.Sprintf("%s %q · %s · %s", kindWord(string(d.Kind)), d.DisplayName, joinMatch(d.MatchTypes), decisionWord(d)))
			}
		}
	}
	l.OnSelected = func(i widget.ListItemID) {
		if i < len(s.rows) {
			s.load(s.rows[i].ID)
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

// TypedRune decides the selected row from the keyboard.
func (l *DecisionList) TypedRune(r rune) {
	switch r {
	case 'n':
		l.screen.nextPending()
	case 'm':
		l.screen.mapSelected()
	case 'c':
		l.screen.createNew()
	case 's':
		l.screen.skip()
	default:
		l.List.TypedRune(r)
	}
}

func kindWord(k string) string { return Readable(k) }

func joinMatch(ts []merge.MatchType) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = strings.ReplaceAll(string(t), "_", " ")
	}
	return "by " + strings.Join(out, ", ")
}

func decisionWord(d merge.Decision) string {
	switch d.Resolution {
	case merge.MapToExisting:
		if m, ok := d.Matches(d.TargetID); ok {
			return fmt.Sprintf("mapped to %q", m.Name)
		}
		return "mapped"
	case merge.CreateNew:
		if d.NewName != "" {
			return fmt.Sprintf("create new as %q", d.NewName)
		}
		return "create new"
	case merge.Skip:
		return "skipped"
	}
	return "pending"
}

// load reads one decision with its diffs and history.
func (s *MergeScreen) load(id string) {
	s.selected = id
	task.Run(s.env.Tasks, func(ctx context.Context) (merge.Detail, error) {
		return s.env.Merge.Get(ctx, id)
	}, func(d merge.Detail, err error) {
		if err != nil {
			s.say("Could not read the decision: " + err.Error())
			return
		}
		if d.Decision.ID != s.selected {
			return // another row was selected meanwhile
		}
		s.detail = d
		s.showDetail()
	})
}

func (s *MergeScreen) showDetail() {
	d := s.detail.Decision
	s.title.SetText(fmt.Sprintf("%s %q", kindWord(string(d.Kind)), d.DisplayName))
	facts := fmt.Sprintf("%s source · %s · %s · decision: %s", s.env.Vendors.Label(d.SourceKind), Readable(string(d.Class)), joinMatch(d.MatchTypes), decisionWord(d))
	if d.ResolvedAt != nil {
		facts += fmt.Sprintf(" (by %s, %s)", d.ResolvedBy, formatTime(*d.ResolvedAt))
	}
	if d.CarriedFrom != "" {
		facts += " · carried over from the previous assessment"
	}
	s.facts.SetText(facts)
	var opts []string
	for _, m := range d.Matched {
		opts = append(opts, targetOption(m))
	}
	s.target.Options = opts
	sel := 0
	for i, m := range d.Matched {
		if m.TargetID == d.TargetID {
			sel = i
		}
	}
	s.target.SetSelectedIndex(sel)
	s.note.SetText(d.Note)
	s.newName.SetText(d.NewName)
	s.setButtons(s.detail.Current)
	if s.detail.CreateNewRefused != "" {
		s.say("Create new under its own name: " + s.detail.CreateNewRefused)
	} else {
		s.say("")
	}
	var hist []string
	for _, h := range d.History {
		line := fmt.Sprintf("%d. %s  %s by %s", h.Seq, formatTime(h.At), Readable(string(h.Resolution)), h.Actor)
		if h.NewName != "" {
			line += fmt.Sprintf(" as %q", h.NewName)
		}
		if h.CarriedFrom != "" {
			line += " (carried over)"
		}
		if h.Note != "" {
			line += ": " + h.Note
		}
		hist = append(hist, line)
	}
	if len(hist) > 0 {
		s.history.SetText("History\n" + strings.Join(hist, "\n"))
		s.history.Show()
	} else {
		s.history.Hide()
	}
}

// say shows a line beside the buttons, or hides it when empty so the diff
// keeps the room.
func (s *MergeScreen) say(text string) {
	s.why.SetText(text)
	if text == "" {
		s.why.Hide()
	} else {
		s.why.Show()
	}
}

func targetOption(m merge.MatchedResource) string {
	return fmt.Sprintf("%s (%s)", m.Name, m.TargetID)
}

func (s *MergeScreen) setButtons(on bool) {
	for _, b := range []*widget.Button{s.mapBtn, s.newBtn, s.skipBtn} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (s *MergeScreen) showDiff() {
	i := s.target.SelectedIndex()
	s.diffRows = nil
	if i >= 0 && i < len(s.detail.Diffs) {
		s.diffRows = s.detail.Diffs[i].Fields
	}
	s.diff.Refresh()
}

var diffHeads = []string{"Field", "Incumbent", "Live Portal", "At cutover"}

func (s *MergeScreen) diffCell(id widget.TableCellID, l *widget.Label) {
	l.TextStyle = fyne.TextStyle{}
	l.Importance = widget.MediumImportance
	if id.Row == 0 {
		l.TextStyle.Bold = true
		l.SetText(diffHeads[id.Col])
		return
	}
	if id.Row > len(s.diffRows) {
		// Fyne's table may still draw a row the shorter new diff no longer has.
		l.SetText("")
		return
	}
	r := s.diffRows[id.Row-1]
	switch id.Col {
	case 0:
		field := strings.ReplaceAll(r.Field, "/", " › ")
		if r.Differs {
			field = "≠ " + field
		}
		l.SetText(field)
	case 1:
		l.SetText(r.Incumbent)
		if r.Differs {
			l.Importance = widget.WarningImportance
		}
	case 2:
		l.SetText(r.Target)
		if r.Differs {
			l.Importance = widget.WarningImportance
		}
	case 3:
		l.SetText(Readable(string(r.Outcome)))
	}
	l.Refresh()
}

func (s *MergeScreen) nextPending() {
	start := s.list.selectedIndex() + 1
	for k := range len(s.rows) {
		i := (start + k) % len(s.rows)
		if s.rows[i].Status == merge.StatusPending {
			s.list.Select(i)
			return
		}
	}
}

func (l *DecisionList) selectedIndex() int {
	for i, d := range l.screen.rows {
		if d.ID == l.screen.selected {
			return i
		}
	}
	return -1
}

func (s *MergeScreen) mapSelected() {
	d := s.detail.Decision
	i := s.target.SelectedIndex()
	if d.ID == "" || i < 0 || i >= len(d.Matched) {
		return
	}
	s.resolve(merge.ResolveRequest{DecisionID: d.ID, Resolution: merge.MapToExisting, TargetID: d.Matched[i].TargetID, Note: s.note.Text})
}

func (s *MergeScreen) createNew() {
	if s.detail.Decision.ID == "" {
		return
	}
	s.resolve(merge.ResolveRequest{DecisionID: s.detail.Decision.ID, Resolution: merge.CreateNew, NewName: strings.TrimSpace(s.newName.Text), Note: s.note.Text})
}

func (s *MergeScreen) skip() {
	if s.detail.Decision.ID == "" {
		return
	}
	s.resolve(merge.ResolveRequest{DecisionID: s.detail.Decision.ID, Resolution: merge.Skip, Note: s.note.Text})
}

// resolve records q; a refusal is shown beside the buttons, and a recorded
// decision moves to the next pending row and reloads every screen and the
// header.
func (s *MergeScreen) resolve(q merge.ResolveRequest) {
	if !s.detail.Current {
		return
	}
	task.Run(s.env.Tasks, func(ctx context.Context) (merge.Decision, error) {
		return s.env.Merge.Resolve(ctx, q)
	}, func(d merge.Decision, err error) {
		if err != nil {
			s.say("Refused: " + err.Error())
			if errors.Is(err, merge.ErrNotCurrent) && s.env.Changed != nil {
				s.selected = ""
				s.env.Changed() // a newer assessment replaced these rows: show its own
			}
			return
		}
		s.say(fmt.Sprintf("Recorded: %s.", decisionWord(d)))
		for i := range s.page.Decisions {
			if s.page.Decisions[i].ID == d.ID {
				if s.page.Decisions[i].Status == merge.StatusPending {
					s.page.Pending--
					s.page.Resolved++
				}
				s.page.Decisions[i] = d
			}
		}
		s.applyFilter()
		s.nextPending()
		if s.env.Changed != nil {
			s.env.Changed()
		}
	})
}

// bulkDialog decides every row shown the same way, after a dry run that
// lists what would change and what would be refused.
func (s *MergeScreen) bulkDialog() {
	choice := widget.NewRadioGroup([]string{"Map each to its only live match", "Skip each", "Create new for each"}, nil)
	choice.SetSelected("Skip each")
	filter := merge.Filter{}
	switch s.filter.Selected {
	case showOnlyOpen, showPending:
		filter.Status = merge.StatusPending
	case showResolved:
		filter.Status = merge.StatusResolved
	}
	req := func() merge.BulkRequest {
		r := merge.BulkRequest{Filter: filter, Note: s.note.Text, Resolution: merge.Skip}
		switch choice.Selected {
		case "Map each to its only live match":
			r.Resolution = merge.MapToExisting
		case "Create new for each":
			r.Resolution = merge.CreateNew
		}
		return r
	}
	preview := widget.NewLabel("")
	preview.Wrapping = fyne.TextWrapWord
	update := func() {
		q := req()
		q.DryRun = true
		task.Run(s.env.Tasks, func(ctx context.Context) (merge.BulkResult, error) { return s.env.Merge.ResolveAll(ctx, q) },
			func(r merge.BulkResult, err error) {
				if err != nil {
					preview.SetText("Cannot decide in bulk: " + err.Error())
					return
				}
				text := fmt.Sprintf("Would decide %d row(s); %d refused.", r.Resolved, r.Refused)
				for _, c := range r.Changes {
					if c.Outcome == "refused" {
						text += fmt.Sprintf("\n• %q: %s", c.Decision.DisplayName, c.Reason)
					}
				}
				preview.SetText(text)
			})
	}
	choice.OnChanged = func(string) { update() }
	update()
	title := "Decide every pending row"
	if filter.Status == merge.StatusResolved {
		title = "Decide every resolved row again"
	}
	d := dialog.NewCustomConfirm(title, "Decide", "Cancel",
		container.NewVBox(choice, preview), func(ok bool) {
			if !ok {
				return
			}
			task.Run(s.env.Tasks, func(ctx context.Context) (merge.BulkResult, error) { return s.env.Merge.ResolveAll(ctx, req()) },
				func(r merge.BulkResult, err error) {
					if err != nil {
						ShowError(s.env.Window, "Could not decide in bulk", err)
						return
					}
					s.say(fmt.Sprintf("Decided %d row(s); %d refused.", r.Resolved, r.Refused))
					if s.env.Changed != nil {
						s.env.Changed()
					}
				})
		}, s.env.Window)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}
