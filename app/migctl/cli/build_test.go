package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBuildsWithoutCgo proves migctl stays headless: with CGO_ENABLED=0
// its dependencies resolve and none is a GUI toolkit. `make test` also
// builds it that way, outside go test's timeout: the build compiles the
// Graph SDK, which alone can take minutes on a cold cache.
func TestBuildsWithoutCgo(t *testing.T) {
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
}
