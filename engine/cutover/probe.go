package cutover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Probe checks and outcomes.
const (
	// ProbeReadback: the object reads back holding what the plan sent (a
	// mapped object: it is still there, at the ETag the apply bound to).
	ProbeReadback = "readback"
	// ProbeCertificate: a provider's signing certificate parses and is
	// valid now (a warning when it expires within CertificateWarning).
	ProbeCertificate = "certificate"
	// ProbeRouting: an address at each routed domain resolves to the
	// provider the plan intended, deterministically.
	ProbeRouting = "routing"

	ProbePass    = "pass"
	ProbeWarn    = "warn"
	ProbeFail    = "fail"
	ProbeSkipped = "skipped"
)

// CertificateWarning is how close to its expiry a signing certificate is
// reported as a warning.
const CertificateWarning = 30 * 24 * time.Hour

// ProbeIdentifier is the local part of the address a routing probe asks
// about; the Portal's resolution logs no identifier and signs nobody in.
const ProbeIdentifier = "cutover-probe"

// ProbeResult is one check of one object, recorded as evidence.
type ProbeResult struct {
	PlanID   string     `json:"plan_id"`
	RunID    string     `json:"probe_run_id"`
	At       time.Time  `json:"at"`
	Check    string     `json:"check"`
	Step     int        `json:"step"`
	StepID   string     `json:"step_id"`
	Kind     steps.Kind `json:"kind"`
	TargetID string     `json:"target_id"`
	// Subject is what was checked within the object: a domain, a
	// certificate's subject.
	Subject string `json:"subject,omitempty"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
}

// ProbeReport is one probe run.
type ProbeReport struct {
	PlanID  string         `json:"plan_id"`
	RunID   string         `json:"probe_run_id"`
	At      time.Time      `json:"at"`
	Results []ProbeResult  `json:"results"`
	Counts  map[string]int `json:"counts"`
}

// Router is the admin API's routing resolution: which provider an email
// routes to, without signing anyone in. *client.Client is one.
type Router interface {
	ResolveRouting(ctx context.Context, identifier string) (api.RoutingResolution, error)
}

// Probe checks what the plan's apply created and bound: every object reads
// back as planned, every created provider's signing certificate is valid,
// and every routed domain resolves to the intended provider (r nil: the
// routing checks are recorded as skipped). Results are stored as evidence
// with their time and detail, and audited as
// migration.cutover_probes.recorded.
func (s *Service) Probe(ctx context.Context, planID string, t steps.Target, r Router) (ProbeReport, error) {
	fail := func(err error) (ProbeReport, error) {
		return ProbeReport{}, fmt.Errorf("probe cutover plan %s: %w", planID, err)
	}
	d, err := s.Get(ctx, planID)
	if err != nil {
		return fail(err)
	}
	if d.Apply == nil {
		return fail(fmt.Errorf("%w: plan %s was never applied, so there is nothing to probe", ErrPlanState, planID))
	}
	rep := ProbeReport{PlanID: planID, RunID: workspace.NewID(), At: s.now(), Counts: map[string]int{}}
	add := func(res ProbeResult) {
		res.PlanID, res.RunID, res.At = planID, rep.RunID, s.now()
		rep.Results = append(rep.Results, res)
		rep.Counts[res.Outcome]++
	}
	ids := map[int]string{}
	for seq, e := range d.Applied {
		if e.State == StateApplied {
			ids[seq] = e.TargetID
		}
	}
	for _, st := range d.Steps {
		e, ok := d.Applied[st.Seq]
		if !ok || e.State != StateApplied {
			continue
		}
		rolled := d.RolledBack[st.Seq]
		if rolled.State == StateDeleted || rolled.State == StateGone {
			continue // rolled back: its absence is the expected state
		}
		kind, ok := steps.Of(st.Kind)
		if !ok {
			continue
		}
		base := ProbeResult{Check: ProbeReadback, Step: st.Seq, StepID: st.ID, Kind: st.Kind, TargetID: e.TargetID}
		o, err := kind.Get(ctx, t, e.TargetID)
		switch {
		case errors.Is(err, client.ErrNotFound):
			base.Outcome, base.Detail = ProbeFail, fmt.Sprintf("%s %s is gone from the target", kindWords(st.Kind), e.TargetID)
			add(base)
			continue
		case err != nil:
			return fail(fmt.Errorf("read %s %s: %w", kindWords(st.Kind), e.TargetID, err))
		}
		if st.Action == steps.Bind {
			base.Outcome, base.Detail = ProbePass, fmt.Sprintf("the mapped %s is present", kindWords(st.Kind))
			if o.ETag != e.ETag {
				base.Outcome = ProbeWarn
				base.Detail = fmt.Sprintf("the mapped %s is present but changed since apply bound to it (ETag %s, bound %s)", kindWords(st.Kind), o.ETag, e.ETag)
			}
			add(base)
		} else {
			body, err := steps.Fill(st.Request, st.Refs, ids)
			if err != nil {
				return fail(fmt.Errorf("step %d: %w", st.Seq, err))
			}
			if diffs := kind.Matches(body, o); len(diffs) > 0 {
				base.Outcome, base.Detail = ProbeFail, "reads back differently from the plan: "+strings.Join(diffs, "; ")
			} else {
				base.Outcome, base.Detail = ProbePass, "reads back exactly as planned"
			}
			add(base)
		}
		switch st.Kind {
		case steps.KindUpstreamProvider:
			add(s.probeCertificate(st, e.TargetID, o))
		case steps.KindRoutingRule:
			for _, res := range s.probeRouting(ctx, st, e.TargetID, o, r) {
				add(res)
			}
		}
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SaveCutoverProbes(planID, rep.Results); err != nil {
			return err
		}
		facts := map[string]string{"plan_id": planID, "probe_run_id": rep.RunID, "checks": strconv.Itoa(len(rep.Results))}
		for _, o := range []string{ProbePass, ProbeWarn, ProbeFail, ProbeSkipped} {
			facts["count."+o] = strconv.Itoa(rep.Counts[o])
		}
		return s.record(tx, audit.CutoverProbesRecorded, planID, facts)
	})
	if err != nil {
		return fail(err)
	}
	return rep, nil
}

// probeCertificate checks a SAML provider's signing certificate as the
// Portal holds it.
func (s *Service) probeCertificate(st Step, id string, o steps.Object) ProbeResult {
	res := ProbeResult{Check: ProbeCertificate, Step: st.Seq, StepID: st.ID, Kind: st.Kind, TargetID: id}
	var p api.UpstreamProvider
	if err := json.Unmarshal(o.Body, &p); err != nil || p.Saml == nil {
		res.Outcome, res.Detail = ProbeFail, "the provider holds no SAML settings"
		return res
	}
	cert, err := steps.ParseCertificate(p.Saml.SigningCertificate)
	if err != nil {
		res.Outcome, res.Detail = ProbeFail, "the signing certificate does not parse: "+err.Error()
		return res
	}
	res.Subject = cert.Subject.String()
	now := s.now()
	switch left := cert.NotAfter.Sub(now); {
	case now.Before(cert.NotBefore):
		res.Outcome, res.Detail = ProbeFail, fmt.Sprintf("not valid until %s", cert.NotBefore.UTC().Format(time.RFC3339))
	case left <= 0:
		res.Outcome, res.Detail = ProbeFail, fmt.Sprintf("expired %s", cert.NotAfter.UTC().Format(time.RFC3339))
	case left < CertificateWarning:
		res.Outcome, res.Detail = ProbeWarn, fmt.Sprintf("valid, but expires %s (in %d days)", cert.NotAfter.UTC().Format(time.RFC3339), int(left.Hours()/24))
	default:
		res.Outcome, res.Detail = ProbePass, fmt.Sprintf("valid until %s", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return res
}

// probeRouting asks the Portal where an address at each of the rule's
// domains routes: it must be the rule's provider, deterministically.
func (s *Service) probeRouting(ctx context.Context, st Step, id string, o steps.Object, r Router) []ProbeResult {
	var rule api.RoutingRule
	if err := json.Unmarshal(o.Body, &rule); err != nil {
		return []ProbeResult{{Check: ProbeRouting, Step: st.Seq, StepID: st.ID, Kind: st.Kind, TargetID: id, Outcome: ProbeFail,
			Detail: "the routing rule does not read back: " + err.Error()}}
	}
	var out []ProbeResult
	for _, domain := range rule.Domains {
		res := ProbeResult{Check: ProbeRouting, Step: st.Seq, StepID: st.ID, Kind: st.Kind, TargetID: id, Subject: domain}
		if r == nil {
			res.Outcome, res.Detail = ProbeSkipped, "this Portal client offers no routing resolution"
			out = append(out, res)
			continue
		}
		got, err := r.ResolveRouting(ctx, ProbeIdentifier+"@"+domain)
		switch {
		case err != nil:
			res.Outcome, res.Detail = ProbeFail, "routing resolution failed: "+err.Error()
		case deref(got.ProviderId) != rule.ProviderId:
			res.Outcome = ProbeFail
			res.Detail = fmt.Sprintf("resolves to provider %s, planned %s: %s", orNone(deref(got.ProviderId)), rule.ProviderId, got.Reason)
		case !got.Deterministic:
			res.Outcome, res.Detail = ProbeFail, "routing is ambiguous (another rule matches at the same priority): "+got.Reason
		case got.Outcome == api.NoSsoConfiguration:
			// The cutover creates providers and rules, not SSO
			// configurations: the rollout stage enables those.
			res.Outcome = ProbeWarn
			res.Detail = fmt.Sprintf("resolves to %s (%s) as planned, but the provider has no enabled SSO configuration yet, so nobody is redirected: enable SSO (the rollout stage) before users arrive", orNone(deref(got.ProviderName)), rule.ProviderId)
		case got.Outcome != api.Routed:
			res.Outcome, res.Detail = ProbeFail, fmt.Sprintf("resolution outcome %s: %s", got.Outcome, got.Reason)
		default:
			res.Outcome, res.Detail = ProbePass, fmt.Sprintf("resolves to %s (%s)", orNone(deref(got.ProviderName)), rule.ProviderId)
		}
		out = append(out, res)
	}
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Probes lists a plan's recorded probe results, newest probe run first.
func (s *Service) Probes(ctx context.Context, planID string) ([]ProbeResult, error) {
	var out []ProbeResult
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.CutoverProbes(planID)
		return err
	})
	return out, err
}

func decodeApp(body json.RawMessage) (api.Application, error) {
	var a api.Application
	err := json.Unmarshal(body, &a)
	return a, err
}
