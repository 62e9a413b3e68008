package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// ignoreFileName is the file, in the current directory, that lists the
// images allowed to keep their metadata, in .gitignore syntax.
const ignoreFileName = ".exifscrubignore"

// An allowList says which files may keep their metadata: the patterns of
// an ignore file and of --allow, in .gitignore syntax, matched against paths
// relative to the directory of the ignore file (the current directory for
// --allow). As in .gitignore, the last matching pattern wins, "!" re-includes,
// a pattern without a slash matches at any depth, a leading slash anchors it,
// a trailing slash matches only directories, and a pattern matching a
// directory matches everything below it.
type allowList struct {
	rules []allowRule
}

type allowRule struct {
	base    string // absolute directory the pattern is relative to
	pattern string // doublestar pattern
	negate  bool
	dirOnly bool
	source  string // where the pattern comes from, for messages: ".exifscrubignore:3"
}

// loadAllowList reads the ignore file (ignoreFileName in the current
// directory when file is "", where a missing file is no error) and adds the
// --allow globs.
func loadAllowList(file string, globs []string) (*allowList, error) {
	a := new(allowList)
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	name, required := file, true
	if name == "" {
		name, required = ignoreFileName, false
	}
	f, err := os.Open(name)
	switch {
	case err == nil:
		defer f.Close()
		base, err := filepath.Abs(filepath.Dir(name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if err := a.add(base, sc.Text(), fmt.Sprintf("%s:%d", name, n)); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	case required || !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	for _, g := range globs {
		if err := a.add(cwd, g, "--allow "+g); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// add parses one line of .gitignore syntax.
func (a *allowList) add(base, line, source string) error {
	line = strings.TrimRight(line, " \t\r")
	if line == "" || line[0] == '#' {
		return nil
	}
	r := allowRule{base: base, source: source}
	if line[0] == '!' {
		r.negate, line = true, line[1:]
	} else if line[0] == '\\' {
		line = line[1:] // \# and \! stand for a leading # or !
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if line == "" {
		return nil
	}
	if strings.Contains(line, "/") {
		line = strings.TrimPrefix(line, "/")
	} else {
		line = "**/" + line
	}
	if !doublestar.ValidatePattern(line) {
		return fmt.Errorf("%s: invalid pattern %q", source, line)
	}
	r.pattern = line
	a.rules = append(a.rules, r)
	return nil
}

// allowed returns the source of the pattern that allows path to keep its
// metadata, or "". isDir says whether path is a directory.
func (a *allowList) allowed(path string, isDir bool) string {
	if a == nil || len(a.rules) == 0 {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	match := ""
	for _, r := range a.rules {
		rel, err := filepath.Rel(r.base, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		rel = filepath.ToSlash(rel)
		if r.matches(rel, isDir) {
			if r.negate {
				match = ""
			} else {
				match = r.source
			}
		}
	}
	return match
}

func (r *allowRule) matches(rel string, isDir bool) bool {
	if (isDir || !r.dirOnly) && doublestar.MatchUnvalidated(r.pattern, rel) {
		return true
	}
	// A pattern matching a directory matches what is below it.
	for dir := rel; ; {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			return false
		}
		dir = dir[:i]
		if doublestar.MatchUnvalidated(r.pattern, dir) {
			return true
		}
	}
}
