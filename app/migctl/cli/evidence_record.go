package cli

import (
	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/evidence"
)

// The evidence verbs that read and record a cutover plan's rollback
// guidance and completion evidence (docs/evidence.md, "Post-cutover
// evidence"). Their text comes from flags: what an operator writes here is
// meant for the report, never a secret.

func newEvidenceShowCmd(e *env) *cobra.Command {
	var plan string
	cmd := &cobra.Command{
		Use:   "show [--plan ID]",
		Short: "Show a cutover plan's rollback guidance, completion evidence, handoff criteria and probe results, or list the plans",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			if plan == "" {
				plans, err := w.Evidence.PlanList(e.ctx)
				if err != nil {
					return err
				}
				v := evidencePlans{Plans: []evidencePlanRow{}}
				for _, p := range plans {
					shown, err := w.Evidence.Show(e.ctx, p.ID)
					if err != nil {
						return err
					}
					v.Plans = append(v.Plans, evidencePlanRow{ID: p.ID, Status: p.Status, CreatedAt: p.CreatedAt, Executed: p.Execution != nil, Met: shown.Met})
				}
				return e.show(v)
			}
			v, err := w.Evidence.Show(e.ctx, plan)
			if err != nil {
				return err
			}
			return e.show(evidenceShown{View: v})
		},
	}
	cmd.Flags().StringVar(&plan, "plan", "", "the cutover plan's id; without it, list the plans")
	return cmd
}

func newEvidenceSetRollbackCmd(e *env) *cobra.Command {
	var (
		plan string
		r    evidence.Rollback
	)
	cmd := &cobra.Command{
		Use:   "set-rollback --plan ID [--summary TEXT] [--owner NAME] [--step TEXT]...",
		Short: "Record a cutover plan's rollback guidance (only the flags given change)",
		Long: `Record the rollback guidance of a cutover plan: a summary, the owner who would carry it
out, and its steps in order (repeat --step; --step '' clears them). Fields whose flag is not
given keep their recorded value. The change is audited as migration.cutover_evidence.updated
with the names of the fields that changed, never their text.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "plan"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			cur, err := w.Evidence.Show(e.ctx, plan)
			if err != nil {
				return err
			}
			next := cur.Record.Rollback
			f := cmd.Flags()
			if f.Changed("summary") {
				next.Summary = r.Summary
			}
			if f.Changed("owner") {
				next.Owner = r.Owner
			}
			if f.Changed("step") {
				next.Steps = r.Steps
			}
			v, changes, err := w.Evidence.SetRollback(e.ctx, plan, next)
			if err != nil {
				return err
			}
			return e.show(evidenceSaved{Form: "rollback", Changes: nonNil(changes), View: v})
		},
	}
	cmd.Flags().StringVar(&plan, "plan", "", "the cutover plan's id (required)")
	cmd.Flags().StringVar(&r.Summary, "summary", "", "what rolling back does, in a few sentences")
	cmd.Flags().StringVar(&r.Owner, "owner", "", "who carries out the rollback (a name or a team)")
	cmd.Flags().StringArrayVar(&r.Steps, "step", nil, "one rollback step, in order; repeat for each")
	return cmd
}

func newEvidenceSetCompletionCmd(e *env) *cobra.Command {
	var (
		plan string
		c    evidence.Completion
	)
	cmd := &cobra.Command{
		Use:   "set-completion --plan ID [flags]",
		Short: "Record a cutover plan's completion evidence (only the flags given change)",
		Long: `Record the completion evidence of a cutover plan: whether communications are complete and
what was communicated, the artifact or ticket that holds the detail, the manual validation
done, and whether the blocked and manual-follow-up steps were reviewed. Fields whose flag is
not given keep their recorded value. Marking communications complete or follow-up reviewed
needs its summary. The change is audited as migration.cutover_evidence.updated with the names
of the fields that changed, never their text.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "plan"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			cur, err := w.Evidence.Show(e.ctx, plan)
			if err != nil {
				return err
			}
			next := cur.Record.Completion
			f := cmd.Flags()
			for name, apply := range map[string]func(){
				"communications-complete":   func() { next.CommunicationsComplete = c.CommunicationsComplete },
				"communications-summary":    func() { next.CommunicationsSummary = c.CommunicationsSummary },
				"artifact":                  func() { next.ArtifactReference = c.ArtifactReference },
				"manual-validation-summary": func() { next.ManualValidationSummary = c.ManualValidationSummary },
				"follow-up-reviewed":        func() { next.FollowUpReviewed = c.FollowUpReviewed },
				"follow-up-summary":         func() { next.FollowUpSummary = c.FollowUpSummary },
			} {
				if f.Changed(name) {
					apply()
				}
			}
			v, changes, err := w.Evidence.SetCompletion(e.ctx, plan, next)
			if err != nil {
				return err
			}
			return e.show(evidenceSaved{Form: "completion", Changes: nonNil(changes), View: v})
		},
	}
	f := cmd.Flags()
	f.StringVar(&plan, "plan", "", "the cutover plan's id (required)")
	f.BoolVar(&c.CommunicationsComplete, "communications-complete", false, "communications to the people affected are complete (needs --communications-summary, or one recorded)")
	f.StringVar(&c.CommunicationsSummary, "communications-summary", "", "who was told what, and when")
	f.StringVar(&c.ArtifactReference, "artifact", "", "the artifact or ticket reference that holds the detail")
	f.StringVar(&c.ManualValidationSummary, "manual-validation-summary", "", "the manual validation done after cutover")
	f.BoolVar(&c.FollowUpReviewed, "follow-up-reviewed", false, "the blocked and manual-follow-up steps were reviewed (needs --follow-up-summary, or one recorded)")
	f.StringVar(&c.FollowUpSummary, "follow-up-summary", "", "what was reviewed and what remains")
	return cmd
}

func nonNil(ch []evidence.Change) []evidence.Change {
	if ch == nil {
		return []evidence.Change{}
	}
	return ch
}
