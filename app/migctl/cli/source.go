package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portal-id/migration-console/engine/workspace"
)

func newSourceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source",
		Short: "Add, list and archive the incumbent Okta and Entra sources",
		RunE:  needSubcommand,
	}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a read-only connection to an Okta org or an Entra tenant",
		RunE:  needSubcommand,
	}
	add.AddCommand(newSourceAddOktaCmd(e), newSourceAddEntraCmd(e))
	cmd.AddCommand(add, newSourceListCmd(e), newSourceArchiveCmd(e), newSourceTestCmd(e))
	return cmd
}

func credentialFlags() secretFlags {
	return secretFlags{what: "the source credential", stdinFlag: "secret-stdin", envFlag: "secret-env"}
}

func newSourceAddOktaCmd(e *env) *cobra.Command {
	var name, orgURL, auth, clientID string
	cred := credentialFlags()
	cmd := &cobra.Command{
		Use:   "okta --name N --org-url URL [--auth api_token|private_key --client-id ID] (--secret-stdin | --secret-env NAME)",
		Short: "Add an Okta org: an API token, or a service app's PEM private key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "name", "org-url"); err != nil {
				return err
			}
			if err := oneOf("auth", auth, string(workspace.OktaAPIToken), string(workspace.OktaPrivateKey)); err != nil {
				return err
			}
			return e.addSource(&cred, workspace.NewSource{
				Name: name, Kind: workspace.KindOkta,
				Okta: &workspace.OktaSettings{OrgURL: orgURL, Auth: workspace.OktaAuth(auth), ClientID: clientID},
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "a name for this source, unique in the workspace")
	f.StringVar(&orgURL, "org-url", "", "the Okta org's base URL, e.g. https://example.okta.com")
	f.StringVar(&auth, "auth", "", "api_token (default) or private_key (OAuth service app)")
	f.StringVar(&clientID, "client-id", "", "the service app's client id (with --auth private_key)")
	cred.register(cmd)
	return cmd
}

func newSourceAddEntraCmd(e *env) *cobra.Command {
	var name, tenantID, clientID, cloud, graphURL, authorityURL, auth string
	cred := credentialFlags()
	cmd := &cobra.Command{
		Use:   "entra --name N --tenant-id ID [--client-id ID] [--cloud global|usgov|china] [--graph-url URL] [--authority-url URL] --auth client_secret|certificate|access_token (--secret-stdin | --secret-env NAME)",
		Short: "Add a Microsoft Entra tenant read through Microsoft Graph",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "name", "tenant-id", "auth"); err != nil {
				return err
			}
			if err := oneOf("auth", auth, string(workspace.EntraClientSecret), string(workspace.EntraCertificate), string(workspace.EntraAccessToken)); err != nil {
				return err
			}
			if err := oneOf("cloud", cloud, string(workspace.CloudGlobal), string(workspace.CloudUSGov), string(workspace.CloudChina)); err != nil {
				return err
			}
			return e.addSource(&cred, workspace.NewSource{
				Name: name, Kind: workspace.KindEntra,
				Entra: &workspace.EntraSettings{
					TenantID: tenantID, ClientID: clientID, Auth: workspace.EntraAuth(auth),
					Cloud: workspace.Cloud(cloud), GraphURL: graphURL, AuthorityURL: authorityURL,
				},
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "a name for this source, unique in the workspace")
	f.StringVar(&tenantID, "tenant-id", "", "the Entra tenant: its GUID or a verified domain")
	f.StringVar(&clientID, "client-id", "", "the app registration's application (client) id")
	f.StringVar(&cloud, "cloud", "", "global (default), usgov or china")
	f.StringVar(&graphURL, "graph-url", "", "override the cloud's Microsoft Graph base URL")
	f.StringVar(&authorityURL, "authority-url", "", "override the cloud's sign-in authority URL")
	f.StringVar(&auth, "auth", "", "client_secret, certificate (PEM) or access_token (short-lived, pasted)")
	cred.register(cmd)
	return cmd
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
	return e.print(src, func(out io.Writer) error {
		_, err := fmt.Fprintf(out, "Added %s source %q (%s); its credential is in the OS keychain.\n", src.Kind, src.Name, sourceEndpoint(src))
		return err
	})
}

// sourceList is the --json document of source list.
type sourceList struct {
	Sources []workspace.Source `json:"sources"`
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
			return e.print(sourceList{Sources: sources}, func(out io.Writer) error {
				if len(sources) == 0 {
					_, err := fmt.Fprintln(out, "No sources yet. Add one with 'migctl source add okta' or 'migctl source add entra'.")
					return err
				}
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tKIND\tSTATUS\tENDPOINT\tAUTH\tCREATED\tLAST INVENTORY")
				for _, s := range sources {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Status, sourceEndpoint(s), sourceAuth(s),
						formatTime(&s.CreatedAt), formatTime(s.LastInventoryAt))
				}
				return tw.Flush()
			})
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
			return e.print(src, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Archived source %q; its credential was removed from the keychain.\n", src.Name)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the source to archive")
	return cmd
}

func sourceEndpoint(s workspace.Source) string {
	switch {
	case s.Okta != nil:
		return s.Okta.OrgURL
	case s.Entra != nil:
		return fmt.Sprintf("tenant %s, %s cloud", s.Entra.TenantID, s.Entra.Cloud)
	}
	return ""
}

func sourceAuth(s workspace.Source) string {
	switch {
	case s.Okta != nil:
		return string(s.Okta.Auth)
	case s.Entra != nil:
		return string(s.Entra.Auth)
	}
	return ""
}
