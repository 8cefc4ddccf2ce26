package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/portal-id/migration-console/engine/secret"
)

// ErrUnparseable is returned for a body that is not JSON from an endpoint a
// catalogue says can carry secrets: its secrets cannot be found, so it must
// not be stored.
var ErrUnparseable = errors.New("the body is not JSON, and its endpoint can carry secrets")

// Redaction records one redacted value. The plain value is held only in
// memory, for a Keep field on its way to the keychain; it is never encoded.
type Redaction struct {
	// Pointer is the RFC 6901 JSON pointer of the value in the body.
	Pointer string `json:"pointer"`
	// Field is the member name the marker names.
	Field string `json:"field"`
	// Rule is what found the value: RuleCatalogue, RuleName, RulePEM or
	// RuleJWK.
	Rule string `json:"rule"`
	// Path is the catalogue field's path (RuleCatalogue only).
	Path string `json:"path,omitempty"`
	// Digest is the keyed digest the marker carries.
	Digest string `json:"digest"`
	// Keep is set for a value the migration needs; ResourceID is the "id"
	// of the resource holding it ("" when the resource has none).
	Keep       bool   `json:"keep,omitempty"`
	ResourceID string `json:"resource_id,omitempty"`

	value secret.Value
}

// Value returns the plain value of a Keep redaction (empty otherwise).
func (r Redaction) Value() secret.Value { return r.value }

// Result is a redacted body and the record of what was redacted. Body is
// the input slice itself when nothing was.
type Result struct {
	Body       []byte
	Redactions []Redaction

	// plain maps each redacted value to its marker text (see Scrub).
	plain map[string]string
}

// Scrub replaces, in s, every value this result redacted by its marker
// text: for copies of a value made before redaction existed (attributes a
// normalizer derived from a payload stored in plain).
func (r Result) Scrub(s string) string {
	if len(r.plain) == 0 {
		return s
	}
	values := make([]string, 0, len(r.plain))
	for v := range r.plain {
		values = append(values, v)
	}
	// Longest first, so a value containing another is replaced whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		s = strings.ReplaceAll(s, v, r.plain[v])
	}
	return s
}

// Redacted reports whether anything was redacted.
func (r Result) Redacted() bool { return len(r.Redactions) > 0 }

// Redactor redacts bodies with one catalogue and one digest key. It is safe
// for concurrent use.
type Redactor struct {
	fields  []compiledField
	byLast  map[string][]int
	digest  func([]byte) string
	needles [][]byte
}

// New builds a redactor for fields. digest returns the keyed digest of a
// value (the workspace key's MAC for keys.SecretDigest).
func New(fields []Field, digest func(value []byte) string) (*Redactor, error) {
	if digest == nil {
		return nil, errors.New("redact: no digest function")
	}
	cf, err := compile(fields)
	if err != nil {
		return nil, err
	}
	r := &Redactor{fields: cf, byLast: map[string][]int{}, digest: digest}
	needles := map[string]bool{`\u`: true, "kty": true, "private key": true, "pwd": true, "key": true}
	for _, w := range secretWords {
		needles[w] = true
	}
	for i, f := range cf {
		last := string(f.segs[len(f.segs)-1])
		r.byLast[last] = append(r.byLast[last], i)
		for j := len(f.segs) - 1; j >= 0; j-- {
			if f.segs[j] != anyElement {
				needles[string(f.segs[j])] = true
				break
			}
		}
	}
	for n := range needles {
		r.needles = append(r.needles, []byte(n))
	}
	return r, nil
}

// MustNew is New for catalogues fixed at build time.
func MustNew(fields []Field, digest func([]byte) string) *Redactor {
	r, err := New(fields, digest)
	if err != nil {
		panic(err)
	}
	return r
}

// Fields returns the catalogue the redactor was built with.
func (r *Redactor) Fields() []Field {
	out := make([]Field, len(r.fields))
	for i, f := range r.fields {
		out[i] = f.Field
	}
	return out
}

// Redact returns body with every secret value replaced by its marker.
// endpoint is the URL path the body came from ("" when unknown: every
// catalogue field applies). A body that is not JSON is refused with
// ErrUnparseable when a catalogue field names its endpoint, and otherwise
// stored with any PEM private key block replaced.
func (r *Redactor) Redact(endpoint string, body []byte) (Result, error) {
	secretEndpoint := false
	if endpoint != "" {
		for _, f := range r.fields {
			secretEndpoint = secretEndpoint || f.servedBy(endpoint)
		}
	}
	// A body from an endpoint that can carry secrets is always parsed, so
	// one that is not JSON is refused whatever it contains.
	if !secretEndpoint && !r.mayHold(body) {
		return Result{Body: body}, nil
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Result{Body: body}, nil
	}
	res, err := r.redactJSON(endpoint, body)
	if err == nil {
		return res, nil
	}
	if secretEndpoint {
		return Result{}, fmt.Errorf("%w (%s: %v)", ErrUnparseable, endpoint, err)
	}
	return r.redactText(body), nil
}

// mayHold is a fast screen: a body in which no catalogue leaf name and no
// secret-looking word appears, even escaped, holds nothing to redact.
func (r *Redactor) mayHold(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, n := range r.needles {
		if bytes.Contains(lower, n) {
			return true
		}
	}
	return false
}

// step is one step of a location in a JSON document.
type step struct {
	name  string
	index bool
	i     int
}

type frame struct {
	obj       bool
	expectKey bool
	key       string
	idx       int
	ptr       string // pointer of this container
}

// splice replaces body[start:end] by text.
type splice struct {
	start, end int
	text       string
}

// candidate is a leaf the rules flagged, waiting for the whole document
// (an object's "kty" or "id" may come after the leaf).
type candidate struct {
	start, end int
	ptr        string
	value      string
	red        Redaction
	encoding   Encoding
	jwkParent  string // for RuleJWK: the object that must be a JWK
	resource   string // pointer of the resource (Keep)
}

func (r *Redactor) redactJSON(endpoint string, body []byte) (Result, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var (
		stack []frame
		loc   []step
		cands []candidate
		ids   = map[string]string{}
		jwks  = map[string]bool{}
	)
	// completed updates the parent after a value ends.
	completed := func() {
		if len(stack) == 0 {
			return
		}
		top := &stack[len(stack)-1]
		if top.obj {
			top.expectKey = true
		} else {
			top.idx++
		}
	}
	// here is the step the next value takes in its container.
	here := func() (step, bool) {
		if len(stack) == 0 {
			return step{}, false
		}
		top := stack[len(stack)-1]
		if top.obj {
			return step{name: top.key}, true
		}
		return step{index: true, i: top.idx}, true
	}
	rootDone := false
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		if rootDone {
			return Result{}, errors.New("data after the JSON value")
		}
		end := int(dec.InputOffset())
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				if len(loc) > 0 && len(stack) > 0 {
					loc = loc[:len(loc)-1]
				}
				completed()
				rootDone = len(stack) == 0
				continue
			}
			key, _ := tok.(string)
			stack[n-1].key, stack[n-1].expectKey = key, false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				ptr := ""
				if st, ok := here(); ok {
					loc = append(loc, st)
					ptr = stack[len(stack)-1].ptr + "/" + pointerToken(st)
				}
				stack = append(stack, frame{obj: t == '{', expectKey: t == '{', ptr: ptr})
			case ']':
				stack = stack[:len(stack)-1]
				if len(loc) > 0 && len(stack) > 0 {
					loc = loc[:len(loc)-1]
				}
				completed()
				rootDone = len(stack) == 0
			}
			continue
		}
		st, inContainer := here()
		var value string
		switch t := tok.(type) {
		case string:
			value = t
		case json.Number:
			value = t.String()
		default: // bool, null: nothing secret
			completed()
			rootDone = !inContainer
			continue
		}
		if inContainer {
			top := stack[len(stack)-1]
			if top.obj {
				switch st.name {
				case "id":
					ids[top.ptr] = value
				case "kty":
					jwks[top.ptr] = true
				}
			}
			full := append(loc, st)
			if c, ok := r.judge(endpoint, full, value); ok {
				c.start, c.end = valueSpan(body, start, end)
				c.ptr = top.ptr + "/" + pointerToken(st)
				c.value = value
				cands = append(cands, c)
			}
		}
		completed()
		rootDone = !inContainer
	}
	return r.apply(body, cands, ids, jwks), nil
}

// judge applies the rules to one scalar leaf at location full.
func (r *Redactor) judge(endpoint string, full []step, value string) (candidate, bool) {
	if value == "" || masked(value) || IsMarker(value) {
		return candidate{}, false
	}
	name, element := leafName(full)
	// The catalogue: the leaf itself, or anything inside a catalogued
	// member that holds an object or array.
	for k := len(full); k >= 1; k-- {
		last := full[k-1]
		key := string(anyElement)
		if !last.index {
			key = strings.ToLower(last.name)
		}
		for _, i := range r.byLast[key] {
			f := r.fields[i]
			root, ok := f.matches(full[:k])
			if !ok || !f.servedBy(endpoint) {
				continue
			}
			if k == len(full) && f.Public != nil && f.Public(value) {
				return candidate{}, false
			}
			// Keep and the encoding are the field's own value's; a leaf
			// inside a catalogued object or array is plain text.
			c := candidate{red: Redaction{Field: fieldName(name, element), Rule: RuleCatalogue, Path: f.Path}}
			if k == len(full) {
				c.red.Keep, c.encoding = f.Keep, f.Encoding
			}
			c.resource = pointerOf(full[:root])
			return c, true
		}
	}
	flag := secretName(name)
	if !flag && genericLeaves[strings.ToLower(name)] && !element {
		if parent, ok := memberAbove(full); ok {
			flag = secretName(parent)
		}
	}
	if flag {
		return candidate{red: red(RuleName, name, element)}, true
	}
	if pemPrivate(value) {
		return candidate{red: red(RulePEM, name, element)}, true
	}
	// A JWK's private member, or a member of one of its "oth" primes (RFC
	// 7518 §6.3.2.7); whether the object is a JWK is known once it is read.
	n := len(full)
	jwk := red(RuleJWK, name, element)
	if n >= 3 && full[n-2].index && !full[n-3].index && strings.EqualFold(full[n-3].name, "oth") {
		return candidate{red: jwk, jwkParent: pointerOf(full[:n-3])}, true
	}
	if !full[n-1].index && jwkPrivate[strings.ToLower(full[n-1].name)] {
		return candidate{red: jwk, jwkParent: pointerOf(full[:n-1])}, true
	}
	return candidate{}, false
}

func red(rule, name string, element bool) Redaction {
	return Redaction{Field: fieldName(name, element), Rule: rule}
}

// apply resolves the candidates and splices their markers in.
func (r *Redactor) apply(body []byte, cands []candidate, ids map[string]string, jwks map[string]bool) Result {
	var splices []splice
	var reds []Redaction
	plain := map[string]string{}
	for _, c := range cands {
		if c.red.Rule == RuleJWK && !jwks[c.jwkParent] {
			continue
		}
		red := c.red
		red.Pointer = c.ptr
		red.Digest = r.digest([]byte(c.value))
		m := Marker{Field: red.Field, Digest: red.Digest}
		if red.Keep {
			red.ResourceID = ids[c.resource]
			red.value = secret.New(c.value)
		}
		text := m.Encode(c.encoding)
		plain[c.value] = m.String()
		splices = append(splices, splice{start: c.start, end: c.end, text: strconv.Quote(text)})
		reds = append(reds, red)
	}
	if len(splices) == 0 {
		return Result{Body: body}
	}
	return Result{Body: spliceAll(body, splices), Redactions: reds, plain: plain}
}

func spliceAll(body []byte, splices []splice) []byte {
	sort.Slice(splices, func(i, j int) bool { return splices[i].start < splices[j].start })
	out := make([]byte, 0, len(body))
	at := 0
	for _, s := range splices {
		out = append(out, body[at:s.start]...)
		out = append(out, s.text...)
		at = s.end
	}
	return append(out, body[at:]...)
}

// valueSpan narrows [start, end) from the decoder's offsets (which include
// the separator and whitespace before the token) to the token itself.
func valueSpan(body []byte, start, end int) (int, int) {
	for start < end {
		switch body[start] {
		case ' ', '\t', '\r', '\n', ':', ',':
			start++
			continue
		}
		break
	}
	return start, end
}

// leafName is the member name a leaf is known by: its own, or for an array
// element the nearest member above it (element is then set).
func leafName(full []step) (string, bool) {
	for i := len(full) - 1; i >= 0; i-- {
		if !full[i].index {
			return full[i].name, i != len(full)-1
		}
	}
	return "", true
}

// memberAbove is the member name of the object holding the leaf's object.
func memberAbove(full []step) (string, bool) {
	for i := len(full) - 2; i >= 0; i-- {
		if !full[i].index {
			return full[i].name, true
		}
	}
	return "", false
}

func pointerToken(s step) string {
	if s.index {
		return strconv.Itoa(s.i)
	}
	return strings.ReplaceAll(strings.ReplaceAll(s.name, "~", "~0"), "/", "~1")
}

func pointerOf(loc []step) string {
	var b strings.Builder
	for _, s := range loc {
		b.WriteByte('/')
		b.WriteString(pointerToken(s))
	}
	return b.String()
}

// redactText handles a body that is not JSON: PEM private key blocks are
// the one secret shape recognisable in any text.
func (r *Redactor) redactText(body []byte) Result {
	s := string(body)
	var splices []splice
	var reds []Redaction
	plain := map[string]string{}
	for at := 0; ; {
		i := strings.Index(s[at:], "-----BEGIN ")
		if i < 0 {
			break
		}
		i += at
		endTag := strings.Index(s[i:], "PRIVATE KEY-----")
		if endTag < 0 {
			break
		}
		header := s[i : i+endTag]
		if strings.Contains(header, "\n") || strings.Contains(header, "-----END") {
			at = i + len("-----BEGIN ")
			continue
		}
		stop := strings.Index(s[i+endTag:], "-----END ")
		if stop < 0 {
			stop = len(s)
		} else {
			stop += i + endTag
			if e := strings.Index(s[stop+len("-----END "):], "-----"); e >= 0 {
				stop += len("-----END ") + e + len("-----")
			} else {
				stop = len(s)
			}
		}
		value := s[i:stop]
		d := r.digest([]byte(value))
		m := Marker{Field: "pem", Digest: d}
		splices = append(splices, splice{start: i, end: stop, text: m.String()})
		reds = append(reds, Redaction{Pointer: "", Field: "pem", Rule: RulePEM, Digest: d})
		plain[value] = m.String()
		at = stop
	}
	if len(splices) == 0 {
		return Result{Body: body}
	}
	return Result{Body: spliceAll(body, splices), Redactions: reds, plain: plain}
}
