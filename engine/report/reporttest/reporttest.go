// Package reporttest holds an in-memory report.Data for tests of the
// builders and renderers that do not need a workspace file: a made-up
// engagement of any size, deterministic for a given size. The end-to-end
// tests (migctl report, the evidence bundle) use real workspaces instead.
package reporttest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Data is a workspace held in memory.
type Data struct {
	WS        workspace.Workspace
	Sum       readiness.Summary
	Srcs      []workspace.Source
	Snaps     []inventory.Snapshot
	PagesOf   map[string][]inventory.Page
	ItemsOf   map[string][]inventory.StoredItem
	Trail     report.AuditTrail
	AuditFail error
}

func (d *Data) Workspace(context.Context) (workspace.Workspace, error) { return d.WS, nil }
func (d *Data) Summary(context.Context) (readiness.Summary, error)     { return d.Sum, nil }

// Locate is the source's address: the org URL or tenant its settings name.
func (d *Data) Locate(src workspace.Source) string {
	var s struct {
		OrgURL   string `json:"org_url"`
		TenantID string `json:"tenant_id"`
	}
	if json.Unmarshal(src.Settings, &s) != nil {
		return ""
	}
	if s.OrgURL != "" {
		return s.OrgURL
	}
	return "tenant " + s.TenantID
}

func (d *Data) Sources(context.Context) ([]workspace.Source, error) {
	return append([]workspace.Source(nil), d.Srcs...), nil
}
func (d *Data) Snapshots(context.Context) ([]inventory.Snapshot, error) { return d.Snaps, nil }
func (d *Data) Pages(_ context.Context, id string) ([]inventory.Page, error) {
	return d.PagesOf[id], nil
}
func (d *Data) EachItem(_ context.Context, id string, fn func(inventory.StoredItem) error) error {
	for _, it := range d.ItemsOf[id] {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}
func (d *Data) AuditTrail(context.Context) (report.AuditTrail, error) { return d.Trail, d.AuditFail }

// Epoch is the made-up engagement's clock.
var Epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Engagement is a made-up merge-into-existing workspace with an Okta and
// an Entra source, each with one completed snapshot, items spread over
// every kind (items in all), 50 items per evidence page, and an intact
// audit trail of the collections.
func Engagement(items int) *Data {
	ws := workspace.Workspace{ID: "0123456789abcdef0123456789abcdef", Tenant: "example-corp", Mode: workspace.ModeMergeIntoExisting,
		Status: workspace.StatusReadyForInventory, Target: workspace.Target{URL: "https://portal.example.test"}, CreatedAt: Epoch}
	okta := workspace.Source{ID: "src-okta", Name: "okta-prod", Kind: "okta", Status: workspace.SourceConfigured,
		Settings: json.RawMessage(`{"org_url":"https://example-corp.okta.com","auth":"api_token"}`), CreatedAt: Epoch}
	entra := workspace.Source{ID: "src-entra", Name: "entra-prod", Kind: "entra", Status: workspace.SourceConfigured,
		Settings: json.RawMessage(`{"tenant_id":"example-corp.onmicrosoft.com","auth":"client_secret","cloud":"global"}`), CreatedAt: Epoch}
	d := &Data{WS: ws, Srcs: []workspace.Source{okta, entra}, PagesOf: map[string][]inventory.Page{}, ItemsOf: map[string][]inventory.StoredItem{}}
	d.Sum = readiness.Summary{WorkspaceID: ws.ID, Tenant: ws.Tenant, Mode: ws.Mode, Status: ws.Status, SourceCount: 2, ConfiguredSourceCount: 2,
		OCMStatus: readiness.StageNotStarted, OCMReviewStatus: readiness.StageNotStarted, AssessmentStatus: readiness.StageNotStarted,
		MergeReviewStatus: readiness.StageNotStarted, PreviewHandoffStatus: readiness.HandoffBlocked,
		PreviewHandoffBlockers: []readiness.Blocker{{Code: readiness.BlockerNoCompletedAssessment, Message: "Run a compatibility assessment on a completed snapshot."}}}
	var log memLog
	record := func(at time.Time, event, target string, facts map[string]string) {
		if _, err := audit.Record(&log, audit.Entry{At: at, Event: event, Tenant: ws.Tenant, Actor: "test-consultant", TargetID: target, Facts: facts}); err != nil {
			panic(err)
		}
	}
	record(Epoch, audit.WorkspaceCreated, ws.ID, map[string]string{"mode": string(ws.Mode)})
	record(Epoch.Add(time.Minute), audit.SourceCreated, okta.ID, map[string]string{"name": okta.Name, "kind": "okta"})
	record(Epoch.Add(2*time.Minute), audit.SourceCreated, entra.ID, map[string]string{"name": entra.Name, "kind": "entra"})

	for si, src := range d.Srcs {
		n := items / 2
		if si == 0 {
			n = items - items/2
		}
		started := Epoch.Add(time.Duration(10+si*20) * time.Minute)
		finished := started.Add(7 * time.Minute)
		snap := inventory.Snapshot{ID: fmt.Sprintf("%032x", si+1), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
			Status: inventory.StatusCompleted, StartedAt: started, FinishedAt: &finished, HeartbeatAt: finished, Counts: map[inventory.Kind]int{}}
		var pages []inventory.Page
		for i := 0; i < n; i++ {
			kind := inventory.Kinds[i%len(inventory.Kinds)]
			if i%50 == 0 {
				sum := sha256.Sum256([]byte(fmt.Sprintf("%s page %d", src.Name, i/50)))
				pages = append(pages, inventory.Page{PageID: int64(len(pages) + 1), Domain: string(kind) + "s", Method: "GET",
					Endpoint: "/api/v1/" + string(kind) + "s", Query: fmt.Sprintf("limit=50&after=%d", i), PageNumber: i/50 + 1, Status: 200,
					FetchedAt: started.Add(time.Duration(i) * time.Millisecond), Bytes: 4096 + i, SHA256: hex.EncodeToString(sum[:])})
			}
			snap.Counts[kind]++
			d.ItemsOf[snap.ID] = append(d.ItemsOf[snap.ID], inventory.StoredItem{ID: int64(i + 1), SnapshotID: snap.ID, Item: inventory.Item{
				SourceID: fmt.Sprintf("0oa%08d", i), Kind: kind, Subtype: subtype(kind, i), DisplayName: fmt.Sprintf("%s %s %d", src.Name, kind, i),
				EvidencePage: int64(len(pages))}})
		}
		snap.ItemCount, snap.PageCount = n, len(pages)
		d.PagesOf[snap.ID] = pages
		d.Snaps = append([]inventory.Snapshot{snap}, d.Snaps...)
		facts := map[string]string{"source": src.Name, "items": fmt.Sprint(n), "pages": fmt.Sprint(len(pages))}
		record(finished, audit.InventoryCollected, snap.ID, facts)
		at := finished
		d.Srcs[si].LastInventoryAt = &at
	}
	d.Trail = report.AuditTrail{Entries: log.entries, Head: log.head, Break: audit.Verify(log.entries, log.head)}
	return d
}

func subtype(k inventory.Kind, i int) string {
	switch k {
	case inventory.KindApplication:
		return []string{"oidc_web", "saml", "bookmark"}[i%3]
	case inventory.KindGroup:
		return []string{"okta_group", "app_group"}[i%2]
	}
	return string(k)
}

// memLog is an audit.Log in memory.
type memLog struct {
	entries []audit.Entry
	head    audit.Head
}

func (m *memLog) AuditHead() (audit.Head, error) { return m.head, nil }
func (m *memLog) AppendAudit(e audit.Entry) error {
	m.entries = append(m.entries, e)
	m.head = audit.Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// Files collects rendered files in memory.
type Files map[string]*Buffer

// Buffer is one rendered file.
type Buffer struct{ B []byte }

func (b *Buffer) Write(p []byte) (int, error) { b.B = append(b.B, p...); return len(p), nil }

// Create implements report.Files; a name created twice is an error.
func (f Files) Create(name string) (io.Writer, error) {
	if _, dup := f[name]; dup {
		return nil, fmt.Errorf("%s created twice", name)
	}
	b := &Buffer{}
	f[name] = b
	return b, nil
}
