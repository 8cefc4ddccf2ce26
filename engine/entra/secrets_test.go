package entra

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/redact/redacttest"
)

func testDigest(v []byte) string {
	sum := sha256.Sum256(append([]byte("test-only-key:"), v...))
	return hex.EncodeToString(sum[:])
}

var testRedactor = redact.MustNew(SecretFields, testDigest)

func publicCertificate(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "test-only signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// An app registration carrying a client secret's text, a symmetric key and
// a certificate (Graph returns the first two only at creation, and "key"
// only on $select of one object; a tenant must not be trusted to keep to
// that) collects through the real SDK with the secrets redacted, the
// certificate kept and the credentials' metadata intact.
func TestGraphSecretsAreRedactedAndTheSDKStillParses(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vendorDir, "application", "get_application.json"))
	if err != nil {
		t.Fatal(err)
	}
	var app map[string]any
	if err := json.Unmarshal(b, &app); err != nil {
		t.Fatal(err)
	}
	const secretText = "fake~Q8Q~graph-secret-text-for-tests"
	symmetric := base64.StdEncoding.EncodeToString([]byte("fake-symmetric-key-for-tests"))
	cert := publicCertificate(t)
	app["passwordCredentials"] = []any{map[string]any{"customKeyIdentifier": nil, "displayName": "ci", "endDateTime": "2030-01-01T00:00:00Z",
		"hint": "fak", "keyId": "6f0ad5a1-0b1c-4a86-9f16-3f3e3f0d1a01", "secretText": secretText, "startDateTime": "2024-01-01T00:00:00Z"}}
	app["keyCredentials"] = []any{
		map[string]any{"customKeyIdentifier": nil, "displayName": "sym", "endDateTime": "2030-01-01T00:00:00Z", "key": symmetric,
			"keyId": "6f0ad5a1-0b1c-4a86-9f16-3f3e3f0d1a02", "startDateTime": "2024-01-01T00:00:00Z", "type": "Symmetric", "usage": "Sign"},
		map[string]any{"customKeyIdentifier": nil, "displayName": "cert", "endDateTime": "2030-01-01T00:00:00Z", "key": cert,
			"keyId": "6f0ad5a1-0b1c-4a86-9f16-3f3e3f0d1a03", "startDateTime": "2024-01-01T00:00:00Z", "type": "AsymmetricX509Cert", "usage": "Verify"},
	}
	raw, _ := json.Marshal(app)
	tenant := &graphreplay.Tenant{Applications: []json.RawMessage{raw}, AppRoleAssignedTo: map[string][]json.RawMessage{}}
	s := startReplay(t, graphreplay.Options{Tenant: tenant})
	mem := &memory{}
	if err := tokenCollector(t, s, mem, nil).Collect(context.Background(), mem); err != nil {
		t.Fatalf("the SDK could not read the redacted page: %v", err)
	}
	if len(mem.items) != 1 {
		t.Fatalf("%d items", len(mem.items))
	}
	it := mem.items[0]
	view, _ := json.Marshal(it.View)
	for _, gone := range []string{secretText, symmetric} {
		for _, p := range mem.pages {
			if bytes.Contains(p.Body, []byte(gone)) {
				t.Errorf("page %s holds %q", p.Endpoint, gone)
			}
		}
		if bytes.Contains(it.Raw, []byte(gone)) || bytes.Contains(view, []byte(gone)) {
			t.Errorf("the item holds %q", gone)
		}
	}
	if !bytes.Contains(it.Raw, []byte(cert)) {
		t.Error("the public certificate was redacted")
	}
	// The view keeps each credential's metadata.
	var types, hints []string
	if av := it.View.Application; av != nil {
		for _, c := range av.Credentials {
			types = append(types, c.Type+"/"+c.VendorType)
			if c.Hint != "" {
				hints = append(hints, c.Hint)
			}
		}
	}
	slices.Sort(types)
	if want := []string{"certificate/AsymmetricX509Cert", "certificate/Symmetric", "secret/"}; !slices.Equal(types, want) || !slices.Equal(hints, []string{"fak"}) {
		t.Errorf("credential metadata: types %v, hints %v; want types %v and the hint", types, hints, want)
	}
	found := 0
	for _, p := range mem.pages {
		for _, r := range p.Redactions {
			found++
			if r.Rule != redact.RuleCatalogue {
				t.Errorf("%s redacted by rule %s", r.Pointer, r.Rule)
			}
		}
	}
	if found != 2 {
		t.Errorf("%d redactions, want the secret text and the symmetric key", found)
	}
}

// Random Graph-shaped pages with secrets at every catalogued path.
func TestPropertyGraphCatalogue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { redacttest.Check(t, testRedactor, SecretFields, testDigest) })
}

var _ inventory.PageSink = (*memory)(nil)
