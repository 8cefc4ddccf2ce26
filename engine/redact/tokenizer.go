package redact

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The walk needs each value's exact bytes, to splice a marker in their
// place. encoding/json's Decoder.Token reports offsets but builds an error
// value for every scalar it peeks past, which made redaction several times
// slower than decoding the page; this tokenizer reads only bodies that
// json.Valid has accepted, so it needs no error handling of its own.

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokObject
	tokArray
	tokEnd // '}' or ']'
	tokString
	tokNumber
	tokLiteral // true, false, null
)

// token is one token; for strings, start and end include the quotes.
type token struct {
	kind       tokenKind
	start, end int
}

type tokenizer struct {
	b   []byte
	pos int
}

func (t *tokenizer) next() token {
	for t.pos < len(t.b) {
		c := t.b[t.pos]
		switch c {
		case ' ', '\t', '\r', '\n', ',', ':':
			t.pos++
			continue
		case '{', '[':
			t.pos++
			if c == '{' {
				return token{kind: tokObject, start: t.pos - 1, end: t.pos}
			}
			return token{kind: tokArray, start: t.pos - 1, end: t.pos}
		case '}', ']':
			t.pos++
			return token{kind: tokEnd, start: t.pos - 1, end: t.pos}
		case '"':
			start := t.pos
			t.pos++
			for t.pos < len(t.b) {
				switch t.b[t.pos] {
				case '\\':
					t.pos += 2
					continue
				case '"':
					t.pos++
					return token{kind: tokString, start: start, end: t.pos}
				}
				t.pos++
			}
			return token{kind: tokString, start: start, end: t.pos}
		default:
			start := t.pos
			for t.pos < len(t.b) {
				switch t.b[t.pos] {
				case ' ', '\t', '\r', '\n', ',', ':', '}', ']':
					goto done
				}
				t.pos++
			}
		done:
			kind := tokNumber
			if c == 't' || c == 'f' || c == 'n' {
				kind = tokLiteral
			}
			return token{kind: kind, start: start, end: t.pos}
		}
	}
	return token{kind: tokEOF}
}

// text is a string token's value, unescaped as encoding/json (and so the
// SDKs) read it, or a number's literal.
func (t *tokenizer) text(tok token) (string, error) {
	raw := t.b[tok.start:tok.end]
	if tok.kind != tokString {
		return string(raw), nil
	}
	// encoding/json unescapes, and replaces invalid UTF-8 with U+FFFD.
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
