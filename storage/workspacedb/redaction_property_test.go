package workspacedb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/redact/redacttest"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// pageCollector fetches one page and emits each resource it holds, with
// every string of the payload copied into its view (and so into the search
// index), as the most careless normalizer would.
type pageCollector struct {
	client *http.Client
	url    string
}

func (c *pageCollector) Collect(ctx context.Context, emit inventory.Emitter) error {
	ctx, trace := inventory.WithPageTrace(inventory.WithListing(ctx, "applications"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var page []json.RawMessage
	if err := json.Unmarshal(body, &page); err != nil {
		var wrapped struct{ Value []json.RawMessage }
		if err := json.Unmarshal(body, &wrapped); err != nil {
			return err
		}
		page = wrapped.Value
	}
	for i, raw := range page {
		var all any
		if err := json.Unmarshal(raw, &all); err != nil {
			return err
		}
		view := inventory.View{Group: &inventory.GroupView{Type: inventory.GroupTenant, Name: fmt.Sprint("resource ", i), MembershipRules: stringsOf(all)}}
		it := inventory.NewItem(fmt.Sprint("res-", i), fmt.Sprint("resource ", i), view, raw)
		it.EvidencePage = trace.Last()
		if err := emit.Emit(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// stringsOf lists every string in a decoded JSON value.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsOf(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, stringsOf(e)...)
		}
		return out
	}
	return nil
}

// Random Okta-shaped payloads with secrets at catalogued paths, collected
// into a real workspace file: no secret value is anywhere in the file or
// its WAL (pages, items, views, search index), and the stored page is
// the payload with exactly its secrets replaced by their markers.
func TestPropertyNoSecretReachesTheWorkspaceFile(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		page := redacttest.Draw(rt, okta.SecretFields)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page.Body) }))
		defer srv.Close()
		dir, err := os.MkdirTemp("", "pmc-redaction-property-")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		path := filepath.Join(dir, "acme.pmw")
		db, err := Create(ctx, path)
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		creds := memSecrets{}
		ws := &workspace.Service{Store: db, Secrets: creds, Kinds: testKinds{}, Actor: "consultant"}
		created, err := ws.Create(ctx, workspace.CreateRequest{Tenant: "acme", Mode: workspace.ModeFirstRunAdoption})
		if err != nil {
			rt.Fatal(err)
		}
		if _, err := ws.AddSource(ctx, workspace.NewSource{Name: "okta-prod", Kind: "okta",
			Settings: map[string]string{"org_url": "https://acme.okta.example"}, Credential: secret.New(fakeOktaToken)}); err != nil {
			rt.Fatal(err)
		}
		inv := &inventory.Service{Store: InventoryStore(db), Secrets: creds, Actor: "consultant",
			Incumbents: clientIncumbents{open: func(c *http.Client) inventory.Collector {
				return &pageCollector{client: c, url: srv.URL + page.Endpoint}
			}}}
		snap, err := inv.Collect(ctx, "okta-prod", inventory.CollectOptions{}, nil)
		if err != nil {
			rt.Fatalf("collect %s: %v", page.Endpoint, err)
		}
		master, err := keys.Existing(ctx, creds, created.ID)
		if err != nil {
			rt.Fatal(err)
		}
		digest := func(v []byte) string { return master.MAC(keys.SecretDigest, v) }
		var stored []inventory.Page
		if err := inv.Store.View(ctx, func(tx inventory.Tx) error {
			stored, err = tx.Pages(snap.ID, nil, true)
			return err
		}); err != nil {
			rt.Fatal(err)
		}
		if len(stored) != 1 || !bytes.Equal(stored[0].Body, page.Want(digest)) {
			rt.Fatalf("stored page is not the payload with only its secrets replaced:\n got: %s\nwant: %s", stored[0].Body, page.Want(digest))
		}
		if err := db.Checkpoint(ctx); err != nil {
			rt.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				rt.Fatal(err)
			}
			for _, s := range page.Secrets {
				if bytes.Contains(b, []byte(s.Value)) {
					rt.Fatalf("%s holds the secret %q of %s", filepath.Base(f), s.Value, s.Field.Path)
				}
			}
		}
	})
}
