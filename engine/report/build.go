package report

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Data is the workspace as the builders read it: what every workspace has,
// whichever stages have run.
type Data interface {
	Workspace(ctx context.Context) (workspace.Workspace, error)
	Summary(ctx context.Context) (readiness.Summary, error)
	Sources(ctx context.Context) ([]workspace.Source, error)
	// Locate is a source's non-secret address as its vendor describes it
	// ("https://acme.okta.com", "tenant contoso.onmicrosoft.com").
	Locate(src workspace.Source) string
	// Snapshots lists every snapshot, newest first.
	Snapshots(ctx context.Context) ([]inventory.Snapshot, error)
	// Pages lists a snapshot's evidence pages without their bodies.
	Pages(ctx context.Context, snapshotID string) ([]inventory.Page, error)
	// EachItem calls fn for every item of a snapshot, in a stable order.
	EachItem(ctx context.Context, snapshotID string, fn func(inventory.StoredItem) error) error
	AuditTrail(ctx context.Context) (AuditTrail, error)
}

// AuditTrail is the workspace's trail as stored, its recorded head, and
// the first break Verify found (nil when intact).
type AuditTrail struct {
	Entries []audit.Entry
	Head    audit.Head
	Break   *audit.Break
}

// Options are the facts a report states that the workspace file does not
// hold.
type Options struct {
	ConsoleVersion string
	PreparedBy     string
	// SigningKey is the evidence-signing key's fingerprint; when it is ""
	// SigningKeyNote says why (the keychain could not be read).
	SigningKey     string
	SigningKeyNote string
	// ReportID is generated when empty.
	ReportID string
	Now      func() time.Time
}

// Builder is one report kind: its title, what it is for, and its outline.
type Builder struct {
	Kind    Kind
	Title   string
	Purpose string
	Outline []Slot
}

// Builders lists every report kind (see assessment.go, cutover.go and
// engagement.go), in the order a consultant meets them.
var Builders = []Builder{assessmentBuilder, cutoverBuilder, engagementBuilder}

// Kinds lists every report kind.
func Kinds() []Kind {
	out := make([]Kind, len(Builders))
	for i, b := range Builders {
		out[i] = b.Kind
	}
	return out
}

// ErrUnknownKind is returned for a kind no builder makes.
var ErrUnknownKind = errors.New("unknown report kind")

// Build makes a report of kind from the workspace and the stages'
// providers.
func Build(ctx context.Context, kind Kind, data Data, providers []Provider, opt Options) (*Document, error) {
	i := slices.IndexFunc(Builders, func(b Builder) bool { return b.Kind == kind })
	if i < 0 {
		return nil, fmt.Errorf("%w %q: want one of %v", ErrUnknownKind, kind, Kinds())
	}
	return Builders[i].Build(ctx, data, providers, opt)
}

// Build makes this kind's report.
func (b Builder) Build(ctx context.Context, data Data, providers []Provider, opt Options) (*Document, error) {
	bySlot := map[Slot]Provider{}
	for _, p := range providers {
		s := p.Slot()
		info, ok := slots[s]
		switch {
		case !ok:
			return nil, fmt.Errorf("report provider %T fills slot %q, which no outline has", p, s)
		case info.builtin:
			return nil, fmt.Errorf("report provider %T fills the built-in slot %q", p, s)
		case bySlot[s] != nil:
			return nil, fmt.Errorf("report providers %T and %T both fill slot %q", bySlot[s], p, s)
		}
		bySlot[s] = p
	}
	in, err := readInput(ctx, b.Kind, data, opt)
	if err != nil {
		return nil, err
	}
	doc := &Document{
		Format: FormatID, ID: in.ReportID, Kind: b.Kind, Title: b.Title, Purpose: b.Purpose,
		Cover: cover(in, opt),
	}
	trail, err := data.AuditTrail(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	var summary []Block
	var inv inventoryStats
	for _, s := range b.Outline {
		info := slots[s]
		switch {
		case s == SlotSummary:
			doc.Sections = append(doc.Sections, Section{ID: string(SlotSummary)}) // filled last
		case s == SlotInventory:
			sec, stats, err := inventorySection(ctx, data, in)
			if err != nil {
				return nil, err
			}
			inv = stats
			doc.Sections = append(doc.Sections, sec)
		case s == SlotAudit:
			doc.Sections = append(doc.Sections, auditSection(trail, opt))
		case bySlot[s] != nil:
			c, err := bySlot[s].Contribute(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("%s section: %w", info.title, err)
			}
			doc.Cover.Facts = append(doc.Cover.Facts, c.Cover...)
			summary = append(summary, c.Summary...)
			doc.Sections = append(doc.Sections, c.Sections...)
		default:
			doc.Sections = append(doc.Sections, Section{ID: string(s), Title: info.title, Status: NotRun, Blocks: info.fallback(in)})
		}
	}
	for i := range doc.Sections {
		if doc.Sections[i].ID == string(SlotSummary) {
			doc.Sections[i] = summarySection(b, in, inv, trail, summary)
		}
	}
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("build the %s report: %w", b.Kind, err)
	}
	return doc, nil
}

func readInput(ctx context.Context, kind Kind, data Data, opt Options) (Input, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	in := Input{Kind: kind, ReportID: opt.ReportID, GeneratedAt: now().UTC().Truncate(time.Second)}
	if in.ReportID == "" {
		in.ReportID = NewReportID(in.GeneratedAt)
	}
	var err error
	if in.Workspace, err = data.Workspace(ctx); err != nil {
		return in, fmt.Errorf("read the workspace: %w", err)
	}
	if in.Summary, err = data.Summary(ctx); err != nil {
		return in, fmt.Errorf("read the workspace summary: %w", err)
	}
	if in.Sources, err = data.Sources(ctx); err != nil {
		return in, fmt.Errorf("read the sources: %w", err)
	}
	in.Locators = make(map[string]string, len(in.Sources))
	for _, s := range in.Sources {
		in.Locators[s.ID] = data.Locate(s)
	}
	sort.Slice(in.Sources, func(i, j int) bool { return in.Sources[i].Name < in.Sources[j].Name })
	if in.Snapshots, err = data.Snapshots(ctx); err != nil {
		return in, fmt.Errorf("read the snapshots: %w", err)
	}
	// The latest completed snapshot of each source, sources in name order.
	for _, src := range in.Sources {
		for _, sn := range in.Snapshots {
			if sn.SourceID == src.ID && sn.Status == inventory.StatusCompleted {
				in.Covered = append(in.Covered, sn)
				break
			}
		}
	}
	return in, nil
}

// NewReportID returns a report id: the UTC date it was made and 48 random
// bits, short enough to read aloud on a call.
func NewReportID(at time.Time) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return "RPT-" + at.UTC().Format("20060102") + "-" + strings.ToUpper(hex.EncodeToString(b[:]))
}

func cover(in Input, opt Options) Cover {
	c := Cover{
		ConsoleVersion:  opt.ConsoleVersion,
		Tenant:          in.Workspace.Tenant,
		WorkspaceID:     in.Workspace.ID,
		WorkspaceMode:   string(in.Workspace.Mode),
		WorkspaceStatus: string(in.Workspace.Status),
		TargetURL:       in.Workspace.Target.URL,
		GeneratedAt:     in.GeneratedAt,
		PreparedBy:      opt.PreparedBy,
		SigningKey:      opt.SigningKey,
		SigningKeyNote:  opt.SigningKeyNote,
		Sources:         []CoverSource{},
		Snapshots:       []CoverSnapshot{},
		Facts:           []Fact{},
	}
	for _, s := range in.Sources {
		c.Sources = append(c.Sources, CoverSource{Name: s.Name, Kind: string(s.Kind), Status: string(s.Status), Locator: in.Locators[s.ID]})
	}
	for _, sn := range in.Covered {
		c.Snapshots = append(c.Snapshots, CoverSnapshot{ID: sn.ID, Source: sn.SourceName, Status: string(sn.Status),
			StartedAt: sn.StartedAt, FinishedAt: sn.FinishedAt, Items: sn.ItemCount, Pages: sn.PageCount})
	}
	return c
}
