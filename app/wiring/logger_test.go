package wiring

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

func TestLoggerRedactsSecrets(t *testing.T) {
	const canary = "canary-fake-secret-5f1e0c"
	cred := secret.New(canary)
	cases := []struct {
		name string
		log  func(*slog.Logger)
	}{
		{"secret value", func(l *slog.Logger) { l.Debug("m", "value", cred) }},
		{"pointer to secret value", func(l *slog.Logger) { l.Debug("m", "value", &cred) }},
		{"plain string under a token key", func(l *slog.Logger) { l.Debug("m", "api_token", canary) }},
		{"authorization header", func(l *slog.Logger) { l.Debug("m", "Authorization", "SSWS "+canary) }},
		{"password key", func(l *slog.Logger) { l.Info("m", slog.String("Password", canary)) }},
		{"client key", func(l *slog.Logger) { l.Info("m", "private_key", canary) }},
		{"credential key", func(l *slog.Logger) { l.Info("m", "credential", []byte(canary)) }},
		{"group named secret", func(l *slog.Logger) { l.Info("m", slog.Group("secret", "v", canary)) }},
		{"struct holding a secret", func(l *slog.Logger) {
			l.Debug("m", "request", workspace.NewSource{Name: "acme-okta", Kind: "okta", Settings: map[string]string{"org_url": "https://acme.okta.com"}, Credential: cred})
		}},
		{"map holding a secret", func(l *slog.Logger) { l.Debug("m", "m", map[string]any{"x": cred}) }},
		{"With attribute", func(l *slog.Logger) { l.With("token", canary).Warn("m") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.log(Logger(&buf, slog.LevelDebug))
			out := buf.String()
			if out == "" {
				t.Fatal("nothing was logged")
			}
			if strings.Contains(out, canary) {
				t.Fatalf("log line leaks the secret: %s", out)
			}
			if !strings.Contains(out, redacted) {
				t.Fatalf("log line does not say the value was redacted: %s", out)
			}
		})
	}
}

func TestLoggerKeepsOrdinaryAttributes(t *testing.T) {
	var buf bytes.Buffer
	Logger(&buf, slog.LevelDebug).Debug("source added", "name", "acme-okta", "kind", "okta", "count", 3)
	out := buf.String()
	for _, want := range []string{"msg=\"source added\"", "name=acme-okta", "kind=okta", "count=3", "level=DEBUG"} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, redacted) {
		t.Errorf("an ordinary attribute was redacted: %s", out)
	}
}

func TestLoggerHonoursLevel(t *testing.T) {
	var buf bytes.Buffer
	l := Logger(&buf, slog.LevelWarn)
	l.Info("quiet")
	l.Warn("loud")
	if out := buf.String(); strings.Contains(out, "quiet") || !strings.Contains(out, "loud") {
		t.Fatalf("level warn logged %q", out)
	}
}

func TestResolveActor(t *testing.T) {
	env := map[string]string{"PMC_ACTOR": "consultant@example.test", "USER": "someone-else"}
	if got := ResolveActor(func(k string) string { return env[k] }); got != "consultant@example.test" {
		t.Fatalf("PMC_ACTOR set: actor %q", got)
	}
	delete(env, "PMC_ACTOR")
	if got := ResolveActor(func(k string) string { return env[k] }); got == "" || got == "consultant@example.test" {
		t.Fatalf("PMC_ACTOR unset: actor %q, want the OS user", got)
	}
}
