package cli

import (
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	oktademo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

// runDoc is the part of an assessment run document the tests read.
type runDoc struct {
	ID                string         `json:"id"`
	SnapshotID        string         `json:"snapshot_id"`
	Status            string         `json:"status"`
	ClassifierVersion string         `json:"classifier_version"`
	Counts            map[string]int `json:"counts"`
	ItemCount         int            `json:"item_count"`
	ImpactCount       int            `json:"impact_count"`
	Unavoidable       int            `json:"unavoidable_change_count"`
	Error             string         `json:"error"`
}

type findingDoc struct {
	RuleID        string `json:"rule_id"`
	Class         string `json:"class"`
	Rationale     string `json:"rationale"`
	BlockedReason string `json:"blocked_reason"`
}

type resultDoc struct {
	ItemID        int64        `json:"item_id"`
	SourceID      string       `json:"source_id"`
	Kind          string       `json:"kind"`
	DisplayName   string       `json:"display_name"`
	Class         string       `json:"class"`
	RuleID        string       `json:"rule_id"`
	Rationale     string       `json:"rationale"`
	BlockedReason string       `json:"blocked_reason"`
	Findings      []findingDoc `json:"findings"`
	Target        struct {
		Noun string `json:"noun"`
	} `json:"target_contract"`
}

type showDoc struct {
	Assessment runDoc      `json:"assessment"`
	Results    []resultDoc `json:"results"`
	Total      int         `json:"total"`
}

var classNamesInOrder = []string{"native_import", "import_with_approximation", "visibility_only", "manual_rebuild_required", "blocked"}

// assessSource runs an assessment of the source's newest snapshot through
// migctl and reads every result back, class by class.
func (h *harness) assessSource(source string, itemCount int) (runDoc, map[string][]resultDoc) {
	h.t.Helper()
	var run runDoc
	decodeInto(h.t, h.ok("", "assessment", "run", "--source", source, "--json").stdout, &run)
	if run.Status != "completed" || run.ItemCount != itemCount {
		h.t.Fatalf("assessment of %s: %+v, want completed with %d items", source, run, itemCount)
	}
	byClass := map[string][]resultDoc{}
	total := 0
	for _, c := range classNamesInOrder {
		var doc showDoc
		decodeInto(h.t, h.ok("", "assessment", "show", "--assessment", run.ID, "--class", c, "--limit", "100000", "--json").stdout, &doc)
		if doc.Total != run.Counts[c] || len(doc.Results) != doc.Total {
			h.t.Fatalf("%s: show --class %s lists %d of %d, the run counts %d", source, c, len(doc.Results), doc.Total, run.Counts[c])
		}
		for _, r := range doc.Results {
			if r.Class != c || r.RuleID == "" || r.Rationale == "" || len(r.Findings) == 0 || r.Findings[0].RuleID != r.RuleID {
				h.t.Fatalf("%s: a %s result without its rule and reason: %+v", source, c, r)
			}
			if c == "blocked" && r.BlockedReason == "" {
				h.t.Fatalf("%s: blocked without a reason: %+v", source, r)
			}
		}
		byClass[c] = doc.Results
		total += doc.Total
	}
	if total != itemCount {
		h.t.Fatalf("%s: the classes hold %d items of %d", source, total, itemCount)
	}
	return run, byClass
}

// decidedBy reports whether some result of class was decided by rule.
func decidedBy(results []resultDoc, rule string) bool {
	return slices.ContainsFunc(results, func(r resultDoc) bool { return r.RuleID == rule })
}

func ruleTally(byClass map[string][]resultDoc) string {
	n := map[string]int{}
	for _, rs := range byClass {
		for _, r := range rs {
			for _, f := range r.Findings {
				n[f.RuleID]++
			}
		}
	}
	var out []string
	for id, c := range n {
		out = append(out, id+"="+itoa(c))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func itoa(n int) string { return strconv.Itoa(n) }

// The whole flow on the demo tenants, replayed through the vendors' wire
// formats: collect each source, assess it, and read every result back by
// class; each class holds the items the demo puts there, decided by the
// rules that should decide them, with their reasons.
func TestCollectThenAssessDemoTenants(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")

	org, err := oktareplay.LoadFS(oktademo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	oktaSrv := oktareplay.Start(t, org, oktareplay.Options{})
	h.addOkta("demo-okta", oktaSrv.URL, oktareplay.Token)
	graphSrv := startGraph(t, graphreplay.Demo(), graphToken)
	h.addEntra("demo-entra", graphSrv.URL(), graphToken)

	oktaSnap, _ := h.collect("demo-okta")
	entraSnap, _ := h.collect("demo-entra")
	oktaRun, okta := h.assessSource("demo-okta", oktaSnap.ItemCount)
	entraRun, entra := h.assessSource("demo-entra", entraSnap.ItemCount)
	if os.Getenv("PMC_TEST_VERBOSE") != "" {
		t.Logf("okta %v\n%s", oktaRun.Counts, ruleTally(okta))
		t.Logf("entra %v\n%s", entraRun.Counts, ruleTally(entra))
	}
	// Each class holds what the demo tenants put there, decided by the rule
	// that should decide it.
	for _, want := range []struct {
		vendor  string
		results map[string][]resultDoc
		class   string
		rules   []string
	}{
		{"okta", okta, "native_import", []string{"ANY-ASSIGN-GROUP-001", "ANY-GROUP-TENANT-001", "OKTA-ROUTING-DOMAIN-001", "ANY-PROVIDER-SAML-001"}},
		{"okta", okta, "import_with_approximation", []string{"OKTA-APP-OIDC-REFRESH-001", "OKTA-GROUP-APPGROUP-001", "OKTA-POLICY-SIGNON-001", "OKTA-POLICY-MFAENROLL-001"}},
		{"okta", okta, "visibility_only", []string{"ANY-APP-BOOKMARK-001", "OKTA-GROUP-BUILTIN-001", "OKTA-ASSIGN-INHERITED-001"}},
		{"okta", okta, "manual_rebuild_required", []string{"ANY-APP-SAML-001", "ANY-APP-PASSWORD-001", "OKTA-APP-WSFED-001", "OKTA-ROUTING-REGEX-001"}},
		{"okta", okta, "blocked", []string{"ANY-ASSIGN-USER-001", "ANY-GROUP-RESERVED-001", "ANY-PROVIDER-SAML-002", "OKTA-ROUTING-PROVIDER-001"}},
		{"entra", entra, "native_import", []string{"ANY-GROUP-TENANT-001", "ENTRA-APPREG-OIDC-001"}},
		{"entra", entra, "import_with_approximation", []string{"ENTRA-GROUP-DYNAMIC-001", "ENTRA-GROUP-M365-001", "ENTRA-ASSIGN-ROLE-001", "ENTRA-CA-001"}},
		{"entra", entra, "visibility_only", []string{"ENTRA-SP-MSFT-001", "ENTRA-SP-MI-001", "ENTRA-DOMAIN-001"}},
		{"entra", entra, "manual_rebuild_required", []string{"ANY-APP-SAML-001", "ENTRA-SP-OIDC-001", "ENTRA-SP-THIRDPARTY-001"}},
		{"entra", entra, "blocked", []string{"ANY-ASSIGN-USER-001", "ANY-APP-SAML-CERT-001"}},
	} {
		for _, rule := range want.rules {
			if !decidedBy(want.results[want.class], rule) {
				t.Errorf("%s %s: no item decided by %s", want.vendor, want.class, rule)
			}
		}
	}
	// The Portal hosts OIDC clients only: no SAML, WS-Fed, password or
	// bookmark app, nor any policy or domain, is native_import.
	for _, rs := range [][]resultDoc{okta["native_import"], entra["native_import"]} {
		for _, r := range rs {
			if r.Kind == "policy" || r.Kind == "domain" || (r.Kind == "application" && !strings.Contains(r.RuleID, "OIDC")) {
				t.Errorf("native_import %s %q by %s", r.Kind, r.DisplayName, r.RuleID)
			}
		}
	}

	// The summary reads the runs: assessment completed, its blocker gone.
	var sum struct {
		AssessmentStatus string `json:"assessment_status"`
		Unavoidable      int    `json:"unavoidable_change_count"`
		Blockers         []struct {
			Code string `json:"code"`
		} `json:"preview_handoff_blockers"`
	}
	decodeInto(t, h.ok("", "workspace", "show", "--json").stdout, &sum)
	if sum.AssessmentStatus != "completed" || sum.Unavoidable == 0 {
		t.Errorf("workspace show: assessment %s, unavoidable changes %d", sum.AssessmentStatus, sum.Unavoidable)
	}
	for _, b := range sum.Blockers {
		if strings.Contains(b.Code, "assessment") {
			t.Errorf("workspace show still blocks on the assessment: %+v", sum.Blockers)
		}
	}

	// A what-if moves the roll-up, never the verdict.
	user := okta["blocked"][slices.IndexFunc(okta["blocked"], func(r resultDoc) bool { return r.RuleID == "ANY-ASSIGN-USER-001" })]
	readyBefore := h.readiness(oktaRun.ID)
	h.ok("", "assessment", "dispose", "--assessment", oktaRun.ID, "--item", itoa(int(user.ItemID)), "--rule", "ANY-ASSIGN-USER-001",
		"--disposition", "will_fix", "--note", "adding the user to the app's group", "--owner", "IAM lead", "--review-date", "2026-03-01")
	if after := h.readiness(oktaRun.ID); after.Total.Ready != readyBefore.Total.Ready+1 || after.Total.Counts["blocked"] != readyBefore.Total.Counts["blocked"] {
		t.Errorf("readiness before %+v, after %+v", readyBefore.Total, after.Total)
	}
	if r := h.run("", "assessment", "dispose", "--item", itoa(int(user.ItemID)), "--rule", "ANY-ASSIGN-USER-001", "--disposition", "risk_accepted",
		"--note", "x", "--owner", "y"); r.code != 2 || !strings.Contains(r.stderr, "review date") {
		t.Errorf("risk accepted without a review date: exit %d, %s", r.code, r.stderr)
	}

	// A rerun of the same snapshot changes nothing, and carries the
	// disposition over.
	rerun, _ := h.assessSource("demo-okta", oktaSnap.ItemCount)
	var diff struct {
		CatalogueChanged bool `json:"catalogue_changed"`
		Buckets          []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		} `json:"buckets"`
		Unchanged int `json:"unchanged"`
	}
	decodeInto(t, h.ok("", "assessment", "diff", "--from", oktaRun.ID, "--to", rerun.ID, "--json").stdout, &diff)
	if diff.CatalogueChanged || diff.Unchanged != oktaSnap.ItemCount || len(diff.Buckets) != 4 {
		t.Errorf("diff of two runs of one snapshot: %+v", diff)
	}
	if after := h.readiness(rerun.ID); after.Total.Resolved != 1 {
		t.Errorf("the disposition did not carry over to the rerun: %+v", after.Total)
	}

	// The assessment report carries the classes, the unavoidable changes,
	// every item's deciding rule and the catalogue, in JSON and in the PDF.
	checkAssessmentReport(t, h, map[string]runDoc{"demo-okta": rerun, "demo-entra": entraRun},
		map[string]map[string][]resultDoc{"demo-okta": okta, "demo-entra": entra})

	// The rules page is the catalogue's Markdown.
	page, err := os.ReadFile("../../../docs/assessment-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	if md := h.ok("", "assessment", "rules", "--markdown").stdout; md != string(page) {
		t.Error("assessment rules --markdown differs from docs/assessment-rules.md")
	}

	// Collecting again and comparing: the replayed org did not change.
	again, _ := h.collect("demo-okta")
	var snapDiff struct {
		Buckets []struct {
			Count int `json:"count"`
		} `json:"buckets"`
		Unchanged int `json:"unchanged"`
	}
	decodeInto(t, h.ok("", "inventory", "diff", "--from", oktaSnap.ID, "--to", again.ID, "--json").stdout, &snapDiff)
	if snapDiff.Unchanged != oktaSnap.ItemCount || snapDiff.Buckets[0].Count+snapDiff.Buckets[1].Count+snapDiff.Buckets[2].Count != 0 {
		t.Errorf("inventory diff of two collections of one replayed org: %+v", snapDiff)
	}
	// The newer snapshot is not assessed yet: the gate says so.
	decodeInto(t, h.ok("", "workspace", "show", "--json").stdout, &sum)
	if !slices.ContainsFunc(sum.Blockers, func(b struct {
		Code string `json:"code"`
	}) bool {
		return b.Code == "assessment_outdated"
	}) {
		t.Errorf("a newer, unassessed snapshot does not block the gate: %+v", sum.Blockers)
	}
}

type readinessDoc struct {
	Total struct {
		Counts   map[string]int `json:"counts"`
		Ready    int            `json:"ready"`
		Resolved int            `json:"resolved"`
		Items    int            `json:"items"`
	} `json:"total"`
	Apps []struct {
		Name  string `json:"name"`
		Ready bool   `json:"ready"`
	} `json:"apps"`
}

func (h *harness) readiness(runID string) readinessDoc {
	h.t.Helper()
	var d readinessDoc
	decodeInto(h.t, h.ok("", "assessment", "readiness", "--assessment", runID, "--json").stdout, &d)
	if len(d.Apps) == 0 || d.Total.Items == 0 {
		h.t.Fatalf("empty readiness: %+v", d)
	}
	return d
}
