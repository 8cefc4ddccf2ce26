package redact_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/redact"
)

// appsPage is a 200-app Okta listing page (the collector's page size), each
// app an OIDC client whose secret must go.
func appsPage() []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := range 200 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"0oa%017d","name":"oidc_client","label":"App %d","status":"ACTIVE","signOnMode":"OPENID_CONNECT",`+
			`"credentials":{"userNameTemplate":{"template":"${source.login}","type":"BUILT_IN"},"signing":{"kid":"k%d"},`+
			`"oauthClient":{"autoKeyRotation":true,"client_id":"0oaclient%d","client_secret":"fake-secret-%032d","token_endpoint_auth_method":"client_secret_basic"}},`+
			`"settings":{"app":{},"notifications":{"vpn":{"network":{"connection":"DISABLED"},"message":null,"helpUrl":null}},`+
			`"oauthClient":{"client_uri":null,"logo_uri":null,"redirect_uris":["https://app%d.example.test/callback"],`+
			`"response_types":["code"],"grant_types":["authorization_code","refresh_token"],"application_type":"web"}},`+
			`"_links":{"appLinks":[{"name":"oidc_client_link","href":"https://acme.okta.example/home/oidc_client/0oa%d/aln","type":"text/html"}]}}`,
			i, i, i, i, i, i, i)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// BenchmarkRedactAppsPage reports redaction's cost as a ratio to decoding
// the same page into generic JSON (what the SDK does with it anyway),
// measured in the same run.
func BenchmarkRedactAppsPage(b *testing.B) {
	body := appsPage()
	apps := redact.MustNew(append(testFields, redact.Field{Resource: "application", Endpoints: []string{"/api/v1/apps"},
		Path: "credentials.oauthClient.client_secret"}), digest)
	var decode, redactTime time.Duration
	for b.Loop() {
		start := time.Now()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
		decode += time.Since(start)
		start = time.Now()
		res, err := apps.Redact("/api/v1/apps", body)
		if err != nil || len(res.Redactions) != 200 {
			b.Fatalf("%d redactions, %v", len(res.Redactions), err)
		}
		redactTime += time.Since(start)
	}
	b.ReportMetric(float64(redactTime)/float64(decode), "redact/decode")
	b.ReportMetric(float64(len(body))/redactTime.Seconds()*float64(b.N)/1e6, "MB/s")
}
