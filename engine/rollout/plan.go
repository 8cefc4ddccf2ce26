package rollout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Op is what a run does.
type Op string

const (
	// OpWave moves a wave's users LOCAL_ONLY -> SSO_PREFERRED.
	OpWave Op = "wave"
	// OpEnforce moves a wave's linked users SSO_PREFERRED -> SSO_REQUIRED.
	OpEnforce Op = "enforce"
	// OpRollback puts users back to LOCAL_ONLY, disables the SSO
	// configuration and turns SCIM deprovisioning off, in that order.
	OpRollback Op = "rollback"
	// OpScim turns the configuration's SCIM deprovisioning on or off.
	OpScim Op = "scim"
)

// RunStatus is a run's lifecycle: previewed, then applying, then one of
// the ends. A newer preview of the same operation supersedes an unapplied
// one.
type RunStatus string

const (
	RunPreviewed             RunStatus = "previewed"
	RunApplying              RunStatus = "applying"
	RunCompleted             RunStatus = "completed"
	RunCompletedWithFailures RunStatus = "completed_with_failures"
	// RunCancelled stopped between two steps at the operator's request;
	// resume continues it.
	RunCancelled  RunStatus = "cancelled"
	RunSuperseded RunStatus = "superseded"
)

// Run is one previewed (and maybe applied) operation.
type Run struct {
	ID     string    `json:"id"`
	Op     Op        `json:"op"`
	WaveID string    `json:"wave_id,omitempty"`
	Status RunStatus `json:"status"`
	// Token is what apply must present: the preview it applies.
	Token       string     `json:"preview_token"`
	PreviewedAt time.Time  `json:"previewed_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	Options     RunOptions `json:"options"`
	Counts      RunCounts  `json:"counts"`
}

// RunOptions are an operation's choices.
type RunOptions struct {
	// GuaranteedRouting lets enforcement include users who are not yet
	// SSO-linked but whose routing the Portal resolves deterministically to
	// the rollout's enabled SSO configuration. The operator asserts it; the
	// audit trail records who did.
	GuaranteedRouting bool `json:"guaranteed_routing,omitempty"`
	// ScimEnable is the SCIM deprovisioning state an OpScim run sets.
	ScimEnable bool `json:"scim_enable,omitempty"`
}

// RunCounts tallies a run's steps by state.
type RunCounts struct {
	Planned int `json:"planned"`
	Refused int `json:"refused"`
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// StepKind is what one step writes.
type StepKind string

const (
	StepSetAuthMode     StepKind = "set_auth_mode"
	StepSetSsoEnabled   StepKind = "set_sso_configuration_enabled"
	StepSetScimDeprovis StepKind = "set_scim_deprovisioning"
)

// StepState is a step's journal state. sending is written before the
// request leaves and applied or failed after the answer, so a step found
// in sending after a crash is read back before anything is sent again.
type StepState string

const (
	StepPlanned StepState = "planned"
	// StepRefused is a user the preview left out, with the reason.
	StepRefused StepState = "refused"
	StepSending StepState = "sending"
	StepApplied StepState = "applied"
	StepFailed  StepState = "failed"
	// StepSkipped was planned, but the live state at apply time no longer
	// allowed it (the reason says why).
	StepSkipped StepState = "skipped"
)

// Step is one user's (or the configuration's) change in a run, and its
// journal entry.
type Step struct {
	RunID    string    `json:"run_id"`
	Seq      int       `json:"seq"`
	Kind     StepKind  `json:"kind"`
	TargetID string    `json:"target_id"`
	Label    string    `json:"label"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	SetEmail string    `json:"set_email,omitempty"`
	State    StepState `json:"state"`
	// Reason is a stable code for a refusal, skip or failure; Detail says
	// it for people.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	// ETag and Object are the target object as last read or written, the
	// base of the conditional write.
	ETag      string          `json:"etag,omitempty"`
	Object    json.RawMessage `json:"-"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Final reports a state nothing more happens to.
func (s StepState) Final() bool {
	return s == StepRefused || s == StepApplied || s == StepFailed || s == StepSkipped
}

// Preview is a previewed run: who changes and who is left out, and why.
type Preview struct {
	Run   Run    `json:"run"`
	Wave  *Wave  `json:"wave,omitempty"`
	Steps []Step `json:"steps"`
	// Warning is what the operator must read before applying.
	Warning string `json:"warning,omitempty"`
	// Scim is the SCIM pre-flight, for an OpScim preview.
	Scim *ScimPreflight `json:"scim,omitempty"`
}

// Changes returns the planned steps.
func (p Preview) Changes() []Step { return p.filter(StepPlanned) }

// Refusals returns the users left out.
func (p Preview) Refusals() []Step { return p.filter(StepRefused) }

func (p Preview) filter(st StepState) []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.State == st {
			out = append(out, s)
		}
	}
	return out
}

// EnforcementWarning is the procedure's enforcement warning (docs/rollout.md),
// in the console's words, shown
// before every enforcement.
const EnforcementWarning = "SSO_REQUIRED removes the local login. Enforce it only for users who have already signed in through SSO " +
	"at least once, or whose routing is guaranteed; anyone else may be locked out. Break-glass administrators and service " +
	"accounts are never enforced. Never rush enforcement: it can be undone by rollback, but a locked-out user cannot log in until then."

func userStep(u api.User, kind StepKind, to api.AuthMode) Step {
	obj, _ := json.Marshal(u) // an api.User always encodes
	return Step{Kind: kind, TargetID: u.Id, Label: label(u), From: string(u.AuthMode), To: string(to), Object: obj}
}

func refuse(st Step, reason, detail string) Step {
	st.State, st.Reason, st.Detail = StepRefused, reason, detail
	return st
}

// savePreview stores a new previewed run with its steps, supersedes the
// earlier unapplied previews of the same operation and records event.
func (s *Service) savePreview(ctx context.Context, p *Preview, event string, facts map[string]string) error {
	now := s.now()
	p.Run.ID, p.Run.Status, p.Run.PreviewedAt = workspace.NewID(), RunPreviewed, now
	for i := range p.Steps {
		p.Steps[i].RunID, p.Steps[i].Seq, p.Steps[i].UpdatedAt = p.Run.ID, i+1, now
		if p.Steps[i].State == "" {
			p.Steps[i].State = StepPlanned
		}
	}
	p.Run.Counts = countSteps(p.Steps)
	p.Run.Token = previewToken(p.Run, p.Steps)
	return s.Store.Update(ctx, func(tx Tx) error {
		runs, err := tx.RolloutRuns()
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Op == p.Run.Op && r.WaveID == p.Run.WaveID && r.Status == RunPreviewed {
				r.Status = RunSuperseded
				if err := tx.SaveRolloutRun(r, nil); err != nil {
					return err
				}
			}
		}
		if p.Wave != nil && (p.Wave.Status == WaveDraft || p.Wave.Status == WavePreviewed) && p.Run.Op == OpWave {
			w, err := tx.Wave(p.Wave.ID)
			if err != nil {
				return err
			}
			w.Status = WavePreviewed
			if err := tx.UpdateWave(w); err != nil {
				return err
			}
			p.Wave.Status = w.Status
		}
		if err := tx.SaveRolloutRun(p.Run, p.Steps); err != nil {
			return err
		}
		if facts == nil {
			facts = map[string]string{}
		}
		facts["run_id"] = p.Run.ID
		facts["planned"] = strconv.Itoa(p.Run.Counts.Planned)
		facts["refused"] = strconv.Itoa(p.Run.Counts.Refused)
		target := p.Run.ID
		if p.Run.WaveID != "" {
			target = p.Run.WaveID
		}
		return s.record(tx, event, target, facts)
	})
}

func countSteps(steps []Step) RunCounts {
	var c RunCounts
	for _, s := range steps {
		switch s.State {
		case StepPlanned, StepSending:
			c.Planned++
		case StepRefused:
			c.Refused++
		case StepApplied:
			c.Applied++
		case StepFailed:
			c.Failed++
		case StepSkipped:
			c.Skipped++
		}
	}
	return c
}

// previewToken binds an apply to exactly what was previewed.
func previewToken(r Run, steps []Step) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%+v\n", r.ID, r.Op, r.WaveID, r.Options)
	for _, st := range steps {
		fmt.Fprintf(h, "%d %s %s %s %s %s %s %s\n", st.Seq, st.Kind, st.TargetID, st.From, st.To, st.SetEmail, st.State, st.ETag)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// PreviewWave previews moving a wave's users LOCAL_ONLY -> SSO_PREFERRED:
// who changes, and who is left out and why.
func (s *Service) PreviewWave(ctx context.Context, ref string) (Preview, error) {
	w, err := s.Wave(ctx, ref)
	if err != nil {
		return Preview{}, err
	}
	l, err := s.readLive(ctx)
	if err != nil {
		return Preview{}, err
	}
	byID := usersByID(l.users)
	p := Preview{Run: Run{Op: OpWave, WaveID: w.ID}, Wave: &w}
	for _, m := range w.Members {
		u, ok := byID[m.UserID]
		if !ok {
			p.Steps = append(p.Steps, refuse(Step{Kind: StepSetAuthMode, TargetID: m.UserID, Label: m.Label}, "user_not_found", "no longer exists in the Portal"))
			continue
		}
		st := userStep(u, StepSetAuthMode, api.SSOPREFERRED)
		if emailOf(u) == "" {
			st.SetEmail = m.SetEmail
		}
		reason, detail, err := s.waveRefusal(ctx, l, u, st.SetEmail)
		if err != nil {
			return Preview{}, err
		}
		if reason != "" {
			st = refuse(st, reason, detail)
		} else if m.MatchedFrom != "" {
			st.Detail = "matched " + m.MatchedFrom
		}
		p.Steps = append(p.Steps, st)
	}
	err = s.savePreview(ctx, &p, audit.RolloutWavePreviewed, map[string]string{"wave": w.Name})
	return p, err
}

// waveRefusal says why u may not move LOCAL_ONLY -> SSO_PREFERRED, or "".
func (s *Service) waveRefusal(ctx context.Context, l *live, u api.User, setEmail string) (string, string, error) {
	if why := l.excluded(u); why != "" {
		return "excluded", why, nil
	}
	switch {
	case u.AuthMode == api.SSOPREFERRED || u.AuthMode == api.SSOREQUIRED:
		return "already_sso", "already " + string(u.AuthMode) + ": nothing to do", nil
	case u.AccountState != api.Active:
		return "not_active", "account is " + string(u.AccountState) + ": only enabled users move", nil
	case l.config == nil:
		return "no_sso_configuration", sentence(l.configErr), nil
	}
	email := emailOf(u)
	if email == "" {
		if setEmail == "" {
			return "no_email", "no email: supply one in the wave's list (set_email) to move this user", nil
		}
		email = setEmail
		if len(l.canonical[CanonicalEmail(setEmail)]) > 0 {
			return "duplicate_email", "the email supplied, " + setEmail + ", is already another account's", nil
		}
	}
	r, err := s.route(ctx, l, email)
	if err != nil {
		return "", "", err
	}
	switch {
	case !r.Deterministic:
		return "routing_ambiguous", r.Reason, nil
	case r.Outcome != api.Routed:
		return "not_routed", r.Reason, nil
	case r.SsoConfigurationId == nil || *r.SsoConfigurationId != l.config.Id:
		return "other_configuration", domainOf(email) + " routes to another SSO configuration than the rollout's", nil
	}
	return "", "", nil
}

// PreviewEnforce previews SSO_PREFERRED -> SSO_REQUIRED for a wave's
// users. Only SSO-linked users qualify (an issuer and subject recorded and
// a successful SSO login), or, with guaranteedRouting, users whose routing
// the Portal resolves deterministically to the rollout's enabled SSO
// configuration. Everyone else is refused by name and reason.
func (s *Service) PreviewEnforce(ctx context.Context, ref string, guaranteedRouting bool) (Preview, error) {
	w, err := s.Wave(ctx, ref)
	if err != nil {
		return Preview{}, err
	}
	l, err := s.readLive(ctx)
	if err != nil {
		return Preview{}, err
	}
	byID := usersByID(l.users)
	p := Preview{Run: Run{Op: OpEnforce, WaveID: w.ID, Options: RunOptions{GuaranteedRouting: guaranteedRouting}}, Wave: &w, Warning: EnforcementWarning}
	for _, m := range w.Members {
		u, ok := byID[m.UserID]
		if !ok {
			p.Steps = append(p.Steps, refuse(Step{Kind: StepSetAuthMode, TargetID: m.UserID, Label: m.Label}, "user_not_found", "no longer exists in the Portal"))
			continue
		}
		st := userStep(u, StepSetAuthMode, api.SSOREQUIRED)
		reason, detail, err := s.enforceRefusal(ctx, l, u, guaranteedRouting)
		if err != nil {
			return Preview{}, err
		}
		if reason != "" {
			st = refuse(st, reason, detail)
		}
		p.Steps = append(p.Steps, st)
	}
	err = s.savePreview(ctx, &p, audit.RolloutEnforcementPreviewed, map[string]string{
		"wave": w.Name, "guaranteed_routing": strconv.FormatBool(guaranteedRouting)})
	return p, err
}

// enforceRefusal says why u may not become SSO_REQUIRED, or "".
func (s *Service) enforceRefusal(ctx context.Context, l *live, u api.User, guaranteedRouting bool) (string, string, error) {
	if why := l.excluded(u); why != "" {
		return "excluded", why, nil
	}
	switch {
	case u.AuthMode == api.SSOREQUIRED:
		return "already_required", "already SSO_REQUIRED", nil
	case u.AuthMode != api.SSOPREFERRED:
		return "not_preferred", string(u.AuthMode) + ": a user moves to SSO_PREFERRED in a wave before enforcement", nil
	case u.AccountState != api.Active:
		return "not_active", "account is " + string(u.AccountState), nil
	case emailOf(u) == "":
		return "no_email", "no email: nothing routes this user to SSO", nil
	}
	if linked(u) {
		return "", "", nil
	}
	if !guaranteedRouting {
		why := "not SSO-linked: no successful SSO login yet"
		if u.SsoLink != nil {
			why = "linked but no successful SSO login recorded"
		}
		return "not_linked", why + "; enforcing could lock them out", nil
	}
	ok, why, err := s.routingGuaranteed(ctx, l, u)
	if err != nil || ok {
		return "", "", err
	}
	return "routing_not_guaranteed", "not SSO-linked, and " + why, nil
}

// routingGuaranteed reports whether the Portal routes u's email
// deterministically to the rollout's enabled SSO configuration.
func (s *Service) routingGuaranteed(ctx context.Context, l *live, u api.User) (bool, string, error) {
	if l.config == nil {
		return false, l.configErr, nil
	}
	r, err := s.route(ctx, l, emailOf(u))
	if err != nil {
		return false, "", err
	}
	switch {
	case !r.Deterministic:
		return false, "routing is ambiguous: " + r.Reason, nil
	case r.Outcome != api.Routed:
		return false, "routing does not reach an enabled SSO configuration: " + r.Reason, nil
	case r.SsoConfigurationId == nil || *r.SsoConfigurationId != l.config.Id:
		return false, "routing reaches another SSO configuration than the rollout's", nil
	}
	return true, "", nil
}

// PreviewRollback previews the procedure's rollback (docs/rollout.md), in
// its order: users back
// to LOCAL_ONLY, the SSO configuration disabled, SCIM deprovisioning off.
// The users are everyone the rollout moved and everyone else not LOCAL_ONLY
// whose email routes to the rollout's configuration (disabling it would
// otherwise lock them out). Nothing removes a user or an SSO link.
func (s *Service) PreviewRollback(ctx context.Context) (Preview, error) {
	l, err := s.readLive(ctx)
	if err != nil {
		return Preview{}, err
	}
	moved, err := s.movedUsers(ctx)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Run: Run{Op: OpRollback}}
	for _, u := range l.users {
		if u.AuthMode == api.LOCALONLY {
			continue
		}
		why := "moved by this rollout"
		if !moved[u.Id] {
			routed := false
			if e := emailOf(u); e != "" && l.config != nil {
				r, err := s.route(ctx, l, e)
				if err != nil {
					return Preview{}, err
				}
				routed = r.SsoConfigurationId != nil && *r.SsoConfigurationId == l.config.Id
			}
			if !routed {
				continue
			}
			why = "on SSO before this rollout; routed to the configuration being disabled"
		}
		st := userStep(u, StepSetAuthMode, api.LOCALONLY)
		st.Detail = why
		p.Steps = append(p.Steps, st)
	}
	if l.config != nil {
		obj, _ := json.Marshal(*l.config)
		if l.config.Enabled {
			p.Steps = append(p.Steps, Step{Kind: StepSetSsoEnabled, TargetID: l.config.Id, Label: "SSO configuration " + l.config.Id,
				From: "true", To: "false", Object: obj, Detail: "disable the SSO configuration"})
		}
		if l.config.ScimDeprovisioningEnabled {
			p.Steps = append(p.Steps, Step{Kind: StepSetScimDeprovis, TargetID: l.config.Id, Label: "SSO configuration " + l.config.Id,
				From: "true", To: "false", Object: obj, Detail: "turn SCIM deprovisioning off"})
		}
	}
	err = s.savePreview(ctx, &p, audit.RolloutRollbackPreviewed, nil)
	return p, err
}

// movedUsers are the users a wave or enforcement of this rollout changed.
func (s *Service) movedUsers(ctx context.Context) (map[string]bool, error) {
	moved := map[string]bool{}
	err := s.Store.View(ctx, func(tx Tx) error {
		runs, err := tx.RolloutRuns()
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Op != OpWave && r.Op != OpEnforce {
				continue
			}
			steps, err := tx.RolloutSteps(r.ID)
			if err != nil {
				return err
			}
			for _, st := range steps {
				if st.State == StepApplied || st.State == StepSending {
					moved[st.TargetID] = true
				}
			}
		}
		return nil
	})
	return moved, err
}

// Runs lists the runs, newest first.
func (s *Service) Runs(ctx context.Context) ([]Run, error) {
	var runs []Run
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		runs, err = tx.RolloutRuns()
		return err
	})
	return runs, err
}

// RunDetail returns a run with its steps.
func (s *Service) RunDetail(ctx context.Context, id string) (Run, []Step, error) {
	var run Run
	var steps []Step
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if run, err = tx.RolloutRun(id); err != nil {
			return err
		}
		steps, err = tx.RolloutSteps(id)
		return err
	})
	return run, steps, err
}
