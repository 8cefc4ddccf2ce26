package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestValueNeverPrints(t *testing.T) {
	v := New("  canary-secret-value\n")
	if v.Reveal() != "canary-secret-value" {
		t.Fatalf("Reveal = %q, want the trimmed plaintext", v.Reveal())
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("connect", "token", v)
	outputs := []string{
		fmt.Sprint(v), fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v),
		fmt.Sprintf("%+v", struct{ Token Value }{v}), logged.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "canary") {
			t.Fatalf("plaintext printed: %s", out)
		}
	}
	if b, err := json.Marshal(struct{ Token Value }{v}); err == nil {
		t.Fatalf("JSON encoding succeeded: %s", b)
	}
	if !New(" \n").IsEmpty() {
		t.Fatal("whitespace-only secret should be empty")
	}
}
