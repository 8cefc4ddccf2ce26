// Package wiring assembles what both entry points (the GUI and migctl) need
// to work on one workspace file: the SQLite store, the OS keychain, the
// vendor registry (vendors.go, the one list of incumbent platforms) and the
// engine's services. It imports no Fyne, so migctl built on it still builds
// with CGO_ENABLED=0.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// Workspace is one open workspace file with its keychain and a ready
// service. Close it when done.
type Workspace struct {
	Path     string
	DB       *workspacedb.DB
	Keychain *keychain.Keychain
	// Vendors are the incumbent platforms sources can be of.
	Vendors vendor.Registry
	Service *workspace.Service
	// Inventory collects and reads snapshots and tests sources.
	Inventory *inventory.Service
	// Assessment runs and reads compatibility assessments (assessment.go).
	Assessment *assessment.Service
	// Rollout runs the progressive SSO rollout against the workspace's
	// Portal, connecting on first use (see rollout.go).
	Rollout *rollout.Service
	// Merge reads and resolves merge decisions; OCM acknowledges impacts
	// (merge.go).
	Merge *merge.Service
	OCM   *ocm.Service
	// Readiness computes the workspace summary and the preview-handoff
	// gate from every stage's records.
	Readiness *readiness.Service
}

// Option adjusts how a workspace is opened.
type Option func(*config)

type config struct {
	getenv func(string) string
}

// WithGetenv reads PMC_ACTOR and USER through getenv instead of the process
// environment (the CLI's in-process tests pass their own).
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) { c.getenv = getenv }
}

// Open opens an existing workspace file. A file collected before vendor
// secrets were redacted is redacted first (see redactStored), then items it
// stored before typed views existed get their views rebuilt from their
// (by then redacted) raw payloads, so no view is built from a secret.
func Open(ctx context.Context, path string, opts ...Option) (*Workspace, error) {
	db, err := workspacedb.Open(ctx, path)
	if err != nil {
		return nil, err // it names the file and what to do; more context would only repeat it
	}
	w := assemble(path, db, opts)
	if err := w.redactStored(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := w.Inventory.BuildMissingViews(ctx, viewBuilders(w.Vendors)); err != nil {
		w.Close()
		return nil, fmt.Errorf("open workspace file %s: %w", path, err)
	}
	return w, nil
}

// Create makes a new, empty workspace file; the caller then creates the
// workspace in it with Service.Create, or calls Discard if that fails.
func Create(ctx context.Context, path string, opts ...Option) (*Workspace, error) {
	db, err := workspacedb.Create(ctx, path)
	if err != nil {
		return nil, err // as in Open
	}
	return assemble(path, db, opts), nil
}

func assemble(path string, db *workspacedb.DB, opts []Option) *Workspace {
	cfg := config{getenv: os.Getenv}
	for _, o := range opts {
		o(&cfg)
	}
	kc := keychain.New()
	actor := ResolveActor(cfg.getenv)
	vendors := Vendors()
	w := &Workspace{
		Path:      path,
		DB:        db,
		Keychain:  kc,
		Vendors:   vendors,
		Service:   &workspace.Service{Store: db, Secrets: kc, Kinds: vendors, Actor: actor},
		Inventory: newInventory(db, kc, vendors, actor),
		Merge:     newMerge(db, actor),
		OCM:       newOCM(db, actor),
		Readiness: &readiness.Service{Store: workspacedb.ReadinessStore(db)},
	}
	w.Assessment = newAssessment(w, actor)
	w.Rollout = newRollout(db, w, actor)
	return w
}

// Close closes the workspace file.
func (w *Workspace) Close() error { return w.DB.Close() }

// Discard closes and deletes a file that Create made but that never came to
// hold a workspace, so a failed `workspace create` leaves nothing behind.
func (w *Workspace) Discard() error {
	errs := []error{w.Close()}
	if err := RemoveSQLiteFiles(w.Path); err != nil {
		errs = append(errs, fmt.Errorf("remove unfinished workspace file: %w", err))
	}
	return errors.Join(errs...)
}

// RemoveSQLiteFiles deletes a SQLite file with its WAL, shared-memory and
// rollback-journal files; those already gone are no error.
func RemoveSQLiteFiles(path string) error {
	var errs []error
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ResolveActor names who is at the keyboard for the audit trail: PMC_ACTOR
// when set, else the OS account, else $USER.
func ResolveActor(getenv func(string) string) string {
	if a := strings.TrimSpace(getenv("PMC_ACTOR")); a != "" {
		return a
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if a := strings.TrimSpace(getenv("USER")); a != "" {
		return a
	}
	return "unknown"
}
