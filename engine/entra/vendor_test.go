package entra

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

func TestValidateEntraSource(t *testing.T) {
	registry := vendor.NewRegistry(Vendor{})
	cred := secret.New("fake-token-for-tests")
	entra := func(edit func(map[string]string)) map[string]string {
		v := map[string]string{FieldTenantID: "8f1c2d3e-0000-4000-8000-000000000001", FieldClientID: "8f1c2d3e-0000-4000-8000-000000000002", FieldAuth: string(AuthClientSecret)}
		edit(v)
		return v
	}
	cases := []struct {
		name    string
		values  map[string]string
		wantErr string
	}{
		{"entra client secret", entra(func(map[string]string) {}), ""},
		{"entra domain tenant", entra(func(v map[string]string) { v[FieldTenantID] = "contoso.onmicrosoft.com" }), ""},
		{"entra bad tenant", entra(func(v map[string]string) { v[FieldTenantID] = "not a tenant" }), "GUID or a verified domain"},
		{"entra bad client", entra(func(v map[string]string) { v[FieldClientID] = "abc" }), "GUID"},
		{"entra secret without client", entra(func(v map[string]string) { delete(v, FieldClientID) }), "GUID"},
		{"entra token without client", entra(func(v map[string]string) { v[FieldAuth], v[FieldClientID] = string(AuthAccessToken), "" }), ""},
		{"entra bad cloud", entra(func(v map[string]string) { v[FieldCloud] = "mars" }), "global, usgov or china"},
		{"entra bad auth", entra(func(v map[string]string) { v[FieldAuth] = "password" }), "client_secret, certificate or access_token"},
		{"entra no auth", entra(func(v map[string]string) { delete(v, FieldAuth) }), "needs its Authentication"},
		{"entra remote http graph", entra(func(v map[string]string) { v[FieldGraphURL] = "http://graph.example.com" }), "plain http"},
		{"entra loopback graph", entra(func(v map[string]string) { v[FieldGraphURL] = "http://localhost:9000/" }), ""},
		{"kind mismatch", map[string]string{"org_url": "https://a.okta.com"}, "entra settings only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := registry.CheckSource(Kind, tc.values, cred)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				var s Settings
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatal(err)
				}
				if s.Cloud != CloudGlobal {
					t.Fatalf("cloud defaulted to %q", s.Cloud)
				}
				if s.GraphURL != "" && strings.HasSuffix(s.GraphURL, "/") {
					t.Fatalf("graph URL kept its trailing slash: %q", s.GraphURL)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, workspace.ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), cred.Reveal()) {
				t.Fatal("the credential leaked into the error")
			}
		})
	}
}

func TestEntraSpecNamesTheSettings(t *testing.T) {
	var keys []string
	st := reflect.TypeFor[Settings]()
	for i := range st.NumField() {
		keys = append(keys, strings.Split(st.Field(i).Tag.Get("json"), ",")[0])
	}
	var names []string
	for _, f := range spec.Settings() {
		names = append(names, f.Name)
	}
	if d := cmp.Diff(keys, names); d != "" {
		t.Errorf("settings keys vs spec fields (-keys +fields):\n%s", d)
	}
}

func TestEntraDescribeFactsEndpoints(t *testing.T) {
	raw := json.RawMessage(`{"tenant_id":"contoso.onmicrosoft.com","client_id":"11111111-2222-3333-4444-555555555555","auth":"client_secret","cloud":"usgov","graph_url":"http://127.0.0.1:9000"}`)
	v := Vendor{}
	d := v.Describe(raw)
	if d.Endpoint != "tenant contoso.onmicrosoft.com, usgov cloud" ||
		strings.Join(d.Summary, " · ") != "tenant contoso.onmicrosoft.com · client 11111111-2222-3333-4444-555555555555 · Client secret · US Government cloud · Graph http://127.0.0.1:9000" {
		t.Errorf("description %+v", d)
	}
	if d := cmp.Diff(map[string]string{"tenant_id": "contoso.onmicrosoft.com", "client_id": "11111111-2222-3333-4444-555555555555",
		"auth": "client_secret", "cloud": "usgov", "graph_url": "http://127.0.0.1:9000"}, v.Facts(raw)); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
	// A secret goes to the authority for a token first; a pasted token
	// goes to Graph only.
	eps, err := v.Endpoints(raw)
	if err != nil || cmp.Diff([]string{"http://127.0.0.1:9000", "https://login.microsoftonline.us"}, eps) != "" {
		t.Errorf("endpoints %v, %v", eps, err)
	}
	eps, err = v.Endpoints(json.RawMessage(`{"tenant_id":"contoso.onmicrosoft.com","auth":"access_token","cloud":"global"}`))
	if err != nil || cmp.Diff([]string{"https://graph.microsoft.com"}, eps) != "" {
		t.Errorf("endpoints of a pasted token %v, %v", eps, err)
	}
}

func TestGraphLimitsReadsFractionalRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"2.128"}}}
	l := rateLimits(resp, now)
	if got := l.RetryAt.Sub(now); got != 2128*time.Millisecond {
		t.Fatalf("retry after %s, want 2.128s", got)
	}
	resp = &http.Response{StatusCode: 200, Header: http.Header{"X-Ms-Throttle-Limit-Percentage": {"1.25"}}}
	if l := rateLimits(resp, now); l.Slowdown != 0.8 {
		t.Fatalf("slowdown %v, want 0.8", l.Slowdown)
	}
}
