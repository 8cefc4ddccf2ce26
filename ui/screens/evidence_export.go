package screens

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/ui/task"
)

// Reports builds a report of the open workspace and writes it; app/console
// implements it over the workspace's report builder and the renderers of
// engine/report/formats, writing through the same atomic writer as migctl.
type Reports interface {
	ReportFormats() []ReportFormat
	// ExportReport writes a new file at path (a new folder, one file per
	// table, for a multi-file format), never replacing anything there;
	// a failed or cancelled export leaves nothing at path. progress says
	// which phase it is in.
	ExportReport(ctx context.Context, kind report.Kind, format, path string, progress func(phase string)) (ExportedReport, error)
}

// ReportFormat is one format the export offers.
type ReportFormat struct {
	Name      string
	Extension string
	MultiFile bool
}

// ExportedReport is what an export wrote.
type ExportedReport struct {
	ID    string
	Path  string
	Files int
	Bytes int64
}

// reportExport is the export panel: kind and format, a native save dialog,
// and the build and write off the UI goroutine with its phase and a
// Cancel.
type reportExport struct {
	env     Env
	kind    *widget.Select
	format  *widget.Select
	start   *widget.Button
	bar     *widget.ProgressBarInfinite
	phase   *widget.Label
	cancel  *widget.Button
	result  *widget.Label
	busy    *fyne.Container // the progress bar and Cancel, shown while exporting
	stop    context.CancelFunc
	running bool
	content fyne.CanvasObject
	// done is called with each export's outcome (the tests wait on it).
	done func(ExportedReport, error)
}

func newReportExport(env Env) *reportExport {
	x := &reportExport{env: env, phase: wrapped(""), result: wrapped(""), bar: widget.NewProgressBarInfinite()}
	var kinds []string
	for _, k := range report.Kinds() {
		kinds = append(kinds, string(k))
	}
	x.kind = widget.NewSelect(kinds, nil)
	x.kind.SetSelected(string(report.KindEngagement))
	var names []string
	if env.Reports != nil {
		for _, f := range env.Reports.ReportFormats() {
			names = append(names, f.Name)
		}
	}
	x.format = widget.NewSelect(names, nil)
	if len(names) > 0 {
		x.format.SetSelected(names[0])
	}
	x.start = widget.NewButtonWithIcon("Export report…", theme.DocumentSaveIcon(), x.choose)
	x.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), x.cancelExport)
	x.bar.Stop()
	x.busy = container.NewBorder(nil, nil, nil, x.cancel, x.bar)
	x.busy.Hide()
	x.phase.Hide()
	if env.Reports == nil {
		x.start.Disable()
		x.result.SetText("This session cannot write reports.")
	}
	x.content = container.NewVBox(
		heading("Export a report"),
		wrapped("The assessment, cutover or engagement report of this workspace, as PDF, HTML, JSON or CSV (one file per table, in a new folder). An export never overwrites a file."),
		container.NewHBox(widget.NewLabel("Report"), x.kind, widget.NewLabel("Format"), x.format, x.start),
		x.busy, x.phase, x.result)
	return x
}

func (x *reportExport) chosenFormat() (ReportFormat, bool) {
	for _, f := range x.env.Reports.ReportFormats() {
		if f.Name == x.format.Selected {
			return f, true
		}
	}
	return ReportFormat{}, false
}

// suggestedName names the file after the tenant, the kind and the time.
func (x *reportExport) suggestedName(f ReportFormat) string {
	name := fmt.Sprintf("%s-report-%s", x.kind.Selected, time.Now().Format("20060102-1504"))
	if f.MultiFile {
		return name + "-" + f.Name
	}
	return name + "." + f.Extension
}

// choose asks where to write through the native save dialog. Fyne's
// dialog creates (or, once the operator confirms, empties) the chosen file
// before it answers; the export removes that empty file and writes the
// report in its place atomically.
func (x *reportExport) choose() {
	f, ok := x.chosenFormat()
	if !ok || x.running {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			x.showResult(ExportedReport{}, fmt.Errorf("choose where to save: %w", err))
			return
		}
		if w == nil {
			return // the operator cancelled the dialog
		}
		path := w.URI().Path()
		if cerr := w.Close(); cerr != nil {
			x.showResult(ExportedReport{}, fmt.Errorf("choose where to save: %w", cerr))
			return
		}
		x.exportTo(path, true)
	}, x.env.Window)
	d.SetFileName(x.suggestedName(f))
	d.Show()
}

// exportTo runs the export to path off the UI goroutine. placeholder says
// the save dialog left an empty file there, which the export replaces.
func (x *reportExport) exportTo(path string, placeholder bool) {
	kind, format := report.Kind(x.kind.Selected), x.format.Selected
	ctx, cancel := context.WithCancel(context.Background())
	x.stop, x.running = cancel, true
	x.start.Disable()
	x.result.SetText("")
	x.phase.SetText("Starting the " + string(kind) + " report…")
	x.phase.Show()
	x.busy.Show()
	x.bar.Start()
	x.cancel.SetText("Cancel")
	x.cancel.Enable()
	task.Run(x.env.Tasks, func(group context.Context) (ExportedReport, error) {
		defer cancel()
		defer context.AfterFunc(group, cancel)() // closing the window stops the export
		if placeholder {
			if err := removeEmptyPlaceholder(path); err != nil {
				return ExportedReport{}, err
			}
		}
		// A phase changes a few times per export: each is one hop to the
		// UI goroutine.
		return x.env.Reports.ExportReport(ctx, kind, format, path, func(phase string) {
			fyne.Do(func() { x.phase.SetText(phase) })
		})
	}, x.showResult)
}

// removeEmptyPlaceholder removes the empty file the save dialog made, and
// refuses to touch one that holds anything.
func removeEmptyPlaceholder(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() != 0 {
		return fmt.Errorf("%s already exists and is not empty; choose another name", path)
	}
	return os.Remove(path)
}

func (x *reportExport) cancelExport() {
	if x.stop == nil || !x.running {
		return
	}
	x.cancel.SetText("Cancelling…")
	x.cancel.Disable()
	x.stop()
}

func (x *reportExport) showResult(r ExportedReport, err error) {
	x.running = false
	x.bar.Stop()
	x.busy.Hide()
	x.phase.Hide()
	if x.env.Reports != nil {
		x.start.Enable()
	}
	switch {
	case errors.Is(err, context.Canceled):
		x.result.Importance = widget.WarningImportance
		x.result.SetText("Export cancelled: nothing was written.")
	case err != nil:
		x.result.Importance = widget.DangerImportance
		x.result.SetText("Export failed, nothing was written: " + err.Error())
	default:
		x.result.Importance = widget.SuccessImportance
		files := "1 file"
		if r.Files != 1 {
			files = fmt.Sprintf("%d files", r.Files)
		}
		x.result.SetText(fmt.Sprintf("Wrote report %s to %s (%s, %s bytes).", r.ID, r.Path, files, strings.TrimSpace(report.Thousands(r.Bytes))))
	}
	if x.done != nil {
		x.done(r, err)
	}
}
