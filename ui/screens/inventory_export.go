package screens

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/ui/task"
)

// ExportFileName suggests a bundle name that says what it holds.
func ExportFileName(snap inventory.Snapshot) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, snap.SourceName)
	return fmt.Sprintf("%s-evidence-%s.zip", name, snap.StartedAt.Local().Format("20060102-150405"))
}

// showExport asks where to write the selected snapshot's evidence bundle.
// Like the welcome screen it picks a folder, not a file: Fyne's save dialog
// opens the chosen file for writing and so truncates one that exists.
func (s *InventoryScreen) showExport() {
	snap, ok := s.selectedSnapshot()
	if !ok || s.env.Inventory == nil || s.env.WriteNew == nil {
		return
	}
	folder, name := widget.NewEntry(), widget.NewEntry()
	folder.SetPlaceHolder("Folder to write the bundle to (choose →)")
	if home, err := os.UserHomeDir(); err == nil {
		folder.SetText(home)
	}
	name.SetText(ExportFileName(snap))
	choose := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
			if err != nil {
				ShowError(s.env.Window, "Could not choose the folder", err)
				return
			}
			if dir != nil {
				folder.SetText(dir.Path())
			}
		}, s.env.Window)
	})
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	form := &widget.Form{SubmitText: "Export", CancelText: "Cancel", Items: []*widget.FormItem{
		{Text: "Folder", Widget: container.NewBorder(nil, nil, nil, choose, folder)},
		{Text: "File name", Widget: name, HintText: "An existing file is never overwritten"},
	}}
	var d dialog.Dialog
	form.OnCancel = func() { d.Hide() }
	form.OnSubmit = func() {
		path := filepath.Join(strings.TrimSpace(folder.Text), strings.TrimSpace(name.Text))
		if strings.TrimSpace(folder.Text) == "" || strings.TrimSpace(name.Text) == "" {
			problem.SetText("Choose a folder and a file name.")
			problem.Show()
			return
		}
		if !strings.HasSuffix(strings.ToLower(path), ".zip") {
			path += ".zip"
		}
		form.Disable()
		task.Run(s.env.Tasks, func(ctx context.Context) (inventory.Manifest, error) {
			return exportTo(ctx, s.env.Inventory, s.env.WriteNew, snap.ID, path)
		}, func(m inventory.Manifest, err error) {
			form.Enable()
			if err != nil {
				problem.SetText(err.Error())
				problem.Show()
				return
			}
			d.Hide()
			title, note := "Evidence exported", ""
			if m.Partial {
				title, note = "Partial evidence exported", m.PartialNote+"\n\n"
			}
			dialog.ShowInformation(title, fmt.Sprintf(
				"%sWrote %s evidence page%s of snapshot %s and their SHA-256 manifest to\n%s",
				note, FormatCount(len(m.Pages)), plural(len(m.Pages)), snap.ID, path), s.env.Window)
		})
	}
	d = dialog.NewCustomWithoutButtons("Export evidence of snapshot "+snap.ID, container.NewVBox(form, problem), s.env.Window)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// exportTo writes the bundle to a new file at path through write (an
// atomic writer): an existing file is refused, and a failed or killed
// export leaves nothing at path, so a half-written zip never looks like
// evidence nor blocks the next export.
func exportTo(ctx context.Context, inv Inventory, write func(string, func(io.Writer) error) error, snapshotID, path string) (inventory.Manifest, error) {
	var m inventory.Manifest
	err := write(path, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		var err error
		if m, err = inv.ExportEvidence(ctx, snapshotID, w); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return inventory.Manifest{}, fmt.Errorf("export the evidence of snapshot %s: %w", snapshotID, err)
	}
	return m, nil
}
