package sandbox

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"

	"github.com/portal-id/migration-console/engine/endpoint"
)

// isBidiControl reports the bidirectional formatting characters that can
// make a name display differently from what it is ("Trojan Source").
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// checkJSONText refuses odd characters anywhere in a request body: control
// characters other than tab and line breaks, bidi controls, and Unicode
// noncharacters. It expects a body that already parsed as JSON.
func checkJSONText(body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return invalid("body is not valid JSON")
	}
	return walkText(v, "")
}

func walkText(v any, path string) error {
	switch t := v.(type) {
	case string:
		return checkChars(path, t, true)
	case []any:
		for i, e := range t {
			if err := walkText(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range t {
			if err := checkChars("field name", k, false); err != nil {
				return err
			}
			if err := walkText(e, strings.TrimPrefix(path+"."+k, ".")); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkChars(field, s string, multiline bool) error {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return invalid("%s: control character U+%04X is not allowed", field, r)
		case isBidiControl(r):
			return invalid("%s: bidirectional control character U+%04X is not allowed", field, r)
		case r == '\uFFFE' || r == '\uFFFF' || (r >= '\uFDD0' && r <= '\uFDEF'):
			return invalid("%s: Unicode noncharacter U+%04X is not allowed", field, r)
		}
	}
	return nil
}

// checkName is for single-line display text: names, usernames.
func checkName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid("%s must not be blank", field)
	}
	if s != strings.TrimSpace(s) {
		return invalid("%s must not start or end with white space", field)
	}
	return checkChars(field, s, false)
}

// checkURL accepts https URLs, and http ones for loopback hosts only: the
// same rule the console applies to its own endpoints.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return invalid("%s: %q is not an absolute URL", field, clip(raw))
	}
	if u.User != nil {
		return invalid("%s: URLs must not carry credentials", field)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && endpoint.IsLoopback(u.Hostname())) {
		return nil
	}
	return invalid("%s: %q must use https (http only for loopback hosts)", field, clip(raw))
}

// checkRedirectURI also accepts a private-use scheme (com.example.app:/cb)
// for public native clients, as RFC 8252 describes.
func checkRedirectURI(field, raw string, public bool) error {
	u, err := url.Parse(raw)
	if err == nil && public && u.Scheme != "" && strings.Contains(u.Scheme, ".") && u.Fragment == "" {
		return nil
	}
	if err == nil && u.Fragment != "" {
		return invalid("%s: redirect URIs must not have a fragment", field)
	}
	return checkURL(field, raw)
}

// checkCertificate wants exactly one PEM block holding a parseable X.509
// certificate.
func checkCertificate(field, pemText string) error {
	block, rest := pem.Decode([]byte(pemText))
	if block == nil {
		return invalid("%s is not PEM (expected -----BEGIN CERTIFICATE-----)", field)
	}
	if block.Type != "CERTIFICATE" {
		return invalid("%s holds a %q PEM block, not a CERTIFICATE", field, clip(block.Type))
	}
	if strings.TrimSpace(string(rest)) != "" {
		return invalid("%s must hold exactly one certificate", field)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return invalid("%s does not parse as an X.509 certificate", field)
	}
	return nil
}

// normaliseDomain lower-cases an email domain and checks its shape.
func normaliseDomain(raw string) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(raw, "."))
	if len(d) == 0 || len(d) > 253 || !strings.Contains(d, ".") {
		return "", invalid("domain %q is not a domain name", clip(raw))
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", invalid("domain %q is not a domain name", clip(raw))
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", invalid("domain %q: use the ASCII (punycode) form", clip(raw))
			}
		}
	}
	return d, nil
}

func checkEmail(field, raw string) error {
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || a.Name != "" {
		return invalid("%s: %q is not a plain email address", field, clip(raw))
	}
	at := strings.LastIndexByte(raw, '@')
	if _, err := normaliseDomain(raw[at+1:]); err != nil {
		return invalid("%s: %q has no valid domain", field, clip(raw))
	}
	return nil
}
