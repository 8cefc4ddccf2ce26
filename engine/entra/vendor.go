package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Kind is the Entra vendor's source kind.
const Kind workspace.SourceKind = "entra"

// Auth is how the console authenticates to Microsoft Graph.
type Auth string

const (
	AuthClientSecret Auth = "client_secret"
	AuthCertificate  Auth = "certificate"
	AuthAccessToken  Auth = "access_token"
)

// Cloud is a Microsoft national cloud.
type Cloud string

const (
	CloudGlobal Cloud = "global"
	CloudUSGov  Cloud = "usgov"
	CloudChina  Cloud = "china"
)

// Settings are the non-secret connection facts of an Entra source: the
// settings document the workspace file stores, its JSON names the spec's
// field names. GraphURL and AuthorityURL override the cloud's endpoints (a
// sovereign or test deployment); plain http is accepted only for loopback
// hosts.
type Settings struct {
	TenantID     string `json:"tenant_id"`
	ClientID     string `json:"client_id,omitempty"`
	Auth         Auth   `json:"auth"`
	Cloud        Cloud  `json:"cloud"`
	GraphURL     string `json:"graph_url,omitempty"`
	AuthorityURL string `json:"authority_url,omitempty"`
}

// Field names of the spec (and keys of the settings document).
const (
	FieldTenantID     = "tenant_id"
	FieldClientID     = "client_id"
	FieldAuth         = "auth"
	FieldCloud        = "cloud"
	FieldGraphURL     = "graph_url"
	FieldAuthorityURL = "authority_url"
	FieldCredential   = "credential"
)

var spec = vendor.Spec{
	Summary:   "a Microsoft Entra tenant read through Microsoft Graph",
	AuthField: FieldAuth,
	Fields: []vendor.Field{
		{Name: FieldTenantID, Label: "Tenant ID", Kind: vendor.FieldText, Required: true,
			Help: "the Entra tenant: its GUID or a verified domain", Example: "GUID or contoso.onmicrosoft.com"},
		{Name: FieldClientID, Label: "Client ID", Kind: vendor.FieldText,
			Help: "the app registration's application (client) id", Example: "Application (client) ID, a GUID"},
		{Name: FieldAuth, Label: "Authentication", Kind: vendor.FieldChoice, Required: true,
			Help: "client_secret, certificate (PEM) or access_token (short-lived, pasted)",
			Choices: []vendor.Choice{
				{Value: string(AuthClientSecret), Label: "Client secret"},
				{Value: string(AuthCertificate), Label: "Certificate"},
				{Value: string(AuthAccessToken), Label: "Access token"},
			}},
		{Name: FieldCloud, Label: "Cloud", Kind: vendor.FieldChoice, Default: string(CloudGlobal),
			Help: "global (default), usgov or china",
			Choices: []vendor.Choice{
				{Value: string(CloudGlobal), Label: "Global cloud"},
				{Value: string(CloudUSGov), Label: "US Government cloud"},
				{Value: string(CloudChina), Label: "China cloud (21Vianet)"},
			}},
		{Name: FieldGraphURL, Label: "Graph URL", Kind: vendor.FieldURL,
			Help: "override the cloud's Microsoft Graph base URL", Example: "Optional: overrides the cloud's Graph endpoint"},
		{Name: FieldAuthorityURL, Label: "Authority URL", Kind: vendor.FieldURL,
			Help: "override the cloud's sign-in authority URL", Example: "Optional: overrides the cloud's sign-in authority"},
		{Name: FieldCredential, Label: "Credential", Kind: vendor.FieldSecret,
			Help:    "a client secret, a PEM holding the certificate and its unencrypted private key, or a pasted access token",
			Example: "Secret or token, or load a certificate"},
	},
}

var (
	guidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
)

// Vendor is Microsoft Entra ID as engine/vendor sees it.
type Vendor struct{}

var _ vendor.Vendor = Vendor{}

// Kind implements vendor.Vendor.
func (Vendor) Kind() workspace.SourceKind { return Kind }

// Label implements vendor.Vendor.
func (Vendor) Label() string { return "Entra" }

// Spec implements vendor.Vendor.
func (Vendor) Spec() vendor.Spec { return spec }

// Validate implements vendor.Vendor.
func (Vendor) Validate(values map[string]string, _ secret.Value) (json.RawMessage, error) {
	s := Settings{
		TenantID: values[FieldTenantID], ClientID: values[FieldClientID], Auth: Auth(values[FieldAuth]),
		Cloud: Cloud(values[FieldCloud]), GraphURL: values[FieldGraphURL], AuthorityURL: values[FieldAuthorityURL],
	}
	if !guidPattern.MatchString(s.TenantID) && !domainPattern.MatchString(s.TenantID) {
		return nil, vendor.Invalid("entra tenant id %q must be a GUID or a verified domain such as contoso.onmicrosoft.com", s.TenantID)
	}
	switch s.Auth {
	case AuthClientSecret, AuthCertificate:
		if !guidPattern.MatchString(s.ClientID) {
			return nil, vendor.Invalid("entra client id %q must be the app registration's application (client) id, a GUID", s.ClientID)
		}
	case AuthAccessToken:
		if s.ClientID != "" && !guidPattern.MatchString(s.ClientID) {
			return nil, vendor.Invalid("entra client id %q must be a GUID", s.ClientID)
		}
	}
	for _, p := range []*string{&s.GraphURL, &s.AuthorityURL} {
		if *p == "" {
			continue
		}
		u, err := endpoint.Parse(*p)
		if err != nil {
			return nil, vendor.Invalid("entra endpoint: %w", err)
		}
		*p = u.String()
	}
	return json.Marshal(s)
}

// decode reads a stored settings document.
func decode(raw json.RawMessage) (Settings, error) {
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return Settings{}, fmt.Errorf("read entra source settings: %w", err)
	}
	return s, nil
}

// Facts implements vendor.Vendor.
func (Vendor) Facts(raw json.RawMessage) map[string]string {
	s, err := decode(raw)
	if err != nil {
		return map[string]string{"settings_error": err.Error()}
	}
	f := map[string]string{"tenant_id": s.TenantID, "auth": string(s.Auth), "cloud": string(s.Cloud)}
	if s.ClientID != "" {
		f["client_id"] = s.ClientID
	}
	if s.GraphURL != "" {
		f["graph_url"] = s.GraphURL
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
	cloud, _ := spec.Field(FieldCloud)
	d := vendor.Description{
		Endpoint: fmt.Sprintf("tenant %s, %s cloud", s.TenantID, s.Cloud),
		Auth:     string(s.Auth),
		Summary:  []string{"tenant " + s.TenantID},
	}
	if s.ClientID != "" {
		d.Summary = append(d.Summary, "client "+s.ClientID)
	}
	d.Summary = append(d.Summary, auth.ChoiceLabel(string(s.Auth)), cloud.ChoiceLabel(string(s.Cloud)))
	if s.GraphURL != "" {
		d.Summary = append(d.Summary, "Graph "+s.GraphURL)
	}
	if s.AuthorityURL != "" {
		d.Summary = append(d.Summary, "authority "+s.AuthorityURL)
	}
	return d
}

// Endpoints implements vendor.Vendor: Graph, and the sign-in authority
// when the console exchanges a secret or certificate for tokens there.
func (Vendor) Endpoints(raw json.RawMessage) ([]string, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	ep, _, err := resolveEndpoints(s)
	if err != nil {
		return nil, err
	}
	if s.Auth == AuthAccessToken {
		return []string{ep.GraphURL}, nil
	}
	return []string{ep.GraphURL, ep.AuthorityURL}, nil
}

// Pacing implements vendor.Vendor: Retry-After and Graph's throttle
// warnings. Graph budgets per app and tenant for each service, so
// conditional access (identity protection) is paced apart from the
// directory objects.
func (Vendor) Pacing() inventory.PacingOptions {
	return inventory.PacingOptions{
		Group:  func(r *http.Request) string { return RateGroup(r.URL.Path) },
		Limits: rateLimits,
	}
}

// rateLimits reads Microsoft Graph's throttling signals (Microsoft Graph
// throttling guidance and service-specific limits): Retry-After (seconds,
// possibly fractional, or an HTTP date) on a 429 or 503, and
// x-ms-throttle-limit-percentage, sent once the app has used more than 0.8
// of a limit (above 1.0 it is over it and should slow down before Graph
// starts refusing). Graph publishes no window budget.
func rateLimits(resp *http.Response, now time.Time) inventory.Limits {
	l := inventory.Limits{Remaining: -1}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if ra, ok := inventory.RetryAfter(resp.Header, now); ok {
			l.RetryAt = ra
		}
	}
	if v, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("x-ms-throttle-limit-percentage")), 64); err == nil && v > 0 {
		l.Slowdown = math.Min(1, 1/v)
	}
	return l
}

// Open implements vendor.Vendor. Token requests go to the authority on a
// client of their own, so a token never becomes evidence.
func (Vendor) Open(_ context.Context, raw json.RawMessage, cred secret.Value, client *http.Client) (inventory.Collector, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return New(Config{Settings: s, Credential: cred, HTTPClient: client})
}

// Test implements vendor.Vendor.
func (Vendor) Test(ctx context.Context, raw json.RawMessage, cred secret.Value, client *http.Client) ([]inventory.DomainCheck, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	c, err := New(Config{Settings: s, Credential: cred, HTTPClient: client})
	if err != nil {
		return nil, err
	}
	return c.Test(ctx), nil
}

// Scrub implements vendor.Vendor: a client secret whole, a certificate's
// PEM lines, a pasted JWT's segments.
func (Vendor) Scrub(text string, cred secret.Value) string { return vendor.ScrubCredential(text, cred) }

// PayloadSecrets implements vendor.Vendor: the catalogue in secrets.go.
func (Vendor) PayloadSecrets() []redact.Field { return SecretFields }

// RebuildView implements vendor.Vendor.
func (Vendor) RebuildView(it inventory.LegacyItem) (inventory.Item, error) { return RebuildView(it) }
