package report

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Cell values a builder may put in a row are nil, string, bool, int,
// int64, float64 and time.Time; Row normalises them (a time becomes its
// RFC 3339 UTC text, an int an int64) so the JSON form and every renderer
// see one shape.
func Row(cells ...any) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = normalise(c)
	}
	return out
}

func normalise(c any) any {
	switch v := c.(type) {
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case time.Time:
		if v.IsZero() {
			return nil
		}
		return v.UTC().Format(time.RFC3339)
	case *time.Time:
		if v == nil || v.IsZero() {
			return nil
		}
		return v.UTC().Format(time.RFC3339)
	case string:
		if v == "" {
			return nil
		}
		return v
	}
	return c
}

// Text is the cell as plain text for data formats (CSV): numbers without
// grouping, times as stored, nil as "".
func (c Column) Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if c.Type == ColInteger && x == math.Trunc(x) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Display is the cell as a reader sees it: integers grouped in thousands,
// times as "2006-01-02 15:04 UTC", booleans as yes/no, nil as "".
func (c Column) Display(v any) string {
	switch c.Type {
	case ColInteger:
		switch x := v.(type) {
		case int64:
			return Thousands(x)
		case float64:
			return Thousands(int64(x))
		}
	case ColTime:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				return t.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
	case ColBool:
		if b, ok := v.(bool); ok {
			if b {
				return "yes"
			}
			return "no"
		}
	}
	return c.Text(v)
}

// Thousands formats n with comma thousands separators.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ErrInvalid marks a document that breaks the content model's rules; every
// renderer checks a document with Validate before it writes a byte.
var ErrInvalid = errors.New("invalid report document")

var tableIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate checks what the JSON Schema cannot: each block holds the field
// its type names, table ids are unique file names, every row has one cell
// per column of the column's type, and every chart series one value per
// label.
func (d *Document) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	if d.Format != FormatID {
		return bad("format %q, want %q", d.Format, FormatID)
	}
	tables := map[string]bool{}
	sections := map[string]bool{}
	var checkTable func(where string, t *Table) error
	checkTable = func(where string, t *Table) error {
		if !tableIDPattern.MatchString(t.ID) {
			return bad("%s: table id %q must be lower-case letters, digits and '_' (it names a file)", where, t.ID)
		}
		if tables[t.ID] {
			return bad("%s: table id %q is used twice", where, t.ID)
		}
		tables[t.ID] = true
		if len(t.Columns) == 0 {
			return bad("%s: table %q has no columns", where, t.ID)
		}
		keys := map[string]bool{}
		for _, c := range t.Columns {
			if c.Key == "" || keys[c.Key] {
				return bad("%s: table %q column key %q is empty or repeated", where, t.ID, c.Key)
			}
			keys[c.Key] = true
		}
		for i, r := range t.Rows {
			if len(r) != len(t.Columns) {
				return bad("%s: table %q row %d has %d cells for %d columns", where, t.ID, i+1, len(r), len(t.Columns))
			}
			for j, v := range r {
				if !cellFits(t.Columns[j].Type, v) {
					return bad("%s: table %q row %d column %q holds %T, not %s", where, t.ID, i+1, t.Columns[j].Key, v, t.Columns[j].Type)
				}
			}
		}
		if t.Summary != nil {
			return checkTable(where+" (summary of "+t.ID+")", t.Summary)
		}
		return nil
	}
	for si, s := range d.Sections {
		where := fmt.Sprintf("section %d (%s)", si+1, s.ID)
		if s.ID == "" || sections[s.ID] {
			return bad("%s: section id is empty or repeated", where)
		}
		sections[s.ID] = true
		for bi, b := range s.Blocks {
			at := fmt.Sprintf("%s block %d", where, bi+1)
			set := 0
			for _, p := range []bool{b.Heading != nil, b.Paragraph != nil, b.Facts != nil, b.Table != nil, b.Chart != nil, b.Checklist != nil, b.Note != nil} {
				if p {
					set++
				}
			}
			ok := set == 1
			switch b.Type {
			case BlockHeading:
				ok = ok && b.Heading != nil
			case BlockParagraph:
				ok = ok && b.Paragraph != nil
			case BlockFacts:
				ok = ok && b.Facts != nil
			case BlockTable:
				ok = ok && b.Table != nil
			case BlockChart:
				ok = ok && b.Chart != nil
			case BlockChecklist:
				ok = ok && b.Checklist != nil
			case BlockNote:
				ok = ok && b.Note != nil
			default:
				ok = false
			}
			if !ok {
				return bad("%s: type %q does not match the one field it must set", at, b.Type)
			}
			if b.Table != nil {
				if err := checkTable(at, b.Table); err != nil {
					return err
				}
			}
			if c := b.Chart; c != nil {
				for _, sr := range c.Series {
					if len(sr.Values) != len(c.Labels) {
						return bad("%s: chart %q series %q has %d values for %d labels", at, c.ID, sr.Name, len(sr.Values), len(c.Labels))
					}
				}
			}
		}
	}
	return nil
}

func cellFits(t ColumnType, v any) bool {
	switch v.(type) {
	case nil:
		return true
	case string:
		return t != ColInteger && t != ColNumber && t != ColBool
	case bool:
		return t == ColBool
	case int64:
		return t == ColInteger || t == ColNumber
	case float64:
		// A document read back from JSON holds float64 for every number.
		return t == ColInteger || t == ColNumber
	}
	return false
}

// StatusTone is the tone a format colours a status cell with, so "failed"
// is red and "completed" green in every format. Stages' state names are
// listed here as they arrive; an unknown one is neutral.
func StatusTone(status string) Tone {
	switch strings.ToLower(status) {
	case "completed", "complete", "applied", "met", "ready", "ready_for_future_preview", "resolved",
		"acknowledged", "native_import", "intact", "passed", "configured",
		"pass", "applied_with_follow_up", "completed_with_follow_up", "deleted":
		return ToneSuccess
	case "failed", "blocked", "broken", "not_met", "error", "fail", "refused":
		return ToneDanger
	case "collecting", "partial", "pending", "manual_follow_up", "manual_rebuild_required",
		"import_with_approximation", "assessing", "skipped", "warning",
		"warn", "in_doubt", "interrupted":
		return ToneWarning
	}
	return ToneInfo
}
