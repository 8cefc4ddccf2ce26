package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/ui/task"
)

// resultDetail shows one item's assessment whole: its class and deciding
// rule, target contract, rationale, notes, blocked reason, impacts, every
// matched rule with its what-if, and the evidence it was judged on.
type resultDetail struct {
	env  Env
	body *fyne.Container
	// shown is the item on display or being read, in run runID; a slower
	// answer for an item selected earlier is dropped.
	runID string
	shown int64
	// status says what the last what-if did, until another item is shown.
	status  *widget.Label
	scroll  *container.Scroll
	content fyne.CanvasObject
	// disposed is called after a what-if was recorded or cleared.
	disposed func()
}

func newResultDetail(env Env) *resultDetail {
	d := &resultDetail{env: env, body: container.NewVBox(), status: widget.NewLabel("")}
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Importance = widget.SuccessImportance
	d.scroll = container.NewVScroll(d.body)
	d.content = d.scroll
	d.clear()
	return d
}

func (d *resultDetail) clear() {
	d.clearWith("Select an item to see its class, the rules that matched it, their rationale and the evidence it was judged on.")
}

func (d *resultDetail) clearWith(text string) {
	d.shown, d.runID = 0, ""
	d.setStatus("")
	d.body.Objects = []fyne.CanvasObject{wrapped(text)}
	d.body.Refresh()
}

func (d *resultDetail) load(runID string, itemID int64) {
	if d.env.Assessment == nil {
		return
	}
	if d.shown != itemID || d.runID != runID {
		d.setStatus("")
	}
	d.shown, d.runID = itemID, runID
	task.Run(d.env.Tasks, func(ctx context.Context) (assessment.Detail, error) {
		return d.env.Assessment.Detail(ctx, runID, itemID)
	}, func(det assessment.Detail, err error) {
		if d.shown != itemID || d.runID != runID {
			return
		}
		if err != nil {
			d.body.Objects = []fyne.CanvasObject{wrapped("Could not read the item's result: " + err.Error())}
			d.body.Refresh()
			return
		}
		d.render(det)
	})
}

// setStatus shows what the last what-if did; "" hides the line.
func (d *resultDetail) setStatus(text string) {
	d.status.SetText(text)
	if text == "" {
		d.status.Hide()
	} else {
		d.status.Show()
	}
}

// wrapped is a label that wraps at the pane's width.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (d *resultDetail) render(det assessment.Detail) {
	r := det.Result
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s · %s", Readable(string(r.Kind)), r.DisplayName), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	title.SizeName = theme.SizeNameSubHeadingText
	rules := map[string]assessment.RuleInfo{}
	for _, ri := range det.Rules {
		rules[ri.ID] = ri
	}
	verdict := wrapped(fmt.Sprintf("%s, decided by %s%s", ClassLabel(r.Class), r.RuleID, ruleTitle(rules[r.RuleID])))
	verdict.TextStyle.Bold = true
	verdict.Importance = classImportance(r.Class)

	objs := []fyne.CanvasObject{title, verdict, d.status}
	facts := []string{
		"Target contract: " + TargetLine(r.Target),
		fmt.Sprintf("Operator impact: %s · User impact: %s", r.OperatorImpact, r.UserImpact),
		"Source ID: " + r.SourceID,
	}
	if r.Subtype != "" {
		facts = append(facts, "Subtype: "+Readable(r.Subtype))
	}
	objs = append(objs, wrapped(strings.Join(facts, "\n")))
	section := func(name, text string) {
		if strings.TrimSpace(text) != "" {
			objs = append(objs, sectionHeading(name), wrapped(text))
		}
	}
	section("Rationale", r.Rationale)
	section("Approximation notes", r.ApproximationNotes)
	section("Blocked reason", r.BlockedReason)
	section("OCM impacts", ImpactLines(r.Findings))

	objs = append(objs, sectionHeading(fmt.Sprintf("Matched rules (%d)", len(r.Findings))))
	for _, f := range r.Findings {
		objs = append(objs, d.findingCard(r, f, rules[f.RuleID]))
	}

	raw := widget.NewButtonWithIcon("Show raw payload", theme.FileTextIcon(), func() { d.showRaw(det) })
	objs = append(objs, sectionHeading("Evidence"), wrapped(EvidenceLines(det.Evidence)), container.NewHBox(raw))
	d.body.Objects = objs
	d.body.Refresh()
	if d.status.Visible() {
		// What the last what-if did sits under the verdict it left as is.
		d.scroll.ScrollToTop()
	}
}

func ruleTitle(ri assessment.RuleInfo) string {
	if ri.Title == "" {
		return ""
	}
	return ": " + ri.Title
}

// findingCard is one matched rule: its class, texts, references and
// what-if, with the buttons to record or clear one.
func (d *resultDetail) findingCard(r assessment.Result, f assessment.Finding, ri assessment.RuleInfo) fyne.CanvasObject {
	head := fmt.Sprintf("%s v%d · %s", f.RuleID, f.RuleVersion, ClassLabel(f.Class))
	if f.RuleID == r.RuleID {
		head += " · deciding rule"
	}
	h := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.Importance = classImportance(f.Class)
	lines := []string{}
	if ri.Title != "" {
		lines = append(lines, ri.Title+".")
	}
	lines = append(lines, f.Rationale)
	if f.Notes != "" {
		lines = append(lines, "Notes: "+f.Notes)
	}
	if f.BlockedReason != "" {
		lines = append(lines, "Blocked reason: "+f.BlockedReason)
	}
	if len(ri.References) > 0 {
		lines = append(lines, "Checked against: "+strings.Join(ri.References, "; "))
	}
	objs := []fyne.CanvasObject{h, wrapped(strings.Join(lines, "\n"))}
	if f.Disposition != nil {
		w := wrapped(DispositionLine(*f.Disposition))
		w.Importance = widget.WarningImportance
		objs = append(objs, w)
	}
	if f.Class != assessment.NativeImport {
		label := "What-if…"
		if f.Disposition != nil {
			label = "Change what-if…"
		}
		buttons := container.NewHBox(widget.NewButtonWithIcon(label, theme.DocumentCreateIcon(), func() { d.showDispose(r, f) }))
		if f.Disposition != nil {
			buttons.Add(widget.NewButtonWithIcon("Clear what-if", theme.ContentClearIcon(), func() { d.confirmClear(r, f) }))
		}
		objs = append(objs, buttons)
	}
	return widget.NewCard("", "", container.NewVBox(objs...))
}

// ImpactLines lists the OCM impacts an item's findings raised, one line
// each, without repeats.
func ImpactLines(fs []assessment.Finding) string {
	seen := map[string]bool{}
	var lines []string
	for _, f := range fs {
		for _, im := range f.Impacts {
			line := fmt.Sprintf("%s · %s severity: %s", Readable(string(im.Audience)), im.Severity, im.Summary)
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
	}
	return strings.Join(lines, "\n")
}

// dispositionLabels are the what-if choices as the dialog offers them.
var dispositionLabels = map[assessment.DispositionKind]string{
	assessment.WillFix:       "Will fix before cutover",
	assessment.RiskAccepted:  "Risk accepted",
	assessment.NotApplicable: "Not applicable",
}

// DispositionLine words a what-if on a finding.
func DispositionLine(ds assessment.Disposition) string {
	line := fmt.Sprintf("What-if: %s, owner %s", dispositionLabels[ds.Disposition], ds.Owner)
	if ds.ReviewDate != "" {
		line += ", review by " + ds.ReviewDate
	}
	line += ". " + ds.Note
	if ds.CarriedFrom != "" {
		line += fmt.Sprintf(" (recorded in run %s and carried over: the finding is unchanged)", ds.CarriedFrom)
	} else if ds.SetBy != "" {
		line += fmt.Sprintf(" (%s, %s)", ds.SetBy, formatTime(ds.SetAt))
	}
	return line
}

// showDispose asks for a what-if on one finding: the decision, a note, an
// owner and a review date. The engine checks them and says what is
// missing.
func (d *resultDetail) showDispose(r assessment.Result, f assessment.Finding) {
	options := make([]string, len(assessment.DispositionKinds))
	for i, k := range assessment.DispositionKinds {
		options[i] = dispositionLabels[k]
	}
	choice := widget.NewRadioGroup(options, nil)
	choice.Required = true
	note := widget.NewMultiLineEntry()
	note.SetPlaceHolder("Why, in a sentence the customer would sign")
	note.SetMinRowsVisible(3)
	note.Wrapping = fyne.TextWrapWord
	owner := widget.NewEntry()
	owner.SetPlaceHolder("Who answers for it")
	review := widget.NewEntry()
	review.SetPlaceHolder("YYYY-MM-DD")
	review.SetText(time.Now().AddDate(0, 0, 30).Format(time.DateOnly))
	if ds := f.Disposition; ds != nil {
		choice.SetSelected(dispositionLabels[ds.Disposition])
		note.SetText(ds.Note)
		owner.SetText(ds.Owner)
		review.SetText(ds.ReviewDate)
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Decision", choice),
		{Text: "Note", Widget: note},
		widget.NewFormItem("Owner", owner),
		{Text: "Review date", Widget: review, HintText: "Needed for will fix and risk accepted"},
	}
	intro := wrapped(fmt.Sprintf("%s on %s. A what-if changes how the finding counts in the readiness roll-up; the rule's verdict (%s) stays as it is.",
		f.RuleID, r.DisplayName, ClassLabel(f.Class)))
	form := widget.NewForm(items...)
	dlg := dialog.NewCustomConfirm("What-if on a finding", "Record", "Cancel", container.NewVBox(intro, form), func(ok bool) {
		if !ok {
			return
		}
		kind := assessment.DispositionKind("")
		for k, label := range dispositionLabels {
			if label == choice.Selected {
				kind = k
			}
		}
		if kind == "" {
			ShowError(d.env.Window, "The what-if was not recorded", fmt.Errorf("choose a decision: %s", strings.Join(options, ", ")))
			return
		}
		req := assessment.DisposeRequest{RunID: d.runID, ItemID: r.ItemID, RuleID: f.RuleID, Disposition: kind,
			Note: note.Text, Owner: owner.Text, ReviewDate: strings.TrimSpace(review.Text)}
		d.dispose(req, r, f)
	}, d.env.Window)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

func (d *resultDetail) confirmClear(r assessment.Result, f assessment.Finding) {
	dialog.ShowConfirm("Clear the what-if?",
		fmt.Sprintf("%s on %s will count as outstanding again in the readiness roll-up.", f.RuleID, r.DisplayName),
		func(ok bool) {
			if ok {
				d.dispose(assessment.DisposeRequest{RunID: d.runID, ItemID: r.ItemID, RuleID: f.RuleID}, r, f)
			}
		}, d.env.Window)
}

// dispose records or clears a what-if, then shows the item again with a
// line saying that its verdict did not move.
func (d *resultDetail) dispose(req assessment.DisposeRequest, r assessment.Result, f assessment.Finding) {
	task.Run(d.env.Tasks, func(ctx context.Context) (assessment.Disposition, error) {
		return d.env.Assessment.Dispose(ctx, req)
	}, func(_ assessment.Disposition, err error) {
		if err != nil {
			ShowError(d.env.Window, "The what-if was not recorded", err)
			return
		}
		what := "recorded"
		if req.Disposition == "" {
			what = "cleared"
		}
		d.load(req.RunID, r.ItemID)
		d.setStatus(fmt.Sprintf("What-if %s on %s. The verdict is unchanged: %s stays %s, decided by %s; only the readiness roll-up counts it differently.",
			what, f.RuleID, r.DisplayName, strings.ToLower(ClassLabel(r.Class)), r.RuleID))
		if d.disposed != nil {
			d.disposed()
		}
	})
}

// showRaw shows the vendor's payload the item was built from, beside the
// digest of the page it came in.
func (d *resultDetail) showRaw(det assessment.Detail) {
	raw := widget.NewLabelWithStyle(PrettyJSON(det.Item.Raw), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	raw.Selectable = true
	ev := wrapped(EvidenceLines(det.Evidence))
	ev.Selectable = true
	body := container.NewBorder(ev, nil, nil, nil, container.NewScroll(raw))
	dlg := dialog.NewCustom(fmt.Sprintf("Raw payload of %s", det.Result.DisplayName), "Close", body, d.env.Window)
	dlg.Resize(fyne.NewSize(860, 620))
	dlg.Show()
}
