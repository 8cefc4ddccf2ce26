package graphreplay

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const demoDir = "../../../assets/demo/entra"

// TestDemoAssetsMatchGenerator keeps the committed demo tenant equal to what
// Demo generates; run `make generate` after changing the generator.
func TestDemoAssetsMatchGenerator(t *testing.T) {
	want := t.TempDir()
	if err := Demo().WriteDir(want); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		w, _ := os.ReadFile(filepath.Join(want, e.Name()))
		got, err := os.ReadFile(filepath.Join(demoDir, e.Name()))
		if err != nil {
			t.Fatalf("%v (regenerate with: make generate)", err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s differs from the generator's output; regenerate with: make generate", e.Name())
		}
	}
}

func TestDemoTenantShape(t *testing.T) {
	tenant, err := Load(os.DirFS(demoDir))
	if err != nil {
		t.Fatal(err)
	}
	c := tenant.Counts()
	if c[ServicePrincipals] < 50 || c[Groups] < 100 || c[Applications] == 0 || c[Policies] == 0 || c[AppRoleAssignedTo] == 0 {
		t.Fatalf("demo tenant too small: %v", c)
	}
	all := func(items ...json.RawMessage) string {
		var b bytes.Buffer
		for _, r := range items {
			b.Write(compact(r))
		}
		return b.String()
	}
	var assignments []json.RawMessage
	for _, l := range tenant.AppRoleAssignedTo {
		assignments = append(assignments, l...)
	}
	sps, groups, domains := tenant.ServicePrincipals, tenant.Groups, tenant.Domains
	for _, want := range []struct{ where, what string }{
		{all(domains...), `"id":"example-corp.com"`},
		{all(groups...), `"displayName":"Engineering"`},
		{all(groups...), `"DynamicMembership"`},
		{all(groups...), `"Unified"`},
		{all(sps...), `"displayName":"Expense Portal"`},
		{all(sps...), `"endDateTime":"2025-01-15T00:00:00Z"`},
		{all(sps...), `"preferredSingleSignOnMode":"oidc"`},
		{all(sps...), `"preferredSingleSignOnMode":"password"`},
		{all(sps...), `"preferredSingleSignOnMode":null`},
		{all(assignments...), `"principalType":"User"`},
		{all(assignments...), `"principalType":"ServicePrincipal"`},
	} {
		if !bytes.Contains([]byte(want.where), []byte(want.what)) {
			t.Errorf("demo tenant lacks %s", want.what)
		}
	}
}

// compact returns raw without insignificant whitespace.
func compact(raw []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
