// Command console is the Portal Migration Console's desktop GUI.
//
//	console                   the welcome screen
//	console --demo            the demo workspace
//	console --workspace PATH  the workspace file at PATH
//
// Build with -tags migrated_fynedo (FyneApp.toml declares the migration).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/portal-id/migration-console/ui/shell"
)

// appID matches FyneApp.toml, so preferences and storage are the same
// whether the binary was built by go build or fyne package.
const appID = "com.portal.migrationconsole"

func main() {
	demo := flag.Bool("demo", false, "open the demo workspace (rebuilt at each launch, with its servers on loopback)")
	path := flag.String("workspace", "", "open the workspace file at `PATH`")
	flag.Parse()
	if flag.NArg() > 0 || (*demo && *path != "") {
		fmt.Fprintln(os.Stderr, "usage: console [--demo | --workspace PATH]")
		os.Exit(2)
	}

	a := app.NewWithID(appID)
	win := a.NewWindow("Portal Migration Console")
	win.Resize(fyne.NewSize(1280, 820))
	c := shell.New(a, win, backend{demoPath: demoPath(a)})
	c.ShowWelcome() // stays if the workspace below cannot be opened
	switch {
	case *demo:
		c.OpenDemo()
	case *path != "":
		abs, err := filepath.Abs(*path)
		if err != nil {
			abs = *path
		}
		c.Open(abs)
	}
	win.ShowAndRun()
	// The menu's Quit ends the app without the window's close intercept:
	// close the workspace (and stop the demo's servers) here too.
	c.Close()
}

// demoPath is the demo workspace's file, in the app's own storage folder.
func demoPath(a fyne.App) string {
	return filepath.Join(a.Storage().RootURI().Path(), "demo.migration")
}
