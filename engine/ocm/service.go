package ocm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Service reads and acknowledges the OCM impacts of one workspace file.
type Service struct {
	Store Store
	Actor string
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// fill sets the derived fields of stored rows.
func fill(rows []Impact, run assessment.Run) []Impact {
	for i := range rows {
		im := &rows[i]
		im.ID, im.RunID, im.SourceID, im.SourceKind = ImpactID(run.ID, im.Ordinal), run.ID, run.SourceID, run.SourceKind
		a := ActionOf(im.RuleID, im.Audience)
		im.Kind, im.Owner = a.Kind, a.Owner
		if im.Items == nil {
			im.Items = []assessment.ItemRef{}
		}
	}
	return rows
}

// current reads the impact rows of the current runs (each configured
// source's newest run, when completed).
func current(tx Tx, itemLimit int) ([]Impact, []assessment.Run, error) {
	runs, err := tx.AssessmentRuns()
	if err != nil {
		return nil, nil, err
	}
	sources, err := tx.Sources()
	if err != nil {
		return nil, nil, err
	}
	cur := assessment.CurrentRuns(runs, sources)
	var out []Impact
	for _, r := range cur {
		rows, err := tx.RunImpacts(r.ID, itemLimit)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, fill(rows, r)...)
	}
	return out, cur, nil
}

// ListItems is how many items each listed impact names (ItemCount has
// them all).
const ListItems = 20

// Group is the impacts of one audience and severity.
type Group struct {
	Audience     assessment.Audience `json:"audience"`
	Severity     assessment.Severity `json:"severity"`
	Impacts      []Impact            `json:"impacts"`
	Acknowledged int                 `json:"acknowledged"`
	Pending      int                 `json:"pending"`
	NeedsReview  int                 `json:"needs_review"`
}

// Listing is the current impacts grouped by audience and severity (most
// severe first within an audience), with tallies over every current row.
type Listing struct {
	Groups       []Group `json:"groups"`
	Total        int     `json:"total"`
	Acknowledged int     `json:"acknowledged"`
	Pending      int     `json:"pending"`
	NeedsReview  int     `json:"needs_review"`
	// Runs are the current runs the impacts come from.
	Runs []string `json:"runs"`
}

// List returns the current runs' impacts that pass f, grouped.
func (s *Service) List(ctx context.Context, f Filter) (Listing, error) {
	if err := f.validate(); err != nil {
		return Listing{}, err
	}
	var l Listing
	err := s.Store.View(ctx, func(tx Tx) error {
		rows, runs, err := current(tx, ListItems)
		if err != nil {
			return err
		}
		l.Runs = []string{}
		for _, r := range runs {
			l.Runs = append(l.Runs, r.ID)
		}
		l.Groups = group(rows, f)
		for _, im := range rows {
			l.Total++
			switch im.Status {
			case StatusAcknowledged:
				l.Acknowledged++
			case StatusNeedsReview:
				l.NeedsReview++
			default:
				l.Pending++
			}
		}
		return nil
	})
	if err != nil {
		return Listing{}, fmt.Errorf("list OCM impacts: %w", err)
	}
	return l, nil
}

func group(rows []Impact, f Filter) []Group {
	out := []Group{}
	for _, aud := range assessment.Audiences {
		for i := len(assessment.Severities) - 1; i >= 0; i-- {
			g := Group{Audience: aud, Severity: assessment.Severities[i], Impacts: []Impact{}}
			for _, im := range rows {
				if im.Audience != g.Audience || im.Severity != g.Severity || !f.Keep(im) {
					continue
				}
				g.Impacts = append(g.Impacts, im)
				switch im.Status {
				case StatusAcknowledged:
					g.Acknowledged++
				case StatusNeedsReview:
					g.NeedsReview++
				default:
					g.Pending++
				}
			}
			if len(g.Impacts) > 0 {
				out = append(out, g)
			}
		}
	}
	return out
}

// AckRequest acknowledges one impact (ImpactID) or every current impact
// that passes Filter and is not acknowledged yet.
type AckRequest struct {
	ImpactID string
	Filter   Filter
	Note     string
	DryRun   bool
}

// AckResult lists the rows an acknowledgement touched (or would).
type AckResult struct {
	DryRun bool `json:"dry_run"`
	// Acknowledged are the rows acknowledged now (would be, in a dry run).
	Acknowledged []Impact `json:"acknowledged"`
	// Unchanged counts selected rows that were acknowledged already.
	Unchanged int `json:"unchanged"`
}

const maxNote = 2000

// Acknowledge records who acknowledged which impacts, when, with a note,
// on the existing rows of the current runs, and audits one
// migration.ocm_impacts.acknowledged per run. A row that needs review is
// acknowledged again by it; an acknowledged row is left as it is.
func (s *Service) Acknowledge(ctx context.Context, q AckRequest) (AckResult, error) {
	if err := q.Filter.validate(); err != nil {
		return AckResult{}, err
	}
	if utf8.RuneCountInString(q.Note) > maxNote {
		return AckResult{}, invalidf("the note is longer than %d characters", maxNote)
	}
	var wantRun string
	var wantOrdinal int
	if q.ImpactID != "" {
		if q.Filter != (Filter{}) {
			return AckResult{}, invalidf("name one impact, or filter by audience, severity, kind or status; not both")
		}
		var err error
		if wantRun, wantOrdinal, err = ParseImpactID(q.ImpactID); err != nil {
			return AckResult{}, err
		}
	}
	res := AckResult{DryRun: q.DryRun, Acknowledged: []Impact{}}
	run := s.Store.Update
	if q.DryRun {
		run = s.Store.View
	}
	err := run(ctx, func(tx Tx) error {
		rows, runs, err := current(tx, ListItems)
		if err != nil {
			return err
		}
		if q.ImpactID != "" {
			found := slices.ContainsFunc(rows, func(im Impact) bool { return im.RunID == wantRun && im.Ordinal == wantOrdinal })
			if !found {
				return s.whyNotFound(tx, q.ImpactID, wantRun, runs)
			}
		}
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		now := s.now()
		byRun := map[string][]Impact{}
		for _, im := range rows {
			if q.ImpactID != "" && (im.RunID != wantRun || im.Ordinal != wantOrdinal) {
				continue
			}
			if q.ImpactID == "" && !q.Filter.Keep(im) {
				continue
			}
			if im.Status == StatusAcknowledged {
				res.Unchanged++
				continue
			}
			keys, err := tx.ImpactItemKeys(im.RunID, im.Ordinal)
			if err != nil {
				return err
			}
			t := now
			im.Status, im.AckedBy, im.AckedAt, im.Note = StatusAcknowledged, s.Actor, &t, strings.TrimSpace(q.Note)
			im.ItemsFingerprint, im.CarriedFrom, im.ReviewReason = ItemsFingerprint(keys), "", ""
			if !q.DryRun {
				if err := tx.SaveAck(im); err != nil {
					return err
				}
			}
			byRun[im.RunID] = append(byRun[im.RunID], im)
			res.Acknowledged = append(res.Acknowledged, im)
		}
		if q.DryRun {
			return nil
		}
		for _, r := range runs {
			ims := byRun[r.ID]
			if len(ims) == 0 {
				continue
			}
			if _, err := audit.Record(tx, ackEntry(ws, s.Actor, now, r, ims, q)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return AckResult{}, fmt.Errorf("acknowledge OCM impacts: %w", err)
	}
	return res, nil
}

func (s *Service) whyNotFound(tx Tx, id, runID string, current []assessment.Run) error {
	allRuns, err := tx.AssessmentRuns()
	if err != nil {
		return err
	}
	for _, r := range allRuns {
		if r.ID == runID && !slices.ContainsFunc(current, func(c assessment.Run) bool { return c.ID == runID }) {
			return fmt.Errorf("%w: %s is from assessment %s, which is not its source's newest completed run; acknowledge the newest run's impact instead", ErrNotCurrent, id, runID)
		}
	}
	return fmt.Errorf("%w: %s (see ocm list)", ErrImpactNotFound, id)
}

// ackEntry is the audit entry of one run's acknowledged impacts: which
// rows, by rule, audience and severity, and how they were selected.
func ackEntry(ws workspace.Workspace, actor string, at time.Time, r assessment.Run, ims []Impact, q AckRequest) audit.Entry {
	var ids, rules, keys []string
	for _, im := range ims {
		ids = append(ids, fmt.Sprint(im.Ordinal))
		keys = append(keys, im.Key)
		if !slices.Contains(rules, im.RuleID) {
			rules = append(rules, im.RuleID)
		}
	}
	facts := map[string]string{
		"run_id": r.ID, "source_id": r.SourceID, "impacts": fmt.Sprint(len(ims)), "ordinals": strings.Join(ids, ","),
		"keys": strings.Join(keys, ","), "rule_ids": strings.Join(rules, ","),
	}
	if q.ImpactID == "" {
		for k, v := range map[string]string{"filter.audience": string(q.Filter.Audience), "filter.severity": string(q.Filter.Severity),
			"filter.kind": string(q.Filter.Kind), "filter.status": string(q.Filter.Status), "filter.rule_id": q.Filter.RuleID} {
			if v != "" {
				facts[k] = v
			}
		}
	}
	return audit.Entry{At: at, Event: audit.OCMImpactsAcknowledged, Tenant: ws.Tenant, Actor: actor, TargetID: r.ID, Facts: facts}
}
