package main

import (
	"context"
	"io"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/storage/atomicfile"
	"github.com/portal-id/migration-console/ui/screens"
)

// reports is the GUI's report export over the open workspace: the same
// builder and renderers as `migctl report`, written through the same
// atomic writer (storage/atomicfile).
type reports struct{ w *wiring.Workspace }

var _ screens.Reports = reports{}

func (reports) ReportFormats() []screens.ReportFormat {
	out := make([]screens.ReportFormat, len(formats.List))
	for i, f := range formats.List {
		out[i] = screens.ReportFormat{Name: f.Name, Extension: f.Extension, MultiFile: f.MultiFile}
	}
	return out
}

func (r reports) ExportReport(ctx context.Context, kind report.Kind, format, path string, progress func(string)) (screens.ExportedReport, error) {
	f, err := formats.Lookup(format)
	if err != nil {
		return screens.ExportedReport{}, err
	}
	progress("Reading the workspace for the " + string(kind) + " report…")
	doc, err := r.w.Report(ctx, kind)
	if err != nil {
		return screens.ExportedReport{}, err
	}
	if err := ctx.Err(); err != nil {
		return screens.ExportedReport{}, err
	}
	progress("Writing the " + f.Name + " file…")
	res := screens.ExportedReport{ID: doc.ID, Path: path}
	// Every write checks for a cancel, so Cancel stops a long render.
	files := cancellableFiles{ctx: ctx, res: &res}
	if f.MultiFile {
		err = atomicfile.WriteNewDir(path, func(create func(string) (io.Writer, error)) error {
			files.create = create
			return formats.Render(doc, f.Name, files)
		})
	} else {
		err = atomicfile.WriteNew(path, func(out io.Writer) error {
			files.create = func(string) (io.Writer, error) { return out, nil }
			return formats.Render(doc, f.Name, files)
		})
	}
	if err != nil {
		return screens.ExportedReport{}, err
	}
	return res, nil
}

// cancellableFiles counts what a render writes and stops it once ctx is
// cancelled.
type cancellableFiles struct {
	ctx    context.Context
	res    *screens.ExportedReport
	create func(string) (io.Writer, error)
}

func (c cancellableFiles) Create(name string) (io.Writer, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	w, err := c.create(name)
	if err != nil {
		return nil, err
	}
	c.res.Files++
	return cancellableWriter{c: c, w: w}, nil
}

type cancellableWriter struct {
	c cancellableFiles
	w io.Writer
}

func (w cancellableWriter) Write(p []byte) (int, error) {
	if err := w.c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := w.w.Write(p)
	w.c.res.Bytes += int64(n)
	return n, err
}
