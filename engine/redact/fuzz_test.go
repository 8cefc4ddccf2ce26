package redact_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/redact"
)

// resolve follows an RFC 6901 pointer through a decoded document.
func resolve(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			doc = x[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// Whatever a vendor sends: no panic; a JSON body stays JSON, each recorded
// pointer leads to a marker, and redacting again changes nothing.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{
		`[{"id":"0oa1","protocol":{"credentials":{"client":{"client_id":"c","client_secret":"fake-s"}}}}]`,
		`{"value":[{"keyCredentials":[{"key":"ZmFrZQ==","type":"Symmetric"}],"apiToken":"fake-t"}]}`,
		`{"keys":[{"kty":"RSA","d":"fake-d","oth":[{"r":"x","d":"y","t":"z"}]}]}`,
		`{"a":"-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----","b":[1,2.5e3,true,null]}`,
		`{"client\u005fsecret":"fake-esc","x":"\"quoted\" \\ back"}`,
		`<xml>-----BEGIN EC PRIVATE KEY-----fake-----END EC PRIVATE KEY-----</xml>`,
		`{"dup":1,"dup":2,"password":{"value":12345}}`,
		``, `null`, `"client_secret"`, `[`, `{"a":}`,
	} {
		f.Add("/api/v1/idps", []byte(seed))
		f.Add("/other", []byte(seed))
	}
	r := redact.MustNew(testFields, digest)
	f.Fuzz(func(t *testing.T, endpoint string, body []byte) {
		res, err := r.Redact(endpoint, body)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			return
		}
		if !json.Valid(res.Body) {
			t.Fatalf("redacted JSON is not JSON: %q -> %q", body, res.Body)
		}
		var doc any
		dec := json.NewDecoder(bytes.NewReader(res.Body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for _, red := range res.Redactions {
			v, _ := resolve(doc, red.Pointer)
			s, _ := v.(string)
			if m, ok := redact.ParseMarker(s); ok && m.Digest == red.Digest {
				continue
			}
			// A member repeated in one object: decoding keeps only the last
			// one, so the pointer may lead to a sibling; the marker must
			// still be in the body.
			m := redact.Marker{Field: red.Field, Digest: red.Digest}
			if !strings.Contains(string(res.Body), m.String()) && !strings.Contains(string(res.Body), m.Encode(redact.Base64)) {
				t.Fatalf("redaction at %q left no marker in %s", red.Pointer, res.Body)
			}
		}
		again, err := r.Redact(endpoint, res.Body)
		if err != nil || string(again.Body) != string(res.Body) {
			t.Fatalf("a second redaction changed %q to %q (%v)", res.Body, again.Body, err)
		}
	})
}
