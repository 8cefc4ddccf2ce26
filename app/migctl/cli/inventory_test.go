package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

const (
	graphToken    = "fake-graph-token-for-tests"
	graphTenantID = "00000000-0000-4000-8000-00000000aaaa"
)

// smallOrg is a synthetic Okta org big enough to page the assignment
// listings and small enough for a quick test.
func smallOrg() *oktareplay.Org {
	return oktareplay.Generate(oktareplay.Spec{Apps: 12, Groups: 30, IdPs: 3, GroupsPerApp: 2, UsersPerApp: 3, Seed: 7})
}

// addOkta adds an Okta source reading the replay server with token.
func (h *harness) addOkta(name, url, token string) {
	h.t.Helper()
	h.ok(token+"\n", "source", "add", "okta", "--name", name, "--org-url", url, "--secret-stdin")
}

// startGraph serves tenant on loopback, accepting token as a pasted
// access token, with small pages so the SDK follows @odata.nextLink.
func startGraph(t *testing.T, tenant *graphreplay.Tenant, token string, denied ...string) *graphreplay.Server {
	t.Helper()
	s, err := graphreplay.Start(graphreplay.Options{Tenant: tenant, AccessTokens: []string{token}, MaxPageSize: 7, DefaultPageSize: 7, Denied: denied})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// addEntra adds an Entra source reading the replay server with a pasted
// access token.
func (h *harness) addEntra(name, url, token string) {
	h.t.Helper()
	h.ok(token+"\n", "source", "add", "entra", "--name", name, "--tenant-id", graphTenantID,
		"--auth", "access_token", "--graph-url", url, "--secret-stdin")
}

// wantEntraCounts maps the Graph payload set's collections onto item
// kinds: application registrations and service principals are both
// applications.
func wantEntraCounts(tenant *graphreplay.Tenant) map[string]int {
	n := tenant.Counts()
	return kindCounts(map[inventory.Kind]int{
		inventory.KindApplication: n[graphreplay.Applications] + n[graphreplay.ServicePrincipals],
		inventory.KindDomain:      n[graphreplay.Domains],
		inventory.KindGroup:       n[graphreplay.Groups],
		inventory.KindPolicy:      n[graphreplay.Policies],
		inventory.KindAssignment:  n[graphreplay.AppRoleAssignedTo],
	})
}

// kindCounts is counts as the JSON documents carry them: every kind, zeros
// included.
func kindCounts(c map[inventory.Kind]int) map[string]int {
	out := map[string]int{}
	for _, k := range inventory.Kinds {
		out[string(k)] = c[k]
	}
	return out
}

// snapshotDoc is the part of a snapshot document the tests read.
type snapshotDoc struct {
	ID         string         `json:"id"`
	SourceName string         `json:"source_name"`
	SourceKind string         `json:"source_kind"`
	Status     string         `json:"status"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at"`
	Counts     map[string]int `json:"counts"`
	ItemCount  int            `json:"item_count"`
	PageCount  int            `json:"page_count"`
	Error      string         `json:"error"`
}

func decodeInto(t *testing.T, s string, v any) {
	t.Helper()
	decodeOne(t, s) // one object, with its format version
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the expected JSON document: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", s)
	}
}

// collect runs inventory collect --json and decodes the snapshot it prints,
// whatever the exit code.
func (h *harness) collect(source string) (snapshotDoc, result) {
	h.t.Helper()
	r := h.run("", "inventory", "collect", "--source", source, "--json")
	var snap snapshotDoc
	decodeInto(h.t, r.stdout, &snap)
	return snap, r
}

func checkCompleted(t *testing.T, snap snapshotDoc, r result, source, kind string, want map[string]int) {
	t.Helper()
	if r.code != 0 || snap.Status != "completed" || snap.Error != "" {
		t.Fatalf("collect %s: exit %d, status %q, error %q\nstderr: %s", source, r.code, snap.Status, snap.Error, r.stderr)
	}
	if snap.SourceName != source || snap.SourceKind != kind || len(snap.ID) != 32 {
		t.Errorf("snapshot names source %q (%s), id %q", snap.SourceName, snap.SourceKind, snap.ID)
	}
	total := 0
	for k, n := range want {
		total += n
		if snap.Counts[k] != n {
			t.Errorf("%s: counts[%s] = %d, the payload set holds %d", source, k, snap.Counts[k], n)
		}
	}
	if total == 0 {
		t.Fatal("the payload set is empty: the count check would prove nothing")
	}
	if len(snap.Counts) != len(inventory.Kinds) {
		t.Errorf("counts %v: want every kind, zeros included", snap.Counts)
	}
	if snap.ItemCount != total || snap.PageCount == 0 {
		t.Errorf("item_count %d (want %d), page_count %d", snap.ItemCount, total, snap.PageCount)
	}
	if snap.FinishedAt == nil || snap.FinishedAt.Before(snap.StartedAt) {
		t.Errorf("started %v, finished %v", snap.StartedAt, snap.FinishedAt)
	}
	// Progress went to stderr (plain lines: the buffer is no terminal),
	// ending with the final tally.
	final := fmt.Sprintf("collected %s ", source)
	if !strings.Contains(r.stderr, final) || !strings.Contains(r.stderr, plural(total, "item")) || strings.Contains(r.stderr, "\r") {
		t.Errorf("stderr lacks a plain final progress line %q with %d items:\n%s", final, total, r.stderr)
	}
}

// TestCollectListShowBothVendors is the "done when": collections
// from a replayed Okta org and a replayed Entra tenant, through the real
// SDKs, print completed snapshots whose counts equal the payload sets', and
// list and show read them back.
func TestCollectListShowBothVendors(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")

	org := smallOrg()
	oktaSrv := oktareplay.Start(t, org, oktareplay.Options{})
	h.addOkta("okta-main", oktaSrv.URL, oktareplay.Token)
	tenant := graphreplay.Demo()
	graphSrv := startGraph(t, tenant, graphToken)
	h.addEntra("entra-main", graphSrv.URL(), graphToken)

	oktaSnap, r := h.collect("okta-main")
	checkCompleted(t, oktaSnap, r, "okta-main", "okta", kindCounts(org.Counts()))
	entraSnap, r := h.collect("entra-main")
	checkCompleted(t, entraSnap, r, "entra-main", "entra", wantEntraCounts(tenant))

	// list: newest first, the same documents collect printed.
	var list struct {
		Snapshots []snapshotDoc `json:"snapshots"`
	}
	decodeInto(t, h.ok("", "inventory", "list", "--json").stdout, &list)
	if len(list.Snapshots) != 2 {
		t.Fatalf("list shows %d snapshots, want 2", len(list.Snapshots))
	}
	for i, want := range []snapshotDoc{entraSnap, oktaSnap} {
		got := list.Snapshots[i]
		if got.ID != want.ID || got.Status != want.Status || got.SourceName != want.SourceName ||
			got.ItemCount != want.ItemCount || got.PageCount != want.PageCount || !got.StartedAt.Equal(want.StartedAt) ||
			got.FinishedAt == nil || !got.FinishedAt.Equal(*want.FinishedAt) || fmt.Sprint(got.Counts) != fmt.Sprint(want.Counts) {
			t.Errorf("list[%d] = %+v, collect printed %+v", i, got, want)
		}
	}

	// The source remembers its last inventory.
	var sources sourceList
	decodeInto(t, h.ok("", "source", "list", "--json").stdout, &sources)
	for _, s := range sources.Sources {
		if s.LastInventoryAt == nil {
			t.Errorf("source %s has no last_inventory_at after a completed collection", s.Name)
		}
	}

	// The summary reads the completed snapshots: inventory no longer blocks
	// the gate, and the last inventory is the newest snapshot's finish.
	var sum struct {
		LastInventoryAt *time.Time `json:"last_inventory_at"`
		Blockers        []struct {
			Code string `json:"code"`
		} `json:"preview_handoff_blockers"`
	}
	decodeInto(t, h.ok("", "workspace", "show", "--json").stdout, &sum)
	if sum.LastInventoryAt == nil || !sum.LastInventoryAt.Equal(*entraSnap.FinishedAt) {
		t.Errorf("workspace show: last_inventory_at %v, want the Entra snapshot's finish %v", sum.LastInventoryAt, entraSnap.FinishedAt)
	}
	for _, b := range sum.Blockers {
		if b.Code == "no_completed_inventory" {
			t.Errorf("workspace show still blocks on inventory after two completed collections: %+v", sum.Blockers)
		}
	}

	// show: the newest snapshot by default, every item up to the limit.
	var shown snapshotItemsDoc
	decodeInto(t, h.ok("", "inventory", "show", "--limit", "100000", "--json").stdout, &shown)
	if shown.Snapshot.ID != entraSnap.ID || shown.Total != entraSnap.ItemCount || len(shown.Items) != entraSnap.ItemCount || shown.TotalCapped {
		t.Fatalf("show: snapshot %s, total %d, %d items; want %s with %d", shown.Snapshot.ID, shown.Total, len(shown.Items), entraSnap.ID, entraSnap.ItemCount)
	}
	byKind := map[string]int{}
	for _, it := range shown.Items {
		byKind[it.Kind]++
		if it.SnapshotID != entraSnap.ID || it.SourceID == "" || it.ID == 0 || !json.Valid(it.Raw) || len(it.Raw) < 2 {
			t.Errorf("item %+v: missing snapshot, ids or raw payload", it)
		}
	}
	for k, n := range entraSnap.Counts {
		if byKind[k] != n {
			t.Errorf("show lists %d %s items, counts say %d", byKind[k], k, n)
		}
	}

	// show --snapshot --type --search --limit on the Okta snapshot: the
	// group the generator always includes.
	decodeInto(t, h.ok("", "inventory", "show", "--snapshot", oktaSnap.ID, "--type", "group", "--search", "Engineering", "--json").stdout, &shown)
	if shown.Snapshot.ID != oktaSnap.ID || shown.Total != 1 || len(shown.Items) != 1 {
		t.Fatalf("show --type group --search Engineering: total %d, %d items", shown.Total, len(shown.Items))
	}
	if it := shown.Items[0]; it.Kind != "group" || it.DisplayName != "Engineering" || !strings.HasPrefix(it.SourceID, "00g") {
		t.Errorf("found %+v, want the Okta group Engineering", it)
	}
	decodeInto(t, h.ok("", "inventory", "show", "--snapshot", oktaSnap.ID, "--type", "application", "--limit", "5", "--json").stdout, &shown)
	if shown.Total != oktaSnap.Counts["application"] || len(shown.Items) != 5 {
		t.Errorf("show --type application --limit 5: total %d (want %d), %d items", shown.Total, oktaSnap.Counts["application"], len(shown.Items))
	}
	for _, it := range shown.Items {
		if it.Kind != "application" {
			t.Errorf("--type application shows a %s", it.Kind)
		}
	}

	// The default order groups items by kind; --sort display_name sorts by
	// name.
	decodeInto(t, h.ok("", "inventory", "show", "--snapshot", oktaSnap.ID, "--limit", "100000", "--json").stdout, &shown)
	for i := 1; i < len(shown.Items); i++ {
		if shown.Items[i-1].Kind > shown.Items[i].Kind {
			t.Fatalf("default order: %s before %s", shown.Items[i-1].Kind, shown.Items[i].Kind)
		}
	}
	decodeInto(t, h.ok("", "inventory", "show", "--snapshot", oktaSnap.ID, "--type", "group", "--sort", "display_name", "--limit", "100000", "--json").stdout, &shown)
	if len(shown.Items) != oktaSnap.Counts["group"] {
		t.Fatalf("--type group shows %d of %d groups", len(shown.Items), oktaSnap.Counts["group"])
	}
	for i := 1; i < len(shown.Items); i++ {
		if a, b := strings.ToLower(shown.Items[i-1].DisplayName), strings.ToLower(shown.Items[i].DisplayName); a > b {
			t.Fatalf("--sort display_name: %q before %q", a, b)
		}
	}

	// The human forms read as tables.
	out := h.ok("", "inventory", "show", "--snapshot", oktaSnap.ID, "--type", "application", "--limit", "5").stdout
	for _, want := range []string{"Snapshot " + oktaSnap.ID, "completed", "KIND", "SUBTYPE", "NAME", "SOURCE ID", "Items 1 to 5 of"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}
	out = h.ok("", "inventory", "list").stdout
	if !strings.Contains(out, oktaSnap.ID) || !strings.Contains(out, entraSnap.ID) || !strings.Contains(out, "SNAPSHOT") {
		t.Errorf("list output:\n%s", out)
	}

	// Bad usage is exit 2.
	for _, args := range [][]string{
		{"inventory", "show", "--type", "widget"},
		{"inventory", "show", "--limit", "0"},
		{"inventory", "show", "--sort", "colour"},
		{"inventory", "collect"},
		{"inventory", "export", "--snapshot", oktaSnap.ID},
		{"inventory"},
	} {
		if r := h.run("", args...); r.code != 2 {
			t.Errorf("migctl %s: exit %d, want 2\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if r := h.run("", "inventory", "show", "--snapshot", "nosuchsnapshot"); r.code != 1 || !strings.Contains(r.stderr, "no such snapshot") {
		t.Errorf("show of an unknown snapshot: exit %d, %s", r.code, r.stderr)
	}
}

// snapshotItemsDoc is inventory show's document as the tests read it.
type snapshotItemsDoc struct {
	Snapshot snapshotDoc `json:"snapshot"`
	Items    []struct {
		ID          int64           `json:"id"`
		SnapshotID  string          `json:"snapshot_id"`
		SourceID    string          `json:"source_id"`
		Kind        string          `json:"kind"`
		Subtype     string          `json:"subtype"`
		DisplayName string          `json:"display_name"`
		Raw         json.RawMessage `json:"raw"`
	} `json:"items"`
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped"`
}

// sourceTestDoc is source test's document as the tests read it.
type sourceTestDoc struct {
	Source      string `json:"source"`
	AllReadable bool   `json:"all_readable"`
	Domains     []struct {
		Domain   string `json:"domain"`
		Readable bool   `json:"readable"`
		Status   int    `json:"status"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"domains"`
}

func (h *harness) sourceTest(name string, wantCode int) sourceTestDoc {
	h.t.Helper()
	r := h.run("", "source", "test", "--name", name, "--json")
	if r.code != wantCode {
		h.t.Fatalf("source test %s: exit %d, want %d\nstdout: %s\nstderr: %s", name, r.code, wantCode, r.stdout, r.stderr)
	}
	var doc sourceTestDoc
	decodeInto(h.t, r.stdout, &doc)
	return doc
}

func checkDomains(t *testing.T, doc sourceTestDoc, domains []string) {
	t.Helper()
	if len(doc.Domains) != len(domains) {
		t.Fatalf("source test reports %d domains, want %v", len(doc.Domains), domains)
	}
	for i, d := range domains {
		if doc.Domains[i].Domain != d {
			t.Errorf("domain %d is %q, want %q", i, doc.Domains[i].Domain, d)
		}
	}
}

// TestSourceTest: with a good credential every domain is readable; with a
// revoked one each is denied with the API's own status, code and message;
// a denied domain among readable ones is named. Nothing is written.
func TestSourceTest(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	oktaSrv := oktareplay.Start(t, smallOrg(), oktareplay.Options{})
	h.addOkta("okta-main", oktaSrv.URL, oktareplay.Token)
	graphSrv := startGraph(t, graphreplay.Demo(), graphToken)
	h.addEntra("entra-main", graphSrv.URL(), graphToken)
	deniedSrv := startGraph(t, graphreplay.Demo(), graphToken, graphreplay.Policies)
	h.addEntra("entra-no-ca", deniedSrv.URL(), graphToken)
	auditBefore := h.ok("", "audit", "list", "--json").stdout

	doc := h.sourceTest("okta-main", 0)
	checkDomains(t, doc, okta.Domains)
	if !doc.AllReadable {
		t.Errorf("okta: all_readable false: %+v", doc.Domains)
	}
	for _, d := range doc.Domains {
		if !d.Readable || d.Code != "" || d.Message != "" {
			t.Errorf("okta %s: %+v, want readable", d.Domain, d)
		}
	}
	doc = h.sourceTest("entra-main", 0)
	checkDomains(t, doc, entra.Domains)
	for _, d := range doc.Domains {
		if !d.Readable {
			t.Errorf("entra %s: %+v, want readable", d.Domain, d)
		}
	}

	// One domain denied: Graph's own refusal, and exit 1 naming it.
	doc = h.sourceTest("entra-no-ca", 1)
	for _, d := range doc.Domains {
		denied := d.Domain == entra.DomainConditionalAccess
		if d.Readable == denied {
			t.Errorf("entra-no-ca %s: readable %v", d.Domain, d.Readable)
		}
		if denied && (d.Status != http.StatusForbidden || d.Code != "Authorization_RequestDenied" || d.Message == "") {
			t.Errorf("denied conditional access: %+v, want Graph's 403 Authorization_RequestDenied with its message", d)
		}
	}
	if r := h.run("", "source", "test", "--name", "entra-no-ca"); !strings.Contains(r.stderr, entra.DomainConditionalAccess) ||
		!strings.Contains(r.stdout, "403 Authorization_RequestDenied: ") {
		t.Errorf("human source test:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}

	// Revoked tokens: every domain denied with the vendor's message.
	oktaSrv.Revoke()
	doc = h.sourceTest("okta-main", 1)
	checkDomains(t, doc, okta.Domains)
	for _, d := range doc.Domains {
		if d.Readable || d.Status != http.StatusUnauthorized || d.Code != "E0000011" || d.Message != "Invalid token provided" {
			t.Errorf("revoked okta %s: %+v, want 401 E0000011 Invalid token provided", d.Domain, d)
		}
	}
	graphSrv.Revoke(graphToken)
	doc = h.sourceTest("entra-main", 1)
	for _, d := range doc.Domains {
		if d.Domain == entra.DomainAppRoleAssignments || d.Domain == entra.DomainGroupMembers {
			continue // not tried: service principals (groups) were not readable
		}
		if d.Readable || d.Status != http.StatusUnauthorized || d.Code != "InvalidAuthenticationToken" || !strings.Contains(d.Message, "TokenIssuedBeforeRevocationTimestamp") {
			t.Errorf("revoked entra %s: %+v, want Graph's 401 InvalidAuthenticationToken", d.Domain, d)
		}
	}

	if got := h.ok("", "audit", "list", "--json").stdout; got != auditBefore {
		t.Errorf("source test wrote to the audit trail")
	}
	if got := h.ok("", "inventory", "list", "--json").stdout; !strings.Contains(got, `"snapshots": []`) {
		t.Errorf("source test left snapshots: %s", got)
	}
	if r := h.run("", "source", "test", "--name", "nosuch"); r.code == 0 {
		t.Errorf("source test of an unknown source succeeded")
	}
}

// TestCollectFailsMidway: the token is revoked after a few pages, so the
// collection fails partway; migctl prints the failed snapshot with the
// API's message and the evidence kept, and exits 1. Another source whose
// conditional-access policies are denied fails the same way.
func TestCollectFailsMidway(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	var srv *oktareplay.Server
	var once sync.Once
	srv = oktareplay.Start(t, smallOrg(), oktareplay.Options{Inject: func(_ *http.Request, n int) oktareplay.Fault {
		if n == 6 {
			once.Do(srv.Revoke) // this request is answered; the next are refused
		}
		return oktareplay.Serve
	}})
	h.addOkta("okta-main", srv.URL, oktareplay.Token)

	snap, r := h.collect("okta-main")
	if r.code != 1 || snap.Status != "failed" || !strings.Contains(snap.Error, "Invalid token provided") {
		t.Fatalf("collect: exit %d, status %q, error %q; want 1, failed, Okta's message", r.code, snap.Status, snap.Error)
	}
	if snap.PageCount < 6 || snap.FinishedAt == nil {
		t.Errorf("failed snapshot keeps %d evidence pages (want at least the 6 answered), finished %v", snap.PageCount, snap.FinishedAt)
	}
	if !strings.Contains(r.stderr, "migctl: collection from \"okta-main\" failed") {
		t.Errorf("stderr does not say the collection failed:\n%s", r.stderr)
	}
	var list struct {
		Snapshots []snapshotDoc `json:"snapshots"`
	}
	decodeInto(t, h.ok("", "inventory", "list", "--json").stdout, &list)
	if len(list.Snapshots) != 1 || list.Snapshots[0].Status != "failed" || list.Snapshots[0].Error != snap.Error {
		t.Errorf("list after a failed collection: %+v", list.Snapshots)
	}
	byKind := 0
	for _, n := range snap.Counts {
		byKind += n
	}
	if byKind != snap.ItemCount {
		t.Errorf("the failed snapshot does not count what it stored: %d items, by kind %v", snap.ItemCount, snap.Counts)
	}
	// Its evidence export says, in JSON and in words, that it is partial.
	var exported struct {
		Partial     bool   `json:"partial"`
		PartialNote string `json:"partial_note"`
		Pages       int    `json:"pages"`
	}
	zipPath := filepath.Join(t.TempDir(), "partial.zip")
	decodeInto(t, h.ok("", "inventory", "export", "--snapshot", snap.ID, "--out", zipPath, "--json").stdout, &exported)
	if !exported.Partial || exported.Pages != snap.PageCount || !strings.Contains(exported.PartialNote, "did not complete") {
		t.Errorf("export of the failed snapshot: %+v", exported)
	}
	if out := h.ok("", "inventory", "export", "--snapshot", snap.ID, "--out", zipPath+"2").stdout; !strings.HasPrefix(out, "PARTIAL: this snapshot did not complete") {
		t.Errorf("human export of the failed snapshot:\n%s", out)
	}

	graphSrv := startGraph(t, graphreplay.Demo(), graphToken, graphreplay.Policies)
	h.addEntra("entra-no-ca", graphSrv.URL(), graphToken)
	snap, r = h.collect("entra-no-ca")
	if r.code != 1 || snap.Status != "failed" || !strings.Contains(snap.Error, "Authorization_RequestDenied") {
		t.Errorf("entra collect with conditional access denied: exit %d, status %q, error %q", r.code, snap.Status, snap.Error)
	}
	out := h.run("", "inventory", "collect", "--source", "entra-no-ca").stdout
	if !strings.Contains(out, ": failed") || !strings.Contains(out, "error") {
		t.Errorf("human output of a failed collection:\n%s", out)
	}
}

// TestCollectCancelled: Ctrl-C (the cancelled context main gives Run)
// leaves a failed snapshot, printed, and exit 1.
func TestCollectCancelled(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := oktareplay.Start(t, smallOrg(), oktareplay.Options{SlowBy: time.Hour, Inject: func(_ *http.Request, n int) oktareplay.Fault {
		if n == 4 {
			cancel() // the consultant presses Ctrl-C while this page hangs
			return oktareplay.Slow
		}
		return oktareplay.Serve
	}})
	h.addOkta("okta-main", srv.URL, oktareplay.Token)

	var out, errOut bytes.Buffer
	code := Run(ctx, []string{"--workspace", h.path, "inventory", "collect", "--source", "okta-main", "--json"},
		strings.NewReader(""), &out, &errOut, func(k string) string { return h.env[k] })
	var snap snapshotDoc
	decodeInto(t, out.String(), &snap)
	if code != 1 || snap.Status != "failed" || !strings.Contains(snap.Error, "cancel") {
		t.Fatalf("cancelled collect: exit %d, status %q, error %q\nstderr: %s", code, snap.Status, snap.Error, errOut.String())
	}
	var list struct {
		Snapshots []snapshotDoc `json:"snapshots"`
	}
	decodeInto(t, h.ok("", "inventory", "list", "--json").stdout, &list)
	if len(list.Snapshots) != 1 || list.Snapshots[0].Status != "failed" {
		t.Errorf("after cancel, list shows %+v", list.Snapshots)
	}
	// The source is free again: the next collection runs to completion.
	if snap, r := h.collect("okta-main"); r.code != 0 || snap.Status != "completed" {
		t.Errorf("collect after a cancelled one: exit %d, status %q, %s", r.code, snap.Status, r.stderr)
	}
}

// TestExportEvidence: the zip holds every evidence page, the manifest's
// digests match the files, and an existing file is never overwritten.
func TestExportEvidence(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	srv := oktareplay.Start(t, smallOrg(), oktareplay.Options{})
	h.addOkta("okta-main", srv.URL, oktareplay.Token)
	snap, r := h.collect("okta-main")
	if r.code != 0 {
		t.Fatalf("collect: %s", r.stderr)
	}
	zipPath := filepath.Join(t.TempDir(), "evidence.zip")
	var res exportResult
	decodeInto(t, h.ok("", "inventory", "export", "--snapshot", snap.ID, "--out", zipPath, "--json").stdout, &res)
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if res.SnapshotID != snap.ID || res.Pages != snap.PageCount || res.Bytes != int64(len(data)) || res.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("export result %+v; file has %d bytes, sha256 %x; snapshot %d pages", res, len(data), sum, snap.PageCount)
	}
	files := unzip(t, data)
	var m inventory.Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.Snapshot.ID != snap.ID || len(m.Pages) != snap.PageCount || len(files) != snap.PageCount+1 {
		t.Fatalf("manifest of %s lists %d pages, zip holds %d files; snapshot has %d pages", m.Snapshot.ID, len(m.Pages), len(files), snap.PageCount)
	}
	served := map[string]bool{}
	for _, req := range srv.Requests() {
		served[req.SHA256] = true
	}
	for _, p := range m.Pages {
		body, ok := files[p.File]
		if !ok {
			t.Errorf("manifest names %s, not in the zip", p.File)
			continue
		}
		// The file is the stored (redacted) body; sha256 and bytes are
		// the body as received.
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != p.StoredSHA256 || len(body) != p.StoredBytes {
			t.Errorf("%s: sha256 %x, %d bytes; manifest says %s, %d", p.File, got, len(body), p.StoredSHA256, p.StoredBytes)
		}
		if p.Status == http.StatusOK && !served[p.SHA256] {
			t.Errorf("%s: its digest is not that of any body the server sent", p.File)
		}
	}

	// Never overwrite.
	r = h.run("", "inventory", "export", "--snapshot", snap.ID, "--out", zipPath)
	if after, _ := os.ReadFile(zipPath); r.code != 1 || !bytes.Equal(after, data) || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("export over an existing file: exit %d, file unchanged %v, %s", r.code, bytes.Equal(after, data), r.stderr)
	}
	// An unknown snapshot leaves no file behind.
	other := filepath.Join(t.TempDir(), "other.zip")
	if r := h.run("", "inventory", "export", "--snapshot", "nosuchsnapshot", "--out", other); r.code != 1 {
		t.Errorf("export of an unknown snapshot: exit %d", r.code)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("a refused export left %s behind (%v)", other, err)
	}
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	return files
}

// TestInventoryCanary: the servers accept only a unique canary credential;
// after source tests, collections, list, show and export (debug logging
// on), the canary is in no output, not in the workspace file or its -wal,
// and not in any file of the evidence zip.
func TestInventoryCanary(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	canary := "canary-" + randomHex(t, 16)
	h.env["PMC_LOG_LEVEL"] = "debug"
	h.createWorkspace("first_run_adoption")
	oktaSrv := oktareplay.Start(t, smallOrg(), oktareplay.Options{Token: canary})
	h.addOkta("okta-main", oktaSrv.URL, canary)
	graphSrv := startGraph(t, graphreplay.Demo(), canary)
	h.addEntra("entra-main", graphSrv.URL(), canary)

	h.sourceTest("okta-main", 0)
	h.sourceTest("entra-main", 0)
	h.ok("", "source", "test", "--name", "okta-main")
	oktaSnap, r := h.collect("okta-main")
	if r.code != 0 {
		t.Fatalf("collect okta: %s", r.stderr)
	}
	if _, r := h.collect("entra-main"); r.code != 0 {
		t.Fatalf("collect entra: %s", r.stderr)
	}
	h.ok("", "inventory", "collect", "--source", "entra-main")
	h.ok("", "inventory", "list")
	h.ok("", "inventory", "show", "--limit", "100000")
	h.ok("", "inventory", "show", "--limit", "100000", "--json")
	zipPath := filepath.Join(filepath.Dir(h.path), "evidence.zip")
	h.ok("", "inventory", "export", "--snapshot", oktaSnap.ID, "--out", zipPath)
	// A failing collection prints its error: it must not carry the token.
	oktaSrv.Revoke()
	h.run("", "inventory", "collect", "--source", "okta-main")
	h.run("", "source", "test", "--name", "okta-main")

	all := strings.Join(h.printed, "\n")
	if !strings.Contains(all, "level=DEBUG") {
		t.Fatal("debug logging did not run: the output search would prove less")
	}
	if strings.Contains(all, canary) {
		t.Errorf("migctl printed the credential")
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(h.path + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the credential is in the workspace file%s", suffix)
		}
	}
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, data)
	if len(files) < 2 {
		t.Fatalf("the evidence zip holds %d files: the search would prove nothing", len(files))
	}
	for name, b := range files {
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the credential is in %s of the evidence zip", name)
		}
	}
}

// TestProgressLine checks the progress wording, rate-limit waits included.
func TestProgressLine(t *testing.T) {
	now := time.Date(2026, 5, 4, 14, 3, 0, 0, time.Local)
	pr := inventory.Progress{
		Pages: map[string]int{"groups": 1, "applications": 2},
		Items: map[inventory.Kind]int{inventory.KindApplication: 56, inventory.KindGroup: 120},
	}
	wait := inventory.Wait{Group: "/api/v1/apps/{id}/users", Until: now.Add(5 * time.Second), Cause: inventory.WaitWindow}
	other := inventory.Wait{Group: "/api/v1/groups", Until: now.Add(time.Second), Cause: inventory.WaitWindow}
	got := progressLine("okta-demo", pr, []string{"groups", "applications"}, []inventory.Wait{other, wait}, 72*time.Second, false)
	want := "collecting okta-demo 1:12 | waiting for rate limit on /api/v1/apps/{id}/users until 14:03:05 (and 1 more) | 3 pages, 176 items | pages: groups 1, applications 2 | items: application 56, group 120"
	if got != want {
		t.Errorf("progress line\n got %s\nwant %s", got, want)
	}
	wait.Cause, wait.Status = inventory.WaitThrottled, http.StatusTooManyRequests
	if got := progressLine("entra", pr, nil, []inventory.Wait{wait}, 0, false); !strings.Contains(got, "waiting for rate limit on /api/v1/apps/{id}/users until 14:03:05 (429)") {
		t.Errorf("429 wait: %s", got)
	}
	wait.Cause, wait.Status = inventory.WaitServerError, http.StatusServiceUnavailable
	if got := progressLine("entra", pr, nil, []inventory.Wait{wait}, 0, false); !strings.Contains(got, "retrying /api/v1/apps/{id}/users at 14:03:05 after: 503 Service Unavailable") {
		t.Errorf("5xx wait: %s", got)
	}
	wait.Cause, wait.Status, wait.Detail = inventory.WaitTransport, 0, "read tcp 127.0.0.1:9: connection reset by peer"
	if got := progressLine("entra", pr, nil, []inventory.Wait{wait}, 0, false); !strings.Contains(got, "retrying /api/v1/apps/{id}/users at 14:03:05 after: read tcp 127.0.0.1:9: connection reset by peer") {
		t.Errorf("transport wait: %s", got)
	}
	wait.Cause, wait.Share, wait.Detail = inventory.WaitShare, 0.5, ""
	if got := progressLine("okta-demo", pr, nil, []inventory.Wait{wait}, 0, false); !strings.Contains(got, "waiting for rate limit on /api/v1/apps/{id}/users until 14:03:05 (50% share spent)") {
		t.Errorf("share wait: %s", got)
	}
	if got := progressLine("okta-demo", pr, []string{"applications", "groups"}, nil, 3*time.Hour, true); got != "collected okta-demo 3:00:00 | 3 pages, 176 items | pages: applications 2, groups 1 | items: application 56, group 120" {
		t.Errorf("final line: %s", got)
	}
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip: %q", got)
	}
}

// TestProgressBarKeepsWaits: the service forgets a wait as soon as any page
// lands, but the group stays held until the wait ends, so the bar keeps
// showing it; the busiest domain is listed first; the final line shows no
// wait.
func TestProgressBarKeepsWaits(t *testing.T) {
	var out bytes.Buffer
	p := &progressBar{out: &out, source: "okta-demo", width: func() int { return 80 }, started: time.Now(),
		changed: map[string]time.Time{}, waits: map[string]inventory.Wait{}}
	until := time.Now().Add(time.Hour)
	p.update(inventory.Progress{Pages: map[string]int{"applications": 1, "groups": 1}})
	p.update(inventory.Progress{Pages: map[string]int{"applications": 1, "groups": 2},
		Waiting: &inventory.Wait{Group: "/api/v1/apps", Until: until, Cause: inventory.WaitWindow}})
	p.update(inventory.Progress{Pages: map[string]int{"applications": 1, "groups": 3}})
	p.draw(false)
	line := out.String()
	if !strings.Contains(line, "waiting for rate limit on /api/v1/apps until "+until.Local().Format("15:04:05")) {
		t.Errorf("the wait is gone from %q", line)
	}
	if !strings.Contains(line, "pages: groups 3, applications 1") {
		t.Errorf("the busiest domain is not first: %q", line)
	}
	out.Reset()
	p.draw(true)
	if line := out.String(); strings.Contains(line, "waiting") || !strings.HasPrefix(line, "collected okta-demo") {
		t.Errorf("final line %q", line)
	}
}
