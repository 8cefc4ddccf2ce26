//go:build unix

package workspacedb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNonRegularFilesAreRefusedAtOnce: a FIFO given as the workspace once
// hung Open (reading it waits for a writer); it, a device and a folder are
// refused before anything opens them.
func TestNonRegularFilesAreRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.pmw")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{"a folder": dir, "a named pipe (FIFO)": fifo, "a device": os.DevNull}
	for what, path := range cases {
		t.Run(what, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Open(context.Background(), path)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotWorkspaceFile) || !strings.Contains(err.Error(), "is "+what) || !strings.Contains(err.Error(), "give the path of the workspace file") {
					t.Fatalf("Open(%s) = %v", path, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Open(%s) hangs", path)
			}
		})
	}
}
