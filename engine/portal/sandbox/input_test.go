package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

func samlProvider(name, cert string) []byte {
	b, _ := json.Marshal(api.UpstreamProviderInput{Name: name, Type: api.Saml, Saml: &api.SamlSettings{
		EntityId: "http://www.okta.com/exk1test", SsoUrl: "https://example-corp.okta.com/sso/saml", SigningCertificate: cert}})
	return b
}

// TestSandboxBadInput: every kind of bad request gets a 4xx problem
// document with a stable code, and nothing is created.
func TestSandboxBadInput(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	cases := []struct {
		name   string
		path   string
		body   []byte
		hdr    []string
		status int
		code   api.ProblemCode
	}{
		{"malformed JSON", "/api/v1/groups", []byte(`{"name": "Finance`), nil, 400, api.ProblemCodeValidationFailed},
		{"trailing garbage", "/api/v1/groups", []byte(`{"name":"Finance"} {}`), nil, 400, api.ProblemCodeValidationFailed},
		{"JSON null", "/api/v1/groups", []byte(`null`), nil, 400, api.ProblemCodeValidationFailed},
		{"empty body", "/api/v1/groups", []byte{}, nil, 400, api.ProblemCodeValidationFailed},
		{"over 1 MiB", "/api/v1/groups", append(append([]byte(`{"name":"x","description":"`), bytes.Repeat([]byte("a"), sandbox.MaxBodyBytes)...), `"}`...), nil, 413, api.ProblemCodePayloadTooLarge},
		{"unknown field", "/api/v1/groups", []byte(`{"name":"Finance","owner":"me"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"wrong type", "/api/v1/groups", []byte(`{"name":42}`), nil, 400, api.ProblemCodeValidationFailed},
		{"missing field", "/api/v1/groups", []byte(`{"description":"no name"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"NUL in name", "/api/v1/groups", []byte(`{"name":"Fin\u0000ance"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"bidi override in name", "/api/v1/groups", []byte(`{"name":"Finance\u202egnp.exe"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"bidi isolate in description", "/api/v1/groups", []byte(`{"name":"Finance","description":"a\u2067b"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"newline in name", "/api/v1/groups", []byte(`{"name":"Fin\nance"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"blank name", "/api/v1/groups", []byte(`{"name":"   "}`), nil, 400, api.ProblemCodeValidationFailed},
		{"invalid UTF-8", "/api/v1/groups", []byte("{\"name\":\"Fin\xff\xfeance\"}"), nil, 400, api.ProblemCodeValidationFailed},
		{"noncharacter", "/api/v1/groups", []byte(`{"name":"Fin\uffffance"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"text/plain body", "/api/v1/groups", []byte(`{"name":"Finance"}`), []string{"Content-Type", "text/plain"}, 415, api.ProblemCodeUnsupportedMediaType},
		{"no idempotency key", "/api/v1/groups", []byte(`{"name":"Finance"}`), []string{"Idempotency-Key", ""}, 400, api.ProblemCodeValidationFailed},
		{"not PEM", "/api/v1/upstream-providers", samlProvider("P1", "MIIB not a pem"), nil, 400, api.ProblemCodeValidationFailed},
		{"garbage certificate", "/api/v1/upstream-providers", samlProvider("P2", "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"), nil, 400, api.ProblemCodeValidationFailed},
		{"private key instead", "/api/v1/upstream-providers", samlProvider("P3", "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n"), nil, 400, api.ProblemCodeValidationFailed}, // fake key: the body is base64 "garbage"
		{"two certificates", "/api/v1/upstream-providers", samlProvider("P4", sandbox.DemoSAMLCertificate+sandbox.DemoSAMLCertificate), nil, 400, api.ProblemCodeValidationFailed},
		{"saml without settings", "/api/v1/upstream-providers", []byte(`{"name":"P5","type":"saml"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"unknown provider type", "/api/v1/upstream-providers", []byte(`{"name":"P6","type":"ldap"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"plain http SSO URL", "/api/v1/upstream-providers", []byte(`{"name":"P7","type":"oidc","oidc":{"issuer":"http://idp.example.com","client_id":"c"}}`), nil, 400, api.ProblemCodeValidationFailed},
		{"unknown field in settings", "/api/v1/upstream-providers", []byte(`{"name":"P8","type":"oidc","oidc":{"issuer":"https://idp.example.com","client_id":"c","client_secret":"x"}}`), nil, 400, api.ProblemCodeValidationFailed},
		{"bad domain", "/api/v1/routing-rules", []byte(`{"name":"R","domains":["not a domain"],"provider_id":"up_x","priority":1}`), nil, 400, api.ProblemCodeValidationFailed},
		{"bad email", "/api/v1/users", []byte(`{"email":"Maria <maria@example.com>","username":"maria","auth_mode":"LOCAL_ONLY","account_state":"active"}`), nil, 400, api.ProblemCodeValidationFailed},
		{"break-glass SSO_REQUIRED", "/api/v1/users", []byte(`{"email":"bg@example-corp.com","username":"bg","auth_mode":"SSO_REQUIRED","account_state":"active","break_glass":true}`), nil, 400, api.ProblemCodeValidationFailed},
		{"read-only sso_link", "/api/v1/users", []byte(`{"email":"u@example-corp.com","username":"u","auth_mode":"LOCAL_ONLY","account_state":"active","sso_link":{"issuer":"i","subject":"s"}}`), nil, 400, api.ProblemCodeValidationFailed},
		{"public client credentials", "/api/v1/applications", []byte(`{"name":"A","client_type":"public","grant_types":["client_credentials"],"redirect_uris":[]}`), nil, 400, api.ProblemCodeValidationFailed},
		{"redirect with fragment", "/api/v1/applications", []byte(`{"name":"A","client_type":"confidential","grant_types":["authorization_code"],"redirect_uris":["https://a.example.com/cb#x"]}`), nil, 400, api.ProblemCodeValidationFailed},
		{"auth code without redirect", "/api/v1/applications", []byte(`{"name":"A","client_type":"confidential","grant_types":["authorization_code"],"redirect_uris":[]}`), nil, 400, api.ProblemCodeValidationFailed},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := append([]string{"Idempotency-Key", fmt.Sprint("bad-", i)}, c.hdr...)
			a := h.doBad(tok, "POST", c.path, c.body, hdr...)
			if a.status != c.status {
				t.Fatalf("status = %d, want %d: %s", a.status, c.status, a.body)
			}
			if p := a.problem(t); p.Code != c.code {
				t.Errorf("code = %s, want %s", p.Code, c.code)
			}
		})
	}
	if n := countGroups(t, h, tok); n != 0 {
		t.Errorf("bad input created %d groups", n)
	}
}

func TestSandboxSwitchRateLimited(t *testing.T) {
	h := newSbx(t, sandbox.Options{RateLimitedRate: 1, RetryAfter: 3 * time.Second})
	a := h.do(h.admin(), "GET", "/api/v1/groups", nil)
	if a.status != 429 || a.header.Get("Retry-After") != "3" || a.problem(t).Code != api.ProblemCodeRateLimited {
		t.Errorf("= %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
}

func TestSandboxSwitchUnavailable(t *testing.T) {
	h := newSbx(t, sandbox.Options{UnavailableRate: 1, RetryAfter: 2 * time.Second})
	a := h.do(h.admin(), "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: "G"}), "Idempotency-Key", "k")
	if a.status != 503 || a.header.Get("Retry-After") != "2" || a.problem(t).Code != api.ProblemCodeUnavailable {
		t.Errorf("= %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
}

// TestSandboxSwitchCommitThenFail: the create is committed although the
// answer is a 503 or a dropped connection, and a retry with the same key
// gets the stored answer instead of a second object.
func TestSandboxSwitchCommitThenFail(t *testing.T) {
	for _, mode := range []sandbox.FailMode{sandbox.Fail503, sandbox.FailDrop} {
		t.Run(fmt.Sprint("mode ", mode), func(t *testing.T) {
			h := newSbx(t, sandbox.Options{CommitThenFailRate: 1, CommitThenFailMode: mode})
			tok := h.admin()
			body := mustJSON(t, api.GroupInput{Name: "Finance Team"})
			a, err := h.send(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", "ctf")
			switch mode {
			case sandbox.Fail503:
				if err != nil || a.status != 503 || a.header.Get("Retry-After") == "" {
					t.Fatalf("commit-then-503 = %d %v %s", a.status, err, a.body)
				}
			case sandbox.FailDrop:
				if err == nil {
					t.Fatalf("commit-then-drop answered %d %s", a.status, a.body)
				}
			}
			retry := h.do(tok, "POST", "/api/v1/groups", body, "Idempotency-Key", "ctf")
			if retry.status != 201 || retry.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("retry = %d %v %s", retry.status, retry.header, retry.body)
			}
			if n := countGroups(t, h, tok); n != 1 {
				t.Errorf("%d groups after commit-then-fail and retry, want 1", n)
			}
		})
	}
}

// TestSandboxSwitchLatency: with an hour of latency a request whose
// deadline is far shorter never gets an answer. (No timing is measured.)
func TestSandboxSwitchLatency(t *testing.T) {
	h := newSbx(t, sandbox.Options{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", h.url+"/api/v1/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.admin())
	resp, err := h.http.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("answered %d despite an hour of latency", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
}

func TestSandboxProblemsNeverEchoSecrets(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	a := h.do("fake-secret-token-for-tests-never-echoed", "GET", "/api/v1/groups", nil)
	if a.status != 401 || strings.Contains(string(a.body), "never-echoed") {
		t.Errorf("401 = %s", a.body)
	}
}
