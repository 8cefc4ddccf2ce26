package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/cutover"
)

func newCutoverRollbackCmd(e *env) *cobra.Command {
	var planID string
	var preview, apply bool
	var force []string
	cmd := &cobra.Command{
		Use:   "rollback --plan ID --preview | --apply [--force-object ID]...",
		Short: "Preview or execute deleting exactly what a plan's apply created",
		Long: `--preview lists, newest first, exactly the objects the plan's apply created, by the target ids and
ETags it recorded, and what rollback will do with each: delete it, keep it because it changed since
apply (refused unless named with --force-object), or nothing because it is already gone. Mapped,
pre-existing objects are listed as kept and never touched.

--apply executes it, journaling each delete before and after, so an interrupted rollback continues
where it stopped when run again. It refuses to start while an object changed since apply is not
named with --force-object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planID == "" || preview == apply {
				return usageErrorf("give --plan ID and exactly one of --preview or --apply")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			c, _, err := w.TargetClient(e.ctx)
			if err != nil {
				return err
			}
			if preview {
				rp, err := w.Cutover.RollbackPreview(e.ctx, planID, c, force)
				if err != nil {
					return err
				}
				return e.show(rollbackShown(rp))
			}
			bar := startCutoverProgress(e.stderr)
			out, runErr := w.Cutover.RollbackApply(e.ctx, planID, c, force, cutover.ApplyOptions{Progress: bar.update})
			bar.finish()
			if out.Run.ID == "" {
				return runErr
			}
			rp, err := w.Cutover.RollbackPreview(e.ctx, planID, c, force)
			if err != nil {
				return errors.Join(runErr, err)
			}
			if err := e.show(rollbackDone{Outcome: out, Items: rp.Items}); err != nil {
				return errors.Join(runErr, err)
			}
			if runErr != nil {
				return runErr
			}
			return outcomeError(out)
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan whose apply to roll back")
	cmd.Flags().BoolVar(&preview, "preview", false, "list what the rollback would delete, change nothing")
	cmd.Flags().BoolVar(&apply, "apply", false, "delete the objects")
	cmd.Flags().StringSliceVar(&force, "force-object", nil, "delete this object (target id) although it changed since apply; repeat for more")
	return cmd
}

func newCutoverProbeCmd(e *env) *cobra.Command {
	var planID string
	cmd := &cobra.Command{
		Use:   "probe --plan ID",
		Short: "Check what the plan's apply created and record the results as evidence",
		Long: `Reads back every object the apply created or bound and compares it with the plan, checks each
created provider's signing certificate, and asks the Portal where an address at each routed
domain goes (its routing resolution, which signs nobody in). Each result is stored with its time
and detail, and the run is audited. Exits 1 when a check failed.`,
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
			c, _, err := w.TargetClient(e.ctx)
			if err != nil {
				return err
			}
			rep, err := w.Cutover.Probe(e.ctx, planID, c, c)
			if err != nil {
				return err
			}
			if err := e.show(probeShown(rep)); err != nil {
				return err
			}
			if n := rep.Counts[cutover.ProbeFail]; n > 0 {
				return errors.New(plural(n, "probe") + " failed; see the results above")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan to probe")
	return cmd
}
