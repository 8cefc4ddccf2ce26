// Package conformance is the test every vendor's collector passes on its
// fixtures, through its real SDK against its replay server: each item's
// view is complete and consistent (a closed subtype equal to the
// envelope's, the facts its kind requires, secret markers that are
// markers), every field the view says it copies verbatim is in the raw
// payload, no secret of the raw payload reaches the view, references
// resolve within the snapshot, and assignments carry the names of what
// they join. Group members (CheckMembers) belong to a group of the
// snapshot, copy only what their payload holds, and each group's listing
// is complete; a nested group resolves to a group of the snapshot, or is
// named as unlisted by the expansion the rollout runs.
//
// A vendor gets it with a ten-line test (rclone's fstests.Run is the
// model):
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Opt{Vendor: "okta", Fixtures: []conformance.Fixture{
//			{Name: "demo org", Complete: true, Members: true, Collect: collectDemo},
//			{Name: "published examples", Collect: collectVendor},
//		}})
//	}
package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Collection is everything one collection emitted.
type Collection struct {
	Items    []inventory.Item
	Members  []inventory.Member
	Listings []inventory.MemberListing
}

// Fixture is one tenant a vendor's collector reads.
type Fixture struct {
	Name string
	// Collect runs the vendor's collector, through its SDK, against its
	// replay server serving this tenant, and returns everything it
	// emitted.
	Collect func(t *testing.T) Collection
	// Members: the tenant's groups have members, so the collection must
	// emit some.
	Members bool
	// Complete: the tenant's payloads only reference objects it holds (a
	// generated tenant), so every reference must resolve and every
	// assignment be named. Published vendor examples reuse and dangle ids;
	// there a reference may point outside the fixture, but an assignment
	// must then say what it could not name.
	Complete bool
	// Kinds are the kinds the tenant must yield (nil: no requirement).
	Kinds []inventory.Kind
}

// Opt configures Run.
type Opt struct {
	// Vendor names the incumbent in failures.
	Vendor   string
	Fixtures []Fixture
}

// Run runs the suite on every fixture.
func Run(t *testing.T, opt Opt) {
	if len(opt.Fixtures) == 0 {
		t.Fatalf("%s: no fixtures: the suite would prove nothing", opt.Vendor)
	}
	for _, f := range opt.Fixtures {
		t.Run(f.Name, func(t *testing.T) {
			c := f.Collect(t)
			items := inventory.NameAssignments(c.Items)
			if len(items) == 0 {
				t.Fatalf("%s %s: the collector emitted nothing", opt.Vendor, f.Name)
			}
			Check(t, items, f)
			CheckMembers(t, items, c.Members, c.Listings, f)
		})
	}
}

// Reporter is the part of *testing.T the checks report through.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check applies the suite's checks to one collection's items.
func Check(t Reporter, items []inventory.Item, f Fixture) {
	t.Helper()
	index := map[inventory.Kind]map[string]bool{}
	for _, it := range items {
		if index[it.Kind] == nil {
			index[it.Kind] = map[string]bool{}
		}
		index[it.Kind][it.SourceID] = true
	}
	for _, k := range f.Kinds {
		if len(index[k]) == 0 {
			t.Errorf("no %s item", k)
		}
	}
	for _, it := range items {
		name := fmt.Sprintf("%s %s (%s)", it.Kind, it.SourceID, it.DisplayName)
		for _, p := range inventory.CheckView(it) {
			t.Errorf("%s: %s", name, p)
		}
		if it.View.Missing() {
			continue
		}
		strs, secrets := rawStrings(it.Raw)
		for _, v := range verbatim(it.View) {
			if !strs[v.value] {
				t.Errorf("%s: %s = %q is said to be copied from the raw payload, which does not hold it", name, v.path, v.value)
			}
		}
		view, err := json.Marshal(it.View)
		if err != nil {
			t.Errorf("%s: the view does not encode: %v", name, err)
			continue
		}
		for _, s := range secrets {
			if strings.Contains(string(view), s) {
				t.Errorf("%s: a secret of the raw payload is in the view", name)
			}
		}
		for _, r := range it.Refs {
			if r.SourceID == "" {
				t.Errorf("%s: a %s reference names no id", name, r.Role)
			}
			if r.Kind != "" && f.Complete && !index[r.Kind][r.SourceID] {
				t.Errorf("%s: %s reference to %s %s does not resolve in the snapshot", name, r.Role, r.Kind, r.SourceID)
			}
		}
		if a := it.View.Assignment; a != nil {
			checkAssignment(t, name, it, a, index, f.Complete)
		}
	}
}

func checkAssignment(t Reporter, name string, it inventory.Item, a *inventory.AssignmentView, index map[inventory.Kind]map[string]bool, complete bool) {
	t.Helper()
	if !slices.ContainsFunc(it.Refs, func(r inventory.Ref) bool { return r.Role == "app" && r.SourceID == a.AppID }) {
		t.Errorf("%s: no app reference to %s", name, a.AppID)
	}
	if complete && len(a.Unresolved) > 0 {
		t.Errorf("%s: a complete tenant left %v unnamed", name, a.Unresolved)
	}
	// An application the snapshot holds is always named.
	if index[inventory.KindApplication][a.AppID] && a.AppName == "" {
		t.Errorf("%s: application %s is in the snapshot but the assignment does not name it", name, a.AppID)
	}
	if a.AppName != "" && !strings.Contains(it.DisplayName, a.AppName) || a.PrincipalName != "" && !strings.Contains(it.DisplayName, a.PrincipalName) {
		t.Errorf("%s: the display name does not show the names %q and %q", name, a.AppName, a.PrincipalName)
	}
}

type copied struct{ path, value string }

// verbatim lists the non-empty string values of the view's fields tagged
// raw:"verbatim".
func verbatim(v inventory.View) []copied {
	var out []copied
	var walk func(reflect.Value, string)
	walk = func(v reflect.Value, path string) {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				p := path + "." + f.Name
				fv := v.Field(i)
				if f.Tag.Get("raw") == "verbatim" {
					switch fv.Kind() {
					case reflect.String:
						if s := fv.String(); s != "" {
							out = append(out, copied{p, s})
						}
					case reflect.Slice:
						for j := range fv.Len() {
							if s := fv.Index(j).String(); s != "" {
								out = append(out, copied{fmt.Sprintf("%s[%d]", p, j), s})
							}
						}
					}
					continue
				}
				walk(fv, p)
			}
		case reflect.Slice:
			for j := range v.Len() {
				walk(v.Index(j), fmt.Sprintf("%s[%d]", path, j))
			}
		}
	}
	walk(reflect.ValueOf(v), "view")
	return out
}

// secretKeys name payload fields that carry secrets in the vendors'
// schemas (Okta client_secret, credentials.password.value, hook auth
// values; Graph passwordCredentials[].secretText and keyCredentials[].key).
var secretKeys = regexp.MustCompile(`(?i)^(client_secret|secret|secrettext|privatekey|private_key|sharedsecret|apitoken|password)$`)

// rawStrings returns every string of the raw payload (values, and object
// keys, which some schemas use as names: Okta's classic factors), and the
// values under secret-bearing keys that are not redaction markers.
func rawStrings(raw []byte) (map[string]bool, []string) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return map[string]bool{}, nil
	}
	strs := map[string]bool{}
	var secrets []string
	var walk func(v any, key, parent string)
	walk = func(v any, key, parent string) {
		switch x := v.(type) {
		case string:
			strs[x] = true
			secret := secretKeys.MatchString(key) || key == "value" && (parent == "password" || parent == "authScheme") ||
				key == "key" && parent == "keyCredentials"
			if secret && len(x) >= 6 && !strings.HasPrefix(x, inventory.RedactedPrefix) {
				secrets = append(secrets, x)
			}
		case []any:
			for _, e := range x {
				walk(e, key, key)
			}
		case map[string]any:
			for k, e := range x {
				strs[k] = true
				walk(e, k, key)
			}
		}
	}
	walk(v, "", "")
	return strs, secrets
}
