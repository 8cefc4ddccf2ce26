package screens

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/ui/task"
)

// evidenceForms are the two operator forms of a plan. Nothing is saved
// until the operator presses a form's Save; what the save changed, or why
// it was refused (beside the field concerned), shows under the form.
type evidenceForms struct {
	s       *EvidenceScreen
	content fyne.CanvasObject

	summary, owner, steps *widget.Entry
	rollbackSave          *widget.Button
	rollbackResult        *widget.Label

	commsDone                                *widget.Check
	commsSummary, artifact, manual, followUp *widget.Entry
	followUpDone                             *widget.Check
	completionSave                           *widget.Button
	completionResult                         *widget.Label

	// problems are the inline messages, by evidence field name.
	problems map[string]*widget.Label
	filling  bool
}

func multiLine(placeholder string) *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	e.SetPlaceHolder(placeholder)
	return e
}

func problemLabel() *widget.Label {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func newEvidenceForms(s *EvidenceScreen) *evidenceForms {
	f := &evidenceForms{s: s, problems: map[string]*widget.Label{}}
	f.summary = multiLine("What rolling back does, in a few sentences")
	f.owner = widget.NewEntry()
	f.owner.SetPlaceHolder("Who carries it out: a name or a team")
	f.steps = multiLine("One step per line, in order")
	f.steps.SetMinRowsVisible(4)
	f.commsDone = widget.NewCheck("Communications to the people affected are complete", func(bool) { f.changed() })
	f.commsSummary = multiLine("Who was told what, and when")
	f.artifact = widget.NewEntry()
	f.artifact.SetPlaceHolder("Change ticket or document reference")
	f.manual = multiLine("The manual validation done after cutover (operator-entered, not a machine check)")
	f.followUpDone = widget.NewCheck("The blocked and manual-follow-up steps were reviewed", func(bool) { f.changed() })
	f.followUp = multiLine("What was reviewed and what remains")
	for _, e := range []*widget.Entry{f.summary, f.owner, f.steps, f.commsSummary, f.artifact, f.manual, f.followUp} {
		e.OnChanged = func(string) { f.changed() }
	}
	for _, name := range []string{"rollback_summary", "rollback_owner", "rollback_steps", "communications_summary",
		"artifact_reference", "manual_validation_summary", "follow_up_summary"} {
		f.problems[name] = problemLabel()
	}
	f.rollbackSave = widget.NewButtonWithIcon("Save rollback guidance", theme.DocumentSaveIcon(), f.saveRollback)
	f.rollbackSave.Importance = widget.HighImportance
	f.rollbackResult = wrapped("")
	f.completionSave = widget.NewButtonWithIcon("Save completion evidence", theme.DocumentSaveIcon(), f.saveCompletion)
	f.completionSave.Importance = widget.HighImportance
	f.completionResult = wrapped("")
	field := func(label string, w fyne.CanvasObject, problem string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabel(label), w, f.problems[problem])
	}
	rollback := widget.NewCard("Rollback guidance", "Recorded by the operator: what the named owner does to return the Portal to its state before apply",
		container.NewVBox(
			field("Summary", f.summary, "rollback_summary"),
			field("Owner", f.owner, "rollback_owner"),
			field("Steps", f.steps, "rollback_steps"),
			container.NewHBox(f.rollbackSave), f.rollbackResult))
	completion := widget.NewCard("Completion evidence", "Recorded by the operator after cutover",
		container.NewVBox(
			f.commsDone, field("Communications summary", f.commsSummary, "communications_summary"),
			field("Artifact or ticket reference", f.artifact, "artifact_reference"),
			field("Manual validation summary", f.manual, "manual_validation_summary"),
			f.followUpDone, field("Follow-up summary", f.followUp, "follow_up_summary"),
			container.NewHBox(f.completionSave), f.completionResult))
	f.content = container.NewVBox(rollback, completion)
	return f
}

// splitSteps reads the steps entry: one step per non-blank line.
func splitSteps(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (f *evidenceForms) rollback() evidence.Rollback {
	return evidence.Rollback{Summary: strings.TrimSpace(f.summary.Text), Owner: strings.TrimSpace(f.owner.Text), Steps: splitSteps(f.steps.Text)}
}

func (f *evidenceForms) completion() evidence.Completion {
	return evidence.Completion{
		CommunicationsComplete: f.commsDone.Checked, CommunicationsSummary: strings.TrimSpace(f.commsSummary.Text),
		ArtifactReference: strings.TrimSpace(f.artifact.Text), ManualValidationSummary: strings.TrimSpace(f.manual.Text),
		FollowUpReviewed: f.followUpDone.Checked, FollowUpSummary: strings.TrimSpace(f.followUp.Text),
	}
}

// record is saved with the forms' current values in place of its own.
func (f *evidenceForms) record(saved evidence.Record) evidence.Record {
	saved.Rollback, saved.Completion = f.rollback(), f.completion()
	return saved
}

func (f *evidenceForms) rollbackDirty() bool {
	a, b := f.rollback(), f.s.view.Record.Rollback
	return a.Summary != b.Summary || a.Owner != b.Owner || !slices.Equal(a.Steps, b.Steps)
}

func (f *evidenceForms) completionDirty() bool { return f.completion() != f.s.view.Record.Completion }

func (f *evidenceForms) dirty() bool { return f.rollbackDirty() || f.completionDirty() }

// fill shows the stored record in the forms, except in one the operator
// is editing (keep), so a reload never throws away unsaved text.
func (f *evidenceForms) fill(rec evidence.Record, keepRollback, keepCompletion bool) {
	f.filling = true
	defer func() { f.filling = false }()
	if !keepRollback {
		f.summary.SetText(rec.Rollback.Summary)
		f.owner.SetText(rec.Rollback.Owner)
		f.steps.SetText(strings.Join(rec.Rollback.Steps, "\n"))
	}
	if !keepCompletion {
		c := rec.Completion
		f.commsDone.SetChecked(c.CommunicationsComplete)
		f.commsSummary.SetText(c.CommunicationsSummary)
		f.artifact.SetText(c.ArtifactReference)
		f.manual.SetText(c.ManualValidationSummary)
		f.followUpDone.SetChecked(c.FollowUpReviewed)
		f.followUp.SetText(c.FollowUpSummary)
	}
	f.updateButtons()
}

func (f *evidenceForms) changed() {
	if f.filling {
		return
	}
	f.updateButtons()
	f.s.showCriteria()
}

func (f *evidenceForms) updateButtons() {
	if f.rollbackDirty() {
		f.rollbackSave.Enable()
	} else {
		f.rollbackSave.Disable()
	}
	if f.completionDirty() {
		f.completionSave.Enable()
	} else {
		f.completionSave.Disable()
	}
}

// clearResults hides what the last saves said: another plan is shown.
func (f *evidenceForms) clearResults() {
	f.rollbackResult.SetText("")
	f.completionResult.SetText("")
	for _, l := range f.problems {
		l.Hide()
	}
}

func (f *evidenceForms) clearProblems(fields ...string) {
	for _, name := range fields {
		f.problems[name].Hide()
	}
}

// showRefusal puts each problem beside its field, and the whole error in
// the form's result line.
func (f *evidenceForms) showRefusal(result *widget.Label, err error) {
	result.Importance = widget.DangerImportance
	var inv *evidence.InvalidError
	if errors.As(err, &inv) {
		result.SetText("Not saved: correct the fields marked below.")
		for _, p := range inv.Problems {
			if l, ok := f.problems[p.Field]; ok {
				l.SetText(p.Message)
				l.Show()
			}
		}
		return
	}
	result.SetText("Not saved: " + err.Error())
}

func (f *evidenceForms) showSaved(result *widget.Label, what string, changes []evidence.Change) {
	result.Importance = widget.SuccessImportance
	if len(changes) == 0 {
		result.SetText("Nothing changed.")
		return
	}
	lines := make([]string, len(changes))
	for i, c := range changes {
		lines[i] = c.String()
	}
	result.SetText("Saved " + what + " and recorded in the audit trail:\n" + strings.Join(lines, "\n"))
}

func (f *evidenceForms) saveRollback() {
	plan, r := f.s.pickedPlan(), f.rollback()
	if plan == "" {
		return
	}
	f.clearProblems("rollback_summary", "rollback_owner", "rollback_steps")
	f.rollbackSave.Disable()
	type saved struct {
		v  evidence.View
		ch []evidence.Change
	}
	task.Run(f.s.env.Tasks, func(ctx context.Context) (saved, error) {
		v, ch, err := f.s.env.Evidence.SetRollback(ctx, plan, r)
		return saved{v, ch}, err
	}, func(res saved, err error) {
		if err != nil {
			f.showRefusal(f.rollbackResult, err)
			f.updateButtons()
			return
		}
		f.afterSave(res.v)
		f.showSaved(f.rollbackResult, "the rollback guidance", res.ch)
	})
}

func (f *evidenceForms) saveCompletion() {
	plan, c := f.s.pickedPlan(), f.completion()
	if plan == "" {
		return
	}
	f.clearProblems("communications_summary", "artifact_reference", "manual_validation_summary", "follow_up_summary")
	f.completionSave.Disable()
	type saved struct {
		v  evidence.View
		ch []evidence.Change
	}
	task.Run(f.s.env.Tasks, func(ctx context.Context) (saved, error) {
		v, ch, err := f.s.env.Evidence.SetCompletion(ctx, plan, c)
		return saved{v, ch}, err
	}, func(res saved, err error) {
		if err != nil {
			f.showRefusal(f.completionResult, err)
			f.updateButtons()
			return
		}
		f.afterSave(res.v)
		f.showSaved(f.completionResult, "the completion evidence", res.ch)
	})
}

// afterSave shows the saved record and reloads the header and the audit
// trail, which now hold the entry.
func (f *evidenceForms) afterSave(v evidence.View) {
	f.s.view = v
	f.s.showCriteria()
	f.updateButtons()
	if f.s.env.Changed != nil {
		f.s.env.Changed()
	}
}
