package cli

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// TestCanarySecretNeverLeaks passes one unique secret through every way in
// (--target-token-stdin, --secret-stdin, --secret-env, the engine directly,
// and a few refused attempts) with debug logging on, then searches the raw
// bytes of the workspace file, its -wal and -shm, everything in its folder
// and everything migctl and the logger printed.
func TestCanarySecretNeverLeaks(t *testing.T) {
	h := newHarness(t)
	kc := requireKeychain(t, h)
	ctx := context.Background()
	canary := "canary-" + randomHex(t, 16)
	h.env["PMC_LOG_LEVEL"] = "debug"
	h.env["CANARY_SECRET"] = canary

	created := h.okJSON(canary+"\n", "workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing",
		"--target-url", "https://portal.example.test", "--target-token-stdin")
	wsID := created["id"].(string)
	h.ok(canary+"\n", "source", "add", "okta", "--name", "okta-stdin", "--org-url", "https://acme.okta.com", "--secret-stdin")
	h.ok("", "source", "add", "entra", "--name", "entra-env", "--tenant-id", "contoso.onmicrosoft.com",
		"--client-id", "11111111-2222-3333-4444-555555555555", "--auth", "client_secret", "--secret-env", "CANARY_SECRET")
	// Refused attempts print errors; they must not carry the secret either.
	checkAnyError(t, h.run(canary, "source", "add", "okta", "--name", "okta-stdin", "--org-url", "https://acme.okta.com", "--secret-stdin"))
	checkAnyError(t, h.run("", "source", "add", "okta", "--name", "pasted", "--org-url", "https://acme.okta.com", "--secret-env", canary))
	checkAnyError(t, h.run("", "source", "add", "okta", "--name", "inline", "--org-url", "https://acme.okta.com", "--secret-stdin="+canary))
	checkAnyError(t, h.run(canary, "source", "add", "okta", "--name", "keyless", "--org-url", "https://acme.okta.com",
		"--auth", "private_key", "--client-id", "0oa-fake-client", "--secret-stdin"))
	for _, args := range [][]string{
		{"workspace", "show"}, {"source", "list"}, {"audit", "list"}, {"audit", "verify"},
	} {
		h.ok("", args...)
		h.ok("", append(args, "--json")...)
	}

	// The engine directly, logging its request at debug through the
	// redacting logger, with the file still open so its -wal and -shm exist.
	var logged bytes.Buffer
	log := wiring.Logger(&logged, slog.LevelDebug)
	w, err := wiring.Open(ctx, h.path)
	if err != nil {
		t.Fatal(err)
	}
	req := workspace.NewSource{Name: "okta-engine", Kind: okta.Kind,
		Settings: map[string]string{okta.FieldOrgURL: "https://acme.okta.com"}, Credential: secret.New(canary)}
	log.Debug("add source", "request", req, "credential", req.Credential, "api_token", canary)
	if _, err := w.Service.AddSource(ctx, req); err != nil {
		t.Fatalf("engine AddSource: %v", err)
	}
	h.printed = append(h.printed, logged.String())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(h.path + suffix)
		if err != nil {
			t.Fatalf("read workspace file%s while open: %v", suffix, err)
		}
		if len(b) == 0 && suffix != "-shm" {
			t.Fatalf("workspace file%s is empty: the search below would prove nothing", suffix)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the secret is in the workspace file%s", suffix)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// The secrets did arrive: each role holds the canary.
	for _, role := range []string{workspace.RoleTargetToken, workspace.SourceRole("okta-stdin"), workspace.SourceRole("entra-env"), workspace.SourceRole("okta-engine")} {
		v, err := kc.Get(ctx, wsID, role)
		if err != nil || v.Reveal() != canary {
			t.Errorf("keychain role %s does not hold the secret (err %v)", role, err)
		}
	}

	err = filepath.WalkDir(filepath.Dir(h.path), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the secret is in %s", filepath.Base(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	all := strings.Join(h.printed, "\n")
	if !strings.Contains(all, "level=DEBUG") || !strings.Contains(all, "[REDACTED]") {
		t.Fatal("debug logging did not run: the output search would prove nothing")
	}
	if strings.Contains(all, canary) {
		for i, p := range h.printed {
			if strings.Contains(p, canary) {
				t.Errorf("output %d leaks the secret:\n%s", i, p)
			}
		}
	}
}

func checkAnyError(t *testing.T, r result) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("a command that should fail succeeded: %s", r.stdout)
	}
}
