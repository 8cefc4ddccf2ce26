package ocm

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Kind says what an impact asks of the customer.
type Kind string

const (
	// Acknowledgement: the customer accepts a change their people will
	// feel (users see a new sign-in page; a control is no longer enforced).
	Acknowledgement Kind = "acknowledgement"
	// Configuration: someone must act before or at cutover (rotate a
	// client secret, update an app's redirect, rebuild a policy).
	Configuration Kind = "configuration"
)

// Kinds lists every kind.
var Kinds = []Kind{Acknowledgement, Configuration}

// Status is an impact row's acknowledgement state.
type Status string

const (
	// StatusPending: not acknowledged yet.
	StatusPending Status = "pending"
	// StatusAcknowledged: acknowledged in this run, or carried over from
	// an unchanged impact of the source's previous run.
	StatusAcknowledged Status = "acknowledged"
	// StatusNeedsReview: an earlier run's impact was acknowledged, but the
	// impact changed since (its items, severity or wording): the earlier
	// acknowledgement is shown, and must be given again.
	StatusNeedsReview Status = "needs_review"
)

// Statuses lists every status.
var Statuses = []Status{StatusPending, StatusAcknowledged, StatusNeedsReview}

// Impact is one OCM impact row of an assessment run with its
// acknowledgement: the same row the assessment stored, never a second
// object (docs/migration-contract.md, "OCM acknowledgement").
type Impact struct {
	// ID names the row: its run and ordinal ("<run id>:<ordinal>").
	ID string `json:"id"`
	assessment.Impact
	Ordinal    int                  `json:"ordinal"`
	SourceID   string               `json:"source_id"`
	SourceKind workspace.SourceKind `json:"source_kind"`
	Kind       Kind                 `json:"kind"`
	// Owner is who acts on (configuration) or accepts (acknowledgement)
	// the impact.
	Owner  string `json:"owner"`
	Status Status `json:"status"`
	// AckedBy, AckedAt and Note are the acknowledgement; on a row that
	// needs review, the earlier one.
	AckedBy string     `json:"acknowledged_by,omitempty"`
	AckedAt *time.Time `json:"acknowledged_at,omitempty"`
	Note    string     `json:"note,omitempty"`
	// ItemsFingerprint identifies the items an acknowledgement covered
	// (ItemsFingerprint of the row's items when it was given).
	ItemsFingerprint string `json:"items_fingerprint,omitempty"`
	// CarriedFrom is the run the acknowledgement was first given in, when
	// it was carried over.
	CarriedFrom string `json:"carried_from,omitempty"`
	// ReviewReason says what changed, on a row that needs review.
	ReviewReason string `json:"review_reason,omitempty"`
}

// ImpactID builds an impact's id.
func ImpactID(runID string, ordinal int) string { return fmt.Sprintf("%s:%d", runID, ordinal) }

// ParseImpactID splits an impact id.
func ParseImpactID(id string) (runID string, ordinal int, err error) {
	i := strings.LastIndexByte(id, ':')
	if i <= 0 {
		return "", 0, invalidf("impact id %q is not of the form RUN:ORDINAL (see ocm list)", id)
	}
	if _, err := fmt.Sscanf(id[i+1:], "%d", &ordinal); err != nil || ordinal < 0 {
		return "", 0, invalidf("impact id %q is not of the form RUN:ORDINAL (see ocm list)", id)
	}
	return id[:i], ordinal, nil
}

// ItemsFingerprint is a digest of the items an impact touches, by kind and
// source id (stable across snapshots, unlike item ids).
func ItemsFingerprint(items []assessment.ItemRef) string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = string(it.Kind) + "\x00" + it.SourceID
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// itemDelta counts the items of b not in a (added) and of a not in b
// (removed), by kind and source id.
func itemDelta(a, b []assessment.ItemRef) (added, removed int) {
	key := func(r assessment.ItemRef) string { return string(r.Kind) + "\x00" + r.SourceID }
	in := func(list []assessment.ItemRef) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, r := range list {
			m[key(r)] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	for k := range inb {
		if !ina[k] {
			added++
		}
	}
	for k := range ina {
		if !inb[k] {
			removed++
		}
	}
	return added, removed
}

// Filter selects impact rows; a zero field selects every value.
type Filter struct {
	Audience assessment.Audience
	Severity assessment.Severity
	Kind     Kind
	Status   Status
	RuleID   string
}

func (f Filter) validate() error {
	switch {
	case f.Audience != "" && !f.Audience.Valid():
		return invalidf("audience %q is not one of %v", f.Audience, assessment.Audiences)
	case f.Severity != "" && !f.Severity.Valid():
		return invalidf("severity %q is not one of %v", f.Severity, assessment.Severities)
	case f.Kind != "" && !slices.Contains(Kinds, f.Kind):
		return invalidf("kind %q is not one of %v", f.Kind, Kinds)
	case f.Status != "" && !slices.Contains(Statuses, f.Status):
		return invalidf("status %q is not one of %v", f.Status, Statuses)
	}
	return nil
}

// Keep reports whether im passes the filter.
func (f Filter) Keep(im Impact) bool {
	return (f.Audience == "" || im.Audience == f.Audience) && (f.Severity == "" || im.Severity == f.Severity) &&
		(f.Kind == "" || im.Kind == f.Kind) && (f.Status == "" || im.Status == f.Status) && (f.RuleID == "" || im.RuleID == f.RuleID)
}

// Item is one item an impact touches, for people.
type Item = assessment.ItemRef

// Errors callers can tell apart.
var (
	ErrInvalid        = workspace.ErrInvalid
	ErrImpactNotFound = errors.New("no such OCM impact")
	// ErrNotCurrent: the impact belongs to a run that is no longer its
	// source's newest completed run.
	ErrNotCurrent = errors.New("the impact belongs to an older assessment run")
)

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
