package merge

import (
	"net/url"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NameKey is how names are compared for overlap: two names with the same
// key are the same object to a person reading them, so a live object under
// one and an incumbent item under the other collide.
//
// The name goes through NFKC, full case folding and NFKC again, then every
// run of white space (any Unicode space, tabs and line breaks included)
// becomes one ASCII space, invisible format characters (zero-width spaces
// and joiners, soft hyphens, direction marks) are dropped, and the ends are
// trimmed. NFKC rather than NFC because compatibility forms render as the
// letters they stand for: the ligature in "ﬁnance", full-width "Ｆｉｎａｎｃｅ"
// and a no-break space all read as plain text to the customer, and an
// overlap missed there becomes a duplicate object on the live tenant. The
// cost is the other way round: NFKC also equates forms a specialist might
// keep apart (a superscript digit and the digit). That over-match only ever
// asks a person to decide a row (create_new with a new name settles it);
// a missed match creates a duplicate nobody decided. This is stricter than
// the Portal's own uniqueness check, which lower-cases names only.
func NameKey(s string) string {
	c := folders.Get().(cases.Caser)
	defer folders.Put(c)
	folded := norm.NFKC.String(c.String(norm.NFKC.String(s)))
	var b strings.Builder
	b.Grow(len(folded))
	space := false
	for _, r := range folded {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// folders pools case folders: a cases.Caser keeps state and must not be
// shared between goroutines.
var folders = sync.Pool{New: func() any { return cases.Fold() }}

// DomainKey is how email domains are compared: the ASCII (Punycode) form
// of the name, lower case, without a trailing dot or a leading "@", so
// "Bücher.example." and "xn--bcher-kva.example" are one domain. A value
// that is not a valid domain name is compared by its NameKey instead.
func DomainKey(s string) string {
	d := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "@"), ".")
	if a, err := idna.Lookup.ToASCII(d); err == nil && a != "" {
		return strings.ToLower(a)
	}
	return NameKey(d)
}

// URIKey is how redirect URIs and issuers are compared: scheme and host in
// lower case (the host in its ASCII form), a default port dropped, and a
// single trailing slash on the path ignored; the path and query keep their
// case, as OAuth compares them exactly. Two URIs with one key would send a
// user's browser to the same place. A value that does not parse as an
// absolute URL (a bare entity id such as "urn:example:idp") is compared by
// its trimmed text.
func URIKey(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	host := strings.ToLower(u.Hostname())
	if a, err := idna.Lookup.ToASCII(host); err == nil && a != "" {
		host = strings.ToLower(a)
	}
	port := u.Port()
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	} else {
		path = ""
	}
	key := scheme + "://" + host + path
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return key
}
