package vendor

import (
	"strings"

	"github.com/portal-id/migration-console/engine/secret"
)

// redacted replaces a credential in text.
const redacted = "[REDACTED]"

// minFragment is the shortest part of a credential scrubbed on its own: a
// shorter line or segment (a PEM armour dash run, "eyJ0") says nothing
// about the secret and would mangle the message around it.
const minFragment = 16

// ScrubCredential removes cred from text whole, and each line (a PEM
// body's) and each dot-separated segment (a JWT's) of it long enough to
// identify it, so an error that quotes part of a key or token does not
// carry it either.
func ScrubCredential(text string, cred secret.Value) string {
	if cred.IsEmpty() || text == "" {
		return text
	}
	plain := cred.Reveal()
	text = strings.ReplaceAll(text, plain, redacted)
	for _, line := range strings.Split(plain, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") {
			continue // PEM armour: the same in every key
		}
		if len(line) >= minFragment {
			text = strings.ReplaceAll(text, line, redacted)
		}
		for _, seg := range strings.Split(line, ".") {
			if len(seg) >= minFragment {
				text = strings.ReplaceAll(text, seg, redacted)
			}
		}
	}
	return text
}
