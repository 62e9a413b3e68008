package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// The tests of the command as a drop-in filter (docs/filter.md): the
// built command reading a pipe and writing one, beside the two commands
// that platforms run per upload today, "exiftool -all= - -out -" and
// "ffmpeg -map_metadata -1 -c copy". Each difference docs/filter.md
// spells out is checked here; ExifTool and ffmpeg are skipped when they
// are not installed (and fail the test under CI, whose .ci/run installs
// them).

// filtered is what a command wrote to its standard output and error, and
// its exit code.
type filtered struct {
	stdout []byte
	stderr string
	code   int
}

// pipeThrough runs args with stdin as its standard input. Both standard
// input and output are pipes, as in a shell pipeline: neither can seek.
func pipeThrough(t *testing.T, stdin []byte, args ...string) filtered {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = bytes.NewReader(stdin) // not an *os.File: exec makes a pipe
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return filtered{out.Bytes(), errb.String(), code}
}

// exifscrubFilter is the replacement this file documents for both.
func exifscrubFilter(t *testing.T, in []byte) filtered {
	t.Helper()
	return pipeThrough(t, in, binary, "scrub", "-o", "-", "-")
}

// exiftoolTags is one tag of each file as ExifTool prints it (-T: "-"
// when a file does not have it), from one ExifTool process.
func exiftoolTags(t *testing.T, tag string, files ...[]byte) []string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"exiftool", "-T", "-" + tag}
	for i, f := range files {
		name := filepath.Join(dir, strconv.Itoa(i))
		writeFile(t, name, f)
		args = append(args, name)
	}
	b, err := exec.Command(args[0], args[1:]...).Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(got) != len(files) {
		t.Fatalf("%v: %d lines, want %d:\n%s", args, len(got), len(files), b)
	}
	return got
}

// TestFilterPhotos: "exifscrub scrub -o - -" where a pipeline has
// "exiftool -all= - -out -": exit 0, Scrub's bytes, nothing on standard
// error; ExifTool also exits 0, but drops the orientation (the photo then
// shows rotated) and the colour profile (its colours shift), which
// exifscrub keeps.
func TestFilterPhotos(t *testing.T) {
	orientation := filepath.Join("..", "..", "testdata", "pillow__hopper_orientation_5.jpg")
	tests := []struct {
		file string
		tag  string // what exifscrub keeps and ExifTool drops
	}{
		{gpsJPEG, ""},
		{orientation, "Orientation"},
		{cleanPNG, "ProfileDescription"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			in := readFile(t, tt.file)
			var want bytes.Buffer
			if _, err := exifscrub.Scrub(&want, bytes.NewReader(in), nil); err != nil {
				t.Fatal(err)
			}
			es := exifscrubFilter(t, in)
			if es.code != exitOK || es.stderr != "" {
				t.Fatalf("exifscrub: exit %d, stderr %q; want 0 and nothing", es.code, es.stderr)
			}
			if !bytes.Equal(es.stdout, want.Bytes()) {
				t.Errorf("exifscrub wrote %d bytes, not Scrub's %d", len(es.stdout), want.Len())
			}
			if rep, err := exifscrub.Scan(bytes.NewReader(es.stdout)); err != nil || len(rep.Findings) != 0 {
				t.Errorf("exifscrub's output: %v, findings %v", err, rep)
			}

			needTool(t, "exiftool", "-ver")
			et := pipeThrough(t, in, "exiftool", "-all=", "-", "-out", "-")
			if et.code != 0 || len(et.stdout) == 0 {
				t.Fatalf("exiftool: exit %d, %d bytes, stderr %q", et.code, len(et.stdout), et.stderr)
			}
			if tt.tag == "" {
				return
			}
			got := exiftoolTags(t, tt.tag, in, es.stdout, et.stdout)
			orig, kept, lost := got[0], got[1], got[2]
			if orig == "-" || kept != orig {
				t.Errorf("%s: %q in the photo, %q after exifscrub; want it kept", tt.tag, orig, kept)
			}
			if lost != "-" {
				t.Errorf("%s: %q after exiftool -all=; docs/filter.md says it drops it", tt.tag, lost)
			}
		})
	}
}

// TestFilterFailures: on input it cannot scrub, exifscrub exits 2 and
// writes nothing to standard output, so "exifscrub ... > out || fail"
// never leaves a partial file behind. ExifTool exits 1 but may already
// have written the start of the file; it also writes GIFs, which
// exifscrub refuses.
func TestFilterFailures(t *testing.T) {
	gps := readFile(t, gpsJPEG)
	tests := []struct {
		name     string
		in       []byte
		stderr   string // in exifscrub's message
		exiftool int    // ExifTool's exit code
	}{
		{"truncated JPEG", gps[:len(gps)/2], "unexpected EOF", 1},
		{"text", []byte("hello\n"), "not an image in a supported format", 1},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "not a supported format: GIF", 0},
		{"empty", nil, "empty", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := exifscrubFilter(t, tt.in)
			if es.code != exitFailed || len(es.stdout) != 0 || !strings.Contains(es.stderr, tt.stderr) {
				t.Errorf("exifscrub: exit %d, %d bytes, stderr %q; want exit 2, nothing written, %q", es.code, len(es.stdout), es.stderr, tt.stderr)
			}
			needTool(t, "exiftool", "-ver")
			et := pipeThrough(t, tt.in, "exiftool", "-all=", "-", "-out", "-")
			if et.code != tt.exiftool {
				t.Errorf("exiftool: exit %d (%s), want %d as docs/filter.md says", et.code, strings.TrimSpace(et.stderr), tt.exiftool)
			}
			t.Logf("exiftool: exit %d, %d bytes written, %s", et.code, len(et.stdout), strings.TrimSpace(et.stderr))
		})
	}
}

// TestFilterVideos: "exifscrub scrub -o - -" where a pipeline has ffmpeg
// -map_metadata -1 -c copy. exifscrub writes Scrub's bytes for a video
// whose index comes first or last, pipe to pipe. ffmpeg cannot write a MOV
// or an ordinary MP4 to a pipe, writes a fragmented MP4 with its own
// encoder tag instead, loses the media of a large index-last video read
// from a pipe while exiting 0, and with -map 0 keeps timed-metadata tracks.
func TestFilterVideos(t *testing.T) {
	dir := t.TempDir()
	// 16 MiB of media before the index: past what ffmpeg reads ahead from a
	// pipe (its probe size is 5 MB), as a phone's video is.
	large := filepath.Join(dir, "index-last.mov")
	writePadded(t, movie, 16<<20, large)
	inputs := []string{movie, fastStartMP4, large}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			want := filepath.Join(t.TempDir(), "want")
			if _, err := exifscrub.ScrubFile(want, in, nil); err != nil {
				t.Fatal(err)
			}
			es := exifscrubFilter(t, readFile(t, in))
			if es.code != exitOK || es.stderr != "" {
				t.Fatalf("exifscrub: exit %d, stderr %q; want 0 and nothing", es.code, es.stderr)
			}
			if !bytes.Equal(es.stdout, readFile(t, want)) {
				t.Errorf("exifscrub wrote %d bytes, not ScrubFile's", len(es.stdout))
			}
			if rep, err := exifscrub.Scan(bytes.NewReader(es.stdout)); err != nil || len(rep.Findings) != 0 {
				t.Errorf("exifscrub's output: %v, findings %v", err, rep)
			}
		})
	}

	t.Run("ffmpeg", func(t *testing.T) {
		needTool(t, "ffmpeg", "-version")
		ffmpeg := func(in []byte, args ...string) filtered {
			return pipeThrough(t, in, append([]string{"ffmpeg", "-v", "error", "-i", "pipe:0", "-map_metadata", "-1", "-c", "copy"}, args...)...)
		}
		mov := readFile(t, movie)
		if r := ffmpeg(mov, "-f", "mov", "pipe:1"); r.code == 0 || len(r.stdout) != 0 || !strings.Contains(r.stderr, "non seekable") {
			t.Errorf("ffmpeg -f mov to a pipe: exit %d, %d bytes, %q; want a failure, 'non seekable output'", r.code, len(r.stdout), r.stderr)
		}
		frag := []string{"-f", "mp4", "-movflags", "frag_keyframe+empty_moov", "pipe:1"}
		r := ffmpeg(mov, frag...)
		if r.code != 0 {
			t.Fatalf("ffmpeg %v: exit %d, %s", frag, r.code, r.stderr)
		}
		if _, err := exifscrub.Scan(bytes.NewReader(r.stdout)); !errors.Is(err, exifscrub.ErrUnsupportedFeature) {
			t.Errorf("Scan(ffmpeg's fragmented MP4): %v, want ErrUnsupportedFeature (exifscrub refuses fragmented files)", err)
		}
		if !bytes.Contains(r.stdout, []byte("Lavf")) {
			t.Errorf("ffmpeg's fragmented MP4 has no Lavf encoder tag; docs/filter.md says it writes one")
		}

		big := readFile(t, large)
		r = ffmpeg(big, frag...)
		if r.code != 0 || len(r.stdout) > len(big)/2 {
			t.Errorf("ffmpeg, a %d-byte index-last video from a pipe: exit %d, %d bytes; docs/filter.md says exit 0 and the media lost", len(big), r.code, len(r.stdout))
		}
		t.Logf("ffmpeg, a %d-byte index-last video from a pipe: exit %d, %d bytes written", len(big), r.code, len(r.stdout))

		// From a file to a file, as most platforms run it, with every track.
		out := filepath.Join(dir, "ffmpeg.mov")
		if b, err := exec.Command("ffmpeg", "-v", "error", "-i", movie, "-map", "0", "-map_metadata", "-1", "-c", "copy", out).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg -map 0: %v\n%s", err, b)
		}
		rep, err := exifscrub.Scan(bytes.NewReader(readFile(t, out)))
		if err != nil || !hasTag(rep, "TimedMetadataTrack") {
			t.Errorf("ffmpeg -map 0: %v, findings %v; want the timecode track kept", err, rep)
		}
	})
}

// hasTag says whether the report has a finding of that tag.
func hasTag(rep *exifscrub.Report, tag string) bool {
	if rep == nil {
		return false
	}
	for _, f := range rep.Findings {
		if f.Tag == tag {
			return true
		}
	}
	return false
}
