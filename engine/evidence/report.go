package evidence

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/report"
)

// The stage's report providers, one per slot it fills (see report.Provider).
// Each covers every cutover plan of the workspace, newest first.
type (
	// RollbackReport fills the rollback slot: each plan's rollback
	// guidance as the operator recorded it.
	RollbackReport struct{ Service *Service }
	// CompletionReport fills the completion slot: each plan's completion
	// evidence as the operator recorded it.
	CompletionReport struct{ Service *Service }
	// HandoffReport fills the handoff slot: each plan's derived handoff
	// criteria, with its blocked and manual-follow-up steps listed.
	HandoffReport struct{ Service *Service }
)

func (RollbackReport) Slot() report.Slot   { return report.SlotRollback }
func (CompletionReport) Slot() report.Slot { return report.SlotCompletion }
func (HandoffReport) Slot() report.Slot    { return report.SlotHandoff }

// views reads every plan's evidence, newest plan first. A nil slice and a
// note when there is nothing to report: no cutover stage, or no plan.
// noStage and noPlan are the notes for the two cases.
func (s *Service) views(ctx context.Context, noStage, noPlan string) ([]View, string, error) {
	if s.Plans == nil {
		return nil, noStage, nil
	}
	plans, err := s.PlanList(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(plans) == 0 {
		return nil, noPlan, nil
	}
	out := make([]View, 0, len(plans))
	err = s.Store.View(ctx, func(tx Tx) error {
		for _, p := range plans {
			rec, err := tx.EvidenceRecord(p.ID)
			if err != nil {
				return err
			}
			out = append(out, newView(p, rec))
		}
		return nil
	})
	return out, "", err
}

func notRunSection(slot report.Slot, note string) report.Contribution {
	return report.Contribution{Sections: []report.Section{{ID: string(slot), Title: slot.Title(), Status: report.NotRun,
		Blocks: []report.Block{report.NoteBlock(report.ToneInfo, "%s", note)}}}}
}

func recorded(by string, at *time.Time) string {
	if at == nil {
		return "not recorded"
	}
	return fmt.Sprintf("%s, %s", by, at.UTC().Format("2006-01-02 15:04 UTC"))
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

func planHeading(p PlanFacts) report.Block {
	return report.HeadingBlock(2, fmt.Sprintf("Cutover plan %s", p.ID))
}

// Contribute implements report.Provider.
func (r RollbackReport) Contribute(ctx context.Context, _ report.Input) (report.Contribution, error) {
	views, note, err := r.Service.views(ctx,
		"No rollback guidance has been recorded: the cutover stage is not available in this console, so no cutover plan exists to record it on.",
		"No rollback guidance has been recorded. It is entered on a cutover plan, and no cutover plan exists in this workspace.")
	if err != nil || views == nil {
		return notRunSection(report.SlotRollback, note), err
	}
	sec := report.Section{ID: string(report.SlotRollback), Title: report.SlotRollback.Title(), Status: report.Complete}
	sec.Blocks = append(sec.Blocks, report.ParagraphBlock("How to return each cutover plan's changes on the Portal to the state before "+
		"apply, as the operator recorded it: the guidance the named owner follows. What the console's own rollback deletes, and its result, follow under \"Rollback plan and results\"."))
	steps := &report.Table{ID: "rollback_steps", Title: "Rollback steps", Empty: "No rollback steps have been recorded.",
		Columns: []report.Column{
			{Key: "plan_id", Title: "Plan", Type: report.ColID, Weight: 1.2},
			{Key: "step", Title: "#", Type: report.ColInteger, Weight: 0.3},
			{Key: "instruction", Title: "Instruction", Type: report.ColText, Weight: 4},
		}}
	for _, v := range views {
		rb := v.Record.Rollback
		sec.Blocks = append(sec.Blocks, planHeading(v.Plan))
		if rb.Summary == "" && rb.Owner == "" && len(rb.Steps) == 0 {
			sec.Status = report.Partial
			sec.Blocks = append(sec.Blocks, report.NoteBlock(report.ToneWarning, "No rollback guidance has been recorded on this plan."))
			continue
		}
		sec.Blocks = append(sec.Blocks, report.FactsBlock(
			report.Fact{Label: "Summary", Value: orNone(rb.Summary)},
			report.Fact{Label: "Owner", Value: orNone(rb.Owner)},
			report.Fact{Label: "Steps", Value: fmt.Sprint(len(rb.Steps))},
			report.Fact{Label: "Recorded by", Value: recorded(v.Record.RollbackUpdatedBy, v.Record.RollbackUpdatedAt)},
		))
		for i, st := range rb.Steps {
			steps.Rows = append(steps.Rows, report.Row(v.Plan.ID, i+1, st))
		}
	}
	sec.Blocks = append(sec.Blocks, report.TableBlock(steps))
	return report.Contribution{Sections: []report.Section{sec}}, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Contribute implements report.Provider.
func (c CompletionReport) Contribute(ctx context.Context, _ report.Input) (report.Contribution, error) {
	views, note, err := c.Service.views(ctx,
		"No completion evidence has been recorded: the cutover stage is not available in this console, so no cutover plan exists to record it on.",
		"No completion evidence has been recorded. It is entered on a cutover plan, and no cutover plan exists in this workspace.")
	if err != nil || views == nil {
		return notRunSection(report.SlotCompletion, note), err
	}
	sec := report.Section{ID: string(report.SlotCompletion), Title: report.SlotCompletion.Title(), Status: report.Complete}
	sec.Blocks = append(sec.Blocks, report.ParagraphBlock("What the operator recorded after each cutover: the communications "+
		"to the people affected, the artifact or ticket that holds the detail, the manual validation done, and the review "+
		"of the steps left to a person. Manual validation is operator-entered evidence, not a machine-collected check; "+
		"the probe results are reported apart."))
	for _, v := range views {
		cm := v.Record.Completion
		sec.Blocks = append(sec.Blocks, planHeading(v.Plan))
		if v.Record.CompletionUpdatedAt == nil {
			sec.Status = report.Partial
			sec.Blocks = append(sec.Blocks, report.NoteBlock(report.ToneWarning, "No completion evidence has been recorded on this plan."))
			continue
		}
		sec.Blocks = append(sec.Blocks, report.FactsBlock(
			report.Fact{Label: "Communications complete", Value: yesNo(cm.CommunicationsComplete)},
			report.Fact{Label: "Communications summary", Value: orNone(cm.CommunicationsSummary)},
			report.Fact{Label: "Artifact or ticket", Value: orNone(cm.ArtifactReference)},
			report.Fact{Label: "Manual validation", Value: orNone(cm.ManualValidationSummary)},
			report.Fact{Label: "Follow-up reviewed", Value: yesNo(cm.FollowUpReviewed)},
			report.Fact{Label: "Follow-up summary", Value: orNone(cm.FollowUpSummary)},
			report.Fact{Label: "Recorded by", Value: recorded(v.Record.CompletionUpdatedBy, v.Record.CompletionUpdatedAt)},
		))
	}
	return report.Contribution{Sections: []report.Section{sec}}, nil
}

// Contribute implements report.Provider.
func (h HandoffReport) Contribute(ctx context.Context, _ report.Input) (report.Contribution, error) {
	views, note, err := h.Service.views(ctx,
		"The handoff criteria are not met: the cutover stage is not available in this console, so no cutover has been executed.",
		"The handoff criteria are not met: no cutover plan exists in this workspace, so no cutover has been executed.")
	if err != nil || views == nil {
		return notRunSection(report.SlotHandoff, note), err
	}
	sec := report.Section{ID: string(report.SlotHandoff), Title: report.SlotHandoff.Title(), Status: report.Complete}
	sec.Blocks = append(sec.Blocks, report.ParagraphBlock("Derived when this report was generated from each plan's execution "+
		"record and the operator's evidence; never stored. Blocked and manual-follow-up steps stay listed below whatever "+
		"was recorded: reviewing them does not make them go away."))
	rows := &report.Table{ID: "handoff_follow_up", Title: "Blocked and manual-follow-up steps",
		Empty: "No plan has a blocked or manual-follow-up step.",
		Columns: []report.Column{
			{Key: "plan_id", Title: "Plan", Type: report.ColID, Weight: 1.2},
			{Key: "disposition", Title: "Disposition", Type: report.ColStatus},
			{Key: "step", Title: "Step", Type: report.ColText, Weight: 2},
			{Key: "reason", Title: "Reason", Type: report.ColText, Weight: 3},
		}}
	var summary []string
	for _, v := range views {
		sec.Blocks = append(sec.Blocks, planHeading(v.Plan))
		if v.Met {
			sec.Blocks = append(sec.Blocks, report.NoteBlock(report.ToneSuccess, "Every handoff criterion is met for this plan."))
		} else {
			sec.Blocks = append(sec.Blocks, report.NoteBlock(report.ToneWarning, "The handoff criteria are not met for this plan: %s.", strings.Join(unmet(v.Criteria), "; ")))
		}
		items := make([]report.CheckItem, len(v.Criteria))
		for i, c := range v.Criteria {
			st := report.CheckNotMet
			if c.Met {
				st = report.CheckMet
			}
			items[i] = report.CheckItem{Label: c.Label, State: st, Detail: c.Why}
		}
		sec.Blocks = append(sec.Blocks, report.ChecklistBlock(items...))
		for _, st := range v.Plan.Blocked {
			rows.Rows = append(rows.Rows, report.Row(v.Plan.ID, "blocked", st.Name, st.Reason))
		}
		for _, st := range v.Plan.ManualFollowUp {
			rows.Rows = append(rows.Rows, report.Row(v.Plan.ID, "manual_follow_up", st.Name, st.Reason))
		}
		met := "not met"
		if v.Met {
			met = "met"
		}
		summary = append(summary, fmt.Sprintf("plan %s: %s", v.Plan.ID, met))
	}
	sec.Blocks = append(sec.Blocks, report.TableBlock(rows))
	return report.Contribution{
		Cover:    []report.Fact{{Label: "Handoff criteria", Value: strings.Join(summary, "; ")}},
		Sections: []report.Section{sec},
	}, nil
}

func unmet(cs []Criterion) []string {
	var out []string
	for _, c := range cs {
		if !c.Met {
			out = append(out, strings.ToLower(c.Label[:1])+c.Label[1:]+" ("+strings.TrimSuffix(c.Why, ".")+")")
		}
	}
	return out
}
