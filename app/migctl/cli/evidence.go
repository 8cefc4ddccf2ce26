package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/bundle"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/storage/atomicfile"
)

func newEvidenceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Record a cutover plan's rollback and completion evidence; write a signed evidence bundle, or verify one without the workspace",
		RunE:  needSubcommand,
	}
	cmd.AddCommand(newEvidenceBundleCmd(e), newEvidenceVerifyCmd(e),
		newEvidenceShowCmd(e), newEvidenceSetRollbackCmd(e), newEvidenceSetCompletionCmd(e))
	return cmd
}

// bundleResult is the --json document of evidence bundle.
type bundleResult struct {
	Path        string               `json:"path"`
	Bytes       int64                `json:"bytes"`
	SHA256      string               `json:"sha256"`
	PagesMode   bundle.PagesMode     `json:"pages_mode"`
	Files       int                  `json:"files"`
	Fingerprint string               `json:"signing_key_fingerprint"`
	Reports     []bundle.ReportRef   `json:"reports"`
	Snapshots   []bundle.SnapshotRef `json:"snapshots"`
	AuditHead   int64                `json:"audit_head_seq"`
}

func newEvidenceBundleCmd(e *env) *cobra.Command {
	var outPath, pages string
	cmd := &cobra.Command{
		Use:   "bundle --out FILE.zip [--pages bodies|digests]",
		Short: "Pack every report in every format, the evidence pages and the audit trail into one signed zip",
		Long: `Pack the assessment, cutover and engagement reports in every format, the raw evidence
pages of the snapshots they describe (or, with --pages digests, only their SHA-256), and the
audit trail, with a manifest of every file's SHA-256 signed by the workspace's Ed25519 key
from the OS keychain. 'migctl evidence verify' checks it anywhere, without the keychain or
the workspace. The zip is written atomically and never overwrites a file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "out"); err != nil {
				return err
			}
			if err := oneOf("pages", pages, string(bundle.PagesBodies), string(bundle.PagesDigests)); err != nil {
				return err
			}
			if err := atomicfile.MustNotExist(outPath); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			master, ws, err := w.SigningKey(e.ctx)
			if err != nil {
				return err
			}
			in := bundle.Input{Formats: formats.Names(), Render: formats.Render, Pages: wiring.ReportData{W: w},
				PagesMode: bundle.PagesMode(pages), Tenant: ws.Tenant, WorkspaceID: ws.ID,
				ConsoleVersion: wiring.Version, PreparedBy: w.Service.Actor}
			for _, k := range report.Kinds() {
				doc, err := w.Report(e.ctx, k)
				if err != nil {
					return err
				}
				in.Reports = append(in.Reports, doc)
			}
			// Every report was built at one moment; the bundle states it.
			in.Now = in.Reports[0].Cover.GeneratedAt
			if in.Trail, err = (wiring.ReportData{W: w}).AuditTrail(e.ctx); err != nil {
				return err
			}
			snaps, err := w.Inventory.Snapshots(e.ctx)
			if err != nil {
				return err
			}
			for _, cs := range in.Reports[0].Cover.Snapshots {
				for _, sn := range snaps {
					if sn.ID == cs.ID {
						in.Snapshots = append(in.Snapshots, sn)
					}
				}
			}
			sum := sha256.New()
			var n int64
			var m bundle.Manifest
			err = atomicfile.WriteNew(outPath, func(out io.Writer) error {
				counted := &countingWriter{w: io.MultiWriter(out, sum)}
				var err error
				m, err = bundle.Write(e.ctx, counted, in, master.SigningKey())
				n = counted.n
				return err
			})
			if err != nil {
				return fmt.Errorf("write the evidence bundle: %w", err)
			}
			res := bundleResult{Path: outPath, Bytes: n, SHA256: hex.EncodeToString(sum.Sum(nil)), PagesMode: m.PagesMode,
				Files: len(m.Files) + 2, Fingerprint: m.SigningKey.Fingerprint, Reports: m.Reports, Snapshots: m.Snapshots, AuditHead: m.Audit.HeadSeq}
			return e.print(res, func(out io.Writer) error {
				pages := 0
				for _, s := range m.Snapshots {
					pages += s.Pages
				}
				what := "the evidence pages"
				if m.PagesMode == bundle.PagesDigests {
					what = "the SHA-256 of the evidence pages"
				}
				fmt.Fprintf(out, "Wrote the signed evidence bundle to %s: %d reports, %s of %s (%s), the audit trail to entry %d; %d files, %s bytes.\n",
					res.Path, len(m.Reports), what, plural(len(m.Snapshots), "snapshot"), plural(pages, "page"), m.Audit.HeadSeq, res.Files, report.Thousands(res.Bytes))
				fmt.Fprintf(out, "Signed by the workspace key with fingerprint %s.\n", res.Fingerprint)
				fmt.Fprintf(out, "Check it anywhere with: migctl evidence verify --fingerprint %s %s\n", res.Fingerprint, res.Path)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&outPath, "out", "", "the zip file to write; it must not exist yet")
	fl.StringVar(&pages, "pages", string(bundle.PagesBodies), "pack the evidence pages' bodies, or only their digests: bodies or digests")
	return cmd
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func newEvidenceVerifyCmd(e *env) *cobra.Command {
	var fingerprint string
	cmd := &cobra.Command{
		Use:   "verify [--fingerprint HEX] FILE.zip",
		Short: "Check a signed evidence bundle: signature, signing key, every file's digest and the audit chain",
		Long: `Check a signed evidence bundle using nothing but the zip: no keychain, no workspace.
It checks the manifest's Ed25519 signature, that the signing key is the one whose
fingerprint you pass with --fingerprint (printed on every report's cover), the size and
SHA-256 of every file, that no file was added or removed, and the audit chain. It names
the first file or entry that does not match, and exits 1 if anything does.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("evidence verify takes one bundle file, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if fingerprint != "" && !fingerprintPattern.MatchString(fingerprint) {
				return usageErrorf("--fingerprint takes the 64 hex digits of the signing key's fingerprint, as the report's cover prints it")
			}
			path := args[0]
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("open the bundle: %w", err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return fmt.Errorf("open the bundle: %w", err)
			}
			if !st.Mode().IsRegular() {
				return fmt.Errorf("%s is not a regular file", path)
			}
			res, err := bundle.Verify(f, st.Size(), fingerprint)
			if err != nil {
				return err
			}
			err = e.print(res, func(out io.Writer) error {
				if !res.OK {
					for _, p := range res.Problems {
						fmt.Fprintf(out, "MISMATCH %s\n", p)
					}
					return nil
				}
				keyNote := "no --fingerprint given, so compare it with the report's cover"
				if res.ExpectedFingerprint != "" {
					keyNote = "the expected key"
				}
				fmt.Fprintf(out, "Bundle verified: the signature holds (key %s, %s), all %d files match the manifest, and the audit chain of %s links to its signed head.\n",
					res.Fingerprint, keyNote, res.FilesChecked, entries(res.AuditEntries))
				return nil
			})
			if err != nil {
				return err
			}
			if !res.OK {
				more := ""
				if len(res.Problems) > 1 {
					more = fmt.Sprintf(" (and %d more problems)", len(res.Problems)-1)
				}
				return fmt.Errorf("the bundle does not verify: %s%s", res.Problems[0], more)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&fingerprint, "fingerprint", "", "the signing key fingerprint the bundle must carry (from the report's cover)")
	return cmd
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
