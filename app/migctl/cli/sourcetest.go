package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newSourceTestCmd(e *env) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "test --name N",
		Short: "Check which inventory domains the source's credential can read (writes nothing)",
		Long: `Checks that the source's endpoints answer at all, then asks the incumbent for the first
element of each inventory domain with the credential the keychain holds for the source, and
reports each domain as readable or denied with the API's own error. A dead URL or an
untrusted certificate fails at once, before the credential is sent. Nothing is written to
the workspace file and no evidence is recorded.

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
			test, err := w.Inventory.TestSource(e.ctx, name)
			if err != nil {
				return err
			}
			report := sourceTestReport{Source: test.Source.Name, Kind: test.Source.Kind,
				Endpoint: w.Vendors.Describe(test.Source).Endpoint, AllReadable: test.Readable(), Domains: test.Checks}
			if err := e.show(report); err != nil {
				return err
			}
			var denied []string
			for _, c := range test.Checks {
				if !c.Readable {
					denied = append(denied, c.Domain)
				}
			}
			if len(denied) > 0 {
				return fmt.Errorf("the credential of source %q cannot read %d of %d inventory domains: %s",
					name, len(denied), len(test.Checks), strings.Join(denied, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the source to test")
	return cmd
}
