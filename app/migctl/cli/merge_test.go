package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/readiness"
)

// The whole review through migctl, as a script would run it: the demo Okta
// org against the demo sandbox Portal, assessed, every overlap decided and
// every impact acknowledged, until the gate is ready and the audit trail
// verifies.
func TestMergeReviewAndOCMThroughMigctl(t *testing.T) {
	h, _ := demoWorkspace(t)
	p := newPortalSandbox(t, sandbox.SeedDemo)
	h.ok(p.manager()+"\n", "workspace", "connect", "--target-url", p.url, "--target-token-stdin")
	org, err := oktareplay.LoadFS(oktademo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	const oktaToken = "fake-okta-token-for-merge-cli-tests"
	srv := oktareplay.Start(t, org, oktareplay.Options{Token: oktaToken})
	h.addOkta("demo-okta", srv.URL, oktaToken)
	if _, r := h.collect("demo-okta"); r.code != 0 {
		t.Fatalf("collect: %s", r.stderr)
	}
	h.ok("", "assessment", "run", "--source", "demo-okta")

	var page merge.Page
	decodeInto(t, h.ok("", "merge", "list", "--status", "pending", "--json").stdout, &page)
	if len(page.Decisions) < 5 || page.Pending != len(page.Decisions) || len(page.Scans) != 1 {
		t.Fatalf("merge list: %d rows, %d pending, %d scans", len(page.Decisions), page.Pending, len(page.Scans))
	}
	human := h.ok("", "merge", "list").stdout
	if !strings.Contains(human, "pending") || !strings.Contains(human, page.Decisions[0].ID) {
		t.Fatalf("merge list for people:\n%s", human)
	}
	grp := page.Decisions[slices.IndexFunc(page.Decisions, func(d merge.Decision) bool { return d.Noun == "group" })]

	var det merge.Detail
	decodeInto(t, h.ok("", "merge", "show", "--decision", grp.ID, "--json").stdout, &det)
	if len(det.Diffs) != 1 || len(det.Diffs[0].Fields) == 0 || det.CreateNewRefused == "" {
		t.Fatalf("merge show: %+v", det)
	}
	if out := h.ok("", "merge", "show", "--decision", grp.ID).stdout; !strings.Contains(out, "FIELD") || !strings.Contains(out, "by name") {
		t.Fatalf("merge show for people:\n%s", out)
	} else {
		t.Logf("merge list:\n%s\nmerge show:\n%s", human, out)
	}

	// Refusals: a target that is not a match is bad usage; create_new under
	// the live name fails; neither changes the row.
	if r := h.run("", "merge", "resolve", "--decision", grp.ID, "--map-to", "grp_not_a_match"); r.code != 2 || !strings.Contains(r.stderr, "not one of") {
		t.Fatalf("map to a non-match: exit %d: %s", r.code, r.stderr)
	}
	if r := h.run("", "merge", "resolve", "--decision", grp.ID, "--create-new"); r.code != 1 || !strings.Contains(r.stderr, "already has a group named") {
		t.Fatalf("create_new under the live name: exit %d: %s", r.code, r.stderr)
	}
	if r := h.run("", "merge", "resolve", "--decision", grp.ID); r.code != 2 {
		t.Fatalf("resolve without a decision: exit %d", r.code)
	}
	var one merge.Decision
	decodeInto(t, h.ok("", "merge", "resolve", "--decision", grp.ID, "--create-new", "--name", grp.DisplayName+" (Okta)",
		"--note", "kept apart from the live group", "--json").stdout, &one)
	if one.Status != merge.StatusResolved || one.Resolution != merge.CreateNew || one.ResolvedBy != "test-consultant" {
		t.Fatalf("resolved %+v", one)
	}

	// Bulk: the dry run lists, the real run decides.
	var dry merge.BulkResult
	decodeInto(t, h.ok("", "merge", "resolve", "--all", "--map-to-match", "--dry-run", "--json").stdout, &dry)
	if !dry.DryRun || dry.Resolved != len(page.Decisions)-1 {
		t.Fatalf("dry run %+v", dry)
	}
	decodeInto(t, h.ok("", "merge", "list", "--json").stdout, &page)
	if page.Pending != len(page.Decisions)-1 {
		t.Fatalf("the dry run changed rows: %d pending", page.Pending)
	}
	h.ok("", "merge", "resolve", "--all", "--map-to-match", "--note", "reuse the live objects")
	decodeInto(t, h.ok("", "merge", "list", "--json").stdout, &page)
	if page.Pending != 0 {
		t.Fatalf("%d rows still pending", page.Pending)
	}

	// OCM: one impact, then a group, then the rest.
	var l ocm.Listing
	decodeInto(t, h.ok("", "ocm", "list", "--json").stdout, &l)
	if l.Total == 0 || l.Pending != l.Total {
		t.Fatalf("ocm list %+v", l)
	}
	first := l.Groups[0].Impacts[0]
	if r := h.run("", "ocm", "ack"); r.code != 2 {
		t.Fatalf("ack without a selection: exit %d", r.code)
	}
	var ack ocm.AckResult
	decodeInto(t, h.ok("", "ocm", "ack", "--impact", first.ID, "--note", "sponsor agreed", "--json").stdout, &ack)
	if len(ack.Acknowledged) != 1 || ack.Acknowledged[0].AckedBy != "test-consultant" {
		t.Fatalf("ack one: %+v", ack)
	}
	decodeInto(t, h.ok("", "ocm", "ack", "--audience", string(l.Groups[0].Audience), "--severity", string(l.Groups[0].Severity), "--dry-run", "--json").stdout, &ack)
	if !ack.DryRun || len(ack.Acknowledged) != len(l.Groups[0].Impacts)-1 || ack.Unchanged != 1 {
		t.Fatalf("dry-run ack of a group: %+v", ack)
	}
	sum := h.okJSON("", "workspace", "show")
	if sum["preview_handoff_status"] != readiness.HandoffBlocked {
		t.Fatalf("gate open with impacts unacknowledged: %v", sum["preview_handoff_blockers"])
	}
	h.ok("", "ocm", "ack", "--all", "--note", "customer workshop 3")
	if out := h.ok("", "ocm", "list").stdout; !strings.Contains(out, "acknowledged by test-consultant") {
		t.Fatalf("ocm list for people:\n%s", out)
	}

	sum = h.okJSON("", "workspace", "show")
	if sum["preview_handoff_status"] != readiness.HandoffReady || sum["pending_merge_decision_count"] != float64(0) ||
		sum["resolved_merge_decision_count"] != float64(len(page.Decisions)) || sum["merge_review_status"] != merge.ReviewComplete ||
		sum["ocm_review_status"] != ocm.ReviewAcknowledged {
		b, _ := json.Marshal(sum)
		t.Fatalf("summary %s", b)
	}
	h.ok("", "audit", "verify")
	trail := h.ok("", "audit", "list").stdout
	if strings.Count(trail, "migration.merge_decision.resolved") != len(page.Decisions) || !strings.Contains(trail, "migration.ocm_impacts.acknowledged") {
		t.Fatalf("audit trail:\n%s", trail)
	}
}
