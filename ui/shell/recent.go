package shell

import (
	"errors"
	"io/fs"
	"os"

	"fyne.io/fyne/v2"
)

const (
	recentKey = "recent_workspaces"
	recentMax = 8
)

// recents is the list of recently opened workspace files, newest first. Only
// paths are kept: the preferences file must hold nothing about a customer
// beyond where its workspace lives.
type recents struct{ prefs fyne.Preferences }

func (r recents) list() []string { return r.prefs.StringList(recentKey) }

func (r recents) add(path string) {
	list := []string{path}
	for _, p := range r.list() {
		if p != path && len(list) < recentMax {
			list = append(list, p)
		}
	}
	r.prefs.SetStringList(recentKey, list)
}

func (r recents) forget(path string) {
	var list []string
	for _, p := range r.list() {
		if p != path {
			list = append(list, p)
		}
	}
	r.prefs.SetStringList(recentKey, list)
}

// missing reports whether the file at path is gone (moved, deleted, or on
// an unmounted drive).
func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}
