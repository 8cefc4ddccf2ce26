package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/ui/task"
)

// sourceColumns are the sources table's columns and their widths.
var sourceColumns = []struct {
	title string
	width float32
	value func(workspace.Source) string
}{
	{"Name", 150, func(s workspace.Source) string { return s.Name }},
	{"Kind", 70, func(s workspace.Source) string { return KindLabel(s.Kind) }},
	{"Status", 100, func(s workspace.Source) string { return Readable(string(s.Status)) }},
	{"Settings", 540, SettingsSummary},
	{"Last inventory", 150, func(s workspace.Source) string { return formatOptionalTime(s.LastInventoryAt, "Never") }},
}

// KindLabel is the incumbent's product name.
func KindLabel(k workspace.SourceKind) string {
	switch k {
	case workspace.KindOkta:
		return "Okta"
	case workspace.KindEntra:
		return "Entra"
	default:
		return string(k)
	}
}

// SettingsSummary is a source's key connection facts on one line.
func SettingsSummary(s workspace.Source) string {
	var parts []string
	if o := s.Okta; o != nil {
		parts = append(parts, o.OrgURL, oktaAuthLabels[o.Auth])
		if o.ClientID != "" {
			parts = append(parts, "client "+o.ClientID)
		}
		if len(o.Scopes) > 0 {
			parts = append(parts, "scopes "+strings.Join(o.Scopes, " "))
		}
	}
	if e := s.Entra; e != nil {
		parts = append(parts, "tenant "+e.TenantID)
		if e.ClientID != "" {
			parts = append(parts, "client "+e.ClientID)
		}
		parts = append(parts, entraAuthLabels[e.Auth], cloudLabels[e.Cloud])
		if e.GraphURL != "" {
			parts = append(parts, "Graph "+e.GraphURL)
		}
		if e.AuthorityURL != "" {
			parts = append(parts, "authority "+e.AuthorityURL)
		}
	}
	return strings.Join(parts, " · ")
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
			l.SetText(sourceColumns[id.Col].value(s.sources[id.Row]))
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
	bar := container.NewHBox(
		widget.NewButtonWithIcon("Add Okta source", theme.ContentAddIcon(), s.showOktaForm),
		widget.NewButtonWithIcon("Add Entra source", theme.ContentAddIcon(), s.showEntraForm),
		s.archive,
	)
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
		s.detail.SetText(sourceDetail(src))
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
		fmt.Sprintf("Archive %s source %q?\n\nIts credential is removed from the keychain and it can never collect again.", KindLabel(src.Kind), src.Name),
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

func sourceDetail(src workspace.Source) string {
	d := fmt.Sprintf("%s (%s, %s): %s. Added %s", src.Name, KindLabel(src.Kind), Readable(string(src.Status)),
		SettingsSummary(src), formatTime(src.CreatedAt))
	if src.ArchivedAt != nil {
		d += ", archived " + formatTime(*src.ArchivedAt)
	}
	return d + "; last inventory " + formatOptionalTime(src.LastInventoryAt, "never") + "."
}

var (
	oktaAuthLabels = map[workspace.OktaAuth]string{
		workspace.OktaAPIToken:   "API token",
		workspace.OktaPrivateKey: "OAuth service app (private key)",
	}
	entraAuthLabels = map[workspace.EntraAuth]string{
		workspace.EntraClientSecret: "Client secret",
		workspace.EntraCertificate:  "Certificate",
		workspace.EntraAccessToken:  "Access token",
	}
	cloudLabels = map[workspace.Cloud]string{
		workspace.CloudGlobal: "Global cloud",
		workspace.CloudUSGov:  "US Government cloud",
		workspace.CloudChina:  "China cloud (21Vianet)",
	}
)

// choice is a Select over labelled engine values, in a fixed order.
type choice[T comparable] struct {
	*widget.Select
	values []T
}

func newChoice[T comparable](labels map[T]string, order ...T) *choice[T] {
	c := &choice[T]{values: order}
	opts := make([]string, len(order))
	for i, v := range order {
		opts[i] = labels[v]
	}
	c.Select = widget.NewSelect(opts, nil)
	c.SetSelectedIndex(0)
	return c
}

func (c *choice[T]) value() T { return c.values[c.SelectedIndex()] }

func (s *SourcesScreen) showOktaForm() {
	name, orgURL, clientID, scopes := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	orgURL.SetPlaceHolder("https://example.okta.com")
	clientID.SetPlaceHolder("Service app client ID (private key only)")
	scopes.SetPlaceHolder("okta.apps.read okta.groups.read … (private key only)")
	auth := newChoice(oktaAuthLabels, workspace.OktaAPIToken, workspace.OktaPrivateKey)
	cred := NewSecretInput(s.env.Window, "API token, or load a PEM key", true)
	items := []*widget.FormItem{
		{Text: "Name", Widget: name, HintText: "Unique in this workspace"},
		{Text: "Org URL", Widget: orgURL},
		{Text: "Authentication", Widget: auth.Select},
		{Text: "Client ID", Widget: clientID},
		{Text: "Scopes", Widget: scopes},
		{Text: "Credential", Widget: cred.Content, HintText: "Stored in the OS keychain, never in the workspace file"},
	}
	s.showSourceForm("Add Okta source", items, cred, func(v secret.Value) workspace.NewSource {
		return workspace.NewSource{
			Name: name.Text, Kind: workspace.KindOkta, Credential: v,
			Okta: &workspace.OktaSettings{
				OrgURL: orgURL.Text, Auth: auth.value(),
				ClientID: strings.TrimSpace(clientID.Text), Scopes: strings.Fields(strings.ReplaceAll(scopes.Text, ",", " ")),
			},
		}
	})
}

func (s *SourcesScreen) showEntraForm() {
	name, tenantID, clientID, graphURL, authorityURL := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	tenantID.SetPlaceHolder("GUID or contoso.onmicrosoft.com")
	clientID.SetPlaceHolder("Application (client) ID, a GUID")
	graphURL.SetPlaceHolder("Optional: overrides the cloud's Graph endpoint")
	authorityURL.SetPlaceHolder("Optional: overrides the cloud's sign-in authority")
	auth := newChoice(entraAuthLabels, workspace.EntraClientSecret, workspace.EntraCertificate, workspace.EntraAccessToken)
	cloud := newChoice(cloudLabels, workspace.CloudGlobal, workspace.CloudUSGov, workspace.CloudChina)
	cred := NewSecretInput(s.env.Window, "Secret or token, or load a certificate", true)
	items := []*widget.FormItem{
		{Text: "Name", Widget: name, HintText: "Unique in this workspace"},
		{Text: "Tenant ID", Widget: tenantID},
		{Text: "Client ID", Widget: clientID},
		{Text: "Authentication", Widget: auth.Select},
		{Text: "Cloud", Widget: cloud.Select},
		{Text: "Graph URL", Widget: graphURL},
		{Text: "Authority URL", Widget: authorityURL},
		{Text: "Credential", Widget: cred.Content, HintText: "Stored in the OS keychain, never in the workspace file"},
	}
	s.showSourceForm("Add Entra source", items, cred, func(v secret.Value) workspace.NewSource {
		return workspace.NewSource{
			Name: name.Text, Kind: workspace.KindEntra, Credential: v,
			Entra: &workspace.EntraSettings{
				TenantID: strings.TrimSpace(tenantID.Text), ClientID: strings.TrimSpace(clientID.Text),
				Auth: auth.value(), Cloud: cloud.value(),
				GraphURL: strings.TrimSpace(graphURL.Text), AuthorityURL: strings.TrimSpace(authorityURL.Text),
			},
		}
	})
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
				problem.SetText(err.Error())
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
