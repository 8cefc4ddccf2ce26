package wiring

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// newMerge is merge review over db; plans is the cutover stage, which
// freezes a run's decisions once a plan of the run is applied.
func newMerge(db *workspacedb.DB, plans merge.Plans, actor string) *merge.Service {
	return &merge.Service{Store: workspacedb.MergeStore(db), Plans: plans, Actor: actor}
}

func newOCM(db *workspacedb.DB, actor string) *ocm.Service {
	return &ocm.Service{Store: workspacedb.OCMStore(db), Actor: actor}
}

// overlapDetector is merge-mode overlap detection for every assessment run:
// it reads the live target through the workspace's Portal client.
func overlapDetector(w *Workspace) *merge.Detector {
	return &merge.Detector{Store: workspacedb.MergeStore(w.DB), Connect: w.detectionTarget}
}

// ocmCarrier carries acknowledgements over to reruns.
func ocmCarrier(db *workspacedb.DB) *ocm.Carrier {
	return &ocm.Carrier{Store: workspacedb.OCMStore(db)}
}

// detectionTarget connects to the workspace's target for overlap detection,
// or reports that the workspace names none.
func (w *Workspace) detectionTarget(ctx context.Context) (merge.Target, error) {
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return nil, err
	}
	if ws.Target.URL == "" {
		return nil, fmt.Errorf("%w: connect the workspace to the Portal (the Workspace stage, or migctl workspace connect), then run the assessment again", merge.ErrTargetNotConfigured)
	}
	c, _, err := w.TargetClient(ctx, client.WithUserAgent("portal-migration-console overlap detection"))
	if err != nil {
		return nil, err
	}
	return c, nil
}
