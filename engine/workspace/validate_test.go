package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/secret"
)

// oneKind accepts sources of kind "okta" whose settings name an org_url,
// as the vendor registry would; the vendors' own checks are tested in
// their packages (engine/okta, engine/entra).
type oneKind struct{}

func (oneKind) CheckSource(kind SourceKind, values map[string]string, _ secret.Value) (json.RawMessage, error) {
	if kind != "okta" {
		return nil, fmt.Errorf("%w: source kind %q must be okta", ErrInvalid, kind)
	}
	if values["org_url"] == "" {
		return nil, fmt.Errorf("%w: an okta source needs its Org URL", ErrInvalid)
	}
	return json.Marshal(values)
}

func (oneKind) SourceFacts(_ SourceKind, settings json.RawMessage) map[string]string {
	f := map[string]string{}
	_ = json.Unmarshal(settings, &f)
	return f
}

// TestValidateSource covers the checks every source gets whatever its
// kind: its name, its credential, a kind the catalogue knows.
func TestValidateSource(t *testing.T) {
	cred := secret.New("fake-token-for-tests")
	svc := &Service{Kinds: oneKind{}}
	settings := map[string]string{"org_url": "https://a.okta.com"}
	cases := []struct {
		name    string
		req     NewSource
		wantErr string
	}{
		{"okta", NewSource{Name: "acme-okta", Kind: "okta", Settings: settings, Credential: cred}, ""},
		{"no credential", NewSource{Name: "x", Kind: "okta", Settings: settings}, "needs a credential"},
		{"bad name", NewSource{Name: "a/b", Kind: "okta", Settings: settings, Credential: cred}, "may not contain"},
		{"padded name", NewSource{Name: " a", Kind: "okta", Settings: settings, Credential: cred}, "leading or trailing"},
		{"unknown kind", NewSource{Name: "p", Kind: "ping", Settings: settings, Credential: cred}, "must be okta"},
		{"settings refused", NewSource{Name: "o", Kind: "okta", Credential: cred}, "Org URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := svc.validateSource(tc.req)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if src.Kind != tc.req.Kind || string(src.Settings) != `{"org_url":"https://a.okta.com"}` {
					t.Fatalf("source = %+v", src)
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
	if _, err := svc.validateSource(NewSource{Name: "x", Kind: "okta", Settings: settings}); !errors.Is(err, ErrNoCredential) {
		t.Errorf("a missing credential is not ErrNoCredential: %v", err)
	}
}

// TestSourceJSON: a source's settings go under a key named after its kind,
// as scripts have always read them.
func TestSourceJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	src := Source{ID: "s1", Name: "acme", Kind: "okta", Status: SourceConfigured, CreatedAt: at,
		Settings: json.RawMessage(`{"org_url":"https://acme.okta.com","auth":"api_token"}`)}
	b, err := json.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"s1","name":"acme","kind":"okta","status":"configured","okta":{"org_url":"https://acme.okta.com","auth":"api_token"},"created_at":"2026-11-23T09:00:00Z"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	src.ArchivedAt, src.LastInventoryAt, src.Settings = &at, &at, nil
	b, err = json.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"id":"s1","name":"acme","kind":"okta","status":"configured","okta":{},"created_at":"2026-11-23T09:00:00Z","archived_at":"2026-11-23T09:00:00Z","last_inventory_at":"2026-11-23T09:00:00Z"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back Source
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	src.Settings = json.RawMessage(`{}`)
	if back.ID != src.ID || back.Kind != src.Kind || string(back.Settings) != "{}" || !back.ArchivedAt.Equal(at) || !back.LastInventoryAt.Equal(at) {
		t.Errorf("read back %+v, wrote %+v", back, src)
	}
}
