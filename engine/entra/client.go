// Package entra is the Microsoft Entra ID vendor (engine/vendor): its
// source settings, and the inventory collector that reads a tenant through
// msgraph-sdk-go, read-only, and emits normalized inventory items with the
// bytes Graph sent for each. It is the only package that
// imports the Graph SDK (slow to compile), so keep other packages off it.
package entra

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/secret"
)

// Config is what a collector needs to reach one tenant.
type Config struct {
	Settings   Settings
	Credential secret.Value
	// HTTPClient carries every Graph request; its transport holds the
	// evidence and pacing round trippers. The Graph SDK's middleware runs
	// above it, without the SDK's retry handler: the pacer owns retries.
	HTTPClient *http.Client
	// AuthClient carries token requests to the authority, kept apart from
	// HTTPClient so a token response never becomes evidence. Nil uses a
	// client held to netguard's default bounds: an authority that stalls
	// fails the token request instead of hanging the collection.
	AuthClient *http.Client
	// AssignmentWorkers is how many service principals' appRoleAssignedTo
	// listings run at once (default 16); the pacer still sets the pace.
	AssignmentWorkers int
	// MemberWorkers is how many groups' member listings run at once
	// (default 16).
	MemberWorkers int
}

// RateGroup names the Graph throttling bucket of a request path.
func RateGroup(path string) string {
	if strings.Contains(path, "/identity/conditionalAccess/") {
		return "conditional_access"
	}
	return "directory"
}

// Endpoints are a cloud's Graph root and authority host.
type Endpoints struct {
	GraphURL     string
	AuthorityURL string
}

// CloudEndpoints returns the endpoints of a Microsoft national cloud.
func CloudEndpoints(c Cloud) (Endpoints, error) {
	switch c {
	case CloudGlobal, "":
		return Endpoints{"https://graph.microsoft.com", "https://login.microsoftonline.com"}, nil
	case CloudUSGov:
		return Endpoints{"https://graph.microsoft.us", "https://login.microsoftonline.us"}, nil
	case CloudChina:
		return Endpoints{"https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"}, nil
	}
	return Endpoints{}, fmt.Errorf("entra cloud %q must be global, usgov or china", c)
}

// resolveEndpoints applies explicit GraphURL/AuthorityURL over the cloud's,
// checked by engine/endpoint (plain http only on loopback).
func resolveEndpoints(s Settings) (Endpoints, bool, error) {
	e, err := CloudEndpoints(s.Cloud)
	if err != nil {
		return Endpoints{}, false, err
	}
	custom := false
	for _, o := range []struct {
		raw string
		dst *string
	}{{s.GraphURL, &e.GraphURL}, {s.AuthorityURL, &e.AuthorityURL}} {
		if o.raw == "" {
			continue
		}
		u, err := endpoint.Parse(o.raw)
		if err != nil {
			return Endpoints{}, false, fmt.Errorf("entra endpoint: %w", err)
		}
		*o.dst = u.String()
		custom = custom || o.dst == &e.AuthorityURL
	}
	return e, custom, nil
}

// credential builds the token source for the configured auth mode.
func credential(cfg Config, ep Endpoints, customAuthority bool) (azcore.TokenCredential, error) {
	s := cfg.Settings
	if cfg.Credential.IsEmpty() {
		return nil, errors.New("entra source has no credential")
	}
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: ep.AuthorityURL + "/"}}
	opts.Transport = cfg.AuthClient
	if cfg.AuthClient == nil {
		opts.Transport = &http.Client{Transport: netguard.NewTransport(nil, netguard.Bounds{})}
	}
	// Token requests do not pass the pacer, so azcore retries them: as
	// the pacer would, only what another attempt can cure, three tries in
	// all (azcore caps a Retry-After at a minute).
	opts.Retry = policy.RetryOptions{MaxRetries: 2, ShouldRetry: func(resp *http.Response, err error) bool {
		if err != nil {
			return netguard.Retryable(err)
		}
		return resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	}}
	switch s.Auth {
	case AuthClientSecret:
		c, err := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, cfg.Credential.Reveal(), &azidentity.ClientSecretCredentialOptions{
			ClientOptions: opts,
			// An explicit authority (a sovereign deployment or the replay
			// server) is not in Microsoft's instance-discovery list.
			DisableInstanceDiscovery: customAuthority,
		})
		if err != nil {
			return nil, fmt.Errorf("entra client secret credential: %w", err)
		}
		return c, nil
	case AuthAccessToken:
		return newStaticToken(cfg.Credential)
	case AuthCertificate:
		// The credential is one PEM holding the certificate and its
		// unencrypted private key.
		certs, key, err := azidentity.ParseCertificates([]byte(cfg.Credential.Reveal()), nil)
		if err != nil {
			return nil, errors.New("entra certificate credential: expected a PEM with the certificate and its unencrypted private key")
		}
		c, err := azidentity.NewClientCertificateCredential(s.TenantID, s.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions:            opts,
			DisableInstanceDiscovery: customAuthority,
		})
		if err != nil {
			return nil, fmt.Errorf("entra client certificate credential: %w", err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("entra auth %q must be client_secret, certificate or access_token", s.Auth)
}

// staticToken is a pasted short-lived access token. When it is a JWT its
// exp claim is read (not verified: Graph does that) so an expired paste
// fails before the first request with a clear message.
type staticToken struct {
	token   secret.Value
	expires time.Time
}

func newStaticToken(v secret.Value) (*staticToken, error) {
	t := &staticToken{token: v, expires: time.Now().Add(time.Hour)}
	parts := strings.Split(v.Reveal(), ".")
	if len(parts) == 3 {
		if payload, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			var claims struct {
				Exp int64 `json:"exp"`
			}
			if json.Unmarshal(payload, &claims) == nil && claims.Exp > 0 {
				t.expires = time.Unix(claims.Exp, 0)
			}
		}
	}
	return t, nil
}

func (t *staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if time.Now().After(t.expires) {
		return azcore.AccessToken{}, fmt.Errorf("the pasted access token expired at %s; paste a fresh one", t.expires.UTC().Format(time.RFC3339))
	}
	return azcore.AccessToken{Token: t.token.Reveal(), ExpiresOn: t.expires}, nil
}

// sdkErrorRegistry guards the Graph core's error registry, a singleton it
// creates lazily with an unsynchronized check (msgraph-sdk-go-core issue
// 359): each listing's page iterator reads it, so concurrent listings race
// on its creation unless it exists before they start.
var sdkErrorRegistry sync.Once

// newGraphClient wires the SDK onto cfg.HTTPClient: Graph's default
// middleware minus its retry handler (which gives up after three tries and
// would sleep on top of the pacer), over our transports.
func newGraphClient(cfg Config) (*msgraphsdk.GraphServiceClient, *msgraphsdk.GraphRequestAdapter, error) {
	sdkErrorRegistry.Do(func() { msgraphcore.GetErrorFactoryFromRegistry(msgraphcore.PageIteratorErrorRegistryKey) })
	if cfg.HTTPClient == nil {
		return nil, nil, errors.New("entra collector needs an http client")
	}
	ep, customAuthority, err := resolveEndpoints(cfg.Settings)
	if err != nil {
		return nil, nil, err
	}
	cred, err := credential(cfg, ep, customAuthority)
	if err != nil {
		return nil, nil, err
	}
	graphURL, err := endpoint.Parse(ep.GraphURL)
	if err != nil {
		return nil, nil, fmt.Errorf("entra graph endpoint: %w", err)
	}
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{ep.GraphURL + "/.default"}, []string{graphURL.Hostname()})
	if err != nil {
		return nil, nil, fmt.Errorf("entra auth provider: %w", err)
	}
	options := msgraphsdk.GetDefaultClientOptions()
	var middleware []khttp.Middleware
	for _, m := range msgraphcore.GetDefaultMiddlewaresWithOptions(&options) {
		if _, isRetry := m.(*khttp.RetryHandler); isRetry {
			continue
		}
		middleware = append(middleware, m)
	}
	base := cfg.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(rawCapture{base: base}, middleware...),
		// The SDK's redirect middleware follows redirects itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       cfg.HTTPClient.Timeout,
		Jar:           cfg.HTTPClient.Jar,
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		return nil, nil, fmt.Errorf("entra request adapter: %w", err)
	}
	adapter.SetBaseUrl(ep.GraphURL + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter), adapter, nil
}

// GraphError is an error answer from Graph, with its own code and message
// (e.g. Authorization_RequestDenied, "Insufficient privileges to complete
// the operation.").
type GraphError struct {
	Status  int
	Code    string
	Message string
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("graph answered %d %s: %s", e.Status, e.Code, e.Message)
}

// graphError turns the SDK's error into a GraphError when Graph answered,
// and leaves transport, auth and cancellation errors as they are, less
// net/http's quote of the whole request URL (the transports' errors name
// the endpoint).
func graphError(err error) error {
	var odata *odataerrors.ODataError
	if errors.As(err, &odata) {
		g := &GraphError{Status: odata.ResponseStatusCode}
		if main := odata.GetErrorEscaped(); main != nil {
			if c := main.GetCode(); c != nil {
				g.Code = *c
			}
			if m := main.GetMessage(); m != nil {
				g.Message = *m
			}
		}
		return g
	}
	var api *abstractions.ApiError
	if errors.As(err, &api) {
		return &GraphError{Status: api.ResponseStatusCode, Message: api.Message}
	}
	return netguard.Unquote(err)
}
