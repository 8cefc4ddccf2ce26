package oktareplay_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	demo "github.com/portal-id/migration-console/assets/demo/okta"
	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

// The committed demo payloads are exactly what the generator writes: run
// `make generate` after changing it.
func TestDemoPayloadsMatchTheGenerator(t *testing.T) {
	dir := t.TempDir()
	if err := oktareplay.Generate(oktareplay.DemoSpec).Save(dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("the generator wrote nothing")
	}
	for _, f := range files {
		want, _ := os.ReadFile(f)
		got, err := demo.Payloads.ReadFile(filepath.Base(f))
		if err != nil {
			t.Fatalf("demo lacks %s: %v", filepath.Base(f), err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("assets/demo/okta/%s is stale; regenerate with: make generate", filepath.Base(f))
		}
	}
	org, err := oktareplay.LoadFS(demo.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Apps) < 50 || len(org.Groups) < 100 {
		t.Errorf("demo org is too small: %d apps, %d groups", len(org.Apps), len(org.Groups))
	}
}
