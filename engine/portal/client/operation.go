package client

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// OperationKey derives the Idempotency-Key of a create from the identity of
// the operation (for example workspace id, plan id, step id, noun, source
// id). The same parts give the same key in any process, so a create that is
// retried, resumed after a crash or left in doubt is answered from the
// Portal's idempotency store instead of making a second object.
//
// Each part is length-prefixed before hashing, so ("ab","c") and ("a","bc")
// give different keys.
func OperationKey(parts ...string) string {
	h := sha256.New()
	h.Write([]byte("portal-migration-console/operation/v1\n"))
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
