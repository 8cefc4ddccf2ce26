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
	"strconv"
	"strings"
)

// ErrCredentialsInURL is wrapped when a URL carries a user name or
// password: a secret is given on its own and kept in the keychain, never in
// a URL the workspace file records.
var ErrCredentialsInURL = errors.New("carries credentials in the URL")

// expected ends every refusal: what a base URL looks like.
const expected = "expected a base URL such as https://example.okta.com or https://portal.example.com:8443/api"

// Parse validates raw as an API base URL (a scheme, a host, an optional
// port and path; nothing else) and returns it without a trailing slash. A
// refusal says what is wrong and what is expected; it quotes the URL
// without any user info, query or fragment, which could hold a secret.
func Parse(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("no URL given; %s", expected)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL
		}
		return nil, fmt.Errorf("not a URL (%v); %s", err, expected)
	}
	shown := strconv.Quote(safe(u))
	switch {
	case u.Scheme == "":
		return nil, fmt.Errorf("%s has no scheme (https://); %s", shown, expected)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%s: the scheme must be https (or http for a loopback host), not %q; %s", shown, u.Scheme, expected)
	case u.User != nil:
		return nil, fmt.Errorf("%s %w; give the URL without them and the secret on its own", shown, ErrCredentialsInURL)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, fmt.Errorf("%s has no host; %s", shown, expected)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("%s has a query (?…); a base URL takes none: %s", shown, expected)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("%s has a fragment (#…); a base URL takes none: %s", shown, expected)
	}
	if err := checkHost(u.Hostname()); err != nil {
		return nil, fmt.Errorf("%s: %v; %s", shown, err, expected)
	}
	if err := checkPort(u); err != nil {
		return nil, fmt.Errorf("%s: %v; %s", shown, err, expected)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%s uses plain http; only loopback hosts (127.0.0.1, ::1, localhost) may, anything else needs https", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// checkHost accepts an IP address or a DNS name: dot-separated labels of
// ASCII letters, digits and hyphens, none empty, none starting or ending
// with a hyphen, at most 63 characters each and 253 in all.
func checkHost(h string) error {
	if net.ParseIP(h) != nil {
		return nil
	}
	if len(h) > 253 {
		return fmt.Errorf("the host name is %d characters long; at most 253", len(h))
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return fmt.Errorf("the host %q has an empty label (two dots, or a leading or trailing one)", h)
		}
		if len(label) > 63 {
			return fmt.Errorf("the host %q has a label longer than 63 characters", h)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("the host %q has a label that starts or ends with '-'", h)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("the host %q holds %q; a host name is ASCII letters, digits, '-' and '.' (an international name in its xn-- form)", h, r)
			}
		}
	}
	return nil
}

// checkPort accepts no port, or a number from 1 to 65535.
func checkPort(u *url.URL) error {
	p := u.Port()
	if p == "" {
		if strings.HasSuffix(u.Host, ":") {
			return errors.New("the port after ':' is empty")
		}
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %s is not a port number (1 to 65535)", p)
	}
	return nil
}

// safe is u for a message: without user info, query or fragment.
func safe(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User("REDACTED")
	}
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	return c.String()
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
