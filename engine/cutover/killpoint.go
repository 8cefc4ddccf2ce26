//go:build !killpoints

package cutover

// killpoint is where a test build (-tags killpoints) can kill the process
// at a chosen point of a chosen step; in every other build it is nothing.
func killpoint(RunKind, int, string) {}
