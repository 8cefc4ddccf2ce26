package report

import (
	"context"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Provider is how a stage puts its results into reports. A stage adds one
// file holding its Provider (in its own package, next to the data it
// reads) and one line in the console's provider list (app/wiring's
// reportProviders); the builders call every provider whose Slot a report
// kind's outline holds, in outline order.
//
// A provider whose stage has not run in the workspace returns a truthful
// section saying so (Status NotRun), never an empty table: "No assessment
// has been run in this workspace". Until a stage's provider exists at all,
// the slot's Fallback says the same on its behalf.
type Provider interface {
	Slot() Slot
	Contribute(ctx context.Context, in Input) (Contribution, error)
}

// Contribution is what one provider adds to one report.
type Contribution struct {
	// Cover facts, e.g. {"Assessment", "<id>"}, {"Classifier version", ...}.
	Cover []Fact
	// Summary blocks go in the executive summary, in outline order:
	// charts (classes, class by kind, step dispositions, gate status) and
	// the few numbers a reader needs first.
	Summary []Block
	// Sections fill the provider's slot, in order. Section ids must be
	// unique in the report; prefix them with the slot.
	Sections []Section
}

// Input is what every provider is told about the report it contributes
// to. Providers read their own stage's data themselves.
type Input struct {
	Kind        Kind
	ReportID    string
	GeneratedAt time.Time
	Workspace   workspace.Workspace
	Summary     readiness.Summary
	Sources     []workspace.Source
	// Locators are the sources' non-secret addresses, by source id.
	Locators map[string]string
	// Snapshots is every snapshot, newest first; Covered the latest
	// completed snapshot of each source, which the report describes.
	Snapshots []inventory.Snapshot
	Covered   []inventory.Snapshot
}

// Joined lets several stages fill one slot: the operator's rollback
// guidance (evidence) and the objects a rollback deletes (cutover) both
// belong under "rollback". Each provider's contribution follows the one
// before it; their section ids must differ. Every provider must name the
// same slot (Build refuses the list otherwise).
type Joined []Provider

// Slot implements Provider: the slot every joined provider fills.
func (j Joined) Slot() Slot {
	if len(j) == 0 {
		return ""
	}
	s := j[0].Slot()
	for _, p := range j[1:] {
		if p.Slot() != s {
			return "" // an unknown slot: Build names the list as wrong
		}
	}
	return s
}

// Contribute implements Provider.
func (j Joined) Contribute(ctx context.Context, in Input) (Contribution, error) {
	var all Contribution
	for _, p := range j {
		c, err := p.Contribute(ctx, in)
		if err != nil {
			return Contribution{}, err
		}
		all.Cover = append(all.Cover, c.Cover...)
		all.Summary = append(all.Summary, c.Summary...)
		all.Sections = append(all.Sections, c.Sections...)
	}
	return all, nil
}
