package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
)

func newRolloutCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Progressive SSO rollout: checklist, pilot and waves, enforcement, monitoring, rollback, SCIM, role mapping",
		Long: `The rollout moves the Portal's existing users to SSO progressively and reversibly:
a pre-migration checklist, a pilot and then waves (LOCAL_ONLY -> SSO_PREFERRED), enforcement of
the users who are SSO-linked (SSO_PREFERRED -> SSO_REQUIRED), monitoring from the SSO event log,
a one-action rollback, the SCIM deprovisioning toggle and role mapping. Every change is previewed
first; an apply writes each user with If-Match, journals it in the workspace file and can be
resumed after a crash or Ctrl-C without changing anyone twice.`,
		RunE: needSubcommand,
	}
	cmd.AddCommand(newRolloutChecklistCmd(e), newRolloutRouteCmd(e), newRolloutConfigureCmd(e), newRolloutWaveCmd(e),
		newRolloutEnforceCmd(e), newRolloutRollbackCmd(e), newRolloutScimCmd(e), newRolloutRolesCmd(e))
	return cmd
}

// withRollout opens the workspace and hands fn its rollout service.
func (e *env) withRollout(fn func(w *wiring.Workspace, r *rollout.Service) error) error {
	w, err := e.open()
	if err != nil {
		return err
	}
	defer w.Close()
	return fn(w, w.Rollout)
}

func newRolloutChecklistCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "checklist",
		Short: "Compute the pre-migration checklist from the live Portal: each item pass, warn or block, with the users it names",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				c, err := r.Checklist(e.ctx)
				if err != nil {
					return err
				}
				return e.print(c, func(out io.Writer) error { return printChecklist(out, c) })
			})
		},
	}
}

var statusMark = map[rollout.CheckStatus]string{rollout.CheckPass: "PASS ", rollout.CheckWarn: "WARN ", rollout.CheckBlock: "BLOCK"}

func printChecklist(out io.Writer, c rollout.Checklist) error {
	fmt.Fprintf(out, "Pre-migration checklist (%s): %d enabled users of %d.\n", formatTime(&c.At), c.EnabledUsers, c.AllUsers)
	for _, it := range c.Items {
		fmt.Fprintf(out, "\n%s  %s\n       %s\n", statusMark[it.Status], it.Title, it.Summary)
		for _, d := range it.Domains {
			fmt.Fprintf(out, "       - %s (%d users): %s\n", d.Domain, d.Users, d.Reason)
		}
		for i, u := range it.Users {
			if i == 20 {
				fmt.Fprintf(out, "       ... and %d more (use --json for all)\n", len(it.Users)-20)
				break
			}
			why := ""
			if u.Why != "" {
				why = ": " + u.Why
			}
			fmt.Fprintf(out, "       - %s (%s)%s\n", u.Label, u.AuthMode, why)
		}
	}
	if c.TenantBlocked {
		_, err := fmt.Fprintln(out, "\nBlocked: no wave can be applied until the BLOCK items of the tenant are fixed.")
		return err
	}
	_, err := fmt.Fprintln(out, "\nUsers named by a BLOCK item are left out of every wave; the rest may proceed.")
	return err
}

func newRolloutRouteCmd(e *env) *cobra.Command {
	var email, username string
	cmd := &cobra.Command{
		Use:   "route --email E | --username U",
		Short: "Test an identifier: which provider and SSO configuration it routes to, and why",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if (email == "") == (username == "") {
				return usageErrorf("give exactly one of --email and --username")
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				res, err := r.Route(e.ctx, email+username)
				if err != nil {
					return err
				}
				return e.print(res, func(out io.Writer) error { return printRoute(out, res) })
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the email to route")
	cmd.Flags().StringVar(&username, "username", "", "the username to route (through its user's email)")
	return cmd
}

func printRoute(out io.Writer, r api.RoutingResolution) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Identifier\t%s (%s)\n", r.Identifier, r.IdentifierType)
	fmt.Fprintf(tw, "Outcome\t%s (deterministic: %t)\n", r.Outcome, r.Deterministic)
	if r.ProviderName != nil {
		fmt.Fprintf(tw, "Provider\t%s\n", *r.ProviderName)
	}
	if r.SsoConfigurationId != nil {
		fmt.Fprintf(tw, "SSO configuration\t%s (enabled: %t)\n", *r.SsoConfigurationId, r.SsoConfigurationEnabled != nil && *r.SsoConfigurationEnabled)
	}
	if r.AuthMode != nil {
		fmt.Fprintf(tw, "User's auth mode\t%s\n", *r.AuthMode)
	}
	for _, m := range r.MatchedRules {
		fmt.Fprintf(tw, "Matched rule\t%q priority %d, domain %s\n", m.RuleName, m.Priority, m.MatchedDomain)
	}
	fmt.Fprintf(tw, "Why\t%s\n", r.Reason)
	return tw.Flush()
}

func newRolloutConfigureCmd(e *env) *cobra.Command {
	var cfg string
	var threshold float64
	cmd := &cobra.Command{
		Use:   "configure [--sso-configuration ID] [--linked-threshold 0.9]",
		Short: "Choose the SSO configuration the rollout moves users to, and the SCIM pre-flight's linked-user threshold",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				st, err := r.Configure(e.ctx, cfg, threshold)
				if err != nil {
					return err
				}
				return e.print(st, func(out io.Writer) error {
					_, err := fmt.Fprintf(out, "Rollout SSO configuration: %s; SCIM deprovisioning is offered above %.0f%% linked enabled users.\n",
						orDefault(st.SsoConfigurationID, "the tenant's only one"), 100*st.LinkedThreshold)
					return err
				})
			})
		},
	}
	cmd.Flags().StringVar(&cfg, "sso-configuration", "", "id of the SSO configuration")
	cmd.Flags().Float64Var(&threshold, "linked-threshold", 0, "share (0-1) of enabled users that must be SSO-linked before SCIM deprovisioning is offered")
	return cmd
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newRolloutWaveCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wave",
		Short: "Create, preview, apply, resume, list and monitor the pilot and the waves",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newWaveCreateCmd(e), newWavePreviewCmd(e), newWaveApplyCmd(e), newWaveResumeCmd(e), newWaveListCmd(e), newWaveMonitorCmd(e))
	return cmd
}

func newWaveCreateCmd(e *env) *cobra.Command {
	var name, kind, list, snapshot string
	var domains, users, groups []string
	cmd := &cobra.Command{
		Use:   "create --name N [--kind pilot] (--domain D... | --group G... [--snapshot ID] | --list FILE.csv | --user ID...)",
		Short: "Create the pilot or a wave from an email domain, an incumbent group, a CSV list or users named by hand",
		Long: `The wave's members are the Portal's users as they are now, frozen in the workspace file.
--group takes the members of an incumbent group (its name or id; repeatable) from an inventory
snapshot's group membership, nested groups included: the one latest completed snapshot that holds
the group, or --snapshot. Each person is matched to the Portal account with the same email (case
and Unicode form aside). The wave names who matched, who has no Portal account (JIT creates one
at their first SSO login), whose email several Portal accounts share (refused) and who else is
left out, and why.
--list reads a CSV with one email, username or user id per row; a header may name the columns
(email, username, user_id) and add set_email, the email to set first for a user without one.
Identifiers that name no user are refused all together, so the list is fixed once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "name"); err != nil {
				return err
			}
			if err := oneOf("kind", kind, string(rollout.KindPilot), string(rollout.KindWave)); err != nil {
				return err
			}
			if snapshot != "" && len(groups) == 0 {
				return usageErrorf("--snapshot goes with --group")
			}
			req := rollout.NewWave{Name: name, Kind: rollout.WaveKind(kind), Domains: domains, Users: users, Groups: groups, SnapshotID: snapshot}
			if list != "" {
				f, err := os.Open(list)
				if err != nil {
					return fmt.Errorf("read the list: %w", err)
				}
				defer f.Close()
				req.List, req.ListName = f, filepath.Base(list)
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				w, err := r.CreateWave(e.ctx, req)
				if err != nil {
					return err
				}
				return e.print(w, func(out io.Writer) error {
					fmt.Fprintf(out, "Created %s %q with %d users (%s: %s).\n", w.Kind, w.Name, w.MemberCount, w.Selection, strings.Join(w.Criteria, ", "))
					if w.Selection == rollout.ByGroup {
						printGroupWave(out, w)
					}
					_, err := fmt.Fprintf(out, "Preview it: migctl rollout wave preview --wave %s\n", quote(w.Name))
					return err
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the wave's name")
	f.StringVar(&kind, "kind", string(rollout.KindWave), "pilot or wave (a wave needs an applied pilot first)")
	f.StringSliceVar(&domains, "domain", nil, "email domain whose users join (subdomains included); repeatable")
	f.StringSliceVar(&groups, "group", nil, "incumbent group (name or id) whose members join, nested groups included; repeatable")
	f.StringVar(&snapshot, "snapshot", "", "inventory snapshot to read --group from (default: the one latest snapshot that holds it)")
	f.StringVar(&list, "list", "", "CSV file naming the users")
	f.StringSliceVar(&users, "user", nil, "email, username or user id; repeatable")
	return cmd
}

func newWavePreviewCmd(e *env) *cobra.Command {
	var wave string
	cmd := &cobra.Command{
		Use:   "preview --wave W",
		Short: "Preview a wave against the live Portal: who moves LOCAL_ONLY -> SSO_PREFERRED, who is left out and why",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "wave"); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				p, err := r.PreviewWave(e.ctx, wave)
				if err != nil {
					return err
				}
				return e.print(p, func(out io.Writer) error {
					return printPreview(out, p, "migctl rollout wave apply --wave "+quote(wave))
				})
			})
		},
	}
	cmd.Flags().StringVar(&wave, "wave", "", "wave name or id")
	return cmd
}

func quote(s string) string {
	if strings.ContainsAny(s, " \t'\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

func printPreview(out io.Writer, p rollout.Preview, next string) error {
	w := p.Wave
	what := map[rollout.Op]string{rollout.OpWave: "Wave", rollout.OpEnforce: "Enforcement of", rollout.OpRollback: "Rollback", rollout.OpScim: "SCIM deprovisioning"}[p.Run.Op]
	if w != nil {
		what += fmt.Sprintf(" %q", w.Name)
	}
	fmt.Fprintf(out, "%s: preview %s (token %s)\n", what, p.Run.ID, p.Run.Token)
	if p.Warning != "" {
		fmt.Fprintf(out, "\nWARNING: %s\n", p.Warning)
	}
	if p.Scim != nil {
		printScim(out, *p.Scim)
	}
	changes, refusals := p.Changes(), p.Refusals()
	fmt.Fprintf(out, "\nChanges (%d):\n", len(changes))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, s := range changes {
		extra := ""
		if s.SetEmail != "" {
			extra = " (sets email " + s.SetEmail + " first)"
		}
		if s.Detail != "" {
			extra += " — " + s.Detail
		}
		fmt.Fprintf(tw, "  %s\t%s -> %s%s\n", s.Label, s.From, s.To, extra)
	}
	tw.Flush()
	if len(refusals) > 0 {
		fmt.Fprintf(out, "\nLeft out (%d):\n", len(refusals))
		tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, s := range refusals {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Label, s.Reason, s.Detail)
		}
		tw.Flush()
	}
	if w != nil && len(w.Unmatched) > 0 {
		fmt.Fprintf(out, "\nNot in the wave, from incumbent groups %s (%d): %s.\n", strings.Join(w.Criteria, ", "), len(w.Unmatched), rollout.UnmatchedSummary(w.Unmatched))
		printUnmatched(out, w.Unmatched)
	}
	if len(changes) > 0 {
		_, err := fmt.Fprintf(out, "\nApply it: %s\n", next)
		return err
	}
	_, err := fmt.Fprintln(out, "\nNothing to apply.")
	return err
}

// applyDoc is the --json document of every apply and resume.
type applyDoc struct {
	Run   rollout.Run    `json:"run"`
	Steps []rollout.Step `json:"steps"`
}

// runApply applies (or resumes) with progress on stderr and prints the
// outcome; the run's failures make exit 1.
func (e *env) runApply(apply func(progress func(rollout.Progress)) (rollout.Run, []rollout.Step, error)) error {
	var mu sync.Mutex
	var last rollout.Progress
	// A terminal gets one line redrawn in place; a log gets the end only.
	f, isFile := e.stderr.(*os.File)
	redraw := isFile && term.IsTerminal(int(f.Fd()))
	progress := func(p rollout.Progress) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("%s %d/%d: %d applied, %d skipped, %d failed", p.Op, p.Done, p.Total, p.Applied, p.Skipped, p.Failed)
		switch {
		case redraw && (p.Done != last.Done || p.Finished):
			fmt.Fprintf(e.stderr, "\r%s %s\033[K", line, p.Current)
			if p.Finished {
				fmt.Fprintln(e.stderr)
			}
		case !redraw && p.Finished:
			fmt.Fprintln(e.stderr, line)
		}
		last = p
	}
	if e.json {
		progress = nil
	}
	run, steps, err := apply(progress)
	if run.ID == "" {
		return err
	}
	doc := applyDoc{Run: run, Steps: steps}
	if perr := e.print(doc, func(out io.Writer) error { return printApplied(out, run, steps) }); perr != nil {
		return errors.Join(err, perr)
	}
	if err != nil {
		if run.Status == rollout.RunApplying || run.Status == rollout.RunCancelled {
			return fmt.Errorf("%w; continue with: migctl rollout wave resume", err)
		}
		return err
	}
	if run.Status == rollout.RunCompletedWithFailures {
		return fmt.Errorf("%d of the run's changes failed; each is listed with its reason", run.Counts.Failed)
	}
	return nil
}

func printApplied(out io.Writer, run rollout.Run, steps []rollout.Step) error {
	fmt.Fprintf(out, "Run %s (%s): %s — %d applied, %d skipped, %d failed, %d left out at preview.\n",
		run.ID, run.Op, run.Status, run.Counts.Applied, run.Counts.Skipped, run.Counts.Failed, run.Counts.Refused)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, s := range steps {
		if s.State == rollout.StepRefused {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\t%s\n", s.Label, s.From, s.To, s.State, s.Detail)
	}
	return tw.Flush()
}

// latestPreview finds the newest previewed run of op for wave ("" for
// none).
func latestPreview(e *env, r *rollout.Service, op rollout.Op, waveRef string) (rollout.Run, error) {
	waveID := ""
	if waveRef != "" {
		w, err := r.Wave(e.ctx, waveRef)
		if err != nil {
			return rollout.Run{}, err
		}
		waveID = w.ID
	}
	runs, err := r.Runs(e.ctx)
	if err != nil {
		return rollout.Run{}, err
	}
	for _, run := range runs {
		if run.Op == op && run.WaveID == waveID && run.Status == rollout.RunPreviewed {
			return run, nil
		}
	}
	what := map[rollout.Op]string{rollout.OpWave: "wave preview --wave " + quote(waveRef), rollout.OpEnforce: "enforce --preview --wave " + quote(waveRef),
		rollout.OpRollback: "rollback --preview", rollout.OpScim: "scim --preview"}[op]
	return rollout.Run{}, fmt.Errorf("nothing is previewed to apply: run 'migctl rollout %s' first and read it", what)
}

func newWaveApplyCmd(e *env) *cobra.Command {
	var wave, token string
	cmd := &cobra.Command{
		Use:   "apply --wave W [--token T]",
		Short: "Apply the wave's latest preview: each user re-read, written with If-Match and journalled",
		Long: `Applies the latest preview of the wave (or the one whose --token is given). Each user is read
back first and moved only if the change is still allowed; the workspace journal records each write
before it is sent and after the answer, so Ctrl-C or a crash is continued by 'wave resume'
without changing anyone twice. Progress goes to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "wave"); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				run, err := latestPreview(e, r, rollout.OpWave, wave)
				if err != nil {
					return err
				}
				if token == "" {
					token = run.Token
				}
				return e.runApply(func(p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
					return r.Apply(e.ctx, run.ID, token, p)
				})
			})
		},
	}
	cmd.Flags().StringVar(&wave, "wave", "", "wave name or id")
	cmd.Flags().StringVar(&token, "token", "", "the preview token to apply (default: the latest preview's)")
	return cmd
}

func newWaveResumeCmd(e *env) *cobra.Command {
	var run string
	cmd := &cobra.Command{
		Use:   "resume [--run ID]",
		Short: "Continue the interrupted run (a wave, enforcement, rollback or SCIM change) where it stopped",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				return e.runApply(func(p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
					return r.Resume(e.ctx, run, p)
				})
			})
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "the run to resume (default: the latest interrupted one)")
	return cmd
}

func newWaveListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "The wave board: every wave with its users' live auth modes, and the tenant's counts",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				b, err := r.Board(e.ctx)
				if err != nil {
					return err
				}
				return e.print(b, func(out io.Writer) error { return printBoard(out, b) })
			})
		},
	}
}

var modes = []api.AuthMode{api.LOCALONLY, api.SSOPREFERRED, api.SSOREQUIRED}

func printBoard(out io.Writer, b rollout.Board) error {
	fmt.Fprintf(out, "Tenant: %d users — LOCAL_ONLY %d, SSO_PREFERRED %d, SSO_REQUIRED %d; %d SSO-linked.\n\n",
		b.Users, b.AuthMode[api.LOCALONLY], b.AuthMode[api.SSOPREFERRED], b.AuthMode[api.SSOREQUIRED], b.Linked)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WAVE\tKIND\tSTATUS\tUSERS\tLOCAL_ONLY\tSSO_PREFERRED\tSSO_REQUIRED\tLINKED\tENFORCEMENT")
	for _, c := range b.Waves {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", c.Wave.Name, c.Wave.Kind, c.Wave.Status, c.Wave.MemberCount,
			c.AuthMode[api.LOCALONLY], c.AuthMode[api.SSOPREFERRED], c.AuthMode[api.SSOREQUIRED], c.Linked, orDefault(string(c.Enforcement), "—"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range b.Interrupted {
		fmt.Fprintf(out, "\nInterrupted: %s run %s (%s, %d applied so far); continue it with: migctl rollout wave resume --run %s\n", r.Op, r.ID, r.Status, r.Counts.Applied, r.ID)
	}
	return nil
}

func newWaveMonitorCmd(e *env) *cobra.Command {
	var wave string
	cmd := &cobra.Command{
		Use:   "monitor --wave W",
		Short: "Monitor a wave since it started: linked users, binding, login and provisioning failures, JIT-created users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "wave"); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				m, err := r.Monitor(e.ctx, wave)
				if err != nil {
					return err
				}
				return e.print(m, func(out io.Writer) error { return printMonitor(out, m) })
			})
		},
	}
	cmd.Flags().StringVar(&wave, "wave", "", "wave name or id")
	return cmd
}

func printMonitor(out io.Writer, m rollout.WaveMonitor) error {
	fmt.Fprintf(out, "Wave %q since %s:\n", m.Wave.Name, formatTime(m.Since))
	if m.Note != "" {
		fmt.Fprintln(out, m.Note)
	}
	c := m.Counts
	fmt.Fprintf(out, "  linked %d of %d (%d since the wave started), binding failures %d, login failures %d\n",
		c.Linked, m.Wave.MemberCount, c.NewlyLinked, c.BindingFailures, c.LoginFailures)
	fmt.Fprintf(out, "  tenant-wide since then: provisioning errors %d, JIT-created users %d\n", c.ProvisioningErrors, c.JITCreated)
	for _, u := range m.JITUsers {
		fmt.Fprintf(out, "    JIT: %s (%s)\n", u.Label, u.Why)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nUSER\tAUTH MODE\tLINKED\tLAST SSO LOGIN\tFAILURES\tLAST EVENT")
	for _, r := range m.Members {
		ev := r.LastEvent
		if r.LastReason != "" {
			ev += " (" + r.LastReason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%d\t%s\n", r.Label, r.AuthMode, r.Linked, formatTime(r.LastLoginAt), r.Failures, ev)
	}
	return tw.Flush()
}

// previewOrApply is the shared --preview | --apply pair.
type previewOrApply struct{ preview, apply bool }

func (p *previewOrApply) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&p.preview, "preview", false, "preview against the live Portal")
	cmd.Flags().BoolVar(&p.apply, "apply", false, "apply the latest preview")
}

func (p previewOrApply) check() error {
	if p.preview == p.apply {
		return usageErrorf("give exactly one of --preview and --apply")
	}
	return nil
}

func newRolloutEnforceCmd(e *env) *cobra.Command {
	var wave, token string
	var guaranteed bool
	var mode previewOrApply
	cmd := &cobra.Command{
		Use:   "enforce --wave W --preview|--apply [--guaranteed-routing]",
		Short: "Enforce SSO_REQUIRED on a wave's SSO-linked users; the pre-flight refuses the others by name",
		Long: "WARNING: " + rollout.EnforcementWarning + `

The pre-flight refuses, by name and reason, every user who is not SSO-linked (an issuer and
subject recorded and a successful SSO login). --guaranteed-routing also admits users whose email
the Portal routes deterministically to the rollout's enabled SSO configuration; the audit trail
records who asserted it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "wave"); err != nil {
				return err
			}
			if err := mode.check(); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				if mode.preview {
					p, err := r.PreviewEnforce(e.ctx, wave, guaranteed)
					if err != nil {
						return err
					}
					return e.print(p, func(out io.Writer) error {
						return printPreview(out, p, "migctl rollout enforce --apply --wave "+quote(wave))
					})
				}
				run, err := latestPreview(e, r, rollout.OpEnforce, wave)
				if err != nil {
					return err
				}
				if token == "" {
					token = run.Token
				}
				return e.runApply(func(p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
					return r.Apply(e.ctx, run.ID, token, p)
				})
			})
		},
	}
	cmd.Flags().StringVar(&wave, "wave", "", "wave name or id")
	cmd.Flags().BoolVar(&guaranteed, "guaranteed-routing", false, "also enforce users not yet linked whose routing is deterministic to the rollout's enabled configuration")
	cmd.Flags().StringVar(&token, "token", "", "the preview token to apply (default: the latest preview's)")
	mode.register(cmd)
	return cmd
}

func newRolloutRollbackCmd(e *env) *cobra.Command {
	var token string
	var mode previewOrApply
	cmd := &cobra.Command{
		Use:   "rollback --preview|--apply",
		Short: "Roll back: users to LOCAL_ONLY, the SSO configuration disabled, SCIM deprovisioning off (no user or link removed)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := mode.check(); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				if mode.preview {
					p, err := r.PreviewRollback(e.ctx)
					if err != nil {
						return err
					}
					return e.print(p, func(out io.Writer) error { return printPreview(out, p, "migctl rollout rollback --apply") })
				}
				run, err := latestPreview(e, r, rollout.OpRollback, "")
				if err != nil {
					return err
				}
				if token == "" {
					token = run.Token
				}
				return e.runApply(func(p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
					return r.Apply(e.ctx, run.ID, token, p)
				})
			})
		},
	}
	cmd.Flags().StringVar(&token, "token", "", "the preview token to apply (default: the latest preview's)")
	mode.register(cmd)
	return cmd
}

func newRolloutScimCmd(e *env) *cobra.Command {
	var enable, disable bool
	var token string
	var mode previewOrApply
	cmd := &cobra.Command{
		Use:   "scim --enable|--disable --preview|--apply",
		Short: "Turn the SSO configuration's SCIM deprovisioning on (only once the rollout is stable) or off",
		Long: `The preview shows the pre-flight: whether the rollout is stable (no wave in progress, the
share of enabled users that are SSO-linked above the threshold), which users a deprovisioning
would disable (SSO-linked) and for which it would be a no-op (never linked), and any reserved
group (Everyone, Admin Center Administrators) an incumbent app is assigned to.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if enable == disable {
				return usageErrorf("give exactly one of --enable and --disable")
			}
			if err := mode.check(); err != nil {
				return err
			}
			return e.withRollout(func(_ *wiring.Workspace, r *rollout.Service) error {
				if mode.preview {
					p, err := r.PreviewScim(e.ctx, enable)
					if err != nil {
						return err
					}
					flag := map[bool]string{true: "--enable", false: "--disable"}[enable]
					return e.print(p, func(out io.Writer) error { return printPreview(out, p, "migctl rollout scim --apply "+flag) })
				}
				run, err := latestPreview(e, r, rollout.OpScim, "")
				if err != nil {
					return err
				}
				if run.Options.ScimEnable != enable {
					return fmt.Errorf("%w: the latest SCIM preview is for %s; preview %s first", rollout.ErrStale,
						map[bool]string{true: "--enable", false: "--disable"}[run.Options.ScimEnable], map[bool]string{true: "--enable", false: "--disable"}[enable])
				}
				if token == "" {
					token = run.Token
				}
				return e.runApply(func(p func(rollout.Progress)) (rollout.Run, []rollout.Step, error) {
					return r.Apply(e.ctx, run.ID, token, p)
				})
			})
		},
	}
	cmd.Flags().BoolVar(&enable, "enable", false, "turn SCIM deprovisioning on")
	cmd.Flags().BoolVar(&disable, "disable", false, "turn SCIM deprovisioning off")
	cmd.Flags().StringVar(&token, "token", "", "the preview token to apply (default: the latest preview's)")
	mode.register(cmd)
	return cmd
}

func printScim(out io.Writer, pf rollout.ScimPreflight) {
	state := "stable"
	if !pf.Stable {
		state = "NOT stable: " + strings.Join(pf.Unstable, " ")
	}
	fmt.Fprintf(out, "\nPre-flight: the rollout is %s\n", state)
	fmt.Fprintf(out, "  %d of %d enabled users are SSO-linked (%.0f%%; threshold %.0f%%).\n", pf.LinkedEnabled, pf.EnabledUsers, 100*pf.LinkedShare, 100*pf.Threshold)
	fmt.Fprintf(out, "  A deprovisioning would disable %d SSO-linked users and be a no-op for %d never linked.\n", len(pf.WouldDisable), len(pf.NoOp))
	for _, g := range pf.ReservedGroups {
		fmt.Fprintf(out, "  RESERVED GROUP: %q is assigned to incumbent app %q (%s): do not push it to the Portal.\n", g.Group, g.App, g.Source)
	}
}

// printGroupWave says where a wave chosen by incumbent group came from,
// who matched and who did not.
func printGroupWave(out io.Writer, w rollout.Wave) {
	fmt.Fprintf(out, "Read from inventory snapshot %s; each person matched to the Portal account with the same email.\n", w.SnapshotID)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for i, m := range w.Members {
		if i == 20 {
			fmt.Fprintf(tw, "  ... and %d more (use --json for all)\n", len(w.Members)-20)
			break
		}
		fmt.Fprintf(tw, "  %s\t<- %s\n", m.Label, m.MatchedFrom)
	}
	tw.Flush()
	for _, n := range w.Notes {
		fmt.Fprintf(out, "Note: %s.\n", n)
	}
	if len(w.Unmatched) > 0 {
		fmt.Fprintf(out, "Not in the wave (%d): %s.\n", len(w.Unmatched), rollout.UnmatchedSummary(w.Unmatched))
		printUnmatched(out, w.Unmatched)
	}
}

func printUnmatched(out io.Writer, us []rollout.Unmatched) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for i, u := range us {
		if i == 50 {
			fmt.Fprintf(tw, "  ... and %d more (use --json for all)\n", len(us)-50)
			break
		}
		via := ""
		if u.Via != "" {
			via = " (in " + u.Via + ")"
		}
		fmt.Fprintf(tw, "  %s%s\t%s\t%s\n", u.Label, via, u.Reason, u.Detail)
	}
	tw.Flush()
}
