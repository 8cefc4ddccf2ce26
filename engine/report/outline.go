package report

import (
	"github.com/portal-id/migration-console/engine/workspace"
)

// Slot is one place in a report outline. The built-in slots (summary,
// inventory, audit) are filled here from data every workspace has; the
// others by the stage that owns them, through its Provider.
type Slot string

// Every slot, listed in one place. A stage's provider fills its slot in
// every report kind whose outline holds it.
const (
	SlotSummary    Slot = "summary"    // built in: executive summary
	SlotInventory  Slot = "inventory"  // built in: snapshots, counts, evidence pages, item register
	SlotAssessment Slot = "assessment" // assessment by item: class, rule, rationale, notes, impacts, dispositions
	SlotOCM        Slot = "ocm"        // OCM impacts and their acknowledgements
	SlotMerge      Slot = "merge"      // merge decisions, their diffs and who decided
	SlotCutover    Slot = "cutover"    // the cutover plan and the execution readback per step
	SlotRollback   Slot = "rollback"   // operator-entered rollback guidance
	SlotCompletion Slot = "completion" // operator-entered completion evidence
	SlotHandoff    Slot = "handoff"    // computed handoff criteria
	SlotProbes     Slot = "probes"     // machine-collected probe results
	SlotAudit      Slot = "audit"      // built in: the audit trail, its head and its verification
	SlotRules      Slot = "rules"      // appendix: rule catalogue version and every rule used
)

// slotInfo is what the builders know about a slot without its provider:
// its title, and the truthful section that stands in until the stage's
// provider exists.
type slotInfo struct {
	title    string
	builtin  bool
	fallback func(in Input) []Block
}

func notRun(text string) func(Input) []Block {
	return func(Input) []Block { return []Block{NoteBlock(ToneInfo, "%s", text)} }
}

var slots = map[Slot]slotInfo{
	SlotSummary:    {title: "Executive summary", builtin: true},
	SlotInventory:  {title: "Inventory and evidence", builtin: true},
	SlotAudit:      {title: "Audit trail", builtin: true},
	SlotAssessment: {title: "Assessment by item", fallback: notRun("No assessment has been run in this workspace. Every item's class, deciding rule and rationale appear here once a compatibility assessment has completed on a snapshot.")},
	SlotOCM:        {title: "OCM impacts and acknowledgements", fallback: notRun("No OCM impacts have been raised: they come from a completed assessment, and none has been run in this workspace.")},
	SlotMerge: {title: "Merge decisions", fallback: func(in Input) []Block {
		if in.Workspace.Mode == workspace.ModeFirstRunAdoption {
			return []Block{NoteBlock(ToneInfo, "Not applicable: this workspace adopts a first-run target, so there is no existing target state to merge with.")}
		}
		return []Block{NoteBlock(ToneInfo, "No merge decisions have been recorded in this workspace. They are made against the target's existing objects after an assessment has completed.")}
	}},
	SlotCutover:    {title: "Cutover plan and execution readback", fallback: notRun("No cutover plan has been created in this workspace, so nothing has been previewed or applied on the target.")},
	SlotRollback:   {title: "Rollback guidance", fallback: notRun("No rollback guidance has been recorded. It is entered on the cutover plan, and no cutover plan exists in this workspace.")},
	SlotCompletion: {title: "Completion evidence", fallback: notRun("No completion evidence has been recorded. It is entered on the cutover plan, and no cutover plan exists in this workspace.")},
	SlotHandoff: {title: "Handoff criteria", fallback: func(Input) []Block {
		return []Block{
			NoteBlock(ToneWarning, "The handoff criteria are not met: no cutover has been executed in this workspace."),
			ChecklistBlock(
				CheckItem{Label: "An execution record exists", State: CheckNotMet, Detail: "No cutover plan has been applied."},
				CheckItem{Label: "Rollback guidance recorded", State: CheckNotMet},
				CheckItem{Label: "Communications recorded", State: CheckNotMet},
				CheckItem{Label: "Follow-up reviewed", State: CheckNotMet},
			),
		}
	}},
	SlotProbes: {title: "Probe results", fallback: notRun("No probes have run: they check the target after a cutover is applied, and none has been applied in this workspace.")},
	SlotRules:  {title: "Appendix: rule catalogue", fallback: notRun("No assessment has been run in this workspace, so no rule of the catalogue has been applied yet.")},
}

// Title is the slot's section title.
func (s Slot) Title() string { return slots[s].title }
