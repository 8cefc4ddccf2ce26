package okta_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

var registry = vendor.NewRegistry(okta.Vendor{})

func TestValidateOktaSource(t *testing.T) {
	cred := secret.New("fake-token-for-tests")
	pem := secret.New("-----BEGIN PRIVATE KEY-----\nZmFrZS10ZXN0LW9ubHkta2V5\n-----END PRIVATE KEY-----")
	org := func(url string) map[string]string { return map[string]string{okta.FieldOrgURL: url} }
	cases := []struct {
		name     string
		values   map[string]string
		cred     secret.Value
		wantErr  string
		settings okta.Settings
	}{
		{"okta https", org("https://acme.okta.com/"), cred, "", okta.Settings{OrgURL: "https://acme.okta.com", Auth: okta.AuthAPIToken}},
		{"okta loopback http", org("http://127.0.0.1:8080"), cred, "", okta.Settings{OrgURL: "http://127.0.0.1:8080", Auth: okta.AuthAPIToken}},
		{"okta remote http", org("http://acme.okta.com"), cred, "plain http", okta.Settings{}},
		{"okta with path", org("https://acme.okta.com/api/v1"), cred, "without a path", okta.Settings{}},
		{"okta url credentials", org("https://user:pw@acme.okta.com"), cred, "credentials in the URL", okta.Settings{}},
		{"private key without client id", map[string]string{okta.FieldOrgURL: "https://a.okta.com", okta.FieldAuth: "private_key"}, pem, "client id", okta.Settings{}},
		{"private key that is no key", map[string]string{okta.FieldOrgURL: "https://a.okta.com", okta.FieldAuth: "private_key", okta.FieldClientID: "0oa1"}, cred, "PEM private key", okta.Settings{}},
		{"private key", map[string]string{okta.FieldOrgURL: "https://a.okta.com", okta.FieldAuth: "private_key", okta.FieldClientID: "0oa1", okta.FieldScopes: "okta.apps.read, okta.groups.read"}, pem, "",
			okta.Settings{OrgURL: "https://a.okta.com", Auth: okta.AuthPrivateKey, ClientID: "0oa1", Scopes: []string{"okta.apps.read", "okta.groups.read"}}},
		{"api token with a client id", map[string]string{okta.FieldOrgURL: "https://a.okta.com", okta.FieldClientID: "0oa1"}, cred, "Client ID applies only with authentication private_key", okta.Settings{}},
		{"kind mismatch", map[string]string{"tenant_id": "contoso.onmicrosoft.com"}, cred, "okta settings only", okta.Settings{}},
		{"bad auth", map[string]string{okta.FieldOrgURL: "https://a.okta.com", okta.FieldAuth: "password"}, cred, "must be api_token or private_key", okta.Settings{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := registry.CheckSource(okta.Kind, tc.values, tc.cred)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, workspace.ErrInvalid) {
					t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.cred.Reveal()) {
					t.Fatal("the credential leaked into the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			var got okta.Settings
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.settings, got); d != "" {
				t.Errorf("stored settings (-want +got):\n%s", d)
			}
		})
	}
}

// TestURLCredentialsAreNamed: the error says what is wrong in a way each
// front end can recognise and add its own how-to to.
func TestURLCredentialsAreNamed(t *testing.T) {
	_, err := registry.CheckSource(okta.Kind, map[string]string{okta.FieldOrgURL: "https://user:pw@acme.okta.com"}, secret.New("fake-token"))
	if !errors.Is(err, endpoint.ErrCredentialsInURL) || !errors.Is(err, workspace.ErrInvalid) || strings.Contains(err.Error(), "pw@") {
		t.Fatalf("error %v", err)
	}
}

// TestSpecNamesTheSettings: every setting of the spec is a key of the
// settings document and back, as rclone checks its options against its
// config struct, so a form field can never be dropped on the way to the
// workspace file.
func TestSpecNamesTheSettings(t *testing.T) {
	var keys []string
	st := reflect.TypeFor[okta.Settings]()
	for i := range st.NumField() {
		keys = append(keys, strings.Split(st.Field(i).Tag.Get("json"), ",")[0])
	}
	var names []string
	for _, f := range (okta.Vendor{}).Spec().Settings() {
		names = append(names, f.Name)
	}
	if d := cmp.Diff(keys, names); d != "" {
		t.Errorf("settings keys vs spec fields (-keys +fields):\n%s", d)
	}
}

func TestDescribeAndFacts(t *testing.T) {
	raw := json.RawMessage(`{"org_url":"https://acme.okta.com","auth":"private_key","client_id":"0oa1","scopes":["okta.apps.read"]}`)
	v := okta.Vendor{}
	d := v.Describe(raw)
	if d.Endpoint != "https://acme.okta.com" || d.Auth != "private_key" ||
		strings.Join(d.Summary, " · ") != "https://acme.okta.com · OAuth service app (private key) · client 0oa1 · scopes okta.apps.read" {
		t.Errorf("description %+v", d)
	}
	if d := cmp.Diff(map[string]string{"org_url": "https://acme.okta.com", "auth": "private_key", "client_id": "0oa1"}, v.Facts(raw)); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
	if eps, err := v.Endpoints(raw); err != nil || len(eps) != 1 || eps[0] != "https://acme.okta.com" {
		t.Errorf("endpoints %v, %v", eps, err)
	}
}

// TestSourceTestProbesDomainsTogether: the domain probes run side by side,
// a bounded few at a time, and come back in collection order.
func TestSourceTestProbesDomainsTogether(t *testing.T) {
	var mu sync.Mutex
	inflight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/apps" {
			io.WriteString(w, `[{"id":"0oa1"}]`)
			return
		}
		io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	raw, err := json.Marshal(okta.Settings{OrgURL: srv.URL, Auth: okta.AuthAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := okta.Vendor{}.Test(context.Background(), raw, secret.New("fake-token-for-tests"), pacedClient(nil, 1, nil))
	if err != nil {
		t.Fatal(err)
	}
	var domains []string
	for _, c := range checks {
		if !c.Readable {
			t.Errorf("%+v: want readable", c)
		}
		domains = append(domains, c.Domain)
	}
	if d := cmp.Diff(okta.Domains, domains); d != "" {
		t.Errorf("domains (-want +got):\n%s", d)
	}
	if peak < 2 || peak > 4 {
		t.Errorf("at most %d probes were in flight at once; want them side by side, at most 4", peak)
	}
}

func TestOktaLimitsReadsTheBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "600")
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", "1700000060")
	h.Set("Retry-After", "90")
	l := okta.Vendor{}.Pacing().Limits(&http.Response{StatusCode: 429, Header: h}, now)
	if l.Limit != 600 || l.Remaining != 0 || !l.Reset.Equal(time.Unix(1_700_000_060, 0)) {
		t.Fatalf("limits %+v", l)
	}
	if !l.RetryAt.Equal(now.Add(90 * time.Second)) {
		t.Fatalf("retry at %s, want 90 s after %s", l.RetryAt, now)
	}
}

var _ inventory.Incumbent = okta.Vendor{}
