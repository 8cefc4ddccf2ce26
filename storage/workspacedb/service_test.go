package workspacedb

import (
	"context"
	"encoding/json"
	"fmt"
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
	v, ok := m[ws+"/"+role]
	if !ok {
		return secret.Value{}, secret.ErrNotFound
	}
	return v, nil
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

// testKinds stands in for the vendor registry: these tests are about the
// file, so any kind's settings are stored as the JSON object of the values
// given, and the values are the audit facts. engine/vendor and the vendor
// packages test the real checks.
type testKinds struct{}

func (testKinds) CheckSource(kind workspace.SourceKind, values map[string]string, _ secret.Value) (json.RawMessage, error) {
	if kind == "" {
		return nil, fmt.Errorf("%w: no kind", workspace.ErrInvalid)
	}
	return json.Marshal(values)
}

func (testKinds) SourceFacts(_ workspace.SourceKind, settings json.RawMessage) map[string]string {
	facts := map[string]string{}
	_ = json.Unmarshal(settings, &facts)
	return facts
}

func service(store workspace.Store) *workspace.Service {
	return &workspace.Service{Store: store, Secrets: memSecrets{}, Kinds: testKinds{}, Actor: "consultant@example.test"}
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
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: "okta",
				Settings: map[string]string{"org_url": "https://acme.okta.example", "auth": "api_token"}, Credential: secret.New(fakeOktaToken)})
			return err
		},
		func() error {
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "entra-prod", Kind: "entra",
				Settings: map[string]string{"tenant_id": "11111111-2222-3333-4444-555555555555",
					"client_id": "66666666-7777-8888-9999-000000000000", "auth": "client_secret", "cloud": "global"},
				Credential: secret.New(fakeEntraSecret)})
			return err
		},
		func() error { _, err := svc.ArchiveSource(ctx, "okta-prod"); return err },
		func() error {
			_, err := svc.AddSource(ctx, workspace.NewSource{Name: "okta-sandbox", Kind: "okta",
				Settings: map[string]string{"org_url": "http://127.0.0.1:8080", "auth": "api_token"}, Credential: secret.New(fakeOktaToken)})
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
