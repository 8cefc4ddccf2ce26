package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildsWithoutCgo proves migctl stays headless: nothing it imports
// pulls in Fyne, and it builds with CGO_ENABLED=0.
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build migctl: %v", err)
	}
	env := append(os.Environ(), "CGO_ENABLED=0")

	list := exec.Command(gobin, "list", "-deps", "github.com/portal-id/migration-console/app/migctl")
	list.Env = env
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.HasPrefix(dep, "github.com/go-gl/") {
			t.Errorf("migctl imports %s: it must build without a GUI toolkit", dep)
		}
	}

	bin := filepath.Join(t.TempDir(), "migctl")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/portal-id/migration-console/app/migctl")
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	// The binary runs and speaks the exit-code contract.
	run := exec.Command(bin, "frobnicate")
	run.Env = env
	out, err = run.CombinedOutput()
	if code := run.ProcessState.ExitCode(); code != 2 {
		t.Errorf("migctl frobnicate: exit %d (%v), want 2\n%s", code, err, out)
	}
}
