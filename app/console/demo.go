package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Demo workspace facts. The credentials are fake: the demo's incumbents are
// served from bundled payloads on loopback and accept anything.
const (
	demoTenant         = "demo-tenant"
	demoOktaSource     = "demo-okta"
	demoEntraSource    = "demo-entra"
	demoOktaToken      = "fake-demo-okta-token-not-a-secret"
	demoEntraSecret    = "fake-demo-entra-secret-not-a-secret"
	demoEntraTenantID  = "demo-tenant.onmicrosoft.com"
	demoEntraClientID  = "00000000-0000-4000-8000-00000000d3e0"
	demoLoopbackOrigin = "http://127.0.0.1"
)

// setUpDemo creates the demo workspace at path unless the file is already
// there. It is the one place the demo is defined: later stages point its
// sources at loopback replay servers and the sandbox here.
func setUpDemo(ctx context.Context, path string) (err error) {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("demo workspace: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("demo workspace: %w", err)
	}
	w, err := wiring.Create(ctx, path)
	if err != nil {
		return fmt.Errorf("demo workspace: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.Discard())
			return
		}
		err = w.Close()
	}()
	svc := w.Service
	if _, err := svc.Create(ctx, workspace.CreateRequest{Tenant: demoTenant, Mode: workspace.ModeMergeIntoExisting}); err != nil {
		return fmt.Errorf("demo workspace: %w", err)
	}
	sources := []workspace.NewSource{
		{
			Name: demoOktaSource, Kind: workspace.KindOkta, Credential: secret.New(demoOktaToken),
			Okta: &workspace.OktaSettings{OrgURL: demoLoopbackOrigin, Auth: workspace.OktaAPIToken},
		},
		{
			Name: demoEntraSource, Kind: workspace.KindEntra, Credential: secret.New(demoEntraSecret),
			Entra: &workspace.EntraSettings{
				TenantID: demoEntraTenantID, ClientID: demoEntraClientID, Auth: workspace.EntraClientSecret,
				Cloud: workspace.CloudGlobal, GraphURL: demoLoopbackOrigin, AuthorityURL: demoLoopbackOrigin,
			},
		},
	}
	for _, src := range sources {
		if _, err := svc.AddSource(ctx, src); err != nil {
			return fmt.Errorf("demo workspace: %w", err)
		}
	}
	return nil
}
