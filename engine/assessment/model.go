package assessment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Status is an assessment run's lifecycle state.
type Status string

const (
	// StatusAssessing: the classifier is evaluating the snapshot.
	StatusAssessing Status = "assessing"
	// StatusCompleted: every item result, OCM impact and contributor row
	// is persisted.
	StatusCompleted Status = "completed"
	// StatusFailed: the run could not finish (an error, a cancellation, or
	// a process that stopped heartbeating).
	StatusFailed Status = "failed"
)

// Run is one durable assessment of one completed inventory snapshot. Runs
// are never overwritten: assessing a snapshot again adds a run.
type Run struct {
	ID         string               `json:"id"`
	SnapshotID string               `json:"snapshot_id"`
	SourceID   string               `json:"source_id"`
	SourceName string               `json:"source_name"`
	SourceKind workspace.SourceKind `json:"source_kind"`
	Status     Status               `json:"status"`
	StartedAt  time.Time            `json:"started_at"`
	FinishedAt *time.Time           `json:"finished_at,omitempty"`
	// HeartbeatAt is refreshed while the run is assessing; a run whose
	// heartbeat stops is shown failed (interrupted).
	HeartbeatAt time.Time `json:"heartbeat_at"`
	Owner       string    `json:"owner"`
	// ClassifierVersion is the catalogue's version and digest
	// (Catalogue.ClassifierVersion); CatalogueVersion its semantic part.
	ClassifierVersion string `json:"classifier_version"`
	CatalogueVersion  string `json:"catalogue_version"`
	// Counts are items by class; KindCounts items by kind, then class.
	Counts     map[Class]int                    `json:"counts"`
	KindCounts map[inventory.Kind]map[Class]int `json:"kind_counts"`
	ItemCount  int                              `json:"item_count"`
	// ImpactCount is the number of distinct OCM impact rows, also counted
	// by severity and by audience.
	ImpactCount       int              `json:"impact_count"`
	ImpactsBySeverity map[Severity]int `json:"impacts_by_severity"`
	ImpactsByAudience map[Audience]int `json:"impacts_by_audience"`
	// UnavoidableChangeCount is the number of items whose migration changes
	// something end users notice (user impact above none).
	UnavoidableChangeCount int `json:"unavoidable_change_count"`
	// CarriedDispositions is how many finding dispositions were carried
	// over from the source's previous completed run.
	CarriedDispositions int    `json:"carried_dispositions"`
	Error               string `json:"error,omitempty"`
}

// Finding is one rule that matched an item, with its texts filled in.
type Finding struct {
	RuleID         string `json:"rule_id"`
	RuleVersion    int    `json:"rule_version"`
	Class          Class  `json:"class"`
	Proves         bool   `json:"proves,omitempty"`
	Target         Target `json:"target"`
	Rationale      string `json:"rationale"`
	Notes          string `json:"notes,omitempty"`
	BlockedReason  string `json:"blocked_reason,omitempty"`
	OperatorImpact Level  `json:"operator_impact"`
	UserImpact     Level  `json:"user_impact"`
	// Fingerprint identifies the finding's content: rule, version, class
	// and every text as filled from the item. A disposition carries over to
	// a later run only while the fingerprint is unchanged.
	Fingerprint string `json:"fingerprint"`
	// Disposition is the what-if a consultant recorded on the finding, if
	// any (filled by queries, not by Classify).
	Disposition *Disposition `json:"disposition,omitempty"`
	// Impacts are the OCM impacts the rule raised on the item.
	Impacts []ImpactSpec `json:"impacts,omitempty"`
}

func (f Finding) fingerprint() string {
	h := sha256.New()
	for _, s := range []string{f.RuleID, strconv.Itoa(f.RuleVersion), string(f.Class), string(f.Target.Noun), f.Target.Shape,
		f.Rationale, f.Notes, f.BlockedReason} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Result is one item's assessment in one run: the contract's per-item
// fields, the deciding rule and every finding.
type Result struct {
	RunID       string         `json:"run_id"`
	ItemID      int64          `json:"item_id"`
	SourceID    string         `json:"source_id"`
	Kind        inventory.Kind `json:"kind"`
	Subtype     string         `json:"subtype"`
	DisplayName string         `json:"display_name"`
	Class       Class          `json:"class"`
	RuleID      string         `json:"rule_id"`
	Target      Target         `json:"target_contract"`
	Rationale   string         `json:"rationale"`
	// ApproximationNotes are every finding's notes, one per line.
	ApproximationNotes string `json:"approximation_notes"`
	// BlockedReason is every blocked finding's reason, one per line; empty
	// unless the class is blocked.
	BlockedReason  string    `json:"blocked_reason"`
	OperatorImpact Level     `json:"operator_impact"`
	UserImpact     Level     `json:"user_impact"`
	Findings       []Finding `json:"findings"`
	// AppKey is the source id of the application the item belongs to in
	// the readiness roll-up (an assignment's application, a service
	// principal's application registration); "" otherwise.
	AppKey string `json:"app_key,omitempty"`
}

// Impact is one OCM impact row of a run: a distinct (rule, audience,
// severity, summary) with the items that raised it. Key is stable across
// runs (RaisedImpact.Key), so acknowledgements can carry over.
type Impact struct {
	RunID     string   `json:"run_id"`
	Key       string   `json:"key"`
	RuleID    string   `json:"rule_id"`
	Audience  Audience `json:"audience"`
	Severity  Severity `json:"severity"`
	Summary   string   `json:"summary"`
	ItemCount int      `json:"item_count"`
	// Items are the items the impact touches (all of them in Impact; the
	// first ones in a listing, see ImpactQuery).
	Items []ItemRef `json:"items"`
}

// ItemRef names an item of a run.
type ItemRef struct {
	ItemID      int64          `json:"item_id"`
	SourceID    string         `json:"source_id"`
	Kind        inventory.Kind `json:"kind"`
	DisplayName string         `json:"display_name"`
	Class       Class          `json:"class"`
}

// DispositionKind is what a consultant decided about a finding, for the
// what-if: it changes how the finding counts in the roll-up, never the
// rule's verdict.
type DispositionKind string

const (
	// WillFix: the customer will fix the cause before cutover.
	WillFix DispositionKind = "will_fix"
	// RiskAccepted: the customer accepts the finding's consequence.
	RiskAccepted DispositionKind = "risk_accepted"
	// NotApplicable: the finding does not apply to this customer.
	NotApplicable DispositionKind = "not_applicable"
)

// DispositionKinds lists every disposition.
var DispositionKinds = []DispositionKind{WillFix, RiskAccepted, NotApplicable}

// Valid reports one of DispositionKinds.
func (d DispositionKind) Valid() bool {
	for _, k := range DispositionKinds {
		if k == d {
			return true
		}
	}
	return false
}

// Disposition is a what-if recorded on one finding of one item in one run.
type Disposition struct {
	RunID       string          `json:"run_id"`
	ItemID      int64           `json:"item_id"`
	SourceID    string          `json:"source_id"`
	Kind        inventory.Kind  `json:"kind"`
	RuleID      string          `json:"rule_id"`
	Fingerprint string          `json:"fingerprint"`
	Disposition DispositionKind `json:"disposition"`
	Note        string          `json:"note"`
	Owner       string          `json:"owner"`
	// ReviewDate is when the decision must be looked at again
	// (YYYY-MM-DD).
	ReviewDate string    `json:"review_date"`
	SetBy      string    `json:"set_by"`
	SetAt      time.Time `json:"set_at"`
	// CarriedFrom is the run the disposition was first recorded in, when
	// it was carried over to this one.
	CarriedFrom string `json:"carried_from,omitempty"`
}

// Errors callers can tell apart.
var (
	ErrRunNotFound = errors.New("no such assessment run")
	// ErrRunActive: the snapshot already has an assessing run (in this
	// process or another).
	ErrRunActive = errors.New("an assessment of this snapshot is already running")
	// ErrSnapshotNotReady: only a completed snapshot may be assessed.
	ErrSnapshotNotReady = errors.New("the snapshot is not completed")
	// ErrRunNotCompleted: the run is assessing or failed.
	ErrRunNotCompleted = errors.New("the assessment run is not completed")
	// ErrResultNotFound: the run has no result for that item.
	ErrResultNotFound = errors.New("the assessment run has no result for that item")
	// ErrFindingNotFound: the item has no finding of that rule.
	ErrFindingNotFound = errors.New("no such finding")
	// ErrInvalid wraps bad input; the message says what to give instead.
	ErrInvalid = workspace.ErrInvalid
)

// invalidf wraps ErrInvalid: bad input, with what to give instead.
func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// isNotFound reports an error that says a run, result or finding does not
// exist.
func isNotFound(err error) bool {
	return errors.Is(err, ErrRunNotFound) || errors.Is(err, ErrResultNotFound) || errors.Is(err, ErrFindingNotFound)
}
