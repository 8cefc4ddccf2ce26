package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// step is one step of a location in a JSON document: a member (name, with
// what the rules make of it) or an array index.
type step struct {
	name  *nameInfo
	index bool
	i     int
}

// nameInfo is what the rules make of one member name, worked out once per
// distinct name in a body.
type nameInfo struct {
	raw     string
	lower   string
	secret  bool // secretName
	generic bool // a name too generic to judge alone
	jwk     bool // a JWK private member name
}

type frame struct {
	obj       bool
	expectKey bool
	key       *nameInfo
	idx       int
	serial    int // numbers containers, for ids and JWK objects
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
	public     func(string) bool
	root       int  // loc depth of the resource holding the value
	jwkCheck   bool // RuleJWK: keep only if jwkParent is a JWK
	jwkParent  int  // the container that must be a JWK
	resource   int  // the container of the resource holding the value
}

// scan is one body's walk: its names, containers and findings.
type scan struct {
	r        *Redactor
	endpoint string
	names    map[string]*nameInfo
	stack    []frame
	loc      []step
	serials  int
	cands    []candidate
	ids      map[int]string
	jwks     map[int]bool
}

func (sc *scan) info(name string) *nameInfo {
	if ni, ok := sc.names[name]; ok {
		return ni
	}
	lower := strings.ToLower(name)
	ni := &nameInfo{raw: name, lower: lower, secret: secretName(name), generic: genericLeaves[lower], jwk: jwkPrivate[lower]}
	sc.names[name] = ni
	return ni
}

// redactJSON walks a body that json.Valid accepts with a tokenizer that
// keeps byte offsets, so a marker can replace exactly a value's bytes.
func (r *Redactor) redactJSON(endpoint string, body []byte) (Result, error) {
	if !json.Valid(body) {
		return Result{}, errors.New("not valid JSON")
	}
	sc := &scan{r: r, endpoint: endpoint, names: map[string]*nameInfo{}, ids: map[int]string{}, jwks: map[int]bool{}}
	t := tokenizer{b: body}
	for {
		tok := t.next()
		if tok.kind == tokEOF {
			break
		}
		n := len(sc.stack)
		if n > 0 && sc.stack[n-1].obj && sc.stack[n-1].expectKey {
			if tok.kind == tokEnd {
				sc.pop()
				continue
			}
			key, err := t.text(tok)
			if err != nil {
				return Result{}, err
			}
			sc.stack[n-1].key, sc.stack[n-1].expectKey = sc.info(key), false
			continue
		}
		switch tok.kind {
		case tokObject, tokArray:
			serial := sc.serials
			sc.serials++
			if st, ok := sc.here(); ok {
				sc.loc = append(sc.loc, st)
			}
			sc.stack = append(sc.stack, frame{obj: tok.kind == tokObject, expectKey: tok.kind == tokObject, serial: serial})
		case tokEnd:
			sc.pop()
		case tokString, tokNumber:
			if err := sc.leaf(&t, tok); err != nil {
				return Result{}, err
			}
			sc.completed()
		default: // true, false, null: nothing secret
			sc.completed()
		}
	}
	return r.apply(body, sc), nil
}

func (sc *scan) pop() {
	sc.stack = sc.stack[:len(sc.stack)-1]
	if len(sc.stack) > 0 {
		sc.loc = sc.loc[:len(sc.loc)-1]
	}
	sc.completed()
}

// completed moves the container past the value that just ended.
func (sc *scan) completed() {
	if len(sc.stack) == 0 {
		return
	}
	top := &sc.stack[len(sc.stack)-1]
	if top.obj {
		top.expectKey = true
	} else {
		top.idx++
	}
}

// here is the step the next value takes in its container.
func (sc *scan) here() (step, bool) {
	if len(sc.stack) == 0 {
		return step{}, false
	}
	top := sc.stack[len(sc.stack)-1]
	if top.obj {
		return step{name: top.key}, true
	}
	return step{index: true, i: top.idx}, true
}

// leaf judges one string or number value.
func (sc *scan) leaf(t *tokenizer, tok token) error {
	st, ok := sc.here()
	if !ok {
		return nil // a bare scalar body holds no member
	}
	top := sc.stack[len(sc.stack)-1]
	full := append(sc.loc, st)
	var value string
	decoded := false
	decode := func() error {
		if decoded {
			return nil
		}
		v, err := t.text(tok)
		value, decoded = v, true
		return err
	}
	if top.obj && (st.name.raw == "id" || st.name.raw == "kty") {
		if err := decode(); err != nil {
			return err
		}
		if st.name.raw == "id" {
			sc.ids[top.serial] = value
		} else {
			sc.jwks[top.serial] = true
		}
	}
	c, flagged := sc.byName(full)
	// A number is redacted only where a catalogue says the field is secret:
	// under a merely secret-looking name it is far likelier a count or a
	// lifetime, and turning it into a string would break the SDK's parse.
	if flagged && tok.kind == tokNumber && c.red.Rule != RuleCatalogue {
		return nil
	}
	if !flagged {
		// Only the content rule is left: a PEM private key, which an
		// escape could hide from a look at the raw bytes.
		raw := t.b[tok.start:tok.end]
		if tok.kind != tokString || (bytes.IndexByte(raw, '\\') < 0 && !bytes.Contains(raw, []byte("-----BEGIN "))) {
			return nil
		}
		if err := decode(); err != nil {
			return err
		}
		if !pemPrivate(value) {
			return nil
		}
		name, element := leafName(full)
		c, flagged = candidate{red: red(RulePEM, name, element)}, true
	}
	if err := decode(); err != nil {
		return err
	}
	if value == "" || masked(value) || IsMarker(value) {
		return nil
	}
	if c.public != nil && c.public(value) {
		return nil
	}
	c.start, c.end = tok.start, tok.end
	c.ptr = pointerOf(full)
	c.value = value
	if c.red.Keep || c.red.Rule == RuleCatalogue {
		c.resource = sc.stack[c.root].serial
	}
	sc.cands = append(sc.cands, c)
	return nil
}

// byName applies the rules that look at where a leaf is: the catalogue,
// secret-looking names, JWK private members.
func (sc *scan) byName(full []step) (candidate, bool) {
	r := sc.r
	name, element := leafName(full)
	// The catalogue: the leaf itself, or anything inside a catalogued
	// member that holds an object or array.
	for k := len(full); k >= 1; k-- {
		last := full[k-1]
		key := string(anyElement)
		if !last.index {
			key = last.name.lower
		}
		for _, i := range r.byLast[key] {
			f := r.fields[i]
			root, ok := f.matches(full[:k])
			if !ok || !f.servedBy(sc.endpoint) {
				continue
			}
			// Keep, the encoding and the public test are the field's own
			// value's; a leaf inside a catalogued object or array is plain
			// text and always secret.
			c := candidate{red: Redaction{Field: fieldName(name, element), Rule: RuleCatalogue, Path: f.Path}, root: root}
			if k == len(full) {
				c.red.Keep, c.encoding, c.public = f.Keep, f.Encoding, f.Public
			}
			return c, true
		}
	}
	flag := false
	if ni := nameOf(full); ni != nil {
		flag = ni.secret
		if !flag && ni.generic && !element {
			if parent := memberAbove(full); parent != nil {
				flag = parent.secret
			}
		}
	}
	if flag {
		return candidate{red: red(RuleName, name, element)}, true
	}
	// A JWK's private member, or a member of one of its "oth" primes (RFC
	// 7518 §6.3.2.7); whether the object is a JWK is known once it is read.
	n := len(full)
	if n >= 3 && full[n-2].index && !full[n-3].index && full[n-3].name.lower == "oth" {
		return candidate{red: red(RuleJWK, name, element), jwkParent: sc.stack[n-3].serial, jwkCheck: true}, true
	}
	if !full[n-1].index && full[n-1].name.jwk {
		return candidate{red: red(RuleJWK, name, element), jwkParent: sc.stack[n-1].serial, jwkCheck: true}, true
	}
	return candidate{}, false
}

func red(rule, name string, element bool) Redaction {
	return Redaction{Field: fieldName(name, element), Rule: rule}
}

// apply resolves the candidates and splices their markers in.
func (r *Redactor) apply(body []byte, sc *scan) Result {
	var splices []splice
	var reds []Redaction
	plain := map[string]string{}
	for _, c := range sc.cands {
		if c.jwkCheck && !sc.jwks[c.jwkParent] {
			continue
		}
		red := c.red
		red.Pointer = c.ptr
		red.Digest = r.digest([]byte(c.value))
		m := Marker{Field: red.Field, Digest: red.Digest}
		if red.Keep {
			red.ResourceID = sc.ids[c.resource]
			// Exact: the vendor's value, spaces and all, is what the
			// migration must recreate and what the digest is of.
			red.value = secret.Exact(c.value)
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

// leafName is the member name a leaf is known by: its own, or for an array
// element the nearest member above it (element is then set).
func leafName(full []step) (string, bool) {
	if ni := nameOf(full); ni != nil {
		return ni.raw, !(len(full) > 0 && !full[len(full)-1].index)
	}
	return "", true
}

// nameOf is the name of the nearest member at or above the leaf.
func nameOf(full []step) *nameInfo {
	for i := len(full) - 1; i >= 0; i-- {
		if !full[i].index {
			return full[i].name
		}
	}
	return nil
}

// memberAbove is the member holding the leaf's object.
func memberAbove(full []step) *nameInfo {
	for i := len(full) - 2; i >= 0; i-- {
		if !full[i].index {
			return full[i].name
		}
	}
	return nil
}

func pointerToken(s step) string {
	if s.index {
		return strconv.Itoa(s.i)
	}
	return strings.ReplaceAll(strings.ReplaceAll(s.name.raw, "~", "~0"), "/", "~1")
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
