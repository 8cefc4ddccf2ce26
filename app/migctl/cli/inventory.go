package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/storage/atomicfile"
)

func newInventoryCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Collect, list, show and export read-only inventory snapshots of a source",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newInventoryCollectCmd(e), newInventoryListCmd(e), newInventoryShowCmd(e), newInventoryExportCmd(e),
		newInventoryDiffCmd(e), newInventoryMembersCmd(e), newInventoryGroupsOfCmd(e))
	return cmd
}

func newInventoryCollectCmd(e *env) *cobra.Command {
	var source string
	var share float64
	var maxDuration, maxWait time.Duration
	var maxResponseMiB int64
	cmd := &cobra.Command{
		Use:   "collect --source N [--rate-share F] [--max-duration D] [--max-wait D] [--max-response-mib N]",
		Short: "Take a read-only inventory snapshot of a source, with the raw evidence of every page",
		Long: `Reads every inventory domain of the source through the vendor's SDK and stores the items
and the raw evidence of every fetched page in the workspace file. Progress goes to stderr.
Ctrl-C stops the collection and leaves a failed snapshot with what was fetched so far.

The collection spends at most --rate-share of each rate-limit window (default 0.5), leaving
the rest to the customer's own integrations. For Okta that is a share of each endpoint
group's window (X-Rate-Limit-Limit), whoever spends the rest; for Microsoft Graph, which
publishes no budget, a share of the pace its throttling signals (a 429's Retry-After, the
x-ms-throttle-limit-percentage warning) show it allows.

Nothing waits for ever (docs/network.md): the whole collection stops after --max-duration
(default 12h), keeping what it fetched; a rate-limit reset further off than --max-wait
(default 10m) fails it, naming the time the server gave; an answer larger than
--max-response-mib (default 128) after decompression fails it. A server that stops
answering fails it after 30s of silence, three times.

Prints the snapshot (completed or failed); exits 1 when it failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "source"); err != nil {
				return err
			}
			if err := inventory.CheckShare(share); err != nil {
				return usageErrorf("--rate-share %v: %v", share, err)
			}
			switch {
			case maxDuration <= 0:
				return usageErrorf("--max-duration must be a positive duration, such as 90m or 12h")
			case maxWait <= 0:
				return usageErrorf("--max-wait must be a positive duration, such as 10m")
			case maxResponseMiB <= 0 || maxResponseMiB > 1<<20:
				return usageErrorf("--max-response-mib must be a whole number of MiB from 1 to 1048576")
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			fmt.Fprintf(e.stderr, "collecting %s with at most %s of each rate-limit window; the rest is left to the customer's integrations\n",
				source, percent(share))
			bar := startProgress(e.stderr, source)
			snap, collectErr := w.Inventory.Collect(e.ctx, source, inventory.CollectOptions{
				RateShare: share, MaxDuration: maxDuration, MaxWait: maxWait, MaxBody: maxResponseMiB << 20,
			}, bar.update)
			bar.finish()
			if snap.ID == "" {
				return collectErr // refused before a snapshot existed: nothing to print
			}
			e.log.Debug("collection finished", "snapshot", snap.ID, "status", snap.Status, "items", snap.ItemCount, "pages", snap.PageCount)
			if err := e.show(viewSnapshot(snap)); err != nil {
				return errors.Join(collectErr, err)
			}
			return collectErr
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "the source to collect")
	cmd.Flags().Float64Var(&share, "rate-share", inventory.DefaultShare, "spend at most this share of each rate-limit window (more than 0, at most 1), leaving the rest to the customer's own integrations")
	cmd.Flags().DurationVar(&maxDuration, "max-duration", inventory.DefaultMaxDuration, "stop the collection after this long, keeping what it fetched")
	cmd.Flags().DurationVar(&maxWait, "max-wait", inventory.DefaultMaxWait, "fail when the server asks to wait longer than this for one rate limit")
	cmd.Flags().Int64Var(&maxResponseMiB, "max-response-mib", netguard.DefaultMaxBody>>20, "fail on an answer larger than this many MiB after decompression")
	return cmd
}

// percent renders a share as "50%".
func percent(share float64) string {
	return strconv.FormatFloat(share*100, 'f', -1, 64) + "%"
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
			doc := snapshotList{Snapshots: make([]snapshotView, 0, len(snaps))}
			for _, s := range snaps {
				doc.Snapshots = append(doc.Snapshots, viewSnapshot(s))
			}
			return e.show(doc)
		},
	}
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
			shown, err := withSecrets(e.ctx, w.Inventory, page.Items)
			if err != nil {
				return err
			}
			return e.show(snapshotItems{Snapshot: viewSnapshot(snap), Items: shown, Total: page.Total, TotalCapped: page.Capped, Offset: offset})
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
			// Written beside outPath and moved into place only when whole: a
			// killed export leaves no partial zip to pass for evidence or to
			// block the next attempt.
			sum := sha256.New()
			var m inventory.Manifest
			var n int64
			err = atomicfile.WriteNew(outPath, func(f io.Writer) error {
				counted := &countingWriter{w: io.MultiWriter(f, sum)}
				var err error
				m, err = w.Inventory.ExportEvidence(e.ctx, snapshotID, counted)
				n = counted.n
				return err
			})
			if err != nil {
				return fmt.Errorf("export the evidence of snapshot %s: %w", snapshotID, err)
			}
			return e.show(exportResult{SnapshotID: m.Snapshot.ID, Path: outPath, Pages: len(m.Pages), Bytes: n, SHA256: hex.EncodeToString(sum.Sum(nil)),
				Partial: m.Partial, PartialNote: m.PartialNote})
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
