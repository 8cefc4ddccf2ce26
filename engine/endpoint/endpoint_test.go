package endpoint

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	for raw, want := range map[string]string{
		"https://acme.okta.com":                    "https://acme.okta.com",
		"  https://acme.okta.com/  ":               "https://acme.okta.com",
		"https://graph.microsoft.us/v1.0/":         "https://graph.microsoft.us/v1.0",
		"https://portal.example.com:8443/api":      "https://portal.example.com:8443/api",
		"https://ACME.Okta.com:443":                "https://ACME.Okta.com:443",
		"http://127.0.0.1:8787":                    "http://127.0.0.1:8787",
		"http://localhost:1":                       "http://localhost:1",
		"http://[::1]:65535":                       "http://[::1]:65535",
		"https://10.0.0.7":                         "https://10.0.0.7",
		"https://xn--bcher-kva.example":            "https://xn--bcher-kva.example",
		"https://login.partner.microsoftonline.cn": "https://login.partner.microsoftonline.cn",
	} {
		u, err := Parse(raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", raw, err)
			continue
		}
		if u.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", raw, u, want)
		}
	}
}

// TestParseRefuses: each refusal says what is wrong, what is expected, and
// never quotes user info, a query or a fragment (where a secret could be).
func TestParseRefuses(t *testing.T) {
	for raw, says := range map[string]string{
		"":                            "no URL given",
		"https://acme.okta.com:99999": "port 99999 is not a port number (1 to 65535)",
		"https://acme.okta.com:0":     "port 0 is not a port number",
		"https://acme.okta.com:":      "the port after ':' is empty",
		"https://acme.okta.com:https": "not a URL",
		"https://":                    "has no host",
		"https:///path":               "has no host",
		"https:acme.okta.com":         "has no host",
		"acme.okta.com":               "has no scheme",
		"//acme.okta.com":             "has no scheme",
		"ftp://acme.okta.com":         `the scheme must be https (or http for a loopback host), not "ftp"`,
		"file:///etc/passwd":          "the scheme must be https",
		"javascript:alert(1)":         "the scheme must be https",
		"http://acme.okta.com":        "uses plain http",
		"https://admin:fake-password-for-tests@acme.okta.com": "carries credentials in the URL",
		"https://acme.okta.com/?token=fake-token-for-tests":   "has a query",
		"https://acme.okta.com/#fake-token-for-tests":         "has a fragment",
		"https://acme.okta.com/#":                             "has a fragment",
		"https://acme.okta.com?":                              "has a query",
		"https://acme..okta.com":                              "empty label",
		"https://-acme.okta.com":                              "starts or ends with '-'",
		"https://acme_corp.okta.com":                          "holds '_'",
		"https://bücher.example":                              "xn-- form",
		"https://" + strings.Repeat("a", 64) + ".com":         "longer than 63",
		"https://acme okta.com":                               "not a URL",
		"https://acme.okta.com/%zz":                           "not a URL",
	} {
		_, err := Parse(raw)
		if err == nil {
			t.Errorf("Parse(%q) accepted", raw)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, says) {
			t.Errorf("Parse(%q) = %q, want it to say %q", raw, msg, says)
		}
		if !strings.Contains(msg, "expected a base URL") && !strings.Contains(msg, "needs https") && !strings.Contains(msg, "secret on its own") {
			t.Errorf("Parse(%q) = %q does not say what is expected", raw, msg)
		}
		if strings.Contains(msg, "fake-") {
			t.Errorf("Parse(%q) quotes the secret: %q", raw, msg)
		}
	}
	if _, err := Parse("https://u:fake-pw@acme.okta.com"); !errors.Is(err, ErrCredentialsInURL) {
		t.Errorf("user info: %v, want ErrCredentialsInURL", err)
	}
}
