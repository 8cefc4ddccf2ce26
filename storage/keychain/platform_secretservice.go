//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keychain

import (
	"fmt"
	"os"
)

// These are the platforms where go-keyring talks to a Secret Service over
// the D-Bus session bus.

const fixHint = "start an unlocked Secret Service such as gnome-keyring (e.g. run inside `dbus-run-session` with `gnome-keyring-daemon --unlock`)"

const hangCause = "the Secret Service on the D-Bus session bus did not respond; a locked keyring waits for an unlock prompt no one can answer"

// precheck fails fast when there is no session bus at all. Without one,
// godbus runs `dbus-launch`, which starts a stray dbus-daemon per call whose
// freshly activated keyring is locked: the call would hang and leak a process.
func precheck() error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	runtimeDir := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, name := range []string{"bus", "dbus-session"} { // where godbus looks
		if _, err := os.Stat(runtimeDir + "/" + name); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and %s/bus does not exist), so no Secret Service can answer", runtimeDir)
}
