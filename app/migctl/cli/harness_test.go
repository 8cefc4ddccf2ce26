package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
)

// result is one migctl run.
type result struct {
	code           int
	stdout, stderr string
}

// harness runs migctl in-process against one workspace file in a temp dir,
// with its own environment, and keeps every byte migctl printed.
type harness struct {
	t       *testing.T
	path    string
	env     map[string]string
	printed []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{
		t:    t,
		path: filepath.Join(t.TempDir(), "acme.pmcw"),
		env:  map[string]string{"PMC_ACTOR": "test-consultant"},
	}
}

// run runs migctl with --workspace set to the harness's file.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	return h.runRaw(stdin, append([]string{"--workspace", h.path}, args...)...)
}

// runRaw runs migctl with args exactly as given.
func (h *harness) runRaw(stdin string, args ...string) result {
	h.t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return h.env[k] })
	r := result{code: code, stdout: out.String(), stderr: errOut.String()}
	h.printed = append(h.printed, r.stdout, r.stderr)
	return r
}

// ok runs a command that must succeed.
func (h *harness) ok(stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != 0 {
		h.t.Fatalf("migctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// okJSON runs a command with --json that must succeed and decodes its one
// JSON document.
func (h *harness) okJSON(stdin string, args ...string) map[string]any {
	h.t.Helper()
	r := h.ok(stdin, append(args, "--json")...)
	return decodeOne(h.t, r.stdout)
}

// decodeOne decodes s, which must be exactly one JSON object carrying
// the format version, and returns it without that key.
func decodeOne(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", s)
	}
	if doc["format_version"] != formatVersion {
		t.Fatalf("format_version is %v, want %q:\n%s", doc["format_version"], formatVersion, s)
	}
	delete(doc, "format_version")
	return doc
}

// createWorkspace creates the harness's workspace and returns its id.
func (h *harness) createWorkspace(mode string) string {
	h.t.Helper()
	doc := h.okJSON("", "workspace", "create", "--tenant", "acme", "--mode", mode)
	id, _ := doc["id"].(string)
	if len(id) != 32 {
		h.t.Fatalf("workspace create: id %q is not 32 hex characters", id)
	}
	return id
}

// requireKeychain skips the test when no Secret Service answers, unless
// PMC_KEYCHAIN_TESTS is set (CI runs inside scripts/with-keyring.sh), in
// which case a missing keychain fails the test. It returns the keychain and
// removes the workspace's entries when the test ends.
func requireKeychain(t *testing.T, h *harness) *keychain.Keychain {
	t.Helper()
	kc := keychain.New()
	probeWS := "probe-" + randomHex(t, 8)
	err := kc.Set(context.Background(), probeWS, "probe", secret.New("fake-probe-secret-for-tests"))
	if err == nil {
		err = kc.Delete(context.Background(), probeWS, "probe")
	}
	if err != nil {
		if errors.Is(err, keychain.ErrUnavailable) && os.Getenv("PMC_KEYCHAIN_TESTS") == "" {
			t.Skipf("no OS keychain (run under scripts/with-keyring.sh, or set PMC_KEYCHAIN_TESTS to make this a failure): %v", err)
		}
		t.Fatalf("keychain probe: %v", err)
	}
	t.Cleanup(func() { removeKeychainEntries(t, h.path) })
	return kc
}

// removeKeychainEntries deletes whatever the workspace at path left in the
// keychain, so tests do not litter the developer's login keyring.
func removeKeychainEntries(t *testing.T, path string) {
	ctx := context.Background()
	w, err := wiring.Open(ctx, path)
	if err != nil {
		return // no workspace was created
	}
	defer w.Close()
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return
	}
	roles := []string{workspace.RoleTargetToken}
	sources, _ := w.Service.Sources(ctx)
	for _, s := range sources {
		roles = append(roles, workspace.SourceRole(s.Name))
	}
	for _, r := range roles {
		if err := w.Keychain.Delete(ctx, ws.ID, r); err != nil && !errors.Is(err, keychain.ErrNotFound) {
			t.Errorf("clean up keychain entry %s: %v", r, err)
		}
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
