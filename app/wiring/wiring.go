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
	"log/slog"
	"os"
	"os/user"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/evidence"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/atomicfile"
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
	// Evidence records rollback guidance and completion evidence on
	// cutover plans and derives the handoff criteria. Its Plans is the
	// cutover stage's evidence.Plans; nil while the console has none.
	Evidence *evidence.Service
	// Readiness computes the workspace summary and the preview-handoff
	// gate from every stage's records.
	Readiness *readiness.Service
	// Cutover plans, previews, applies, resumes, rolls back and probes
	// (cutover.go).
	Cutover *cutover.Service

	// AuditAtOpen is what comparing the audit trail with this machine's
	// keychain found when the file was opened, before re-anchoring; nil
	// when there was no keychain to compare with (see audit.go).
	AuditAtOpen *audit.Verdict

	anchorer *audit.Anchorer
	sealer   *audit.Sealer
	log      *slog.Logger
}

// Option adjusts how a workspace is opened.
type Option func(*config)

type config struct {
	getenv     func(string) string
	log        *slog.Logger
	verifyOnly bool
}

// WithGetenv reads PMC_ACTOR and USER through getenv instead of the process
// environment (the CLI's in-process tests pass their own).
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) { c.getenv = getenv }
}

// WithLogger sends warnings about the audit trail's anchoring to l.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// ForAuditVerification opens the file to verify its audit trail: the
// workspace's key is read but never made, and nothing is anchored or
// adopted, so verification reports the trail as it was found.
func ForAuditVerification() Option {
	return func(c *config) { c.verifyOnly = true }
}

// Open opens an existing workspace file. First its audit trail is compared
// with this machine's keychain and anchored (AuditAtOpen says what was
// found), so the upgrades below append to a checked, sealed trail. A file
// collected before vendor secrets were redacted is then redacted (see
// redactStored), and items it stored before typed views existed get their
// views rebuilt from their (by then redacted) raw payloads, so no view is
// built from a secret.
func Open(ctx context.Context, path string, opts ...Option) (*Workspace, error) {
	kc := keychain.New()
	dbOpts := []workspacedb.Option{workspacedb.WithCloseLedger(closeLedger{kc})}
	if configure(opts).verifyOnly {
		dbOpts = append(dbOpts, workspacedb.ForInspection())
	}
	db, err := workspacedb.Open(ctx, path, dbOpts...)
	if err != nil {
		return nil, err // it names the file and what to do; more context would only repeat it
	}
	w, cfg := assemble(path, db, kc, opts)
	w.startAudit(ctx, cfg.verifyOnly)
	if !cfg.verifyOnly { // verification changes nothing in the file
		if err := w.redactStored(ctx); err != nil {
			w.Close()
			return nil, err
		}
		if _, err := w.Inventory.BuildMissingViews(ctx, viewBuilders(w.Vendors)); err != nil {
			w.Close()
			return nil, fmt.Errorf("open workspace file %s: %w", path, err)
		}
	}
	return w, nil
}

// Create makes a new workspace file at path holding the workspace req
// describes, atomically: the file is built beside path under a temporary
// name (the workspace, its first audit entry sealed with the workspace's
// new key, and the trail anchored in the keychain), closed, and only then
// linked into place, refusing to replace anything there. A failed or
// killed create leaves nothing at path, so no half-made file is later
// refused as foreign. It returns the workspace file opened at path.
func Create(ctx context.Context, path string, req workspace.CreateRequest, opts ...Option) (*Workspace, workspace.Workspace, error) {
	if err := atomicfile.MustNotExist(path); err != nil {
		return nil, workspace.Workspace{}, fmt.Errorf("create workspace file: %w", err)
	}
	tmp := atomicfile.TempBeside(path, "creating")
	ws, err := build(ctx, tmp, req, opts)
	if err == nil {
		err = atomicfile.Publish(tmp, path)
		if err != nil {
			err = errors.Join(err, forgetKeychain(ctx, keychain.New(), ws.ID, nil))
		}
	}
	if rmErr := RemoveSQLiteFiles(tmp); err == nil && rmErr != nil {
		err = fmt.Errorf("remove the temporary workspace file %s: %w", tmp, rmErr)
	}
	if err != nil {
		return nil, workspace.Workspace{}, err
	}
	w, err := Open(ctx, path, opts...)
	if err != nil {
		return nil, workspace.Workspace{}, err
	}
	return w, ws, nil
}

// build makes the whole new workspace file at tmp and closes it.
func build(ctx context.Context, tmp string, req workspace.CreateRequest, opts []Option) (_ workspace.Workspace, err error) {
	kc := keychain.New()
	db, err := workspacedb.Create(ctx, tmp, workspacedb.WithCloseLedger(closeLedger{kc}))
	if err != nil {
		return workspace.Workspace{}, err
	}
	w, _ := assemble(tmp, db, kc, opts)
	req.ID = workspace.NewID()
	defer func() {
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("create workspace file: %w", cerr)
		}
		if err != nil {
			err = errors.Join(err, forgetKeychain(ctx, kc, req.ID, nil))
		}
	}()
	// Without a keychain the workspace is made all the same (unsealed):
	// the first open with one anchors it, with an entry saying so.
	if m, kerr := keys.Load(ctx, kc, req.ID); kerr == nil {
		sealer := audit.NewSealer(m, req.ID)
		db.SealAuditWith(sealer)
		w.anchorer = audit.NewAnchorer(audit.AnchorerConfig{WorkspaceID: req.ID, Sealer: sealer, Store: kc, Trail: db, Note: w.Service.NoteAuditTrail})
	}
	ws, err := w.Service.Create(ctx, req)
	if err != nil {
		return workspace.Workspace{}, err
	}
	if w.anchorer != nil {
		if err := w.anchorer.AnchorNow(ctx); err != nil {
			w.log.Warn("the new workspace's audit trail could not be anchored; the first open anchors it", "err", err)
		}
	}
	return ws, nil
}

// forgetKeychain removes a workspace's keychain entries: its key, anchor
// and clean-close record, and the credentials of roles.
func forgetKeychain(ctx context.Context, kc *keychain.Keychain, workspaceID string, roles []string) error {
	var errs []error
	for _, role := range append(append([]string{workspace.RoleTargetToken}, roles...), keychainRoles...) {
		if err := kc.Delete(ctx, workspaceID, role); err != nil && !errors.Is(err, keychain.ErrUnavailable) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func configure(opts []Option) config {
	cfg := config{getenv: os.Getenv}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	return cfg
}

func assemble(path string, db *workspacedb.DB, kc *keychain.Keychain, opts []Option) (*Workspace, config) {
	cfg := configure(opts)
	actor := ResolveActor(cfg.getenv)
	vendors := Vendors()
	ready := &readiness.Service{Store: workspacedb.ReadinessStore(db)}
	cut := newCutover(db, ready, actor)
	w := &Workspace{
		Path:      path,
		DB:        db,
		Keychain:  kc,
		Vendors:   vendors,
		Service:   &workspace.Service{Store: db, Secrets: kc, Kinds: vendors, Actor: actor},
		Inventory: newInventory(db, kc, vendors, actor),
		Merge:     newMerge(db, cut, actor),
		OCM:       newOCM(db, actor),
		Evidence:  &evidence.Service{Store: workspacedb.EvidenceStore(db), Plans: cutoverPlans{cut}, Actor: actor},
		Readiness: ready,
		Cutover:   cut,
		log:       cfg.log,
	}
	w.Assessment = newAssessment(w, actor)
	w.Rollout = newRollout(db, w, actor)
	return w, cfg
}

// Close anchors the audit trail's last entries and closes the workspace
// file. A failure to anchor is logged, not returned: the entries stay
// sealed in the file and the next open anchors them.
func (w *Workspace) Close() error {
	if w.anchorer != nil {
		if err := w.anchorer.Close(context.Background()); err != nil {
			w.log.Warn("the audit trail's last entries could not be anchored; the next open anchors them", "err", err)
		}
	}
	return w.DB.Close()
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
