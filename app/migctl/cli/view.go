package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// formatVersion is the version of every --json document's format, written
// as its "format_version". Scripts check it before they read a document:
// the minor version grows when fields are added, the major one when a
// field changes meaning or goes away.
const formatVersion = "1.0"

// A view is a command's result as migctl prints it: its JSON encoding is
// the --json document and human writes the form for people. Each command's
// view is one small type, in the view_<noun>.go file of its noun, so what
// a command promises scripts is read in one place.
type view interface {
	human(w io.Writer) error
}

// show prints v: with --json its one JSON document, else its human form.
func (e *env) show(v view) error { return e.print(v, v.human) }

// print is show for a document and a human form given apart: the one
// place a command's output chooses between JSON and people. With --json
// it writes doc, which must encode as a JSON object, with format_version
// added as its first key.
func (e *env) print(doc any, human func(w io.Writer) error) error {
	if !e.json {
		return human(e.stdout)
	}
	b, err := versioned(doc)
	if err != nil {
		return fmt.Errorf("write JSON output: %w", err)
	}
	_, err = e.stdout.Write(b)
	return err
}

// versioned encodes doc, indented, with format_version as its first key.
func versioned(doc any) ([]byte, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("a document must be a JSON object, not %.20s", body)
	}
	var flat bytes.Buffer
	flat.WriteString(`{"format_version":`)
	v, _ := json.Marshal(formatVersion)
	flat.Write(v)
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] != '}' {
		flat.WriteByte(',')
	}
	flat.Write(body[1:])
	var out bytes.Buffer
	if err := json.Indent(&out, flat.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
