package exifscrub

import (
	"errors"
	"os"

	"github.com/exifscrub/exifscrub/internal/atomicfile"
)

// ScrubFile scrubs the image in the file src into the file dst, atomically:
// it writes a temporary file in dst's directory and renames it over dst
// (syncing it to disk first when dst exists). Whatever happens, even if the
// process is killed, dst is either as it was or the complete scrubbed
// image. dst may be src, which replaces the original. The new file gets
// src's permission bits.
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
	err = atomicfile.Write(dst, fi.Mode().Perm(), func(f *os.File) error {
		var err error
		rep, err = Scrub(f, in, opts)
		return err
	})
	return rep, err
}

// IsTempFile reports whether name (a base name or a path) is a temporary
// file that ScrubFile left behind when its process died (a file named
// .NAME.exifscrub-tmp-NNNN in the destination's directory), which a
// later run may remove.
func IsTempFile(name string) bool { return atomicfile.IsTemp(name) }
