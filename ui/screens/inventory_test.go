package screens

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 100000: "100,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCountLine(t *testing.T) {
	for _, c := range []struct {
		total  int
		capped bool
		want   string
	}{
		{0, false, "0 items"}, {1, false, "1 item"}, {12345, false, "12,345 items"},
		{inventory.MaxCount, true, "100,000+ items, refine the filter"},
	} {
		if got := countLine(c.total, c.capped); got != c.want {
			t.Errorf("countLine(%d, %v) = %q, want %q", c.total, c.capped, got, c.want)
		}
	}
}

func TestWaitLineNamesTheVendorLimit(t *testing.T) {
	until := time.Date(2025, 3, 4, 14, 2, 31, 0, time.Local)
	got := WaitLine("Okta", inventory.Wait{Group: "/api/v1/apps", Until: until, Cause: inventory.WaitWindow})
	if want := "Waiting for Okta rate limit on /api/v1/apps until 14:02:31"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = WaitLine("Entra", inventory.Wait{Group: "graph", Until: until, Cause: inventory.WaitServerError, Status: 503})
	if want := "Waiting on graph until 14:02:31 (retry after 503)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = WaitLine("Okta", inventory.Wait{Group: "/api/v1/apps", Until: until, Cause: inventory.WaitShare, Share: 0.5})
	if want := "Waiting for Okta rate limit on /api/v1/apps until 14:02:31: this collection's 50 % of the window is spent, the rest is left to the customer's integrations"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = WaitLine("Okta", inventory.Wait{Group: "/api/v1/apps", Until: until, Cause: inventory.WaitThrottled, Status: 429})
	if want := "Waiting for Okta rate limit on /api/v1/apps until 14:02:31 (Okta answered 429 Too Many Requests)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCountsSummaryInKindOrder(t *testing.T) {
	snap := inventory.Snapshot{ItemCount: 1204, Counts: map[inventory.Kind]int{
		inventory.KindGroup: 1200, inventory.KindApplication: 3, inventory.KindPolicy: 1,
	}}
	if got, want := CountsSummary(snap), "1,204 items: 3 applications, 1 policy, 1,200 groups"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := CountsSummary(inventory.Snapshot{}); got != "No items" {
		t.Errorf("empty snapshot: %q", got)
	}
}

func TestItemFieldsAndEvidence(t *testing.T) {
	it := inventory.NewItem("0oa1", "Ünïcode HR", inventory.View{Application: &inventory.ApplicationView{
		Protocol: inventory.ProtocolSAML, VendorType: "SAML_2_0", Object: inventory.AppObjectOktaApp, State: inventory.StateActive,
		SAML: &inventory.SAMLSettings{EntityIDs: []string{"https://sp.example.test"},
			AttributeStatements: []inventory.AttributeStatement{{Name: "n", Values: []string{"a", "b"}}}, StatementsExposed: inventory.Yes},
	}}, nil, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: "00g9"})
	fields := ItemFields(it)
	for _, want := range []string{"Kind: Application", "Display name: Ünïcode HR", "    SAML › Entity IDs: https://sp.example.test",
		"    SAML › Attribute statements 1 › Values: a, b", "    SAML › Response signed: unknown", "    Group → Group 00g9"} {
		if !strings.Contains(fields, want) {
			t.Errorf("fields lack %q:\n%s", want, fields)
		}
	}
	assign := inventory.NewItem("0oa1/00g9", "x", inventory.View{Assignment: &inventory.AssignmentView{Target: inventory.AssignGroup,
		AppID: "0oa1", AppName: "HR", PrincipalID: "00g9", Unresolved: []string{"principal"}, Direct: inventory.Yes}}, nil)
	for _, want := range []string{"Application: HR (0oa1)", "Group: 00g9 (name not in the snapshot)"} {
		if f := ItemFields(assign); !strings.Contains(f, want) {
			t.Errorf("assignment fields lack %q:\n%s", want, f)
		}
	}
	if f := ItemFields(inventory.Item{Kind: inventory.KindGroup, View: inventory.View{Unbuilt: inventory.ViewNotBuiltYet}}); !strings.Contains(f, "No typed view: stored before") {
		t.Errorf("a legacy item does not say its view is missing:\n%s", f)
	}
	ev := EvidenceLines([]inventory.Page{{Method: "GET", Endpoint: "/api/v1/apps", Query: "limit=200", PageNumber: 2,
		Domain: "applications", Status: 200, Bytes: 12345, SHA256: "ab12"}})
	for _, want := range []string{"GET /api/v1/apps?limit=200", "page 2 of Applications, HTTP 200", "12,345 bytes", "SHA-256 ab12"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if got := PrettyJSON([]byte(`{"a":[1,2]}`)); got != "{\n  \"a\": [\n    1,\n    2\n  ]\n}" {
		t.Errorf("PrettyJSON: %q", got)
	}
	if got := PrettyJSON([]byte(`not json`)); got != "not json" {
		t.Errorf("PrettyJSON of a non-JSON payload: %q", got)
	}
}

func TestCollectPanelShowsRateLimitWait(t *testing.T) {
	test.NewTempApp(t)
	p := newCollectPanel()
	p.start(workspace.Source{Name: "okta-prod", Kind: "okta"}, "Okta", 0.5, func() {})
	if !strings.Contains(p.title.Text, "at most 50 % of each rate-limit window") {
		t.Errorf("the panel does not show the rate share: %q", p.title.Text)
	}
	wait := inventory.Wait{Group: "/api/v1/apps", Until: time.Now().Add(time.Hour), Cause: inventory.WaitWindow}
	p.showProgress(inventory.Progress{Pages: map[string]int{"applications": 3, "groups": 1},
		Items: map[inventory.Kind]int{inventory.KindApplication: 450}, Waiting: &wait})
	if !p.wait.Visible() || p.wait.Text != WaitLine("Okta", wait) {
		t.Fatalf("wait line %q (visible %v)", p.wait.Text, p.wait.Visible())
	}
	if p.pages.Text != "Pages by domain: Applications 3 · Groups 1" || p.items.Text != "Items by kind: 450 applications" {
		t.Fatalf("pages %q, items %q", p.pages.Text, p.items.Text)
	}
	p.showProgress(inventory.Progress{Pages: map[string]int{"applications": 4}})
	if !p.wait.Visible() {
		t.Fatal("a page from elsewhere hid a wait that has not ended")
	}
	ended := inventory.Wait{Group: "/api/v1/groups", Until: time.Now().Add(-time.Second), Cause: inventory.WaitWindow}
	p.showProgress(inventory.Progress{Pages: map[string]int{"applications": 5}, Waiting: &ended})
	if p.wait.Visible() {
		t.Fatal("a wait that has ended is still shown")
	}
	p.finish(inventory.Snapshot{ID: "s1", PageCount: 4}, errors.New("collection from \"okta-prod\" failed: HTTP 401"))
	if p.bar.Visible() || p.cancel.Visible() || !strings.Contains(p.title.Text, "Snapshot s1 failed: ") {
		t.Fatalf("after a failure: title %q, bar %v, cancel %v", p.title.Text, p.bar.Visible(), p.cancel.Visible())
	}
}

// TestBudgetControlDefaultsToTheEngines: the collect panel's time budget
// starts at the engine's default and gives the hours chosen.
func TestBudgetControlDefaultsToTheEngines(t *testing.T) {
	c := newBudgetControl()
	if got := c.value(); got != inventory.DefaultMaxDuration {
		t.Errorf("the budget starts at %s, want the engine's default %s", got, inventory.DefaultMaxDuration)
	}
	c.pick.SetSelected("3 hours")
	if got := c.value(); got != 3*time.Hour {
		t.Errorf("3 hours chosen gives %s", got)
	}
}
