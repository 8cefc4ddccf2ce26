package vendor

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Registry is the vendors the console offers, in the order it offers
// them. app/wiring/vendors.go builds the one list; the workspace and
// inventory services use it through the small interfaces they declare
// (workspace.Kinds, inventory.Incumbents), and the CLI and GUI build their
// source forms from it.
type Registry struct {
	vendors []Vendor
	byKind  map[workspace.SourceKind]Vendor
}

// NewRegistry lists vendors. A duplicate kind or a malformed spec is a
// programming error in that list, and panics at start-up, as restic's
// registry does for a duplicate backend.
func NewRegistry(vendors ...Vendor) Registry {
	r := Registry{byKind: map[workspace.SourceKind]Vendor{}}
	for _, v := range vendors {
		kind := v.Kind()
		if !namePattern.MatchString(string(kind)) || slices.Contains(sourceKeys, string(kind)) {
			panic(fmt.Sprintf("vendor kind %q must be lowercase snake_case and not a key of a source's JSON", kind))
		}
		if r.byKind[kind] != nil {
			panic(fmt.Sprintf("vendor kind %q registered twice", kind))
		}
		if err := v.Spec().validate(); err != nil {
			panic(fmt.Sprintf("vendor %q: %v", kind, err))
		}
		r.vendors = append(r.vendors, v)
		r.byKind[kind] = v
	}
	return r
}

// Vendors are the registered vendors in order.
func (r Registry) Vendors() []Vendor { return slices.Clone(r.vendors) }

// Kinds are the registered kinds in order.
func (r Registry) Kinds() []string {
	out := make([]string, len(r.vendors))
	for i, v := range r.vendors {
		out[i] = string(v.Kind())
	}
	return out
}

// Lookup returns the vendor of kind. An unknown kind wraps
// workspace.ErrInvalid and lists the known ones.
func (r Registry) Lookup(kind workspace.SourceKind) (Vendor, error) {
	if v := r.byKind[kind]; v != nil {
		return v, nil
	}
	return nil, Invalid("source kind %q must be %s", kind, orList(r.Kinds()))
}

// Label is the platform name of kind, or kind itself when no vendor has it.
func (r Registry) Label(kind workspace.SourceKind) string {
	if v := r.byKind[kind]; v != nil {
		return v.Label()
	}
	return string(kind)
}

// Describe says where src points and how it signs in; a source of an
// unknown kind is described by its kind alone.
func (r Registry) Describe(src workspace.Source) Description {
	if v := r.byKind[src.Kind]; v != nil {
		return v.Describe(src.Settings)
	}
	return Description{Summary: []string{"settings of an unknown kind " + string(src.Kind)}}
}

// CheckSource implements workspace.Kinds: the spec's checks, then the
// vendor's.
func (r Registry) CheckSource(kind workspace.SourceKind, values map[string]string, cred secret.Value) (json.RawMessage, error) {
	v, err := r.Lookup(kind)
	if err != nil {
		return nil, err
	}
	checked, err := v.Spec().Check(string(kind), values)
	if err != nil {
		return nil, err
	}
	return v.Validate(checked, cred)
}

// SourceFacts implements workspace.Kinds.
func (r Registry) SourceFacts(kind workspace.SourceKind, settings json.RawMessage) map[string]string {
	if v := r.byKind[kind]; v != nil {
		return v.Facts(settings)
	}
	return map[string]string{}
}

// Incumbent implements inventory.Incumbents.
func (r Registry) Incumbent(kind workspace.SourceKind) (inventory.Incumbent, error) {
	if v := r.byKind[kind]; v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("source kind %q is not one this console knows (%s)", kind, strings.Join(r.Kinds(), ", "))
}

var (
	_ workspace.Kinds      = Registry{}
	_ inventory.Incumbents = Registry{}
	_ inventory.Incumbent  = Vendor(nil)
)
