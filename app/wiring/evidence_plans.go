package wiring

import (
	"context"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/evidence"
)

// cutoverPlans is the evidence stage's view of the cutover stage
// (evidence.Plans): each plan's state, its latest apply run, the steps left
// blocked or for a person, and its newest probe run, read back as the
// cutover recorded them.
type cutoverPlans struct{ c *cutover.Service }

var _ evidence.Plans = cutoverPlans{}

// EvidencePlans implements evidence.Plans, newest plan first.
func (p cutoverPlans) EvidencePlans(ctx context.Context) ([]evidence.PlanFacts, error) {
	plans, err := p.c.Plans(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]evidence.PlanFacts, 0, len(plans))
	for _, pl := range plans {
		f, err := p.EvidencePlan(ctx, pl.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// EvidencePlan implements evidence.Plans.
func (p cutoverPlans) EvidencePlan(ctx context.Context, planID string) (evidence.PlanFacts, error) {
	d, err := p.c.Get(ctx, planID)
	if errors.Is(err, cutover.ErrPlanNotFound) {
		return evidence.PlanFacts{}, fmt.Errorf("%w: %s", evidence.ErrPlanNotFound, planID)
	}
	if err != nil {
		return evidence.PlanFacts{}, err
	}
	f := evidence.PlanFacts{ID: d.Plan.ID, Status: string(d.Plan.Status), CreatedAt: d.Plan.CreatedAt,
		Blocked: []evidence.Step{}, ManualFollowUp: []evidence.Step{}, Probes: []evidence.Probe{}}
	if r := d.Apply; r != nil {
		f.Execution = &evidence.Execution{ID: r.ID, Status: string(r.Status), StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	}
	for _, st := range d.Steps {
		s := evidence.Step{Name: st.DisplayName, Reason: st.Reason}
		switch st.Disposition {
		case steps.Blocked:
			f.Blocked = append(f.Blocked, s)
		case steps.ManualFollowUp:
			f.ManualFollowUp = append(f.ManualFollowUp, s)
		}
	}
	probes, err := p.c.Probes(ctx, planID)
	if err != nil {
		return evidence.PlanFacts{}, fmt.Errorf("read the probes of cutover plan %s: %w", planID, err)
	}
	for _, r := range probes {
		if r.RunID != probes[0].RunID {
			break // older probe runs: the cutover report keeps them as counts
		}
		name := r.Check
		if r.Subject != "" {
			name += " " + r.Subject
		}
		f.Probes = append(f.Probes, evidence.Probe{Name: name, Outcome: r.Outcome, Detail: r.Detail, At: r.At})
	}
	return f, nil
}
