package secret

import "strings"

// MinLength is the shortest credential the console accepts. Every real one
// it takes is far longer (an Okta API token is 42 characters, an Entra
// client secret 40, a key or access token hundreds, a Portal admin token
// 40 or more), and input refuses shorter ones (see TooShort), which is what
// lets Scrub replace whole matches without mangling ordinary text: scrubbing
// a one-character token out of a message would replace every occurrence of
// that character.
const MinLength = 16

// Len is the credential's length in characters, for a message that says
// how much was given without quoting it.
func (v Value) Len() int { return len([]rune(v.s)) }

// TooShort reports whether v is shorter than MinLength characters: input
// refuses such a credential, saying what is expected.
func (v Value) TooShort() bool { return v.Len() < MinLength }

// Scrub returns text with the credential removed: every whole occurrence,
// and every line (a PEM body's) and dot-separated segment (a JWT's) of it
// long enough to identify it, replaced by [REDACTED], so an error that
// quotes part of a key or token does not carry it either. Nothing shorter
// than MinLength is ever replaced (a PEM armour line and the short parts of
// a value say nothing about it), so a credential that short is never
// scrubbed at all; input refuses it. It is the one scrubber the console has:
// every error or message that may quote a credential goes through it.
func (v Value) Scrub(text string) string {
	if v.TooShort() || text == "" {
		return text
	}
	text = strings.ReplaceAll(text, v.s, redacted)
	for _, line := range strings.Split(v.s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") {
			continue // PEM armour: the same in every key
		}
		if len(line) >= MinLength {
			text = strings.ReplaceAll(text, line, redacted)
		}
		for _, seg := range strings.Split(line, ".") {
			if len(seg) >= MinLength {
				text = strings.ReplaceAll(text, seg, redacted)
			}
		}
	}
	return text
}
