// Package redacttest generates vendor-shaped pages with secrets at a
// catalogue's paths for property tests (pgregory.net/rapid): each vendor
// package checks its own catalogue with it.
package redacttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/redact"
)

// Page is a generated body: where its secrets are, and what the body must
// be after redaction.
type Page struct {
	Endpoint string
	Body     []byte
	Secrets  []Secret
}

// Secret is one planted secret value.
type Secret struct {
	Field      redact.Field
	Value      string
	start, end int // the quoted value's bytes in Body
	member     string
	element    bool
}

// innocuous member names: none is a catalogue segment or looks secret.
var innocuous = []string{"alpha", "beta", "gamma", "label", "status", "href", "count", "enabled", "items", "lastUpdated", "displayName", "zeta"}

type gen struct {
	t       *rapid.T
	b       bytes.Buffer
	secrets []Secret
}

func (g *gen) ws() {
	g.b.WriteString(rapid.SampledFrom([]string{"", "", " ", "\n  ", "\t"}).Draw(g.t, "ws"))
}

func (g *gen) str(s string) {
	b, _ := json.Marshal(s)
	g.b.Write(b)
}

// filler writes an innocuous JSON value.
func (g *gen) filler(depth int) {
	kind := rapid.IntRange(0, 6).Draw(g.t, "filler")
	if depth > 2 && kind >= 5 {
		kind = 0
	}
	switch kind {
	case 0:
		g.str(rapid.String().Draw(g.t, "text"))
	case 1:
		g.b.WriteString(strconv.Itoa(rapid.IntRange(-1000, 1000000).Draw(g.t, "int")))
	case 2:
		g.b.WriteString(rapid.SampledFrom([]string{"true", "false", "null", "1.5e3", "-0.25"}).Draw(g.t, "lit"))
	case 3:
		g.str(rapid.StringMatching(`https://[a-z]{3,8}\.example\.test/[a-z0-9/]{0,12}`).Draw(g.t, "url"))
	case 4:
		g.str("****")
	case 5:
		g.b.WriteByte('[')
		n := rapid.IntRange(0, 3).Draw(g.t, "n")
		for i := range n {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.ws()
			g.filler(depth + 1)
		}
		g.b.WriteByte(']')
	case 6:
		g.object(depth+1, nil, nil)
	}
}

// object writes an object with innocuous members and, when rest is set,
// the member that continues a catalogue path.
func (g *gen) object(depth int, f *redact.Field, rest []string) {
	g.b.WriteByte('{')
	n := rapid.IntRange(0, 3).Draw(g.t, "members")
	at := -1
	if f != nil {
		at = rapid.IntRange(0, n).Draw(g.t, "at")
	}
	first := true
	used := map[string]bool{}
	for i := 0; i <= n; i++ {
		if i == at {
			if !first {
				g.b.WriteByte(',')
			}
			first = false
			g.ws()
			g.path(depth, *f, rest)
		}
		if i == n {
			break
		}
		name := rapid.SampledFrom(innocuous).Draw(g.t, "name")
		if used[name] {
			continue
		}
		used[name] = true
		if !first {
			g.b.WriteByte(',')
		}
		first = false
		g.ws()
		g.str(name)
		g.ws()
		g.b.WriteByte(':')
		g.ws()
		g.filler(depth)
	}
	g.ws()
	g.b.WriteByte('}')
}

// path writes `"member": ...` for rest[0], down to the secret.
func (g *gen) path(depth int, f redact.Field, rest []string) {
	member := rest[0]
	arrays := 0
	for strings.HasSuffix(member, "[]") {
		member, arrays = strings.TrimSuffix(member, "[]"), arrays+1
	}
	g.str(member)
	g.ws()
	g.b.WriteByte(':')
	g.ws()
	g.under(depth, f, member, arrays, rest[1:])
}

func (g *gen) under(depth int, f redact.Field, member string, arrays int, rest []string) {
	if arrays > 0 {
		g.b.WriteByte('[')
		n := rapid.IntRange(1, 3).Draw(g.t, "elements")
		for i := range n {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.ws()
			g.under(depth+1, f, member, arrays-1, rest)
		}
		g.b.WriteByte(']')
		return
	}
	if len(rest) > 0 {
		g.object(depth+1, &f, rest)
		return
	}
	value := "fake-" + rapid.StringMatching(`[A-Za-z0-9_-]{12,40}`).Draw(g.t, "secret")
	if f.Encoding == redact.Base64 {
		value = base64.StdEncoding.EncodeToString([]byte(value))
	}
	start := g.b.Len()
	g.str(value)
	g.secrets = append(g.secrets, Secret{Field: f, Value: value, start: start, end: g.b.Len(), member: member, element: strings.HasSuffix(f.Path, "[]")})
}

// Draw generates a page of one of fields' endpoints: a bare array or a
// {"value": [...]} wrapper of resources, each holding one or more of the
// endpoint's fields at their paths among innocuous members.
func Draw(t *rapid.T, fields []redact.Field) Page {
	f := rapid.SampledFrom(fields).Draw(t, "field")
	endpoint := concrete(rapid.SampledFrom(f.Endpoints).Draw(t, "endpoint"))
	var served []redact.Field
	for _, o := range fields {
		for _, e := range o.Endpoints {
			if ok, _ := path.Match(e, endpoint); ok {
				served = append(served, o)
				break
			}
		}
	}
	g := &gen{t: t}
	// A path that names Graph's "value" wrapper itself (a list of
	// key/value pairs) is written unwrapped: wrapping it again would make
	// the wrapper part of the path.
	wrapped := rapid.Bool().Draw(t, "wrapped")
	for _, o := range served {
		if strings.HasPrefix(o.Path, "value.") || strings.HasPrefix(o.Path, "value[]") {
			wrapped = false
		}
	}
	if wrapped {
		g.b.WriteString(`{"value":`)
	}
	g.b.WriteByte('[')
	n := rapid.IntRange(1, 4).Draw(t, "resources")
	for i := range n {
		if i > 0 {
			g.b.WriteByte(',')
		}
		g.ws()
		pick := rapid.SampledFrom(served).Draw(t, "resource field")
		g.object(0, &pick, strings.Split(pick.Path, "."))
	}
	g.b.WriteByte(']')
	if wrapped {
		g.b.WriteByte('}')
	}
	return Page{Endpoint: endpoint, Body: g.b.Bytes(), Secrets: g.secrets}
}

// concrete turns an endpoint pattern into a path it matches.
func concrete(pattern string) string {
	return strings.ReplaceAll(pattern, "*", "0oaFAKE1")
}

// Want is the body redaction must produce: the page with each secret's
// marker spliced in and every other byte as generated.
func (p Page) Want(digest func([]byte) string) []byte {
	secrets := append([]Secret(nil), p.Secrets...)
	sort.Slice(secrets, func(i, j int) bool { return secrets[i].start < secrets[j].start })
	var out bytes.Buffer
	at := 0
	for _, s := range secrets {
		out.Write(p.Body[at:s.start])
		name := s.member
		if s.element {
			name += "[]"
		}
		m := redact.Marker{Field: name, Digest: digest([]byte(s.Value))}
		out.WriteString(strconv.Quote(m.Encode(s.Field.Encoding)))
		at = s.end
	}
	out.Write(p.Body[at:])
	return out.Bytes()
}

// Check redacts a generated page and fails t unless the result is exactly
// Want, holds no planted value, and records one redaction per secret.
func Check(t *rapid.T, r *redact.Redactor, fields []redact.Field, digest func([]byte) string) {
	p := Draw(t, fields)
	res, err := r.Redact(p.Endpoint, p.Body)
	if err != nil {
		t.Fatalf("redact %s: %v\n%s", p.Endpoint, err, p.Body)
	}
	if want := p.Want(digest); !bytes.Equal(res.Body, want) {
		t.Fatalf("redacted body differs beyond the secrets\n got: %s\nwant: %s", res.Body, want)
	}
	for _, s := range p.Secrets {
		if bytes.Contains(res.Body, []byte(s.Value)) {
			t.Fatalf("secret %q of %s survived", s.Value, s.Field.Path)
		}
	}
	if len(res.Redactions) != len(p.Secrets) {
		t.Fatalf("%d redactions recorded for %d secrets: %s", len(res.Redactions), len(p.Secrets), fmt.Sprint(res.Redactions))
	}
	if !json.Valid(res.Body) {
		t.Fatalf("redacted body is not JSON: %s", res.Body)
	}
}
