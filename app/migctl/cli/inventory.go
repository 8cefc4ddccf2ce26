package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/inventory"
)

func newInventoryCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Collect, list, show and export read-only inventory snapshots of a source",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newInventoryCollectCmd(e), newInventoryListCmd(e), newInventoryShowCmd(e), newInventoryExportCmd(e),
		newInventoryDiffCmd(e))
	return cmd
}

// allKinds returns s with a count for every item kind, zeros included, so a
// script can read any kind without checking it is there.
func allKinds(s inventory.Snapshot) inventory.Snapshot {
	counts := make(map[inventory.Kind]int, len(inventory.Kinds))
	for _, k := range inventory.Kinds {
		counts[k] = s.Counts[k]
	}
	s.Counts = counts
	return s
}

func newInventoryCollectCmd(e *env) *cobra.Command {
	var source string
	cmd := &cobra.Command{
		Use:   "collect --source N",
		Short: "Take a read-only inventory snapshot of a source, with the raw evidence of every page",
		Long: `Reads every inventory domain of the source through the vendor's SDK, at the pace its rate
limits allow, and stores the items and the raw evidence of every fetched page in the workspace
file. Progress goes to stderr. Ctrl-C stops the collection and leaves a failed snapshot with
what was fetched so far.

Prints the snapshot (completed or failed); exits 1 when it failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "source"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			bar := startProgress(e.stderr, source)
			snap, collectErr := w.Inventory.Collect(e.ctx, source, bar.update)
			bar.finish()
			if snap.ID == "" {
				return collectErr // refused before a snapshot existed: nothing to print
			}
			e.log.Debug("collection finished", "snapshot", snap.ID, "status", snap.Status, "items", snap.ItemCount, "pages", snap.PageCount)
			snap = allKinds(snap)
			if err := e.print(snap, func(out io.Writer) error { return printSnapshot(out, snap) }); err != nil {
				return errors.Join(collectErr, err)
			}
			return collectErr
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "the source to collect")
	return cmd
}

// printSnapshot writes a snapshot's summary for a person.
func printSnapshot(out io.Writer, s inventory.Snapshot) error {
	fmt.Fprintf(out, "Snapshot %s of %s source %q: %s\n", s.ID, s.SourceKind, s.SourceName, s.Status)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  started\t%s\n", formatTime(&s.StartedAt))
	if s.FinishedAt != nil {
		fmt.Fprintf(tw, "  finished\t%s (took %s)\n", formatTime(s.FinishedAt), s.FinishedAt.Sub(s.StartedAt).Round(time.Millisecond))
	}
	fmt.Fprintf(tw, "  items\t%d\n", s.ItemCount)
	for _, k := range inventory.Kinds {
		fmt.Fprintf(tw, "    %s\t%d\n", k, s.Counts[k])
	}
	fmt.Fprintf(tw, "  evidence\t%s\n", plural(s.PageCount, "page"))
	if s.Error != "" {
		fmt.Fprintf(tw, "  error\t%s\n", s.Error)
	}
	return tw.Flush()
}

// snapshotList is the --json document of inventory list.
type snapshotList struct {
	Snapshots []inventory.Snapshot `json:"snapshots"`
}

func newInventoryListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the workspace's inventory snapshots, newest first",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			snaps, err := w.Inventory.Snapshots(e.ctx)
			if err != nil {
				return err
			}
			doc := snapshotList{Snapshots: make([]inventory.Snapshot, 0, len(snaps))}
			for _, s := range snaps {
				doc.Snapshots = append(doc.Snapshots, allKinds(s))
			}
			return e.print(doc, func(out io.Writer) error {
				if len(snaps) == 0 {
					_, err := fmt.Fprintln(out, "No inventory snapshots yet. Take one with 'migctl inventory collect --source N'.")
					return err
				}
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "SNAPSHOT\tSOURCE\tSTATUS\tSTARTED\tTOOK\tITEMS\tPAGES\tERROR")
				for _, s := range snaps {
					took := "-"
					if s.FinishedAt != nil {
						took = s.FinishedAt.Sub(s.StartedAt).Round(time.Second).String()
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.SourceName, s.Status,
						formatTime(&s.StartedAt), took, s.ItemCount, s.PageCount, clip(s.Error, 60))
				}
				return tw.Flush()
			})
		},
	}
}

// snapshotItems is the --json document of inventory show.
type snapshotItems struct {
	Snapshot inventory.Snapshot     `json:"snapshot"`
	Items    []inventory.StoredItem `json:"items"`
	// Total is how many items match the filters (Items is one window of
	// them); counting stops at TotalCapped.
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped"`
	Offset      int  `json:"offset"`
}

func newInventoryShowCmd(e *env) *cobra.Command {
	var snapshotID, kind, search, sortBy string
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "show [--snapshot ID] [--type T] [--search TEXT] [--sort FIELD] [--limit N] [--offset N]",
		Short: "Show a snapshot and its items (the newest snapshot unless --snapshot names one)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := oneOf("type", kind, kindNames()...); err != nil {
				return err
			}
			if err := oneOf("sort", sortBy, "kind", "display_name", "subtype", "source_id"); err != nil {
				return err
			}
			if limit < 1 || limit > inventory.MaxCount {
				return usageErrorf("--limit must be between 1 and %d", inventory.MaxCount)
			}
			if offset < 0 {
				return usageErrorf("--offset must not be negative")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			snap, err := w.Inventory.Snapshot(e.ctx, snapshotID)
			if err != nil {
				return err
			}
			page, err := w.Inventory.Items(e.ctx, inventory.ItemQuery{
				SnapshotID: snap.ID, Kind: inventory.Kind(kind), Text: search, SortBy: sortBy, Limit: limit, Offset: offset,
			})
			if err != nil {
				return err
			}
			doc := snapshotItems{Snapshot: allKinds(snap), Items: page.Items, Total: page.Total, TotalCapped: page.Capped, Offset: offset}
			if doc.Items == nil {
				doc.Items = []inventory.StoredItem{}
			}
			return e.print(doc, func(out io.Writer) error { return printItems(out, doc) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&snapshotID, "snapshot", "", "the snapshot id (default: the newest)")
	f.StringVar(&kind, "type", "", "only items of this kind: "+strings.Join(kindNames(), ", "))
	f.StringVar(&search, "search", "", "only items whose name, id, subtype or view fields match every word (as prefixes)")
	f.StringVar(&sortBy, "sort", "kind", "order items by kind (then collection order), display_name, subtype or source_id")
	f.IntVar(&limit, "limit", 100, "show at most N items")
	f.IntVar(&offset, "offset", 0, "skip the first N matching items")
	return cmd
}

func kindNames() []string {
	names := make([]string, 0, len(inventory.Kinds))
	for _, k := range inventory.Kinds {
		names = append(names, string(k))
	}
	return names
}

func printItems(out io.Writer, d snapshotItems) error {
	if err := printSnapshot(out, d.Snapshot); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if len(d.Items) == 0 {
		_, err := fmt.Fprintln(out, "No items match.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSUBTYPE\tNAME\tSOURCE ID")
	for _, it := range d.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.Kind, oneLine(it.Subtype), clip(oneLine(it.DisplayName), 60), it.SourceID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	total := fmt.Sprint(d.Total)
	if d.TotalCapped {
		total = "more than " + total
	}
	if shown := len(d.Items); d.Offset > 0 || shown < d.Total || d.TotalCapped {
		_, err := fmt.Fprintf(out, "\nItems %d to %d of %s matching; use --offset, --limit, --type or --search for others.\n",
			d.Offset+1, d.Offset+shown, total)
		return err
	}
	return nil
}

// oneLine keeps a vendor-supplied name from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// exportResult is the --json document of inventory export.
type exportResult struct {
	SnapshotID string `json:"snapshot_id"`
	Path       string `json:"path"`
	Pages      int    `json:"pages"`
	Bytes      int64  `json:"bytes"`
	// SHA256 is the digest of the zip file itself, for the hand-over note.
	SHA256 string `json:"sha256"`
}

func newInventoryExportCmd(e *env) *cobra.Command {
	var snapshotID, outPath string
	cmd := &cobra.Command{
		Use:   "export --snapshot ID --out FILE.zip",
		Short: "Write a snapshot's raw evidence (every fetched page, byte for byte) as a zip with a SHA-256 manifest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "snapshot", "out"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			// Check the snapshot first so a typo does not leave an empty file.
			if _, err := w.Inventory.Snapshot(e.ctx, snapshotID); err != nil {
				return err
			}
			f, err := os.OpenFile(outPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; evidence bundles are never overwritten: choose another --out", outPath)
			}
			if err != nil {
				return fmt.Errorf("create the evidence bundle: %w", err)
			}
			sum := sha256.New()
			counted := &countingWriter{w: io.MultiWriter(f, sum)}
			m, err := w.Inventory.ExportEvidence(e.ctx, snapshotID, counted)
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				// A partial bundle must not pass for evidence.
				return errors.Join(fmt.Errorf("export the evidence of snapshot %s: %w", snapshotID, err), os.Remove(outPath))
			}
			res := exportResult{SnapshotID: m.Snapshot.ID, Path: outPath, Pages: len(m.Pages), Bytes: counted.n, SHA256: hex.EncodeToString(sum.Sum(nil))}
			return e.print(res, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Wrote the raw evidence of snapshot %s (%s, manifest.json lists each page's SHA-256) to %s.\nSHA-256 of the bundle: %s\n",
					res.SnapshotID, plural(res.Pages, "page"), res.Path, res.SHA256)
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&snapshotID, "snapshot", "", "the snapshot whose evidence to export")
	f.StringVar(&outPath, "out", "", "the zip file to write; it must not exist yet")
	return cmd
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
