// Package payload reads vendor JSON payloads tolerantly for the
// normalizers: a field that is absent, null or of an unexpected type reads
// as its zero value (or inventory.Unknown), so one odd field never fails an
// item. Only a payload that is not a JSON object is refused.
package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Object is one JSON object of a payload.
type Object map[string]any

// Parse decodes raw as one JSON object (numbers kept exact).
func Parse(raw []byte) (Object, error) {
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
	return o, nil
}

// Obj is the object at key, or an empty one.
func (o Object) Obj(key string) Object {
	m, _ := o[key].(map[string]any)
	return m
}

// Path follows nested objects.
func (o Object) Path(keys ...string) Object {
	for _, k := range keys {
		o = o.Obj(k)
	}
	return o
}

// Str is the string at key ("" otherwise).
func (o Object) Str(key string) string {
	v, _ := o[key].(string)
	return v
}

// Has reports key present with a non-null value.
func (o Object) Has(key string) bool { return o[key] != nil }

// Present reports key present, null included.
func (o Object) Present(key string) bool {
	_, ok := o[key]
	return ok
}

// Bool is the boolean at key: JSON true/false, or the strings
// "true"/"false" (some published vendor examples quote booleans); Unknown
// otherwise.
func (o Object) Bool(key string) inventory.Tri {
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

// Int is the integer at key (a number or a numeric string), 0 otherwise.
func (o Object) Int(key string) int64 {
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

// Strings is the strings of the array at key (other elements skipped); a
// lone non-empty string reads as a one-element list.
func (o Object) Strings(key string) []string {
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

// Objects is the objects of the array at key (other elements skipped).
func (o Object) Objects(key string) []Object {
	arr, _ := o[key].([]any)
	out := make([]Object, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Keys lists the keys with non-null values.
func (o Object) Keys() []string {
	out := make([]string, 0, len(o))
	for k, v := range o {
		if v != nil {
			out = append(out, k)
		}
	}
	return out
}

// Time is the RFC 3339 time at key in UTC, nil otherwise.
func (o Object) Time(key string) *time.Time {
	s := o.Str(key)
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

// Secret records whether a secret-bearing string field was present,
// keeping the evidence transport's redaction marker and never a plain
// value: a plain value is recorded as present only.
func (o Object) Secret(key string) inventory.SecretField {
	v, ok := o[key].(string)
	if !ok || v == "" {
		if o.Has(key) {
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
