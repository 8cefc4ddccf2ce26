package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

func newSourceCmd(e *env) *cobra.Command {
	vendors := wiring.Vendors()
	cmd := &cobra.Command{
		Use:   "source",
		Short: "Add, list, test and archive the incumbent sources (" + strings.Join(vendors.Kinds(), ", ") + ")",
		RunE:  needSubcommand,
	}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a read-only connection to an incumbent tenant: " + strings.Join(vendors.Kinds(), " or "),
		RunE:  needSubcommand,
	}
	for _, v := range vendors.Vendors() {
		add.AddCommand(newSourceAddCmd(e, v))
	}
	cmd.AddCommand(add, newSourceListCmd(e), newSourceArchiveCmd(e), newSourceTestCmd(e))
	return cmd
}

// addSourceHint names the commands that add a source: "'migctl source add
// okta' or 'migctl source add entra'".
func addSourceHint() string {
	var cmds []string
	for _, k := range wiring.Vendors().Kinds() {
		cmds = append(cmds, "'migctl source add "+k+"'")
	}
	return strings.Join(cmds, " or ")
}

func credentialFlags() secretFlags {
	return secretFlags{what: "the source credential", stdinFlag: "secret-stdin", envFlag: "secret-env"}
}

// flagName is a settings field's flag: org_url is --org-url.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

// newSourceAddCmd is `source add <kind>`, its flags built from the vendor's
// settings spec: one per setting, the credential from --secret-stdin or
// --secret-env.
func newSourceAddCmd(e *env, v vendor.Vendor) *cobra.Command {
	spec := v.Spec()
	var name string
	values := map[string]*string{}
	cred := credentialFlags()
	credential := spec.Credential()
	cmd := &cobra.Command{
		Use:   addUsage(v.Kind(), spec),
		Short: "Add " + spec.Summary,
		Long: fmt.Sprintf(`Adds a read-only source to this workspace: %s.

The credential is %s. It is read from stdin (--secret-stdin) or from the
environment variable named by --secret-env, never from a flag value, and kept in the OS
keychain; the settings go to the workspace file.`, spec.Summary, credential.Help),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			need := []string{"name"}
			for _, f := range spec.Settings() {
				if f.Required && f.Default == "" && len(f.AuthModes) == 0 {
					need = append(need, flagName(f.Name))
				}
			}
			if err := required(cmd, need...); err != nil {
				return err
			}
			settings := map[string]string{}
			for _, f := range spec.Settings() {
				val := *values[f.Name]
				if f.Kind == vendor.FieldChoice {
					if err := oneOf(flagName(f.Name), val, f.ChoiceValues()...); err != nil {
						return err
					}
				}
				if val != "" {
					settings[f.Name] = val
				}
			}
			return e.addSource(&cred, workspace.NewSource{Name: name, Kind: v.Kind(), Settings: settings})
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "a name for this source, unique in the workspace")
	for _, fld := range spec.Settings() {
		values[fld.Name] = f.String(flagName(fld.Name), "", fld.Help)
	}
	cred.register(cmd)
	return cmd
}

// addUsage is the synopsis of `source add <kind>`: required flags bare,
// the others in brackets, e.g.
//
//	okta --name N --org-url URL [--auth api_token|private_key] [--client-id ID] (--secret-stdin | --secret-env NAME)
func addUsage(kind workspace.SourceKind, spec vendor.Spec) string {
	parts := []string{string(kind), "--name N"}
	for _, f := range spec.Settings() {
		flag := "--" + flagName(f.Name) + " " + placeholder(f)
		if f.Required && f.Default == "" && len(f.AuthModes) == 0 {
			parts = append(parts, flag)
		} else {
			parts = append(parts, "["+flag+"]")
		}
	}
	return strings.Join(append(parts, "(--secret-stdin | --secret-env NAME)"), " ")
}

func placeholder(f vendor.Field) string {
	switch f.Kind {
	case vendor.FieldURL:
		return "URL"
	case vendor.FieldChoice:
		return strings.Join(f.ChoiceValues(), "|")
	case vendor.FieldList:
		return "'A B …'"
	}
	words := strings.Split(f.Name, "_")
	return strings.ToUpper(words[len(words)-1])
}

// addSource reads the credential, then adds the source through the engine,
// which stores the credential in the keychain before it writes the source.
func (e *env) addSource(cred *secretFlags, req workspace.NewSource) error {
	v, err := e.readSecret(cred)
	if err != nil {
		return err
	}
	req.Credential = v
	w, err := e.open()
	if err != nil {
		return err
	}
	defer w.Close()
	e.log.Debug("add source", "request", req)
	src, err := w.Service.AddSource(e.ctx, req)
	if err != nil {
		return err
	}
	e.log.Debug("source added", "id", src.ID, "name", src.Name, "kind", src.Kind)
	return e.show(sourceAdded{Source: src, desc: w.Vendors.Describe(src)})
}

func newSourceListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the workspace's sources, archived ones included",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			sources, err := w.Service.Sources(e.ctx)
			if err != nil {
				return err
			}
			if sources == nil {
				sources = []workspace.Source{}
			}
			return e.show(sourceList{Sources: sources, vendors: w.Vendors})
		},
	}
}

func newSourceArchiveCmd(e *env) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "archive --name N",
		Short: "Archive a source and remove its credential from the keychain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "name"); err != nil {
				return err
			}
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			src, err := w.Service.ArchiveSource(e.ctx, name)
			if err != nil {
				return err
			}
			return e.show(sourceArchived{src})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the source to archive")
	return cmd
}
