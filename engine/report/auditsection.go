package report

import (
	"fmt"

	"github.com/portal-id/migration-console/engine/audit"
)

func auditSection(trail AuditTrail, opt Options) Section {
	sec := Section{ID: string(SlotAudit), Title: SlotAudit.Title(), Status: Complete}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }
	add(ParagraphBlock("Every change of state in this workspace appends one audit entry. Each entry carries the " +
		"SHA-256 of the entry before it and the workspace records the head (the last entry's number and hash), " +
		"so an entry edited, inserted, removed or reordered inside the file breaks the chain at that entry. " +
		"The trail below is the whole trail, in order."))

	head := "none (the trail is empty)"
	if trail.Head.Seq > 0 {
		head = fmt.Sprintf("entry %d, %s", trail.Head.Seq, trail.Head.Hash)
	}
	verdict := fmt.Sprintf("Intact: %s, each linked to the one before, ending at the recorded head.", plural(len(trail.Entries), "entry"))
	if len(trail.Entries) == 1 {
		verdict = "Intact: 1 entry, ending at the recorded head."
	}
	if trail.Break != nil {
		verdict = "Broken at " + trail.Break.Error()
	}
	add(FactsBlock(
		Fact{Label: "Entries", Value: Thousands(int64(len(trail.Entries)))},
		Fact{Label: "Chain head", Value: head},
		Fact{Label: "Verification", Value: verdict},
	))
	if trail.Break != nil {
		sec.Status = Partial
		add(NoteBlock(ToneDanger, "The audit trail does not verify: %s. The workspace file was changed outside the console; "+
			"entries from that point on cannot be relied on.", trail.Break.Error()))
	} else {
		add(NoteBlock(ToneSuccess, "The audit trail verifies: no entry was edited, inserted, removed or reordered since it was recorded."))
	}
	if opt.SigningKey != "" {
		add(ParagraphBlock("To check a signed evidence bundle of this workspace independently, run: migctl evidence verify --fingerprint %s BUNDLE.zip. "+
			"It needs neither this laptop's keychain nor the workspace file.", opt.SigningKey))
	}

	t := &Table{ID: "audit", Title: "Audit trail", Columns: []Column{
		{Key: "seq", Title: "#", Type: ColInteger, Weight: 0.4},
		{Key: "at", Title: "When", Type: ColTime, Weight: 1.3},
		{Key: "event", Title: "Event", Type: ColText, Weight: 2.2},
		{Key: "actor", Title: "Actor", Type: ColText, Weight: 1},
		{Key: "target_id", Title: "Target", Type: ColID, Weight: 1.7},
		{Key: "facts", Title: "Facts", Type: ColText, Weight: 3},
		{Key: "tenant", Title: "Tenant", Type: ColText, Detail: true},
		{Key: "prev_hash", Title: "Previous hash", Type: ColDigest, Detail: true},
		{Key: "hash", Title: "Hash", Type: ColDigest, Detail: true},
	}, Rows: make([][]any, 0, len(trail.Entries)), Interactive: true, Empty: "The audit trail is empty."}
	for _, e := range trail.Entries {
		t.Rows = append(t.Rows, Row(e.Seq, e.At, e.Event, e.Actor, e.TargetID, audit.FormatFacts(e.Facts), e.Tenant, e.PrevHash, e.Hash))
	}
	add(TableBlock(t))
	return sec
}
