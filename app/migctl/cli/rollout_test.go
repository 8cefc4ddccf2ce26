package cli

import (
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

// rolloutWorkspace is a workspace connected to a demo sandbox.
func rolloutWorkspace(t *testing.T) *harness {
	t.Helper()
	portal := newPortalSandbox(t, sandbox.SeedDemo)
	h, _ := demoWorkspace(t)
	h.ok(portal.manager()+"\n", "workspace", "connect", "--target-url", portal.url, "--target-token-stdin")
	return h
}

func TestRolloutCommands(t *testing.T) {
	h := rolloutWorkspace(t)

	doc := h.okJSON("", "rollout", "checklist")
	items, _ := doc["items"].([]any)
	if len(items) != 7 || doc["tenant_blocked"] != false {
		t.Fatalf("checklist: %d items, tenant_blocked %v", len(items), doc["tenant_blocked"])
	}
	route := h.okJSON("", "rollout", "route", "--email", "priya.patel@example-corp.com")
	if route["outcome"] != "routed" || route["deterministic"] != true || !strings.Contains(route["reason"].(string), "Okta Corporate SAML") {
		t.Fatalf("route: %v", route)
	}

	h.okJSON("", "rollout", "wave", "create", "--name", "Pilot", "--kind", "pilot",
		"--user", "aisha.khan@example-corp.com", "--user", "ben.carter@example-corp.com", "--user", "warehouse.lead")
	preview := h.okJSON("", "rollout", "wave", "preview", "--wave", "Pilot")
	steps := preview["steps"].([]any)
	refused := steps[2].(map[string]any)
	if refused["state"] != "refused" || refused["reason"] != "no_email" {
		t.Fatalf("warehouse.lead in the preview: %v", refused)
	}
	applied := h.okJSON("", "rollout", "wave", "apply", "--wave", "Pilot")
	if run := applied["run"].(map[string]any); run["status"] != "completed" || run["counts"].(map[string]any)["applied"] != float64(2) {
		t.Fatalf("apply: %v", applied["run"])
	}

	// Nobody in the pilot has logged in: enforcement refuses both by name.
	enf := h.okJSON("", "rollout", "enforce", "--wave", "Pilot", "--preview")
	if !strings.Contains(enf["warning"].(string), "locked out") {
		t.Errorf("enforcement preview without the warning: %v", enf["warning"])
	}
	for _, s := range enf["steps"].([]any)[:2] {
		if st := s.(map[string]any); st["state"] != "refused" || st["reason"] != "not_linked" {
			t.Errorf("unlinked %v was not refused", st["label"])
		}
	}
	human := h.ok("", "rollout", "enforce", "--wave", "Pilot", "--preview").stdout
	if !strings.Contains(human, "WARNING: SSO_REQUIRED removes the local login") || !strings.Contains(human, "aisha.khan@example-corp.com") {
		t.Errorf("human enforcement preview:\n%s", human)
	}

	board := h.okJSON("", "rollout", "wave", "list")
	if w := board["waves"].([]any)[0].(map[string]any); w["auth_mode"].(map[string]any)["SSO_PREFERRED"] != float64(2) {
		t.Fatalf("board: %v", w)
	}

	h.okJSON("", "rollout", "rollback", "--preview")
	back := h.okJSON("", "rollout", "rollback", "--apply")
	if back["run"].(map[string]any)["status"] != "completed" {
		t.Fatalf("rollback: %v", back["run"])
	}
	if r := h.run("", "rollout", "rollback", "--apply"); r.code != 1 || !strings.Contains(r.stderr, "rollback --preview") {
		t.Errorf("a second apply without a preview: exit %d, %s", r.code, r.stderr)
	}

	trail := h.okJSON("", "audit", "list")
	seen := map[string]bool{}
	for _, e := range trail["entries"].([]any) {
		seen[e.(map[string]any)["event"].(string)] = true
	}
	for _, ev := range []string{audit.RolloutWaveCreated, audit.RolloutWaveApplied, audit.RolloutEnforcementPreviewed, audit.RolloutRolledBack, audit.RolloutStepApplied} {
		if !seen[ev] {
			t.Errorf("audit list has no %s", ev)
		}
	}
	h.ok("", "audit", "verify")
}

func TestRolloutBadUsage(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"rollout", "route", "--email", "a@example.test", "--username", "a"},
		{"rollout", "enforce", "--wave", "Pilot"},
		{"rollout", "rollback", "--preview", "--apply"},
		{"rollout", "scim", "--preview"},
		{"rollout", "wave", "create", "--name", "x", "--kind", "big", "--domain", "example.test"},
		{"rollout", "roles", "approve", "--rule", "0"},
		{"rollout"},
	} {
		if r := h.run("", args...); r.code != exitUsage {
			t.Errorf("migctl %s: exit %d, want 2 (%s)", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}
