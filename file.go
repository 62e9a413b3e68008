package exifscrub

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// tempMarker is part of the name of every temporary file ScrubFile creates,
// so that one left behind by a killed process can be recognised.
const tempMarker = ".exifscrub-tmp-"

// ScrubFile scrubs the image in the file src into the file dst, atomically:
// it writes a temporary file in dst's directory and renames it over dst
// (syncing it to disk first when dst exists; see WriteFileAtomic). Whatever happens, even if the process is killed, dst
// is either as it was or the complete scrubbed image. dst may be src, which
// replaces the original. The new file gets src's permission bits.
//
// On error, dst is left as it was and no temporary file remains, except
// after a crash; IsTempFile recognises the leftovers. The report is never
// nil, as for Scrub.
func ScrubFile(dst, src string, opts *Options) (*Report, error) {
	rep := &Report{Findings: []Finding{}} // until Scrub has read src
	in, err := os.Open(src)
	if err != nil {
		return rep, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return rep, err
	}
	if !fi.Mode().IsRegular() {
		return rep, &os.PathError{Op: "scrub", Path: src, Err: errors.New("not a regular file")}
	}
	err = WriteFileAtomic(dst, fi.Mode().Perm(), func(f *os.File) error {
		var err error
		rep, err = Scrub(f, in, opts)
		return err
	})
	return rep, err
}

// WriteFileAtomic creates or replaces the file name with what write writes
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
func WriteFileAtomic(name string, perm os.FileMode, write func(*os.File) error) (err error) {
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
	if room := nameMax - 1 - len(tempMarker) - 10; len(base) > room {
		base = base[:room]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
	}
	return "." + base + tempMarker + "*"
}

// IsTempFile reports whether name (a base name or a path) is a temporary
// file that ScrubFile or WriteFileAtomic left behind when its process died.
func IsTempFile(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, ".") && strings.Contains(base, tempMarker)
}
