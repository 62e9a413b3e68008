//go:build unix

package main

import (
	"io/fs"
	"os"
	"syscall"
)

// links returns the number of hard links to a file, or 1 when unknown.
func links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// restoreOwner gives f the owner and group of orig, as far as the user may:
// root can give both; others can keep the group when they belong to it.
// What cannot be set is left as it is: the file is then the user's own.
func restoreOwner(f *os.File, orig fs.FileInfo) {
	st, ok := orig.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if f.Chown(int(st.Uid), int(st.Gid)) != nil {
		f.Chown(-1, int(st.Gid))
	}
	// A chown by a non-root user clears the set-user-ID and set-group-ID
	// bits; the mode was set before, so set it again.
	f.Chmod(orig.Mode().Perm())
}
