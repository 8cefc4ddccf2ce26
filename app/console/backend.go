package main

import (
	"context"
	"errors"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/shell"
)

// backend gives the GUI real workspace files: SQLite through app/wiring and
// credentials in the OS keychain.
type backend struct {
	demoPath string
}

func session(w *wiring.Workspace) shell.Session {
	return shell.Session{Path: w.Path, Workspace: w.Service, Readiness: w.Readiness, Vendors: w.Vendors, Inventory: w.Inventory,
		Assessment: assessmentService{w.Assessment}, Merge: w.Merge, OCM: w.OCM, Target: w, Rollout: w.Rollout, Close: w.Close}
}

// assessmentService is the engine's assessment service with the rules of
// the catalogue it classifies with, which the stage's rule filter offers.
type assessmentService struct{ *assessment.Service }

func (a assessmentService) Rules() []assessment.Rule { return a.Catalogue.Rules() }

func (b backend) Open(ctx context.Context, path string) (shell.Session, error) {
	w, err := wiring.Open(ctx, path)
	if err != nil {
		return shell.Session{}, err
	}
	return session(w), nil
}

func (b backend) Create(ctx context.Context, path string, req workspace.CreateRequest) (shell.Session, error) {
	w, err := wiring.Create(ctx, path)
	if err != nil {
		return shell.Session{}, err
	}
	if _, err := w.Service.Create(ctx, req); err != nil {
		return shell.Session{}, errors.Join(err, w.Discard())
	}
	return session(w), nil
}

// OpenDemo launches the demo afresh: its servers run until the session
// closes (see demo.go).
func (b backend) OpenDemo(ctx context.Context) (shell.Session, error) {
	return openDemo(ctx, b.demoPath)
}
