package keychain

import (
	"context"
	"fmt"
	"testing"

	"github.com/portal-id/migration-console/engine/secret"
)

// BenchmarkSet is what one keychain write costs (the audit anchor's
// coalescing interval in engine/audit is chosen from it); BenchmarkGet one
// read. Run under scripts/with-keyring.sh, as `make bench` does.
func BenchmarkSet(b *testing.B) {
	k, ws := realKeychain(b)
	cleanupRole(b, k, ws, "bench")
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := k.Set(ctx, ws, "bench", secret.New(fmt.Sprintf("v1 %d fake-anchor-for-tests", i))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	k, ws := realKeychain(b)
	cleanupRole(b, k, ws, "bench")
	ctx := context.Background()
	if err := k.Set(ctx, ws, "bench", secret.New("v1 1 fake-anchor-for-tests")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := k.Get(ctx, ws, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
