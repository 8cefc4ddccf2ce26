package main

// The cutover kill matrix: the real migctl binary, built with the
// killpoints tag (the production binary has no such hook), applies a plan
// of more than fifty steps against the sandbox Portal over HTTP and is
// killed with SIGKILL at one of four points of one step: before its intent
// is journaled, after the intent and before the request, after the Portal
// committed and before the result is journaled, and after the result.
// `migctl cutover resume` then finishes the plan. Every case must end with
// exactly the planned objects on the target, each step applied once, a
// valid client secret delivered for every confidential client, an intact
// workspace file and an audit chain that verifies.
//
// make test runs a sample of the cases (fixed seed, printed; override with
// PMC_KILL_SEED); make soak (PMC_SOAK=1) runs every case.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/cutovertest"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/sandboxdb"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

const (
	killTenant = "kill-matrix"
	killToken  = "fake-portal-token-for-the-kill-matrix"
	// sampledKills is how many cases make test runs.
	sampledKills = 40
)

var killPoints = []string{"before_intent", "after_intent", "after_response", "after_result"}

// killShape plans 52 steps, confidential and public clients among them,
// plus the extras a plan does not create.
var killShape = cutovertest.Shape{Providers: 2, Groups: 12, Apps: 10, Assignments: 26}

func TestCutoverKillMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds migctl and kills it many times")
	}
	requireKeychain(t)
	m := newKillMatrix(t)
	var cases [][2]int // step, point
	for _, st := range m.planned {
		for p := range killPoints {
			cases = append(cases, [2]int{st, p})
		}
	}
	seed := uint64(20261201)
	if s := os.Getenv("PMC_KILL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PMC_KILL_SEED=%q is not a number", s)
		}
		seed = v
	}
	full := os.Getenv("PMC_SOAK") != ""
	if !full {
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		cases = cases[:min(sampledKills, len(cases))]
		sort.Slice(cases, func(i, j int) bool { return cases[i][0]*10+cases[i][1] < cases[j][0]*10+cases[j][1] })
	}
	t.Logf("kill matrix: %d planned steps x %d points = %d cases; running %d (full: %v, seed %d)",
		len(m.planned), len(killPoints), len(m.planned)*len(killPoints), len(cases), full, seed)
	tally := map[string]int{}
	for _, c := range cases {
		point := killPoints[c[1]]
		name := fmt.Sprintf("step%02d_%s", c[0], point)
		ok := t.Run(name, func(t *testing.T) { m.run(t, c[0], point) })
		if ok {
			tally[point]++
		} else {
			tally["failed"]++
		}
	}
	t.Logf("kill matrix counts: %v kills resumed to the planned end state, per point %v", len(cases)-tally["failed"], tally)
}

// killMatrix holds the prepared workspace (an assessed estate, a previewed
// plan, the target token in the keychain) and the sandbox the copies of
// it apply to, behind one loopback address whose store each case
// replaces.
type killMatrix struct {
	bin      string
	dir      string
	template string
	planID   string
	token    string
	planned  []int
	want     map[string][]string
	confApps int

	mu      sync.Mutex
	handler http.Handler
	url     string
}

func (m *killMatrix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	h := m.handler
	m.mu.Unlock()
	h.ServeHTTP(w, r)
}

func newKillMatrix(t *testing.T) *killMatrix {
	t.Helper()
	ctx := context.Background()
	m := &killMatrix{dir: t.TempDir()}
	m.bin = filepath.Join(m.dir, "migctl-killpoints")
	build := exec.Command("go", "build", "-tags", "killpoints", "-o", m.bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build migctl with killpoints: %v\n%s", err, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	m.url = "http://" + ln.Addr().String()
	m.freshSandbox(t)

	m.template = filepath.Join(m.dir, "template.migration")
	w, ws, err := wiring.Create(ctx, m.template, workspace.CreateRequest{Tenant: killTenant, Mode: workspace.ModeFirstRunAdoption}, wiring.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { forgetKeychain(ws.ID) })
	src, err := w.Service.AddSource(ctx, workspace.NewSource{Name: "kill-okta", Kind: "okta",
		Settings: map[string]string{"org_url": "https://kill-matrix.okta.example"}, Credential: secret.New("fake-okta-token-for-the-kill-matrix")})
	if err != nil {
		t.Fatal(err)
	}
	snap := storeSnapshot(t, w.DB, src)
	// Connected first, so the assessment reads the (empty) live target;
	// then every OCM impact acknowledged: the gate opens.
	if _, _, err := w.ConnectTarget(ctx, m.url, secret.New(killToken)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Assessment.Run(ctx, snap.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.OCM.Acknowledge(ctx, ocm.AckRequest{Note: "test-only acknowledgement"}); err != nil {
		t.Fatal(err)
	}
	plan, err := w.Cutover.Create(ctx, cutover.CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := w.TargetClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := w.Cutover.Preview(ctx, plan.ID, c)
	if err != nil {
		t.Fatal(err)
	}
	m.planID, m.token = plan.ID, prev.Token
	for _, st := range prev.Steps {
		if st.Disposition == steps.Planned {
			m.planned = append(m.planned, st.Seq)
		}
	}
	if len(m.planned) < 50 {
		t.Fatalf("the matrix needs a plan of at least 50 steps, got %d", len(m.planned))
	}
	m.want = plannedObjects(killShape)
	for i := range killShape.Apps {
		if i%4 != 3 {
			m.confApps++
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return m
}

func getenv(k string) string {
	if k == "PMC_ACTOR" {
		return "kill-matrix"
	}
	return os.Getenv(k)
}

// freshSandbox puts an empty sandbox on a new file behind the address.
func (m *killMatrix) freshSandbox(t *testing.T) *sandboxdb.DB {
	t.Helper()
	db, err := sandboxdb.Open(context.Background(), filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sandbox.AcceptToken(context.Background(), db, secret.New(killToken), sandbox.AdminTokenSpec(killTenant, "consultant@example.test")); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	m.handler = sandbox.NewServer(db, sandbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	m.mu.Unlock()
	return db
}

// run is one case: kill at point of step, resume, check the end state.
func (m *killMatrix) run(t *testing.T, step int, point string) {
	ctx := context.Background()
	db := m.freshSandbox(t)
	path := filepath.Join(t.TempDir(), "case.migration")
	copyFile(t, m.template, path)
	secretsA, secretsB := filepath.Join(t.TempDir(), "secrets-apply.jsonl"), filepath.Join(t.TempDir(), "secrets-resume.jsonl")

	apply := m.migctl(path, "apply:"+strconv.Itoa(step)+":"+point, "cutover", "apply", "--plan", m.planID, "--preview-token", m.token, "--secrets-file", secretsA)
	out, err := apply.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("migctl was not killed at %s of step %d: %v\n%s", point, step, err, out)
	}
	resume := m.migctl(path, "", "cutover", "resume", "--secrets-file", secretsB)
	if out, err := resume.CombinedOutput(); err != nil {
		t.Fatalf("resume after the kill: %v\n%s", err, out)
	}

	// Exactly the planned objects, none twice, none missing.
	got := targetObjects(t, m.url)
	for _, noun := range []string{"providers", "routing_rules", "groups", "applications", "app_assignments"} {
		if !slices.Equal(got[noun], m.want[noun]) {
			t.Errorf("%s on the target:\n got %d %.300v\nwant %d %.300v", noun, len(got[noun]), got[noun], len(m.want[noun]), m.want[noun])
		}
	}
	// Every planned step applied, once; the workspace file intact; the
	// audit chain unbroken.
	checkIntegrity(t, path)
	w, err := wiring.Open(ctx, path, wiring.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	d, err := w.Cutover.Get(ctx, m.planID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Plan.Status != cutover.StatusAppliedWithFollowUp || d.Apply.Status != cutover.RunCompletedWithFollowUp || d.Apply.Resumes != 1 {
		t.Fatalf("plan %s, run %s after %d resumes", d.Plan.Status, d.Apply.Status, d.Apply.Resumes)
	}
	applied := 0
	for _, seq := range m.planned {
		if e := d.Applied[seq]; e.State == cutover.StateApplied && e.TargetID != "" {
			applied++
		}
	}
	if applied != len(m.planned) {
		t.Fatalf("%d of %d planned steps journaled as applied", applied, len(m.planned))
	}
	entries, brk, err := w.Service.AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", brk, err)
	}
	stepEvents := map[string]int{}
	for _, e := range entries {
		if e.Event == "migration.cutover_step.applied" {
			stepEvents[e.Facts["step_id"]]++
		}
	}
	if len(stepEvents) != len(m.planned) {
		t.Fatalf("applied events for %d steps, want %d", len(stepEvents), len(m.planned))
	}
	// The operator holds a valid secret for every confidential client:
	// the last one delivered for each app is the one the Portal accepts.
	last := map[string]string{}
	for _, f := range []string{secretsA, secretsB} {
		for _, l := range readSecrets(t, f) {
			last[l.AppID] = l.ClientSecret
		}
	}
	if len(last) != m.confApps {
		t.Fatalf("secrets delivered for %d confidential clients, want %d", len(last), m.confApps)
	}
	err = db.View(ctx, func(tx sandbox.Tx) error {
		for app, sec := range last {
			o, err := tx.Get(killTenant, sandbox.KindApplication, app)
			if err != nil {
				return err
			}
			sum := sha256.Sum256([]byte(sec))
			if o.SecretHash != hex.EncodeToString(sum[:]) {
				return fmt.Errorf("the secret delivered for %s is not the one the Portal holds", app)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (m *killMatrix) migctl(path, killAt string, args ...string) *exec.Cmd {
	cmd := exec.Command(m.bin, append([]string{"--workspace", path}, args...)...)
	cmd.Env = append(os.Environ(), "PMC_ACTOR=kill-matrix", "PMC_KILLPOINT="+killAt)
	return cmd
}

type secretLine struct {
	AppID        string `json:"app_id"`
	ClientSecret string `json:"client_secret"`
}

func readSecrets(t *testing.T, path string) []secretLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []secretLine
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var l secretLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("secrets file line %q: %v", line, err)
		}
		out = append(out, l)
	}
	return out
}

// storeSnapshot stores a completed snapshot of the estate for src.
func storeSnapshot(t *testing.T, db *workspacedb.DB, src workspace.Source) inventory.Snapshot {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	snap := inventory.Snapshot{ID: workspace.NewID(), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
		Status: inventory.StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: "kill-matrix", Counts: map[inventory.Kind]int{}}
	var items []inventory.Item
	if err := cutovertest.Generate(killShape, func(it inventory.Item) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	err := db.UpdateTx(ctx, func(tx *workspacedb.Tx) error {
		if err := tx.InsertSnapshot(snap); err != nil {
			return err
		}
		if err := tx.SaveItems(snap.ID, items); err != nil {
			return err
		}
		counts, pages, err := tx.CountItems(snap.ID)
		if err != nil {
			return err
		}
		done := now.Add(time.Second)
		snap.Status, snap.FinishedAt, snap.Counts, snap.PageCount, snap.ItemCount = inventory.StatusCompleted, &done, counts, pages, len(items)
		return tx.UpdateSnapshot(snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// plannedObjects is what the estate's plan creates, as targetObjects lists
// a target.
func plannedObjects(s cutovertest.Shape) map[string][]string {
	out := map[string][]string{}
	for i := range s.Providers {
		out["providers"] = append(out["providers"], cutovertest.ProviderName(i))
		out["routing_rules"] = append(out["routing_rules"], cutovertest.Domain(i)+" → "+cutovertest.ProviderName(i))
	}
	for i := range s.Groups {
		out["groups"] = append(out["groups"], cutovertest.GroupName(i))
	}
	for i := range s.Apps {
		out["applications"] = append(out["applications"], cutovertest.AppName(i))
	}
	for i := range s.Assignments {
		a := i % s.Apps
		g := (i/s.Apps + a) % s.Groups
		out["app_assignments"] = append(out["app_assignments"], cutovertest.AppName(a)+" ← "+cutovertest.GroupName(g))
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// targetObjects lists the target per noun, by name (duplicates kept).
func targetObjects(t *testing.T, url string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(url, secret.New(killToken))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	provs, err := c.ListUpstreamProviders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{}
	for _, p := range provs {
		name[p.Id] = p.Name
		out["providers"] = append(out["providers"], p.Name)
	}
	rules, err := c.ListRoutingRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		out["routing_rules"] = append(out["routing_rules"], strings.Join(r.Domains, ",")+" → "+name[r.ProviderId])
	}
	groups, err := c.ListGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		name[g.Id] = g.Name
		out["groups"] = append(out["groups"], g.Name)
	}
	apps, err := c.ListApplications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		name[a.Id] = a.Name
		out["applications"] = append(out["applications"], a.Name)
	}
	asgs, err := c.ListAppAssignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range asgs {
		out["app_assignments"] = append(out["app_assignments"], name[a.AppId]+" ← "+name[a.GroupId])
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// checkIntegrity runs SQLite's full integrity check on a workspace file.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check of %s: %q %v", path, res, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// requireKeychain skips without a Secret Service unless PMC_KEYCHAIN_TESTS
// says one must be there (make test runs inside scripts/with-keyring.sh).
func requireKeychain(t *testing.T) {
	t.Helper()
	kc := keychain.New()
	err := kc.Set(context.Background(), "kill-matrix-probe", "probe", secret.New("fake-probe-secret-for-tests"))
	if err == nil {
		err = kc.Delete(context.Background(), "kill-matrix-probe", "probe")
	}
	if err != nil {
		if errors.Is(err, keychain.ErrUnavailable) && os.Getenv("PMC_KEYCHAIN_TESTS") == "" {
			t.Skipf("no OS keychain (run under scripts/with-keyring.sh): %v", err)
		}
		t.Fatalf("keychain: %v", err)
	}
}

func forgetKeychain(workspaceID string) {
	kc := keychain.New()
	for _, role := range []string{workspace.RoleTargetToken, workspace.SourceRole("kill-okta")} {
		_ = kc.Delete(context.Background(), workspaceID, role)
	}
}
