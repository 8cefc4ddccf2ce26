//go:build unix

package workspacedb

import (
	"io/fs"
	"syscall"
)

// fileIdentity is the file's device and inode: a copy, a restore or a
// replacement of the file has another, even when it kept the size and the
// modification time (cp -p, rsync -a, a backup tool).
func fileIdentity(st fs.FileInfo) string {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmtIdentity(uint64(s.Dev), uint64(s.Ino))
}
