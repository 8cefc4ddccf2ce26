package wiring

import (
	"os"
	"regexp"
	"testing"
)

// TestVersionIsFyneAppVersion: reports and bundles state Version; the
// package the GUI is shipped in states FyneApp.toml's. They must agree.
func TestVersionIsFyneAppVersion(t *testing.T) {
	b, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("FyneApp.toml states no Version")
	}
	if string(m[1]) != Version {
		t.Errorf("wiring.Version is %q, FyneApp.toml says %q", Version, m[1])
	}
}
