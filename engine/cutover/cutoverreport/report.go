// Package cutoverreport puts the cutover stage into reports: the plans and
// what the target reported back for each step (slot cutover), what a
// rollback removes and what one did (slot rollback), and the probe results
// (slot probes). It reads only the workspace's record, never the live
// target, and never a secret: a client secret is shown as "issued" and
// "delivered", nothing more. It is its own package so the cutover stage
// can later plug into the workspace summary, which reports read.
package cutoverreport

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/cutover"
	"github.com/portal-id/migration-console/engine/cutover/steps"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reportchart"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Plans fills the cutover slot: every plan whose apply started, and the
// newest plan if it has not been applied, with each step's readback.
type Plans struct{ Service *cutover.Service }

// Rollback fills the rollback slot: for each applied plan, what a rollback
// deletes (from the record of what apply created) and what a rollback run
// did.
type Rollback struct{ Service *cutover.Service }

// Probes fills the probes slot: each applied plan's newest probe run in
// full, and a line per older run.
type Probes struct{ Service *cutover.Service }

// Slot implements report.Provider.
func (Plans) Slot() report.Slot { return report.SlotCutover }

// Slot implements report.Provider.
func (Rollback) Slot() report.Slot { return report.SlotRollback }

// Slot implements report.Provider.
func (Probes) Slot() report.Slot { return report.SlotProbes }

// reported reads the plans a report covers, newest first: every plan with
// an apply run, then the newest plan when it has none (what is about to
// happen), each in full.
func reported(ctx context.Context, svc *cutover.Service) ([]cutover.Detail, error) {
	plans, err := svc.Plans(ctx)
	if err != nil {
		return nil, err
	}
	var out []cutover.Detail
	for i, p := range plans {
		d, err := svc.Get(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if d.Apply != nil || i == 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

func applied(list []cutover.Detail) []cutover.Detail {
	var out []cutover.Detail
	for _, d := range list {
		if d.Apply != nil {
			out = append(out, d)
		}
	}
	return out
}

// Contribute implements report.Provider.
func (p Plans) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	list, err := reported(ctx, p.Service)
	if err != nil {
		return report.Contribution{}, err
	}
	sec := report.Section{ID: string(report.SlotCutover), Title: report.SlotCutover.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	if len(list) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No cutover plan has been created in this workspace, so nothing has been previewed or applied on the target."))
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	var c report.Contribution
	add(report.ParagraphBlock("A cutover plan is computed from one completed assessment and the merge decisions and OCM " +
		"acknowledgements of that run: one step per object to create on the Portal or existing object to bind to, each " +
		"planned, left for a person (manual_follow_up), blocked or skipped, with the reason and the rule or decision " +
		"behind it. Apply sends each planned step once, journaled before its request and after the Portal's answer; " +
		"the tables below are that journal: the Portal's id and ETag of every object, and when it was answered."))
	for i, d := range list {
		n := i + 1
		pl := d.Plan
		c.Cover = append(c.Cover, report.Fact{Label: "Cutover plan (" + pl.SourceName + ")", Value: pl.ID + " (" + string(pl.Status) + ")"})
		if i == 0 {
			c.Summary = append(c.Summary, report.ChartBlock(reportchart.Of("cutover_dispositions", cutover.DispositionChart(pl), "no steps")))
		}
		if d.Apply == nil {
			if sec.Status == report.Complete {
				sec.Status = report.Partial
			}
		} else if d.Apply.Status == cutover.RunStarted || d.Apply.Status == cutover.RunFailed {
			sec.Status = report.Partial
		}
		planBlocks(n, d, add)
	}
	c.Sections = []report.Section{sec}
	return c, nil
}

// planBlocks reports one plan; n numbers its tables (table ids name files).
func planBlocks(n int, d cutover.Detail, add func(...report.Block)) {
	pl := d.Plan
	add(report.HeadingBlock(2, fmt.Sprintf("Plan %s (source %s)", pl.ID, pl.SourceName)))
	facts := []report.Fact{
		{Label: "Status", Value: string(pl.Status)},
		{Label: "Source", Value: fmt.Sprintf("%s (%s)", pl.SourceName, pl.SourceKind)},
		{Label: "Snapshot", Value: pl.SnapshotID},
		{Label: "Assessment", Value: pl.AssessmentRunID},
		{Label: "Workspace mode", Value: string(pl.Mode)},
		{Label: "Created", Value: fmt.Sprintf("%s by %s", stamp(pl.CreatedAt), pl.CreatedBy)},
		{Label: "Rebuilt", Value: times(pl.Rebuilds)},
		{Label: "Steps", Value: report.Thousands(int64(pl.StepCount))},
		{Label: "Binds to existing objects", Value: report.Thousands(int64(pl.Binds))},
		{Label: "Items needing no step", Value: report.Thousands(int64(pl.Unplanned))},
		{Label: "Steps digest", Value: pl.StepsDigest},
	}
	for _, disp := range steps.Dispositions {
		facts = append(facts, report.Fact{Label: "Steps " + cutover.DispositionLabels[disp], Value: report.Thousands(int64(pl.Counts[disp]))})
	}
	if pv := pl.Preview; pv != nil {
		facts = append(facts, report.Fact{Label: "Previewed", Value: fmt.Sprintf("%s by %s (token good until %s; only its hash is kept)", stamp(pv.At), pv.By, stamp(pv.ExpiresAt))},
			report.Fact{Label: "Target fingerprint at preview", Value: pv.Fingerprint})
	}
	add(report.FactsBlock(facts...))
	if d.Apply == nil {
		add(report.NoteBlock(report.ToneInfo, "This plan has not been applied: nothing it lists has been sent to the Portal."))
	}
	add(report.ChartBlock(reportchart.Of(fmt.Sprintf("cutover_dispositions_%d", n), cutover.DispositionChart(pl), "no steps")),
		report.ChartBlock(reportchart.Of(fmt.Sprintf("cutover_kinds_%d", n), cutover.KindChart(pl), "no steps")))

	add(report.HeadingBlock(3, "Merge decisions and acknowledgements the plan is bound to"),
		report.ParagraphBlock("Each at the version the plan was built from; a change to any of them invalidates the preview, "+
			"and once the plan is applied merge review refuses to change its decisions."))
	dec := &report.Table{ID: fmt.Sprintf("cutover_decisions_%d", n), Title: "Merge decisions", Empty: "None: " + noDecisions(pl), Columns: []report.Column{
		{Key: "decision", Title: "Decision", Type: report.ColID, Weight: 1.4},
		{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 0.9},
		{Key: "item", Title: "Item", Type: report.ColID, Detail: true},
		{Key: "status", Title: "Status", Type: report.ColStatus, Weight: 0.8},
		{Key: "resolution", Title: "Resolution", Type: report.ColText, Weight: 1.1},
		{Key: "target_id", Title: "Target id", Type: report.ColID, Weight: 1.4},
		{Key: "new_name", Title: "New name", Type: report.ColText},
		{Key: "by", Title: "By", Type: report.ColText, Weight: 0.8},
		{Key: "at", Title: "At", Type: report.ColTime, Weight: 1.1},
		{Key: "version", Title: "Version", Type: report.ColDigest, Detail: true},
	}, Rows: [][]any{}}
	for _, v := range pl.Review.Decisions {
		dec.Rows = append(dec.Rows, report.Row(v.ID, v.Kind, v.ItemSourceID, v.Status, v.Resolution, v.TargetID, v.NewName, v.By, v.At, v.Version))
	}
	acks := &report.Table{ID: fmt.Sprintf("cutover_acknowledgements_%d", n), Title: "OCM acknowledgements", Empty: "The assessment raised no OCM impact.", Columns: []report.Column{
		{Key: "impact", Title: "Impact", Type: report.ColID, Weight: 1.6},
		{Key: "status", Title: "Status", Type: report.ColStatus},
		{Key: "by", Title: "By", Type: report.ColText},
		{Key: "at", Title: "At", Type: report.ColTime, Weight: 1.1},
		{Key: "version", Title: "Version", Type: report.ColDigest, Detail: true},
	}, Rows: [][]any{}}
	for _, a := range pl.Review.Acknowledgements {
		acks.Rows = append(acks.Rows, report.Row(a.ImpactID, a.Status, a.By, a.At, a.Version))
	}
	add(report.TableBlock(dec), report.TableBlock(acks))

	if len(d.Runs) > 0 {
		runs := &report.Table{ID: fmt.Sprintf("cutover_runs_%d", n), Title: "Execution runs", Columns: []report.Column{
			{Key: "run", Title: "Run", Type: report.ColID, Weight: 1.4},
			{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 0.7},
			{Key: "status", Title: "Status", Type: report.ColStatus, Weight: 1.2},
			{Key: "started", Title: "Started", Type: report.ColTime, Weight: 1.1},
			{Key: "finished", Title: "Finished", Type: report.ColTime, Weight: 1.1},
			{Key: "resumes", Title: "Resumes", Type: report.ColInteger, Weight: 0.6},
			{Key: "counts", Title: "Steps by state", Type: report.ColText, Weight: 1.6},
			{Key: "error", Title: "Error", Type: report.ColText, Detail: true},
		}, Rows: [][]any{}}
		for _, r := range d.Runs {
			status := string(r.Status)
			if r.Interrupted {
				status = "interrupted"
			}
			runs.Rows = append(runs.Rows, report.Row(r.ID, string(r.Kind), status, r.StartedAt, r.FinishedAt, r.Resumes, stateCounts(r.Counts), r.Error))
		}
		add(report.HeadingBlock(3, "Execution"), report.TableBlock(runs))
		if r := d.Apply; r != nil && r.Status == cutover.RunStarted {
			add(report.NoteBlock(report.ToneWarning, "Apply run %s has not finished (%s): steps in doubt are reconciled by 'migctl cutover resume', which never sends one twice.",
				r.ID, map[bool]string{true: "interrupted", false: "running"}[r.Interrupted]))
		}
	}

	var failed, followUp [][]any
	table := &report.Table{ID: fmt.Sprintf("cutover_steps_%d", n), Title: "Steps and what the Portal answered", Interactive: true, Columns: []report.Column{
		{Key: "seq", Title: "#", Type: report.ColInteger, Weight: 0.4},
		{Key: "step", Title: "Step", Type: report.ColText, Weight: 2.2},
		{Key: "disposition", Title: "Disposition", Type: report.ColStatus, Weight: 1.1},
		{Key: "state", Title: "Result", Type: report.ColStatus, Weight: 0.9},
		{Key: "target_id", Title: "Portal id", Type: report.ColID, Weight: 1.5},
		{Key: "at", Title: "Answered", Type: report.ColTime, Weight: 1.1},
		{Key: "reason", Title: "Reason", Type: report.ColText, Weight: 2},
		{Key: "step_id", Title: "Step id", Type: report.ColID, Detail: true},
		{Key: "rule", Title: "Rule", Type: report.ColID, Detail: true},
		{Key: "decision", Title: "Merge decision", Type: report.ColID, Detail: true},
		{Key: "depends_on", Title: "Depends on", Type: report.ColText, Detail: true},
		{Key: "etag", Title: "ETag", Type: report.ColID, Detail: true},
		{Key: "how", Title: "How", Type: report.ColText, Detail: true},
		{Key: "attempts", Title: "Attempts", Type: report.ColInteger, Detail: true},
		{Key: "client_secret", Title: "Client secret", Type: report.ColText, Detail: true},
	}, Rows: [][]any{}}
	summary := map[[2]string]int{}
	for _, st := range d.Steps {
		e, ok := d.Applied[st.Seq]
		state, reason := "", st.Reason
		if ok {
			state = string(e.State)
			if e.State == cutover.StateIntent {
				state = "in_doubt"
			}
			if e.Reason != "" {
				reason = e.Reason
			}
		}
		row := report.Row(st.Seq, st.Label(), string(st.Disposition), state, e.TargetID, e.ResultAt, reason, st.ID, st.RuleID, st.DecisionID,
			seqs(st.DependsOn), e.ETag, e.How, e.Attempts, secretState(e))
		table.Rows = append(table.Rows, row)
		summary[[2]string{string(st.Kind), firstNonEmpty(state, string(st.Disposition))}]++
		switch {
		case e.State == cutover.StateFailed:
			failed = append(failed, report.Row(st.Seq, st.Label(), e.Attempts, reason))
		case st.Disposition == steps.ManualFollowUp || st.Disposition == steps.Blocked:
			followUp = append(followUp, report.Row(st.Seq, st.Label(), string(st.Disposition), reason))
		}
	}
	if len(table.Rows) > report.ItemRegisterSummaryAbove {
		table.Summary = stepSummary(table.ID, summary)
	}
	if len(failed) > 0 {
		add(report.HeadingBlock(3, "Failed steps"), report.NoteBlock(report.ToneDanger, "%d steps failed; the Portal's answer for each is below. Fix the cause and run 'migctl cutover resume', or roll back.", len(failed)),
			report.TableBlock(&report.Table{ID: fmt.Sprintf("cutover_failed_%d", n), Title: "Failed steps", Rows: failed, Columns: []report.Column{
				{Key: "seq", Title: "#", Type: report.ColInteger, Weight: 0.4},
				{Key: "step", Title: "Step", Type: report.ColText, Weight: 2},
				{Key: "attempts", Title: "Attempts", Type: report.ColInteger, Weight: 0.6},
				{Key: "reason", Title: "What the Portal answered", Type: report.ColText, Weight: 3},
			}}))
	}
	if len(followUp) > 0 {
		add(report.HeadingBlock(3, "Left for a person"),
			report.TableBlock(&report.Table{ID: fmt.Sprintf("cutover_follow_up_%d", n), Title: "Steps the cutover does not carry out", Rows: followUp, Columns: []report.Column{
				{Key: "seq", Title: "#", Type: report.ColInteger, Weight: 0.4},
				{Key: "step", Title: "Step", Type: report.ColText, Weight: 2},
				{Key: "disposition", Title: "Disposition", Type: report.ColStatus, Weight: 1.1},
				{Key: "reason", Title: "Why, and what to do", Type: report.ColText, Weight: 3},
			}}))
	}
	add(report.HeadingBlock(3, "Every step"), report.TableBlock(table))
}

func noDecisions(p cutover.Plan) string {
	if p.Mode == workspace.ModeMergeIntoExisting {
		return "no incumbent item overlapped the live target."
	}
	return "a first-run adoption has no existing target state to merge with."
}

// Contribute implements report.Provider.
func (p Rollback) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	list, err := reported(ctx, p.Service)
	if err != nil {
		return report.Contribution{}, err
	}
	sec := report.Section{ID: string(report.SlotRollback) + "_plan", Title: "Rollback plan and results", Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	list = applied(list)
	if len(list) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No cutover plan has been applied in this workspace, so there is nothing to roll back."))
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	add(report.ParagraphBlock("A rollback deletes exactly the objects the plan's apply created, newest dependency first, by the " +
		"Portal ids and ETags the journal recorded. It never touches an object a merge decision mapped to, and it " +
		"refuses an object that changed since apply (its ETag moved) unless the operator names it with --force-object. " +
		"Preview it with 'migctl cutover rollback --plan ID --preview', then run it with --apply; it is journaled and " +
		"resumable like apply."))
	for i, d := range list {
		n := i + 1
		add(report.HeadingBlock(2, fmt.Sprintf("Plan %s (source %s)", d.Plan.ID, d.Plan.SourceName)))
		t := &report.Table{ID: fmt.Sprintf("rollback_objects_%d", n), Title: "Objects a rollback deletes, in order",
			Empty: "Apply created no object, so a rollback has nothing to delete.", Columns: []report.Column{
				{Key: "seq", Title: "#", Type: report.ColInteger, Weight: 0.4},
				{Key: "object", Title: "Object", Type: report.ColText, Weight: 2.2},
				{Key: "target_id", Title: "Portal id", Type: report.ColID, Weight: 1.5},
				{Key: "etag", Title: "ETag at apply", Type: report.ColID, Weight: 1.1},
				{Key: "rollback", Title: "Rollback result", Type: report.ColStatus, Weight: 1},
				{Key: "detail", Title: "Detail", Type: report.ColText, Weight: 2},
			}, Rows: [][]any{}}
		var bound int
		for j := len(d.Steps) - 1; j >= 0; j-- {
			st := d.Steps[j]
			e, ok := d.Applied[st.Seq]
			if !ok || e.State != cutover.StateApplied {
				continue
			}
			if st.Action == steps.Bind {
				bound++
				continue
			}
			rb := d.RolledBack[st.Seq]
			t.Rows = append(t.Rows, report.Row(st.Seq, strings.TrimPrefix(st.Label(), "create "), e.TargetID, e.ETag, string(rb.State), rb.Reason))
		}
		if bound > 0 {
			add(report.NoteBlock(report.ToneInfo, "%d objects apply bound to (mapped by merge decisions) existed before the cutover and are never deleted by a rollback.", bound))
		}
		if r := d.Rollback; r != nil {
			status := string(r.Status)
			if r.Interrupted {
				status = "interrupted"
			}
			facts := []report.Fact{{Label: "Rollback run", Value: r.ID}, {Label: "Status", Value: status},
				{Label: "Started", Value: stamp(r.StartedAt)}, {Label: "Objects by result", Value: stateCounts(r.Counts)}}
			if r.FinishedAt != nil {
				facts = append(facts, report.Fact{Label: "Finished", Value: stamp(*r.FinishedAt)})
			}
			if len(r.Forced) > 0 {
				facts = append(facts, report.Fact{Label: "Deleted although changed since apply (--force-object)", Value: strings.Join(r.Forced, ", ")})
			}
			add(report.FactsBlock(facts...))
			if r.Counts[cutover.StateRefused] > 0 {
				add(report.NoteBlock(report.ToneWarning, "%d objects were refused because they changed on the Portal since apply; they are still there.", r.Counts[cutover.StateRefused]))
			}
		} else {
			add(report.NoteBlock(report.ToneInfo, "This plan has not been rolled back: the objects below are on the Portal as apply left them."))
		}
		add(report.TableBlock(t))
	}
	return report.Contribution{Sections: []report.Section{sec}}, nil
}

// Contribute implements report.Provider.
func (p Probes) Contribute(ctx context.Context, in report.Input) (report.Contribution, error) {
	list, err := reported(ctx, p.Service)
	if err != nil {
		return report.Contribution{}, err
	}
	sec := report.Section{ID: string(report.SlotProbes), Title: report.SlotProbes.Title(), Status: report.Complete}
	add := func(b ...report.Block) { sec.Blocks = append(sec.Blocks, b...) }
	list = applied(list)
	if len(list) == 0 {
		sec.Status = report.NotRun
		add(report.NoteBlock(report.ToneInfo, "No probes have run: they check the target after a cutover is applied, and none has been applied in this workspace."))
		return report.Contribution{Sections: []report.Section{sec}}, nil
	}
	add(report.ParagraphBlock("Probes read back what apply created and bound: every object must read back as planned, every " +
		"created SAML provider's signing certificate must be valid, and an address at every routed email domain must " +
		"resolve (the Portal's routing resolution) to the intended provider. Each result is recorded with its time."))
	var c report.Contribution
	probed := false
	for i, d := range list {
		n := i + 1
		add(report.HeadingBlock(2, fmt.Sprintf("Plan %s (source %s)", d.Plan.ID, d.Plan.SourceName)))
		results, err := p.Service.Probes(ctx, d.Plan.ID)
		if err != nil {
			return report.Contribution{}, err
		}
		if len(results) == 0 {
			add(report.NoteBlock(report.ToneWarning, "The plan was applied but never probed: run 'migctl cutover probe --plan %s'.", d.Plan.ID))
			continue
		}
		probed = true
		latest := results[0].RunID
		var runs []string
		byRun := map[string]map[string]int{}
		t := &report.Table{ID: fmt.Sprintf("probes_%d", n), Title: "Newest probe run", Interactive: true, Columns: []report.Column{
			{Key: "outcome", Title: "Outcome", Type: report.ColStatus, Weight: 0.7},
			{Key: "check", Title: "Check", Type: report.ColText, Weight: 0.9},
			{Key: "step", Title: "#", Type: report.ColInteger, Weight: 0.4},
			{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 1},
			{Key: "target_id", Title: "Portal id", Type: report.ColID, Weight: 1.5},
			{Key: "subject", Title: "Subject", Type: report.ColText, Weight: 1.2},
			{Key: "detail", Title: "Detail", Type: report.ColText, Weight: 3},
			{Key: "at", Title: "At", Type: report.ColTime, Detail: true},
		}, Rows: [][]any{}}
		for _, r := range results {
			if byRun[r.RunID] == nil {
				byRun[r.RunID] = map[string]int{}
				runs = append(runs, r.RunID)
			}
			byRun[r.RunID][r.Outcome]++
			if r.RunID == latest {
				t.Rows = append(t.Rows, report.Row(r.Outcome, r.Check, r.Step, strings.ReplaceAll(string(r.Kind), "_", " "), r.TargetID, r.Subject, r.Detail, r.At))
			}
		}
		counts := byRun[latest]
		add(report.FactsBlock(report.Fact{Label: "Probe run", Value: latest}, report.Fact{Label: "At", Value: stamp(results[0].At)},
			report.Fact{Label: "Outcomes", Value: outcomeCounts(counts)}))
		c.Cover = append(c.Cover, report.Fact{Label: "Probes of " + d.Plan.ID, Value: outcomeCounts(counts)})
		switch {
		case counts[cutover.ProbeFail] > 0:
			add(report.NoteBlock(report.ToneDanger, "%d checks failed: the target does not hold what the plan applied.", counts[cutover.ProbeFail]))
		case counts[cutover.ProbeWarn] > 0:
			add(report.NoteBlock(report.ToneWarning, "%d checks passed with a warning; each says what is left to do.", counts[cutover.ProbeWarn]))
		}
		add(report.TableBlock(t))
		if len(runs) > 1 {
			older := &report.Table{ID: fmt.Sprintf("probes_earlier_%d", n), Title: "Earlier probe runs", Columns: []report.Column{
				{Key: "run", Title: "Probe run", Type: report.ColID},
				{Key: "outcomes", Title: "Outcomes", Type: report.ColText, Weight: 2},
			}}
			for _, id := range runs[1:] {
				older.Rows = append(older.Rows, report.Row(id, outcomeCounts(byRun[id])))
			}
			add(report.TableBlock(older))
		}
	}
	if !probed {
		sec.Status = report.Partial
	}
	c.Sections = []report.Section{sec}
	return c, nil
}

func outcomeCounts(m map[string]int) string {
	var parts []string
	for _, o := range []string{cutover.ProbePass, cutover.ProbeWarn, cutover.ProbeFail, cutover.ProbeSkipped} {
		if m[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[o], o))
		}
	}
	if len(parts) == 0 {
		return "no checks"
	}
	return strings.Join(parts, ", ")
}

func stateCounts(m map[cutover.StepState]int) string {
	keys := make([]string, 0, len(m))
	for k, n := range m {
		if n > 0 {
			keys = append(keys, string(k))
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[cutover.StepState(k)], k)
	}
	return strings.Join(parts, ", ")
}

// secretState says what happened to a confidential client's secret,
// never the secret.
func secretState(e cutover.Entry) string {
	switch {
	case !e.SecretIssued:
		return ""
	case e.SecretDeliveredAt != nil:
		s := "issued, handed to the operator " + stamp(*e.SecretDeliveredAt)
		if e.SecretRotations > 0 {
			s += fmt.Sprintf(" (rotated %s: an earlier one never reached the operator)", times(e.SecretRotations))
		}
		return s
	}
	return "issued, not yet handed over (resume rotates it)"
}

func stepSummary(id string, counts map[[2]string]int) *report.Table {
	t := &report.Table{ID: id + "_by_kind", Title: "Steps by kind and result", Columns: []report.Column{
		{Key: "kind", Title: "Kind", Type: report.ColText, Weight: 1.4},
		{Key: "result", Title: "Result or disposition", Type: report.ColStatus, Weight: 1.4},
		{Key: "steps", Title: "Steps", Type: report.ColInteger, Weight: 0.6},
	}}
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, k := range keys {
		t.Rows = append(t.Rows, report.Row(strings.ReplaceAll(k[0], "_", " "), k[1], counts[k]))
	}
	return t
}

func seqs(list []int) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, ", ")
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
