package wiring

import (
	"context"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func newCutover(db *workspacedb.DB, r *readiness.Service, actor string) *cutover.Service {
	return &cutover.Service{
		Store:   workspacedb.CutoverStore(db),
		Gate:    Gate{Readiness: r},
		Reviews: workspacedb.CutoverReviews(db),
		Actor:   actor,
	}
}

// Gate is the preview-handoff gate of the workspace summary, as the
// cutover reads it (the cutover must not import readiness).
type Gate struct{ Readiness *readiness.Service }

// Handoff implements cutover.Gate.
func (g Gate) Handoff(ctx context.Context) (cutover.Handoff, error) {
	sum, err := g.Readiness.Summary(ctx)
	if err != nil {
		return cutover.Handoff{}, err
	}
	h := cutover.Handoff{Ready: sum.PreviewHandoffStatus == readiness.HandoffReady}
	for _, b := range sum.PreviewHandoffBlockers {
		h.Blockers = append(h.Blockers, cutover.Blocker{Code: b.Code, Message: b.Message})
	}
	return h, nil
}

// CutoverSession is the cutover stage as the GUI uses it: each call that
// reads or writes the Portal connects with the workspace's keychain token
// first (ui/screens.Cutover).
type CutoverSession struct{ W *Workspace }

func (c CutoverSession) target(ctx context.Context) (*client.Client, error) {
	cl, _, err := c.W.TargetClient(ctx)
	return cl, err
}

func (c CutoverSession) Plans(ctx context.Context) ([]cutover.Plan, error) {
	return c.W.Cutover.Plans(ctx)
}

func (c CutoverSession) Get(ctx context.Context, planID string) (cutover.Detail, error) {
	return c.W.Cutover.Get(ctx, planID)
}

func (c CutoverSession) Create(ctx context.Context, req cutover.CreateRequest) (cutover.Plan, error) {
	return c.W.Cutover.Create(ctx, req)
}

func (c CutoverSession) Rebuild(ctx context.Context, planID string) (cutover.Plan, error) {
	return c.W.Cutover.Rebuild(ctx, planID)
}

func (c CutoverSession) Preview(ctx context.Context, planID string) (cutover.PreviewResult, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.PreviewResult{}, err
	}
	return c.W.Cutover.Preview(ctx, planID, t)
}

func (c CutoverSession) Apply(ctx context.Context, planID, token string, opts cutover.ApplyOptions) (cutover.Outcome, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.Outcome{}, err
	}
	return c.W.Cutover.Apply(ctx, planID, token, t, opts)
}

func (c CutoverSession) Resume(ctx context.Context, planID string, opts cutover.ApplyOptions) (cutover.Outcome, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.Outcome{}, err
	}
	return c.W.Cutover.Resume(ctx, planID, t, opts)
}

func (c CutoverSession) ConfirmSecrets(ctx context.Context, planID string, seqs []int) error {
	return c.W.Cutover.ConfirmSecrets(ctx, planID, seqs)
}

func (c CutoverSession) RollbackPreview(ctx context.Context, planID string, force []string) (cutover.RollbackPlan, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.RollbackPlan{}, err
	}
	return c.W.Cutover.RollbackPreview(ctx, planID, t, force)
}

func (c CutoverSession) RollbackApply(ctx context.Context, planID string, force []string, opts cutover.ApplyOptions) (cutover.Outcome, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.Outcome{}, err
	}
	return c.W.Cutover.RollbackApply(ctx, planID, t, force, opts)
}

func (c CutoverSession) Probe(ctx context.Context, planID string) (cutover.ProbeReport, error) {
	t, err := c.target(ctx)
	if err != nil {
		return cutover.ProbeReport{}, err
	}
	return c.W.Cutover.Probe(ctx, planID, t, t)
}

func (c CutoverSession) Probes(ctx context.Context, planID string) ([]cutover.ProbeResult, error) {
	return c.W.Cutover.Probes(ctx, planID)
}
