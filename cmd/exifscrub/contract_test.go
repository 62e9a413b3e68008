package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// TestPaperCuts checks the command line's small promises: typos get a
// suggestion, standard input is a filter, a terminal never gets binary,
// formats are named, empty files have one policy, reports of damaged
// photos show what was read.
func TestPaperCuts(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jpg")
	writeFile(t, empty, nil)
	walked := filepath.Join(dir, "walked")
	writeFile(t, filepath.Join(walked, "empty.jpg"), nil)
	writeFile(t, filepath.Join(walked, "clean.png"), readFile(t, cleanPNG))
	gif := filepath.Join(dir, "a.gif")
	writeFile(t, gif, []byte("GIF89a\x01\x00\x01\x00"))
	tif := filepath.Join(dir, "a.tif")
	writeFile(t, tif, []byte("II*\x00\x08\x00\x00\x00"))
	damaged := filepath.Join(dir, "damaged.jpg")
	gps := readFile(t, gpsJPEG)
	// Cut inside the scan header: a JPEG cut inside its scan data is kept
	// (decoders show it), one cut before the data can't be.
	writeFile(t, damaged, gps[:bytes.LastIndex(gps, []byte{0xff, 0xda})+5])

	tests := []struct {
		name   string
		args   []string
		stdin  []byte
		code   int
		stdout []string
		stderr []string
		not    []string // in neither
	}{
		{name: "flag typo", args: []string{"scrub", "--in-plce", gpsJPEG}, code: exitUsage, stderr: []string{"Did you mean --in-place?"}},
		{name: "flag typo check", args: []string{"check", "--fail-no", "location", gpsJPEG}, code: exitUsage, stderr: []string{"Did you mean --fail-on?"}},
		{name: "flag far from any", args: []string{"check", "--frobnicate", gpsJPEG}, code: exitUsage, not: []string{"Did you mean"}},
		{name: "command typo", args: []string{"scrubb"}, code: exitUsage, stderr: []string{`did you mean "scrub"?`}},
		{name: "help has one default", args: []string{"scrub", "--help"}, code: exitOK, stdout: []string{"(default: the time of the scrub)"}, not: []string{"(default: false)"}},
		{name: "GIF named", args: []string{"report", gif}, code: exitFailed, stderr: []string{"a.gif: not a supported format: GIF"}},
		{name: "TIFF named", args: []string{"scrub", "-o", filepath.Join(dir, "x.tif"), tif}, code: exitFailed, stderr: []string{"a.tif: not a supported format: TIFF"}},
		{name: "GIF checked", args: []string{"check", gif}, code: exitOK, stderr: []string{"not checked", "not a supported format: GIF"}},
		{name: "empty named report", args: []string{"report", empty}, code: exitOK, stderr: []string{"note: skipped", "empty.jpg: empty file"}},
		{name: "empty named scrub", args: []string{"scrub", "-o", filepath.Join(dir, "e.jpg"), empty}, code: exitOK, stderr: []string{"empty.jpg: empty file"}},
		{name: "empty walked check", args: []string{"check", "-v", walked}, code: exitOK, stderr: []string{"empty.jpg: empty file", "1 skipped (1 empty)"}},
		{name: "empty walked scrub", args: []string{"scrub", "-n", walked}, code: exitOK, stderr: []string{"skipped 1 (1 empty)"}, not: []string{"empty.jpg: empty file"}},
		{name: "empty walked scrub verbose", args: []string{"scrub", "-n", "-v", walked}, code: exitOK, stderr: []string{"empty.jpg: empty file", "skipped 1 (1 empty)"}},
		{name: "empty stdin", args: []string{"report", "-"}, code: exitFailed, stderr: []string{"empty"}},
		{name: "grammar", args: []string{"check", gpsJPEG, cleanPNG}, code: exitFound, stderr: []string{"1 of 2 files reveals"}},
		{name: "damaged report", args: []string{"report", damaged}, code: exitFailed,
			stdout: []string{"Location", "36.056417"}, stderr: []string{"damaged.jpg: invalid JPEG", "read before it"}},
		{name: "clean json", args: []string{"report", "--json", cleanPNG}, code: exitOK, stdout: []string{`"findings": []`}, not: []string{"null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, tt.args...)
			checkRun(t, r, tt.code, tt.stdout, tt.stderr, tt.not)
		})
	}
}

// TestStdinFilter: "cat photo.jpg | exifscrub scrub -" writes the clean
// photo to standard output, unless that is a terminal.
func TestStdinFilter(t *testing.T) {
	r := runCLI(t, readFile(t, gpsJPEG), "scrub", "-")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	rep, err := exifscrub.Scan(strings.NewReader(r.stdout))
	if err != nil || len(rep.Findings) != 0 {
		t.Errorf("output: %v, findings %v", err, rep)
	}

	defer func(f func(io.Writer) bool) { stdoutIsTerminal = f }(stdoutIsTerminal)
	stdoutIsTerminal = func(io.Writer) bool { return true }
	for _, args := range [][]string{{"scrub", "-"}, {"scrub", "-o", "-", gpsJPEG}, {"scrub", "-o", "/dev/stdout", gpsJPEG}} {
		r := runCLI(t, readFile(t, gpsJPEG), args...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "terminal") {
			t.Errorf("%v to a terminal: exit %d, stdout %d bytes, stderr %q; want 64, nothing written", args, r.code, len(r.stdout), r.stderr)
		}
	}
	if r := runCLI(t, nil, "scrub", "-n", "-o", "-", gpsJPEG); r.code != exitOK {
		t.Errorf("dry run to a terminal: exit %d (%s), want 0: it writes no image", r.code, r.stderr)
	}
}

// TestSuggestFlag checks the typo distance.
func TestSuggestFlag(t *testing.T) {
	flags := scrubCommand().Flags
	for _, tt := range []struct{ typo, want string }{
		{"in-plce", "--in-place"},
		{"inplace", "--in-place"},
		{"in-palce", "--in-place"},
		{"ouput", "--output"},
		{"dryrun", "--dry-run"},
		{"x", ""},
		{"verbosity", "--verbose"},
		{"recursiv", "--recursive"},
		{"zzzzzz", ""},
	} {
		if got := suggestFlag(flags, tt.typo); got != tt.want {
			t.Errorf("suggestFlag(%q) = %q, want %q", tt.typo, got, tt.want)
		}
	}
}
