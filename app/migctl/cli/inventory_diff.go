package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/snapdiff"
)

func newInventoryDiffCmd(e *env) *cobra.Command {
	var from, to string
	var limit int
	cmd := &cobra.Command{
		Use:   "diff --from S1 --to S2",
		Short: "Compare two completed snapshots of a source: items added, removed and changed, with the changed fields",
		Long: `Matches items by kind and source id and compares their typed views field by field. A secret
field shows as changed without its value.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "from", "to"); err != nil {
				return err
			}
			if limit < 1 {
				return usageErrorf("--limit must be at least 1")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			d, err := w.InventoryDiff(e.ctx, from, to, limit)
			if err != nil {
				return err
			}
			return e.print(d, func(out io.Writer) error { return printSnapshotDiff(out, d) })
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the earlier snapshot")
	cmd.Flags().StringVar(&to, "to", "", "the later snapshot")
	cmd.Flags().IntVar(&limit, "limit", 1000, "list at most N items per bucket (counts are always complete)")
	return cmd
}

func printSnapshotDiff(out io.Writer, d snapdiff.Diff) error {
	fmt.Fprintf(out, "Snapshot %s (%d items) to %s (%d items) of source %q\n", d.From.ID, d.From.ItemCount, d.To.ID, d.To.ItemCount, d.To.SourceName)
	for _, b := range d.Buckets {
		fmt.Fprintf(out, "\n%s: %d\n", b.Name, b.Count)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, en := range b.Entries {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", en.Kind, clip(oneLine(en.DisplayName), 50), en.SourceID)
			for _, f := range en.Fields {
				fmt.Fprintf(tw, "  \t  %s\t%s -> %s\n", f.Path, clip(oneLine(orEmpty(f.From)), 50), clip(oneLine(orEmpty(f.To)), 50))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if b.Truncated {
			fmt.Fprintf(out, "  ... and %d more (raise --limit)\n", b.Count-len(b.Entries))
		}
	}
	_, err := fmt.Fprintf(out, "\nunchanged: %d\n", d.Unchanged)
	return err
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}
