// Package cli is migctl, the headless command line over the same engine as
// the GUI (docs/architecture.md, "The command line").
//
// Adding a noun: put it in its own file as
//
//	func newXxxCmd(e *env) *cobra.Command
//
// and add it to the AddCommand list in newRootCmd below; nothing else is
// needed. A new verb of an existing noun (workspace connect, source test)
// goes in its own file too, as newWorkspaceConnectCmd(e *env) and so on,
// added to that noun's AddCommand list. Inside a command:
//
//   - Use RunE, never Run, and do not define PersistentPreRun hooks (the
//     root sets up logging before every RunE).
//   - Open the workspace with e.open() (it honours --workspace and
//     PMC_WORKSPACE); defer its Close.
//   - Print the result through the command's view (see Output below).
//   - Read secrets only from stdin or a named environment variable: declare
//     a secretFlags pair, register it on the command and call
//     e.readSecret; never take a secret as a flag value.
//   - Long-running commands (sandbox serve) stop when e.ctx is cancelled:
//     main cancels it on Ctrl-C and SIGTERM.
//   - Return usageErrorf(...) for bad usage (exit 2) and wrapped errors for
//     failures (exit 1); engine errors are mapped in exitCode. Cobra's own
//     errors (unknown flag or command, bad arguments) are usage errors.
//   - Give a noun with subcommands RunE: needSubcommand, so that a missing
//     or unknown subcommand is bad usage rather than a silent help page.
//
// Output. Each command prints through its view (view.go), the one place
// its output chooses between people and scripts, as terraform's
// internal/command/views does: a small type in its noun's view_<noun>.go
// whose JSON encoding is the --json document and whose human method
// writes the readable form, printed with e.show:
//
//	// view_widget.go
//	type widgetShown struct {
//		ID   string `json:"id"`
//		Size int    `json:"size"`
//	}
//
//	func (v widgetShown) human(w io.Writer) error {
//		_, err := fmt.Fprintf(w, "Widget %s, size %d.\n", v.ID, v.Size)
//		return err
//	}
//
//	// in the command's RunE
//	return e.show(widgetShown{ID: id, Size: n})
//
// e.print(doc, human) does the same for a document and a function given
// apart. Either way --json writes one JSON object with "format_version"
// (formatVersion, now "1.0") as its first key, which scripts check before
// they read the rest: adding a field is a minor version, renaming or
// removing one a major one.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Exit codes, as docs/architecture.md ("The command line") fixes them.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Run executes migctl with args (without the program name) and returns the
// process exit code. Everything it touches comes in through its parameters,
// so tests run it in-process.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	// The engine's "invalid input: " prefix says what exit code 2 already
	// says; the consultant needs only what is wrong.
	msg := sentence(strings.Replace(err.Error(), workspace.ErrInvalid.Error()+": ", "", 1)) + howTo(err)
	if code == exitUsage {
		msg += fmt.Sprintf(" Run '%s --help' for usage.", cmd.CommandPath())
	}
	fmt.Fprintf(stderr, "migctl: %s\n", msg)
	return code
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "migctl",
		Short: "Portal Migration Console, headless",
		Long: `migctl moves a customer's identity estate off Okta or Microsoft Entra ID onto the Portal,
working on one workspace file per customer tenant. Secrets are read only from stdin
(--secret-stdin) or from an environment variable named by --secret-env, and are kept in the
OS keychain, never in the workspace file.

Exit codes: 0 success, 1 failure, 2 bad usage.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          needSubcommand,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&e.workspacePath, "workspace", "", "workspace file (default: $PMC_WORKSPACE)")
	pf.BoolVar(&e.json, "json", false, "print one JSON document on stdout")
	pf.StringVar(&e.logLevel, "log-level", "", "log to stderr at debug, info, warn or error (default: $PMC_LOG_LEVEL, else warn)")
	root.SetFlagErrorFunc(flagError)

	root.AddCommand(
		newWorkspaceCmd(e),
		newSourceCmd(e),
		newAuditCmd(e),
		newInventoryCmd(e),
		newSandboxCmd(e),
		newTargetCmd(e),
		newAssessmentCmd(e),
		newMergeCmd(e),
		newOCMCmd(e),
		newReportCmd(e),
		newEvidenceCmd(e),
		newRolloutCmd(e),
	)
	wrapRunE(root, e)
	guardArgs(root)
	return root
}

// wrapRunE marks errors returned by a command's own RunE as runtime errors
// (so everything cobra rejects before that is bad usage) and sets up the
// logger first.
func wrapRunE(cmd *cobra.Command, e *env) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if err := e.setup(); err != nil {
				return err
			}
			e.log.Debug("run command", "command", c.CommandPath(), "workspace", e.workspacePath, "json", e.json)
			if err := run(c, args); err != nil {
				return runError{err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		wrapRunE(sub, e)
	}
}

// flagError makes a flag parsing error bad usage, without what was typed
// unless it has the shape of a flag name (echo.go): it may be a secret
// typed where it does not belong, as in --secret-stdin=TOKEN.
func flagError(cmd *cobra.Command, err error) error {
	return usageError{explainFlagError(cmd, err)}
}

// needSubcommand is the RunE of a noun: running it bare, or with a verb it
// does not have, is bad usage.
func needSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	return usageErrorf("%q needs a command: %s", cmd.CommandPath(), strings.Join(commandNames(cmd), ", "))
}

// usageError is bad usage: exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usageErrorf(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// runError is an error from a command's own RunE, as opposed to one cobra
// raised while parsing the command line.
type runError struct{ err error }

func (r runError) Error() string { return r.err.Error() }
func (r runError) Unwrap() error { return r.err }

func exitCode(err error) int {
	switch {
	case errors.As(err, new(usageError)), errors.Is(err, workspace.ErrInvalid):
		return exitUsage
	case errors.As(err, new(runError)):
		return exitFailure
	default: // cobra: unknown command or flag, bad arguments, missing required flag
		return exitUsage
	}
}

// howTo adds how to supply what an engine error says is missing: the
// engine names what is wrong, each front end says how to fix it in its
// own terms.
func howTo(err error) string {
	switch {
	case errors.Is(err, workspace.ErrNoCredential):
		return " Pass it with --secret-stdin or --secret-env NAME."
	case errors.Is(err, endpoint.ErrCredentialsInURL):
		return " Pass secrets through stdin or an environment variable (see --help)."
	case errors.Is(err, inventory.ErrOverBudget):
		return " To give it longer, collect again with a larger --max-duration."
	case errors.Is(err, inventory.ErrWaitTooLong):
		return " To wait that long, collect again with a larger --max-wait."
	}
	return ""
}

// sentence ends an error message with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// parseLevel reads a --log-level value.
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usageErrorf("log level %s must be debug, info, warn or error", shown(s))
	}
	return l, nil
}
