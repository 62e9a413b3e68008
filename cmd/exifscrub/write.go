package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
	"github.com/exifscrub/exifscrub/internal/atomicfile"
)

// Where scrub's writes go, and how they avoid losing a user's file.
//
// -o FILE: a regular file (or a new name) is replaced atomically, through a
// temporary file renamed over it. Anything else that exists (a character
// device such as /dev/null, a FIFO, a terminal) is written straight into,
// never renamed over: renaming would replace the device node itself. A
// symbolic link is followed, and its target replaced atomically, so that
// the link stays a link and the file it names gets the scrubbed image;
// replacing the link with a regular file would leave its target, the
// file the user meant, with its metadata. /dev/stdout and /dev/fd/1 are
// standard output, like "-".
//
// --in-place: the file is scrubbed into a temporary file beside it, which
// is renamed over it only if the original is still the file that was read
// (same device, inode, size and modification time), so that a file that
// another program replaced or changed meanwhile is not overwritten with the
// scrubbed old content. The new file gets the original's mode, and its
// owner and group when the user may set them. A file with other hard links
// is refused unless --break-links says to replace this name only.

// nameMax is the longest file name (one path element) that common file
// systems allow: NAME_MAX on Linux, macOS and the BSDs.
const nameMax = 255

// errChanged is the error for a file that changed while it was scrubbed in
// place.
var errChanged = errors.New("changed during the scrub (replaced or written by another program); left as it is, and the scrubbed copy discarded")

// testHookBeforeRename, when set by a test, is called by scrubInPlace after
// the scrubbed copy is complete and before the original is checked and
// replaced.
var testHookBeforeRename func(path string)

// checkName refuses a file name too long for the file system, with a
// message saying what to do instead.
func checkName(path, what string) error {
	if base := filepath.Base(path); len(base) > nameMax {
		return fmt.Errorf("the %s name would be %d bytes, longer than file systems allow (%d): %s; name the output with -o or --out-dir",
			what, len(base), nameMax, displayPath(base))
	}
	return nil
}

// stdoutAlias reports whether name is another name for standard output.
func stdoutAlias(name string) bool {
	switch name {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return true
	}
	return false
}

// writeOutput writes what scrub produces to the output named by -o, as
// described above. perm is the mode a new file gets. Nothing is written
// unless scrub succeeds.
func (s *scrubber) writeOutput(dst string, perm fs.FileMode, scrub func(io.Writer) (*exifscrub.Report, error)) (*exifscrub.Report, int64, error) {
	if dst == "-" || stdoutAlias(dst) {
		if s.stream {
			return streamWrite(s.stdout, scrub)
		}
		return bufferedWrite(s.stdout, scrub)
	}
	target := dst
	fi, err := os.Lstat(dst)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// Follow the link, to replace the file it names.
		if target, err = filepath.EvalSymlinks(dst); err != nil {
			return nil, 0, fmt.Errorf("-o %s: a symbolic link to nothing (or a link loop); not replacing it", displayPath(dst))
		}
		fi, err = os.Lstat(target)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new file.
	case err != nil:
		return nil, 0, err
	case fi.IsDir():
		return nil, 0, fmt.Errorf("-o %s is a directory; use --out-dir", displayPath(dst))
	case !fi.Mode().IsRegular():
		// A device, FIFO or socket: write into it.
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, 0, err
		}
		write := bufferedWrite
		if s.stream {
			write = streamWrite
		}
		rep, n, err := write(f, scrub)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		return rep, n, err
	}
	if err := checkName(target, "temporary file"); err != nil {
		return nil, 0, err
	}
	var rep *exifscrub.Report
	err = atomicfile.Write(target, perm, func(f *os.File) error {
		var err error
		rep, err = scrub(f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	var n int64
	if out, err := os.Stat(target); err == nil {
		n = out.Size()
	}
	return rep, n, nil
}

// bufferedWrite scrubs into a spillBuffer (memory, or for a video a
// temporary file), then writes the result to w only if the scrub
// succeeded, so that an incomplete image is never sent on. A failed or
// short write is an error.
func bufferedWrite(w io.Writer, scrub func(io.Writer) (*exifscrub.Report, error)) (*exifscrub.Report, int64, error) {
	var buf spillBuffer
	defer buf.Close()
	rep, err := scrub(&buf)
	if err != nil {
		return nil, 0, err
	}
	n := buf.Len()
	m, err := buf.WriteTo(w)
	if err == nil && m != n {
		err = io.ErrShortWrite
	}
	if err != nil {
		return nil, 0, fmt.Errorf("writing the output: %w (%d of %d bytes written)", err, m, n)
	}
	return rep, n, nil
}

// streamWrite scrubs straight into w (--stream), which sees only Write:
// Scrub cannot go back over what it wrote, so every byte it writes is
// final and scrubbed (a video whose index follows its media data is read
// ahead instead, from a spoolReader). If the scrub fails, the output stops
// where it was and is incomplete: the error says so.
func streamWrite(w io.Writer, scrub func(io.Writer) (*exifscrub.Report, error)) (*exifscrub.Report, int64, error) {
	sw := &streamWriter{w: w}
	rep, err := scrub(sw)
	if err != nil {
		return nil, sw.n, fmt.Errorf("%w; the output (--stream) stopped after %d bytes and is incomplete: discard it", err, sw.n)
	}
	return rep, sw.n, nil
}

// A streamWriter counts what is written through it, and hides the
// io.WriterAt and io.Seeker of w.
type streamWriter struct {
	w io.Writer
	n int64
}

func (s *streamWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.n += int64(n)
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

// scrubInPlace replaces the file path with its scrubbed copy, as described
// above. backup, when not empty, is the name the original is kept under.
func (s *scrubber) scrubInPlace(path, backup string) (*exifscrub.Report, int64, error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer in.Close()
	orig, err := in.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !orig.Mode().IsRegular() {
		return nil, 0, &fs.PathError{Op: "scrub", Path: path, Err: errors.New("not a regular file")}
	}
	if n := links(orig); n > 1 && !s.breakLinks {
		return nil, 0, fmt.Errorf("has %d other hard links, which would keep the original with its metadata; "+
			"--break-links replaces this name only, or scrub into a copy with --out-dir", n-1)
	}
	if backup != "" {
		if err := makeBackup(path, backup); err != nil {
			return nil, 0, err
		}
		if b, err := os.Lstat(backup); err != nil || !os.SameFile(b, orig) {
			return nil, 0, fmt.Errorf("%w (the backup %s holds the newer file)", errChanged, displayPath(backup))
		}
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPattern(filepath.Base(path)))
	if err != nil {
		return nil, 0, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	rep, err := exifscrub.Scrub(tmp, in, s.optsFor(path))
	if err != nil {
		return nil, 0, err
	}
	if err := tmp.Chmod(orig.Mode().Perm()); err != nil {
		return nil, 0, err
	}
	restoreOwner(tmp, orig)
	if err := tmp.Sync(); err != nil {
		return nil, 0, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, err
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, err
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename(path)
	}
	// The file read must still be the file at path, unchanged.
	now, err := os.Lstat(path)
	if err != nil || !os.SameFile(now, orig) || now.Size() != orig.Size() || !now.ModTime().Equal(orig.ModTime()) {
		return nil, 0, errChanged
	}
	if cur, err := in.Stat(); err != nil || cur.Size() != orig.Size() || !cur.ModTime().Equal(orig.ModTime()) {
		return nil, 0, errChanged
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, 0, err
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not every file system can
		d.Close()
	}
	return rep, size, nil
}

// tempPattern is the os.CreateTemp pattern of a temporary file for the
// file base: ".BASE.exifscrub-tmp-*", with BASE shortened so that the name
// stays within nameMax (the random part is at most 10 digits).
func tempPattern(base string) string {
	const marker = ".exifscrub-tmp-"
	room := nameMax - 1 - len(marker) - 10
	if len(base) > room {
		base = base[:room]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
	}
	return "." + base + marker + "*"
}

// backupOf returns the file that path is a backup of, or "": a file is
// taken for a backup when its name is that of an image file beside it
// (NAME.jpg, NAME.heic, …) followed by a suffix starting with '.', '~',
// '_' or '-' that does not end in the same extension, as --backup and
// editors name them: NAME.jpg.orig, NAME.jpg~, NAME.jpg.bak. exists says
// whether a file exists; it is given a path beside path.
func backupOf(path string, exists func(string) bool) string {
	dir, base := filepath.Split(path)
	for i := len(base) - 1; i > 0; i-- {
		if !strings.ContainsRune(".~_-", rune(base[i])) {
			continue
		}
		name := base[:i]
		ext := strings.ToLower(filepath.Ext(name))
		if !imageExts[ext] || strings.EqualFold(filepath.Ext(base), ext) {
			continue
		}
		if exists(dir + name) {
			return dir + name
		}
	}
	return ""
}

// imageExts are the extensions of the formats scrub writes.
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".apng": true, ".webp": true,
	".heic": true, ".heif": true, ".hif": true, ".avif": true, ".mpo": true,
	".mov": true, ".qt": true, ".mp4": true, ".m4v": true, ".3gp": true, ".3g2": true,
}

// regularFileExists reports whether name is a regular file.
func regularFileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}
