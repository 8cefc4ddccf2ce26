//go:build !unix

package workspacedb

import "io/fs"

// fileIdentity is empty where os.Stat gives no file number (Windows): the
// size and modification time then decide alone whether the file is as the
// console closed it.
func fileIdentity(fs.FileInfo) string { return "" }
