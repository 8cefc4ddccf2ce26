package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/shell"
)

// Demo workspace facts. The credentials are fake and known to the replay
// servers, which accept nothing else: the demo's incumbents are bundled
// payloads served on loopback.
const (
	demoTenant        = sandbox.DemoTenant
	demoOktaSource    = "demo-okta"
	demoEntraSource   = "demo-entra"
	demoOktaToken     = "fake-demo-okta-token-not-a-secret"
	demoEntraToken    = "fake-demo-entra-access-token-not-a-secret"
	demoEntraTenantID = "example-corp.onmicrosoft.com"
	// demoName is what the window title calls the demo workspace.
	demoName = "Demo workspace"
	// demoSandboxFile is the sandbox Portal's file, beside the demo
	// workspace file.
	demoSandboxFile = "demo-sandbox.db"
)

// demos are the demo launches running in this process, by workspace path.
// Each launch rebuilds the file, so the launch before it must have let go
// of the file and stopped its servers first.
var demos = struct {
	sync.Mutex
	running map[string]*demoRun
}{running: map[string]*demoRun{}}

// demoRun is one launch: its open workspace file and its servers.
type demoRun struct {
	w      *wiring.Workspace
	estate *demoEstate
	once   sync.Once
	err    error
}

// close releases the file and stops the servers; later calls return the
// first call's result, so the shell and the next launch may both call it.
func (r *demoRun) close() error {
	r.once.Do(func() { r.err = errors.Join(r.w.Close(), r.estate.Close()) })
	return r.err
}

// openDemo launches the demo at path: it stops a previous launch, removes
// the previous file with the secrets it named, starts the demo estate and
// builds a fresh workspace pointing at it. Ports change per launch, which
// is why the file is rebuilt rather than reused. Each source is collected
// and assessed before the demo opens. Closing the session stops the
// servers.
func openDemo(ctx context.Context, path string) (shell.Session, error) {
	demos.Lock()
	defer demos.Unlock()
	if prev := demos.running[path]; prev != nil {
		delete(demos.running, path)
		if err := prev.close(); err != nil {
			return shell.Session{}, fmt.Errorf("close the previous demo: %w", err)
		}
	}
	if err := forgetDemo(ctx, path); err != nil {
		return shell.Session{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return shell.Session{}, fmt.Errorf("demo workspace: %w", err)
	}
	actor := wiring.ResolveActor(os.Getenv)
	log := wiring.Logger(os.Stderr, slog.LevelWarn)
	estate, err := startDemoEstate(ctx, filepath.Join(filepath.Dir(path), demoSandboxFile), actor, log)
	if err != nil {
		return shell.Session{}, err
	}
	w, err := createDemoWorkspace(ctx, path, estate)
	if err != nil {
		return shell.Session{}, errors.Join(err, estate.Close())
	}
	err = prepareDemo(ctx, w)
	if err == nil {
		err = seedDemoRoleMapping(ctx, w)
	}
	if err != nil {
		return shell.Session{}, errors.Join(err, w.CloseAndForget(ctx), wiring.RemoveSQLiteFiles(path), estate.Close())
	}
	run := &demoRun{w: w, estate: estate}
	demos.running[path] = run
	s := session(w)
	s.Name, s.Close = demoName, run.close
	return s, nil
}

// createDemoWorkspace makes the demo workspace at path through the engine:
// merge mode against the sandbox Portal, an Okta and an Entra source on
// the replay servers, every credential in the keychain. It leaves neither
// file nor secret behind when a step fails.
func createDemoWorkspace(ctx context.Context, path string, e *demoEstate) (_ *wiring.Workspace, err error) {
	w, _, err := wiring.Create(ctx, path, workspace.CreateRequest{
		Tenant: demoTenant, Mode: workspace.ModeMergeIntoExisting, TargetURL: e.portalURL, TargetToken: e.adminToken,
	})
	if err != nil {
		return nil, fmt.Errorf("demo workspace: %w", err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("demo workspace: %w", errors.Join(err, w.CloseAndForget(ctx), wiring.RemoveSQLiteFiles(path)))
		}
	}()
	svc := w.Service
	// Each source goes through the vendor registry like one typed into the
	// add-source form: the vendor checks its settings.
	sources := []workspace.NewSource{
		{
			Name: demoOktaSource, Kind: okta.Kind, Credential: secret.New(demoOktaToken),
			Settings: map[string]string{okta.FieldOrgURL: e.okta.URL, okta.FieldAuth: string(okta.AuthAPIToken)},
		},
		{
			// A pasted access token: the replay's token endpoint needs TLS
			// (MSAL refuses a plain-http authority), and the collector
			// trusts only the system's roots.
			Name: demoEntraSource, Kind: entra.Kind, Credential: secret.New(demoEntraToken),
			Settings: map[string]string{
				entra.FieldTenantID: demoEntraTenantID, entra.FieldAuth: string(entra.AuthAccessToken),
				entra.FieldCloud: string(entra.CloudGlobal), entra.FieldGraphURL: e.graph.URL(), entra.FieldAuthorityURL: e.graph.URL(),
			},
		},
	}
	for _, src := range sources {
		if _, err := svc.AddSource(ctx, src); err != nil {
			return nil, err
		}
	}
	// Connecting records the target's tenant, session context and
	// permissions, as a consultant's first connection would.
	if _, _, err := w.ConnectTarget(ctx, e.portalURL, e.adminToken); err != nil {
		return nil, err
	}
	return w, nil
}

// forgetDemo removes the previous launch's workspace file and the keychain
// entries it named. A file that does not open as a workspace names no
// secrets, and goes all the same.
func forgetDemo(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		if w, err := wiring.Open(ctx, path); err == nil {
			if err := w.CloseAndForget(ctx); err != nil {
				return fmt.Errorf("remove the previous demo: %w", err)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the previous demo: %w", err)
	}
	if err := wiring.RemoveSQLiteFiles(path); err != nil {
		return fmt.Errorf("remove the previous demo: %w", err)
	}
	return nil
}
