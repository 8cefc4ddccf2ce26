package report

import (
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
)

// summarySection is the executive summary: where the engagement stands,
// the numbers a reader needs first, and the stages' own summary blocks.
func summarySection(b Builder, in Input, inv inventoryStats, trail AuditTrail, contributed []Block) Section {
	sec := Section{ID: string(SlotSummary), Title: SlotSummary.Title(), Status: Complete}
	add := func(bl ...Block) { sec.Blocks = append(sec.Blocks, bl...) }
	sum := in.Summary
	add(ParagraphBlock("%s", headline(b, in, inv, trail)))

	add(HeadingBlock(2, "Where the engagement stands"))
	completed := len(in.Covered)
	items := []CheckItem{
		stageCheck("At least one source configured", sum.ConfiguredSourceCount > 0,
			fmt.Sprintf("%d of %s configured", sum.ConfiguredSourceCount, plural(sum.SourceCount, "source"))),
		stageCheck("Inventory collected", completed > 0 && completed == len(in.Sources),
			fmt.Sprintf("%d of %s with a completed snapshot", completed, plural(len(in.Sources), "source"))),
		statusCheck("Compatibility assessment", sum.AssessmentStatus),
		statusCheck("OCM impact review", sum.OCMReviewStatus),
		statusCheck("Merge review", sum.MergeReviewStatus),
	}
	gate := CheckItem{Label: "Preview handoff gate", State: CheckNotMet, Detail: "blocked"}
	if sum.PreviewHandoffStatus == readiness.HandoffReady {
		gate = CheckItem{Label: "Preview handoff gate", State: CheckMet, Detail: "ready for preview"}
	} else if len(sum.PreviewHandoffBlockers) > 0 {
		msgs := make([]string, len(sum.PreviewHandoffBlockers))
		for i, bl := range sum.PreviewHandoffBlockers {
			msgs[i] = strings.TrimSuffix(bl.Message, ".")
		}
		gate.Detail = "blocked: " + strings.Join(msgs, "; ")
	}
	add(ChecklistBlock(append(items, gate)...))

	chain := "intact"
	if trail.Break != nil {
		chain = "BROKEN at entry " + fmt.Sprint(trail.Break.Seq)
	}
	facts := []Fact{
		{Label: "Tenant", Value: in.Workspace.Tenant},
		{Label: "Workspace mode", Value: modeText(in.Workspace.Mode)},
		{Label: "Items collected", Value: Thousands(int64(inv.items))},
		{Label: "Evidence pages", Value: Thousands(int64(inv.pages))},
		{Label: "Snapshots described", Value: Thousands(int64(len(in.Covered)))},
		{Label: "Audit trail", Value: fmt.Sprintf("%s, %s", plural(len(trail.Entries), "entry"), chain)},
	}
	if !hasSlot(b, SlotInventory) {
		// A report without the inventory section still states what it rests on.
		facts = append(facts[:2], facts[4:]...)
	}
	add(HeadingBlock(2, "Key numbers"), FactsBlock(facts...))
	if trail.Break != nil {
		add(NoteBlock(ToneDanger, "The audit trail does not verify (%s): see the audit trail section.", trail.Break.Error()))
	}
	if hasSlot(b, SlotInventory) && inv.items > 0 {
		add(ChartBlock(kindChart("summary_inventory_by_kind", inv)))
	}
	add(contributed...)
	return sec
}

// headline is the executive summary's first paragraph: the state of the
// engagement in three sentences, from the same numbers as the rest.
func headline(b Builder, in Input, inv inventoryStats, trail AuditTrail) string {
	var parts []string
	if hasSlot(b, SlotInventory) {
		if len(in.Covered) == 0 {
			parts = append(parts, fmt.Sprintf("No inventory has been completed yet for %s.", plural(len(in.Sources), "configured source")))
		} else {
			parts = append(parts, fmt.Sprintf("%d of %s inventoried: %s collected from %s, each traceable to the bytes the vendor sent.",
				len(in.Covered), plural(len(in.Sources), "source"), plural(inv.items, "item"), plural(inv.pages, "evidence page")))
		}
	}
	switch in.Summary.AssessmentStatus {
	case "completed":
		parts = append(parts, "A compatibility assessment has completed.")
	case readiness.StageNotStarted, "":
		parts = append(parts, "No compatibility assessment has been run yet.")
	default:
		parts = append(parts, fmt.Sprintf("The compatibility assessment is %s.", strings.ReplaceAll(in.Summary.AssessmentStatus, "_", " ")))
	}
	if in.Summary.PreviewHandoffStatus == readiness.HandoffReady {
		parts = append(parts, "The preview handoff gate is open.")
	} else {
		parts = append(parts, fmt.Sprintf("The preview handoff gate is blocked (%s).", plural(len(in.Summary.PreviewHandoffBlockers), "blocker")))
	}
	if trail.Break != nil {
		parts = append(parts, fmt.Sprintf("The audit trail does NOT verify: it breaks at entry %d.", trail.Break.Seq))
	} else {
		parts = append(parts, fmt.Sprintf("The audit trail of %s verifies.", plural(len(trail.Entries), "entry")))
	}
	return strings.Join(parts, " ")
}

func hasSlot(b Builder, s Slot) bool {
	for _, o := range b.Outline {
		if o == s {
			return true
		}
	}
	return false
}

func stageCheck(label string, ok bool, detail string) CheckItem {
	st := CheckNotMet
	if ok {
		st = CheckMet
	}
	return CheckItem{Label: label, State: st, Detail: detail}
}

// statusCheck turns a workspace summary stage status into a checklist
// item: not_applicable is neither met nor missing; anything but completed
// (or its stage's equivalents) is not met, with the status as detail.
func statusCheck(label, status string) CheckItem {
	switch status {
	case readiness.StageNotApplicable:
		return CheckItem{Label: label, State: CheckNotApplicable, Detail: "not applicable in this workspace mode"}
	case "completed", "complete", "reviewed", "acknowledged", "resolved":
		return CheckItem{Label: label, State: CheckMet, Detail: strings.ReplaceAll(status, "_", " ")}
	case "not_required":
		// OCM review with no impact raised: nothing to acknowledge.
		return CheckItem{Label: label, State: CheckMet, Detail: "not required: no impact was raised"}
	case "":
		return CheckItem{Label: label, State: CheckNotMet, Detail: "not started"}
	}
	return CheckItem{Label: label, State: CheckNotMet, Detail: strings.ReplaceAll(status, "_", " ")}
}

func modeText(m workspace.Mode) string {
	switch m {
	case workspace.ModeFirstRunAdoption:
		return "first-run adoption (the target starts empty)"
	case workspace.ModeMergeIntoExisting:
		return "merge into existing (the target already holds objects)"
	}
	return string(m)
}
