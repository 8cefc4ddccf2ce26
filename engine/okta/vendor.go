package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Kind is the Okta vendor's source kind.
const Kind workspace.SourceKind = "okta"

// Auth is how the console authenticates to an Okta org.
type Auth string

const (
	// AuthAPIToken is an SSWS API token.
	AuthAPIToken Auth = "api_token"
	// AuthPrivateKey is an OAuth 2.0 service app with a private key
	// (Okta's recommendation for least privilege); the credential is the
	// PEM key.
	AuthPrivateKey Auth = "private_key"
)

// Settings are the non-secret connection facts of an Okta source: the
// settings document the workspace file stores. The JSON names are the
// spec's field names.
type Settings struct {
	OrgURL   string   `json:"org_url"`
	Auth     Auth     `json:"auth"`
	ClientID string   `json:"client_id,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

// Field names of the spec (and keys of the settings document).
const (
	FieldOrgURL     = "org_url"
	FieldAuth       = "auth"
	FieldClientID   = "client_id"
	FieldScopes     = "scopes"
	FieldCredential = "credential"
)

var authChoices = []vendor.Choice{
	{Value: string(AuthAPIToken), Label: "API token"},
	{Value: string(AuthPrivateKey), Label: "OAuth service app (private key)"},
}

// spec is built once: NewRegistry checks it, and the CLI and GUI build
// their forms from it.
var spec = vendor.Spec{
	Summary:   "an Okta org: an API token, or a service app's PEM private key",
	AuthField: FieldAuth,
	Fields: []vendor.Field{
		{Name: FieldOrgURL, Label: "Org URL", Kind: vendor.FieldURL, Required: true,
			Help: "the Okta org's base URL, e.g. https://example.okta.com", Example: "https://example.okta.com"},
		{Name: FieldAuth, Label: "Authentication", Kind: vendor.FieldChoice, Choices: authChoices, Default: string(AuthAPIToken),
			Help: "api_token (default) or private_key (OAuth service app)"},
		{Name: FieldClientID, Label: "Client ID", Kind: vendor.FieldText, AuthModes: []string{string(AuthPrivateKey)},
			Help: "the service app's client id (needed with private_key)", Example: "Service app client ID"},
		{Name: FieldScopes, Label: "Scopes", Kind: vendor.FieldList, AuthModes: []string{string(AuthPrivateKey)},
			Help:    "OAuth scopes to ask for with private_key (default: the read-only scopes the inventory needs)",
			Example: strings.Join(Scopes[:2], " ") + " …"},
		{Name: FieldCredential, Label: "Credential", Kind: vendor.FieldSecret,
			Help: "an API token, or the service app's PEM private key", Example: "API token, or load a PEM key"},
	},
}

// Vendor is Okta as engine/vendor sees it.
type Vendor struct{}

var _ vendor.Vendor = Vendor{}

// Kind implements vendor.Vendor.
func (Vendor) Kind() workspace.SourceKind { return Kind }

// Label implements vendor.Vendor.
func (Vendor) Label() string { return "Okta" }

// Spec implements vendor.Vendor.
func (Vendor) Spec() vendor.Spec { return spec }

// Validate implements vendor.Vendor.
func (Vendor) Validate(values map[string]string, cred secret.Value) (json.RawMessage, error) {
	raw := values[FieldOrgURL]
	u, err := endpoint.Parse(raw)
	if err != nil {
		return nil, vendor.Invalid("okta org URL: %w", err)
	}
	if u.Path != "" {
		return nil, vendor.Invalid("okta org URL %q must be the org's base URL, without a path", raw)
	}
	s := Settings{OrgURL: u.String(), Auth: Auth(values[FieldAuth]), ClientID: values[FieldClientID], Scopes: vendor.Words(values[FieldScopes])}
	if s.Auth == AuthPrivateKey {
		if s.ClientID == "" {
			return nil, vendor.Invalid("an okta private_key source needs the service app's client id")
		}
		if !strings.Contains(cred.Reveal(), "PRIVATE KEY-----") {
			return nil, vendor.Invalid("an okta private_key source needs a PEM private key as its secret")
		}
	}
	return json.Marshal(s)
}

// decode reads a stored settings document.
func decode(raw json.RawMessage) (Settings, error) {
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return Settings{}, fmt.Errorf("read okta source settings: %w", err)
	}
	return s, nil
}

// Facts implements vendor.Vendor.
func (Vendor) Facts(raw json.RawMessage) map[string]string {
	s, err := decode(raw)
	if err != nil {
		return map[string]string{"settings_error": err.Error()}
	}
	f := map[string]string{"org_url": s.OrgURL, "auth": string(s.Auth)}
	if s.ClientID != "" {
		f["client_id"] = s.ClientID
	}
	return f
}

// Describe implements vendor.Vendor.
func (Vendor) Describe(raw json.RawMessage) vendor.Description {
	s, err := decode(raw)
	if err != nil {
		return vendor.Description{Summary: []string{err.Error()}}
	}
	auth, _ := spec.Field(FieldAuth)
	d := vendor.Description{Endpoint: s.OrgURL, Auth: string(s.Auth), Summary: []string{s.OrgURL, auth.ChoiceLabel(string(s.Auth))}}
	if s.ClientID != "" {
		d.Summary = append(d.Summary, "client "+s.ClientID)
	}
	if len(s.Scopes) > 0 {
		d.Summary = append(d.Summary, "scopes "+strings.Join(s.Scopes, " "))
	}
	return d
}

// Endpoints implements vendor.Vendor.
func (Vendor) Endpoints(raw json.RawMessage) ([]string, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return []string{s.OrgURL}, nil
}

// rateLimits reads Okta's budget of each endpoint group's window
// (developer.okta.com, "Rate limits": X-Rate-Limit-Limit, -Remaining and
// -Reset, the reset in epoch seconds).
var rateLimits = inventory.WindowHeaders("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")

// Pacing implements vendor.Vendor: one group per endpoint family, budgets
// from X-Rate-Limit-* headers.
func (Vendor) Pacing() inventory.PacingOptions {
	return inventory.PacingOptions{
		Group:  func(r *http.Request) string { return RateGroup(r.URL.Path) },
		Limits: rateLimits,
	}
}

// Open implements vendor.Vendor.
func (Vendor) Open(ctx context.Context, raw json.RawMessage, cred secret.Value, client *http.Client) (inventory.Collector, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return New(ctx, s, cred, client)
}

// Test implements vendor.Vendor.
func (Vendor) Test(ctx context.Context, raw json.RawMessage, cred secret.Value, client *http.Client) ([]inventory.DomainCheck, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	c, err := New(ctx, s, cred, client)
	if err != nil {
		return nil, err
	}
	return c.Test(ctx), nil
}

// Scrub implements vendor.Vendor. The SDK sends the token as "SSWS
// <token>" and signs client assertions with the key; either appears in
// text only as the credential itself or a line of it.
func (Vendor) Scrub(text string, cred secret.Value) string { return vendor.ScrubCredential(text, cred) }

// PayloadSecrets implements vendor.Vendor: the catalogue in secrets.go.
func (Vendor) PayloadSecrets() []redact.Field { return SecretFields }

// RebuildView implements vendor.Vendor.
func (Vendor) RebuildView(it inventory.LegacyItem) (inventory.Item, error) { return RebuildView(it) }
