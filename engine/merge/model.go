package merge

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Status is a merge decision's review state.
type Status string

const (
	// StatusPending: nobody has decided the overlap yet; it holds the
	// preview-handoff gate closed.
	StatusPending Status = "pending"
	// StatusResolved: a person chose a Resolution.
	StatusResolved Status = "resolved"
)

// Resolution is what a person decided about an overlap
// (docs/migration-contract.md, "Merge decisions").
type Resolution string

const (
	// MapToExisting: the incumbent item is the live object named by
	// TargetID, one of the decision's matched resources. The cutover binds
	// to it and never modifies it.
	MapToExisting Resolution = "map_to_existing"
	// CreateNew: the cutover creates a new object, under NewName when given.
	CreateNew Resolution = "create_new"
	// Skip: the item is not migrated.
	Skip Resolution = "skip"
)

// Resolutions lists every resolution.
var Resolutions = []Resolution{MapToExisting, CreateNew, Skip}

// ParseResolution reads a resolution name.
func ParseResolution(s string) (Resolution, error) {
	for _, r := range Resolutions {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: resolution %q must be one of %v", ErrInvalid, s, Resolutions)
}

// MatchType is why an incumbent item and a live object collide.
type MatchType string

const (
	// MatchEntityID: a SAML provider's entity id equals the live SAML
	// provider's (compared with URIKey).
	MatchEntityID MatchType = "entity_id"
	// MatchIssuer: an OIDC provider's issuer equals the live OIDC
	// provider's (URIKey).
	MatchIssuer MatchType = "issuer"
	// MatchName: the names are the same to a person (NameKey).
	MatchName MatchType = "name"
	// MatchEmailDomain: a domain the item routes is routed by the live
	// routing rule (DomainKey).
	MatchEmailDomain MatchType = "email_domain"
	// MatchRedirectURI: the applications share a redirect URI (URIKey).
	MatchRedirectURI MatchType = "redirect_uri"
	// MatchAppGroup: the live tenant already assigns the application to the
	// group, both matched by their own overlaps.
	MatchAppGroup MatchType = "app_group"
)

// MatchTypes lists every match type.
var MatchTypes = []MatchType{MatchEntityID, MatchIssuer, MatchName, MatchEmailDomain, MatchRedirectURI, MatchAppGroup}

// ParseMatchType reads a match type name.
func ParseMatchType(s string) (MatchType, error) {
	for _, m := range MatchTypes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: match type %q must be one of %v", ErrInvalid, s, MatchTypes)
}

// Evidence is one reason a live object matched: the values compared, as
// each side holds them.
type Evidence struct {
	Type      MatchType `json:"type"`
	Incumbent string    `json:"incumbent"`
	Target    string    `json:"target"`
}

// MatchedResource is one live target object an incumbent item collides
// with, as it was read when the assessment ran: its id, name, ETag and the
// whole object, so the review shows what the target held then.
type MatchedResource struct {
	Noun     assessment.Noun `json:"noun"`
	TargetID string          `json:"target_id"`
	Name     string          `json:"name"`
	ETag     string          `json:"etag"`
	Evidence []Evidence      `json:"evidence"`
	// Object is the object as the Portal returned it.
	Object json.RawMessage `json:"object"`
	// Refs names the objects it refers to, as read (a routing rule's
	// provider, an assignment's application and group), by field.
	Refs   map[string]string `json:"refs,omitempty"`
	ReadAt time.Time         `json:"read_at"`
}

// HasOnly reports whether every piece of evidence is of match type m.
func (m MatchedResource) HasOnly(t MatchType) bool {
	for _, e := range m.Evidence {
		if e.Type != t {
			return false
		}
	}
	return len(m.Evidence) > 0
}

// Decision is one merge-decision row: an incumbent item of an assessment
// run that collides with live target state, its matched resources, and
// what a person decided.
type Decision struct {
	ID           string               `json:"id"`
	RunID        string               `json:"run_id"`
	SourceID     string               `json:"source_id"`
	SourceKind   workspace.SourceKind `json:"source_kind"`
	ItemID       int64                `json:"item_id"`
	Kind         inventory.Kind       `json:"kind"`
	ItemSourceID string               `json:"item_source_id"`
	DisplayName  string               `json:"display_name"`
	Class        assessment.Class     `json:"class"`
	Noun         assessment.Noun      `json:"noun"`
	// MatchTypes are every match type of every matched resource, in
	// MatchTypes order.
	MatchTypes []MatchType       `json:"match_types"`
	Matched    []MatchedResource `json:"matched_resources"`
	Status     Status            `json:"status"`
	Resolution Resolution        `json:"resolution,omitempty"`
	TargetID   string            `json:"target_id,omitempty"`
	NewName    string            `json:"new_name,omitempty"`
	Note       string            `json:"note,omitempty"`
	ResolvedBy string            `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time        `json:"resolved_at,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	// CarriedFrom is the decision of the source's previous run this
	// resolution was carried over from (same item, same overlap).
	CarriedFrom string `json:"carried_from,omitempty"`
	// History lists every resolution recorded on the row, oldest first
	// (filled by Get).
	History []HistoryEntry `json:"history,omitempty"`
}

// Matches reports whether id is one of the decision's matched resources.
func (d Decision) Matches(id string) (MatchedResource, bool) {
	for _, m := range d.Matched {
		if m.TargetID == id {
			return m, true
		}
	}
	return MatchedResource{}, false
}

// HistoryEntry is one resolution recorded on a decision: rows are only ever
// added, so a changed decision keeps what it was before.
type HistoryEntry struct {
	Seq        int        `json:"seq"`
	Resolution Resolution `json:"resolution"`
	TargetID   string     `json:"target_id,omitempty"`
	NewName    string     `json:"new_name,omitempty"`
	Note       string     `json:"note,omitempty"`
	Actor      string     `json:"actor"`
	At         time.Time  `json:"at"`
	// CarriedFrom is set on the entry a rerun wrote when it carried the
	// resolution over.
	CarriedFrom string `json:"carried_from,omitempty"`
}

// ScanStatus says whether overlap detection read the live target for a
// run.
type ScanStatus string

const (
	// ScanRead: the live target was read whole.
	ScanRead ScanStatus = "read"
	// ScanNotConfigured: the workspace names no target admin API, so the
	// live target could not be read.
	ScanNotConfigured ScanStatus = "not_configured"
	// ScanFailed: the target is configured but could not be read whole
	// (unreachable, token refused, a page failing); Reason says why. No
	// decision rows are made from a partial read.
	ScanFailed ScanStatus = "failed"
)

// Scan is what overlap detection recorded for one run: the mode, whether
// the live target was read, how many objects of each noun it held and a
// few of their names, and the overlaps on items that do not move.
type Scan struct {
	RunID  string         `json:"run_id"`
	Mode   workspace.Mode `json:"mode"`
	Status ScanStatus     `json:"status"`
	// Reason says why the target was not read.
	Reason    string `json:"reason,omitempty"`
	TargetURL string `json:"target_url,omitempty"`
	// Counts are live objects per noun; Samples up to SampleNames names of
	// each.
	Counts  map[assessment.Noun]int      `json:"counts"`
	Samples map[assessment.Noun][]string `json:"samples"`
	// Decisions is how many decision rows the run made.
	Decisions int `json:"decisions"`
	// Unmoved counts items that match a live object but get no decision
	// because they will not be created (visibility_only or blocked), with
	// a few of their names: shown, not decided.
	Unmoved        int       `json:"unmoved_overlaps"`
	UnmovedSamples []string  `json:"unmoved_samples,omitempty"`
	ReadAt         time.Time `json:"read_at"`
}

// Empty reports a live target holding nothing.
func (s Scan) Empty() bool {
	for _, n := range s.Counts {
		if n > 0 {
			return false
		}
	}
	return true
}

// SampleNames is how many names per noun a scan keeps.
const SampleNames = 3

// Errors callers can tell apart.
var (
	ErrInvalid = workspace.ErrInvalid
	// ErrDecisionNotFound: no decision with that id.
	ErrDecisionNotFound = errors.New("no such merge decision")
	// ErrPlanApplied: a cutover plan bound to the decision's assessment
	// run was applied; its decisions are history now.
	ErrPlanApplied = errors.New("a cutover plan of this assessment was applied")
	// ErrNotMergeMode: merge review applies to merge_into_existing
	// workspaces only.
	ErrNotMergeMode = errors.New("merge review applies only to merge_into_existing workspaces")
	// ErrStillCollides: create_new under a name that the live target
	// already holds (as read), or for an overlap a new object cannot avoid.
	ErrStillCollides = errors.New("the new object would still collide with live target state")
	// ErrNotCurrent: the decision belongs to an assessment run that is no
	// longer its source's latest.
	ErrNotCurrent = errors.New("the decision belongs to an older assessment run")
)

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
