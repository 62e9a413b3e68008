package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
)

// An item is one input of a batch: a file named on the command line, a
// file found by walking a directory, or standard input.
type item struct {
	path     string // as given or as found by walking; shown to the user
	rel      string // path below the directory argument it was found in; the base name for a file argument
	real     string // the file the path resolves to, without symbolic links
	explicit bool   // named on the command line rather than found by walking
	stdin    bool   // "-": standard input
	skip     string // when set, the item is not processed, for this reason
	err      error  // when set, the item could not even be listed
}

// walkOptions say how directory arguments are expanded.
type walkOptions struct {
	recursive      bool // walk subdirectories (else only the files directly in a directory argument)
	followSymlinks bool // follow symbolic links that lead out of the tree being walked

	// skipFile, when set, returns why a file found by walking is left
	// alone, or "".
	skipFile func(path string) string
	// skipDir, when set, reports whether not to enter a directory.
	skipDir func(path string) bool
	// tempFile, when set, is called for each temporary file that an
	// interrupted run left behind (see exifscrub.IsTempFile). Such files
	// are never inputs.
	tempFile func(path string)
}

// vcsDirs are not walked: they hold a repository's history, not its files.
var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true}

// expand turns the command-line arguments into items, in argument order,
// each directory's entries in lexical order. A file reached twice (by two
// arguments, or through a symbolic link) is listed once.
func expand(args []string, o walkOptions) []item {
	w := &walker{o: o, seen: map[string]bool{}}
	for _, arg := range args {
		w.arg(arg)
	}
	return w.items
}

type walker struct {
	o     walkOptions
	items []item
	seen  map[string]bool // real paths of the files listed so far
}

func (w *walker) arg(arg string) {
	if arg == "-" {
		w.items = append(w.items, item{path: "-", rel: "-", explicit: true, stdin: true})
		return
	}
	fi, err := os.Stat(arg)
	if err != nil {
		w.items = append(w.items, item{path: arg, explicit: true, err: err})
		return
	}
	if fi.IsDir() {
		real, err := realPath(arg)
		if err != nil {
			w.items = append(w.items, item{path: arg, explicit: true, err: err})
			return
		}
		visited := map[string]bool{real: true}
		w.dir(arg, "", real, real, visited)
		return
	}
	it := item{path: arg, rel: filepath.Base(arg), explicit: true}
	if !fi.Mode().IsRegular() {
		it.err = &fs.PathError{Op: "open", Path: arg, Err: errors.New("not a regular file")}
		w.items = append(w.items, it)
		return
	}
	it.real, err = realPath(arg)
	if err != nil {
		it.err = err
	} else if w.seen[it.real] {
		return
	}
	w.seen[it.real] = true
	w.items = append(w.items, it)
}

// dir lists the directory path, found as rel below its argument, whose
// real path is real, inside the tree whose real path is root.
func (w *walker) dir(path, rel, real, root string, visited map[string]bool) {
	entries, err := os.ReadDir(path)
	if err != nil {
		w.items = append(w.items, item{path: path, rel: rel, err: err})
		// ReadDir returns the entries it read before the error.
	}
	for _, e := range entries {
		name := e.Name()
		p, r, rp := filepath.Join(path, name), filepath.Join(rel, name), filepath.Join(real, name)
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			w.symlink(p, r, root, visited)
		case t.IsDir():
			if !w.o.recursive || vcsDirs[name] || (w.o.skipDir != nil && w.o.skipDir(p)) {
				continue
			}
			visited[rp] = true
			w.dir(p, r, rp, root, visited)
		case t.IsRegular():
			w.file(p, r, rp)
		default:
			w.items = append(w.items, item{path: p, rel: r, skip: "not a regular file"})
		}
	}
}

func (w *walker) file(path, rel, real string) {
	if exifscrub.IsTempFile(path) {
		if w.o.tempFile != nil {
			w.o.tempFile(path)
		}
		return
	}
	if w.seen[real] {
		return
	}
	w.seen[real] = true
	it := item{path: path, rel: rel, real: real}
	if w.o.skipFile != nil {
		it.skip = w.o.skipFile(path)
	}
	w.items = append(w.items, it)
}

// symlink handles a symbolic link found while walking the tree whose real
// path is root. Links that stay inside the tree are harmless: a linked file
// is listed once, and a linked directory is walked through its real path
// already (or is a loop). Links that lead out of the tree are followed only
// with --follow-symlinks, so that scrubbing a folder never rewrites files
// elsewhere; visited stops loops.
func (w *walker) symlink(path, rel, root string, visited map[string]bool) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		w.items = append(w.items, item{path: path, rel: rel, skip: "broken symbolic link or link loop"})
		return
	}
	fi, err := os.Stat(target)
	if err != nil {
		w.items = append(w.items, item{path: path, rel: rel, skip: "broken symbolic link"})
		return
	}
	if target, err = filepath.Abs(target); err != nil {
		w.items = append(w.items, item{path: path, rel: rel, err: err})
		return
	}
	inside := within(target, root)
	if !inside && !w.o.followSymlinks {
		w.items = append(w.items, item{path: path, rel: rel, skip: "symbolic link leads out of the tree (--follow-symlinks follows it)"})
		return
	}
	switch {
	case fi.IsDir():
		if !w.o.recursive || visited[target] || inside {
			return // a loop, or a directory walked through its real path
		}
		if w.o.skipDir != nil && w.o.skipDir(path) {
			return
		}
		visited[target] = true
		w.dir(path, rel, target, root, visited)
	case fi.Mode().IsRegular():
		w.file(path, rel, target)
	default:
		w.items = append(w.items, item{path: path, rel: rel, skip: "not a regular file"})
	}
}

// realPath returns the absolute path of name without symbolic links.
func realPath(name string) (string, error) {
	p, err := filepath.EvalSymlinks(name)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// within reports whether path is dir or below it; both are clean and absolute.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}

// scrubbedSuffix marks the name of a copy that scrub wrote beside its input.
const scrubbedSuffix = ".scrubbed"

// scrubbedName returns the name scrub gives the scrubbed copy of path when
// no output is named: NAME.EXT becomes NAME.scrubbed.EXT beside it.
func scrubbedName(path string) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	if ext == base { // ".hidden" or no extension
		ext = ""
	}
	return dir + strings.TrimSuffix(base, ext) + scrubbedSuffix + ext
}

// isScrubbedName reports whether path is named like a copy that scrub wrote
// (NAME.scrubbed.EXT).
func isScrubbedName(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, scrubbedSuffix) || // NAME.scrubbed, from NAME
		strings.HasSuffix(strings.TrimSuffix(base, filepath.Ext(base)), scrubbedSuffix)
}

// displayPath quotes a path that holds control characters, invalid UTF-8
// or invisible formatting characters (such as bidirectional overrides), so
// that a file name cannot drive the terminal, forge output lines or hide
// what it is. Quoting uses Go's escapes: "a\x1b[2Jb.jpg".
func displayPath(p string) string {
	if needsQuoting(p) {
		return strconv.Quote(p)
	}
	return p
}

// needsQuoting reports whether s holds a character that displayPath
// escapes.
func needsQuoting(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return true
			}
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r != ' ' && !unicode.IsPrint(r) && !unicode.IsGraphic(r)) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}
