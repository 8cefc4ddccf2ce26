package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// snapshotView is a snapshot as the inventory commands print it, with a
// count for every item kind, zeros included, so a script can read any
// kind without checking it is there.
type snapshotView inventory.Snapshot

func viewSnapshot(s inventory.Snapshot) snapshotView {
	counts := make(map[inventory.Kind]int, len(inventory.Kinds))
	for _, k := range inventory.Kinds {
		counts[k] = s.Counts[k]
	}
	s.Counts = counts
	return snapshotView(s)
}

// human writes a snapshot's summary for a person.
func (s snapshotView) human(out io.Writer) error {
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

// snapshotList is what inventory list prints.
type snapshotList struct {
	Snapshots []snapshotView `json:"snapshots"`
}

func (l snapshotList) human(out io.Writer) error {
	if len(l.Snapshots) == 0 {
		_, err := fmt.Fprintln(out, "No inventory snapshots yet. Take one with 'migctl inventory collect --source N'.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tSOURCE\tSTATUS\tSTARTED\tTOOK\tITEMS\tPAGES\tERROR")
	for _, s := range l.Snapshots {
		took := "-"
		if s.FinishedAt != nil {
			took = s.FinishedAt.Sub(s.StartedAt).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.SourceName, s.Status,
			formatTime(&s.StartedAt), took, s.ItemCount, s.PageCount, clip(s.Error, 60))
	}
	return tw.Flush()
}

// snapshotItems is what inventory show prints.
type snapshotItems struct {
	Snapshot snapshotView `json:"snapshot"`
	Items    []shownItem  `json:"items"`
	// Total is how many items match the filters (Items is one window of
	// them); counting stops at TotalCapped.
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped"`
	Offset      int  `json:"offset"`
}

func (d snapshotItems) human(out io.Writer) error {
	if err := d.Snapshot.human(out); err != nil {
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
	printSecrets(out, d.Items)
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

// exportResult is what inventory export prints.
type exportResult struct {
	SnapshotID string `json:"snapshot_id"`
	Path       string `json:"path"`
	Pages      int    `json:"pages"`
	Bytes      int64  `json:"bytes"`
	// SHA256 is the digest of the zip file itself, for the hand-over note.
	SHA256 string `json:"sha256"`
}

func (r exportResult) human(out io.Writer) error {
	_, err := fmt.Fprintf(out, "Wrote the raw evidence of snapshot %s (%s, manifest.json lists each page's SHA-256) to %s.\nSHA-256 of the bundle: %s\n",
		r.SnapshotID, plural(r.Pages, "page"), r.Path, r.SHA256)
	return err
}
