package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/portal-id/migration-console/app/wiring"
	entrademo "github.com/portal-id/migration-console/assets/demo/entra"
	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
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

	portal    *wiring.Sandbox
	portalURL string
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

	e.portal, err = wiring.StartSandbox(ctx, wiring.SandboxSpec{
		Path: sandboxPath, Fresh: true, Seed: sandbox.SeedDemo,
		Tenant: sandbox.DemoTenant, Actor: actor,
		// The demo rehearses a rollout end to end: the sandbox plays the SSO
		// logins of users moved to SSO while the console watches.
		Options: sandbox.Options{Log: log, Logins: demoLogins},
	})
	if err != nil {
		return nil, fmt.Errorf("demo portal: %w", err)
	}
	e.portalURL, e.adminToken = e.portal.URL, e.portal.Token
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
	if e.portal != nil {
		if err := e.portal.Close(); err != nil {
			return fmt.Errorf("demo portal: %w", err)
		}
	}
	return nil
}
