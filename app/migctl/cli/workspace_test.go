package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// timeField checks that doc[key] is an RFC 3339 time and returns it.
func timeField(t *testing.T, doc map[string]any, key string) string {
	t.Helper()
	s, _ := doc[key].(string)
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		t.Fatalf("%s = %v: not an RFC 3339 time", key, doc[key])
	}
	return s
}

// TestDoneWhen is the done-when sequence: create a merge workspace,
// pipe an Okta token into source add, and read the summary.
func TestDoneWhen(t *testing.T) {
	h := newHarness(t)
	kc := requireKeychain(t, h)
	ctx := context.Background()

	created := h.okJSON("", "workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing")
	wsID, _ := created["id"].(string)
	if !hexID.MatchString(wsID) {
		t.Fatalf("workspace id %q is not 32 hex characters", wsID)
	}
	createdAt := timeField(t, created, "created_at")
	if diff := cmp.Diff(map[string]any{
		"id": wsID, "tenant": "acme", "mode": "merge_into_existing", "status": "draft",
		"target": map[string]any{}, "created_at": createdAt, "updated_at": created["updated_at"],
		"path": h.path, "target_token_stored": false,
	}, created); diff != "" {
		t.Errorf("workspace create --json (-want +got):\n%s", diff)
	}
	timeField(t, created, "updated_at")

	added := h.okJSON("fake-token-for-tests\n", "source", "add", "okta", "--name", "acme-okta", "--org-url", "https://acme.okta.com", "--secret-stdin")
	srcID, _ := added["id"].(string)
	if !hexID.MatchString(srcID) {
		t.Fatalf("source id %q is not 32 hex characters", srcID)
	}
	if diff := cmp.Diff(map[string]any{
		"id": srcID, "name": "acme-okta", "kind": "okta", "status": "configured",
		"okta":       map[string]any{"org_url": "https://acme.okta.com", "auth": "api_token"},
		"created_at": timeField(t, added, "created_at"),
	}, added); diff != "" {
		t.Errorf("source add okta --json (-want +got):\n%s", diff)
	}
	stored, err := kc.Get(ctx, wsID, workspace.SourceRole("acme-okta"))
	if err != nil {
		t.Fatalf("the credential is not in the keychain: %v", err)
	}
	if stored.Reveal() != "fake-token-for-tests" {
		t.Errorf("keychain holds a credential of %d bytes, want the piped token without its newline", len(stored.Reveal()))
	}

	summary := h.okJSON("", "workspace", "show")
	if diff := cmp.Diff(map[string]any{
		"workspace_id":                   wsID,
		"tenant":                         "acme",
		"mode":                           "merge_into_existing",
		"status":                         "ready_for_inventory",
		"target_url":                     "",
		"created_at":                     createdAt,
		"last_inventory_at":              nil,
		"source_count":                   1.0,
		"configured_source_count":        1.0,
		"ocm_status":                     "not_started",
		"ocm_review_status":              "not_started",
		"unavoidable_change_count":       0.0,
		"assessment_status":              "not_started",
		"latest_assessment_started_at":   nil,
		"latest_assessment_completed_at": nil,
		"merge_review_status":            "not_started",
		"pending_merge_decision_count":   0.0,
		"resolved_merge_decision_count":  0.0,
		"preview_handoff_status":         "blocked",
		"preview_handoff_blockers": []any{
			map[string]any{"code": "no_completed_inventory", "message": "Collect an inventory snapshot from a source."},
			map[string]any{"code": "no_completed_assessment", "message": "Run a compatibility assessment on a completed snapshot."},
		},
	}, summary); diff != "" {
		t.Errorf("workspace show --json (-want +got):\n%s", diff)
	}

	human := h.ok("", "workspace", "show").stdout
	for _, want := range []string{wsID, "acme", "merge_into_existing", "ready_for_inventory", "1 (1 configured)", "Collect an inventory snapshot from a source. (no_completed_inventory)"} {
		if !strings.Contains(human, want) {
			t.Errorf("workspace show lacks %q:\n%s", want, human)
		}
	}

	listed := h.okJSON("", "source", "list")
	if diff := cmp.Diff(map[string]any{"sources": []any{added}}, listed); diff != "" {
		t.Errorf("source list --json (-want +got):\n%s", diff)
	}
	if out := h.ok("", "source", "list").stdout; !strings.Contains(out, "acme-okta") || !strings.Contains(out, "https://acme.okta.com") || !strings.Contains(out, "NAME") {
		t.Errorf("source list does not show the source as a table:\n%s", out)
	}

	trail := h.okJSON("", "audit", "list")
	entries, _ := trail["entries"].([]any)
	if len(trail) != 1 || len(entries) != 2 {
		t.Fatalf("audit list --json: want one key with 2 entries, got %v", trail)
	}
	first, second := entries[0].(map[string]any), entries[1].(map[string]any)
	if diff := cmp.Diff(map[string]any{
		"seq": 1.0, "at": timeField(t, first, "at"), "event": audit.WorkspaceCreated, "tenant": "acme",
		"actor": "test-consultant", "target_id": wsID,
		"facts":     map[string]any{"mode": "merge_into_existing", "status": "draft"},
		"prev_hash": audit.GenesisHash, "hash": first["hash"],
	}, first); diff != "" {
		t.Errorf("audit entry 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{
		"seq": 2.0, "at": timeField(t, second, "at"), "event": audit.SourceCreated, "tenant": "acme",
		"actor": "test-consultant", "target_id": srcID,
		"facts": map[string]any{
			"name": "acme-okta", "kind": "okta", "status": "configured", "org_url": "https://acme.okta.com",
			"auth": "api_token", "workspace_status": "ready_for_inventory",
		},
		"prev_hash": first["hash"], "hash": second["hash"],
	}, second); diff != "" {
		t.Errorf("audit entry 2 (-want +got):\n%s", diff)
	}
	if h, _ := second["hash"].(string); len(h) != 64 {
		t.Errorf("audit entry 2 hash %q is not a SHA-256", h)
	}

	verified := h.okJSON("", "audit", "verify")
	anchor, _ := verified["anchor"].(map[string]any)
	delete(verified, "anchor")
	if diff := cmp.Diff(map[string]any{"ok": true, "entries": 2.0, "break": nil, "file_changed_outside_console": false}, verified); diff != "" {
		t.Errorf("audit verify --json (-want +got):\n%s", diff)
	}
	if anchor["status"] != audit.ChainOnly && (anchor["status"] != audit.Anchored || anchor["anchored_seq"] != 2.0) {
		t.Errorf("audit verify --json anchor: %v", anchor)
	}

	archived := h.okJSON("", "source", "archive", "--name", "acme-okta")
	if diff := cmp.Diff(map[string]any{
		"id": srcID, "name": "acme-okta", "kind": "okta", "status": "archived",
		"okta":       map[string]any{"org_url": "https://acme.okta.com", "auth": "api_token"},
		"created_at": added["created_at"], "archived_at": timeField(t, archived, "archived_at"),
	}, archived); diff != "" {
		t.Errorf("source archive --json (-want +got):\n%s", diff)
	}
	if _, err := kc.Get(ctx, wsID, workspace.SourceRole("acme-okta")); !errors.Is(err, keychain.ErrNotFound) {
		t.Errorf("archived source's credential still in the keychain (err %v)", err)
	}
	summary = h.okJSON("", "workspace", "show")
	if summary["status"] != "draft" || summary["source_count"] != 1.0 || summary["configured_source_count"] != 0.0 {
		t.Errorf("after archiving the only source: status %v, source_count %v, configured_source_count %v",
			summary["status"], summary["source_count"], summary["configured_source_count"])
	}

	wsArchived := h.okJSON("", "workspace", "archive")
	if diff := cmp.Diff(map[string]any{
		"id": wsID, "tenant": "acme", "mode": "merge_into_existing", "status": "archived",
		"target": map[string]any{}, "created_at": createdAt, "updated_at": timeField(t, wsArchived, "updated_at"),
	}, wsArchived); diff != "" {
		t.Errorf("workspace archive --json (-want +got):\n%s", diff)
	}
}

func TestWorkspaceCreateWithTarget(t *testing.T) {
	h := newHarness(t)
	kc := requireKeychain(t, h)
	h.env["PORTAL_TOKEN"] = "fake-portal-token-for-tests"
	created := h.okJSON("", "workspace", "create", "--tenant", "acme", "--mode", "first_run_adoption",
		"--target-url", "http://127.0.0.1:8443/", "--target-token-env", "PORTAL_TOKEN")
	wsID, _ := created["id"].(string)
	if diff := cmp.Diff(map[string]any{
		"id": wsID, "tenant": "acme", "mode": "first_run_adoption", "status": "draft",
		"target":     map[string]any{"url": "http://127.0.0.1:8443"},
		"created_at": timeField(t, created, "created_at"), "updated_at": created["updated_at"],
		"path": h.path, "target_token_stored": true,
	}, created); diff != "" {
		t.Errorf("workspace create --json (-want +got):\n%s", diff)
	}
	tok, err := kc.Get(context.Background(), wsID, workspace.RoleTargetToken)
	if err != nil || tok.Reveal() != "fake-portal-token-for-tests" {
		t.Errorf("target token not in the keychain as given (err %v)", err)
	}
	sum := h.okJSON("", "workspace", "show")
	if sum["target_url"] != "http://127.0.0.1:8443" || sum["merge_review_status"] != "not_applicable" || sum["status"] != "draft" {
		t.Errorf("summary: target_url %v, merge_review_status %v, status %v", sum["target_url"], sum["merge_review_status"], sum["status"])
	}
}

func TestSourceAddEntra(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	h.env["ENTRA_SECRET"] = "fake-entra-client-secret-for-tests"
	added := h.okJSON("", "source", "add", "entra", "--name", "contoso", "--tenant-id", "contoso.onmicrosoft.com",
		"--client-id", "11111111-2222-3333-4444-555555555555", "--cloud", "usgov",
		"--graph-url", "http://127.0.0.1:9000/", "--authority-url", "http://localhost:9001",
		"--auth", "client_secret", "--secret-env", "ENTRA_SECRET")
	if diff := cmp.Diff(map[string]any{
		"id": added["id"], "name": "contoso", "kind": "entra", "status": "configured",
		"entra": map[string]any{
			"tenant_id": "contoso.onmicrosoft.com", "client_id": "11111111-2222-3333-4444-555555555555",
			"auth": "client_secret", "cloud": "usgov", "graph_url": "http://127.0.0.1:9000", "authority_url": "http://localhost:9001",
		},
		"created_at": timeField(t, added, "created_at"),
	}, added); diff != "" {
		t.Errorf("source add entra --json (-want +got):\n%s", diff)
	}
	if out := h.ok("", "source", "list").stdout; !strings.Contains(out, "tenant contoso.onmicrosoft.com, usgov cloud") {
		t.Errorf("source list:\n%s", out)
	}
}

func TestHumanOutput(t *testing.T) {
	h := newHarness(t)
	out := h.ok("", "workspace", "create", "--tenant", "acme", "--mode", "merge_into_existing").stdout
	if !strings.HasPrefix(out, "Created workspace ") || !strings.Contains(out, "tenant acme") || !strings.Contains(out, "Status: draft") {
		t.Errorf("workspace create:\n%s", out)
	}
	if out := h.ok("", "source", "list").stdout; !strings.HasPrefix(out, "No sources yet.") {
		t.Errorf("source list on an empty workspace:\n%s", out)
	}
	if doc := h.okJSON("", "source", "list"); cmp.Diff(map[string]any{"sources": []any{}}, doc) != "" {
		t.Errorf("source list --json on an empty workspace: %v", doc)
	}
	if out := h.ok("", "audit", "verify").stdout; !strings.HasPrefix(out, "Audit trail intact: 1 entry, each linked to the one before.\n") ||
		!(strings.Contains(out, "Anchored: the trail ends at entry 1") || strings.Contains(out, "Only the file's own chain was checked")) {
		t.Errorf("audit verify: %q", out)
	}
	if out := h.ok("", "audit", "list").stdout; !strings.Contains(out, audit.WorkspaceCreated) || !strings.Contains(out, "mode=merge_into_existing status=draft") {
		t.Errorf("audit list:\n%s", out)
	}
	if out := h.ok("", "workspace", "archive").stdout; !strings.HasPrefix(out, "Archived workspace ") {
		t.Errorf("workspace archive:\n%s", out)
	}
}
