package redact

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Find returns the string values at a catalogue path inside one resource's
// payload (every element for a "[]" step), and whether the object that
// would hold the last member exists: a provider whose "client" object has
// no client_secret is told apart from one that has no client at all.
// Member names match case-insensitively, as in redaction.
func Find(raw []byte, fieldPath string) (values []string, parent bool, err error) {
	segs, err := parsePath(fieldPath)
	if err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, false, nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, false, err
	}
	var walk func(v any, segs []segment)
	walk = func(v any, segs []segment) {
		if len(segs) == 0 {
			if s, ok := v.(string); ok {
				values = append(values, s)
			}
			return
		}
		if segs[0] == anyElement {
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					walk(e, segs[1:])
				}
			}
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		if len(segs) == 1 || (len(segs) == 2 && segs[1] == anyElement) {
			parent = true
		}
		for k, e := range obj {
			if strings.EqualFold(k, string(segs[0])) {
				walk(e, segs[1:])
			}
		}
	}
	walk(doc, segs)
	return values, parent, nil
}
