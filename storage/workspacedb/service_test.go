package workspacedb

import (
	"context"
	"testing"

	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// memSecrets stands in for the keychain in these tests, which are about
// the file; storage/keychain tests the real one.
type memSecrets map[string]secret.Value

func (m memSecrets) Set(_ context.Context, ws, role string, v secret.Value) error {
	m[ws+"/"+role] = v
	return nil
}

func (m memSecrets) Get(_ context.Context, ws, role string) (secret.Value, error) {
	return m[ws+"/"+role], nil
}

func (m memSecrets) Delete(_ context.Context, ws, role string) error {
	delete(m, ws+"/"+role)
	return nil
}

const (
	fakeOktaToken   = "fake-okta-token-for-tests"
	fakeEntraSecret = "fake-entra-client-secret-for-tests"
	fakeTargetToken = "fake-portal-admin-token-for-tests"
)

func service(store workspace.Store) *workspace.Service {
	return &workspace.Service{Store: store, Secrets: memSecrets{}, Actor: "consultant@example.test"}
}

// populate walks the workspace stage through the engine: create, add an
// Okta and an Entra source, archive the Okta one, add another. That is five
// audit entries.
func populate(t testing.TB, svc *workspace.Service) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.Create(ctx, workspace.CreateRequest{
		Tenant: "acme", Mode: workspace.ModeMergeIntoExisting,
		TargetURL: "http://127.0.0.1:9443", TargetToken: secret.New(fakeTargetToken),
	}); err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	steps := []func() error{
		func() error {
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: workspace.KindOkta,
				Okta: &workspace.OktaSettings{OrgURL: "https://acme.okta.example"}, Credential: secret.New(fakeOktaToken)})
			return err
		},
		func() error {
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "entra-prod", Kind: workspace.KindEntra,
				Entra: &workspace.EntraSettings{TenantID: "11111111-2222-3333-4444-555555555555",
					ClientID: "66666666-7777-8888-9999-000000000000", Auth: workspace.EntraClientSecret},
				Credential: secret.New(fakeEntraSecret)})
			return err
		},
		func() error { _, err := svc.ArchiveSource(ctx, "okta-prod"); return err },
		func() error {
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "okta-sandbox", Kind: workspace.KindOkta,
				Okta: &workspace.OktaSettings{OrgURL: "http://127.0.0.1:8080"}, Credential: secret.New(fakeOktaToken)})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
}

func TestServiceThroughStage(t *testing.T) {
	ctx := context.Background()
	db, _ := newFile(t)
	defer db.Close()
	svc := service(NewStage(db, func(t *Tx) workspace.Tx { return t }))
	populate(t, svc)
	sum, err := (&readiness.Service{Store: ReadinessStore(db)}).Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.SourceCount != 3 || sum.ConfiguredSourceCount != 2 || sum.Status != workspace.StatusReadyForInventory {
		t.Fatalf("summary = %d sources, %d configured, %s; want 3, 2, ready_for_inventory", sum.SourceCount, sum.ConfiguredSourceCount, sum.Status)
	}
	entries, brk, err := svc.AuditTrail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if brk != nil || len(entries) != 5 {
		t.Fatalf("trail: %d entries, break %v; want 5 and none", len(entries), brk)
	}
}
