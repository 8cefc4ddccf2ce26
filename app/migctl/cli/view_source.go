package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

// sourceAdded is what source add prints: the source (its JSON document,
// settings under its kind) and where it points.
type sourceAdded struct {
	workspace.Source
	desc vendor.Description
}

func (v sourceAdded) human(w io.Writer) error {
	_, err := fmt.Fprintf(w, "Added %s source %q (%s); its credential is in the OS keychain.\n", v.Kind, v.Name, v.desc.Endpoint)
	return err
}

// sourceArchived is what source archive prints.
type sourceArchived struct{ workspace.Source }

func (v sourceArchived) human(w io.Writer) error {
	_, err := fmt.Fprintf(w, "Archived source %q; its credential was removed from the keychain.\n", v.Name)
	return err
}

// sourceList is what source list prints.
type sourceList struct {
	Sources []workspace.Source `json:"sources"`
	vendors vendor.Registry
}

func (v sourceList) human(w io.Writer) error {
	if len(v.Sources) == 0 {
		_, err := fmt.Fprintf(w, "No sources yet. Add one with %s.\n", addSourceHint())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATUS\tENDPOINT\tAUTH\tCREATED\tLAST INVENTORY")
	for _, s := range v.Sources {
		d := v.vendors.Describe(s)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Status, d.Endpoint, d.Auth,
			formatTime(&s.CreatedAt), formatTime(s.LastInventoryAt))
	}
	return tw.Flush()
}

// sourceTestReport is what source test prints.
type sourceTestReport struct {
	Source      string                  `json:"source"`
	Kind        workspace.SourceKind    `json:"kind"`
	Endpoint    string                  `json:"endpoint"`
	AllReadable bool                    `json:"all_readable"`
	Domains     []inventory.DomainCheck `json:"domains"`
}

func (r sourceTestReport) human(out io.Writer) error {
	fmt.Fprintf(out, "Source %q (%s, %s):\n\n", r.Source, r.Kind, r.Endpoint)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tREADABLE\tANSWER")
	for _, c := range r.Domains {
		readable := "yes"
		if !c.Readable {
			readable = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Domain, readable, checkAnswer(c))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.AllReadable {
		_, err := fmt.Fprintln(out, "\nEvery inventory domain is readable. Next: 'migctl inventory collect --source "+r.Source+"'.")
		return err
	}
	return nil
}

// checkAnswer is what the API said: "ok", or its refusal as "403
// E0000006: You do not have permission ...".
func checkAnswer(c inventory.DomainCheck) string {
	if c.Readable {
		if c.Message != "" {
			return "ok (" + c.Message + ")"
		}
		return "ok"
	}
	var parts []string
	if c.Status != 0 {
		parts = append(parts, fmt.Sprint(c.Status))
	}
	if c.Code != "" {
		parts = append(parts, c.Code)
	}
	head := strings.Join(parts, " ")
	needs := ""
	if c.Needs != "" {
		needs = " (needs " + c.Needs + ")"
	}
	switch {
	case head != "" && c.Message != "":
		return head + ": " + c.Message + needs
	case head != "":
		return head + needs
	case c.Message != "":
		return c.Message + needs
	}
	return "denied, with no reason given" + needs
}
