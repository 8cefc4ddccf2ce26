// Package redact removes secrets from vendor payloads before anything stores,
// indexes, shows or exports them. Each vendor package declares its
// secret-bearing fields as data (a catalogue of Field values citing the
// vendor's API reference); this package matches them in a JSON body, plus a
// vendor-neutral safety net for fields no catalogue lists (see rules.go),
// and replaces every secret value by a marker string that names the field
// and carries a keyed digest of the value (see marker.go).
//
// Replacement is a byte splice: everything that is not a secret value stays
// byte for byte as the vendor sent it, and a marker keeps the JSON type
// string so the vendor SDKs still parse the body. docs/evidence.md explains
// what is stored and why.
package redact

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"path"
	"strings"
)

// Encoding is how a field carries its value inside the JSON string.
type Encoding int

const (
	// Text: the string is the value.
	Text Encoding = iota
	// Base64: the string is standard base64 (OData Edm.Binary). Typed SDKs
	// decode it, so its marker is base64-encoded too (see Marker.Encode).
	Base64
)

// Field is one secret-bearing field of a vendor's payloads.
type Field struct {
	// Resource is the vendor's name for the object holding the field.
	Resource string
	// Endpoints are the URL paths that return the resource, as path.Match
	// patterns ("/api/v1/idps", "/api/v1/idps/*"). A body from one of them
	// that cannot be parsed is refused rather than stored.
	Endpoints []string
	// Path locates the value inside one resource: member names separated
	// by dots, "[]" after a member for each element of an array, e.g.
	// "channel.config.headers[].value". It matches wherever the resource
	// sits in a page (a bare array, Graph's "value" wrapper, a single
	// object). Member names match case-insensitively, as encoding/json
	// and the vendor SDKs match them.
	Path string
	// Encoding of the value; Text unless the vendor documents binary.
	Encoding Encoding
	// Public reports a value that sits at Path but is not secret (a public
	// X.509 certificate in a key credential). Nil: every value is secret.
	Public func(value string) bool
	// Keep means the migration needs the plain value (recreating an
	// upstream provider in the Portal needs its client secret): it goes to
	// the OS keychain, never to the workspace file.
	Keep bool
	// Doc cites the vendor reference that documents the field.
	Doc string
}

// segment is one step of a path: a member name, or "[]" for any element of
// an array.
type segment string

const anyElement segment = "[]"

func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []segment
	for _, part := range strings.Split(p, ".") {
		name, arrays := part, 0
		for strings.HasSuffix(name, "[]") {
			name, arrays = strings.TrimSuffix(name, "[]"), arrays+1
		}
		if name == "" {
			return nil, fmt.Errorf("path %q has an empty member name", p)
		}
		segs = append(segs, segment(strings.ToLower(name)))
		for range arrays {
			segs = append(segs, anyElement)
		}
	}
	return segs, nil
}

type compiledField struct {
	Field
	segs []segment
}

func compile(fields []Field) ([]compiledField, error) {
	out := make([]compiledField, 0, len(fields))
	for _, f := range fields {
		segs, err := parsePath(f.Path)
		if err != nil {
			return nil, fmt.Errorf("secret field of %s: %w", f.Resource, err)
		}
		if len(f.Endpoints) == 0 {
			return nil, fmt.Errorf("secret field %s of %s names no endpoint", f.Path, f.Resource)
		}
		for _, e := range f.Endpoints {
			if _, err := path.Match(e, "/"); err != nil {
				return nil, fmt.Errorf("secret field %s of %s: endpoint pattern %q: %w", f.Path, f.Resource, e, err)
			}
		}
		out = append(out, compiledField{Field: f, segs: segs})
	}
	return out, nil
}

// servedBy reports whether endpoint is one of the field's; "" (unknown, as
// for payloads stored before redaction existed) matches every field.
func (f compiledField) servedBy(endpoint string) bool {
	if endpoint == "" {
		return true
	}
	for _, e := range f.Endpoints {
		if ok, _ := path.Match(e, endpoint); ok {
			return true
		}
	}
	return false
}

// matches reports whether the location ends with the field's path, and
// where the resource that holds it starts (the number of location steps
// before the path).
func (f compiledField) matches(loc []step) (int, bool) {
	if len(loc) < len(f.segs) {
		return 0, false
	}
	root := len(loc) - len(f.segs)
	for i, s := range f.segs {
		st := loc[root+i]
		if s == anyElement {
			if !st.index {
				return 0, false
			}
			continue
		}
		if st.index || st.name.lower != string(s) {
			return 0, false
		}
	}
	return root, true
}

// PublicCertificate reports whether value is the standard base64 DER of an
// X.509 certificate: public material, safe to keep (Graph's keyCredential
// "key" holds one for a certificate credential, and may hold a private or
// symmetric key otherwise).
func PublicCertificate(value string) bool {
	der, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return false
	}
	_, err = x509.ParseCertificate(der)
	return err == nil
}
