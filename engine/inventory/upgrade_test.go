package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/workspace"
)

const (
	upgradeSecret = "fake-upgrade-client-secret"
	oktaKind      = workspace.SourceKind("okta")
)

// providerFromPayload builds a provider view as a vendor's normalizer
// would, from the payload alone: its issuer and whether it carried a client
// secret (its marker when redacted).
func providerFromPayload(li LegacyItem) (Item, error) {
	var p struct {
		ID       string `json:"id"`
		Protocol struct {
			Issuer      struct{ URL string } `json:"issuer"`
			Credentials struct {
				Client struct {
					Secret string `json:"client_secret"`
				} `json:"client"`
			} `json:"credentials"`
		} `json:"protocol"`
	}
	if err := json.Unmarshal(li.Raw, &p); err != nil {
		return Item{}, err
	}
	pv := &ProviderView{Protocol: ProviderOIDC, State: StateActive, Issuer: p.Protocol.Issuer.URL,
		ClientSecret: SecretField{Present: No}}
	if s := p.Protocol.Credentials.Client.Secret; s != "" {
		pv.ClientSecret.Present = Yes
		if strings.HasPrefix(s, RedactedPrefix) {
			pv.ClientSecret.Marker = s
		}
	}
	return NewItem(p.ID, "Partner", View{Provider: pv}, li.Raw), nil
}

// A view built from a plain payload, holding a fact its payload alone
// cannot rebuild (a certificate read from another page) and a stray copy
// of the secret: after the upgrade it keeps the fact, carries the marker a
// fresh collection's view would, and holds no copy of the secret.
func TestRedactItemCarriesTheRedactionIntoItsView(t *testing.T) {
	raw := []byte(`{"id":"0oaPARTNER","protocol":{"issuer":{"url":"https://idp.example.test"},` +
		`"credentials":{"client":{"client_id":"partner","client_secret":"` + upgradeSecret + `"}}}}`)
	li := LegacyItem{SourceKind: oktaKind, Legacy: map[string]any{}}
	li.ID, li.Raw = 7, raw
	built, err := providerFromPayload(li)
	if err != nil {
		t.Fatal(err)
	}
	li.Item = built
	li.View.Provider.SigningCertificates = []Certificate{{KeyID: "kid-from-the-key-page"}}
	li.View.Provider.SubjectTemplate = "copied " + upgradeSecret

	digest := func(v []byte) string {
		sum := sha256.Sum256(append([]byte("test-only-key:"), v...))
		return hex.EncodeToString(sum[:])
	}
	r := redact.MustNew([]redact.Field{{Resource: "identity provider", Endpoints: []string{"/api/v1/idps"}, Path: "protocol.credentials.client.client_secret"}}, digest)
	up := RedactionUpgrade{Views: map[workspace.SourceKind]ViewBuilder{oktaKind: providerFromPayload}}
	red, ok, err := up.redactItem(r, li)
	if err != nil || !ok {
		t.Fatalf("redactItem = %v, %v", ok, err)
	}
	if red.View == nil {
		t.Fatal("an item with a view got none back")
	}
	b, _ := json.Marshal(red)
	if strings.Contains(string(b), upgradeSecret) {
		t.Fatalf("the redacted item still holds the secret: %s", b)
	}
	fresh, err := providerFromPayload(LegacyItem{StoredItem: StoredItem{Item: Item{Raw: red.Raw}}})
	if err != nil {
		t.Fatal(err)
	}
	want := *fresh.View.Provider
	want.SigningCertificates = li.View.Provider.SigningCertificates
	want.SubjectTemplate = "copied " + want.ClientSecret.Marker
	if diff := cmp.Diff(want, *red.View.Provider); diff != "" {
		t.Errorf("redacted view (-want +got):\n%s", diff)
	}
	if p := CheckView(Item{SourceID: "0oaPARTNER", Kind: KindProvider, Subtype: "oidc", DisplayName: "Partner", View: *red.View, Raw: red.Raw}); len(p) > 0 {
		t.Errorf("view problems: %v", p)
	}

	// An item whose view is not built yet keeps none: it is built later
	// from the redacted payload.
	li.View = View{Unbuilt: ViewNotBuiltYet}
	li.Legacy = map[string]any{"client": map[string]any{"client_secret": upgradeSecret}}
	red, ok, err = up.redactItem(r, li)
	if err != nil || !ok || red.View != nil {
		t.Fatalf("redactItem of an item without a view = %+v, %v, %v", red.View, ok, err)
	}
	if b, _ := json.Marshal(red.Legacy); strings.Contains(string(b), upgradeSecret) || !strings.Contains(string(b), RedactedPrefix) {
		t.Errorf("legacy fields after redaction: %s", b)
	}
}

func TestCarry(t *testing.T) {
	for _, c := range []struct {
		name                        string
		stored, before, after, want string
	}{
		{"unchanged", `{"a":1,"x":2}`, `{"a":1}`, `{"a":1}`, `{"a":1,"x":2}`},
		{"member changed", `{"a":1,"x":2}`, `{"a":1}`, `{"a":3}`, `{"a":3,"x":2}`},
		{"member added", `{"s":{"present":"yes"},"x":2}`, `{"s":{"present":"yes"}}`, `{"s":{"present":"yes","marker":"m"}}`, `{"s":{"present":"yes","marker":"m"},"x":2}`},
		{"member removed", `{"a":1,"b":2}`, `{"a":1,"b":2}`, `{"a":1}`, `{"a":1}`},
		{"element changed", `{"l":[{"a":1,"x":2},{"a":5}]}`, `{"l":[{"a":1},{"a":5}]}`, `{"l":[{"a":9},{"a":5}]}`, `{"l":[{"a":9,"x":2},{"a":5}]}`},
		{"stored differs where the change is", `{"a":"kept"}`, `{"a":"plain"}`, `{"a":"marker"}`, `{"a":"kept"}`},
	} {
		var stored, before, after, want any
		for _, p := range []struct {
			s string
			v *any
		}{{c.stored, &stored}, {c.before, &before}, {c.after, &after}, {c.want, &want}} {
			if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(want, carry(stored, before, after)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}
