package wiring

import (
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/portal-id/migration-console/engine/secret"
)

const redacted = "[REDACTED]"

// secretKeyWords mark attribute keys whose values are credentials whatever
// their type: a token logged as a plain string is still a token.
var secretKeyWords = []string{"token", "secret", "password", "passwd", "key", "authorization", "credential", "cookie"}

// Logger returns a text logger writing to w at level and above. Attributes
// whose key (or enclosing group) looks secret, and any value that is or
// holds a secret.Value, are replaced by [REDACTED].
func Logger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact}))
}

func redact(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
		return a
	}
	if looksSecret(a.Key) {
		return slog.String(a.Key, redacted)
	}
	for _, g := range groups {
		if looksSecret(g) {
			return slog.String(a.Key, redacted)
		}
	}
	if a.Value.Kind() == slog.KindAny && holdsSecret(reflect.ValueOf(a.Value.Any()), 0) {
		return slog.String(a.Key, redacted)
	}
	return a
}

func looksSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

var secretType = reflect.TypeFor[secret.Value]()

// holdsSecret reports whether v is, points to or contains a secret.Value.
// A struct such as a request that carries a credential is redacted whole:
// its other fields are not worth the risk of printing the credential.
func holdsSecret(v reflect.Value, depth int) bool {
	if !v.IsValid() || depth > 6 {
		return false
	}
	if v.Type() == secretType {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holdsSecret(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsSecret(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if holdsSecret(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if holdsSecret(it.Key(), depth+1) || holdsSecret(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}
