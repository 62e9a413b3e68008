package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub"
	"github.com/urfave/cli/v2"
)

func scrubCommand() *cli.Command {
	return &cli.Command{
		Name:      "scrub",
		Usage:     "remove private metadata, writing NAME.scrubbed.EXT (or -o, --in-place, --out-dir)",
		ArgsUsage: "FILE|DIR|- ...",
		Description: `Scrub removes the metadata that gives the photo's owner away, and keeps what
the image needs to display correctly (colour profile, orientation). Image
data is copied byte for byte, never re-encoded.

Where the result goes:
   (default)      NAME.EXT becomes NAME.scrubbed.EXT beside it; the original
                  is never touched. When walking a directory, files already
                  named *.scrubbed.* are skipped (in every mode), so running
                  twice does not make NAME.scrubbed.scrubbed.EXT, and
                  --out-dir or --rename do not take a copy for a new photo.
   -o FILE        the output of a single input; "-o -" is standard output.
                  A lone "-" reads standard input and writes standard output
                  (never a terminal).
                  A device or FIFO is written into, never replaced; a
                  symbolic link's target is replaced, and the link kept.
   --in-place     replace each original (keeping its permissions, owner
                  and group), unless another program changed it meanwhile;
                  with --backup SUFFIX the original is kept as
                  NAME.EXT+SUFFIX, and a file backed up already is skipped.
                  Backups (NAME.jpg.orig, NAME.jpg~) are never scrubbed.
                  Files with other hard links need --break-links.
   --out-dir DIR  copies under DIR, mirroring the tree below each directory
                  argument (a file argument goes to DIR/NAME.EXT).

Every write is atomic: a temporary file in the destination's directory,
renamed over the destination (synced to disk first when it replaces a file,
as with --in-place). If exifscrub fails or is killed,
each destination is either as it was or completely scrubbed; the next run
removes the temporary files (.NAME.exifscrub-tmp-*) that a killed run left.
A failed file is named on standard error and the rest are still done.

What stays: with --keep, the categories it names are kept, tag by tag,
wherever they are (EXIF, XMP, IPTC, PNG text, HEIF items, WebP chunks), in
new structures that hold only them; everything else goes as without it.
Thumbnails, maker notes and unknown data are never kept. --coarse-location
rounds a kept position to a grid ("the city, not the house"). Use
'exifscrub report --keep ...' to see first what would stay.

File names: phones name photos after the moment they were taken
(IMG_20240601_211403.jpg), which a scrubbed copy under the same name still
tells. --rename gives outputs neutral names instead: photo-0001.jpg,
video-0001.mp4, numbered in the order of the inputs (each directory's
files in lexical order), per output directory from 1, skipping names that
exist (nothing is overwritten; a second run continues the numbers). The
extension is the input's, lower-cased, when it fits the format found in
the content, else the format's usual one. With --out-dir the copies go
directly into DIR, not into the input's subdirectories (whose names can
tell as much), and no file there, temporary or not, carries an original
name. With --in-place each scrubbed file is then renamed beside itself
(never over an existing file; --backup keeps the original under its old
name). -o names its output itself, so it cannot be combined with --rename.
With --verbose, the new name of each input is shown on standard error.

Scrubbed files get the current time as their modification time, because
a file's time also says when a photo was taken; --keep-mtime keeps the
original's. Directories are walked (see --recursive); only files whose
content is a supported image are scrubbed, the others are skipped, as are
files allowed by --allow or ./` + ignoreFileName + `.

Quiet on success, unless standard error is a terminal: then each file gets
a line there (what was written where, what was removed, and a note when the
output's name still tells the time), and a summary line follows when there
was more than one file. --verbose prints the same when not on a terminal.
--json prints one JSON array on standard output instead, an element per
file scrubbed or failed: {path, output, format, findings (what was
removed), kept (with --keep), error}; with --rename, output is the new
name. It cannot share standard output with the image (-o -).

EXAMPLES:
   exifscrub scrub photo.jpg                       # photo.scrubbed.jpg
   exifscrub scrub -o clean.jpg photo.jpg
   cat photo.jpg | exifscrub scrub - > clean.jpg
   exifscrub scrub --in-place --backup .orig ~/Pictures/trip
   exifscrub scrub --out-dir /tmp/to-send ~/Pictures/trip
   exifscrub scrub --dry-run ~/Pictures/trip
   exifscrub scrub --keep identity --out-dir /srv/public upload.jpg
   exifscrub scrub --keep time,location --coarse-location 0.1 --in-place album/
   exifscrub scrub --rename --out-dir /tmp/to-send ~/DCIM/Camera   # photo-0001.jpg, ...`,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the scrubbed image to `FILE` (\"-\": standard output); a single input only"},
			&cli.BoolFlag{Name: "in-place", Aliases: []string{"i"}, Usage: "replace each original, atomically"},
			&cli.StringFlag{Name: "backup", Usage: "with --in-place, keep each original as NAME.EXT`SUFFIX`; a file with a backup already is skipped (it was scrubbed before)"},
			&cli.BoolFlag{Name: "break-links", Usage: "with --in-place, also replace files that have other hard links: those other names keep the original, with its metadata"},
			&cli.StringFlag{Name: "out-dir", Aliases: []string{"d"}, Usage: "write scrubbed copies under `DIR`, mirroring the input tree"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "say what would be removed, write nothing"},
			&cli.BoolFlag{Name: "keep-mtime", Usage: "give each output the original's modification time (default: the time of the scrub)"},
			&cli.BoolFlag{Name: "drop-icc", Usage: "also remove colour profiles (they can name a device; wide-gamut photos then show wrong colours)"},
			&cli.BoolFlag{Name: "drop-orientation", Usage: "also remove the EXIF orientation (photos taken sideways then show rotated)"},
			&cli.StringSliceFlag{Name: "allow", Usage: "leave files matching `GLOB` alone when walking directories (.gitignore syntax; repeatable)"},
			&cli.StringFlag{Name: "ignore-file", Usage: "read allowed files from `FILE` instead of ./" + ignoreFileName},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON array on standard output: {path, output, format, findings (removed), kept (with --keep), error} per file scrubbed or failed"},
			&cli.BoolFlag{Name: "rename", Usage: "give outputs neutral names, photo-0001.jpg, video-0001.mp4, in input order (with --in-place: rename the files)"},
			&cli.BoolFlag{Name: "stream", Usage: "with -o - (or a device or FIFO), write the output as it is made instead of holding it until the scrub has succeeded: faster for large videos, but a failure leaves an incomplete output (exit status 2, and standard error says so); it holds only scrubbed bytes"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "name each file written or skipped, and what was kept, and print a summary"},
		}, keepFlags()...), walkFlags()...),
		Action: scrubAction,
	}
}

// scrubMode says where scrub writes.
type scrubMode int

const (
	modeBeside  scrubMode = iota // NAME.scrubbed.EXT
	modeOutput                   // -o
	modeInPlace                  // --in-place
	modeOutDir                   // --out-dir
)

// A scrubber runs one scrub command.
type scrubber struct {
	mode       scrubMode
	output     string // -o
	outDir     string // --out-dir
	backup     string // --backup suffix
	breakLinks bool   // --break-links
	dryRun     bool
	keepTime   bool
	rename     bool // --rename
	stream     bool // --stream
	opts       exifscrub.Options
	live       map[string]string // path → the new content identifier of a Live Photo's file (live.go)
	stdin      io.Reader
	stdout     io.Writer

	mu      sync.Mutex
	cleaned map[string]*sync.Once // directories cleared of stale temporary files
	removed []string              // stale temporary files removed
}

// A scrubbed file is the outcome of scrubbing one item.
type scrubbed struct {
	it            item
	dst           string
	rep           *exifscrub.Report
	before, after int64
	skip          string
	err           error
	renamed       string // --in-place --rename: the file's new name
}

func scrubAction(c *cli.Context) error {
	s := &scrubber{
		output:     c.String("output"),
		outDir:     c.String("out-dir"),
		backup:     c.String("backup"),
		breakLinks: c.Bool("break-links"),
		dryRun:     c.Bool("dry-run"),
		keepTime:   c.Bool("keep-mtime"),
		rename:     c.Bool("rename"),
		stream:     c.Bool("stream"),
		opts: exifscrub.Options{
			DropColorProfile: c.Bool("drop-icc"),
			DropOrientation:  c.Bool("drop-orientation"),
		},
		stdin:   c.App.Reader,
		stdout:  c.App.Writer,
		cleaned: map[string]*sync.Once{},
	}
	if err := parseKeep(c, &s.opts); err != nil {
		return err
	}
	args, err := fileArgs(c)
	if err != nil {
		return err
	}
	if err := s.setMode(c, args); err != nil {
		return err
	}
	allow, err := loadAllowList(c.String("ignore-file"), c.StringSlice("allow"))
	if err != nil {
		return usagef(c, "%v", err)
	}
	stderr, verbose := c.App.ErrWriter, c.Bool("verbose")

	o := walkOpts(c)
	var outFI os.FileInfo
	if s.outDir != "" {
		outFI, _ = os.Stat(s.outDir)
	}
	o.skipDir = func(p string) bool {
		if outFI != nil {
			// Never walk into the output of this run, however it is
			// reached (a symbolic link, a bind mount): the same device
			// and inode.
			if fi, err := os.Stat(p); err == nil && os.SameFile(fi, outFI) {
				return true
			}
		}
		return allow.allowed(p, true) != ""
	}
	o.skipFile = func(p string) string {
		switch {
		case isScrubbedName(p):
			// An earlier copy, in every mode: --out-dir or --rename
			// would otherwise take it for another photo.
			return "named like the output of scrub (*" + scrubbedSuffix + ".*)"
		case s.mode == modeBeside && s.rename && isNeutralName(p):
			return "named like the output of scrub --rename (photo-NNNN.EXT)"
		case s.backup != "" && strings.HasSuffix(p, s.backup):
			return "a backup (--backup " + s.backup + ")"
		}
		if orig := backupOf(p, regularFileExists); orig != "" && s.mode != modeOutput {
			return "a backup of " + displayPath(filepath.Base(orig)) + "; backups keep the original as it was"
		}
		if src := allow.allowed(p, false); src != "" {
			return "allowed by " + src
		}
		return ""
	}
	if !s.dryRun {
		o.tempFile = s.removeTemp
	}
	items := expand(args, o)
	for i := range items {
		// Backups named on the command line (by a shell glob, say) are
		// left alone too; -o scrubs one named file, whatever its name.
		if it := &items[i]; it.explicit && !it.stdin && it.err == nil && it.skip == "" && s.mode != modeOutput {
			if orig := backupOf(it.path, regularFileExists); orig != "" {
				it.skip = "a backup of " + displayPath(filepath.Base(orig)) + "; backups keep the original as it was"
			}
		}
	}
	var renames []string
	dsts := make([]string, len(items))
	if s.rename {
		renames = s.renameDestinations(items, dsts)
	}
	s.destinations(items, dsts)
	s.pairLive(items, c.Int("jobs"))

	res := make([]scrubbed, len(items))
	var t tally
	var js *jsonCheck // --json: the array, as check writes it
	if c.Bool("json") {
		js = &jsonCheck{w: s.stdout}
	}
	p := newProgress(stderr, len(items), "scrubbing")
	// On a terminal a person is watching: each file gets a line.
	perFile := verbose || isTerminal(stderr)
	forEach(len(items), c.Int("jobs"), func(i int) {
		renamed := ""
		if renames != nil {
			renamed = renames[i]
		}
		res[i] = s.scrub(items[i], dsts[i], renamed)
		if r := &res[i]; renamed != "" && r.err == nil && r.skip == "" {
			r.renamed = renamed
			if !s.dryRun {
				r.err = renameNoReplace(r.it.path, renamed)
			}
		}
	}, func(i int) {
		r := res[i]
		res[i] = scrubbed{}
		switch {
		case r.err != nil:
			t.failed++
			p.clear()
			fmt.Fprintf(stderr, "exifscrub: %s: %s\n", displayPath(r.it.path), describeErr(r.err, r.it.path))
			if js != nil {
				js.element(s.jsonScrubbed(r))
			}
			return
		case r.skip != "":
			t.skipped++
			if r.skip == errEmptyFile.Error() {
				p.clear()
				t.noteEmpty(stderr, r.it.path, verbose || r.it.explicit)
			} else if verbose || r.it.explicit {
				p.clear()
				fmt.Fprintf(stderr, "exifscrub: skipped %s: %s\n", displayPath(r.it.path), r.skip)
			}
			return
		}
		t.done++
		t.removed += r.before - r.after
		if js != nil {
			js.element(s.jsonScrubbed(r))
		} else if d := damage(r.rep); d != "" {
			p.clear()
			fmt.Fprintf(stderr, "exifscrub: %s: damaged: %s; the copy holds what a viewer shows of it\n", displayPath(r.it.path), d)
		}
		if s.dryRun && js == nil {
			fmt.Fprintln(s.stdout, s.dryRunLine(r))
		} else if perFile && !s.dryRun {
			p.clear()
			to := " -> " + displayPath(r.dst)
			if s.mode == modeInPlace {
				to = " in place"
				if r.renamed != "" {
					to += ", renamed " + displayPath(filepath.Base(r.renamed))
				}
			}
			kept := ""
			if s.opts.Keep != nil {
				kept = "; " + keptSummary("kept", r.rep.Kept)
			}
			fmt.Fprintf(stderr, "exifscrub: scrubbed %s%s: removed %s, %s%s\n", displayPath(r.it.path),
				to, plural(r.rep.Total(), "item", "items"), byteSize(r.before-r.after), kept)
			if f, ok := exifscrub.ScanName(r.dst); ok && r.renamed == "" {
				fmt.Fprintf(stderr, "exifscrub: note: the name %s still says when it was taken (%s); --rename gives neutral names\n", displayPath(filepath.Base(r.dst)), f.Value)
			}
		}
	}, p.tick)
	p.finish()
	if js != nil {
		js.end(t, 0)
	}

	if verbose {
		for _, tmp := range s.removed {
			fmt.Fprintf(stderr, "exifscrub: removed %s, left by an interrupted run\n", displayPath(tmp))
		}
	}
	if verbose || s.dryRun || (perFile && len(items) > 1) {
		fmt.Fprintln(stderr, s.summary(t))
	}
	if t.failed > 0 {
		return cli.Exit("", exitFailed)
	}
	return nil
}

// setMode checks that the flags agree with each other and the arguments.
func (s *scrubber) setMode(c *cli.Context, args []string) error {
	inPlace := c.Bool("in-place")
	n := 0
	for _, set := range []bool{s.output != "", inPlace, s.outDir != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usagef(c, "-o, --in-place and --out-dir exclude each other")
	}
	switch {
	case s.output != "":
		s.mode = modeOutput
		if len(args) != 1 {
			return usagef(c, "-o names the output of a single input; use --out-dir for several")
		}
		if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
			return usagef(c, "-o names the output of a single file, and %s is a directory; use --out-dir", args[0])
		}
	case inPlace:
		s.mode = modeInPlace
	case s.outDir != "":
		s.mode = modeOutDir
	}
	if s.backup != "" && s.mode != modeInPlace {
		return usagef(c, "--backup needs --in-place")
	}
	if strings.ContainsRune(s.backup, filepath.Separator) {
		return usagef(c, "--backup takes a suffix, such as .orig, not a path")
	}
	for _, a := range args {
		if a == "-" && s.mode == modeBeside && len(args) == 1 {
			// A filter: "cat photo.jpg | exifscrub scrub - > clean.jpg".
			s.mode, s.output = modeOutput, "-"
		}
		if a == "-" && s.mode != modeOutput {
			return usagef(c, "reading standard input needs -o FILE or -o -")
		}
	}
	if s.mode == modeOutput && c.Bool("json") && (s.output == "-" || stdoutAlias(s.output)) && !s.dryRun {
		return usagef(c, "--json writes to standard output, where the image goes with -o - (or a lone \"-\"): name an output file")
	}
	if s.mode == modeOutput && s.rename {
		return usagef(c, "-o names its output itself (a lone \"-\" is -o -); --rename names the outputs of --out-dir, --in-place or the default (beside each input)")
	}
	if s.mode == modeOutput && (s.output == "-" || stdoutAlias(s.output)) && !s.dryRun && stdoutIsTerminal(s.stdout) {
		return usagef(c, "refusing to write an image to a terminal: redirect standard output (> clean.jpg) or use -o FILE")
	}
	return nil
}

// stdoutIsTerminal reports whether w, standard output, is a terminal, where
// image bytes would only garble the screen. Tests replace it.
var stdoutIsTerminal = isTerminal

// destinations sets where each item goes, in dsts, unless --rename set it
// already. Two inputs that would be written to the same place are an error
// for the second.
func (s *scrubber) destinations(items []item, dsts []string) {
	first := map[string]string{}
	for i := range items {
		it := &items[i]
		if it.err != nil || it.skip != "" {
			continue
		}
		switch {
		case dsts[i] != "":
			// A neutral name (--rename).
		case s.rename && s.mode != modeInPlace:
			continue // not an image: skipped or failed when scrubbed
		case s.mode == modeOutput:
			dsts[i] = s.output
		case s.mode == modeBeside:
			dsts[i] = scrubbedName(it.path)
			if err := checkName(dsts[i], "output"); err != nil {
				it.err = err
				continue
			}
		case s.mode == modeOutDir:
			dsts[i] = filepath.Join(s.outDir, it.rel)
		case s.mode == modeInPlace:
			dsts[i] = it.real // the file itself, not a symbolic link to it
		}
		key := dsts[i]
		if a, err := filepath.Abs(key); err == nil {
			key = a
		}
		if other, dup := first[key]; dup && key != "-" {
			it.err = fmt.Errorf("would be written to %s, like %s", dsts[i], other)
			continue
		}
		first[key] = it.path
	}
}

// scrub scrubs one item into dst. renamed is the name that --in-place
// --rename will give the file, which its backup is named after.
func (s *scrubber) scrub(it item, dst, renamed string) (r scrubbed) {
	r.it, r.dst = it, dst
	switch {
	case it.err != nil:
		r.err = it.err
		return r
	case it.skip != "":
		r.skip = it.skip
		return r
	case it.stdin:
		r.rep, r.before, r.after, r.err = s.scrubStdin(dst)
		return r
	}
	fi, err := os.Stat(it.path)
	if err != nil {
		r.err = err
		return r
	}
	r.before = fi.Size()
	if r.before == 0 && fi.Mode().IsRegular() {
		r.skip = errEmptyFile.Error()
		return r
	}
	if !it.explicit || s.dryRun {
		// Detect the format first: files found by walking that are not
		// images are skipped, and nothing is created for them.
		in, c, err := openImage(it, nil)
		if errors.Is(err, errNotImage) && !it.explicit {
			r.skip = err.Error()
			return r
		}
		if err != nil {
			r.err = err
			return r
		}
		if s.dryRun {
			var n countWriter
			r.rep, r.err = exifscrub.Scrub(&n, in, s.optsFor(it.path))
			r.after = int64(n)
			c.Close()
			return r
		}
		c.Close()
	}
	if s.mode != modeInPlace && sameFile(dst, it.path) {
		r.err = fmt.Errorf("the output %s is the input; use --in-place to replace it", dst)
		return r
	}
	if s.mode == modeOutDir {
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			r.err = err
			return r
		}
	}
	if s.mode != modeOutput {
		s.cleanDir(filepath.Dir(dst))
	}
	switch s.mode {
	case modeOutput:
		r.rep, r.after, r.err = s.writeOutput(dst, fi.Mode().Perm(), func(w io.Writer) (*exifscrub.Report, error) {
			in, err := os.Open(it.path)
			if err != nil {
				return nil, err
			}
			defer in.Close()
			return exifscrub.Scrub(w, in, s.optsFor(it.path))
		})
	case modeInPlace:
		backup := ""
		if s.backup != "" {
			backup = dst + s.backup
			if renamed != "" {
				backup = renamed + s.backup
			}
			if _, err := os.Lstat(backup); err == nil {
				r.skip = "backed up already as " + displayPath(filepath.Base(backup)) + " (scrubbed by an earlier run)"
				return r
			}
			if err := checkName(backup, "backup"); err != nil {
				r.err = err
				return r
			}
		}
		r.rep, r.after, r.err = s.scrubInPlace(dst, backup)
	default:
		r.rep, r.err = exifscrub.ScrubFile(dst, it.path, s.optsFor(it.path))
		if out, err := os.Stat(dst); err == nil && r.err == nil {
			r.after = out.Size()
		}
	}
	if r.err != nil || dst == "-" || stdoutAlias(dst) {
		return r
	}
	if s.keepTime {
		if out, err := os.Stat(dst); err == nil && out.Mode().IsRegular() {
			if err := os.Chtimes(dst, fi.ModTime(), fi.ModTime()); err != nil {
				r.err = err
			}
		}
	}
	return r
}

// scrubStdin scrubs standard input into dst.
func (s *scrubber) scrubStdin(dst string) (rep *exifscrub.Report, before, after int64, err error) {
	growPipe(s.stdin)
	if dst == "-" || stdoutAlias(dst) {
		growPipe(s.stdout)
	}
	in := &countReader{r: s.stdin}
	switch {
	case s.stream && !s.dryRun:
		// The video's index may follow its media data: let Scrub read
		// ahead to it, since it cannot go back over a streamed output.
		sp := &spoolReader{r: in}
		defer sp.Close()
		rep, after, err = s.writeOutput(dst, 0o644, func(w io.Writer) (*exifscrub.Report, error) {
			return exifscrub.Scrub(w, sp, &s.opts)
		})
	case s.dryRun:
		var n countWriter
		rep, err = exifscrub.Scrub(&n, in, &s.opts)
		after = int64(n)
	default:
		rep, after, err = s.writeOutput(dst, 0o644, func(w io.Writer) (*exifscrub.Report, error) {
			return exifscrub.Scrub(w, in, &s.opts)
		})
	}
	return rep, in.n, after, err
}

// cleanDir removes, once per run, the temporary files that an interrupted
// run left in dir, before this run writes there.
func (s *scrubber) cleanDir(dir string) {
	s.mu.Lock()
	once, ok := s.cleaned[dir]
	if !ok {
		once = new(sync.Once)
		s.cleaned[dir] = once
	}
	s.mu.Unlock()
	once.Do(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Type().IsRegular() && exifscrub.IsTempFile(e.Name()) {
				s.removeTemp(filepath.Join(dir, e.Name()))
			}
		}
	})
}

// removeTemp removes a temporary file left by an interrupted run. Another
// exifscrub process that is writing it at this very moment then fails
// that file, leaving its destination as it was.
func (s *scrubber) removeTemp(path string) {
	if os.Remove(path) == nil {
		s.mu.Lock()
		s.removed = append(s.removed, path)
		s.mu.Unlock()
	}
}

// makeBackup keeps the original of an in-place scrub as backup: a hard
// link when the file system allows it (atomic, and instant), else a copy.
// An existing backup is never replaced: it may hold the only original.
func makeBackup(src, backup string) error {
	if _, err := os.Lstat(backup); err == nil {
		return fmt.Errorf("backup %s exists already; not replacing it", backup)
	}
	if err := os.Link(src, backup); err == nil {
		return nil
	} else if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("backup %s exists already; not replacing it", backup)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(backup, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(backup)
		return fmt.Errorf("backup: %w", err)
	}
	return os.Chtimes(backup, fi.ModTime(), fi.ModTime())
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// summary is the line printed at the end of a batch.
func (s *scrubber) summary(t tally) string {
	verb, removed := "scrubbed", "removed"
	if s.dryRun {
		verb, removed = "would scrub", "would remove"
	}
	msg := fmt.Sprintf("exifscrub: %s %s", verb, plural(t.done, "file", "files"))
	if t.skipped > 0 {
		msg += fmt.Sprintf(", skipped %d", t.skipped)
		if t.empty > 0 {
			msg += fmt.Sprintf(" (%d empty)", t.empty)
		}
	}
	if t.failed > 0 {
		msg += fmt.Sprintf(", failed %d", t.failed)
	}
	return msg + fmt.Sprintf("; %s %s of metadata", removed, byteSize(t.removed))
}

// jsonScrubbed is the element of scrub --json for one file: what was
// removed (findings) and kept, and where the output went (with --dry-run,
// where it would go). The output is shown only to the user who ran the
// command: with --rename it maps the original name to the new one.
func (s *scrubber) jsonScrubbed(r scrubbed) jsonFile {
	j := jsonFile{Path: r.it.path, Findings: []exifscrub.Finding{}}
	if !utf8.ValidString(r.it.path) {
		j.PathBytes = []byte(r.it.path)
	}
	if r.err != nil {
		j.Error = describeErr(r.err, r.it.path)
	}
	switch {
	case r.err != nil:
	case r.renamed != "":
		j.Output = r.renamed
	case s.mode == modeInPlace:
		j.Output = r.it.path
	default:
		j.Output = r.dst
	}
	if formatKnown(r.rep) {
		j.Format, j.Damaged = r.rep.Format, r.rep.Damaged
		if r.rep.Findings != nil {
			j.Findings = r.rep.Findings
		}
		if s.opts.Keep != nil {
			kept := []exifscrub.Finding{}
			if r.rep.Kept != nil {
				kept = r.rep.Kept
			}
			j.Kept = &kept
		}
	}
	return j
}

// dryRunLine says what scrub would remove from one file.
func (s *scrubber) dryRunLine(r scrubbed) string {
	if len(r.rep.Findings) == 0 {
		return fmt.Sprintf("%s: nothing to remove%s", displayPath(r.it.path), s.dryRunMore(r))
	}
	var cats []string
	for _, c := range exifscrub.Categories() {
		if r.rep.Has(c) {
			cats = append(cats, string(c))
		}
	}
	return fmt.Sprintf("%s: would remove %s (%s), %s%s", displayPath(r.it.path),
		plural(r.rep.Total(), "item", "items"), strings.Join(cats, ", "), byteSize(r.before-r.after), s.dryRunMore(r))
}

// dryRunMore says what a dry run would keep, and the new name.
func (s *scrubber) dryRunMore(r scrubbed) string {
	more := ""
	if s.opts.Keep != nil {
		more += "; " + keptSummary("would keep", r.rep.Kept)
	}
	switch {
	case r.renamed != "":
		more += "; would rename it " + displayPath(filepath.Base(r.renamed))
	case s.rename && r.dst != "":
		more += "; would write " + displayPath(r.dst)
	}
	return more
}

// countWriter counts and discards what is written to it.
type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) {
	*w += countWriter(len(p))
	return len(p), nil
}

// WriteAt and Seek make a countWriter look like a file to Scrub, which
// goes back over a video's output to zero the samples of a metadata track
// it learns of only after copying them (mov_write.go). A dry run writes
// nothing, so there is nothing to go back to.
func (w *countWriter) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

func (w *countWriter) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("countWriter seeks only to where it is")
	}
	return int64(*w), nil
}

// countReader counts what is read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
