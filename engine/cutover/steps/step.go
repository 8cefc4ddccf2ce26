// Package steps holds the cutover's step kinds: one file per Portal noun a
// plan creates or binds, each implementing Kinder, and kinds.go, the one list
// of them (docs/architecture.md, "engine/cutover"). A kind knows how to turn
// one assessed item's typed view into the exact request its create sends,
// how to find its object again by natural key (resume, adoption after the
// Portal's idempotency window), how to read it back (binds, probes,
// rollback) and how to delete it (rollback). Everything a plan keeps about a
// step is plain data (Step); the engine never switches on a kind.
package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
)

// Kind is the Portal noun a step creates or binds. The values are the
// assessment's target nouns, so a result's target contract names its kind.
type Kind string

const (
	KindUpstreamProvider Kind = Kind(assessment.NounUpstreamProvider)
	KindRoutingRule      Kind = Kind(assessment.NounRoutingRule)
	KindGroup            Kind = Kind(assessment.NounGroup)
	KindApplication      Kind = Kind(assessment.NounApplication)
	KindAppAssignment    Kind = Kind(assessment.NounAppAssignment)
	// KindAuthSettings is a tenant sign-in or access setting: never
	// created automatically (the cutover does not collapse per-rule
	// approximations into one tenant-wide mutation), always follow-up.
	KindAuthSettings Kind = Kind(assessment.NounTenantAuthSetting)
	// KindSSOConfiguration is an SSO configuration: follow-up only.
	KindSSOConfiguration Kind = Kind(assessment.NounSSOConfiguration)
)

// Action is what a step does to its object.
type Action string

const (
	// Create makes a new object with the step's request.
	Create Action = "create"
	// Bind uses an existing object a merge decision mapped the item to; the
	// cutover reads it, checks it is as reviewed, and never changes it.
	Bind Action = "bind"
)

// Disposition is what a plan will do with a step (the migration contract's
// step lifecycle before apply).
type Disposition string

const (
	Planned        Disposition = "planned"
	ManualFollowUp Disposition = "manual_follow_up"
	Blocked        Disposition = "blocked"
	Skipped        Disposition = "skipped"
)

// Dispositions lists every disposition in the order summaries show them.
var Dispositions = []Disposition{Planned, ManualFollowUp, Blocked, Skipped}

// Step is one step of a cutover plan, as stored: everything apply, preview,
// probes and rollback need, without running anything.
type Step struct {
	// Seq orders the plan: dependencies always come first.
	Seq int `json:"seq"`
	// ID is "<kind>/<item source id>", stable across rebuilds of a plan.
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Action Action `json:"action"`
	// Disposition, Reason and the rule or decision that caused it.
	Disposition Disposition `json:"disposition"`
	Reason      string      `json:"reason,omitempty"`
	RuleID      string      `json:"rule_id,omitempty"`
	DecisionID  string      `json:"decision_id,omitempty"`
	// The assessed item the step comes from.
	ItemID       int64            `json:"item_id"`
	ItemKind     inventory.Kind   `json:"item_kind"`
	ItemSourceID string           `json:"item_source_id"`
	DisplayName  string           `json:"display_name"`
	Class        assessment.Class `json:"class"`
	// Name is the name the Portal object gets (or has, for a bind).
	Name string `json:"name,omitempty"`
	// DependsOn are the seqs of the steps whose objects this one refers to.
	DependsOn []int `json:"depends_on,omitempty"`
	// Request is the exact body the create sends, with each Refs field
	// holding a placeholder until the step it refers to has a target id.
	Request json.RawMessage `json:"request,omitempty"`
	Refs    []Ref           `json:"refs,omitempty"`
	// Keys are the natural keys the created object will hold (name:...,
	// domain:..., pair:...), the Portal's own uniqueness rules.
	Keys []string `json:"keys,omitempty"`
	// Bound is the live object a bind step uses, as merge review read it.
	Bound *Bound `json:"bound,omitempty"`
}

// Ref fills one request field with the target id of another step.
type Ref struct {
	Field string `json:"field"`
	Step  int    `json:"step"`
}

// Bound is the live object a merge decision mapped an item to.
type Bound struct {
	TargetID string `json:"target_id"`
	ETag     string `json:"etag"`
	Name     string `json:"name,omitempty"`
}

// Label names the step for people: "create group \"Finance\"" for what
// apply does, "group \"Finance\"" for a step it does not carry out.
func (s Step) Label() string {
	name := s.Name
	if name == "" {
		name = s.DisplayName
	}
	noun := strings.ReplaceAll(string(s.Kind), "_", " ")
	if s.Disposition != Planned {
		return fmt.Sprintf("%s %q", noun, name)
	}
	return fmt.Sprintf("%s %s %q", s.Action, noun, name)
}

// Placeholder is what a Refs field holds in a stored request: the preview
// shows it, apply replaces it with the referred step's target id.
func Placeholder(seq int) string {
	return fmt.Sprintf("(target id of step %d, known after it is applied)", seq)
}

// Fill returns the request with every Refs field set from ids (step seq →
// target id). The body is re-encoded with sorted keys, so the same step
// always sends the same bytes, which the Portal's idempotency check needs.
func Fill(request json.RawMessage, refs []Ref, ids map[int]string) (json.RawMessage, error) {
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(string(request)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("read the stored request: %w", err)
	}
	for _, r := range refs {
		id, ok := ids[r.Step]
		if !ok || id == "" {
			return nil, fmt.Errorf("field %s refers to step %d, which has no target id yet", r.Field, r.Step)
		}
		body[r.Field] = id
	}
	out, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	return out, nil
}

// Subject is one assessed item as a kind plans it.
type Subject struct {
	Item   inventory.StoredItem
	Result assessment.Result
	// Name is the name the new object gets: the item's display name, or
	// the new name of a create_new merge decision.
	Name string
	// At is when the plan is built: a certificate must be valid then.
	At time.Time
}

// Need is a reference from an item to another item whose object the
// request must name by target id.
type Need struct {
	Field    string
	Kind     Kind
	SourceID string
	// What names the referred item for a reason ("provider 0oa1...").
	What string
}

// Draft is what a kind makes of one item: either a request to create, or
// the reason it cannot be created automatically.
type Draft struct {
	// Disposition is Planned, or ManualFollowUp / Blocked with Reason.
	Disposition Disposition
	Reason      string
	// Request holds placeholders (empty strings) for every Need's field.
	Request any
	Needs   []Need
	// Keys are the natural keys the object will hold; those that depend on
	// a Need's id are added by the kind's KeysOf once ids are known.
	Keys []string
}

// followUp is a Draft that needs a person.
func followUp(format string, a ...any) Draft {
	return Draft{Disposition: ManualFollowUp, Reason: fmt.Sprintf(format, a...)}
}

// Object is one live Portal object as a kind reads it.
type Object struct {
	ID   string
	ETag string
	Name string
	// Keys are the natural keys it holds (see Step.Keys).
	Keys []string
	// Body is the object as the Portal returned it.
	Body json.RawMessage
}

// Created is what a create answered.
type Created struct {
	Object
	// Replayed: the Portal answered from its idempotency store (an
	// earlier attempt with the same key had already created the object).
	Replayed bool
	// Secret is a confidential client's generated secret, present only in
	// the first answer to its create (or a rotation).
	Secret secret.Value
}

// Kinder is one step kind.
type Kinder interface {
	Kind() Kind
	// Plan turns an item that imports into a draft request.
	Plan(s Subject) Draft
	// KeysOf returns the natural keys of a filled request.
	KeysOf(request json.RawMessage) ([]string, error)
	// Create sends the filled request with the step's idempotency key.
	Create(ctx context.Context, t Target, request json.RawMessage, key string) (Created, error)
	// Get reads one object with its ETag; client.ErrNotFound when gone.
	Get(ctx context.Context, t Target, id string) (Object, error)
	// Live lists every object of the noun (without ETags), at most max.
	Live(ctx context.Context, t Target, max int) ([]Object, error)
	// Matches reports how a live object differs from the filled request
	// (nil when it holds exactly what the request asked for).
	Matches(request json.RawMessage, o Object) []string
	// Delete removes the object if it is still at etag.
	Delete(ctx context.Context, t Target, id, etag string) error
}

// NameKey is the natural key of a name the Portal keeps unique per tenant
// (case-insensitive, as the admin API contract says).
func NameKey(name string) string { return "name:" + strings.ToLower(name) }

// DomainKey is the natural key of a routed email domain.
func DomainKey(domain string) string { return "domain:" + strings.ToLower(strings.TrimSpace(domain)) }

// PairKey is the natural key of an app assignment.
func PairKey(appID, groupID string) string { return "pair:" + appID + "/" + groupID }

// differ lists the fields where got differs from want.
type differ []string

func (d *differ) str(field, want, got string) {
	if want != got {
		*d = append(*d, fmt.Sprintf("%s is %q, planned %q", field, got, want))
	}
}

func (d *differ) set(field string, want, got []string) {
	w, g := slices.Clone(want), slices.Clone(got)
	slices.Sort(w)
	slices.Sort(g)
	if !slices.Equal(w, g) {
		*d = append(*d, fmt.Sprintf("%s is %v, planned %v", field, g, w))
	}
}

func decode[T any](request json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(request, &v); err != nil {
		return v, fmt.Errorf("read the request: %w", err)
	}
	return v, nil
}

func encode(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil { // the api input types always encode
		panic(fmt.Sprintf("steps: encode %T: %v", v, err))
	}
	return b
}
