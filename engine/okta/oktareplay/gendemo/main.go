// Command gendemo writes the bundled demo Okta org (oktareplay.DemoSpec) as
// payload files: go run ./engine/okta/oktareplay/gendemo assets/demo/okta
// (`make generate` runs it).
package main

import (
	"fmt"
	"os"

	"github.com/portal-id/migration-console/engine/okta/oktareplay"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendemo DIR")
		os.Exit(2)
	}
	if err := oktareplay.Generate(oktareplay.DemoSpec).Save(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendemo:", err)
		os.Exit(1)
	}
}
