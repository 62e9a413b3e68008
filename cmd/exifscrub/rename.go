package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/exifscrub/exifscrub"
)

// scrub --rename: outputs get neutral names, photo-0001.jpg, video-0001.mp4,
// because phones name files after the moment they were taken
// (IMG_20240601_211403.jpg) and a scrubbed copy under that name still tells
// it.
//
// Numbers follow the order of the inputs (arguments in order, each
// directory's entries in lexical order), counted per output directory from
// 1, and skip any name that exists there already: nothing is overwritten,
// and a second run into the same directory continues after the first.
// With --out-dir every output goes directly into the directory, without
// the input's subdirectories, whose names ("2024-06-01 Paris") can tell as
// much as the file's. With --in-place, a file that has a neutral name
// already is scrubbed but not renamed again, and the --backup of a renamed
// file is named after its new name (photo-0001.jpg.orig), so that later
// runs still know it for a backup of photo-0001.jpg and never scrub it in
// place. Temporary files are named after the new name, never
// the original. The extension is the input's, lower-cased, when it is one
// of the format's (detected from the content); else the format's usual
// one: IMG_1234.JPEG becomes photo-0001.jpeg, a PNG named x.jpg becomes
// photo-0001.png.

// formatExts are the extensions a file of each format may keep; the
// usual one (Format.Extension) first.
var formatExts = map[exifscrub.Format][]string{
	exifscrub.JPEG: {".jpg", ".jpeg", ".jpe", ".jfif", ".mpo"},
	exifscrub.PNG:  {".png", ".apng"},
	exifscrub.HEIF: {".heic", ".heif", ".hif"},
	exifscrub.AVIF: {".avif"},
	exifscrub.WebP: {".webp"},
	exifscrub.MOV:  {".mov", ".qt"},
	exifscrub.MP4:  {".mp4", ".m4v", ".3gp", ".3g2"},
}

// neutralExt returns the extension of the neutral name of a file of
// format f named name.
func neutralExt(f exifscrub.Format, name string) string {
	if ext := strings.ToLower(filepath.Ext(name)); slices.Contains(formatExts[f], ext) {
		return ext
	}
	return f.Extension()
}

// neutralPrefix is "video" for videos and "photo" for the rest.
func neutralPrefix(f exifscrub.Format) string {
	if f.IsVideo() {
		return "video"
	}
	return "photo"
}

// neutralNameRE matches the names --rename gives; numberedRE the names
// that hold one of its numbers, such as a backup, photo-0001.jpg.orig.
var (
	neutralNameRE = regexp.MustCompile(`^(photo|video)-([0-9]{4,9})\.[a-z0-9]+$`)
	numberedRE    = regexp.MustCompile(`^(photo|video)-([0-9]{4,9})\.`)
)

// isNeutralName reports whether path's base name is one --rename gives, so
// that a second run beside the inputs does not take its outputs for inputs.
func isNeutralName(path string) bool { return neutralNameRE.MatchString(filepath.Base(path)) }

// A namer hands out neutral names. Photos and videos share one sequence
// of numbers per output directory, so that the numbers keep the order of
// the inputs across both.
type namer struct {
	next map[string]int          // output directory → next number to try
	used map[string]map[int]bool // output directory → numbers in use
}

// name returns the next free neutral name in dir for a file of format f
// named orig. A number is free when no neutral name in dir has it, whatever
// its prefix and extension, and no other name in dir is the one it makes.
func (n *namer) name(dir string, f exifscrub.Format, orig string) string {
	if n.next == nil {
		n.next, n.used = map[string]int{}, map[string]map[int]bool{}
	}
	used, ok := n.used[dir]
	if !ok {
		used = map[int]bool{}
		entries, _ := os.ReadDir(dir) // a new directory is empty
		for _, e := range entries {
			if m := numberedRE.FindStringSubmatch(e.Name()); m != nil {
				if i, err := strconv.Atoi(m[2]); err == nil {
					used[i] = true
				}
			}
		}
		n.used[dir] = used
	}
	prefix, ext := neutralPrefix(f), neutralExt(f, orig)
	for i := max(n.next[dir], 1); ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%s-%04d%s", prefix, i, ext))
		if _, err := os.Lstat(p); err == nil || used[i] {
			continue
		}
		n.next[dir] = i + 1
		used[i] = true
		return p
	}
}

// renameDestinations gives each item to scrub a neutral name: the
// destination of the scrubbed copy with --out-dir and beside the input, the
// new name of the file with --in-place (then returned in renames, the
// destinations staying the files themselves). An item whose content is not
// an image gets no name: scrub skips or fails it.
func (s *scrubber) renameDestinations(items []item, dsts []string) (renames []string) {
	var n namer
	if s.mode == modeInPlace {
		renames = make([]string, len(items))
	}
	for i := range items {
		it := &items[i]
		if it.err != nil || it.skip != "" || it.stdin {
			continue
		}
		head, err := readHead(it.path)
		if err != nil {
			it.err = err
			continue
		}
		f := exifscrub.DetectFormat(head)
		if f == "" {
			if it.explicit && len(head) > 0 {
				it.err = unsupportedFile(head)
			}
			continue // scrub skips it (empty, or not an image found by walking)
		}
		switch s.mode {
		case modeOutDir:
			dsts[i] = n.name(s.outDir, f, it.path)
		case modeBeside:
			dsts[i] = n.name(filepath.Dir(it.path), f, it.path)
		case modeInPlace:
			if fi, err := os.Lstat(it.path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				it.err = errors.New("a symbolic link: --in-place --rename renames files, not links (scrub the file it names)")
				continue
			}
			if !isNeutralName(it.path) { // renamed by an earlier run
				renames[i] = n.name(filepath.Dir(it.path), f, it.path)
			}
		}
	}
	return renames
}

// renameNoReplace renames the file src to dst, failing if dst exists: a
// hard link then removing src, which cannot replace dst; or, on file
// systems without hard links, a rename after checking that dst is free.
func renameNoReplace(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil {
		return os.Remove(src)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("cannot rename to %s: it exists", displayPath(dst))
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("cannot rename to %s: it exists", displayPath(dst))
	}
	return os.Rename(src, dst)
}
