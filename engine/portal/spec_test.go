package portal

import (
	"context"
	"testing"
)

func TestLoadSpec(t *testing.T) {
	doc, err := LoadSpec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Info.Version; got != "1.0.0" {
		t.Errorf("info.version = %q, want 1.0.0", got)
	}
	for path, item := range doc.Paths.Map() {
		if len(path) < 8 || path[:8] != "/api/v1/" {
			t.Errorf("path %s is not under /api/v1", path)
		}
		for method, op := range item.Operations() {
			if method == "POST" && op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
				t.Errorf("%s %s has no Idempotency-Key header", method, path)
			}
			if method == "PUT" && op.Parameters.GetByInAndName("header", "If-Match") == nil {
				t.Errorf("%s %s has no If-Match header", method, path)
			}
		}
	}
}
