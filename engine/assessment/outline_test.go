package assessment

import "testing"

func TestOutlineNamesWhatATemplateFillsIn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"{{.Name}} signs in personal accounts ({{.App.SignInAudience}})", "‹name› signs in personal accounts (‹sign in audience›)"},
		{"{{.Name}} defines app roles ({{list .V.roles}}); tokens", "‹name› defines app roles (‹roles›); tokens"},
		{"{{.Name}} is {{if .App.Publisher}}{{.App.Publisher}}'s{{else}}another organisation's{{end}} app",
			"‹name› is [‹publisher›'s | another organisation's] app"},
		{"calls {{plural (len .V.apis) \"API\"}} with{{with .App.Publisher}} ({{.}}){{end}} tokens", "calls ‹apis› with[ (‹value›)] tokens"},
		{"{{.Assignment.PrincipalName}} of {{.V.client_type}}", "‹principal name› of ‹client type›"},
		{"{{.Name", "{{.Name"}, // does not parse: as written
	} {
		if got := Outline(c.in); got != c.want {
			t.Errorf("Outline(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
