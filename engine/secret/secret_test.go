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

func TestExactKeepsSurroundingWhitespace(t *testing.T) {
	v := Exact("  fake-vendor-secret-test-only \n")
	if v.Reveal() != "  fake-vendor-secret-test-only \n" {
		t.Fatalf("Reveal = %q, want the value as given", v.Reveal())
	}
	if fmt.Sprintf("%v %+v %#v %q", v, v, v, v) != "[REDACTED] [REDACTED] [REDACTED] \"[REDACTED]\"" {
		t.Fatal("an exact value prints its plaintext")
	}
	if _, err := json.Marshal(v); err == nil {
		t.Fatal("an exact value was serialised")
	}
	if Exact("").IsEmpty() != true || Exact(" ").IsEmpty() {
		t.Fatal("only the empty string is an empty exact value")
	}
}
