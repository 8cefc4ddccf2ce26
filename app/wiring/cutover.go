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
		Store: workspacedb.CutoverStore(db),
		Gate:  Gate{Readiness: r},
		// Merge review and OCM plug in here (cutover.Reviews) once their
		// stages are wired; until then only first-run plans can be made.
		Actor: actor,
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

// Router is the routing resolution probes ask through c; nil while the
// admin API contract has no routing-resolution operation, so probes record
// the routing checks as skipped rather than guess.
func (w *Workspace) Router(c *client.Client) cutover.Router { return nil }
