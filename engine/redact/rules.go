package redact

import (
	"strings"
	"unicode"
)

// The catalogues list the secret-bearing fields each vendor documents. A
// vendor can still send a secret where no catalogue looks: a catalogue app
// whose settings carry an API key, a field added in a later API version.
// Three vendor-neutral rules catch those, and their redactions are recorded
// with the rule's name, so a review of the evidence can tell which fields a
// catalogue should list (docs/evidence.md, "Keeping the catalogue current").

// Rule names, as recorded in each Redaction.
const (
	RuleCatalogue = "catalogue" // a vendor catalogue's field
	RuleName      = "name"      // the member's name looks secret-bearing
	RulePEM       = "pem"       // a PEM private key block, whatever the name
	RuleJWK       = "jwk"       // a private member of a JSON Web Key
)

// secretWords end a member name that holds a secret: clientSecret,
// api_token, adminPassword, passphrase. Matched against the last word of
// the name, plural or not, and as the end of a name written in one word
// ("clientsecret", "accesstoken").
var secretWords = []string{"secret", "password", "passwd", "passphrase", "token", "credential"}

// secretKeys are two-word names of keys that are secret: privateKey,
// api_key, secretKey, sharedKey, signingKey, encryptionKey, hmacKey.
var secretKeys = []string{"private", "api", "access", "secret", "shared", "signing", "encryption", "hmac", "client", "master"}

// genericLeaves are member names too generic to judge alone: their parent's
// name decides ("password": {"value": ...}).
var genericLeaves = map[string]bool{"value": true, "text": true, "data": true, "content": true}

// words splits a member name into lower-case words at '_', '-', '.', spaces
// and camelCase humps ("clientSecretText" -> client, secret, text;
// "APIKey" -> api, key).
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// secretName reports whether a member name looks secret-bearing.
func secretName(name string) bool {
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		if singular(w) == "secret" {
			return true
		}
	}
	last := singular(ws[len(ws)-1])
	for _, s := range secretWords {
		if last == s || (len(ws) == 1 && strings.HasSuffix(last, s)) {
			return true
		}
	}
	if last == "pwd" {
		return true
	}
	if last == "key" && len(ws) >= 2 {
		prev := ws[len(ws)-2]
		for _, k := range secretKeys {
			if prev == k {
				return true
			}
		}
	}
	if len(ws) == 1 {
		for _, k := range secretKeys {
			if last == k+"key" {
				return true
			}
		}
	}
	return false
}

// jwkPrivate are the private members of a JSON Web Key (RFC 7518 §6.2.2
// and §6.3.2 for EC and RSA, §6.4.1 for symmetric keys, RFC 8037 for OKP):
// they appear only where a key's private half is present. "oth" (other
// primes) is private as a whole.
var jwkPrivate = map[string]bool{"d": true, "p": true, "q": true, "dp": true, "dq": true, "qi": true, "k": true}

// pemPrivate finds a PEM private key block in a string of any name.
func pemPrivate(s string) bool {
	i := strings.Index(s, "-----BEGIN ")
	return i >= 0 && strings.Contains(s[i:], "PRIVATE KEY-----")
}

// masked reports a value the vendor already hid (Graph answers "****" for
// write-only secrets): there is nothing left to redact, and nothing to keep.
func masked(s string) bool {
	return s != "" && strings.Trim(s, "*") == ""
}
