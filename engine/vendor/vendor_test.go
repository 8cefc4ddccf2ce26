package vendor

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// fake is a vendor with the shape of a real one and no network.
type fake struct {
	kind workspace.SourceKind
	spec Spec
}

func (f fake) Kind() workspace.SourceKind { return f.kind }
func (f fake) Label() string              { return strings.ToUpper(string(f.kind)) }
func (f fake) Spec() Spec                 { return f.spec }
func (f fake) Validate(values map[string]string, _ secret.Value) (json.RawMessage, error) {
	return json.Marshal(values)
}
func (f fake) Facts(json.RawMessage) map[string]string { return map[string]string{"fake": "yes"} }
func (f fake) Describe(json.RawMessage) Description    { return Description{Endpoint: "somewhere"} }
func (f fake) Endpoints(json.RawMessage) ([]string, error) {
	return nil, nil
}
func (f fake) Pacing() inventory.PacingOptions { return inventory.PacingOptions{} }
func (f fake) Open(context.Context, json.RawMessage, secret.Value, *http.Client) (inventory.Collector, error) {
	return nil, errors.New("fake")
}
func (f fake) Test(context.Context, json.RawMessage, secret.Value, *http.Client) ([]inventory.DomainCheck, error) {
	return nil, errors.New("fake")
}
func (f fake) Scrub(text string, cred secret.Value) string { return ScrubCredential(text, cred) }
func (f fake) PayloadSecrets() []redact.Field              { return nil }
func (f fake) RebuildView(inventory.LegacyItem) (inventory.Item, error) {
	return inventory.Item{}, errors.New("fake")
}

// oktaLike has every kind of field an incumbent uses.
var oktaLike = Spec{
	Summary:   "an org",
	AuthField: "auth",
	Fields: []Field{
		{Name: "org_url", Label: "Org URL", Help: "the org", Kind: FieldURL, Required: true},
		{Name: "auth", Label: "Authentication", Help: "how", Kind: FieldChoice, Default: "api_token",
			Choices: []Choice{{"api_token", "API token"}, {"private_key", "Private key"}}},
		{Name: "client_id", Label: "Client ID", Help: "the app", Kind: FieldText, Required: true, AuthModes: []string{"private_key"}},
		{Name: "scopes", Label: "Scopes", Help: "scopes", Kind: FieldList, AuthModes: []string{"private_key"}},
		{Name: "credential", Label: "Credential", Help: "the secret", Kind: FieldSecret},
	},
}

func TestSpecCheck(t *testing.T) {
	cases := []struct {
		name    string
		values  map[string]string
		want    map[string]string
		wantErr string
	}{
		{"defaults filled, values trimmed", map[string]string{"org_url": " https://a.example \n"},
			map[string]string{"org_url": "https://a.example", "auth": "api_token"}, ""},
		{"empty values dropped", map[string]string{"org_url": "https://a.example", "auth": "", "scopes": " "},
			map[string]string{"org_url": "https://a.example", "auth": "api_token"}, ""},
		{"mode fields", map[string]string{"org_url": "https://a.example", "auth": "private_key", "client_id": "0oa1", "scopes": "a b"},
			map[string]string{"org_url": "https://a.example", "auth": "private_key", "client_id": "0oa1", "scopes": "a b"}, ""},
		{"unknown field", map[string]string{"org_url": "https://a.example", "tenant_id": "x"}, nil, `an okta source takes okta settings only; "tenant_id" is not one of them`},
		{"credential as a setting", map[string]string{"org_url": "https://a.example", "credential": "x"}, nil, "settings only"},
		{"bad choice", map[string]string{"org_url": "https://a.example", "auth": "password"}, nil, `Authentication "password" must be api_token or private_key`},
		{"field of another mode", map[string]string{"org_url": "https://a.example", "client_id": "0oa1"}, nil, "Client ID applies only with authentication private_key, not api_token"},
		{"required missing", map[string]string{}, nil, "an okta source needs its Org URL"},
		{"required of the mode missing", map[string]string{"org_url": "https://a.example", "auth": "private_key"}, nil, "needs its Client ID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oktaLike.Check("okta", tc.values)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, workspace.ErrInvalid) {
					t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("checked values (-want +got):\n%s", d)
			}
		})
	}
}

func TestNewRegistryRefusesAMalformedList(t *testing.T) {
	with := func(edit func(*Spec)) Spec {
		s := oktaLike
		s.Fields = append([]Field(nil), oktaLike.Fields...)
		edit(&s)
		return s
	}
	cases := []struct {
		name    string
		vendors []Vendor
		want    string
	}{
		{"duplicate kind", []Vendor{fake{"okta", oktaLike}, fake{"okta", oktaLike}}, "registered twice"},
		{"kind shadowing a source key", []Vendor{fake{"status", oktaLike}}, "not a key of a source"},
		{"kind with capitals", []Vendor{fake{"Okta", oktaLike}}, "lowercase"},
		{"no credential", []Vendor{fake{"okta", with(func(s *Spec) { s.Fields = s.Fields[:4] })}}, "exactly one secret field"},
		{"two credentials", []Vendor{fake{"okta", with(func(s *Spec) {
			s.Fields = append(s.Fields, Field{Name: "key", Label: "Key", Help: "k", Kind: FieldSecret})
		})}}, "exactly one secret"},
		{"default outside the choices", []Vendor{fake{"okta", with(func(s *Spec) { s.Fields[1].Default = "password" })}}, "not one of its choices"},
		{"unknown auth mode", []Vendor{fake{"okta", with(func(s *Spec) { s.Fields[2].AuthModes = []string{"saml"} })}}, `auth mode "saml"`},
		{"auth field not a choice", []Vendor{fake{"okta", with(func(s *Spec) { s.AuthField = "org_url" })}}, "not a choice field"},
		{"field called name", []Vendor{fake{"okta", with(func(s *Spec) { s.Fields[0].Name = "name" })}}, `not "name"`},
		{"no help", []Vendor{fake{"okta", with(func(s *Spec) { s.Fields[0].Help = "" })}}, "help line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			NewRegistry(tc.vendors...)
		})
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry(fake{"okta", oktaLike}, fake{"entra", oktaLike})
	if d := cmp.Diff([]string{"okta", "entra"}, r.Kinds()); d != "" {
		t.Errorf("kinds in registration order (-want +got):\n%s", d)
	}
	if _, err := r.Lookup("ping"); err == nil || !errors.Is(err, workspace.ErrInvalid) || !strings.Contains(err.Error(), "must be okta or entra") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := r.Incumbent("ping"); err == nil || !strings.Contains(err.Error(), "okta, entra") {
		t.Errorf("unknown incumbent: %v", err)
	}
	if r.Label("entra") != "ENTRA" || r.Label("ping") != "ping" {
		t.Errorf("labels %q, %q", r.Label("entra"), r.Label("ping"))
	}
	// CheckSource runs the spec's checks before the vendor's.
	if _, err := r.CheckSource("okta", map[string]string{}, secret.New("fake-token")); err == nil || !strings.Contains(err.Error(), "needs its Org URL") {
		t.Errorf("spec checks skipped: %v", err)
	}
	got, err := r.CheckSource("okta", map[string]string{"org_url": "https://a.example "}, secret.New("fake-token"))
	if err != nil || string(got) != `{"auth":"api_token","org_url":"https://a.example"}` {
		t.Errorf("checked settings %s, %v", got, err)
	}
}

func TestScrubCredential(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQDfaketestonly0\n-----END PRIVATE KEY-----"
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlLXRlc3Qtb25seSJ9.c2lnbmF0dXJlLWZha2UtdGVzdC1vbmx5"
	cases := []struct {
		name, cred, text, want string
	}{
		{"whole", "fake-token-123", "401 for SSWS fake-token-123", "401 for SSWS [REDACTED]"},
		{"a PEM line", pem, "bad key near BKcwggSjAgEAAoIBAQDfaketestonly0 (line 3)", "bad key near [REDACTED] (line 3)"},
		{"a JWT segment", jwt, "signature c2lnbmF0dXJlLWZha2UtdGVzdC1vbmx5 rejected", "signature [REDACTED] rejected"},
		{"armour and short parts kept", pem, "-----BEGIN PRIVATE KEY----- is not a certificate", "-----BEGIN PRIVATE KEY----- is not a certificate"},
		{"nothing to scrub", "fake-token-123", "connection refused", "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ScrubCredential(tc.text, secret.New(tc.cred)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
