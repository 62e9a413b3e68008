//go:build unix

package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// nobody is the user the permission tests run the command as when the
// tests run as root, for whom permission bits do not stop anything.
const nobody = 65534

// asUnprivileged returns a function that makes a command run as a user
// whom permission bits stop, and prepares root (the tree the command will
// work on) for that user. It returns nil when that cannot be done.
func asUnprivileged(t *testing.T, root string) func(*exec.Cmd) {
	t.Helper()
	if os.Geteuid() != 0 {
		return func(*exec.Cmd) {} // permission bits stop us already
	}
	// nobody must reach the binary and own the tree. Only the directories
	// the tests made below the temporary directory are opened up.
	tmp := filepath.Clean(os.TempDir())
	for _, p := range []string{binary, root} {
		for d := filepath.Dir(p); ; d = filepath.Dir(d) {
			fi, err := os.Stat(d)
			if err != nil {
				return nil
			}
			if fi.Mode().Perm()&0o005 != 0o005 {
				if !within(d, tmp) || d == tmp {
					return nil
				}
				if err := os.Chmod(d, fi.Mode().Perm()|0o005); err != nil {
					return nil
				}
			}
			if d == "/" || d == filepath.Dir(d) {
				break
			}
		}
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, nobody, nobody)
	})
	if err != nil {
		return nil
	}
	return func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
}
