package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	entrademo "github.com/portal-id/migration-console/assets/demo/entra"
	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// demoLogins is the demo sandbox's login simulation: a round every few
// seconds, some failures, and now and then a JIT user.
var demoLogins = sandbox.LoginSimulation{Every: 4 * time.Second, FailureRate: 0.15, JITRate: 0.04}

// demoEstate is what one demo launch serves on 127.0.0.1, each on a port
// the OS picks: the bundled Okta org and Entra tenant, replayed through the
// vendors' wire formats so the real SDKs collect them, and the sandbox
// Portal on its own SQLite file, seeded with live state that overlaps them.
type demoEstate struct {
	okta  *oktareplay.Server
	graph *graphreplay.Server

	sandbox   *sandboxdb.DB
	portal    *http.Server
	portalURL string
	// portalDone receives what Serve returned once the listener closed.
	portalDone chan error
	// adminToken is the sandbox's admin API token for the demo tenant,
	// minted for this launch; only its hash is in the sandbox file.
	adminToken secret.Value
}

// startDemoEstate starts the three servers. The sandbox file at
// sandboxPath is recreated, so every launch starts from the demo seed.
func startDemoEstate(ctx context.Context, sandboxPath, actor string, log *slog.Logger) (_ *demoEstate, err error) {
	e := &demoEstate{}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()

	org, err := oktareplay.LoadFS(oktademo.Payloads)
	if err != nil {
		return nil, fmt.Errorf("demo okta org: %w", err)
	}
	if e.okta, err = oktareplay.Listen(org, oktareplay.Options{Token: demoOktaToken}); err != nil {
		return nil, fmt.Errorf("demo okta org: %w", err)
	}

	tenant, err := graphreplay.Load(entrademo.Payloads)
	if err != nil {
		return nil, fmt.Errorf("demo entra tenant: %w", err)
	}
	e.graph, err = graphreplay.Start(graphreplay.Options{
		Tenant: tenant, TenantID: demoEntraTenantID, AccessTokens: []string{demoEntraToken},
	})
	if err != nil {
		return nil, fmt.Errorf("demo entra tenant: %w", err)
	}

	if err := removeDBFiles(sandboxPath); err != nil {
		return nil, fmt.Errorf("demo portal: %w", err)
	}
	if e.sandbox, err = sandboxdb.Open(ctx, sandboxPath); err != nil {
		return nil, fmt.Errorf("demo portal: %w", err)
	}
	if err := sandbox.Seed(ctx, e.sandbox, sandbox.SeedDemo, time.Now()); err != nil {
		return nil, fmt.Errorf("demo portal: %w", err)
	}
	if e.adminToken, err = sandbox.IssueToken(ctx, e.sandbox, sandbox.AdminTokenSpec(sandbox.DemoTenant, actor)); err != nil {
		return nil, fmt.Errorf("demo portal: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo portal: listen on loopback: %w", err)
	}
	// The demo rehearses a rollout end to end: the sandbox plays the SSO
	// logins of users moved to SSO while the console watches.
	e.portal = &http.Server{Handler: sandbox.NewServer(e.sandbox, sandbox.Options{Log: log, Logins: demoLogins}), ReadHeaderTimeout: 10 * time.Second}
	e.portalURL = "http://" + ln.Addr().String()
	e.portalDone = make(chan error, 1)
	go func() { e.portalDone <- e.portal.Serve(ln) }()
	return e, nil
}

// Close stops every server that started, then closes the sandbox file.
func (e *demoEstate) Close() error {
	if e.okta != nil {
		e.okta.Close()
	}
	if e.graph != nil {
		e.graph.Close()
	}
	var errs []error
	if e.portal != nil {
		if err := e.portal.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stop the demo portal: %w", err))
		}
		if err := <-e.portalDone; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("demo portal: %w", err))
		}
	}
	if e.sandbox != nil {
		if err := e.sandbox.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the demo portal's file: %w", err))
		}
	}
	return errors.Join(errs...)
}
