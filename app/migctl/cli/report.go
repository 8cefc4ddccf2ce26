package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/storage/atomicfile"
)

// reportResult is the --json document of report.
type reportResult struct {
	ReportID    string          `json:"report_id"`
	Kind        report.Kind     `json:"kind"`
	Format      string          `json:"format"`
	Path        string          `json:"path"`
	Files       []writtenFile   `json:"files"`
	Sections    []sectionStatus `json:"sections"`
	Fingerprint string          `json:"signing_key_fingerprint"`
}

type writtenFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

type sectionStatus struct {
	ID     string               `json:"id"`
	Title  string               `json:"title"`
	Status report.SectionStatus `json:"status"`
}

func newReportCmd(e *env) *cobra.Command {
	var kind, format, outPath string
	kinds := make([]string, len(report.Kinds()))
	for i, k := range report.Kinds() {
		kinds[i] = string(k)
	}
	cmd := &cobra.Command{
		Use:   "report --kind " + strings.Join(kinds, "|") + " --format " + strings.Join(formats.Names(), "|") + " --out PATH",
		Short: "Write the assessment, cutover or engagement report as PDF, HTML, JSON or CSV",
		Long: `Write a report of the workspace. A stage that has not run yet is reported as such, never
as an empty table. PDF, HTML and JSON write one file at --out; CSV writes one file per table
into the folder --out, which it creates. Nothing that exists is overwritten, and a failed
write leaves nothing behind.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "kind", "out"); err != nil {
				return err
			}
			if err := oneOf("kind", kind, kinds...); err != nil {
				return err
			}
			if err := oneOf("format", format, formats.Names()...); err != nil {
				return err
			}
			f, err := formats.Lookup(format)
			if err != nil {
				return usageError{err}
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			doc, err := w.Report(e.ctx, report.Kind(kind))
			if err != nil {
				return err
			}
			res := reportResult{ReportID: doc.ID, Kind: doc.Kind, Format: f.Name, Path: outPath, Files: []writtenFile{}, Fingerprint: doc.Cover.SigningKey}
			for _, s := range doc.Sections {
				res.Sections = append(res.Sections, sectionStatus{ID: s.ID, Title: s.Title, Status: s.Status})
			}
			render := func(files *countedFiles) error {
				err := formats.Render(doc, f.Name, files)
				files.finish()
				return err
			}
			if f.MultiFile {
				err = atomicfile.WriteNewDir(outPath, func(create func(string) (io.Writer, error)) error {
					return render(&countedFiles{create: create, out: &res.Files})
				})
			} else {
				err = atomicfile.WriteNew(outPath, func(out io.Writer) error {
					return render(&countedFiles{create: func(string) (io.Writer, error) { return out, nil }, out: &res.Files, single: filepath.Base(outPath)})
				})
			}
			if err != nil {
				return err
			}
			sort.SliceStable(res.Files, func(i, j int) bool { return res.Files[i].Name < res.Files[j].Name })
			return e.print(res, func(out io.Writer) error { return printReport(out, res) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "", "the report: "+strings.Join(kinds, ", "))
	fl.StringVar(&format, "format", "pdf", "the format: "+strings.Join(formats.Names(), ", "))
	fl.StringVar(&outPath, "out", "", "the file to write (the folder to create for csv); it must not exist yet")
	return cmd
}

func printReport(out io.Writer, res reportResult) error {
	var total int64
	for _, f := range res.Files {
		total += f.Bytes
	}
	what := "to " + res.Path
	if len(res.Files) > 1 || res.Format == "csv" {
		what = fmt.Sprintf("to %s (%d files)", res.Path, len(res.Files))
	}
	fmt.Fprintf(out, "Wrote the %s report %s as %s %s, %s bytes.\n", res.Kind, res.ReportID, strings.ToUpper(res.Format), what, report.Thousands(total))
	if len(res.Files) == 1 {
		fmt.Fprintf(out, "SHA-256: %s\n", res.Files[0].SHA256)
	}
	var notRun []string
	for _, s := range res.Sections {
		if s.Status == report.NotRun {
			notRun = append(notRun, s.Title)
		}
	}
	if len(notRun) > 0 {
		fmt.Fprintf(out, "Not run yet, and reported as such: %s.\n", strings.Join(notRun, "; "))
	}
	if res.Fingerprint != "" {
		fmt.Fprintf(out, "Evidence signing key: %s\n", res.Fingerprint)
	}
	return nil
}

// countedFiles hands a renderer its files and records each one's size and
// SHA-256 for the result. single, when set, names the one file of a
// single-file format (the operator's --out).
type countedFiles struct {
	create func(name string) (io.Writer, error)
	out    *[]writtenFile
	single string
	cur    *hashCounter
	name   string
}

func (c *countedFiles) Create(name string) (io.Writer, error) {
	c.finish()
	w, err := c.create(name)
	if err != nil {
		return nil, err
	}
	if c.single != "" {
		name = c.single
	}
	c.cur, c.name = &hashCounter{w: w, h: sha256.New()}, name
	return c.cur, nil
}

// finish records the file being written, if any.
func (c *countedFiles) finish() {
	if c.cur != nil {
		*c.out = append(*c.out, writtenFile{Name: c.name, Bytes: c.cur.n, SHA256: hex.EncodeToString(c.cur.h.Sum(nil))})
		c.cur = nil
	}
}

type hashCounter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashCounter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}
