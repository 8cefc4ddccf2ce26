package inventory_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
)

func testDigest(v []byte) string {
	sum := sha256.Sum256(append([]byte("test-only-key:"), v...))
	return hex.EncodeToString(sum[:])
}

// noCatalogue still applies the vendor-neutral rules.
var noCatalogue = redact.MustNew(nil, testDigest)

var idpCatalogue = redact.MustNew([]redact.Field{{Resource: "identity provider", Endpoints: []string{"/api/v1/idps"},
	Path: "protocol.credentials.client.client_secret", Keep: true}}, testDigest)

func fetchIdPs(t *testing.T, client *http.Client, url string) (string, error) {
	t.Helper()
	ctx := inventory.WithListing(context.Background(), "identity_providers")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// The SDK and the sink both get the redacted body; the page keeps the
// digest of the bytes as received and of the bytes stored.
func TestEvidenceRedactsBelowEveryConsumer(t *testing.T) {
	body := `[{"id":"0oa1","protocol":{"credentials":{"client":{"client_id":"c","client_secret":"fake-idp-secret"}}}}]`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	sink := &memorySink{}
	client := &http.Client{Transport: inventory.NewEvidence(nil, sink, idpCatalogue, nil)}
	got, err := fetchIdPs(t, client, srv.URL+"/api/v1/idps")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "fake-idp-secret") || !strings.Contains(got, `"client_secret":"[REDACTED client_secret hmac-sha256:`) {
		t.Fatalf("the SDK was handed %s", got)
	}
	pages := sink.all()
	if len(pages) != 1 {
		t.Fatalf("%d pages", len(pages))
	}
	p := pages[0]
	received := sha256.Sum256([]byte(body))
	stored := sha256.Sum256(p.Body)
	if p.SHA256 != hex.EncodeToString(received[:]) || p.Bytes != len(body) {
		t.Errorf("page digest %s/%d is not that of the bytes as received", p.SHA256, p.Bytes)
	}
	if p.StoredSHA256 != hex.EncodeToString(stored[:]) || p.StoredBytes != len(p.Body) || string(p.Body) != got {
		t.Errorf("stored digest %s/%d does not describe the stored body", p.StoredSHA256, p.StoredBytes)
	}
	if len(p.Redactions) != 1 || p.Redactions[0].Pointer != "/0/protocol/credentials/client/client_secret" ||
		p.Redactions[0].Value().Reveal() != "fake-idp-secret" || p.Redactions[0].ResourceID != "0oa1" {
		t.Errorf("redactions = %+v", p.Redactions)
	}
}

// A body that cannot be parsed from an endpoint that can carry secrets is
// refused: the request fails and nothing is recorded.
func TestEvidenceRefusesUnparseableBodiesFromSecretEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"id":"0oa1","protocol":{"credentials":{"client":{"client_secret":"fake-cut`)
	}))
	defer srv.Close()
	sink := &memorySink{}
	client := &http.Client{Transport: inventory.NewEvidence(nil, sink, idpCatalogue, nil)}
	_, err := fetchIdPs(t, client, srv.URL+"/api/v1/idps")
	if !errors.Is(err, redact.ErrUnparseable) || !strings.Contains(err.Error(), "nothing of it was kept") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "fake-cut") {
		t.Errorf("the error quotes the body: %v", err)
	}
	if n := len(sink.all()); n != 0 {
		t.Errorf("%d pages recorded", n)
	}
}
