// Package atomicfile writes files atomically: into a temporary file in the
// destination's directory, renamed over the destination only when the
// whole file was written (POSIX rename(2) replaces atomically), and synced
// to disk first when it replaces a file. exifscrub's ScrubFile and the
// command-line tool write through it; it has no metadata knowledge.
package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// TempMarker is part of the name of every temporary file Write creates,
// so that one left behind by a killed process can be recognised.
const TempMarker = ".exifscrub-tmp-"

// Write creates or replaces the file name with what write writes
// to a temporary file in the same directory, which it renames over name
// only when write succeeds. The file gets the permission bits perm. On
// failure, the temporary file is removed and name is untouched.
//
// When name already exists, the new contents are synced to disk before the
// rename, so that even a power failure leaves either the old file or the
// new one. A new file is not synced: the rename still makes it appear
// whole or not at all to other processes, and a crash of the machine can
// lose only the new file, never data that existed before. Skipping the
// sync makes writing many new files several times faster.
func Write(name string, perm os.FileMode, write func(*os.File) error) (err error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	_, statErr := os.Lstat(name)
	replacing := statErr == nil
	f, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if replacing {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, name); err != nil {
		return err
	}
	if replacing {
		// Make the rename itself durable. Not every file system can sync
		// a directory, and the data is safe either way, so errors are
		// ignored.
		if d, derr := os.Open(dir); derr == nil {
			d.Sync()
			d.Close()
		}
	}
	return nil
}

// nameMax is the longest file name that common file systems allow
// (NAME_MAX on Linux, macOS and the BSDs).
const nameMax = 255

// tempPattern is the os.CreateTemp pattern of a temporary file for the
// file base: ".BASE.exifscrub-tmp-*", with BASE shortened so that the name
// stays within nameMax (the random part is at most 10 digits).
func tempPattern(base string) string {
	if room := nameMax - 1 - len(TempMarker) - 10; len(base) > room {
		base = base[:room]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
	}
	return "." + base + TempMarker + "*"
}

// IsTemp reports whether name (a base name or a path) is a temporary
// file that Write left behind when its process died.
func IsTemp(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, ".") && strings.Contains(base, TempMarker)
}
