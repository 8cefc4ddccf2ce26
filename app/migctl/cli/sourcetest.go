package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/workspace"
)

// sourceTestReport is the --json document of source test.
type sourceTestReport struct {
	Source      string               `json:"source"`
	Kind        workspace.SourceKind `json:"kind"`
	Endpoint    string               `json:"endpoint"`
	AllReadable bool                 `json:"all_readable"`
	Domains     []wiring.DomainCheck `json:"domains"`
}

func newSourceTestCmd(e *env) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "test --name N",
		Short: "Check which inventory domains the source's credential can read (writes nothing)",
		Long: `Asks the incumbent for the first element of each inventory domain with the credential the
keychain holds for the source, and reports each domain as readable or denied with the API's
own error. Nothing is written to the workspace file and no evidence is recorded.

Exits 1 when any domain is not readable, after printing the report.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "name"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			src, err := w.Service.Source(e.ctx, name)
			if err != nil {
				return err
			}
			checks, err := w.SourceTest(e.ctx, name)
			if err != nil {
				return err
			}
			report := sourceTestReport{Source: src.Name, Kind: src.Kind, Endpoint: sourceEndpoint(src), AllReadable: true, Domains: checks}
			var denied []string
			for _, c := range checks {
				if !c.Readable {
					report.AllReadable = false
					denied = append(denied, c.Domain)
				}
			}
			if err := e.print(report, func(out io.Writer) error { return printSourceTest(out, report) }); err != nil {
				return err
			}
			if len(denied) > 0 {
				return fmt.Errorf("the credential of source %q cannot read %d of %d inventory domains: %s",
					name, len(denied), len(checks), strings.Join(denied, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the source to test")
	return cmd
}

func printSourceTest(out io.Writer, r sourceTestReport) error {
	fmt.Fprintf(out, "Source %q (%s, %s):\n\n", r.Source, r.Kind, r.Endpoint)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tREADABLE\tANSWER")
	for _, c := range r.Domains {
		readable := "yes"
		if !c.Readable {
			readable = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Domain, readable, checkAnswer(c))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.AllReadable {
		_, err := fmt.Fprintln(out, "\nEvery inventory domain is readable. Next: 'migctl inventory collect --source "+r.Source+"'.")
		return err
	}
	return nil
}

// checkAnswer is what the API said: "ok", or its refusal as "403
// E0000006: You do not have permission ...".
func checkAnswer(c wiring.DomainCheck) string {
	if c.Readable {
		if c.Message != "" {
			return "ok (" + c.Message + ")"
		}
		return "ok"
	}
	var parts []string
	if c.Status != 0 {
		parts = append(parts, fmt.Sprint(c.Status))
	}
	if c.Code != "" {
		parts = append(parts, c.Code)
	}
	head := strings.Join(parts, " ")
	switch {
	case head != "" && c.Message != "":
		return head + ": " + c.Message
	case head != "":
		return head
	case c.Message != "":
		return c.Message
	}
	return "denied, with no reason given"
}
