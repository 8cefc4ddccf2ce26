package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/workspace"
)

// TestVersionedDocuments: every --json document is an object whose first
// key is format_version, whatever its Go type; anything else is refused
// rather than printed unversioned.
func TestVersionedDocuments(t *testing.T) {
	cases := []struct {
		name string
		doc  any
		want string
	}{
		{"struct", struct {
			ID string `json:"id"`
		}{"w1"}, "{\n  \"format_version\": \"1.0\",\n  \"id\": \"w1\"\n}\n"},
		{"empty object", struct{}{}, "{\n  \"format_version\": \"1.0\"\n}\n"},
		{"map", map[string]int{"b": 2, "a": 1}, "{\n  \"format_version\": \"1.0\",\n  \"a\": 1,\n  \"b\": 2\n}\n"},
		{"a source's own encoding", workspace.Source{ID: "s1", Kind: "okta", Settings: json.RawMessage(`{"org_url":"https://a.example"}`)},
			`"format_version": "1.0",` + "\n  \"id\": \"s1\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := versioned(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", b, tc.want)
			}
			if !strings.HasPrefix(string(b), "{\n  \"format_version\": \"1.0\"") {
				t.Errorf("format_version is not the first key:\n%s", b)
			}
		})
	}
	for _, bad := range []any{[]int{1}, "text", 3} {
		if b, err := versioned(bad); err == nil {
			t.Errorf("%T printed as a document: %s", bad, b)
		}
	}
}

// TestEveryCommandVersionsItsJSON runs commands without a workspace or
// keychain and checks their --json documents; the harness checks
// format_version on every document the other tests decode.
func TestEveryCommandVersionsItsJSON(t *testing.T) {
	h := newHarness(t)
	h.createWorkspace("first_run_adoption")
	for _, args := range [][]string{
		{"workspace", "show"}, {"source", "list"}, {"audit", "list"}, {"audit", "verify"}, {"inventory", "list"},
	} {
		r := h.ok("", append(args, "--json")...)
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc["format_version"] != formatVersion {
			t.Errorf("migctl %s --json: format_version %v (%v)", strings.Join(args, " "), doc["format_version"], err)
		}
	}
}

func TestHowToSupplyWhatIsMissing(t *testing.T) {
	noCred := fmt.Errorf("%w: source %q %w", workspace.ErrInvalid, "x", workspace.ErrNoCredential)
	if got := howTo(noCred); !strings.Contains(got, "--secret-stdin") {
		t.Errorf("a missing credential: %q", got)
	}
	if got := howTo(fmt.Errorf("okta org URL: %w", endpoint.ErrCredentialsInURL)); !strings.Contains(got, "stdin") {
		t.Errorf("credentials in a URL: %q", got)
	}
	if got := howTo(errors.New("anything else")); got != "" {
		t.Errorf("an unrelated error got a hint: %q", got)
	}
}
