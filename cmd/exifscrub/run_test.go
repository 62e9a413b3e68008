package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs each command through run and checks the exit code and what
// it printed.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.jpg")
	writeFile(t, truncated, readFile(t, gpsJPEG)[:3000])
	cleanCut := filepath.Join(dir, "clean-cut.png") // no metadata before the cut
	writeFile(t, cleanCut, readFile(t, cleanPNG)[:40])
	cutScan := filepath.Join(dir, "cut.jpg") // cut inside its scan data
	whole := readFile(t, canonJPEG)
	writeFile(t, cutScan, whole[:len(whole)-1000])
	gps := filepath.Join(dir, "gps.jpg")
	copyFile(t, gps, gpsJPEG)
	unreadableDir := filepath.Join(dir, "missing")

	tests := []struct {
		name       string
		args       []string
		stdin      []byte
		code       int
		stdout     []string // substrings of stdout
		stderr     []string // substrings of stderr
		noStdout   bool
		noStderr   bool
		stdoutJSON bool
	}{
		// The program.
		{name: "no arguments", args: nil, code: exitUsage, stderr: []string{"USAGE"}},
		{name: "unknown command", args: []string{"scrubb"}, code: exitUsage, stderr: []string{`unknown command "scrubb"`}},
		{name: "version", args: []string{"--version"}, code: exitOK, stdout: []string{"exifscrub version"}},
		{name: "help", args: []string{"--help"}, code: exitOK, stdout: []string{"report", "scrub", "check", "EXIT CODES", "64"}},
		{name: "help command", args: []string{"help"}, code: exitOK, stdout: []string{"report", "scrub", "check"}},
		{name: "help scrub", args: []string{"help", "scrub"}, code: exitOK, stdout: []string{"exifscrub scrub", "--in-place", "EXIT CODES"}},
		{name: "help unknown", args: []string{"help", "scrubb"}, code: exitUsage, stderr: []string{`no command "scrubb"`}},
		{name: "unknown global flag", args: []string{"--frobnicate"}, code: exitUsage, stderr: []string{"frobnicate", "--help"}},

		// report
		{name: "report help", args: []string{"report", "--help"}, code: exitOK, stdout: []string{"EXAMPLES", "EXIT CODES", "--json"}},
		{name: "report", args: []string{"report", gpsJPEG}, code: exitOK, noStderr: true, stdout: []string{
			"Location", "-0.371300, 36.056417",
			"https://www.openstreetmap.org/?mlat=-0.371300&mlon=36.056417#map=16/-0.371300/36.056417",
			"taken      2005-08-13 09:47:23 +03:00",
			"camera         EASTMAN KODAK COMPANY KODAK CX7530 ZOOM DIGITAL CAMERA",
			"camera serial  KCX7530-0042", "lens           Kodak Retinar 3x zoom",
			"Identity", "Jane Doe", "ThumbnailImage",
		}},
		{name: "report clean", args: []string{"report", cleanPNG}, code: exitOK, stdout: []string{"No metadata to remove"}},
		{name: "report stdin", args: []string{"report", "-"}, stdin: readFile(t, gpsJPEG), code: exitOK, stdout: []string{"-0.371300, 36.056417"}},
		{name: "report missing file", args: []string{"report", gpsJPEG, filepath.Join(dir, "nope.jpg")}, code: exitFailed,
			stdout: []string{"36.056417"}, stderr: []string{"nope.jpg: no such file or directory"}},
		{name: "report not an image", args: []string{"report", notImage}, code: exitFailed, stderr: []string{"not an image"}},
		{name: "report malformed", args: []string{"report", truncated}, code: exitFailed, stderr: []string{"truncated.jpg: invalid JPEG"}},
		{name: "report malformed, nothing read", args: []string{"report", cleanCut}, code: exitFailed, noStdout: true, stderr: []string{"clean-cut.png: invalid PNG"}},
		{name: "report damaged", args: []string{"report", cutScan}, code: exitOK, noStderr: true,
			stdout: []string{"Damaged: image data truncated at offset", "scrub keeps what a viewer shows"}},
		{name: "report damaged json", args: []string{"report", "--json", cutScan}, code: exitOK, stdoutJSON: true, stdout: []string{`"damaged": true`}},
		{name: "scrub damaged", args: []string{"scrub", "-o", "-", cutScan}, code: exitOK,
			stderr: []string{"cut.jpg: damaged: image data truncated at offset", "what a viewer shows"}},
		{name: "report json", args: []string{"report", "--json", gpsJPEG, cleanPNG}, code: exitOK, stdoutJSON: true},
		{name: "report format json", args: []string{"report", "--format", "json", gpsJPEG}, code: exitOK, stdoutJSON: true},
		{name: "report format sarif", args: []string{"report", "--format", "sarif", gpsJPEG}, code: exitUsage, stderr: []string{"text or json"}},
		{name: "report json with error", args: []string{"report", "--json", unreadableDir}, code: exitFailed, stdoutJSON: true, stdout: []string{`"error": "no such file or directory"`}},
		{name: "report no files", args: []string{"report"}, code: exitUsage, stderr: []string{"no files given"}},
		{name: "report flag after file", args: []string{"report", gpsJPEG, "--json"}, code: exitUsage, stderr: []string{"--json must come before"}},

		// scrub
		{name: "scrub help", args: []string{"scrub", "--help"}, code: exitOK, stdout: []string{"EXAMPLES", "--in-place", "--out-dir", "--keep-mtime", "EXIT CODES"}},
		{name: "scrub -o", args: []string{"scrub", "-o", filepath.Join(dir, "out.jpg"), gpsJPEG}, code: exitOK, noStdout: true, noStderr: true},
		{name: "scrub -o - stdin", args: []string{"scrub", "-o", "-", "-"}, stdin: readFile(t, gpsJPEG), code: exitOK, noStderr: true},
		{name: "scrub -o - file", args: []string{"scrub", "-o", "-", gpsJPEG}, code: exitOK, noStderr: true},
		{name: "scrub stdin to stdout", args: []string{"scrub", "-"}, stdin: readFile(t, gpsJPEG), code: exitOK, noStderr: true},
		{name: "scrub stdin needs -o", args: []string{"scrub", "--in-place", "-"}, code: exitUsage, stderr: []string{"-o FILE or -o -"}},
		{name: "scrub -o two inputs", args: []string{"scrub", "-o", "x.jpg", gpsJPEG, cleanPNG}, code: exitUsage, stderr: []string{"single input"}},
		{name: "scrub -o directory", args: []string{"scrub", "-o", "x.jpg", dir}, code: exitUsage, stderr: []string{"is a directory"}},
		{name: "scrub -o and --in-place", args: []string{"scrub", "-o", "x.jpg", "--in-place", gpsJPEG}, code: exitUsage, stderr: []string{"exclude each other"}},
		{name: "scrub --backup alone", args: []string{"scrub", "--backup", ".orig", gpsJPEG}, code: exitUsage, stderr: []string{"--backup needs --in-place"}},
		{name: "scrub unknown flag", args: []string{"scrub", "--nope", gpsJPEG}, code: exitUsage, stderr: []string{"flag provided but not defined: -nope"}},
		{name: "scrub missing", args: []string{"scrub", "-o", filepath.Join(dir, "m.jpg"), filepath.Join(dir, "nope.jpg")}, code: exitFailed, stderr: []string{"no such file"}},
		{name: "scrub not an image", args: []string{"scrub", "-o", filepath.Join(dir, "readme.out"), notImage}, code: exitFailed, stderr: []string{"not an image"}},
		{name: "scrub malformed", args: []string{"scrub", "-o", filepath.Join(dir, "t.out.jpg"), truncated}, code: exitFailed, stderr: []string{"invalid JPEG"}},
		{name: "scrub malformed to stdout", args: []string{"scrub", "-o", "-", truncated}, code: exitFailed, noStdout: true},
		{name: "report video", args: []string{"report", movie}, code: exitOK, stdout: []string{"(MOV)", "48.858400, 2.294500", "iPhone 15 Pro"}},
		{name: "scrub video -o", args: []string{"scrub", "-o", filepath.Join(dir, "out.mov"), movie}, code: exitOK, noStdout: true, noStderr: true},
		{name: "scrub video stdin to stdout", args: []string{"scrub", "-o", "-", "-"}, stdin: readFile(t, movie), code: exitOK, noStderr: true},
		{name: "scrub video dry run", args: []string{"scrub", "--dry-run", movie}, code: exitOK, stdout: []string{"would remove", "location, time, device"}, stderr: []string{"would scrub 1 file"}},
		{name: "check video", args: []string{"check", movie}, code: exitFound, stdout: []string{"video__keys_tmcd_rot90.mov: reveals location, time, device"}},
		{name: "scrub dry run", args: []string{"scrub", "--dry-run", gps}, code: exitOK, stdout: []string{"would remove", "location, time, device, identity, embedded"}, stderr: []string{"would scrub 1 file"}},

		// check
		{name: "check help", args: []string{"check", "--help"}, code: exitOK, stdout: []string{"EXAMPLES", "--fail-on", "sarif", "github", "EXIT CODES"}},
		{name: "check private", args: []string{"check", gpsJPEG}, code: exitFound, stdout: []string{"kodak_gps.jpg: reveals location, time, device, identity, embedded"}, stderr: []string{"1 of 1 file reveals location"}},
		{name: "check clean", args: []string{"check", cleanPNG}, code: exitOK, noStdout: true, noStderr: true},
		{name: "check not an image is skipped", args: []string{"check", notImage, cleanPNG}, code: exitOK, noStdout: true, stderr: []string{"note: not checked ../../testdata/README.md"}},
		{name: "check fail-on narrows", args: []string{"check", "--fail-on", "identity", canonJPEG, textPNG}, code: exitOK},
		{name: "check fail-on list", args: []string{"check", "--fail-on", "location,text", canonJPEG, textPNG}, code: exitFound, stdout: []string{"itxt_chunks.png: reveals text"}},
		{name: "check fail-on repeated", args: []string{"check", "--fail-on", "location", "--fail-on", "embedded", canonJPEG}, code: exitFound},
		{name: "check fail-on other", args: []string{"check", "--fail-on", "all", cleanPNG}, code: exitOK},
		{name: "check bad category", args: []string{"check", "--fail-on", "gps", gpsJPEG}, code: exitUsage, stderr: []string{`unknown category "gps"`}},
		{name: "check bad format", args: []string{"check", "--format", "xml", gpsJPEG}, code: exitUsage, stderr: []string{`unknown --format "xml"`}},
		{name: "check error", args: []string{"check", cleanPNG, truncated}, code: exitFailed, stderr: []string{"invalid JPEG"}},
		{name: "check error wins", args: []string{"check", gpsJPEG, filepath.Join(dir, "nope.jpg")}, code: exitFailed},
		{name: "check json", args: []string{"check", "--json", gpsJPEG, cleanPNG}, code: exitFound, stdoutJSON: true, stdout: []string{`"private": [`}},
		{name: "check format json", args: []string{"check", "--format", "json", cleanPNG}, code: exitOK, stdoutJSON: true},
		{name: "check github", args: []string{"check", "--format", "github", gpsJPEG, cleanPNG}, code: exitFound,
			stdout: []string{"::error file=testdata/kodak_gps.jpg,title=exifscrub%3A private metadata (location%2C time%2C device%2C identity%2C embedded)::"}},
		{name: "check allow", args: []string{"check", "--allow", "kodak_*.jpg", gpsJPEG}, code: exitOK},
		{name: "check allow verbose", args: []string{"check", "-v", "--allow", "testdata/", gpsJPEG}, code: exitOK, stderr: []string{"allowed by --allow testdata/"}},
		{name: "check stdin", args: []string{"check", "-"}, stdin: readFile(t, gpsJPEG), code: exitFound},
		{name: "check stdin clean", args: []string{"check", "-"}, stdin: scrubbedBytes(t, gpsJPEG), code: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code: got %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			checkContains(t, "stdout", r.stdout, tt.stdout)
			checkContains(t, "stderr", r.stderr, tt.stderr)
			if tt.noStdout && r.stdout != "" {
				t.Errorf("stdout: got %q, want nothing", r.stdout)
			}
			if tt.noStderr && r.stderr != "" {
				t.Errorf("stderr: got %q, want nothing", r.stderr)
			}
			if tt.stdoutJSON {
				var v []map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
					t.Errorf("stdout is not a JSON array: %v\n%s", err, r.stdout)
				}
			}
		})
	}
	// Failed scrubs leave nothing behind.
	for _, name := range []string{"m.jpg", "readme.out", "t.out.jpg"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("failed scrub left %s", name)
		}
	}
	if tmp := tempFiles(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestScrubOutputs checks what scrub writes, and where.
func TestScrubOutputs(t *testing.T) {
	want := scrubbedBytes(t, gpsJPEG)

	t.Run("-o", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "clean.jpg")
		if r := runCLI(t, nil, "scrub", "-o", dst, gpsJPEG); r.code != 0 || r.stdout+r.stderr != "" {
			t.Fatalf("got %+v, want exit 0 and no output", r)
		}
		if got := readFile(t, dst); !bytes.Equal(got, want) {
			t.Errorf("-o wrote %d bytes, want the %d of Scrub", len(got), len(want))
		}
	})
	t.Run("stdin to stdout", func(t *testing.T) {
		r := runCLI(t, readFile(t, gpsJPEG), "scrub", "-o", "-", "-")
		if r.code != 0 || !bytes.Equal([]byte(r.stdout), want) {
			t.Errorf("got exit %d and %d bytes, want 0 and the %d of Scrub; stderr %q", r.code, len(r.stdout), len(want), r.stderr)
		}
	})
	t.Run("stdin to file", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "clean.jpg")
		r := runCLI(t, readFile(t, gpsJPEG), "scrub", "-o", dst, "-")
		if r.code != 0 || !bytes.Equal(readFile(t, dst), want) {
			t.Errorf("got exit %d (%s), want 0 and the bytes of Scrub", r.code, r.stderr)
		}
	})
	t.Run("beside", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "photo.jpg")
		copyFile(t, src, gpsJPEG)
		if r := runCLI(t, nil, "scrub", src); r.code != 0 || r.stdout+r.stderr != "" {
			t.Fatalf("got %+v, want exit 0 and no output", r)
		}
		if !bytes.Equal(readFile(t, filepath.Join(dir, "photo.scrubbed.jpg")), want) {
			t.Errorf("photo.scrubbed.jpg is not the scrubbed image")
		}
		if !bytes.Equal(readFile(t, src), readFile(t, gpsJPEG)) {
			t.Errorf("the original changed")
		}
	})
	t.Run("in place keeps permissions", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "photo.jpg")
		copyFile(t, src, gpsJPEG)
		os.Chmod(src, 0o640)
		if r := runCLI(t, nil, "scrub", "--in-place", src); r.code != 0 || r.stdout+r.stderr != "" {
			t.Fatalf("got %+v, want exit 0 and no output", r)
		}
		if !bytes.Equal(readFile(t, src), want) {
			t.Errorf("not scrubbed in place")
		}
		if fi, _ := os.Stat(src); fi.Mode().Perm() != 0o640 {
			t.Errorf("permissions: got %v, want 0640", fi.Mode().Perm())
		}
	})
	t.Run("backup", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "photo.jpg")
		copyFile(t, src, gpsJPEG)
		if r := runCLI(t, nil, "scrub", "-i", "--backup", ".orig", src); r.code != 0 {
			t.Fatalf("got %+v, want exit 0", r)
		}
		if !bytes.Equal(readFile(t, src+".orig"), readFile(t, gpsJPEG)) || !bytes.Equal(readFile(t, src), want) {
			t.Errorf("want the original in photo.jpg.orig and the scrubbed image in photo.jpg")
		}
		// A second run must not replace the backup, which holds the only
		// original: the file is skipped, as done already.
		if r := runCLI(t, nil, "scrub", "-i", "--backup", ".orig", src); r.code != 0 || !strings.Contains(r.stderr, "backed up already") {
			t.Errorf("second run: got %+v, want exit 0 and 'backed up already'", r)
		}
		if !bytes.Equal(readFile(t, src+".orig"), readFile(t, gpsJPEG)) {
			t.Errorf("backup replaced")
		}
	})
	t.Run("keep-mtime", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "photo.jpg")
		copyFile(t, src, gpsJPEG)
		old := mustStat(t, src).ModTime().Add(-1000 * 3600 * 1e9)
		os.Chtimes(src, old, old)
		runCLI(t, nil, "scrub", src)
		if got := mustStat(t, filepath.Join(dir, "photo.scrubbed.jpg")).ModTime(); got.Equal(old) {
			t.Errorf("default: the output has the original's time %v, want the time of the scrub", got)
		}
		runCLI(t, nil, "scrub", "--keep-mtime", "--in-place", src)
		if got := mustStat(t, src).ModTime(); !got.Equal(old) {
			t.Errorf("--keep-mtime: got %v, want %v", got, old)
		}
	})
}

func mustStat(t *testing.T, name string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestReportJSON checks the JSON contract of report: an array with path,
// format, findings of {category, container, tag, value}, and error.
func TestReportJSON(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.jpg")
	r := runCLI(t, nil, "report", "--json", gpsJPEG, cleanPNG, missing)
	if r.code != exitFailed {
		t.Errorf("exit code: got %d, want %d", r.code, exitFailed)
	}
	var got []struct {
		Path     string `json:"path"`
		Format   string `json:"format"`
		Findings []struct {
			Category, Container, Tag, Value string
		} `json:"findings"`
		Location *struct {
			Latitude, Longitude float64
			Map                 string
		} `json:"location"`
		Error *string `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(got) != 3 {
		t.Fatalf("got %d elements, want 3", len(got))
	}
	g := got[0]
	if g.Path != gpsJPEG || g.Format != "jpeg" || g.Error == nil || *g.Error != "" {
		t.Errorf("first element: got path %q format %q error %v", g.Path, g.Format, g.Error)
	}
	if len(g.Findings) != len(scan(t, gpsJPEG).Findings) {
		t.Errorf("got %d findings, want %d", len(g.Findings), len(scan(t, gpsJPEG).Findings))
	}
	if f := g.Findings[0]; f.Category != "location" || f.Container != "EXIF GPS" || f.Tag != "GPSVersionID" {
		t.Errorf("first finding: got %+v", f)
	}
	if g.Location == nil || g.Location.Latitude != -0.3713 || g.Location.Longitude != 36.056417 {
		t.Errorf("location: got %+v", g.Location)
	}
	if got[1].Path != cleanPNG || got[1].Findings == nil || len(got[1].Findings) != 0 {
		t.Errorf("clean file: got %+v, want an empty findings array", got[1])
	}
	if got[2].Path != missing || got[2].Error == nil || *got[2].Error == "" {
		t.Errorf("missing file: got %+v, want an error", got[2])
	}
}

// TestHumanTime checks the pairing of dates with their offsets.
func TestHumanTime(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2008:10:22 16:28:39", "2008-10-22 16:28:39"},
		{"2008:10:22", "2008-10-22"},
		{"garbage", "garbage"},
	} {
		if got := exifDate(tt.in); got != tt.want {
			t.Errorf("exifDate(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"14 27 7.24", "14:27:07.24"},
		{"9 5 3", "09:05:03"},
		{"x", "x"},
	} {
		if got := gpsTime(tt.in); got != tt.want {
			t.Errorf("gpsTime(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkContains fails t for each string of want that out, the command's
// standard output or error (named by what), lacks.
func checkContains(t *testing.T, what, out string, want []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(out, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, out)
		}
	}
}

// checkRun checks a run's exit code, that its standard output and error
// hold what they should, and that neither holds any string of not.
func checkRun(t *testing.T, r result, code int, stdout, stderr, not []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	checkContains(t, "stdout", r.stdout, stdout)
	checkContains(t, "stderr", r.stderr, stderr)
	for _, s := range not {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output has %q:\n%s%s", s, r.stdout, r.stderr)
		}
	}
}
