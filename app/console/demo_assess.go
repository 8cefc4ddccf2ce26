package main

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/inventory"
)

// prepareDemo collects each demo source and assesses its snapshot, so the
// demo opens on a completed assessment: every stage after inventory can be
// walked at once.
func prepareDemo(ctx context.Context, w *wiring.Workspace) error {
	for _, name := range []string{demoOktaSource, demoEntraSource} {
		if _, err := w.Inventory.Collect(ctx, name, inventory.CollectOptions{}, nil); err != nil {
			return fmt.Errorf("demo: collect %s: %w", name, err)
		}
		if _, err := w.Assessment.RunSource(ctx, name, nil); err != nil {
			return fmt.Errorf("demo: assess %s: %w", name, err)
		}
	}
	return nil
}
