package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/secret"
)

// env is what every command shares: the process's streams and environment
// and the global flags.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	workspacePath string
	json          bool
	logLevel      string

	log *slog.Logger
}

// setup builds the logger from --log-level or PMC_LOG_LEVEL.
func (e *env) setup() error {
	level := slog.LevelWarn
	name := e.logLevel
	if name == "" {
		name = e.getenv("PMC_LOG_LEVEL")
	}
	if name != "" {
		l, err := parseLevel(name)
		if err != nil {
			return err
		}
		level = l
	}
	e.log = wiring.Logger(e.stderr, level)
	return nil
}

// path is the workspace file: --workspace, else PMC_WORKSPACE.
func (e *env) path() (string, error) {
	p := e.workspacePath
	if p == "" {
		p = e.getenv("PMC_WORKSPACE")
	}
	if strings.TrimSpace(p) == "" {
		return "", usageErrorf("no workspace file given: pass --workspace PATH or set PMC_WORKSPACE")
	}
	return p, nil
}

// open opens the existing workspace file.
func (e *env) open() (*wiring.Workspace, error) {
	p, err := e.path()
	if err != nil {
		return nil, err
	}
	e.log.Debug("open workspace", "path", p)
	return wiring.Open(e.ctx, p, wiring.WithGetenv(e.getenv))
}

// secretFlags are a pair of flags naming where one secret comes from.
type secretFlags struct {
	what      string // what the secret is, for messages: "the source credential"
	stdinFlag string
	envFlag   string
	fromStdin bool
	envName   string
}

func (s *secretFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&s.fromStdin, s.stdinFlag, false, "read "+s.what+" from stdin")
	cmd.Flags().StringVar(&s.envName, s.envFlag, "", "read "+s.what+" from the environment variable with this NAME (the name, not the value)")
}

func (s *secretFlags) given() bool { return s.fromStdin || s.envName != "" }

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// readSecret reads the secret from stdin (all of it; secret.New trims the
// trailing newline) or from the named environment variable. Exactly one of
// the two flags must be set and the secret must not be empty.
func (e *env) readSecret(s *secretFlags) (secret.Value, error) {
	switch {
	case s.fromStdin && s.envName != "":
		return secret.Value{}, usageErrorf("pass %s with either --%s or --%s, not both", s.what, s.stdinFlag, s.envFlag)
	case !s.given():
		return secret.Value{}, usageErrorf("%s is required: pipe it in with --%s or name an environment variable with --%s", s.what, s.stdinFlag, s.envFlag)
	}
	var v secret.Value
	if s.fromStdin {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return secret.Value{}, fmt.Errorf("read %s from stdin: %w", s.what, err)
		}
		v = secret.New(string(b))
		if v.IsEmpty() {
			return secret.Value{}, usageErrorf("%s read from stdin is empty", s.what)
		}
		e.log.Debug("read secret", "what", s.what, "from", "stdin", "credential", v)
		return v, nil
	}
	// The name is never printed back: whoever pasted the secret itself
	// here must not see it in the terminal, and a secret can look like a
	// variable name.
	if !envNamePattern.MatchString(s.envName) {
		return secret.Value{}, usageErrorf("--%s takes the name of an environment variable (letters, digits and '_'), not the secret itself", s.envFlag)
	}
	v = secret.New(e.getenv(s.envName))
	if v.IsEmpty() {
		return secret.Value{}, usageErrorf("the environment variable named by --%s is unset or empty (its name is %s); --%s takes the name of an environment variable that holds %s, not the secret itself",
			s.envFlag, strings.TrimSuffix(strings.TrimPrefix(notShown, "("), ")"), s.envFlag, s.what)
	}
	e.log.Debug("read secret", "what", s.what, "from", "environment", "variable", s.envName, "credential", v)
	return v, nil
}

// required reports the first of the named string flags left empty.
func required(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if f := cmd.Flags().Lookup(n); f != nil && strings.TrimSpace(f.Value.String()) == "" {
			return usageErrorf("missing required flag --%s", n)
		}
	}
	return nil
}

// oneOf checks an enumerated flag value; an empty value is left to the
// caller's default.
func oneOf(flag, value string, allowed ...string) error {
	if value == "" {
		return nil
	}
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usageErrorf("--%s %s must be one of %s", flag, shown(value), strings.Join(allowed, ", "))
}
