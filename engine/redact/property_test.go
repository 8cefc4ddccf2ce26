package redact_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/redact/redacttest"
)

// Random pages with secrets at catalogued paths and random values: every
// value is replaced by its marker and every other byte stays as it was.
func TestPropertyOnlySecretsChange(t *testing.T) {
	r := redact.MustNew(testFields, digest)
	rapid.Check(t, func(t *rapid.T) { redacttest.Check(t, r, testFields, digest) })
}
