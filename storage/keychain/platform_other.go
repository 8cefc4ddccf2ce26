//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keychain

import "runtime"

var fixHint = func() string {
	switch runtime.GOOS {
	case "darwin":
		return "unlock the login keychain (Keychain Access) and allow Portal Migration Console to use it"
	case "windows":
		return "sign in to a Windows account whose Credential Manager is available"
	default:
		return "run on macOS, Windows, or Linux with an unlocked Secret Service such as gnome-keyring"
	}
}()

const hangCause = "the keychain did not respond; it may be waiting for an unlock or access prompt"

// precheck has nothing to check: the keychain is part of the OS session.
func precheck() error { return nil }
