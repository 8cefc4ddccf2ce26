// Package secret holds credential values in a type that refuses to be
// printed, logged or serialised, so a token cannot leak through fmt, slog or
// encoding/json by accident. Only Reveal returns the plaintext.
package secret

import (
	"errors"
	"log/slog"
	"strings"
)

const redacted = "[REDACTED]"

// Value is a credential. The zero Value is empty.
type Value struct{ s string }

// New wraps a plaintext credential. Surrounding whitespace (a trailing
// newline from a pipe or a paste) is trimmed.
func New(plaintext string) Value { return Value{s: strings.TrimSpace(plaintext)} }

// Exact wraps a plaintext byte for byte, surrounding whitespace included.
// It is for values a program handed over rather than a person typed or
// piped: a vendor secret read from an API payload, whose spaces are part of
// it (the migration must recreate it exactly), and a value read back from
// the keychain, which stores what it was given.
func Exact(plaintext string) Value { return Value{s: plaintext} }

// Reveal returns the plaintext. Call it only where the credential leaves the
// process for its intended use: the keychain or an HTTP Authorization header.
func (v Value) Reveal() string { return v.s }

// IsEmpty reports whether no credential was given.
func (v Value) IsEmpty() bool { return v.s == "" }

func (v Value) String() string   { return redacted }
func (v Value) GoString() string { return redacted }

// LogValue keeps slog from printing the plaintext.
func (v Value) LogValue() slog.Value { return slog.StringValue(redacted) }

// ErrNotFound is wrapped by a secret store's error when it holds no value
// for the asked key (the keychain's own not-found error is this one), so the
// engine can tell "never stored" from "the store is unreachable".
var ErrNotFound = errors.New("no such secret in the keychain")

// ErrSerialise is returned when code tries to encode a credential.
var ErrSerialise = errors.New("secret values are never serialised")

// MarshalJSON refuses: a credential must never reach a JSON document.
func (v Value) MarshalJSON() ([]byte, error) { return nil, ErrSerialise }

// MarshalText refuses for the same reason (covers encoding/xml, yaml, ...).
func (v Value) MarshalText() ([]byte, error) { return nil, ErrSerialise }
