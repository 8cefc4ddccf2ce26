package report

var assessmentBuilder = Builder{
	Kind:  KindAssessment,
	Title: "Compatibility assessment report",
	Purpose: "What moves to the Portal, how, and what breaks: the inventory collected from each incumbent " +
		"with the evidence behind it, every item's class and the rule that decided it, and the changes " +
		"end users, administrators and app owners will notice.",
	Outline: []Slot{SlotSummary, SlotInventory, SlotAssessment, SlotOCM, SlotAudit, SlotRules},
}
