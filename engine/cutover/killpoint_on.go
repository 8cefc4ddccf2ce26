//go:build killpoints && unix

package cutover

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// killAt is PMC_KILLPOINT, "<run kind>:<step>:<point>" (e.g.
// apply:12:after_intent), read once. Only a binary built with -tags
// killpoints reads it: the kill matrix test builds migctl that way.
var killAt = sync.OnceValue(func() string { return os.Getenv("PMC_KILLPOINT") })

// killpoint kills the process with SIGKILL, as a power cut or kill -9
// would, when the run reaches the named point of the named step. The
// points are before_intent, after_intent, after_response (the Portal
// committed, nothing journaled yet) and after_result.
func killpoint(kind RunKind, seq int, point string) {
	if want := killAt(); want != "" && want == fmt.Sprintf("%s:%d:%s", kind, seq, point) {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal arrives; nothing after this point runs
	}
}
