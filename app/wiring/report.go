package wiring

import (
	"context"
	"errors"
	"fmt"

	"github.com/portal-id/migration-console/engine/assessment/assessreport"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Version is the console's version as reports and bundles state it. It is
// FyneApp.toml's Version (a test keeps the two equal); release builds may
// set it with -ldflags "-X .../app/wiring.Version=...".
var Version = "0.1.0"

// reportProviders is every stage's contribution to reports, one line per
// stage (see report.Provider). A stage missing from this list is reported
// truthfully as not run by the slot's fallback.
func (w *Workspace) reportProviders() []report.Provider {
	return []report.Provider{
		assessreport.Provider{Service: w.Assessment},
		assessreport.Rules{Service: w.Assessment},
	}
}

// Report builds a report of kind from the open workspace, with the
// fingerprint of the workspace's evidence-signing key on its cover (a
// report still builds when the keychain cannot be read, and says so).
func (w *Workspace) Report(ctx context.Context, kind report.Kind) (*report.Document, error) {
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return nil, err
	}
	opt := report.Options{ConsoleVersion: Version, PreparedBy: w.Service.Actor}
	if m, err := keys.Load(ctx, w.Keychain, ws.ID); err != nil {
		opt.SigningKeyNote = "the keychain could not be read, so the signing key is not shown: " + keychainReason(err)
	} else {
		opt.SigningKey = m.Fingerprint()
	}
	return report.Build(ctx, kind, ReportData{W: w}, w.reportProviders(), opt)
}

// keychainReason says why the keychain failed without quoting anything it
// returned.
func keychainReason(err error) string {
	switch {
	case errors.Is(err, keys.ErrMalformed):
		return "the stored key is malformed"
	case errors.Is(err, secret.ErrNotFound):
		return "no key is stored"
	}
	return "it did not answer"
}

// SigningKey returns the workspace's evidence-signing key, creating the
// workspace's master key in the keychain on first use.
func (w *Workspace) SigningKey(ctx context.Context) (keys.Master, workspace.Workspace, error) {
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return keys.Master{}, ws, err
	}
	m, err := keys.Load(ctx, w.Keychain, ws.ID)
	if err != nil {
		return keys.Master{}, ws, fmt.Errorf("load the workspace's signing key from the keychain: %w", err)
	}
	return m, ws, nil
}

// ReportData is an open workspace as the report builders and the evidence
// bundle read it.
type ReportData struct{ W *Workspace }

func (d ReportData) Workspace(ctx context.Context) (workspace.Workspace, error) {
	return d.W.Service.Get(ctx)
}

func (d ReportData) Summary(ctx context.Context) (readiness.Summary, error) {
	return d.W.Readiness.Summary(ctx)
}

func (d ReportData) Sources(ctx context.Context) ([]workspace.Source, error) {
	return d.W.Service.Sources(ctx)
}

// Locate is where the source points, as its vendor describes it.
func (d ReportData) Locate(src workspace.Source) string {
	return d.W.Vendors.Describe(src).Endpoint
}

func (d ReportData) Snapshots(ctx context.Context) ([]inventory.Snapshot, error) {
	return d.W.Inventory.Snapshots(ctx)
}

// Pages lists a snapshot's evidence pages without their bodies.
func (d ReportData) Pages(ctx context.Context, snapshotID string) ([]inventory.Page, error) {
	return d.PageBodies(ctx, snapshotID, nil, false)
}

// PageBodies reads the given pages of a snapshot (all when ids is empty),
// with their bodies when withBodies is set.
func (d ReportData) PageBodies(ctx context.Context, snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error) {
	var pages []inventory.Page
	err := d.W.Inventory.Store.View(ctx, func(tx inventory.Tx) error {
		var err error
		pages, err = tx.Pages(snapshotID, ids, withBodies)
		return err
	})
	return pages, err
}

// itemBatch is how many items EachItem reads per query.
const itemBatch = 2000

// EachItem reads a snapshot's items in batches in name order, which the
// store's name index serves without sorting, so a 100,000-item snapshot
// is read in linear time and never sits in memory twice.
func (d ReportData) EachItem(ctx context.Context, snapshotID string, fn func(inventory.StoredItem) error) error {
	for offset := 0; ; offset += itemBatch {
		page, err := d.W.Inventory.Items(ctx, inventory.ItemQuery{SnapshotID: snapshotID, SortBy: "display_name", Offset: offset, Limit: itemBatch})
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			it.Raw = nil // a report never prints the raw payload
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(page.Items) < itemBatch {
			return nil
		}
	}
}

// AuditTrail reads the whole trail, its recorded head and the verdict.
func (d ReportData) AuditTrail(ctx context.Context) (report.AuditTrail, error) {
	var t report.AuditTrail
	err := d.W.Service.Store.View(ctx, func(tx workspace.Tx) error {
		var err error
		if t.Entries, err = tx.AuditEntries(); err != nil {
			return err
		}
		t.Head, err = tx.AuditHead()
		return err
	})
	if err != nil {
		return t, fmt.Errorf("read the audit trail: %w", err)
	}
	if t.Entries == nil {
		t.Entries = []audit.Entry{}
	}
	t.Break = audit.Verify(t.Entries, t.Head)
	return t, nil
}
