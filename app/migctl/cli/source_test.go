package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSourceAddFlagsComeFromTheSpec: each vendor's `source add` takes a
// flag per setting of its spec, and the values reach the settings document.
func TestSourceAddFlagsComeFromTheSpec(t *testing.T) {
	h := newHarness(t)
	for kind, flags := range map[string][]string{
		"okta":  {"--name", "--org-url", "--auth api_token|private_key", "--client-id", "--scopes", "--secret-stdin", "--secret-env"},
		"entra": {"--name", "--tenant-id", "--client-id", "--auth client_secret|certificate|access_token", "--cloud global|usgov|china", "--graph-url", "--authority-url"},
	} {
		help := h.runRaw("", "source", "add", kind, "--help").stdout
		for _, f := range flags {
			if !strings.Contains(help, f) {
				t.Errorf("source add %s --help lacks %s:\n%s", kind, f, help)
			}
		}
	}
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	h.env["OKTA_KEY"] = "-----BEGIN PRIVATE KEY-----\nZmFrZS10ZXN0LW9ubHkta2V5\n-----END PRIVATE KEY-----"
	added := h.okJSON("", "source", "add", "okta", "--name", "okta-key", "--org-url", "https://acme.okta.com",
		"--auth", "private_key", "--client-id", "0oa-fake-client", "--scopes", "okta.apps.read, okta.groups.read", "--secret-env", "OKTA_KEY")
	want := map[string]any{"org_url": "https://acme.okta.com", "auth": "private_key", "client_id": "0oa-fake-client",
		"scopes": []any{"okta.apps.read", "okta.groups.read"}}
	if d := cmp.Diff(want, added["okta"]); d != "" {
		t.Errorf("settings of the added source (-want +got):\n%s", d)
	}
	r := h.run("fake-token", "source", "add", "okta", "--name", "o", "--org-url", "https://acme.okta.com", "--client-id", "0oa1", "--secret-stdin")
	checkError(t, r, 2, "Client ID applies only with authentication private_key")
}

// TestSourceTestFailsAtOnceOnADeadEndpoint: an org URL where nothing
// listens, or whose certificate is not trusted, fails the test before any
// domain is probed, naming the problem rather than the credential.
func TestSourceTestFailsAtOnceOnADeadEndpoint(t *testing.T) {
	h := newHarness(t)
	requireKeychain(t, h)
	h.createWorkspace("first_run_adoption")
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	probed := 0
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { probed++ }))
	defer untrusted.Close()
	h.addOkta("okta-dead", "http://"+deadAddr, "fake-token-for-tests")
	h.addOkta("okta-mitm", untrusted.URL, "fake-token-for-tests")

	checkError(t, h.run("", "source", "test", "--name", "okta-dead"), 1, "nothing listens at "+deadAddr)
	checkError(t, h.run("", "source", "test", "--name", "okta-mitm", "--json"), 1,
		"the certificate of "+strings.TrimPrefix(untrusted.URL, "https://")+" is not trusted")
	if probed != 0 {
		t.Errorf("%d requests reached a server whose certificate is not trusted", probed)
	}
}

func TestRateShareIsChecked(t *testing.T) {
	h := newHarness(t)
	h.createWorkspace("first_run_adoption")
	for _, v := range []string{"0", "1.5", "-0.2", "NaN"} {
		checkError(t, h.run("", "inventory", "collect", "--source", "x", "--rate-share", v), 2, "--rate-share")
	}
}
