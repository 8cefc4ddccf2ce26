package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

// The demo, end to end through migctl: both incumbents collected (group
// membership included), a pilot wave from the incumbent group Finance
// names who matched a Portal account, who has none (JIT creates it) and
// whose email two accounts share; the preview shows them beside the
// users it moves; the simulator gives each user a role.
func TestWaveByIncumbentGroupOnTheDemo(t *testing.T) {
	h := rolloutWorkspace(t)
	org, err := oktareplay.LoadFS(oktademo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	oktaSrv := oktareplay.Start(t, org, oktareplay.Options{})
	h.addOkta("demo-okta", oktaSrv.URL, oktareplay.Token)
	graphSrv := startGraph(t, graphreplay.Demo(), graphToken)
	h.addEntra("demo-entra", graphSrv.URL(), graphToken)
	okta, r := h.collect("demo-okta")
	checkCompleted(t, okta, r, "demo-okta", "okta", kindCounts(org.Counts()))
	entra, r := h.collect("demo-entra")
	if r.code != 0 || entra.Status != "completed" {
		t.Fatalf("entra collection: exit %d %s", r.code, r.stderr)
	}

	members := h.okJSON("", "inventory", "members", "--snapshot", okta.ID, "--group", "finance")
	if m := members["membership"].(map[string]any); m["collected"] != true || m["memberships"] != float64(org.Memberships()) {
		t.Fatalf("membership: %v", m)
	}
	if members["total"] != float64(10) {
		t.Fatalf("Finance's members: %v", members["total"])
	}
	groupsOf := h.okJSON("", "inventory", "groups-of", "--snapshot", okta.ID, "--user", "PRIYA.PATEL@example-corp.com")
	if found := groupsOf["found"].([]any); len(found) != 1 || !strings.Contains(jsonText(t, found), `"name":"Finance"`) {
		t.Fatalf("groups of priya: %v", groupsOf)
	}

	// Finance is a group of both incumbents: the wave asks which.
	if r := h.run("", "rollout", "wave", "create", "--name", "Finance pilot", "--kind", "pilot", "--group", "Finance"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "choose one snapshot") || !strings.Contains(r.stderr, okta.ID) {
		t.Fatalf("a group both sources hold: exit %d, %s", r.code, r.stderr)
	}
	wave := h.okJSON("", "rollout", "wave", "create", "--name", "Finance pilot", "--kind", "pilot", "--group", "Finance", "--snapshot", okta.ID)
	if wave["selection"] != "group" || wave["snapshot_id"] != okta.ID {
		t.Fatalf("wave: %v", wave)
	}
	matched := map[string]string{}
	for _, m := range wave["members"].([]any) {
		m := m.(map[string]any)
		matched[m["label"].(string)] = m["matched_from"].(string)
	}
	for _, who := range []string{"priya.patel@example-corp.com", "aisha.khan@example-corp.com", "olivia.brown@example-corp.com", "tom.okafor@example-corp.com"} {
		if !strings.HasSuffix(matched[who], " in Finance") {
			t.Errorf("%s did not match from Finance: %v", who, matched)
		}
	}
	left := map[string]string{}
	for _, u := range wave["unmatched"].([]any) {
		u := u.(map[string]any)
		left[u["label"].(string)] = u["reason"].(string)
	}
	for who, why := range map[string]string{"alex.kim@example-corp.com": "ambiguous_email", "nadia.rahman@example-corp.com": "no_portal_account",
		"former.employee@example-corp.com": "inactive_in_incumbent"} {
		if left[who] != why {
			t.Errorf("%s: left out as %q, want %q (all: %v)", who, left[who], why, left)
		}
	}

	human := h.ok("", "rollout", "wave", "preview", "--wave", "Finance pilot").stdout
	for _, want := range []string{"priya.patel@example-corp.com", "matched priya.patel@example-corp.com in Finance", "already_sso",
		"Not in the wave, from incumbent groups Finance (3)", "nadia.rahman@example-corp.com", "JIT will create one",
		"2 Portal accounts share this email up to case (Alex.Kim@example-corp.com", "DEPROVISIONED"} {
		if !strings.Contains(human, want) {
			t.Errorf("the preview does not say %q:\n%s", want, human)
		}
	}

	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"rules":[{"source_attribute":"groups","match_value":"Engineering","role":"operator"}],"default_role":"member"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("", "rollout", "roles", "set", "--file", rules)
	sim := h.okJSON("", "rollout", "roles", "simulate", "--snapshot", entra.ID)
	if sim["per_user"] != true {
		t.Fatalf("the simulator did not run per user: %v", sim["notes"])
	}
	roles := map[string]string{}
	for _, u := range sim["users"].([]any) {
		u := u.(map[string]any)
		roles[u["name"].(string)] = u["grants"].(string)
	}
	if roles["elena.rossi@example-corp.com"] != "role operator" || roles["priya.patel@example-corp.com"] != "role member (default)" {
		t.Errorf("roles per user: elena %q, priya %q", roles["elena.rossi@example-corp.com"], roles["priya.patel@example-corp.com"])
	}
	if out := h.ok("", "rollout", "roles", "simulate", "--snapshot", entra.ID).stdout; !strings.Contains(out, "USER") || !strings.Contains(out, "elena.rossi@example-corp.com") {
		t.Errorf("human simulation without users:\n%s", out)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
