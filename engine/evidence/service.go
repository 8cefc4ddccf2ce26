package evidence

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Limits on what an operator types, so a pasted log cannot swell the
// workspace file or a report page.
const (
	MaxTextLen  = 4000 // characters of one summary or step
	MaxShortLen = 200  // characters of the owner or the artifact reference
	MaxSteps    = 50
)

// Service is the evidence stage on one workspace file.
type Service struct {
	Store Store
	// Plans reads the cutover stage's plans; nil when the console has no
	// cutover stage (every call then says so, ErrNoCutoverStage).
	Plans Plans
	// Actor is recorded on every audit entry and on the record.
	Actor string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Available says whether the console has a cutover stage to read plans
// from.
func (s *Service) Available() bool { return s.Plans != nil }

// View is one plan's evidence as a reader sees it: the plan's facts from
// the cutover stage (probe results among them, apart from what the
// operator typed), the operator's record, and the criteria derived from
// both.
type View struct {
	Plan     PlanFacts   `json:"plan"`
	Record   Record      `json:"record"`
	Criteria []Criterion `json:"criteria"`
	// Met says every criterion holds.
	Met bool `json:"handoff_criteria_met"`
}

// PlanList lists every plan's facts, newest first.
func (s *Service) PlanList(ctx context.Context) ([]PlanFacts, error) {
	if s.Plans == nil {
		return nil, ErrNoCutoverStage
	}
	plans, err := s.Plans.EvidencePlans(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cutover plans: %w", err)
	}
	return plans, nil
}

func (s *Service) plan(ctx context.Context, planID string) (PlanFacts, error) {
	if s.Plans == nil {
		return PlanFacts{}, ErrNoCutoverStage
	}
	if strings.TrimSpace(planID) == "" {
		return PlanFacts{}, fmt.Errorf("%w: name the cutover plan (its id)", ErrInvalid)
	}
	p, err := s.Plans.EvidencePlan(ctx, planID)
	if err != nil {
		return PlanFacts{}, fmt.Errorf("read cutover plan %s: %w", planID, err)
	}
	return p, nil
}

// Show returns one plan's evidence.
func (s *Service) Show(ctx context.Context, planID string) (View, error) {
	p, err := s.plan(ctx, planID)
	if err != nil {
		return View{}, err
	}
	var rec Record
	err = s.Store.View(ctx, func(tx Tx) error {
		rec, err = tx.EvidenceRecord(p.ID)
		return err
	})
	if err != nil {
		return View{}, err
	}
	return newView(p, rec), nil
}

func newView(p PlanFacts, rec Record) View {
	v := View{Plan: p, Record: rec, Criteria: Criteria(p, rec)}
	v.Met = AllMet(v.Criteria)
	return v
}

// Change is one field a save changed, described without its text: the
// field's name and whether it was and is set, with its length in
// characters (steps: their count), so the audit trail shows what changed
// without copying what the operator wrote.
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"` // "absent", "N chars", "N steps", "true", "false"
	After  string `json:"after"`
}

func (c Change) String() string { return fmt.Sprintf("%s: %s → %s", c.Field, c.Before, c.After) }

// SetRollback records the plan's rollback guidance, replacing what was
// there. It returns the view after the save and what changed (nothing, and
// no audit entry, when the form is unchanged).
func (s *Service) SetRollback(ctx context.Context, planID string, r Rollback) (View, []Change, error) {
	r = normalizeRollback(r)
	if err := validateRollback(r); err != nil {
		return View{}, nil, err
	}
	return s.save(ctx, planID, "rollback", func(rec *Record) []Change {
		ch := rollbackChanges(rec.Rollback, r)
		if len(ch) > 0 {
			at := s.now()
			rec.Rollback, rec.RollbackUpdatedAt, rec.RollbackUpdatedBy = r, &at, s.Actor
		}
		return ch
	})
}

// SetCompletion records the plan's completion evidence, replacing what was
// there, as SetRollback does.
func (s *Service) SetCompletion(ctx context.Context, planID string, c Completion) (View, []Change, error) {
	c = normalizeCompletion(c)
	if err := validateCompletion(c); err != nil {
		return View{}, nil, err
	}
	return s.save(ctx, planID, "completion", func(rec *Record) []Change {
		ch := completionChanges(rec.Completion, c)
		if len(ch) > 0 {
			at := s.now()
			rec.Completion, rec.CompletionUpdatedAt, rec.CompletionUpdatedBy = c, &at, s.Actor
		}
		return ch
	})
}

func (s *Service) save(ctx context.Context, planID, form string, apply func(*Record) []Change) (View, []Change, error) {
	p, err := s.plan(ctx, planID)
	if err != nil {
		return View{}, nil, err
	}
	var (
		rec     Record
		changes []Change
	)
	err = s.Store.Update(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		if ws.Status == workspace.StatusArchived {
			return fmt.Errorf("record cutover evidence: %w", workspace.ErrArchived)
		}
		if rec, err = tx.EvidenceRecord(p.ID); err != nil {
			return err
		}
		rec.PlanID = p.ID
		if changes = apply(&rec); len(changes) == 0 {
			return nil
		}
		if err := tx.SaveEvidenceRecord(rec); err != nil {
			return err
		}
		_, err = audit.Record(tx, audit.Entry{At: s.now(), Event: audit.CutoverEvidenceUpdated,
			Tenant: ws.Tenant, Actor: s.Actor, TargetID: p.ID, Facts: changeFacts(form, changes)})
		return err
	})
	if err != nil {
		return View{}, nil, err
	}
	return newView(p, rec), changes, nil
}

// changeFacts are the audit facts of one save: the form, the changed
// field names, and each field's before and after as Change describes them.
func changeFacts(form string, changes []Change) map[string]string {
	names := make([]string, len(changes))
	facts := map[string]string{"form": form}
	for i, c := range changes {
		names[i] = c.Field
		facts[c.Field] = c.Before + " -> " + c.After
	}
	facts["changed"] = strings.Join(names, ",")
	return facts
}

func describeText(s string) string {
	if s == "" {
		return "absent"
	}
	return strconv.Itoa(utf8.RuneCountInString(s)) + " chars"
}

func describeSteps(steps []string) string {
	if len(steps) == 0 {
		return "absent"
	}
	return strconv.Itoa(len(steps)) + " steps"
}

func textChange(out *[]Change, field, before, after string) {
	if before != after {
		*out = append(*out, Change{Field: field, Before: describeText(before), After: describeText(after)})
	}
}

func boolChange(out *[]Change, field string, before, after bool) {
	if before != after {
		*out = append(*out, Change{Field: field, Before: strconv.FormatBool(before), After: strconv.FormatBool(after)})
	}
}

func rollbackChanges(a, b Rollback) []Change {
	var out []Change
	textChange(&out, "rollback_summary", a.Summary, b.Summary)
	textChange(&out, "rollback_owner", a.Owner, b.Owner)
	if !slices.Equal(a.Steps, b.Steps) {
		out = append(out, Change{Field: "rollback_steps", Before: describeSteps(a.Steps), After: describeSteps(b.Steps)})
	}
	return out
}

func completionChanges(a, b Completion) []Change {
	var out []Change
	boolChange(&out, "communications_complete", a.CommunicationsComplete, b.CommunicationsComplete)
	textChange(&out, "communications_summary", a.CommunicationsSummary, b.CommunicationsSummary)
	textChange(&out, "artifact_reference", a.ArtifactReference, b.ArtifactReference)
	textChange(&out, "manual_validation_summary", a.ManualValidationSummary, b.ManualValidationSummary)
	boolChange(&out, "follow_up_reviewed", a.FollowUpReviewed, b.FollowUpReviewed)
	textChange(&out, "follow_up_summary", a.FollowUpSummary, b.FollowUpSummary)
	return out
}

func normalizeRollback(r Rollback) Rollback {
	r.Summary, r.Owner = strings.TrimSpace(r.Summary), strings.TrimSpace(r.Owner)
	var steps []string
	for _, st := range r.Steps {
		if st = strings.TrimSpace(st); st != "" {
			steps = append(steps, st)
		}
	}
	r.Steps = steps
	return r
}

func normalizeCompletion(c Completion) Completion {
	c.CommunicationsSummary = strings.TrimSpace(c.CommunicationsSummary)
	c.ArtifactReference = strings.TrimSpace(c.ArtifactReference)
	c.ManualValidationSummary = strings.TrimSpace(c.ManualValidationSummary)
	c.FollowUpSummary = strings.TrimSpace(c.FollowUpSummary)
	return c
}

// Problem is one thing wrong with a form, by the field it concerns (the
// field names of Change), so a form can show it beside that field.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// InvalidError lists every problem of a refused form; it is ErrInvalid.
type InvalidError struct{ Problems []Problem }

func (e *InvalidError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return ErrInvalid.Error() + ": " + strings.Join(msgs, "; ")
}

func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

type problems []Problem

func (ps *problems) add(field, format string, a ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, a...)})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &InvalidError{Problems: ps}
}

// checkText refuses text a report or a terminal would mangle: invalid
// UTF-8 and control characters other than newline and tab, text longer
// than max characters, and a line break in a one-line field.
func (ps *problems) checkText(field, label, s string, max int, oneLine bool) {
	if !utf8.ValidString(s) {
		ps.add(field, "%s is not valid UTF-8 text", label)
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		ps.add(field, "%s is %d characters; keep it to %d (put long material in the artifact or ticket it references)", label, n, max)
		return
	}
	if oneLine && strings.ContainsAny(s, "\n\r") {
		ps.add(field, "%s is one line", label)
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			ps.add(field, "%s holds a control character (%U); remove it", label, r)
			return
		}
	}
}

func validateRollback(r Rollback) error {
	var ps problems
	if r.Summary == "" && (r.Owner != "" || len(r.Steps) > 0) {
		ps.add("rollback_summary", "rollback guidance needs a summary")
	}
	ps.checkText("rollback_summary", "the rollback summary", r.Summary, MaxTextLen, false)
	ps.checkText("rollback_owner", "the rollback owner (a name or a team)", r.Owner, MaxShortLen, true)
	if len(r.Steps) > MaxSteps {
		ps.add("rollback_steps", "rollback guidance has %d steps; keep it to %d", len(r.Steps), MaxSteps)
	}
	for i, st := range r.Steps {
		ps.checkText("rollback_steps", fmt.Sprintf("rollback step %d", i+1), st, MaxTextLen, false)
	}
	return ps.err()
}

func validateCompletion(c Completion) error {
	var ps problems
	if c.CommunicationsComplete && c.CommunicationsSummary == "" {
		ps.add("communications_summary", "communications complete needs a summary (who was told what, and when)")
	}
	if c.FollowUpReviewed && c.FollowUpSummary == "" {
		ps.add("follow_up_summary", "follow-up reviewed needs a summary (what was reviewed and what remains)")
	}
	ps.checkText("communications_summary", "the communications summary", c.CommunicationsSummary, MaxTextLen, false)
	ps.checkText("artifact_reference", "the artifact or ticket reference", c.ArtifactReference, MaxShortLen, true)
	ps.checkText("manual_validation_summary", "the manual validation summary", c.ManualValidationSummary, MaxTextLen, false)
	ps.checkText("follow_up_summary", "the follow-up summary", c.FollowUpSummary, MaxTextLen, false)
	return ps.err()
}
