package okta

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// seedVendor adds every element of the vendor files under dir to f.
func seedVendor(f *testing.F, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata/vendor", dir, "*.json"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		var arr []json.RawMessage
		if json.Unmarshal(b, &arr) == nil {
			for _, e := range arr {
				f.Add([]byte(e))
			}
			continue
		}
		var wrap struct {
			Domains []json.RawMessage `json:"domains"`
		}
		if json.Unmarshal(b, &wrap) == nil {
			for _, e := range wrap.Domains {
				f.Add([]byte(e))
			}
		}
		f.Add(b)
	}
}

// checkItem holds for any payload a normalizer accepts: an id, the raw
// payload unchanged, and a complete, consistent view.
func checkItem(t *testing.T, raw []byte, it inventory.Item, err error) {
	if err != nil {
		return
	}
	if it.SourceID == "" {
		t.Fatal("accepted a payload without an id")
	}
	if string(it.Raw) != string(raw) {
		t.Fatal("raw payload changed")
	}
	if p := inventory.CheckView(it); len(p) > 0 {
		t.Fatalf("view problems: %v", p)
	}
}

func FuzzNormalizeOktaApp(f *testing.F) {
	seedVendor(f, "applications")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizeApp(raw, nil, time.Unix(1_700_000_000, 0))
		checkItem(t, raw, it, err)
	})
}

func FuzzNormalizeOktaGroup(f *testing.F) {
	seedVendor(f, "groups")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizeGroup(raw, GroupRules{})
		checkItem(t, raw, it, err)
	})
}

func FuzzNormalizeOktaIdP(f *testing.F) {
	seedVendor(f, "idps")
	f.Fuzz(func(t *testing.T, raw []byte) {
		key, err := ParseSigningKey(raw, time.Unix(1_700_000_000, 0))
		if err == nil && key.Error == "" && key.NotAfter.IsZero() {
			t.Fatal("a parsed certificate has no validity")
		}
		it, err := NormalizeIdP(raw, map[string]SigningKey{key.Kid: key})
		checkItem(t, raw, it, err)
	})
}

func FuzzNormalizeOktaRoutingRule(f *testing.F) {
	seedVendor(f, "policies")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizeRoutingRule(raw, "00pPolicy")
		checkItem(t, raw, it, err)
		if err == nil && len(it.Refs) == 0 {
			t.Fatal("a routing rule lost its policy ref")
		}
	})
}

func FuzzNormalizeOktaPolicy(f *testing.F) {
	seedVendor(f, "policies")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizePolicy(raw)
		checkItem(t, raw, it, err)
		it, err = NormalizePolicyRule(raw, "00pPolicy", "ACCESS_POLICY")
		checkItem(t, raw, it, err)
	})
}

func FuzzNormalizeOktaDomain(f *testing.F) {
	seedVendor(f, "domains")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizeDomain(raw)
		checkItem(t, raw, it, err)
	})
}

func FuzzNormalizeOktaAssignment(f *testing.F) {
	seedVendor(f, "app_group_assignments")
	seedVendor(f, "app_user_assignments")
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := NormalizeAppGroup(raw, AppRef{ID: "0oaApp", Name: "App"})
		checkItem(t, raw, it, err)
		it, err = NormalizeAppUser(raw, AppRef{ID: "0oaApp"})
		checkItem(t, raw, it, err)
	})
}
