package workspace

import (
	"errors"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/secret"
)

func TestValidateSource(t *testing.T) {
	cred := secret.New("fake-token-for-tests")
	okta := func(url string) NewSource {
		return NewSource{Name: "acme-okta", Kind: KindOkta, Okta: &OktaSettings{OrgURL: url}, Credential: cred}
	}
	entra := func(mut func(*EntraSettings)) NewSource {
		e := EntraSettings{TenantID: "8f1c2d3e-0000-4000-8000-000000000001", ClientID: "8f1c2d3e-0000-4000-8000-000000000002", Auth: EntraClientSecret}
		mut(&e)
		return NewSource{Name: "acme-entra", Kind: KindEntra, Entra: &e, Credential: cred}
	}
	cases := []struct {
		name    string
		req     NewSource
		wantErr string
	}{
		{"okta https", okta("https://acme.okta.com/"), ""},
		{"okta loopback http", okta("http://127.0.0.1:8080"), ""},
		{"okta remote http", okta("http://acme.okta.com"), "plain http"},
		{"okta with path", okta("https://acme.okta.com/api/v1"), "without a path"},
		{"okta url credentials", okta("https://user:pw@acme.okta.com"), "credentials in the URL"},
		{"no credential", NewSource{Name: "x", Kind: KindOkta, Okta: &OktaSettings{OrgURL: "https://a.okta.com"}}, "needs a credential"},
		{"bad name", NewSource{Name: "a/b", Kind: KindOkta, Okta: &OktaSettings{OrgURL: "https://a.okta.com"}, Credential: cred}, "may not contain"},
		{"padded name", NewSource{Name: " a", Kind: KindOkta, Okta: &OktaSettings{OrgURL: "https://a.okta.com"}, Credential: cred}, "leading or trailing"},
		{"private key without client id", NewSource{Name: "k", Kind: KindOkta, Okta: &OktaSettings{OrgURL: "https://a.okta.com", Auth: OktaPrivateKey}, Credential: cred}, "client id"},
		{"entra client secret", entra(func(*EntraSettings) {}), ""},
		{"entra domain tenant", entra(func(e *EntraSettings) { e.TenantID = "contoso.onmicrosoft.com" }), ""},
		{"entra bad tenant", entra(func(e *EntraSettings) { e.TenantID = "not a tenant" }), "GUID or a verified domain"},
		{"entra bad client", entra(func(e *EntraSettings) { e.ClientID = "abc" }), "GUID"},
		{"entra token without client", entra(func(e *EntraSettings) { e.Auth, e.ClientID = EntraAccessToken, "" }), ""},
		{"entra bad cloud", entra(func(e *EntraSettings) { e.Cloud = "mars" }), "global, usgov or china"},
		{"entra remote http graph", entra(func(e *EntraSettings) { e.GraphURL = "http://graph.example.com" }), "plain http"},
		{"entra loopback graph", entra(func(e *EntraSettings) { e.GraphURL = "http://localhost:9000/" }), ""},
		{"kind mismatch", NewSource{Name: "m", Kind: KindEntra, Okta: &OktaSettings{OrgURL: "https://a.okta.com"}, Credential: cred}, "entra settings only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := validateSource(tc.req)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if src.Kind == KindEntra && src.Entra.Cloud != CloudGlobal {
					t.Fatalf("cloud defaulted to %q", src.Entra.Cloud)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), cred.Reveal()) {
				t.Fatal("the credential leaked into the error")
			}
		})
	}
}
