// Package audit is the workspace's tamper-evident trail. Every state change
// appends one Entry; each entry carries the SHA-256 of the one before it, and
// the store keeps the head (last sequence number and hash) beside the trail,
// so an edited, deleted, inserted, reordered or truncated entry is found by
// Verify.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Event names. All but the extensions below are the migration contract's
// audit events (docs/migration-contract.md, "Audit events").
const (
	WorkspaceCreated          = "migration.workspace.created"
	SourceCreated             = "migration.source.created"
	InventoryCollected        = "migration.inventory.collected"
	InventoryCollectionFailed = "migration.inventory.collection_failed"
	AssessmentCompleted       = "migration.assessment.completed"
	AssessmentFailed          = "migration.assessment.failed"
	MergeDecisionResolved     = "migration.merge_decision.resolved"
	OCMImpactsAcknowledged    = "migration.ocm_impacts.acknowledged"
	CutoverPlanCreated        = "migration.cutover_plan.created"
	CutoverPlanPreviewed      = "migration.cutover_plan.previewed"
	CutoverPlanApplied        = "migration.cutover_plan.applied"
	CutoverEvidenceUpdated    = "migration.cutover_evidence.updated"
	CutoverStepApplied        = "migration.cutover_step.applied"
	CutoverStepBlocked        = "migration.cutover_step.blocked"
	CutoverStepFailed         = "migration.cutover_step.failed"
	CutoverStepManualFollowUp = "migration.cutover_step.manual_follow_up"
	CutoverStepSkipped        = "migration.cutover_step.skipped"

	// Extensions: state changes the contract has no event name for. They
	// follow its naming so a reader of the trail sees one vocabulary.
	SourceArchived           = "migration.source.archived"
	WorkspaceArchived        = "migration.workspace.archived"
	WorkspaceTargetConnected = "migration.workspace.target_connected"
	// InventorySecretsRedacted: evidence and items stored before secret
	// redaction existed were redacted and the search index rebuilt.
	InventorySecretsRedacted = "migration.inventory.secrets_redacted"

	// The progressive SSO rollout (docs/rollout.md). Per-user changes are
	// steps, as a cutover's are.
	RolloutSettingsUpdated           = "migration.rollout.settings_updated"
	RolloutWaveCreated               = "migration.rollout.wave_created"
	RolloutWavePreviewed             = "migration.rollout.wave_previewed"
	RolloutWaveApplied               = "migration.rollout.wave_applied"
	RolloutEnforcementPreviewed      = "migration.rollout.enforcement_previewed"
	RolloutEnforcementApplied        = "migration.rollout.enforcement_applied"
	RolloutRollbackPreviewed         = "migration.rollout.rollback_previewed"
	RolloutRolledBack                = "migration.rollout.rolled_back"
	RolloutScimPreviewed             = "migration.rollout.scim_previewed"
	RolloutScimDeprovisioningChanged = "migration.rollout.scim_deprovisioning_changed"
	RolloutRunCancelled              = "migration.rollout.run_cancelled"
	RolloutRoleMappingUpdated        = "migration.rollout.role_mapping_updated"
	RolloutRoleElevationApproved     = "migration.rollout.role_elevation_approved"
	RolloutRoleMappingApplied        = "migration.rollout.role_mapping_applied"
	RolloutStepApplied               = "migration.rollout_step.applied"
	RolloutStepFailed                = "migration.rollout_step.failed"
	RolloutStepSkipped               = "migration.rollout_step.skipped"
	// A consultant's what-if on an assessment finding (will fix, risk
	// accepted, not applicable), and its withdrawal.
	AssessmentFindingDisposed           = "migration.assessment.finding_disposed"
	AssessmentFindingDispositionCleared = "migration.assessment.finding_disposition_cleared"
)

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one audit record. Facts hold non-secret configuration facts only.
type Entry struct {
	Seq      int64             `json:"seq"`
	At       time.Time         `json:"at"`
	Event    string            `json:"event"`
	Tenant   string            `json:"tenant"`
	Actor    string            `json:"actor"`
	TargetID string            `json:"target_id"`
	Facts    map[string]string `json:"facts,omitempty"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// Head is the last entry's sequence number and hash, stored apart from the
// trail so that removing entries from its end is detected too.
type Head struct {
	Seq  int64
	Hash string
}

// hashedFields fixes the field order of the hashed form; encoding/json sorts
// the Facts map's keys, so the encoding is canonical.
type hashedFields struct {
	Seq      int64             `json:"seq"`
	At       string            `json:"at"`
	Event    string            `json:"event"`
	Tenant   string            `json:"tenant"`
	Actor    string            `json:"actor"`
	TargetID string            `json:"target_id"`
	Facts    map[string]string `json:"facts"`
	PrevHash string            `json:"prev_hash"`
}

// ComputeHash returns the hex SHA-256 of the entry's canonical form
// (everything but Hash itself).
func (e Entry) ComputeHash() string {
	facts := e.Facts
	if facts == nil {
		facts = map[string]string{}
	}
	b, err := json.Marshal(hashedFields{
		Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), Event: e.Event,
		Tenant: e.Tenant, Actor: e.Actor, TargetID: e.TargetID,
		Facts: facts, PrevHash: e.PrevHash,
	})
	if err != nil { // a struct of strings and a string map always encodes
		panic(fmt.Sprintf("audit: encode entry: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Log is the part of a store transaction the trail needs.
type Log interface {
	AuditHead() (Head, error)
	// AppendAudit stores the entry and moves the head to it, in the caller's
	// transaction.
	AppendAudit(Entry) error
}

// Record chains e after the log's head and appends it. Seq, PrevHash and
// Hash are set here; At is normalised to UTC.
func Record(log Log, e Entry) (Entry, error) {
	head, err := log.AuditHead()
	if err != nil {
		return Entry{}, fmt.Errorf("read audit head: %w", err)
	}
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	if head.Seq == 0 {
		e.PrevHash = GenesisHash
	}
	e.At = e.At.UTC()
	e.Hash = e.ComputeHash()
	if err := log.AppendAudit(e); err != nil {
		return Entry{}, fmt.Errorf("append audit entry %s: %w", e.Event, err)
	}
	return e, nil
}

// Break names the first entry at which the trail stops being trustworthy.
type Break struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (b Break) Error() string { return fmt.Sprintf("audit entry %d: %s", b.Seq, b.Reason) }

// Verify walks the trail in stored order and returns the first break, or nil
// when every entry is intact, in sequence, linked to its predecessor, and the
// trail ends where the head says.
func Verify(entries []Entry, head Head) *Break {
	prev := GenesisHash
	for i, e := range entries {
		want := int64(i + 1)
		switch {
		case e.Seq != want:
			if e.Seq > want {
				return &Break{Seq: want, Reason: fmt.Sprintf("missing: the trail jumps from entry %d to entry %d (deleted or reordered)", want-1, e.Seq)}
			}
			return &Break{Seq: e.Seq, Reason: fmt.Sprintf("out of order: found at position %d (inserted or reordered)", want)}
		case e.ComputeHash() != e.Hash:
			return &Break{Seq: e.Seq, Reason: "edited: its contents no longer match its hash"}
		case e.PrevHash != prev:
			return &Break{Seq: e.Seq, Reason: "does not follow the entry before it (inserted, deleted or reordered)"}
		}
		prev = e.Hash
	}
	last := int64(len(entries))
	switch {
	case head.Seq > last:
		return &Break{Seq: last + 1, Reason: fmt.Sprintf("missing: the trail ends at entry %d but the workspace recorded %d entries (removed from the end)", last, head.Seq)}
	case head.Seq < last:
		return &Break{Seq: head.Seq + 1, Reason: fmt.Sprintf("not recorded: the workspace's trail ends at entry %d, so this entry and any after it were added outside the console", head.Seq)}
	case last > 0 && head.Hash != prev:
		return &Break{Seq: last, Reason: "edited: the last entry does not match the hash the workspace recorded"}
	}
	return nil
}

// FormatFacts renders an entry's facts on one line for people, in logfmt
// style: key=value pairs sorted by key, a value quoted (Go syntax) when it
// is empty or holds a space, '=', '"' or a non-printable character, so a
// fact such as an error message cannot pass for further pairs.
func FormatFacts(facts map[string]string) string {
	keys := make([]string, 0, len(facts))
	for k := range facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(factValue(facts[k]))
	}
	return b.String()
}

func factValue(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool {
		return r == ' ' || r == '=' || r == '"' || !unicode.IsPrint(r)
	}) {
		return strconv.Quote(v)
	}
	return v
}
