package inventory

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fact is one field of a view for people to read: its path of JSON names
// ("saml.acs_urls") and its value as text.
type Fact struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Facts flattens the view into readable facts in field order. Empty
// strings and lists, and zero values of optional fields, are left out;
// tri-state facts are always shown: an "unknown" is information a reviewer
// must see. Certificate bodies are left to the raw payload.
func (v View) Facts() []Fact {
	var out []Fact
	walk(reflect.ValueOf(v), "", true, func(path string, f *fieldInfo, val reflect.Value) {
		if f.skip {
			return
		}
		if s, ok := factValue(val, f); ok {
			out = append(out, Fact{Path: path, Value: s})
		}
	})
	return out
}

// SearchText is the view's text for the full-text index: every string it
// holds, in field order (deterministic, so an index entry can be rebuilt
// the same), without certificate bodies or tri-state words.
func (v View) SearchText() string {
	var b strings.Builder
	walk(reflect.ValueOf(v), "", false, func(_ string, f *fieldInfo, val reflect.Value) {
		if f.skip || f.tri {
			return
		}
		switch val.Kind() {
		case reflect.String:
			if s := val.String(); s != "" {
				b.WriteString(s)
				b.WriteByte(' ')
			}
		case reflect.Slice:
			if val.Type().Elem().Kind() == reflect.String {
				for i := range val.Len() {
					b.WriteString(val.Index(i).String())
					b.WriteByte(' ')
				}
			}
		}
	})
	return strings.TrimSpace(b.String())
}

var (
	timeType = reflect.TypeFor[time.Time]()
	triType  = reflect.TypeFor[Tri]()
	plans    sync.Map // reflect.Type -> []fieldInfo
)

// fieldInfo is what walk needs of a struct field, read from its tags once
// per type.
type fieldInfo struct {
	index     int
	name      string // JSON name
	skip      bool   // search:"-": left out of facts and search text
	omitEmpty bool
	tri       bool
}

func plan(t reflect.Type) []fieldInfo {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldInfo)
	}
	var out []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		out = append(out, fieldInfo{index: i, name: name, skip: f.Tag.Get("search") == "-",
			omitEmpty: strings.Contains(opts, "omitempty"), tri: f.Type == triType})
	}
	plans.Store(t, out)
	return out
}

// walk calls leaf for every leaf field under v: strings, numbers, booleans,
// times and slices of strings. Structs and pointers to them are descended
// into; slices of structs are descended per element with "[i]" in the
// path. Paths are built only when withPath is set.
func walk(v reflect.Value, path string, withPath bool, leaf func(path string, f *fieldInfo, v reflect.Value)) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	fields := plan(v.Type())
	for i := range fields {
		f := &fields[i]
		p := ""
		if withPath {
			p = f.name
			if path != "" {
				p = path + "." + f.name
			}
		}
		fv := v.Field(f.index)
		ft := fv.Type()
		for ft.Kind() == reflect.Pointer {
			if fv.IsNil() {
				break
			}
			fv, ft = fv.Elem(), ft.Elem()
		}
		switch {
		case fv.Kind() == reflect.Pointer: // nil pointer
			if ft.Elem().Kind() != reflect.Struct || ft.Elem() == timeType {
				leaf(p, f, fv)
			}
		case fv.Kind() == reflect.Struct && ft != timeType:
			walk(fv, p, withPath, leaf)
		case fv.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			for j := range fv.Len() {
				ep := ""
				if withPath {
					ep = p + "[" + strconv.Itoa(j) + "]"
				}
				walk(fv.Index(j), ep, withPath, leaf)
			}
		default:
			leaf(p, f, fv)
		}
	}
}

func factValue(v reflect.Value, f *fieldInfo) (string, bool) {
	if f.tri && v.Kind() == reflect.String {
		return Tri(v.String()).String(), true
	}
	switch v.Kind() {
	case reflect.Pointer:
		return "", false // nil
	case reflect.String:
		return v.String(), v.String() != ""
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), v.Bool() || !f.omitEmpty
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), v.Int() != 0 || !f.omitEmpty
	case reflect.Slice:
		if v.Len() == 0 {
			return "", false
		}
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = v.Index(i).String()
		}
		return strings.Join(parts, ", "), true
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339), !t.IsZero()
		}
	}
	return "", false
}
