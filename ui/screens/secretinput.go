package screens

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/secret"
)

// SecretInput takes a credential without ever echoing it: a password entry
// for tokens, or a file for PEM keys (a single-line entry would turn a
// pasted key's newlines into spaces). The value moves into a secret.Value as
// soon as the form is submitted, and the entry is cleared.
type SecretInput struct {
	entry   *widget.Entry
	status  *widget.Label
	held    secret.Value
	Content fyne.CanvasObject
}

// NewSecretInput returns an empty input; fromFile adds a "Load from file…" button.
func NewSecretInput(win fyne.Window, placeholder string, fromFile bool) *SecretInput {
	si := &SecretInput{entry: widget.NewPasswordEntry(), status: widget.NewLabel("")}
	// Replace Fyne's reveal toggle: a credential is never shown, not even
	// on request (screen sharing with the customer is the normal case).
	si.entry.ActionItem = canvas.NewRectangle(color.Transparent)
	si.entry.SetPlaceHolder(placeholder)
	si.status.Hide()
	if !fromFile {
		si.Content = container.NewVBox(si.entry, si.status)
		return si
	}
	load := widget.NewButton("Load from file…", func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil {
				ShowError(win, "Could not open the file", err)
				return
			}
			if r == nil {
				return // cancelled
			}
			defer r.Close()
			b, err := io.ReadAll(io.LimitReader(r, 64<<10))
			if err != nil {
				ShowError(win, "Could not read the file", fmt.Errorf("read %s: %w", filepath.Base(r.URI().Path()), err))
				return
			}
			si.keep(secret.New(string(b)), fmt.Sprintf("Loaded from %s (%d bytes); not shown.", r.URI().Name(), len(b)))
		}, win)
	})
	si.Content = container.NewVBox(container.NewBorder(nil, nil, nil, load, si.entry), si.status)
	return si
}

func (si *SecretInput) keep(v secret.Value, status string) {
	si.held = v
	si.entry.SetText("")
	si.status.SetText(status)
	si.status.Show()
}

// Take returns the credential: what was just typed, else what was kept
// from a file or an earlier attempt.
func (si *SecretInput) Take() secret.Value {
	if si.entry.Text != "" {
		si.keep(secret.New(si.entry.Text), "Credential kept from the last attempt; type or load a new one to replace it.")
	}
	return si.held
}

// Forget drops the credential when the form is abandoned.
func (si *SecretInput) Forget() {
	si.held = secret.Value{}
	si.entry.SetText("")
}
