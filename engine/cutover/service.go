package cutover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Service is the cutover stage of one workspace file.
type Service struct {
	Store Store
	Gate  Gate
	// Reviews reads merge decisions and acknowledgements; nil when the
	// build has no merge review or OCM stage.
	Reviews Reviews
	Actor   string
	Now     func() time.Time
	// StaleAfter is how long a started run may go without a heartbeat
	// before it counts as interrupted (default 30 s). A run whose process
	// is known to be dead on this host is interrupted at once.
	StaleAfter time.Duration
	// PreviewTTL is how long a preview token is good for (default 1 h).
	PreviewTTL time.Duration
	// MaxLive bounds the live objects of one noun a preview or probe reads
	// (default 500,000).
	MaxLive int
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * time.Second
}

func (s *Service) previewTTL() time.Duration {
	if s.PreviewTTL > 0 {
		return s.PreviewTTL
	}
	return time.Hour
}

func (s *Service) maxLive() int {
	if s.MaxLive > 0 {
		return s.MaxLive
	}
	return 500_000
}

// entry is an audit entry of this stage.
func (s *Service) entry(ws workspace.Workspace, event, targetID string, facts map[string]string) audit.Entry {
	return audit.Entry{At: s.now(), Event: event, Tenant: ws.Tenant, Actor: s.Actor, TargetID: targetID, Facts: facts}
}

func (s *Service) record(tx Tx, event, targetID string, facts map[string]string) error {
	ws, err := tx.Workspace()
	if err != nil {
		return err
	}
	_, err = audit.Record(tx, s.entry(ws, event, targetID, facts))
	return err
}

// checkGate refuses while the preview-handoff gate is closed, naming the
// blockers.
func (s *Service) checkGate(ctx context.Context) error {
	if s.Gate == nil {
		return fmt.Errorf("%w: this build cannot compute the workspace summary", ErrGateClosed)
	}
	h, err := s.Gate.Handoff(ctx)
	if err != nil {
		return fmt.Errorf("read the preview-handoff gate: %w", err)
	}
	if h.Ready {
		return nil
	}
	var parts []string
	for _, b := range h.Blockers {
		parts = append(parts, fmt.Sprintf("%s (%s)", b.Code, strings.TrimSuffix(b.Message, ".")))
	}
	return fmt.Errorf("%w: %s", ErrGateClosed, strings.Join(parts, "; "))
}

// Plans lists every plan, newest first, each with its latest apply run's
// state folded into what it shows.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	var out []Plan
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CutoverPlans()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list cutover plans: %w", err)
	}
	return out, nil
}

// Detail is one plan with its steps, runs and each step's latest journal
// entry of the newest apply and rollback runs.
type Detail struct {
	Plan  Plan   `json:"plan"`
	Steps []Step `json:"steps"`
	// Runs are the plan's execution runs, newest first.
	Runs []Run `json:"runs"`
	// Apply and Rollback are the newest runs of each kind (nil if none);
	// Applied and RolledBack their journals by step seq.
	Apply      *Run          `json:"apply,omitempty"`
	Rollback   *Run          `json:"rollback,omitempty"`
	Applied    map[int]Entry `json:"applied,omitempty"`
	RolledBack map[int]Entry `json:"rolled_back,omitempty"`
}

// Get reads one plan in full.
func (s *Service) Get(ctx context.Context, planID string) (Detail, error) {
	var d Detail
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		d, err = s.detail(tx, planID)
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("read cutover plan %s: %w", planID, err)
	}
	return d, nil
}

func (s *Service) detail(tx Tx, planID string) (Detail, error) {
	var d Detail
	var err error
	if d.Plan, err = tx.CutoverPlan(planID); err != nil {
		return d, err
	}
	if d.Steps, err = tx.CutoverSteps(planID); err != nil {
		return d, err
	}
	if d.Runs, err = tx.CutoverRuns(planID); err != nil {
		return d, err
	}
	for i := range d.Runs {
		d.Runs[i] = s.shown(d.Runs[i])
	}
	for i := range d.Runs {
		r := &d.Runs[i]
		switch {
		case r.Kind == RunApply && d.Apply == nil:
			d.Apply = r
		case r.Kind == RunRollback && d.Rollback == nil:
			d.Rollback = r
		}
	}
	if d.Apply != nil {
		if d.Applied, err = journalMap(tx, d.Apply.ID); err != nil {
			return d, err
		}
	}
	if d.Rollback != nil {
		if d.RolledBack, err = journalMap(tx, d.Rollback.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

func journalMap(tx Tx, runID string) (map[int]Entry, error) {
	entries, err := tx.CutoverJournal(runID)
	if err != nil {
		return nil, err
	}
	m := make(map[int]Entry, len(entries))
	for _, e := range entries {
		m[e.Step] = e
	}
	return m, nil
}

// Latest returns the newest plan, or false when there is none.
func (s *Service) Latest(ctx context.Context) (Plan, bool, error) {
	plans, err := s.Plans(ctx)
	if err != nil || len(plans) == 0 {
		return Plan{}, false, err
	}
	return plans[0], true, nil
}

// AppliedPlan reports a plan bound to the assessment run whose apply
// started (whatever its outcome: any apply may have written to the
// target), so merge review can refuse to change the decisions it acted on.
func (s *Service) AppliedPlan(ctx context.Context, runID string) (string, bool, error) {
	var id string
	var applied bool
	err := s.Store.View(ctx, func(tx Tx) error {
		plans, err := tx.CutoverPlans()
		if err != nil {
			return err
		}
		for _, p := range plans {
			if p.AssessmentRunID != runID {
				continue
			}
			runs, err := tx.CutoverRuns(p.ID)
			if err != nil {
				return err
			}
			for _, r := range runs {
				if r.Kind == RunApply {
					id, applied = p.ID, true
					return nil
				}
			}
		}
		return nil
	})
	return id, applied, err
}

// shown derives whether a started run is interrupted: its owner let go,
// its process is gone from this host, or its heartbeat went silent.
func (s *Service) shown(r Run) Run {
	r.Interrupted = r.Status == RunStarted && s.ownerGone(r)
	return r
}

func (s *Service) ownerGone(r Run) bool {
	if r.Owner == "" {
		return true
	}
	if host, pid, ok := parseOwner(r.Owner); ok && host == hostname() && pid != os.Getpid() && !processAlive(pid) {
		return true
	}
	return s.now().Sub(r.HeartbeatAt) > s.staleAfter()
}

func owner() string { return fmt.Sprintf("%s/pid %d", hostname(), os.Getpid()) }

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func parseOwner(o string) (string, int, bool) {
	host, rest, ok := strings.Cut(o, "/pid ")
	if !ok {
		return "", 0, false
	}
	var pid int
	if _, err := fmt.Sscanf(rest, "%d", &pid); err != nil || pid <= 0 {
		return "", 0, false
	}
	return host, pid, true
}

// isNotFound reports errors that name a missing plan or run.
func isNotFound(err error) bool {
	return errors.Is(err, ErrPlanNotFound) || errors.Is(err, ErrRunNotFound)
}
