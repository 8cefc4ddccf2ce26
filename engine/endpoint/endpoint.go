// Package endpoint checks the base URLs the console talks to: incumbent APIs
// and the Portal admin API. Anything off the machine must be https with
// normal certificate checks; plain http is accepted only for loopback hosts
// (tests, the demo and rehearsals against the sandbox).
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrCredentialsInURL is wrapped when a URL carries a user name or
// password: a secret is given on its own and kept in the keychain, never in
// a URL the workspace file records.
var ErrCredentialsInURL = errors.New("carries credentials in the URL")

// Parse validates raw as an API base URL and returns it without a trailing
// slash, query or fragment.
func Parse(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("no URL given")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host (expected something like https://example.okta.com)", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q %w; give the URL without them and the secret on its own", redactUser(u), ErrCredentialsInURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%q uses plain http; only loopback hosts (127.0.0.1, ::1, localhost) may, anything else needs https", raw)
		}
	default:
		return nil, fmt.Errorf("%q: scheme must be https (or http for a loopback host)", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func redactUser(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}
