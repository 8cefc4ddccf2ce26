// Command gendemo writes the bundled demo Entra tenant (graphreplay.Demo)
// as payload files: go run ./engine/entra/graphreplay/gendemo assets/demo/entra
// (`make generate` runs it).
package main

import (
	"fmt"
	"os"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendemo DIR")
		os.Exit(2)
	}
	if err := graphreplay.Demo().WriteDir(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendemo:", err)
		os.Exit(1)
	}
}
