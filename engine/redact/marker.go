package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// MarkerPrefix starts every marker. Views test for it to show "redacted"
// instead of a value.
const MarkerPrefix = "[REDACTED"

// DigestScheme names the keyed digest a marker carries: HMAC-SHA256 under
// the workspace key derived for secret digests (engine/keys).
const DigestScheme = "hmac-sha256"

// Marker stands in for a redacted value:
//
//	[REDACTED client_secret hmac-sha256:<64 hex digits>]
//
// Field is the JSON member name that held the value ("headers[]" for an
// element of an array). The digest lets two snapshots show that a secret
// changed without either storing it; whoever lacks the workspace key cannot
// test a guess against it.
type Marker struct {
	Field  string
	Digest string
}

// String is the marker text.
func (m Marker) String() string {
	return MarkerPrefix + " " + m.Field + " " + DigestScheme + ":" + m.Digest + "]"
}

// Encode returns the marker as it is written for a field of encoding e: the
// text, or its standard base64 for a binary field (so an SDK that decodes
// the field gets the marker text back rather than failing the page).
func (m Marker) Encode(e Encoding) string {
	if e == Base64 {
		return base64.StdEncoding.EncodeToString([]byte(m.String()))
	}
	return m.String()
}

var markerRE = regexp.MustCompile(`^\[REDACTED ([A-Za-z0-9_.\[\]-]{1,80}) hmac-sha256:([0-9a-f]{64})\]$`)

// ParseMarker reads a marker, in text or base64 form.
func ParseMarker(s string) (Marker, bool) {
	if m := markerRE.FindStringSubmatch(s); m != nil {
		return Marker{Field: m[1], Digest: m[2]}, true
	}
	if len(s) < 100 || len(s) > 240 || strings.HasPrefix(s, MarkerPrefix) {
		return Marker{}, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Marker{}, false
	}
	if m := markerRE.FindStringSubmatch(string(b)); m != nil {
		return Marker{Field: m[1], Digest: m[2]}, true
	}
	return Marker{}, false
}

// IsMarker reports whether s is a marker (text or base64).
func IsMarker(s string) bool {
	_, ok := ParseMarker(s)
	return ok
}

// fieldName makes a member name safe inside a marker: a name with spaces,
// quotes or brackets of its own cannot break the marker's shape.
func fieldName(name string, element bool) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	s := b.String()
	if s == "" {
		s = "_"
	}
	if element {
		s += "[]"
	}
	return s
}
