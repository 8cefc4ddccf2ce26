package vendor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// FieldKind is what a settings field holds, and so how a form asks for it.
type FieldKind string

const (
	// FieldText is one line of free text (an id, a tenant name).
	FieldText FieldKind = "text"
	// FieldURL is a base URL; the vendor checks it with engine/endpoint.
	FieldURL FieldKind = "url"
	// FieldChoice is one of Field.Choices.
	FieldChoice FieldKind = "choice"
	// FieldList is words separated by spaces or commas (OAuth scopes).
	FieldList FieldKind = "list"
	// FieldSecret is the source's credential: never a flag value, never
	// stored in the workspace file. A spec has exactly one.
	FieldSecret FieldKind = "secret"
)

// Field is one setting of a source, or its credential.
type Field struct {
	// Name is the settings document's key and, with '-' for '_', the
	// migctl flag: "org_url" is --org-url. Lowercase snake_case.
	Name string
	// Label names the field in forms and messages: "Org URL".
	Label string
	// Help is one line: the flag's usage and the form field's hint.
	Help string
	Kind FieldKind
	// Required fields must be given, for the auth modes they apply to.
	Required bool
	// Choices are a FieldChoice field's values, in the order forms offer them.
	Choices []Choice
	// Default is the value an omitted field takes; a form preselects it
	// (a FieldChoice field without one preselects its first choice, but the
	// CLI still requires it when Required).
	Default string
	// Example is shown in an empty form field: "https://example.okta.com".
	Example string
	// AuthModes are the values of the spec's auth field this field applies
	// to; empty means every mode.
	AuthModes []string
}

// Choice is one value of a Choice field.
type Choice struct {
	Value string
	Label string
}

// Spec describes what a source of one vendor takes.
type Spec struct {
	// Summary is one line about the kind of source, for `migctl source add
	// <kind> --help`: "an Okta org: an API token, or a service app's PEM
	// private key".
	Summary string
	// AuthField names the Choice field that selects how the console signs
	// in; fields' AuthModes refer to its values. Empty: one mode only.
	AuthField string
	// Fields in the order forms show them.
	Fields []Field
}

// Field returns the field called name.
func (s Spec) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Credential is the spec's Secret field.
func (s Spec) Credential() Field {
	for _, f := range s.Fields {
		if f.Kind == FieldSecret {
			return f
		}
	}
	return Field{}
}

// Settings are the spec's fields other than the credential.
func (s Spec) Settings() []Field {
	var out []Field
	for _, f := range s.Fields {
		if f.Kind != FieldSecret {
			out = append(out, f)
		}
	}
	return out
}

// AppliesTo reports whether f applies when the auth field is mode.
func (f Field) AppliesTo(mode string) bool {
	return len(f.AuthModes) == 0 || slices.Contains(f.AuthModes, mode)
}

// ChoiceLabel is the label of a Choice field's value, or the value itself.
func (f Field) ChoiceLabel(value string) string {
	for _, c := range f.Choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

// ChoiceValues are a Choice field's values in order.
func (f Field) ChoiceValues() []string {
	out := make([]string, len(f.Choices))
	for i, c := range f.Choices {
		out[i] = c.Value
	}
	return out
}

// Check validates values (field name to value, as a flag or form field
// carries it) against the spec for a source of kind, and returns them
// trimmed, with the defaults of omitted fields filled in and empty values
// dropped: every name a field's, every FieldChoice value one of its choices,
// every Required field present, no field given for an auth mode it does not
// apply to. The credential is not among values. Errors wrap
// workspace.ErrInvalid and name fields by label.
func (s Spec) Check(kind string, values map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for name, v := range values {
		f, ok := s.Field(name)
		if !ok || f.Kind == FieldSecret {
			return nil, Invalid("%s source takes %s settings only; %q is not one of them (%s)",
				Article(kind), kind, name, strings.Join(s.names(), ", "))
		}
		if v = strings.TrimSpace(v); v != "" {
			out[name] = v
		}
	}
	mode := ""
	if s.AuthField != "" {
		f, _ := s.Field(s.AuthField)
		if _, ok := out[f.Name]; !ok && f.Default != "" {
			out[f.Name] = f.Default
		}
		mode = out[f.Name]
	}
	for _, f := range s.Settings() {
		v, given := out[f.Name]
		applies := f.Name == s.AuthField || f.AppliesTo(mode)
		switch {
		case given && !applies:
			return nil, Invalid("%s applies only with %s %s, not %s", f.Label, s.authLabel(), strings.Join(f.AuthModes, " or "), mode)
		case given && f.Kind == FieldChoice && !slices.Contains(f.ChoiceValues(), v):
			return nil, Invalid("%s %q must be %s", f.Label, v, orList(f.ChoiceValues()))
		case !given && applies && f.Default != "":
			out[f.Name] = f.Default
		case !given && applies && f.Required:
			return nil, Invalid("%s source needs its %s", Article(kind), f.Label)
		}
	}
	return out, nil
}

func (s Spec) names() []string {
	var out []string
	for _, f := range s.Settings() {
		out = append(out, f.Name)
	}
	return out
}

func (s Spec) authLabel() string {
	if f, ok := s.Field(s.AuthField); ok {
		return strings.ToLower(f.Label)
	}
	return s.AuthField
}

// Article puts "a" or "an" before word: "an okta", "a ping".
func Article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// orList renders values as "a, b or c".
func orList(values []string) string {
	switch len(values) {
	case 0:
		return "one of no values"
	case 1:
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// Words splits a List field's value at spaces and commas.
func Words(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

var (
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// sourceKeys are the keys of a source's JSON document, which a kind
	// (its settings' key there) must not shadow.
	sourceKeys = []string{"id", "name", "kind", "status", "created_at", "archived_at", "last_inventory_at"}
)

// validate reports what is wrong with the spec of kind; NewRegistry
// refuses such a vendor.
func (s Spec) validate() error {
	seen := map[string]bool{}
	secrets := 0
	var modes []string
	if s.AuthField != "" {
		f, ok := s.Field(s.AuthField)
		if !ok || f.Kind != FieldChoice {
			return fmt.Errorf("auth field %q is not a choice field of the spec", s.AuthField)
		}
		modes = f.ChoiceValues()
	}
	for _, f := range s.Fields {
		switch {
		case !namePattern.MatchString(f.Name) || f.Name == "name":
			return fmt.Errorf("field name %q must be lowercase snake_case and not \"name\" (the source's own)", f.Name)
		case seen[f.Name]:
			return fmt.Errorf("field %q appears twice", f.Name)
		case f.Label == "" || f.Help == "":
			return fmt.Errorf("field %q needs a label and a help line", f.Name)
		case f.Kind == FieldChoice && len(f.Choices) == 0:
			return fmt.Errorf("choice field %q has no choices", f.Name)
		case f.Kind == FieldChoice && f.Default != "" && !slices.Contains(f.ChoiceValues(), f.Default):
			return fmt.Errorf("choice field %q defaults to %q, which is not one of its choices", f.Name, f.Default)
		case f.Kind != FieldText && f.Kind != FieldURL && f.Kind != FieldChoice && f.Kind != FieldList && f.Kind != FieldSecret:
			return fmt.Errorf("field %q has unknown kind %q", f.Name, f.Kind)
		}
		for _, m := range f.AuthModes {
			if !slices.Contains(modes, m) {
				return fmt.Errorf("field %q applies to auth mode %q, which the auth field does not offer", f.Name, m)
			}
		}
		seen[f.Name] = true
		if f.Kind == FieldSecret {
			secrets++
		}
	}
	if secrets != 1 {
		return fmt.Errorf("a spec needs exactly one secret field (the credential), not %d", secrets)
	}
	return nil
}
