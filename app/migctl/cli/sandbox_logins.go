package cli

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
	"github.com/portal-id/migration-console/storage/sandboxdb"
)

// registerLoginFlags adds the login-simulation switch: everyFlag names the
// interval flag (sandbox serve's is off by default; simulate-logins runs
// one round and has none).
func registerLoginFlags(cmd *cobra.Command, l *sandbox.LoginSimulation, everyFlag string) {
	fl := cmd.Flags()
	if everyFlag != "" {
		fl.DurationVar(&l.Every, everyFlag, 0, "simulate SSO logins every interval, e.g. 5s (sandbox only; off when 0)")
	}
	fl.Float64Var(&l.FailureRate, "login-failure-rate", 0.15, "share (0-1) of simulated login attempts that fail")
	fl.Float64Var(&l.JITRate, "jit-rate", 0.2, "chance (0-1) per round that someone the Portal does not know logs in (JIT)")
}

func newSandboxSimulateLoginsCmd(e *env) *cobra.Command {
	var db, tenant string
	var seed uint64
	l := sandbox.LoginSimulation{Every: time.Nanosecond}
	cmd := &cobra.Command{
		Use:   "simulate-logins --db PATH [--tenant T] [--login-failure-rate R] [--jit-rate R]",
		Short: "Play one round of SSO logins on a sandbox file (sandbox only): link users who succeed, log every attempt",
		Long: `Users whose auth_mode is SSO_PREFERRED or SSO_REQUIRED and whose email routes to an enabled SSO
configuration try to log in: those who succeed are linked (issuer and subject) and get a last
SSO login; some fail at the provider or at binding; accounts sharing an email up to case always
fail binding; now and then someone unknown logs in and is created from the user template (JIT).
Everything is written to the SSO event log. A running 'sandbox serve' on the same file sees it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "db"); err != nil {
				return err
			}
			for _, r := range []struct {
				flag string
				v    float64
			}{{"login-failure-rate", l.FailureRate}, {"jit-rate", l.JITRate}} {
				if r.v < 0 || r.v > 1 {
					return usageErrorf("--%s must be between 0 and 1, got %g", r.flag, r.v)
				}
			}
			if _, err := os.Stat(db); err != nil {
				return fmt.Errorf("sandbox file %s: %w", db, err)
			}
			store, err := sandboxdb.Open(e.ctx, db)
			if err != nil {
				return err
			}
			defer store.Close()
			if seed == 0 {
				seed = rand.Uint64()
			}
			round, err := sandbox.SimulateLogins(e.ctx, store, tenant, l, time.Now(), rand.New(rand.NewPCG(seed, seed)))
			if err != nil {
				return fmt.Errorf("simulate logins: %w", err)
			}
			return e.print(round, func(out io.Writer) error {
				fmt.Fprintf(out, "%d login attempts: %d users linked, %d failed, %d created by JIT.\n", round.Attempts, round.Linked, round.Failed, round.JIT)
				for _, ev := range round.Events {
					who := ""
					if ev.Email != nil {
						who = *ev.Email
					}
					reason := ""
					if ev.Reason != nil {
						reason = " (" + *ev.Reason + ")"
					}
					fmt.Fprintf(out, "  %s %s%s\n", ev.Type, who, reason)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "the sandbox SQLite file")
	cmd.Flags().StringVar(&tenant, "tenant", sandbox.DemoTenant, "tenant whose users log in")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "fix the random draws (0 picks one)")
	registerLoginFlags(cmd, &l, "")
	return cmd
}
