package report

var engagementBuilder = Builder{
	Kind:  KindEngagement,
	Title: "Engagement report",
	Purpose: "The whole migration in one record: the inventory and its evidence, the assessment, the " +
		"organisational change impacts and their acknowledgements, the merge decisions, the cutover and " +
		"its readback, the evidence recorded after it, and the audit trail that ties them together.",
	Outline: []Slot{SlotSummary, SlotInventory, SlotAssessment, SlotOCM, SlotMerge, SlotCutover,
		SlotRollback, SlotCompletion, SlotHandoff, SlotProbes, SlotAudit, SlotRules},
}
