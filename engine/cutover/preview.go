package cutover

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/workspace"
)

// PreviewResult is what a preview shows: per noun what apply will create
// and bind, every step with the exact request its create sends (secrets
// masked, ids of steps not yet applied as placeholders), and the token that
// authorises apply. Token is shown once; only its hash is kept.
type PreviewResult struct {
	Plan   Plan           `json:"plan"`
	Token  string         `json:"preview_token,omitempty"`
	Nouns  []NounSummary  `json:"nouns"`
	Steps  []PreviewStep  `json:"steps"`
	Drifts []Drift        `json:"drifts,omitempty"`
	Checks int            `json:"checks"`
	Review ReviewSnapshot `json:"review"`
}

// ReviewSnapshot is how many decisions and acknowledgements the preview is
// bound to, and their digest.
type ReviewSnapshot struct {
	Digest           string `json:"digest"`
	Decisions        int    `json:"decisions"`
	Acknowledgements int    `json:"acknowledgements"`
}

// NounSummary counts one kind's steps by what they will do.
type NounSummary struct {
	Kind           steps.Kind `json:"kind"`
	Create         int        `json:"create"`
	Bind           int        `json:"bind"`
	ManualFollowUp int        `json:"manual_follow_up"`
	Blocked        int        `json:"blocked"`
	Skipped        int        `json:"skipped"`
}

// PreviewStep is one step as a preview shows it.
type PreviewStep struct {
	Step
	Label string `json:"label"`
}

// Preview reads the live target and checks it is what the plan assumed:
// every mapped object still at the ETag merge review read, and no live
// object holding a name, domain or pair a create needs. When it is, the
// plan becomes previewed with a new token (valid PreviewTTL) bound to the
// steps, the target state read and the review; otherwise it is refused
// with ErrDrift, naming every drift (the result still lists them). Audits
// migration.cutover_plan.previewed.
func (s *Service) Preview(ctx context.Context, planID string, t steps.Target) (PreviewResult, error) {
	fail := func(err error) (PreviewResult, error) {
		return PreviewResult{}, fmt.Errorf("preview cutover plan %s: %w", planID, err)
	}
	if err := s.checkGate(ctx); err != nil {
		return fail(err)
	}
	var plan Plan
	var stepList []Step
	var ws workspace.Workspace
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if plan, err = tx.CutoverPlan(planID); err != nil {
			return err
		}
		if err := s.notStarted(tx, plan); err != nil {
			return err
		}
		if err := s.checkCurrent(tx, plan); err != nil {
			return err
		}
		stepList, err = tx.CutoverSteps(planID)
		return err
	})
	if err != nil {
		return fail(err)
	}
	digest, err := s.reviewDigest(ctx, ws, plan.AssessmentRunID)
	if err != nil {
		return fail(err)
	}
	if digest != plan.Review.Digest {
		return fail(fmt.Errorf("%w since the plan was built; rebuild it (cutover plan rebuild --plan %s) and preview again", ErrReviewChanged, plan.ID))
	}
	checks, drifts, err := s.inspect(ctx, t, stepList)
	if err != nil {
		return fail(err)
	}
	res := PreviewResult{Plan: plan, Nouns: summarise(stepList), Steps: shownSteps(stepList), Drifts: drifts, Checks: len(checks),
		Review: ReviewSnapshot{Digest: plan.Review.Digest, Decisions: len(plan.Review.Decisions), Acknowledgements: len(plan.Review.Acknowledgements)}}
	if len(drifts) > 0 {
		return res, fmt.Errorf("preview cutover plan %s: %w", planID, driftError(drifts))
	}
	token, hash, err := newToken()
	if err != nil {
		return fail(err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.CutoverPlan(planID)
		if err != nil {
			return err
		}
		if cur.StepsDigest != plan.StepsDigest {
			return fmt.Errorf("%w: the plan was rebuilt while the preview read the target; preview again", ErrPlanState)
		}
		if err := s.notStarted(tx, cur); err != nil {
			return err
		}
		now := s.now()
		cur.Preview = &Preview{At: now, By: s.Actor, ExpiresAt: now.Add(s.previewTTL()), TokenHash: hash,
			Fingerprint: digestOf(checks), StepsDigest: cur.StepsDigest, ReviewDigest: digest, Checks: checks}
		cur.Status, cur.UpdatedAt = StatusPreviewed, now
		if err := tx.UpdateCutoverPlan(cur, nil); err != nil {
			return err
		}
		plan = cur
		facts := planFacts(cur)
		facts["fingerprint"] = cur.Preview.Fingerprint
		facts["expires_at"] = cur.Preview.ExpiresAt.Format("2006-01-02T15:04:05Z")
		facts["checks"] = strconv.Itoa(len(checks))
		facts["decisions"] = strconv.Itoa(len(cur.Review.Decisions))
		facts["acknowledgements"] = strconv.Itoa(len(cur.Review.Acknowledgements))
		return s.record(tx, audit.CutoverPlanPreviewed, cur.ID, facts)
	})
	if err != nil {
		return fail(err)
	}
	res.Plan, res.Token = plan, token
	return res, nil
}

// driftError names every drift.
func driftError(drifts []Drift) error {
	parts := make([]string, len(drifts))
	for i, d := range drifts {
		parts[i] = d.String()
	}
	return fmt.Errorf("%w: %s", ErrDrift, strings.Join(parts, "; "))
}

func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("mint preview token: %w", err)
	}
	token = "cpt_" + hex.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func tokenMatches(token, hash string) bool {
	return hash != "" && subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(hash)) == 1
}

// inspect reads the live target for every planned step: each bind's object
// (gone? changed?) and, for each kind with creates, the whole list (does a
// live object hold a key a create needs?). The checks are what apply reads
// again.
func (s *Service) inspect(ctx context.Context, t steps.Target, stepList []Step) ([]Check, []Drift, error) {
	bySeq := make(map[int]Step, len(stepList))
	creates := map[steps.Kind]bool{}
	for _, st := range stepList {
		bySeq[st.Seq] = st
		if st.Disposition == steps.Planned && st.Action == steps.Create {
			creates[st.Kind] = true
		}
	}
	live := map[string]steps.Object{}
	for _, kind := range steps.Kinds() {
		if !creates[kind] {
			continue
		}
		k, _ := steps.Of(kind)
		objs, err := k.Live(ctx, t, s.maxLive())
		if err != nil {
			return nil, nil, fmt.Errorf("read the live target's %s: %w", kindWords(kind), err)
		}
		for _, o := range objs {
			for _, key := range o.Keys {
				live[string(kind)+"|"+key] = o
			}
		}
	}
	var checks []Check
	var drifts []Drift
	for _, st := range stepList {
		if st.Disposition != steps.Planned {
			continue
		}
		k, _ := steps.Of(st.Kind)
		label := st.Label()
		if st.Action == steps.Bind {
			o, err := k.Get(ctx, t, st.Bound.TargetID)
			switch {
			case errors.Is(err, client.ErrNotFound):
				drifts = append(drifts, Drift{Step: st.Seq, Label: label, Kind: DriftGone,
					Detail: fmt.Sprintf("the mapped %s %s is gone from the target", kindWords(st.Kind), st.Bound.TargetID)})
				continue
			case err != nil:
				return nil, nil, fmt.Errorf("read mapped %s %s: %w", kindWords(st.Kind), st.Bound.TargetID, err)
			case st.Bound.ETag != "" && o.ETag != st.Bound.ETag:
				drifts = append(drifts, Drift{Step: st.Seq, Label: label, Kind: DriftChanged,
					Detail: fmt.Sprintf("the mapped %s %s changed since merge review read it (ETag %s, reviewed %s)", kindWords(st.Kind), st.Bound.TargetID, o.ETag, st.Bound.ETag)})
				continue
			}
			checks = append(checks, Check{Step: st.Seq, What: CheckBound, TargetID: o.ID, ETag: o.ETag})
			continue
		}
		keys := liveKeys(st, bySeq)
		for _, key := range keys {
			if o, taken := live[string(st.Kind)+"|"+key]; taken {
				drifts = append(drifts, Drift{Step: st.Seq, Label: label, Kind: DriftCollision,
					Detail: fmt.Sprintf("a live %s %s (%s) already holds %s", kindWords(st.Kind), quoted(o.Name), o.ID, key)})
			}
		}
		checks = append(checks, Check{Step: st.Seq, What: CheckFree, Keys: keys})
	}
	return checks, drifts, nil
}

// liveKeys are the natural keys a create's object will hold that a live
// object could already hold. An assignment's pair is known only when both
// its application and group are mapped objects; with either created by the
// plan, no live assignment can hold it.
func liveKeys(st Step, bySeq map[int]Step) []string {
	if st.Kind != steps.KindAppAssignment {
		return st.Keys
	}
	ids := map[string]string{}
	for _, r := range st.Refs {
		dep := bySeq[r.Step]
		if dep.Action != steps.Bind || dep.Bound == nil {
			return nil
		}
		ids[r.Field] = dep.Bound.TargetID
	}
	return []string{steps.PairKey(ids["app_id"], ids["group_id"])}
}

func summarise(stepList []Step) []NounSummary {
	var out []NounSummary
	for _, kind := range steps.Kinds() {
		n := NounSummary{Kind: kind}
		any := false
		for _, st := range stepList {
			if st.Kind != kind {
				continue
			}
			any = true
			switch {
			case st.Disposition == steps.Planned && st.Action == steps.Bind:
				n.Bind++
			case st.Disposition == steps.Planned:
				n.Create++
			case st.Disposition == steps.ManualFollowUp:
				n.ManualFollowUp++
			case st.Disposition == steps.Blocked:
				n.Blocked++
			case st.Disposition == steps.Skipped:
				n.Skipped++
			}
		}
		if any {
			out = append(out, n)
		}
	}
	return out
}

// shownSteps are the steps with requests as a person should see them:
// the ids of mapped objects filled in, secrets masked.
func shownSteps(stepList []Step) []PreviewStep {
	bound := map[int]string{}
	for _, st := range stepList {
		if st.Action == steps.Bind && st.Bound != nil {
			bound[st.Seq] = st.Bound.TargetID
		}
	}
	out := make([]PreviewStep, len(stepList))
	for i, st := range stepList {
		if len(st.Request) > 0 {
			ids := map[int]string{}
			for _, r := range st.Refs {
				ids[r.Step] = steps.Placeholder(r.Step)
				if id, ok := bound[r.Step]; ok {
					ids[r.Step] = id
				}
			}
			if filled, err := steps.Fill(st.Request, st.Refs, ids); err == nil {
				st.Request = filled
			}
			st.Request = MaskSecrets(st.Request)
		}
		out[i] = PreviewStep{Step: st, Label: st.Label()}
	}
	return out
}

// MaskSecrets replaces the value of every member whose name says it holds
// a secret (client_secret, a password, a private key) with a marker, at any
// depth, so a request body can be shown and stored.
func MaskSecrets(body json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return body
	}
	if !mask(v) {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

func mask(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretName(k) {
				if _, isString := val.(string); isString {
					x[k] = "(secret, masked)"
					changed = true
					continue
				}
			}
			changed = mask(val) || changed
		}
	case []any:
		for _, e := range x {
			changed = mask(e) || changed
		}
	}
	return changed
}

func secretName(k string) bool {
	k = strings.ToLower(k)
	return slices.ContainsFunc([]string{"secret", "password", "private_key", "token"}, func(w string) bool { return strings.Contains(k, w) })
}

func kindWords(k steps.Kind) string { return strings.ReplaceAll(string(k), "_", " ") }

func quoted(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return strconv.Quote(s)
}
