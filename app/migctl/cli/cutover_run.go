package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/cutover"
)

func newCutoverPreviewCmd(e *env) *cobra.Command {
	var planID string
	cmd := &cobra.Command{
		Use:   "preview --plan ID",
		Short: "Read the live target, show what apply will do and print the token apply needs",
		Long: `Reads the live target and checks it is what the plan assumed: every mapped object still at the
ETag merge review read, and no live object holding a name, domain or pair a create needs. Shows,
per noun, what apply will create and bind, and each create's exact request body (secrets masked;
ids of objects not created yet shown as placeholders). Prints the preview token, valid for one
hour: apply needs it. Refused, naming every drift, when the target has drifted.`,
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
			res, err := w.Cutover.Preview(e.ctx, planID, c)
			if err != nil && len(res.Drifts) == 0 {
				return err
			}
			if perr := e.show(previewShown(res)); perr != nil {
				return errors.Join(err, perr)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan to preview")
	return cmd
}

// runFlags are what apply and resume share.
type runFlags struct {
	secretsFile string
	writeRate   float64
}

func (f *runFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.secretsFile, "secrets-file", "", "write generated client secrets to this new file (mode 0600, never overwritten) instead of stdout")
	cmd.Flags().Float64Var(&f.writeRate, "write-rate", 0, "pace writes to the Portal to this many per second (0: as fast as it answers)")
}

func newCutoverApplyCmd(e *env) *cobra.Command {
	var planID, token string
	var flags runFlags
	cmd := &cobra.Command{
		Use:   "apply --plan ID --preview-token TOKEN [--secrets-file PATH]",
		Short: "Apply a previewed plan to the Portal",
		Long: `Executes the plan with the token of its latest preview: re-reads the target and refuses on any
drift, then creates and binds every planned step in order, journaling each before and after its
request. One apply runs per workspace at a time. Ctrl-C stops after the current step; the run is
then interrupted and 'cutover resume' continues it, as it does after a crash.

Prints the outcome; exits 1 when a step failed or the run was interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planID == "" || token == "" {
				return usageErrorf("--plan ID and --preview-token TOKEN are required (cutover preview prints the token)")
			}
			return runCutover(e, flags, func(w *wiring.Workspace, opts cutover.ApplyOptions) (cutover.Outcome, error) {
				c, _, err := w.TargetClient(e.ctx)
				if err != nil {
					return cutover.Outcome{}, err
				}
				return w.Cutover.Apply(e.ctx, planID, token, c, opts)
			})
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan to apply")
	cmd.Flags().StringVar(&token, "preview-token", "", "the token the plan's latest preview printed")
	flags.register(cmd)
	return cmd
}

func newCutoverResumeCmd(e *env) *cobra.Command {
	var planID string
	var flags runFlags
	cmd := &cobra.Command{
		Use:   "resume [--plan ID] [--secrets-file PATH]",
		Short: "Continue an interrupted or failed apply",
		Long: `Continues the workspace's interrupted apply (or the plan's, with --plan; else the newest failed
one). Every step left in doubt is sent again with its idempotency key, so the Portal answers with
the object it made, or found by its natural key once the Portal's idempotency window has passed;
failed steps are tried again; the rest continue. A client secret that never reached the operator
is issued again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCutover(e, flags, func(w *wiring.Workspace, opts cutover.ApplyOptions) (cutover.Outcome, error) {
				c, _, err := w.TargetClient(e.ctx)
				if err != nil {
					return cutover.Outcome{}, err
				}
				return w.Cutover.Resume(e.ctx, planID, c, opts)
			})
		},
	}
	cmd.Flags().StringVar(&planID, "plan", "", "the plan whose apply to resume (default: the interrupted one)")
	flags.register(cmd)
	return cmd
}

// runCutover runs an apply or resume with progress on stderr and client
// secrets delivered as the flags say, then prints the outcome.
func runCutover(e *env, flags runFlags, run func(*wiring.Workspace, cutover.ApplyOptions) (cutover.Outcome, error)) error {
	sink, err := openSecretSink(e, flags.secretsFile)
	if err != nil {
		return err
	}
	defer sink.close()
	w, err := e.open()
	if err != nil {
		return err
	}
	defer w.Close()
	bar := startCutoverProgress(e.stderr)
	out, runErr := run(w, cutover.ApplyOptions{Progress: bar.update, OnSecret: sink.take, WriteRate: flags.writeRate})
	bar.finish()
	if out.Run.ID == "" {
		return errors.Join(runErr, sink.close())
	}
	d, err := w.Cutover.Get(e.ctx, out.Run.PlanID)
	if err != nil {
		return errors.Join(runErr, err)
	}
	shown := outcomeShown{Outcome: out, Steps: failedSteps(d), SecretsFile: flags.secretsFile,
		Secrets: sink.shown(), SecretsIssued: sink.count()}
	if err := e.show(shown); err != nil {
		return errors.Join(runErr, err)
	}
	if seqs := sink.deferred(); len(seqs) > 0 {
		// The secrets were just printed in the document.
		if err := w.Cutover.ConfirmSecrets(e.ctx, out.Run.PlanID, seqs); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if err := sink.close(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if runErr != nil {
		return runErr
	}
	return outcomeError(out)
}

// outcomeError is the exit status of a run that ended other than well.
func outcomeError(out cutover.Outcome) error {
	switch {
	case out.Cancelled:
		return fmt.Errorf("the %s of plan %s was interrupted; continue it with 'migctl cutover resume --plan %s'", out.Run.Kind, out.Plan.ID, out.Plan.ID)
	case out.Run.Status == cutover.RunFailed:
		return fmt.Errorf("the %s of plan %s failed (%d steps failed, %d in doubt); see 'migctl cutover plan show --plan %s', then run 'migctl cutover resume --plan %s'",
			out.Run.Kind, out.Plan.ID, out.Run.Counts[cutover.StateFailed], out.Run.Counts[cutover.StateIntent], out.Plan.ID, out.Plan.ID)
	case out.Undelivered > 0:
		return fmt.Errorf("%d client secrets were issued but not delivered; 'migctl cutover resume --plan %s' issues them again", out.Undelivered, out.Plan.ID)
	}
	return nil
}

// secretSink delivers generated client secrets: to a new file (one JSON
// object per line, synced before the secret counts as delivered), or on
// stdout as they come, or, with --json, in the one document at the end.
type secretSink struct {
	e     *env
	file  *os.File
	path  string
	mu    sync.Mutex
	held  []cutover.IssuedSecret
	taken int
}

func openSecretSink(e *env, path string) (*secretSink, error) {
	s := &secretSink{e: e, path: path}
	if path == "" {
		return s, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, usageErrorf("%s already exists; a secrets file is never overwritten: name a new file with --secrets-file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("create the secrets file: %w", err)
	}
	s.file = f
	return s, nil
}

// secretLine is one delivered secret as the file and --json hold it.
type secretLine struct {
	PlanID       string `json:"plan_id"`
	Step         int    `json:"step"`
	Application  string `json:"application"`
	AppID        string `json:"app_id"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Rotated      bool   `json:"rotated"`
}

func lineOf(is cutover.IssuedSecret) secretLine {
	return secretLine{PlanID: is.PlanID, Step: is.Step, Application: is.AppName, AppID: is.AppID, ClientID: is.ClientID,
		ClientSecret: is.Secret.Reveal(), Rotated: is.Rotated}
}

func (s *secretSink) take(is cutover.IssuedSecret) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taken++
	switch {
	case s.file != nil:
		b, err := json.Marshal(lineOf(is))
		if err != nil {
			return err
		}
		if _, err := s.file.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("write the secrets file: %w", err)
		}
		return s.file.Sync()
	case s.e.json:
		s.held = append(s.held, is)
		return cutover.ErrDeliverLater
	}
	note := ""
	if is.Rotated {
		note = " (issued again: the first one never reached you)"
	}
	_, err := fmt.Fprintf(s.e.stdout, "Client secret of application %q (app %s, client id %s)%s:\n    %s\n  Shown once and stored nowhere: install it now.\n",
		is.AppName, is.AppID, is.ClientID, note, is.Secret.Reveal())
	return err
}

func (s *secretSink) shown() []secretLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]secretLine, len(s.held))
	for i, is := range s.held {
		out[i] = lineOf(is)
	}
	return out
}

func (s *secretSink) deferred() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seqs := make([]int, len(s.held))
	for i, is := range s.held {
		seqs[i] = is.Step
	}
	return seqs
}

func (s *secretSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.taken
}

func (s *secretSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	if err == nil && s.taken == 0 {
		err = os.Remove(s.path) // nothing was issued: leave no empty file behind
	}
	s.file = nil
	return err
}

// cutoverProgress shows a run's progress on stderr: one line redrawn in
// place on a terminal, a plain line every few seconds otherwise.
type cutoverProgress struct {
	out   io.Writer
	tty   bool
	every time.Duration
	mu    sync.Mutex
	last  cutover.Progress
	shown time.Time
	any   bool
}

func startCutoverProgress(out io.Writer) *cutoverProgress {
	p := &cutoverProgress{out: out, every: plainInterval}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, ttyRedraw
	}
	return p
}

func (p *cutoverProgress) update(pr cutover.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.any = pr, true
	if time.Since(p.shown) < p.every && !pr.Finished {
		return
	}
	p.shown = time.Now()
	line := fmt.Sprintf("%s: %d of %d steps (%d done, %d failed)", pr.Kind, pr.Done, pr.Total,
		pr.Counts[cutover.StateApplied]+pr.Counts[cutover.StateDeleted]+pr.Counts[cutover.StateGone], pr.Counts[cutover.StateFailed])
	if pr.Current != "" {
		line += ": " + clip(pr.Current, 60)
	}
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.out, line)
}

func (p *cutoverProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.any {
		fmt.Fprintln(p.out)
	}
}
