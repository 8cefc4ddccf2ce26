package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// What the operator typed is printed back in an error only when it has the
// shape of what belongs there (a command word, a flag name, a choice): a
// token, a client secret or a key pasted in the wrong place never has that
// shape, and must not reach a terminal, a screen share or a CI log. The
// message says what was expected instead.

// notShown stands in for input that is not printed back.
const notShown = "(not shown: it may be a secret)"

// wordShape is a command word, a flag name or a choice: lowercase words
// joined by '-' or '_'.
var wordShape = regexp.MustCompile(`^[a-z]{1,24}([-_][a-z0-9]{1,24}){0,4}$`)

// shown quotes s when it has the shape of a word, and otherwise says it is
// not shown.
func shown(s string) string {
	if wordShape.MatchString(s) {
		return fmt.Sprintf("%q", s)
	}
	return notShown
}

// unknownCommand is bad usage for a verb cmd does not have: the word
// typed (when it is shaped like one), the closest commands, and the list.
func unknownCommand(cmd *cobra.Command, typed string) error {
	msg := fmt.Sprintf("unknown command %s for %q", shown(typed), cmd.CommandPath())
	if near := cmd.SuggestionsFor(typed); len(near) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
	}
	return usageErrorf("%s; its commands are: %s", msg, strings.Join(commandNames(cmd), ", "))
}

func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// guardArgs keeps every positional argument out of argument errors, below
// cmd: a noun's stray word goes to needSubcommand, and a leaf's validator
// error that would quote an argument (cobra.NoArgs's "unknown command")
// says what the command takes instead.
func guardArgs(cmd *cobra.Command) {
	if cmd.HasSubCommands() {
		// Without Args cobra would refuse an unknown verb itself, quoting it.
		cmd.Args = cobra.ArbitraryArgs
	} else if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			err := check(c, args)
			if err == nil || errors.As(err, new(usageError)) {
				return err // our own validators never quote an argument
			}
			for _, a := range args {
				if strings.Contains(err.Error(), a) {
					if check(c, nil) == nil {
						return usageErrorf("unexpected argument %s: %q takes no arguments, only flags", notShown, c.CommandPath())
					}
					return usageErrorf("unexpected argument %s: %q takes %s", notShown, c.CommandPath(), c.Use)
				}
			}
			return err
		}
	}
	for _, sub := range cmd.Commands() {
		guardArgs(sub)
	}
}

// explainFlagError rewrites pflag's parse errors, several of which quote
// what was typed, into messages that say what was expected.
func explainFlagError(cmd *cobra.Command, err error) error {
	var (
		unknown  *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		missing  *pflag.ValueRequiredError
		syntaxEr *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		if f.Value.Type() == "bool" {
			return fmt.Errorf("--%s takes no value", f.Name)
		}
		return fmt.Errorf("the value given to --%s %s is not valid: it takes %s", f.Name, notShown, expectedValue(f))
	case errors.As(err, &unknown):
		if short := unknown.GetSpecifiedShortnames(); short != "" {
			return fmt.Errorf("unknown short flag %s: migctl's flags are long, as in --workspace", notShown)
		}
		name := unknown.GetSpecifiedName()
		msg := "unknown flag " + notShown
		if wordShape.MatchString(name) {
			msg = "unknown flag: --" + name
		}
		if near := nearestFlag(cmd, name); near != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", near)
		}
		return errors.New(msg)
	case errors.As(err, &missing):
		if missing.GetSpecifiedShortnames() != "" {
			return fmt.Errorf("-%s needs a value", missing.GetFlag().Shorthand)
		}
		return fmt.Errorf("--%s needs a value: it takes %s", missing.GetFlag().Name, expectedValue(missing.GetFlag()))
	case errors.As(err, &syntaxEr):
		return fmt.Errorf("a flag is malformed %s: flags are written --name or --name=value", notShown)
	}
	return err
}

// expectedValue says what a flag takes, from its type.
func expectedValue(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "duration":
		return "a duration such as 90m or 12h"
	case "int", "int64", "uint", "uint64":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	}
	return "a value (see --help)"
}

// nearestFlag is the name of cmd's flag closest to typed, when one is
// within two edits: a typo's correction, printed from our own names.
func nearestFlag(cmd *cobra.Command, typed string) string {
	best, bestDist := "", 3
	visit := func(f *pflag.Flag) {
		if d := editDistance(typed, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
