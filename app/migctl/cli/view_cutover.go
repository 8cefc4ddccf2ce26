package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/steps"
)

// stepRow is one step with what the target reported back for it: the
// plan's data, then the newest apply's and rollback's journal entries.
type stepRow struct {
	cutover.Step
	Label    string         `json:"label"`
	Applied  *cutover.Entry `json:"applied,omitempty"`
	Rollback *cutover.Entry `json:"rolled_back,omitempty"`
}

func rowsOf(d cutover.Detail) []stepRow {
	rows := make([]stepRow, len(d.Steps))
	for i, st := range d.Steps {
		rows[i] = stepRow{Step: st, Label: st.Label()}
		if e, ok := d.Applied[st.Seq]; ok {
			rows[i].Applied = &e
		}
		if e, ok := d.RolledBack[st.Seq]; ok {
			rows[i].Rollback = &e
		}
	}
	return rows
}

// planShown is what cutover plan create, show and rebuild print: the plan,
// its runs, every step with its readback, and the recorded probe results.
type planShown struct {
	Detail cutover.Detail
	Probes []cutover.ProbeResult
	// All lists every step; Brief none (plan create and rebuild print the
	// summary and per-kind counts).
	All, Brief bool
}

func (v planShown) MarshalJSON() ([]byte, error) {
	probes := v.Probes
	if probes == nil {
		probes = []cutover.ProbeResult{}
	}
	return json.Marshal(struct {
		Plan   cutover.Plan          `json:"plan"`
		Runs   []cutover.Run         `json:"runs"`
		Steps  []stepRow             `json:"steps"`
		Probes []cutover.ProbeResult `json:"probes"`
	}{v.Detail.Plan, nonNilRuns(v.Detail.Runs), rowsOf(v.Detail), probes})
}

func nonNilRuns(r []cutover.Run) []cutover.Run {
	if r == nil {
		return []cutover.Run{}
	}
	return r
}

func (v planShown) human(out io.Writer) error {
	p := v.Detail.Plan
	fmt.Fprintf(out, "Cutover plan %s: %s\n", p.ID, p.Status)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  source\t%s (%s), snapshot %s\n", p.SourceName, p.SourceKind, p.SnapshotID)
	fmt.Fprintf(tw, "  assessment\t%s\n", p.AssessmentRunID)
	fmt.Fprintf(tw, "  mode\t%s\n", p.Mode)
	fmt.Fprintf(tw, "  created\t%s by %s%s\n", formatTime(&p.CreatedAt), p.CreatedBy, rebuilt(p.Rebuilds))
	fmt.Fprintf(tw, "  steps\t%d: %s\n", p.StepCount, dispositionLine(p))
	fmt.Fprintf(tw, "  not planned\t%s need no step (visibility only, or nothing to create)\n", plural(p.Unplanned, "item"))
	fmt.Fprintf(tw, "  bound to\t%s, %s (review %s)\n", plural(len(p.Review.Decisions), "merge decision"),
		plural(len(p.Review.Acknowledgements), "acknowledgement"), short(p.Review.Digest))
	if p.Preview != nil {
		fmt.Fprintf(tw, "  previewed\t%s by %s; token valid until %s\n", formatTime(&p.Preview.At), p.Preview.By, formatTime(&p.Preview.ExpiresAt))
	}
	for _, r := range v.Detail.Runs {
		fmt.Fprintf(tw, "  %s run\t%s %s, started %s%s\n", r.Kind, r.ID, runState(r), formatTime(&r.StartedAt), countsLine(r.Counts))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if v.Brief {
		fmt.Fprintln(out)
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tPLANNED\tFOLLOW-UP\tBLOCKED\tSKIPPED")
		for _, k := range steps.Kinds() {
			if c := p.KindCounts[k]; len(c) > 0 {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", k, c[steps.Planned], c[steps.ManualFollowUp], c[steps.Blocked], c[steps.Skipped])
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(out, "\nEvery step with its reason: migctl cutover plan show --plan %s. Next: migctl cutover preview --plan %s\n", p.ID, p.ID)
		return err
	}
	rows := rowsOf(v.Detail)
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tKIND\tACTION\tDISPOSITION\tNAME\tDEPENDS ON\tSTATE\tTARGET ID\tREASON")
	hidden := 0
	for _, r := range rows {
		if !v.All && r.Disposition == steps.Planned && r.Applied == nil {
			hidden++
			continue
		}
		state, target := "-", "-"
		if r.Applied != nil {
			state = string(r.Applied.State)
			if r.Applied.TargetID != "" {
				target = r.Applied.TargetID
			}
		}
		if r.Rollback != nil {
			state += ", rollback " + string(r.Rollback.State)
		}
		reason := r.Reason
		if r.Applied != nil && r.Applied.Reason != "" {
			reason = r.Applied.Reason
		}
		action := string(r.Action)
		if r.Disposition != steps.Planned {
			action = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Kind, action, r.Disposition, clip(r.Name, 40),
			deps(r.DependsOn), state, target, clip(reason, 90))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if hidden > 0 {
		fmt.Fprintf(out, "(%s planned and not applied yet are not listed; --all lists them)\n", plural(hidden, "step"))
	}
	if len(v.Probes) > 0 {
		fmt.Fprintln(out)
		return probeShown(cutover.ProbeReport{Results: v.Probes}).human(out)
	}
	return nil
}

func rebuilt(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", rebuilt %s", plural(n, "time"))
}

func dispositionLine(p cutover.Plan) string {
	parts := make([]string, 0, len(steps.Dispositions))
	for _, d := range steps.Dispositions {
		s := fmt.Sprintf("%d %s", p.Counts[d], strings.ReplaceAll(string(d), "_", " "))
		if d == steps.Planned && p.Binds > 0 {
			s += fmt.Sprintf(" (%d to bind)", p.Binds)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func runState(r cutover.Run) string {
	switch {
	case r.Interrupted:
		return "interrupted (resumable)"
	case r.Status == cutover.RunStarted:
		return "running in " + r.Owner
	}
	return string(r.Status)
}

func countsLine(c map[cutover.StepState]int) string {
	var parts []string
	for _, s := range []cutover.StepState{cutover.StateApplied, cutover.StateDeleted, cutover.StateGone, cutover.StateFailed,
		cutover.StateIntent, cutover.StateRefused, cutover.StateBlocked, cutover.StateManualFollowUp, cutover.StateSkipped} {
		if c[s] > 0 {
			name := string(s)
			if s == cutover.StateIntent {
				name = "in doubt"
			}
			parts = append(parts, fmt.Sprintf("%d %s", c[s], strings.ReplaceAll(name, "_", " ")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

func deps(d []int) string {
	if len(d) == 0 {
		return "-"
	}
	s := make([]string, len(d))
	for i, x := range d {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

// planRow is one plan in cutover plan list.
type planRow struct {
	cutover.Plan
	Apply    *cutover.Run `json:"apply,omitempty"`
	Rollback *cutover.Run `json:"rollback,omitempty"`
}

func rowOf(d cutover.Detail) planRow {
	return planRow{Plan: d.Plan, Apply: d.Apply, Rollback: d.Rollback}
}

type planList struct {
	Plans []planRow `json:"plans"`
}

func (l planList) human(out io.Writer) error {
	if len(l.Plans) == 0 {
		_, err := fmt.Fprintln(out, "No cutover plans yet. Build one with 'migctl cutover plan create'.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tSOURCE\tSTATUS\tCREATED\tSTEPS\tPLANNED\tFOLLOW-UP\tBLOCKED\tSKIPPED\tAPPLY\tROLLBACK")
	for _, p := range l.Plans {
		apply, rollback := "-", "-"
		if p.Apply != nil {
			apply = runState(*p.Apply)
		}
		if p.Rollback != nil {
			rollback = runState(*p.Rollback)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", p.ID, p.SourceName, p.Status, formatTime(&p.CreatedAt), p.StepCount,
			p.Counts[steps.Planned], p.Counts[steps.ManualFollowUp], p.Counts[steps.Blocked], p.Counts[steps.Skipped], apply, rollback)
	}
	return tw.Flush()
}

// previewShown is what cutover preview prints: per noun what apply will do,
// each step with its request, the drifts when refused, and the token.
type previewShown cutover.PreviewResult

func (v previewShown) human(out io.Writer) error {
	p := v.Plan
	if len(v.Drifts) > 0 {
		fmt.Fprintf(out, "Preview of plan %s refused: the live target drifted from what the plan assumed.\n\n", p.ID)
		for _, d := range v.Drifts {
			fmt.Fprintf(out, "  ! %s\n", d)
		}
		_, err := fmt.Fprintf(out, "\nRebuild the plan (cutover plan rebuild --plan %s) or fix the target, then preview again.\n", p.ID)
		return err
	}
	fmt.Fprintf(out, "Cutover plan %s against the live target (%d checks passed):\n\n", p.ID, v.Checks)
	for _, st := range v.Steps {
		mark := map[steps.Disposition]string{steps.Planned: "+", steps.ManualFollowUp: "~", steps.Blocked: "!", steps.Skipped: "-"}[st.Disposition]
		if st.Disposition == steps.Planned && st.Action == steps.Bind {
			mark = "="
		}
		fmt.Fprintf(out, "  %s %d. %s", mark, st.Seq, st.Label)
		switch {
		case st.Disposition == steps.Planned && st.Action == steps.Bind:
			fmt.Fprintf(out, " → existing %s (ETag %s)\n", st.Bound.TargetID, st.Bound.ETag)
		case st.Disposition == steps.Planned:
			fmt.Fprintln(out)
			var body bytes.Buffer
			if json.Indent(&body, st.Request, "        ", "  ") == nil {
				fmt.Fprintf(out, "        %s\n", body.String())
			}
		default:
			fmt.Fprintf(out, " (%s: %s)\n", strings.ReplaceAll(string(st.Disposition), "_", " "), st.Reason)
		}
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NOUN\tCREATE\tBIND\tFOLLOW-UP\tBLOCKED\tSKIPPED")
	for _, n := range v.Nouns {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", n.Kind, n.Create, n.Bind, n.ManualFollowUp, n.Blocked, n.Skipped)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	exp := ""
	if p.Preview != nil {
		exp = " until " + formatTime(&p.Preview.ExpiresAt)
	}
	_, err := fmt.Fprintf(out, "\nBound to %s and %s (review %s).\nPreview token (valid%s; shown once):\n    %s\nApply with: migctl cutover apply --plan %s --preview-token %s\n",
		plural(v.Review.Decisions, "merge decision"), plural(v.Review.Acknowledgements, "acknowledgement"), short(v.Review.Digest),
		exp, v.Token, p.ID, v.Token)
	return err
}

// outcomeShown is what cutover apply and resume print.
type outcomeShown struct {
	cutover.Outcome
	// Steps are those that did not end as planned (failed, in doubt, or
	// blocked at run time).
	Steps []stepRow `json:"problem_steps"`
	// Secrets are the generated client secrets, in the --json document
	// only when no --secrets-file was named.
	Secrets       []secretLine `json:"client_secrets"`
	SecretsFile   string       `json:"secrets_file,omitempty"`
	SecretsIssued int          `json:"secrets_issued"`
}

func failedSteps(d cutover.Detail) []stepRow {
	out := []stepRow{}
	for _, r := range rowsOf(d) {
		if r.Applied != nil && (r.Applied.State == cutover.StateFailed || r.Applied.State == cutover.StateIntent || r.Applied.Runtime) {
			out = append(out, r)
		}
	}
	return out
}

func (v outcomeShown) human(out io.Writer) error {
	r := v.Run
	fmt.Fprintf(out, "%s run %s of plan %s: %s; plan %s%s\n", capital(string(r.Kind)), r.ID, v.Plan.ID, runState(r), v.Plan.Status, countsLine(r.Counts))
	for _, s := range v.Steps {
		state := string(s.Applied.State)
		if s.Applied.State == cutover.StateIntent {
			state = "in doubt"
		}
		fmt.Fprintf(out, "  step %d %s: %s: %s\n", s.Seq, s.Label, state, s.Applied.Reason)
	}
	switch {
	case v.SecretsFile != "" && v.SecretsIssued > 0:
		fmt.Fprintf(out, "%s written to %s (mode 0600). Install them, then delete the file.\n", plural(v.SecretsIssued, "client secret"), v.SecretsFile)
	case v.SecretsIssued > 0:
		fmt.Fprintf(out, "%s shown above, once: they are stored nowhere.\n", plural(v.SecretsIssued, "client secret"))
	}
	if v.Undelivered > 0 {
		fmt.Fprintf(out, "%s did not reach you; 'migctl cutover resume --plan %s' issues them again.\n", plural(v.Undelivered, "client secret"), v.Plan.ID)
	}
	return nil
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// rollbackShown is what cutover rollback --preview prints.
type rollbackShown cutover.RollbackPlan

func (v rollbackShown) human(out io.Writer) error {
	fmt.Fprintf(out, "Rollback of plan %s (apply run %s, %s): %s to delete, %d refused\n", v.Plan.ID, v.ApplyRun.ID, runState(v.ApplyRun),
		plural(v.Deletes, "object"), len(v.Refused))
	if err := rollbackTable(out, v.Items); err != nil {
		return err
	}
	if len(v.Refused) > 0 {
		_, err := fmt.Fprintf(out, "Objects changed since apply are kept; to delete one anyway, add --force-object ID.\n")
		return err
	}
	return nil
}

func rollbackTable(out io.Writer, items []cutover.RollbackItem) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tOBJECT\tTARGET ID\tETAG\tACTION\tREASON")
	for _, it := range items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", it.Step, clip(it.Label, 50), it.TargetID, it.ETag, it.Action, clip(it.Reason, 90))
	}
	return tw.Flush()
}

// rollbackDone is what cutover rollback --apply prints.
type rollbackDone struct {
	cutover.Outcome
	Items []cutover.RollbackItem `json:"items"`
}

func (v rollbackDone) human(out io.Writer) error {
	fmt.Fprintf(out, "Rollback run %s of plan %s: %s%s\n", v.Run.ID, v.Plan.ID, runState(v.Run), countsLine(v.Run.Counts))
	return rollbackTable(out, v.Items)
}

// probeShown is what cutover probe prints.
type probeShown cutover.ProbeReport

func (v probeShown) human(out io.Writer) error {
	if v.RunID != "" {
		fmt.Fprintf(out, "Probes of plan %s at %s: %d pass, %d warn, %d fail, %d skipped\n", v.PlanID, v.At.Local().Format(time.DateTime),
			v.Counts[cutover.ProbePass], v.Counts[cutover.ProbeWarn], v.Counts[cutover.ProbeFail], v.Counts[cutover.ProbeSkipped])
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tSTEP\tCHECK\tTARGET ID\tSUBJECT\tOUTCOME\tDETAIL")
	for _, r := range v.Results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.At.Local().Format(time.TimeOnly), r.Step, r.Check, r.TargetID, clip(r.Subject, 40),
			r.Outcome, clip(r.Detail, 90))
	}
	return tw.Flush()
}
