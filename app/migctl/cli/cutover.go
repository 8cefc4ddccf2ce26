package cli

import (
	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/cutover"
)

func newCutoverCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cutover",
		Short: "Plan, preview and apply the cutover to the Portal; resume, roll back and probe it",
		Long: `The cutover changes the customer's live Portal tenant. A plan is built from a completed
assessment and the merge decisions (cutover plan create); a preview reads the live target, shows
exactly what apply will create and bind, and prints the token apply needs (cutover preview);
apply executes the plan, journaling every step so that a crash or Ctrl-C leaves a run that
'cutover resume' finishes without creating anything twice. 'cutover rollback' deletes exactly
what the apply created; 'cutover probe' checks what it created and records the results.

Generated OIDC client secrets are shown once: printed on stdout as they are issued, or written to
the file named by --secrets-file (mode 0600, never overwritten). They are stored nowhere else.`,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newCutoverPlanCmd(e), newCutoverPreviewCmd(e), newCutoverApplyCmd(e), newCutoverResumeCmd(e),
		newCutoverRollbackCmd(e), newCutoverProbeCmd(e))
	return cmd
}

func newCutoverPlanCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Create, list, show and rebuild cutover plans",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newCutoverPlanCreateCmd(e), newCutoverPlanListCmd(e), newCutoverPlanShowCmd(e), newCutoverPlanRebuildCmd(e))
	return cmd
}

func newCutoverPlanCreateCmd(e *env) *cobra.Command {
	var source string
	cmd := &cobra.Command{
		Use:   "create [--source NAME]",
		Short: "Build a draft plan from the source's newest completed assessment",
		Long: `Builds a draft plan: one step per Portal object to create or bind, each planned, manual follow-up,
blocked or skipped with its reason, in dependency order. Refused while the workspace's
preview-handoff gate is closed (see 'workspace show'), and when the assessment already has a plan
(rebuild that one). --source may be left out when the workspace has one configured source.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			plan, err := w.Cutover.Create(e.ctx, cutover.CreateRequest{Source: source})
			if err != nil {
				return err
			}
			d, err := w.Cutover.Get(e.ctx, plan.ID)
			if err != nil {
				return err
			}
			return e.show(planShown{Detail: d, Brief: true})
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "the source whose newest assessment the plan is built from")
	return cmd
}

func newCutoverPlanListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the workspace's cutover plans, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			plans, err := w.Cutover.Plans(e.ctx)
			if err != nil {
				return err
			}
			list := planList{Plans: []planRow{}}
			for _, p := range plans {
				d, err := w.Cutover.Get(e.ctx, p.ID)
				if err != nil {
					return err
				}
				list.Plans = append(list.Plans, rowOf(d))
			}
			return e.show(list)
		},
	}
}

func newCutoverPlanShowCmd(e *env) *cobra.Command {
	var planID string
	var all bool
	cmd := &cobra.Command{
		Use:   "show [--plan ID] [--all]",
		Short: "Show a plan, its steps and what the target reported back for each",
		Long: `Shows the plan (the newest when --plan is left out), its runs, and every step that is not
simply planned and waiting: with its disposition, reason, the rule or decision behind it, its
dependencies and, once applied, the target id, ETag and time. --all lists every step.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			id, err := planOrLatest(e, w.Cutover, planID)
			if err != nil {
				return err
			}
			d, err := w.Cutover.Get(e.ctx, id)
			if err != nil {
				return err
			}
			probes, err := w.Cutover.Probes(e.ctx, id)
			if err != nil {
				return err
			}
			return e.show(planShown{Detail: d, Probes: probes, All: all})
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan (default: the newest)")
	cmd.Flags().BoolVar(&all, "all", false, "list every step, planned ones included")
	return cmd
}

func newCutoverPlanRebuildCmd(e *env) *cobra.Command {
	var planID string
	cmd := &cobra.Command{
		Use:   "rebuild --plan ID",
		Short: "Recompute a draft or previewed plan from its assessment and the merge decisions as they are now",
		Long: `Rebuilds the plan's steps; the plan is draft again and its preview token is void. A plan whose
apply has started cannot be rebuilt.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planID == "" {
				return usageErrorf("--plan ID is required")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			if _, err := w.Cutover.Rebuild(e.ctx, planID); err != nil {
				return err
			}
			d, err := w.Cutover.Get(e.ctx, planID)
			if err != nil {
				return err
			}
			return e.show(planShown{Detail: d, Brief: true})
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan to rebuild")
	return cmd
}

// planOrLatest is the plan given, or the newest.
func planOrLatest(e *env, svc *cutover.Service, planID string) (string, error) {
	if planID != "" {
		return planID, nil
	}
	p, ok, err := svc.Latest(e.ctx)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", usageErrorf("the workspace has no cutover plan yet; create one with 'migctl cutover plan create'")
	}
	return p.ID, nil
}
