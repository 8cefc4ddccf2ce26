package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/app/wiring"
	_ "modernc.org/sqlite"
)

// checkError checks a failed run: the wanted exit code, nothing on stdout,
// and one line on stderr that names the problem.
func checkError(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d (stderr: %s)", r.code, code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout should be empty on error, got %q", r.stdout)
	}
	if !strings.HasPrefix(r.stderr, "migctl: ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr should be one line starting with 'migctl: ', got %q", r.stderr)
	}
	if strings.Contains(r.stderr, "Error:") || strings.Contains(r.stderr, "Usage:") || strings.Contains(r.stderr, "goroutine") {
		t.Errorf("stderr carries cobra or Go noise: %q", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
}

func TestBadUsageExitsTwo(t *testing.T) {
	const okta = "https://acme.okta.com"
	cases := []struct {
		name  string
		stdin string
		env   map[string]string
		args  []string
		want  []string
	}{
		{"unknown flag", "", nil, []string{"workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing", "--bogus"}, []string{"unknown flag: --bogus", "'migctl workspace create --help'"}},
		{"secret as a flag value", "", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret", "fake-token"}, []string{"unknown flag: --secret"}},
		{"value given to a bool flag", "", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-stdin=fake-token-typed-inline"}, []string{"--secret-stdin takes no value"}},
		{"missing tenant", "", nil, []string{"workspace", "create", "--mode", "merge_into_existing"}, []string{"missing required flag --tenant"}},
		{"missing mode", "", nil, []string{"workspace", "create", "--tenant", "acme"}, []string{"missing required flag --mode"}},
		{"bad mode", "", nil, []string{"workspace", "create", "--tenant", "acme", "--mode", "sideways"}, []string{`--mode "sideways" must be one of first_run_adoption, merge_into_existing`}},
		{"bad tenant", "", nil, []string{"workspace", "create", "--tenant", "Not Valid!", "--mode", "merge_into_existing"}, []string{"tenant id"}},
		{"plain http target", "", nil, []string{"workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing", "--target-url", "http://portal.example.com"}, []string{"only loopback hosts"}},
		{"target token without URL", "fake-token", nil, []string{"workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing", "--target-token-stdin"}, []string{"needs --target-url"}},
		{"both target token flags", "fake-token", map[string]string{"T": "fake-token"}, []string{"workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing", "--target-url", "https://portal.example.com", "--target-token-stdin", "--target-token-env", "T"}, []string{"either --target-token-stdin or --target-token-env, not both"}},
		{"both secret flags", "fake-token", map[string]string{"T": "fake-token"}, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-stdin", "--secret-env", "T"}, []string{"not both"}},
		{"neither secret flag", "", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta}, []string{"the source credential is required"}},
		{"empty stdin", "\n", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-stdin"}, []string{"read from stdin is empty"}},
		{"unset variable", "", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-env", "OKTA_TOKEN"}, []string{"the environment variable named by --secret-env is unset or empty", "takes the name of an environment variable that holds the source credential"}},
		{"missing org url", "", nil, []string{"source", "add", "okta", "--name", "n", "--secret-stdin"}, []string{"missing required flag --org-url"}},
		{"bad okta auth", "", nil, []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--auth", "password", "--secret-stdin"}, []string{`--auth "password" must be one of api_token, private_key`}},
		{"bad cloud", "", nil, []string{"source", "add", "entra", "--name", "e", "--tenant-id", "contoso.onmicrosoft.com", "--auth", "client_secret", "--cloud", "mars", "--secret-stdin"}, []string{`--cloud "mars"`}},
		{"missing entra auth", "", nil, []string{"source", "add", "entra", "--name", "e", "--tenant-id", "contoso.onmicrosoft.com", "--secret-stdin"}, []string{"missing required flag --auth"}},
		{"missing archive name", "", nil, []string{"source", "archive"}, []string{"missing required flag --name"}},
		{"unknown command", "", nil, []string{"frobnicate"}, []string{`unknown command "frobnicate" for "migctl"`, "its commands are: ", "source, target, workspace"}},
		{"unknown verb", "", nil, []string{"workspace", "frobnicate"}, []string{`unknown command "frobnicate" for "migctl workspace"`}},
		{"noun without verb", "", nil, []string{"source"}, []string{`"migctl source" needs a command: add, archive, list`}},
		{"stray argument", "", nil, []string{"workspace", "show", "extra"}, []string{`unexpected argument (not shown: it may be a secret): "migctl workspace show" takes no arguments`}},
		{"typo in a command", "", nil, []string{"sourc", "list"}, []string{`unknown command "sourc"`, "did you mean source?"}},
		{"typo in a flag", "", nil, []string{"workspace", "show", "--worksapce", "x"}, []string{"unknown flag: --worksapce", "did you mean --workspace?"}},
		{"negative budget", "", nil, []string{"inventory", "collect", "--source", "s", "--max-duration", "-1h"}, []string{"--max-duration must be a positive duration"}},
		{"bad log level", "", nil, []string{"--log-level", "loud", "workspace", "show"}, []string{`log level "loud"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for k, v := range tc.env {
				h.env[k] = v
			}
			checkError(t, h.run(tc.stdin, tc.args...), 2, tc.want...)
			if _, err := os.Stat(h.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("bad usage left a workspace file behind (stat err %v)", err)
			}
		})
	}
}

func TestNoWorkspacePathIsBadUsage(t *testing.T) {
	h := newHarness(t)
	checkError(t, h.runRaw("", "workspace", "show"), 2, "pass --workspace PATH or set PMC_WORKSPACE")
	// PMC_WORKSPACE stands in for the flag.
	h.env["PMC_WORKSPACE"] = h.path
	h.runRaw("", "workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing")
	if doc := decodeOne(t, h.runRaw("", "workspace", "show", "--json").stdout); doc["tenant"] != "acme" {
		t.Errorf("workspace show via PMC_WORKSPACE: %v", doc)
	}
}

// TestWrongPlaceSecretsAreNeverEchoed: a secret typed where a command,
// an argument, a flag, a flag's value or a variable's name belongs is never
// printed back, on stdout or stderr, in human or --json mode; the message
// says what was expected instead.
func TestWrongPlaceSecretsAreNeverEchoed(t *testing.T) {
	// Shaped like real secrets: an Okta API token, an Entra client secret,
	// a JWT, a PEM line, a lowercase token with digits.
	secrets := []string{
		"00fakeOktaTokenTestOnly9xY_aBcDeFgHiJkLmNoPqRsT",
		"fake~Entra.Secret_test-only~8Q",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYWtlLXRlc3Qtb25seSJ9.fake",
		"-----BEGIN FAKE TEST-ONLY KEY-----",
		"fake0test0only0token0a1b2c3d4",
	}
	const okta = "https://acme.okta.com"
	cases := []struct {
		name string
		args func(s string) []string
		want string
		// positional: where a secret that begins with '-' reads as a flag.
		positional bool
	}{
		{"as a command", func(s string) []string { return []string{s} }, "unknown command", true},
		{"as a verb", func(s string) []string { return []string{"source", s} }, `for "migctl source"; its commands are: add, archive, list`, true},
		{"as a stray argument", func(s string) []string { return []string{"workspace", "show", s} }, "takes no arguments, only flags", true},
		{"as a stray argument after flags", func(s string) []string {
			return []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-stdin", s}
		}, "not shown: it may be a secret", true},
		{"as a flag", func(s string) []string { return []string{"workspace", "show", "--" + s} }, "not shown: it may be a secret", false},
		{"as a flag with a value", func(s string) []string { return []string{"workspace", "show", "--" + s + "=x"} }, "not shown: it may be a secret", false},
		{"as short flags", func(s string) []string { return []string{"workspace", "show", "-" + strings.TrimLeft(s, "-")} }, "not shown: it may be a secret", false},
		{"as the value of a bool flag", func(s string) []string {
			return []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-stdin=" + s}
		}, "--secret-stdin takes no value", false},
		{"as a number", func(s string) []string { return []string{"inventory", "collect", "--source", "s", "--rate-share", s} }, "--rate-share (not shown: it may be a secret) is not valid: it takes a number", false},
		{"as a duration", func(s string) []string {
			return []string{"inventory", "collect", "--source", "s", "--max-duration=" + s}
		}, "it takes a duration such as 90m or 12h", false},
		{"as a whole number", func(s string) []string {
			return []string{"inventory", "collect", "--source", "s", "--max-response-mib=" + s}
		}, "it takes a whole number", false},
		{"as a choice", func(s string) []string { return []string{"workspace", "create", "--tenant", "acme", "--mode", s} }, "must be one of first_run_adoption, merge_into_existing", false},
		{"as a source setting's choice", func(s string) []string {
			return []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--auth", s, "--secret-stdin"}
		}, "must be one of api_token, private_key", false},
		{"as the log level", func(s string) []string { return []string{"--log-level", s, "workspace", "show"} }, "must be debug, info, warn or error", false},
		{"as --secret-env's name", func(s string) []string {
			return []string{"source", "add", "okta", "--name", "n", "--org-url", okta, "--secret-env", s}
		}, "takes the name of an environment variable", false},
		{"as --target-token-env's name", func(s string) []string {
			return []string{"workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing", "--target-url", "https://portal.example.com", "--target-token-env", s}
		}, "takes the name of an environment variable", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range secrets {
				for _, json := range []bool{false, true} {
					h := newHarness(t)
					args := tc.args(s)
					if json {
						args = append([]string{"--json"}, args...)
					}
					r := h.run("", args...)
					if r.code != 2 {
						t.Errorf("%q: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
					}
					for _, part := range append([]string{s}, strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == ' ' })...) {
						if len(part) < 6 {
							continue
						}
						if strings.Contains(r.stdout, part) || strings.Contains(r.stderr, part) {
							t.Errorf("%q: the output repeats %q: stdout %q, stderr %q", args, part, r.stdout, r.stderr)
						}
					}
					want := tc.want
					if tc.positional && strings.HasPrefix(s, "-") {
						want = "flags are written --name or --name=value"
					}
					if !strings.Contains(r.stderr, want) {
						t.Errorf("%q: stderr %q does not say what was expected (%q)", args, r.stderr, want)
					}
				}
			}
		})
	}
}

func TestFailuresExitOne(t *testing.T) {
	t.Run("missing workspace file", func(t *testing.T) {
		h := newHarness(t)
		checkError(t, h.run("", "workspace", "show"), 1, "does not exist")
	})
	t.Run("not a workspace file", func(t *testing.T) {
		h := newHarness(t)
		if err := os.WriteFile(h.path, []byte("these are not the bytes of a workspace file\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		checkError(t, h.run("", "source", "list"), 1, h.path)
	})
	t.Run("create over an existing workspace", func(t *testing.T) {
		h := newHarness(t)
		id := h.createWorkspace("merge_into_existing")
		checkError(t, h.run("", "workspace", "create", "--tenant", "other", "--mode", "first_run_adoption"), 1, h.path)
		if doc := h.okJSON("", "workspace", "show"); doc["workspace_id"] != id || doc["tenant"] != "acme" {
			t.Errorf("the existing workspace changed: %v", doc)
		}
	})
	t.Run("archived workspace refuses sources", func(t *testing.T) {
		h := newHarness(t)
		h.createWorkspace("merge_into_existing")
		h.ok("", "workspace", "archive")
		checkError(t, h.run("fake-token", "source", "add", "okta", "--name", "late", "--org-url", "https://acme.okta.com", "--secret-stdin"), 1, "archived")
		checkError(t, h.run("", "workspace", "archive"), 1, "archived")
		if doc := h.okJSON("", "source", "list"); cmp.Diff(map[string]any{"sources": []any{}}, doc) != "" {
			t.Errorf("a source was added to an archived workspace: %v", doc)
		}
	})
	t.Run("unknown source", func(t *testing.T) {
		h := newHarness(t)
		h.createWorkspace("merge_into_existing")
		checkError(t, h.run("", "source", "archive", "--name", "ghost"), 1, "no such source")
	})
	t.Run("plain http incumbent", func(t *testing.T) {
		h := newHarness(t)
		h.createWorkspace("merge_into_existing")
		checkError(t, h.run("fake-token", "source", "add", "okta", "--name", "o", "--org-url", "http://acme.okta.com", "--secret-stdin"), 2, "plain http")
		checkError(t, h.run("fake-token", "source", "add", "entra", "--name", "e", "--tenant-id", "contoso.onmicrosoft.com",
			"--auth", "access_token", "--graph-url", "http://graph.example.com", "--secret-stdin"), 2, "plain http")
	})
}

func TestDuplicateSourceName(t *testing.T) {
	h := newHarness(t)
	kc := requireKeychain(t, h)
	id := h.createWorkspace("merge_into_existing")
	h.ok("fake-token-one", "source", "add", "okta", "--name", "acme-okta", "--org-url", "https://acme.okta.com", "--secret-stdin")
	checkError(t, h.run("fake-token-two", "source", "add", "okta", "--name", "acme-okta", "--org-url", "https://other.okta.com", "--secret-stdin"),
		1, "already exists")
	got, err := kc.Get(t.Context(), id, "source/acme-okta")
	if err != nil || got.Reveal() != "fake-token-one" {
		t.Errorf("the first source's credential was replaced or lost (err %v)", err)
	}
	if doc := h.okJSON("", "workspace", "show"); doc["source_count"] != 1.0 {
		t.Errorf("source_count %v after a refused duplicate", doc["source_count"])
	}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name, sql string
		seq       int64 // the first bad entry
		entries   float64
	}{
		{"edited entry", `UPDATE audit_entries SET actor = 'mallory' WHERE seq = 1`, 1, 2},
		{"removed last entry", `DELETE FROM audit_entries WHERE seq = 2`, 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createWorkspace("merge_into_existing")
			h.ok("", "workspace", "archive")
			if doc := h.okJSON("", "audit", "verify"); doc["ok"] != true {
				t.Fatalf("clean trail does not verify: %v", doc)
			}

			db, err := sql.Open("sqlite", h.path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// The engine's own wording of the break; the CLI must report it whole.
			reason := engineBreak(t, h.path, tc.seq)

			r := h.run("", "audit", "verify", "--json")
			if r.code != 1 {
				t.Fatalf("audit verify on a tampered trail: exit %d, stderr %s", r.code, r.stderr)
			}
			want := map[string]any{"ok": false, "entries": tc.entries, "break": map[string]any{"seq": float64(tc.seq), "reason": reason}}
			if diff := cmp.Diff(want, decodeOne(t, r.stdout)); diff != "" {
				t.Errorf("audit verify --json (-want +got):\n%s", diff)
			}
			r = h.run("", "audit", "verify")
			checkError(t, r, 1, fmt.Sprintf("audit trail is broken at audit entry %d: %s", tc.seq, reason))
		})
	}
}

// engineBreak asks the engine where the trail at path breaks, requires it
// to be entry seq, and returns the reason.
func engineBreak(t *testing.T, path string, seq int64) string {
	t.Helper()
	w, err := wiring.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, brk, err := w.Service.AuditTrail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if brk == nil || brk.Seq != seq || brk.Reason == "" {
		t.Fatalf("engine reports break %+v, want one at entry %d", brk, seq)
	}
	return brk.Reason
}
