package evidence

import (
	"fmt"
	"strings"
)

// Criterion is one handoff criterion, derived on every read.
type Criterion struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Met   bool   `json:"met"`
	// Why says what makes it met, or what is missing.
	Why string `json:"why"`
}

// The criteria's codes, in the order they are reported.
const (
	CriterionExecution      = "execution_recorded"
	CriterionRollback       = "rollback_guidance_recorded"
	CriterionCommunications = "communications_recorded"
	CriterionFollowUp       = "follow_up_reviewed"
)

// Criteria derives the handoff criteria of a plan from its facts and the
// operator's record. Blocked and manual-follow-up steps are never counted
// away: while any exist, the follow-up criterion needs the operator's
// review, and its reason names how many remain.
func Criteria(p PlanFacts, rec Record) []Criterion {
	return []Criterion{executionCriterion(p), rollbackCriterion(rec.Rollback), communicationsCriterion(rec.Completion), followUpCriterion(p, rec.Completion)}
}

// AllMet says every criterion holds.
func AllMet(cs []Criterion) bool {
	for _, c := range cs {
		if !c.Met {
			return false
		}
	}
	return len(cs) > 0
}

func executionCriterion(p PlanFacts) Criterion {
	c := Criterion{Code: CriterionExecution, Label: "An execution record exists"}
	if p.Execution == nil {
		c.Why = "The plan has not been applied, so there is no execution record."
		return c
	}
	c.Met = true
	c.Why = fmt.Sprintf("Apply run %s, %s.", p.Execution.ID, p.Execution.Status)
	return c
}

func rollbackCriterion(r Rollback) Criterion {
	c := Criterion{Code: CriterionRollback, Label: "Rollback guidance recorded"}
	var missing []string
	if r.Summary == "" {
		missing = append(missing, "a summary")
	}
	if r.Owner == "" {
		missing = append(missing, "an owner")
	}
	if len(r.Steps) == 0 {
		missing = append(missing, "steps")
	}
	if len(missing) > 0 {
		c.Why = "Rollback guidance needs " + joinAnd(missing) + "."
		return c
	}
	c.Met = true
	c.Why = fmt.Sprintf("Owned by %s, %d steps.", r.Owner, len(r.Steps))
	return c
}

func communicationsCriterion(cm Completion) Criterion {
	c := Criterion{Code: CriterionCommunications, Label: "Communications recorded"}
	if !cm.CommunicationsComplete {
		c.Why = "Communications are not marked complete."
		return c
	}
	c.Met = true
	c.Why = "Marked complete, with a summary."
	return c
}

func followUpCriterion(p PlanFacts, cm Completion) Criterion {
	c := Criterion{Code: CriterionFollowUp, Label: "Follow-up reviewed"}
	outstanding := len(p.Blocked) + len(p.ManualFollowUp)
	rows := fmt.Sprintf("%d blocked and %d manual-follow-up steps", len(p.Blocked), len(p.ManualFollowUp))
	switch {
	case cm.FollowUpReviewed:
		c.Met = true
		c.Why = "Reviewed (" + rows + " remain listed)."
	case outstanding == 0 && p.Execution != nil:
		c.Met = true
		c.Why = "The execution left no blocked or manual-follow-up step to review."
	case outstanding == 0:
		c.Why = "Not reviewed, and the plan has not been applied yet."
	default:
		c.Why = "Not reviewed: " + rows + " are outstanding."
	}
	return c
}

func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
