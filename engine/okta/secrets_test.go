package okta_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/redact/redacttest"
)

func testDigest(v []byte) string {
	sum := sha256.Sum256(append([]byte("test-only-key:"), v...))
	return hex.EncodeToString(sum[:])
}

var testRedactor = redact.MustNew(okta.SecretFields, testDigest)

// The secrets Okta's own published examples carry (testdata/vendor/idps).
var fixtureSecrets = map[string]string{
	"your-client-secret":                             "protocol.credentials.client.client_secret",
	"MIGTAgEAMBM........Cb9PnybCnzDv+3cWSGWqpAIsQQZ": "protocol.credentials.signing.privateKey",
}

// Every vendor-written payload collected through the real SDK: no fixture
// secret reaches a page, an item's raw payload or its view (which carries
// the marker instead); each
// provider's secret is handed on for the keychain under the provider's
// id; and nothing but the catalogued secrets is redacted.
func TestVendorFixtureSecretsNeverPassTheEvidenceTransport(t *testing.T) {
	orgs, err := oktareplay.VendorOrgs("testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{} // resource id + path -> plain value
	redactions := 0
	for i, org := range orgs {
		srv := oktareplay.Start(t, org, oktareplay.Options{})
		rec := &recorder{}
		if err := open(t, srv, rec, oktareplay.Token, nil).Collect(context.Background(), rec); err != nil {
			t.Fatalf("org %d: %v", i, err)
		}
		for _, p := range rec.pages {
			for s := range fixtureSecrets {
				if bytes.Contains(p.Body, []byte(s)) {
					t.Errorf("org %d: page %s holds %q", i, p.Endpoint, s)
				}
			}
			for _, r := range p.Redactions {
				redactions++
				if r.Rule != redact.RuleCatalogue {
					t.Errorf("org %d: %s %s redacted by rule %q: a vendor example field the catalogue should list, or a false alarm", i, p.Endpoint, r.Pointer, r.Rule)
				}
				if r.Keep {
					kept[r.ResourceID+" "+r.Path] = r.Value().Reveal()
				}
			}
		}
		for _, it := range rec.items {
			view, _ := json.Marshal(it.View)
			for s := range fixtureSecrets {
				if bytes.Contains(it.Raw, []byte(s)) || bytes.Contains(view, []byte(s)) {
					t.Errorf("org %d: %s %s holds %q", i, it.Kind, it.SourceID, s)
				}
			}
			if pv := it.View.Provider; pv != nil && pv.ClientSecret.Present == inventory.Yes &&
				(!strings.HasPrefix(pv.ClientSecret.Marker, inventory.RedactedPrefix) || !bytes.Contains(it.Raw, []byte(pv.ClientSecret.Marker))) {
				t.Errorf("org %d: provider %s's view says its client secret is %+v, not the marker its payload holds", i, it.SourceID, pv.ClientSecret)
			}
		}
	}
	// oidc, google, facebook, microsoft, apple and the listing's own copies.
	for _, want := range []struct{ id, path, value string }{
		{"0oaulob4BFVa4zQvt0g3", "protocol.credentials.client.client_secret", "your-client-secret"},
		{"0oa62bfdiumsUndnZ0h7", "protocol.credentials.client.client_secret", "your-client-secret"},
		{"0oa62b57p7c8PaGpU0h7", "protocol.credentials.client.client_secret", "your-client-secret"},
		{"0oajmvdFawBih4gey0g3", "protocol.credentials.client.client_secret", "your-client-secret"},
		{"0oa18hsHsG3boVejU0g4", "protocol.credentials.signing.privateKey", "MIGTAgEAMBM........Cb9PnybCnzDv+3cWSGWqpAIsQQZ"},
	} {
		if got := kept[want.id+" "+want.path]; got != want.value {
			t.Errorf("%s %s handed on for the keychain as %q, want the collected value", want.id, want.path, got)
		}
	}
	if redactions == 0 {
		t.Fatal("nothing was redacted")
	}
}

// Random Okta-shaped pages with secrets at every catalogued path.
func TestPropertyOktaCatalogue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { redacttest.Check(t, testRedactor, okta.SecretFields, testDigest) })
}

var _ inventory.PageSink = (*recorder)(nil)
