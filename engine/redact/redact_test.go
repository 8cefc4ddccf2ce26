package redact_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/redact"
)

// digest stands in for the workspace key's MAC: deterministic, and never
// the value itself.
func digest(v []byte) string {
	sum := sha256.Sum256(append([]byte("test-only-key:"), v...))
	return hex.EncodeToString(sum[:])
}

func marker(field, value string) string {
	return redact.Marker{Field: field, Digest: digest([]byte(value))}.String()
}

var testFields = []redact.Field{
	{Resource: "identity provider", Endpoints: []string{"/api/v1/idps", "/api/v1/idps/*"},
		Path: "protocol.credentials.client.client_secret", Keep: true},
	{Resource: "event hook", Endpoints: []string{"/api/v1/eventHooks"}, Path: "channel.config.headers[].value"},
	{Resource: "application", Endpoints: []string{"/v1.0/applications"}, Path: "keyCredentials[].key",
		Encoding: redact.Base64, Public: redact.PublicCertificate},
}

func newRedactor(t *testing.T) *redact.Redactor {
	t.Helper()
	r, err := redact.New(testFields, digest)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCatalogueFieldsAreReplacedAndTheRestKeptByteForByte(t *testing.T) {
	r := newRedactor(t)
	body := `[ {"id":"0oa1","name":"Corp OIDC",
	  "protocol" : {"credentials":{"client":{"client_id":"cid-1", "client_secret" :  "fake-secret-one"}}}},
	 {"id":"0oa2","protocol":{"credentials":{"client":{"client_secret":"fake-secret-two","client_id":"cid-2"}}}}]`
	res, err := r.Redact("/api/v1/idps", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(body, `"fake-secret-one"`, `"`+marker("client_secret", "fake-secret-one")+`"`, 1),
		`"fake-secret-two"`, `"`+marker("client_secret", "fake-secret-two")+`"`, 1)
	if string(res.Body) != want {
		t.Fatalf("redacted body:\n%s\nwant:\n%s", res.Body, want)
	}
	if len(res.Redactions) != 2 {
		t.Fatalf("redactions = %+v", res.Redactions)
	}
	first := res.Redactions[0]
	if first.Pointer != "/0/protocol/credentials/client/client_secret" || first.Rule != redact.RuleCatalogue ||
		!first.Keep || first.ResourceID != "0oa1" || first.Value().Reveal() != "fake-secret-one" {
		t.Errorf("first redaction = %+v (value %q)", first, first.Value().Reveal())
	}
	if res.Redactions[1].ResourceID != "0oa2" {
		t.Errorf("second resource id = %q, want 0oa2 (its id comes before the secret)", res.Redactions[1].ResourceID)
	}
	b, _ := json.Marshal(res.Redactions)
	if strings.Contains(string(b), "fake-secret") {
		t.Errorf("the redaction record encodes a plain value: %s", b)
	}
	// The SDK must still parse it, with the marker where the secret was.
	var parsed []struct {
		Protocol struct {
			Credentials struct {
				Client struct {
					Secret string `json:"client_secret"`
				} `json:"client"`
			} `json:"credentials"`
		} `json:"protocol"`
	}
	if err := json.Unmarshal(res.Body, &parsed); err != nil {
		t.Fatal(err)
	}
	if m, ok := redact.ParseMarker(parsed[0].Protocol.Credentials.Client.Secret); !ok || m.Field != "client_secret" {
		t.Errorf("parsed secret %q is not a client_secret marker", parsed[0].Protocol.Credentials.Client.Secret)
	}
}

func TestRedactingTwiceChangesNothing(t *testing.T) {
	r := newRedactor(t)
	body := `{"value":[{"id":"x","protocol":{"credentials":{"client":{"client_secret":"fake-1"}}},"apiToken":"fake-2"}]}`
	once, err := r.Redact("", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	twice, err := r.Redact("", once.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(twice.Body) != string(once.Body) || twice.Redacted() {
		t.Fatalf("second pass changed %s into %s", once.Body, twice.Body)
	}
}

func TestEndpointScopesCatalogueFields(t *testing.T) {
	r := newRedactor(t)
	body := `[{"channel":{"config":{"headers":[{"key":"X-Api","value":"fake-header-secret"}]}}}]`
	res, _ := r.Redact("/api/v1/apps", []byte(body))
	if res.Redacted() {
		t.Errorf("a field scoped to event hooks was redacted in an apps page: %s", res.Body)
	}
	res, _ = r.Redact("/api/v1/eventHooks", []byte(body))
	if strings.Contains(string(res.Body), "fake-header-secret") || !strings.Contains(string(res.Body), `"key":"X-Api"`) {
		t.Errorf("event hook header: %s", res.Body)
	}
}

func TestUnlistedSecretLookingFieldsAreRedactedByName(t *testing.T) {
	r := newRedactor(t)
	cases := map[string]bool{
		"clientSecret": true, "secretText": true, "apiToken": true, "access_token": true, "adminPassword": true,
		"passphrase": true, "privateKey": true, "api_key": true, "secretKey": true, "accessKey": true,
		"clientsecret": true, "APIKey": true, "pwd": true, "secrets": true, "sharedSecret": true,
		// Not secrets: settings and references that only mention one.
		"token_endpoint_auth_method": false, "tokenUrl": false, "passwordField": false, "passwordSelector": false,
		"passwordChanged": false, "keyId": false, "key": false, "preferredTokenSigningKeyThumbprint": false,
		"tokenEncryptionKeyId": false, "name": false, "keyTransportAlgorithm": false, "authType": false,
	}
	for name, secret := range cases {
		body := `{"settings":{"app":{"` + name + `":"fake-value-123"}}}`
		res, err := r.Redact("/api/v1/apps", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := !strings.Contains(string(res.Body), "fake-value-123"); got != secret {
			t.Errorf("%s: redacted=%v, want %v (%s)", name, got, secret, res.Body)
		}
		if secret && res.Redactions[0].Rule != redact.RuleName {
			t.Errorf("%s: rule %q", name, res.Redactions[0].Rule)
		}
	}
	// Numbers under secret-looking names are counts and lifetimes: kept,
	// so the SDK still reads them as numbers.
	res, _ := r.Redact("/x", []byte(`{"secretCount":2,"passwordExpireWarnDays":7}`))
	if res.Redacted() {
		t.Errorf("numbers redacted by name: %s", res.Body)
	}
	// A generic leaf takes its parent's name: Okta's credentials.password.value.
	res, _ = r.Redact("/api/v1/apps", []byte(`{"credentials":{"password":{"value":"fake-pw"},"userName":{"value":"alice"}}}`))
	if strings.Contains(string(res.Body), "fake-pw") || !strings.Contains(string(res.Body), "alice") {
		t.Errorf("password.value: %s", res.Body)
	}
	// Secret-named containers: every scalar inside goes.
	res, _ = r.Redact("/x", []byte(`{"clientSecrets":["fake-a","fake-b"],"ok":"kept"}`))
	if strings.Contains(string(res.Body), "fake-") || !strings.Contains(string(res.Body), "kept") {
		t.Errorf("secret array: %s", res.Body)
	}
}

func TestEscapedMemberNamesAreMatchedAsTheSDKReadsThem(t *testing.T) {
	r := newRedactor(t)
	body := `[{"protocol":{"credentials":{"client":{"client\u005fsecret":"fake-escaped","CLIENT_SECRET":"fake-upper"}}}}]`
	res, err := r.Redact("/api/v1/idps", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.Body), "fake-escaped") || strings.Contains(string(res.Body), "fake-upper") {
		t.Errorf("escaped or upper-case member survived: %s", res.Body)
	}
}

func TestMaskedEmptyAndNonStringValuesStay(t *testing.T) {
	r := newRedactor(t)
	body := `[{"protocol":{"credentials":{"client":{"client_secret":"****"}}}},{"protocol":{"credentials":{"client":{"client_secret":""}}}},` +
		`{"protocol":{"credentials":{"client":{"client_secret":null}}}},{"hasPassword":true}]`
	res, _ := r.Redact("/api/v1/idps", []byte(body))
	if string(res.Body) != body || res.Redacted() {
		t.Errorf("changed: %s", res.Body)
	}
}

func TestPEMPrivateKeysAndJWKPrivateMembersAreRedactedWhateverTheName(t *testing.T) {
	r := newRedactor(t)
	pem := "-----BEGIN PRIVATE KEY-----\nMIIfakeTESTonly\n-----END PRIVATE KEY-----\n"
	body, _ := json.Marshal(map[string]any{
		"note": pem,
		"keys": []any{
			map[string]any{"kty": "RSA", "kid": "k1", "n": "public-modulus", "e": "AQAB", "d": "fake-d", "p": "fake-p",
				"oth": []any{map[string]any{"r": "fake-r", "d": "fake-od", "t": "fake-t"}}},
			map[string]any{"kty": "oct", "k": "fake-symmetric"},
			map[string]any{"d": "not-a-jwk-field", "p": "page"},
		},
	})
	res, err := r.Redact("/api/v1/apps/0oa1/credentials/jwks", body)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Body)
	for _, gone := range []string{"MIIfakeTESTonly", "fake-d", "fake-p", "fake-r", "fake-od", "fake-t", "fake-symmetric"} {
		if strings.Contains(out, gone) {
			t.Errorf("%s survived: %s", gone, out)
		}
	}
	for _, kept := range []string{"public-modulus", "AQAB", "not-a-jwk-field", `"kid":"k1"`} {
		if !strings.Contains(out, kept) {
			t.Errorf("%s was lost: %s", kept, out)
		}
	}
}

func TestBase64FieldsGetABase64MarkerAndPublicCertificatesStay(t *testing.T) {
	r := newRedactor(t)
	cert := testCertificate(t)
	symmetric := base64.StdEncoding.EncodeToString([]byte("fake-symmetric-key-material"))
	body := `{"value":[{"id":"app1","keyCredentials":[{"type":"AsymmetricX509Cert","key":"` + cert + `"},{"type":"Symmetric","key":"` + symmetric + `"}]}]}`
	res, err := r.Redact("/v1.0/applications", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Body), cert) {
		t.Error("a public certificate was redacted")
	}
	if strings.Contains(string(res.Body), symmetric) {
		t.Fatal("a symmetric key survived")
	}
	var page struct {
		Value []struct {
			KeyCredentials []struct {
				Key string `json:"key"`
			} `json:"keyCredentials"`
		} `json:"value"`
	}
	if err := json.Unmarshal(res.Body, &page); err != nil {
		t.Fatal(err)
	}
	enc := page.Value[0].KeyCredentials[1].Key
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("the marker of a binary field is not base64 (an SDK would reject the page): %v", err)
	}
	if !strings.HasPrefix(string(raw), redact.MarkerPrefix) {
		t.Errorf("decoded marker = %q", raw)
	}
	if m, ok := redact.ParseMarker(enc); !ok || m.Field != "key" {
		t.Errorf("ParseMarker(base64 form) = %+v, %v", m, ok)
	}
}

func TestNonJSONBodies(t *testing.T) {
	r := newRedactor(t)
	if _, err := r.Redact("/api/v1/idps", []byte(`<html>client_secret=fake</html>`)); !errors.Is(err, redact.ErrUnparseable) {
		t.Errorf("an unparseable body from a secret-bearing endpoint: err = %v, want ErrUnparseable", err)
	}
	if _, err := r.Redact("/api/v1/idps", []byte(`[{"id":"x"}] trailing`)); !errors.Is(err, redact.ErrUnparseable) {
		t.Errorf("JSON followed by junk: err = %v, want ErrUnparseable", err)
	}
	xml := "<EntityDescriptor>-----BEGIN RSA PRIVATE KEY-----\nMIIfakeTESTonly\n-----END RSA PRIVATE KEY-----</EntityDescriptor>"
	res, err := r.Redact("/api/v1/idps/0oa1/metadata.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.Body), "MIIfake") || !strings.HasPrefix(string(res.Body), "<EntityDescriptor>[REDACTED pem ") ||
		!strings.HasSuffix(string(res.Body), "]</EntityDescriptor>") {
		t.Errorf("text body: %s", res.Body)
	}
	plain := []byte("<EntityDescriptor entityID=\"x\"/>")
	if res, _ := r.Redact("/api/v1/idps/0oa1/metadata.xml", plain); string(res.Body) != string(plain) {
		t.Errorf("metadata without secrets changed: %s", res.Body)
	}
}

func TestCatalogueValidation(t *testing.T) {
	for _, f := range []redact.Field{
		{Resource: "x", Path: "a.b"},
		{Resource: "x", Endpoints: []string{"/a"}, Path: ""},
		{Resource: "x", Endpoints: []string{"/a"}, Path: "a..b"},
		{Resource: "x", Endpoints: []string{"[/a"}, Path: "a"},
	} {
		if _, err := redact.New([]redact.Field{f}, digest); err == nil {
			t.Errorf("%+v: accepted", f)
		}
	}
}

func TestScrubReplacesCopiesOfRedactedValues(t *testing.T) {
	r := newRedactor(t)
	res, _ := r.Redact("", []byte(`{"settings":{"app":{"apiToken":"fake-tok-123"}}}`))
	got := res.Scrub(`{"settings_app":{"apiToken":"fake-tok-123"},"note":"uses fake-tok-123"}`)
	if strings.Contains(got, "fake-tok-123") || !strings.Contains(got, marker("apiToken", "fake-tok-123")) {
		t.Errorf("scrubbed: %s", got)
	}
}

func testCertificate(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-only"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// A secret the migration keeps is handed on exactly as the vendor sent it,
// surrounding spaces included, and its digest is of that exact value.
func TestKeptValuesKeepTheirSpaces(t *testing.T) {
	r := newRedactor(t)
	const spaced = "  fake-spaced-secret-test-only "
	res, err := r.Redact("/api/v1/idps", []byte(`[{"id":"0oa1","protocol":{"credentials":{"client":{"client_secret":"`+spaced+`"}}}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Redactions) != 1 || !res.Redactions[0].Keep {
		t.Fatalf("redactions = %+v", res.Redactions)
	}
	red := res.Redactions[0]
	if got := red.Value().Reveal(); got != spaced {
		t.Errorf("kept value %q, want %q", got, spaced)
	}
	if red.Digest != digest([]byte(spaced)) {
		t.Error("the digest is not of the exact value")
	}
}
