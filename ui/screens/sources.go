package screens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// sourceColumns are the sources table's columns and their widths.
var sourceColumns = []struct {
	title string
	width float32
	value func(vendor.Registry, workspace.Source) string
}{
	{"Name", 150, func(_ vendor.Registry, s workspace.Source) string { return s.Name }},
	{"Kind", 70, func(r vendor.Registry, s workspace.Source) string { return r.Label(s.Kind) }},
	{"Status", 100, func(_ vendor.Registry, s workspace.Source) string { return Readable(string(s.Status)) }},
	{"Settings", 540, SettingsSummary},
	{"Last inventory", 150, func(_ vendor.Registry, s workspace.Source) string {
		return formatOptionalTime(s.LastInventoryAt, "Never")
	}},
}

// SettingsSummary is a source's key connection facts on one line, as its
// vendor describes them.
func SettingsSummary(r vendor.Registry, s workspace.Source) string {
	return strings.Join(r.Describe(s).Summary, " · ")
}

// SourcesScreen lists the workspace's sources and adds and archives them.
type SourcesScreen struct {
	env      Env
	sources  []workspace.Source
	selected string
	table    *widget.Table
	archive  *widget.Button
	detail   *widget.Label
	content  fyne.CanvasObject
}

// NewSourcesScreen builds the screen; Show fills it.
func NewSourcesScreen(env Env) Screen {
	s := &SourcesScreen{env: env}
	s.table = widget.NewTable(
		func() (int, int) { return len(s.sources), len(sourceColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			l.SetText(sourceColumns[id.Col].value(s.env.Vendors, s.sources[id.Row]))
		})
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(sourceColumns[id.Col].title)
		}
	}
	for i, c := range sourceColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.sources) {
			s.selected = s.sources[id.Row].Name
		}
		s.showSelection()
	}
	s.detail = widget.NewLabel("Select a source to see all its settings.")
	s.detail.Wrapping = fyne.TextWrapWord
	s.archive = widget.NewButtonWithIcon("Archive selected source…", theme.DeleteIcon(), s.confirmArchive)
	s.archive.Disable()
	bar := container.NewHBox()
	for _, v := range env.Vendors.Vendors() {
		bar.Add(widget.NewButtonWithIcon("Add "+v.Label()+" source", theme.ContentAddIcon(), func() { s.showAddForm(v) }))
	}
	bar.Add(s.archive)
	s.content = container.NewBorder(container.NewVBox(heading("Sources"), bar), s.detail, nil, nil, s.table)
	return s
}

// Content implements Screen.
func (s *SourcesScreen) Content() fyne.CanvasObject { return s.content }

// Show implements Screen.
func (s *SourcesScreen) Show(st State) {
	s.sources = st.Sources
	s.table.Refresh()
	s.showSelection()
}

func (s *SourcesScreen) selectedSource() (workspace.Source, bool) {
	for _, src := range s.sources {
		if src.Name == s.selected {
			return src, true
		}
	}
	return workspace.Source{}, false
}

// showSelection follows the selection: the archive button, and the detail
// line with the settings the table truncates.
func (s *SourcesScreen) showSelection() {
	src, ok := s.selectedSource()
	if ok {
		s.detail.SetText(sourceDetail(s.env.Vendors, src))
	}
	if ok && src.Status == workspace.SourceConfigured {
		s.archive.Enable()
		return
	}
	s.archive.Disable()
}

func (s *SourcesScreen) confirmArchive() {
	src, ok := s.selectedSource()
	if !ok {
		return
	}
	d := dialog.NewConfirm("Archive source",
		fmt.Sprintf("Archive %s source %q?\n\nIts credential is removed from the keychain and it can never collect again.", s.env.Vendors.Label(src.Kind), src.Name),
		func(yes bool) {
			if !yes {
				return
			}
			task.Run(s.env.Tasks, func(ctx context.Context) (workspace.Source, error) {
				return s.env.Workspace.ArchiveSource(ctx, src.Name)
			}, func(_ workspace.Source, err error) {
				if err != nil {
					ShowError(s.env.Window, "Could not archive the source", err)
				}
				s.env.Changed() // the engine may have archived it even when the keychain cleanup failed
			})
		}, s.env.Window)
	d.SetConfirmText("Archive")
	d.SetDismissText("Keep")
	d.Show()
}

func sourceDetail(r vendor.Registry, src workspace.Source) string {
	d := fmt.Sprintf("%s (%s, %s): %s. Added %s", src.Name, r.Label(src.Kind), Readable(string(src.Status)),
		SettingsSummary(r, src), formatTime(src.CreatedAt))
	if src.ArchivedAt != nil {
		d += ", archived " + formatTime(*src.ArchivedAt)
	}
	return d + "; last inventory " + formatOptionalTime(src.LastInventoryAt, "never") + "."
}

// formField is one spec field's input in an add-source form.
type formField struct {
	field  vendor.Field
	value  func() string
	enable func(bool)
}

// showAddForm is the add-source form of v, built from its settings spec:
// an entry per text, URL or list field, a choice per choice field, the
// secret input for the credential. Fields that apply to other auth modes
// than the one chosen are disabled and not sent.
func (s *SourcesScreen) showAddForm(v vendor.Vendor) {
	spec := v.Spec()
	name := widget.NewEntry()
	items := []*widget.FormItem{{Text: "Name", Widget: name, HintText: "Unique in this workspace"}}
	var fields []formField
	var cred *SecretInput
	var auth *widget.Select
	for _, f := range spec.Fields {
		switch f.Kind {
		case vendor.FieldSecret:
			cred = NewSecretInput(s.env.Window, f.Example, true)
			items = append(items, &widget.FormItem{Text: f.Label, Widget: cred.Content, HintText: "Stored in the OS keychain, never in the workspace file"})
		case vendor.FieldChoice:
			labels := make([]string, len(f.Choices))
			for i, c := range f.Choices {
				labels[i] = c.Label
			}
			sel := widget.NewSelect(labels, nil)
			sel.SetSelectedIndex(max(0, slices.Index(f.ChoiceValues(), f.Default)))
			if f.Name == spec.AuthField {
				auth = sel
			}
			fields = append(fields, formField{f, func() string { return f.Choices[sel.SelectedIndex()].Value }, enabler(sel)})
			items = append(items, &widget.FormItem{Text: f.Label, Widget: sel})
		default:
			e := widget.NewEntry()
			e.SetPlaceHolder(f.Example)
			fields = append(fields, formField{f, func() string { return e.Text }, enabler(e)})
			items = append(items, &widget.FormItem{Text: f.Label, Widget: e, HintText: f.Help})
		}
	}
	mode := func() string {
		if auth == nil {
			return ""
		}
		return spec.Fields[slices.IndexFunc(spec.Fields, func(f vendor.Field) bool { return f.Name == spec.AuthField })].Choices[auth.SelectedIndex()].Value
	}
	applies := func(f vendor.Field) bool { return f.Name == spec.AuthField || f.AppliesTo(mode()) }
	follow := func() {
		for _, in := range fields {
			in.enable(applies(in.field))
		}
	}
	if auth != nil {
		auth.OnChanged = func(string) { follow() }
	}
	follow()
	s.showSourceForm("Add "+v.Label()+" source", items, cred, func(c secret.Value) workspace.NewSource {
		settings := map[string]string{}
		for _, in := range fields {
			if val := in.value(); val != "" && applies(in.field) {
				settings[in.field.Name] = val
			}
		}
		return workspace.NewSource{Name: name.Text, Kind: v.Kind(), Settings: settings, Credential: c}
	})
}

// enabler enables or disables w.
func enabler(w fyne.Disableable) func(bool) {
	return func(on bool) {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// showSourceForm runs an add-source form in a dialog that stays open, with
// the engine's message under the fields, until the engine accepts it.
func (s *SourcesScreen) showSourceForm(title string, items []*widget.FormItem, cred *SecretInput, build func(secret.Value) workspace.NewSource) {
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	form := &widget.Form{Items: items, SubmitText: "Add source", CancelText: "Cancel"}
	var d dialog.Dialog
	form.OnCancel = func() {
		cred.Forget()
		d.Hide()
	}
	form.OnSubmit = func() {
		req := build(cred.Take())
		form.Disable()
		task.Run(s.env.Tasks, func(ctx context.Context) (workspace.Source, error) {
			return s.env.Workspace.AddSource(ctx, req)
		}, func(_ workspace.Source, err error) {
			form.Enable()
			if err != nil {
				problem.SetText(err.Error() + howTo(err))
				problem.Show()
				return
			}
			cred.Forget()
			d.Hide()
			s.env.Changed()
		})
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, problem), s.env.Window)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// howTo adds, in the form's terms, how to supply what an engine error says
// is missing.
func howTo(err error) string {
	switch {
	case errors.Is(err, workspace.ErrNoCredential):
		return ". Paste it into the Credential field, or load it from a file."
	case errors.Is(err, endpoint.ErrCredentialsInURL):
		return ". Put the secret in the Credential field instead."
	}
	return ""
}
