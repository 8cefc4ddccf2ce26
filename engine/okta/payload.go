package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// obj reads one JSON object of a vendor payload tolerantly: a field that is
// absent, null or of an unexpected type reads as its zero value (or
// Unknown), so an odd field never fails an item. Only a payload that is
// not an object, or has no id, is refused.
type obj map[string]any

var errNoID = errors.New("payload has no id")

// parseObject decodes raw as an object with a non-empty string "id".
func parseObject(raw json.RawMessage) (obj, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var o map[string]any
	if err := d.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, errors.New("payload is not a JSON object")
	}
	if d.More() {
		return nil, errors.New("payload holds more than one JSON value")
	}
	if obj(o).s("id") == "" {
		return nil, errNoID
	}
	return o, nil
}

// o is the object at key, or an empty one.
func (o obj) o(key string) obj {
	m, _ := o[key].(map[string]any)
	return m
}

// path follows nested objects.
func (o obj) path(keys ...string) obj {
	for _, k := range keys {
		o = o.o(k)
	}
	return o
}

// s is the string at key ("" otherwise).
func (o obj) s(key string) string {
	v, _ := o[key].(string)
	return v
}

// has reports a key present with a non-null value.
func (o obj) has(key string) bool { return o[key] != nil }

// b is the boolean at key: JSON true/false, or the strings "true"/"false"
// (Okta's published IdP example sends pkce_required as "true"); Unknown
// otherwise.
func (o obj) b(key string) inventory.Tri {
	switch v := o[key].(type) {
	case bool:
		return inventory.TriOf(v)
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return inventory.TriOf(b)
		}
	}
	return inventory.Unknown
}

// i is the integer at key (a number or a numeric string), 0 otherwise.
func (o obj) i(key string) int64 {
	switch v := o[key].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		if f, err := v.Float64(); err == nil {
			return int64(f)
		}
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return 0
}

// ss is the strings of the array at key (other elements skipped); a lone
// string reads as a one-element list.
func (o obj) ss(key string) []string {
	switch v := o[key].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}

// a is the objects of the array at key (other elements skipped).
func (o obj) a(key string) []obj {
	arr, _ := o[key].([]any)
	out := make([]obj, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// keys lists the object's keys with non-null values.
func (o obj) keys() []string {
	out := make([]string, 0, len(o))
	for k, v := range o {
		if v != nil {
			out = append(out, k)
		}
	}
	return out
}

// t is the RFC 3339 time at key, nil otherwise.
func (o obj) t(key string) *time.Time {
	s := o.s(key)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

// state maps an Okta status to a vendor-neutral state.
func state(status string) inventory.State {
	switch strings.ToUpper(status) {
	case "ACTIVE":
		return inventory.StateActive
	case "INACTIVE":
		return inventory.StateInactive
	}
	return inventory.StateUnknown
}

// secretField records whether a secret-bearing string field was present,
// keeping the transport's redaction marker and never a plain value.
func secretField(o obj, key string) inventory.SecretField {
	v, ok := o[key].(string)
	if !ok || v == "" {
		if o.has(key) {
			return inventory.SecretField{Present: inventory.Unknown}
		}
		return inventory.SecretField{Present: inventory.No}
	}
	f := inventory.SecretField{Present: inventory.Yes}
	if strings.HasPrefix(v, inventory.RedactedPrefix) {
		f.Marker = v
	}
	return f
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func wrapErr(what string, err error) error { return fmt.Errorf("okta %s: %w", what, err) }
