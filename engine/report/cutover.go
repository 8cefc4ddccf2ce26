package report

var cutoverBuilder = Builder{
	Kind:  KindCutover,
	Title: "Cutover evidence report",
	Purpose: "What was changed on the Portal and how it was checked: the merge decisions the plan rests on, " +
		"the cutover plan and what the target reported back for each step, the rollback guidance and " +
		"completion evidence recorded by the operator, the handoff criteria and the probe results.",
	Outline: []Slot{SlotSummary, SlotMerge, SlotCutover, SlotRollback, SlotCompletion, SlotHandoff, SlotProbes, SlotAudit},
}
