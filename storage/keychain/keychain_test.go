package keychain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

var _ workspace.Secrets = (*Keychain)(nil)

const fakeToken = "fake-okta-token-for-tests"

// usesSecretService reports whether go-keyring talks D-Bus on this platform.
func usesSecretService() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return false
	}
	return true
}

// realKeychain returns a Keychain backed by the OS keychain and a workspace
// id no one else uses. Under `make test` (PMC_KEYCHAIN_TESTS=1) a keychain
// that does not answer fails the test; in a plain `go test` without a
// session bus the test is skipped.
func realKeychain(t *testing.T) (*Keychain, string) {
	t.Helper()
	required := os.Getenv("PMC_KEYCHAIN_TESTS") == "1"
	if usesSecretService() && !required && precheck() != nil {
		t.Skip("no D-Bus session bus, so no Secret Service to test against: run `make test`, or " +
			"`scripts/with-keyring.sh go test ./storage/keychain/`, or set PMC_KEYCHAIN_TESTS=1 to make this a failure")
	}
	k := New()
	ws := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	ctx := context.Background()
	if err := k.Set(ctx, ws, "probe", secret.New(fakeToken)); err != nil {
		t.Fatalf("the OS keychain must work for this test: %v", err)
	}
	if err := k.Delete(ctx, ws, "probe"); err != nil {
		t.Fatalf("remove the probe entry: %v", err)
	}
	return k, ws
}

func cleanupRole(t *testing.T, k *Keychain, ws, role string) {
	t.Cleanup(func() {
		if err := k.Delete(context.Background(), ws, role); err != nil {
			t.Errorf("cleanup %s/%s: %v", ws, role, err)
		}
	})
}

func TestSetGetDelete(t *testing.T) {
	k, ws := realKeychain(t)
	ctx := context.Background()
	role := workspace.SourceRole("okta-prod")
	cleanupRole(t, k, ws, role)

	if err := k.Set(ctx, ws, role, secret.New(fakeToken)); err != nil {
		t.Fatal(err)
	}
	got, err := k.Get(ctx, ws, role)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reveal() != fakeToken {
		t.Fatalf("Get returned %d bytes, want the stored %d", len(got.Reveal()), len(fakeToken))
	}
	if err := k.Delete(ctx, ws, role); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, ws, role); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: got %v, want ErrNotFound", err)
	}
}

func TestOverwriteKeepsOneValue(t *testing.T) {
	k, ws := realKeychain(t)
	ctx := context.Background()
	role := workspace.RoleTargetToken
	cleanupRole(t, k, ws, role)

	for _, v := range []string{"fake-admin-token-one", "fake-admin-token-two"} {
		if err := k.Set(ctx, ws, role, secret.New(v)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := k.Get(ctx, ws, role)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reveal() != "fake-admin-token-two" {
		t.Fatal("Get after overwrite did not return the newest value")
	}
	// One Delete must leave nothing behind: an overwrite replaced the item
	// instead of adding a second one.
	if err := k.Delete(ctx, ws, role); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, ws, role); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after one Delete: got %v, want ErrNotFound", err)
	}
}

func TestUnicodeAndLargeValues(t *testing.T) {
	k, ws := realKeychain(t)
	ctx := context.Background()
	large := strings.Repeat("fake-entra-secret-0123456789-", 70)[:2000]
	cases := []struct{ role, value string }{
		{workspace.SourceRole("Zürich Ågent 東京 🔑"), "fake-ünïcødé-tøken-пароль-密码-🔐"},
		{workspace.SourceRole("entra-large"), large},
		{workspace.SourceRole("pem"), "-----BEGIN PRIVATE KEY-----\nfake-key-for-tests\n-----END PRIVATE KEY-----"},
		// A vendor secret whose spaces are part of it comes back whole.
		{workspace.VendorSecretRole("src", "0oa1", "protocol.credentials.client.client_secret"), "  fake-spaced-vendor-secret \t"},
	}
	for _, c := range cases {
		cleanupRole(t, k, ws, c.role)
		if err := k.Set(ctx, ws, c.role, secret.Exact(c.value)); err != nil {
			t.Fatalf("Set %q (%d bytes): %v", c.role, len(c.value), err)
		}
	}
	for _, c := range cases {
		got, err := k.Get(ctx, ws, c.role)
		if err != nil {
			t.Fatalf("Get %q: %v", c.role, err)
		}
		if got.Reveal() != c.value {
			t.Errorf("Get %q: %d bytes came back, want the %d stored", c.role, len(got.Reveal()), len(c.value))
		}
	}
}

func TestMissingEntry(t *testing.T) {
	k, ws := realKeychain(t)
	ctx := context.Background()
	_, err := k.Get(ctx, ws, "never-stored")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing entry: got %v, want ErrNotFound", err)
	}
	if errors.Is(err, ErrUnavailable) {
		t.Fatalf("a missing entry is not an unavailable keychain: %v", err)
	}
	if err := k.Delete(ctx, ws, "never-stored"); err != nil {
		t.Fatalf("Delete of a missing entry must succeed, got %v", err)
	}
}

func TestWorkspacesDoNotShareEntries(t *testing.T) {
	k, ws := realKeychain(t)
	ctx := context.Background()
	other := ws + "-other"
	cleanupRole(t, k, ws, "shared-role")
	if err := k.Set(ctx, ws, "shared-role", secret.New(fakeToken)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, other, "shared-role"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another workspace read this one's entry: %v", err)
	}
}

func TestRejectsBadInputWithoutTouchingTheKeychain(t *testing.T) {
	k := New()
	ctx := context.Background()
	for _, c := range []struct{ ws, role string }{{"", "r"}, {"ws", ""}, {"a/b", "r"}} {
		if err := k.Set(ctx, c.ws, c.role, secret.New(fakeToken)); err == nil || errors.Is(err, ErrUnavailable) {
			t.Errorf("Set(%q, %q): got %v, want an input error", c.ws, c.role, err)
		}
	}
	if err := k.Set(ctx, "ws", "r", secret.Value{}); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("Set of an empty secret: got %v, want an input error", err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := New().Set(ctx, "ws", "r", secret.New(fakeToken))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// noKeychainModeEnv selects what TestNoKeychainSubprocess simulates.
const noKeychainModeEnv = "PMC_KEYCHAIN_TEST_NO_KEYCHAIN_MODE"

// TestNoKeychain runs the no-keychain cases in a child process: godbus keeps
// one shared session-bus connection per process, so a bus this process has
// already reached would hide a dead one.
func TestNoKeychain(t *testing.T) {
	if !usesSecretService() {
		t.Skip("only the D-Bus Secret Service can be made unreachable from a test")
	}
	modes := []string{"refused", "silent"}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err != nil {
		modes = append(modes, "unset")
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNoKeychainSubprocess$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), noKeychainModeEnv+"="+mode, "PMC_KEYCHAIN_TEST_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestNoKeychainSubprocess") {
				t.Fatalf("child process (%v):\n%s", err, out)
			}
		})
	}
}

func TestNoKeychainSubprocess(t *testing.T) {
	mode := os.Getenv(noKeychainModeEnv)
	if mode == "" {
		t.Skip("run by TestNoKeychain in a child process")
	}
	dir := os.Getenv("PMC_KEYCHAIN_TEST_DIR")
	sock := filepath.Join(dir, "bus")
	switch mode {
	case "refused": // a socket file no one listens on any more
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		l.SetUnlinkOnClose(false)
		l.Close()
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
	case "silent": // a bus that accepts the connection and never answers
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
			}
		}()
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
	case "unset":
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	default:
		t.Fatalf("unknown mode %q", mode)
	}

	k := NewWithTimeout(500 * time.Millisecond)
	ctx := context.Background()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("%s: got %v, want ErrUnavailable", op, err)
		}
		if errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: an unreachable keychain must not look like a missing entry: %v", op, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "start an unlocked Secret Service such as gnome-keyring (e.g. run inside `dbus-run-session` with `gnome-keyring-daemon --unlock`)") {
			t.Fatalf("%s: the error does not name the fix: %v", op, msg)
		}
		if strings.Contains(msg, fakeToken) {
			t.Fatalf("%s: the error reveals the secret: %v", op, msg)
		}
		t.Logf("%s: %v", op, msg)
	}
	check("Set", k.Set(ctx, "ws", "r", secret.New(fakeToken)))
	_, err := k.Get(ctx, "ws", "r")
	check("Get", err)
	check("Delete", k.Delete(ctx, "ws", "r"))
	if mode == "silent" && !strings.Contains(err.Error(), "no answer within 500ms") {
		t.Fatalf("a silent bus must end in the timeout: %v", err)
	}
}
