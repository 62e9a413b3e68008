package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/urfave/cli/v2"
)

// Samples named as phones name them, for the file-name check.
const (
	phoneName = "IMG_20240601_211403.jpg"
	phoneTime = "2024-06-01T21:14:03"
)

// TestParseKeep checks that --keep and --coarse-location become the
// Options that Scrub gets, and which command lines are usage errors.
func TestParseKeep(t *testing.T) {
	tests := []struct {
		args   []string
		keep   []exifscrub.Category
		coarse float64
		errs   []string // in the usage error; nil when valid
	}{
		{args: nil},
		{args: []string{"--keep", "identity"}, keep: []exifscrub.Category{exifscrub.Identity}},
		{args: []string{"--keep", "identity,time"}, keep: []exifscrub.Category{exifscrub.Time, exifscrub.Identity}},
		{args: []string{"--keep", "IDENTITY, Time"}, keep: []exifscrub.Category{exifscrub.Time, exifscrub.Identity}},
		{args: []string{"--keep", "text", "--keep", "device", "--keep", "text"}, keep: []exifscrub.Category{exifscrub.Device, exifscrub.Text}},
		{args: []string{"--keep", "location,time,device,identity,text"}, keep: exifscrub.Keepable()},
		{args: []string{"--keep", "location", "--coarse-location", "0.01"}, keep: []exifscrub.Category{exifscrub.Location}, coarse: 0.01},
		{args: []string{"--keep", "time,location", "--coarse-location", "180"}, keep: []exifscrub.Category{exifscrub.Location, exifscrub.Time}, coarse: 180},

		{args: []string{"--keep", "gps"}, errs: []string{`unknown category "gps" in --keep`, "location, time, device, identity, text"}},
		{args: []string{"--keep", "identity,gps"}, errs: []string{`unknown category "gps"`}},
		{args: []string{"--keep", "embedded"}, errs: []string{"embedded cannot be kept", "location, time, device, identity, text"}},
		{args: []string{"--keep", "Other"}, errs: []string{"other cannot be kept"}},
		{args: []string{"--keep", "all"}, errs: []string{`unknown category "all"`}},
		{args: []string{"--keep", ","}, errs: []string{"--keep names no category"}},
		{args: []string{"--coarse-location", "0.1"}, errs: []string{"--keep does not name location", "--keep location --coarse-location 0.1"}},
		{args: []string{"--keep", "time", "--coarse-location", "0.1"}, errs: []string{"--keep does not name location"}},
		{args: []string{"--keep", "location", "--coarse-location", "-1"}, errs: []string{"at least 0.001 (about 110 m) and at most 180", `got "-1"`}},
		{args: []string{"--keep", "location", "--coarse-location", "0"}, errs: []string{"at least 0.001"}},
		{args: []string{"--keep", "location", "--coarse-location", "1e-9"}, errs: []string{"at least 0.001", `got "1e-9"`}},
		{args: []string{"--keep", "location", "--coarse-location", "1e-300"}, errs: []string{`got "1e-300"`}},
		{args: []string{"--keep", "location", "--coarse-location", "0.0009"}, errs: []string{`got "0.0009"`}},
		{args: []string{"--keep", "location", "--coarse-location", "0.001"}, keep: []exifscrub.Category{exifscrub.Location}, coarse: 0.001},
		{args: []string{"--keep", "location", "--coarse-location", "abc"}, errs: []string{`got "abc"`}},
		{args: []string{"--keep", "location", "--coarse-location", "NaN"}, errs: []string{`got "NaN"`}},
		{args: []string{"--keep", "location", "--coarse-location", "Inf"}, errs: []string{`got "Inf"`}},
		{args: []string{"--keep", "location", "--coarse-location", "181"}, errs: []string{`got "181"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var opts exifscrub.Options
			var err error
			app := &cli.App{
				Writer: io.Discard, ErrWriter: io.Discard,
				Commands: []*cli.Command{{
					Name:   "scrub",
					Flags:  keepFlags(),
					Action: func(c *cli.Context) error { err = parseKeep(c, &opts); return nil },
				}},
			}
			if runErr := app.Run(append([]string{"exifscrub", "scrub"}, tt.args...)); runErr != nil {
				t.Fatal(runErr)
			}
			if tt.errs != nil {
				var ec cli.ExitCoder
				if err == nil || !errorsAs(err, &ec) || ec.ExitCode() != exitUsage {
					t.Fatalf("got %v, want a usage error (exit 64)", err)
				}
				checkContains(t, "error", err.Error(), tt.errs)
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if !slices.Equal(opts.Keep, tt.keep) || opts.CoarseLocation != tt.coarse {
				t.Errorf("got Keep %v CoarseLocation %v, want %v %v", opts.Keep, opts.CoarseLocation, tt.keep, tt.coarse)
			}
		})
	}
}

func errorsAs(err error, ec *cli.ExitCoder) bool {
	c, ok := err.(cli.ExitCoder)
	*ec = c
	return ok
}

// TestKeepCommands runs the policy flags through each command: usage
// errors exit 64 before any file is touched; report --keep shows what
// would stay; scrub lists what it kept with --verbose and --dry-run.
func TestKeepCommands(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jpg")
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr []string
		not            []string // in neither
	}{
		{name: "scrub --keep gps", args: []string{"scrub", "--keep", "gps", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{`unknown category "gps" in --keep (want location, time, device, identity, text)`}},
		{name: "scrub --keep embedded", args: []string{"scrub", "--keep", "embedded", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{"embedded cannot be kept"}},
		{name: "scrub --coarse-location -1", args: []string{"scrub", "--keep", "location", "--coarse-location", "-1", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{"--coarse-location takes a grid size in degrees"}},
		{name: "scrub --coarse-location 1e-9", args: []string{"scrub", "--keep", "location", "--coarse-location", "1e-9", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{"--coarse-location takes a grid size in degrees of at least 0.001", `got "1e-9"`}},
		{name: "report --coarse-location 1e-9", args: []string{"report", "--keep", "location", "--coarse-location", "1e-9", gpsJPEG}, code: exitUsage,
			stderr: []string{"--coarse-location takes a grid size"}},
		{name: "scrub --coarse-location abc", args: []string{"scrub", "--keep", "location", "--coarse-location", "abc", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{`got "abc"`}},
		{name: "scrub --coarse-location alone", args: []string{"scrub", "--coarse-location", "0.1", "-o", out, gpsJPEG}, code: exitUsage,
			stderr: []string{"add it (--keep location --coarse-location 0.1)"}},
		{name: "report --keep gps", args: []string{"report", "--keep", "gps", gpsJPEG}, code: exitUsage, stderr: []string{`unknown category "gps"`}},
		{name: "report --keep other", args: []string{"report", "--keep", "other", gpsJPEG}, code: exitUsage, stderr: []string{"other cannot be kept"}},
		{name: "scrub --keep -v", args: []string{"scrub", "-v", "--keep", "identity,time", "-o", out, gpsJPEG}, code: exitOK,
			stderr: []string{"scrubbed testdata/kodak_gps.jpg -> ", "; kept "}},
		{name: "scrub -v without --keep", args: []string{"scrub", "-v", "-o", out, gpsJPEG}, code: exitOK, not: []string{"kept"}},
		{name: "scrub --keep quiet", args: []string{"scrub", "--keep", "identity", "-o", out, gpsJPEG}, code: exitOK},
		{name: "scrub --keep dry run", args: []string{"scrub", "-n", "--keep", "Identity", gpsJPEG}, code: exitOK,
			stdout: []string{"would remove", "; would keep "}},
		{name: "report --keep", args: []string{"report", "--keep", "identity", "--keep", "time", gpsJPEG}, code: exitOK,
			stdout: []string{"With --keep time,identity, scrub would remove:", "'exifscrub scrub --keep time,identity' removes all of the above.", "With --keep time,identity, "}},
		{name: "report --keep location coarse", args: []string{"report", "--keep", "location", "--coarse-location", "0.1", gpsJPEG}, code: exitOK,
			stdout: []string{"With --keep location --coarse-location 0.1, scrub would remove:"}},
		{name: "report without --keep", args: []string{"report", gpsJPEG}, code: exitOK, not: []string{"With --keep", "would stay"}},
		{name: "report help", args: []string{"report", "--help"}, code: exitOK, stdout: []string{"--keep", "--coarse-location", "report --keep identity,time"}},
		{name: "scrub help", args: []string{"scrub", "--help"}, code: exitOK, stdout: []string{"--keep CATEGORIES", "--coarse-location DEGREES", "--rename", "photo-0001.jpg", "EXIT CODES"}},
		{name: "check help", args: []string{"check", "--help"}, code: exitOK, stdout: []string{"--ignore-names", "file name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(out)
			r := runCLI(t, nil, tt.args...)
			checkRun(t, r, tt.code, tt.stdout, tt.stderr, tt.not)
			if tt.code == exitUsage {
				if _, err := os.Lstat(out); err == nil {
					t.Errorf("a usage error wrote %s", out)
				}
			}
		})
	}
}

// reportJSON is one element of report --json, with kept.
type reportJSON struct {
	Path     string              `json:"path"`
	Format   string              `json:"format"`
	Findings []exifscrub.Finding `json:"findings"`
	Kept     *[]exifscrub.Finding
	Error    string `json:"error"`
}

func reportJSONOf(t *testing.T, args ...string) []reportJSON {
	t.Helper()
	r := runCLI(t, nil, append([]string{"report", "--json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("report --json %v: exit %d: %s", args, r.code, r.stderr)
	}
	var got []reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return got
}

// TestReportKeepJSON: report --json --keep adds "kept", what would stay,
// beside findings, what would go; without --keep there is no "kept".
func TestReportKeepJSON(t *testing.T) {
	r := runCLI(t, nil, "report", "--json", gpsJPEG)
	if strings.Contains(r.stdout, `"kept"`) {
		t.Errorf("report --json without --keep has \"kept\":\n%s", r.stdout)
	}
	got := reportJSONOf(t, "--keep", "identity,time", gpsJPEG, cleanPNG)
	if len(got) != 2 {
		t.Fatalf("got %d elements, want 2", len(got))
	}
	for _, g := range got {
		if g.Kept == nil {
			t.Errorf("%s: no \"kept\" array", g.Path)
		}
	}
	// What would stay plus what would go is what the file holds; what
	// stays is only of the kept categories.
	all := scan(t, gpsJPEG)
	g := got[0]
	if n := len(g.Findings) + len(*g.Kept); n != len(all.Findings) {
		t.Errorf("findings %d + kept %d = %d, want the %d of Scan", len(g.Findings), len(*g.Kept), n, len(all.Findings))
	}
	for _, f := range *g.Kept {
		if f.Category != exifscrub.Identity && f.Category != exifscrub.Time {
			t.Errorf("kept %+v, of a category not kept", f)
		}
	}
	// Against the library: report --keep is the report of a real scrub.
	var opts = exifscrub.Options{Keep: []exifscrub.Category{exifscrub.Time, exifscrub.Identity}}
	var buf bytes.Buffer
	rep, err := exifscrub.Scrub(&buf, bytes.NewReader(readFile(t, gpsJPEG)), &opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Kept) != len(*g.Kept) || len(rep.Findings) != len(g.Findings) {
		t.Errorf("report --keep: %d kept, %d findings; Scrub: %d kept, %d findings", len(*g.Kept), len(g.Findings), len(rep.Kept), len(rep.Findings))
	}
}

// TestFileNameFinding: a name that tells the capture time is a finding of
// category time in report and check, which a scrub without --rename
// cannot remove.
func TestFileNameFinding(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, phoneName)
	copyFile(t, named, gpsJPEG)
	scrubbedNamed := filepath.Join(dir, "clean", phoneName)
	writeFile(t, scrubbedNamed, scrubbedBytes(t, gpsJPEG))
	plain := filepath.Join(dir, "clean", "holiday.jpg")
	writeFile(t, plain, scrubbedBytes(t, gpsJPEG))

	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr []string
		not            []string
	}{
		{name: "report", args: []string{"report", named}, code: exitOK,
			stdout: []string{"FileName   " + phoneTime + "  [file name]", "removes all of the above but the file name", "--rename"}},
		{name: "report scrubbed", args: []string{"report", scrubbedNamed}, code: exitOK,
			stdout: []string{"Time: when it was taken", "FileName  " + phoneTime, "but the file name"}, not: []string{"No metadata to remove"}},
		{name: "report plain name", args: []string{"report", plain}, code: exitOK, stdout: []string{"No metadata to remove"}, not: []string{"[file name]"}},
		{name: "report stdin has no name", args: []string{"report", "-"}, code: exitOK, not: []string{"[file name]"}},
		{name: "check", args: []string{"check", scrubbedNamed}, code: exitFound,
			stdout: []string{"reveals time", "time      file name FileName = " + phoneTime},
			stderr: []string{"1 file tells the time in the file name", "scrub --in-place --rename"}, not: []string{"remove it with"}},
		{name: "check both", args: []string{"check", named}, code: exitFound,
			stderr: []string{"remove it with 'exifscrub scrub --in-place --backup .orig", "1 file tells the time in the file name"}},
		{name: "check --ignore-names", args: []string{"check", "--ignore-names", scrubbedNamed}, code: exitOK},
		{name: "check --fail-on location", args: []string{"check", "--fail-on", "location", scrubbedNamed}, code: exitOK},
		{name: "check plain", args: []string{"check", plain}, code: exitOK},
		{name: "check github", args: []string{"check", "--format", "github", scrubbedNamed}, code: exitFound,
			stdout: []string{"Remove it with: exifscrub scrub --in-place --rename ", "file name FileName = " + phoneTime}},
		{name: "check json", args: []string{"check", "--json", scrubbedNamed}, code: exitFound,
			stdout: []string{`"container": "file name"`, `"tag": "FileName"`, `"value": "` + phoneTime + `"`, `"private": [`}},
		{name: "report --keep time keeps it", args: []string{"report", "--keep", "time", scrubbedNamed}, code: exitOK,
			stdout: []string{"these would stay:", "time  FileName  " + phoneTime + "  [file name]"}, not: []string{"but the file name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin []byte
			if slices.Contains(tt.args, "-") {
				stdin = readFile(t, named)
			}
			r := runCLI(t, stdin, tt.args...)
			checkRun(t, r, tt.code, tt.stdout, tt.stderr, tt.not)
		})
	}

	t.Run("json", func(t *testing.T) {
		g := reportJSONOf(t, named)[0]
		i := slices.IndexFunc(g.Findings, isNameFinding)
		if i < 0 {
			t.Fatalf("no file name finding in %+v", g.Findings)
		}
		want := exifscrub.Finding{Category: exifscrub.Time, Container: "file name", Tag: "FileName", Value: phoneTime}
		if g.Findings[i] != want {
			t.Errorf("got %+v, want %+v", g.Findings[i], want)
		}
		// In report order: after location, first of time.
		if i == 0 || g.Findings[i-1].Category != exifscrub.Location || g.Findings[i+1].Category != exifscrub.Time {
			t.Errorf("file name finding at %d, want it after location and first of time: %+v", i, g.Findings)
		}
		if g.Kept != nil {
			t.Errorf("kept without --keep")
		}
		k := reportJSONOf(t, "--keep", "time", named)[0]
		if slices.ContainsFunc(k.Findings, isNameFinding) || k.Kept == nil || !slices.Contains(*k.Kept, want) {
			t.Errorf("--keep time: want the name in kept, not in findings: %+v %+v", k.Findings, k.Kept)
		}
	})

	t.Run("sarif", func(t *testing.T) {
		r := runCLI(t, nil, "check", "--format", "sarif", scrubbedNamed)
		if r.code != exitFound {
			t.Errorf("exit %d, want %d", r.code, exitFound)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
		if err != nil {
			t.Fatal(err)
		}
		if err := compileSARIFSchema(t).Validate(inst); err != nil {
			t.Errorf("does not validate: %v", err)
		}
		checkContains(t, "stdout", r.stdout, []string{`"ruleId": "time"`, "file name FileName reveals time: " + phoneTime})
	})
}

// TestRename checks scrub --rename: neutral names in input order, the
// extension of the format found, numbers that skip names in use, and no
// original name in the output directory.
func TestRename(t *testing.T) {
	src := t.TempDir()
	// Walked in lexical order: A_..., b/..., c..., d..., e...
	copyFile(t, filepath.Join(src, "A_IMG_20240601_211403.JPG"), gpsJPEG)
	copyFile(t, filepath.Join(src, "b", "Screenshot 2024-06-01 at 21.14.03.PNG"), textPNG)
	copyFile(t, filepath.Join(src, "c_VID_20240601_211500.MOV"), movie)
	copyFile(t, filepath.Join(src, "d_really_a_png.jpg"), cleanPNG)
	copyFile(t, filepath.Join(src, "e_PXL_20240601_191403123.jpeg"), canonJPEG)
	copyFile(t, filepath.Join(src, "notes.md"), notImage)

	want := []struct{ name, from string }{
		{"photo-0001.jpg", gpsJPEG},
		{"photo-0002.png", textPNG},
		{"video-0003.mov", movie},
		{"photo-0004.png", cleanPNG}, // the content's format decides
		{"photo-0005.jpeg", canonJPEG},
	}

	t.Run("out-dir", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "to-send")
		r := runCLI(t, nil, "scrub", "--rename", "--out-dir", out, src)
		if r.code != exitOK || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		for _, w := range want {
			if got := readFile(t, filepath.Join(out, w.name)); !bytes.Equal(got, scrubbedBytes(t, w.from)) {
				t.Errorf("%s is not the scrubbed %s", w.name, w.from)
			}
		}
		checkNeutral(t, out, len(want))

		// A second run never overwrites: the numbers go on.
		r = runCLI(t, nil, "scrub", "-v", "--rename", "--out-dir", out, filepath.Join(src, "A_IMG_20240601_211403.JPG"))
		if r.code != exitOK || !strings.Contains(r.stderr, "-> "+filepath.Join(out, "photo-0006.jpg")) {
			t.Errorf("second run: exit %d, stderr %q; want photo-0006.jpg", r.code, r.stderr)
		}
		checkNeutral(t, out, len(want)+1)
	})

	t.Run("numbers in use are skipped", func(t *testing.T) {
		out := t.TempDir()
		writeFile(t, filepath.Join(out, "photo-0001.jpg"), []byte("mine"))
		writeFile(t, filepath.Join(out, "video-0002.mp4"), []byte("mine too"))
		writeFile(t, filepath.Join(out, "photo-0004.png.orig"), []byte("a backup"))
		r := runCLI(t, nil, "scrub", "--rename", "--out-dir", out, filepath.Join(src, "A_IMG_20240601_211403.JPG"), filepath.Join(src, "d_really_a_png.jpg"))
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if string(readFile(t, filepath.Join(out, "photo-0001.jpg"))) != "mine" {
			t.Errorf("photo-0001.jpg overwritten")
		}
		for _, name := range []string{"photo-0003.jpg", "photo-0005.png"} {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Errorf("want %s: %v", name, err)
			}
		}
	})

	t.Run("dry run", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "none")
		r := runCLI(t, nil, "scrub", "-n", "--rename", "--out-dir", out,
			filepath.Join(src, "A_IMG_20240601_211403.JPG"), filepath.Join(src, "e_PXL_20240601_191403123.jpeg"))
		if r.code != exitOK {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		checkContains(t, "stdout", r.stdout, []string{"would write " + filepath.Join(out, "photo-0001.jpg"), "would write " + filepath.Join(out, "photo-0002.jpeg")})
		if _, err := os.Stat(out); err == nil {
			t.Errorf("a dry run made %s", out)
		}
	})

	t.Run("beside", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, filepath.Join(dir, phoneName), gpsJPEG)
		if r := runCLI(t, nil, "scrub", "--rename", dir); r.code != exitOK || r.stdout+r.stderr != "" {
			t.Fatalf("got %+v, want exit 0 and no output", r)
		}
		if !bytes.Equal(readFile(t, filepath.Join(dir, "photo-0001.jpg")), scrubbedBytes(t, gpsJPEG)) {
			t.Errorf("photo-0001.jpg is not the scrubbed photo")
		}
		// A second run does not take its output for an input.
		r := runCLI(t, nil, "scrub", "-v", "--rename", dir)
		checkContains(t, "stderr", r.stderr, []string{"skipped " + filepath.Join(dir, "photo-0001.jpg") + ": named like the output of scrub --rename"})
	})

	t.Run("in place", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, filepath.Join(dir, phoneName), gpsJPEG)
		copyFile(t, filepath.Join(dir, "VID_20240601_211500.MOV"), movie)
		r := runCLI(t, nil, "scrub", "-v", "--in-place", "--rename", "--backup", ".orig", dir)
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkContains(t, "stderr", r.stderr, []string{"in place, renamed photo-0001.jpg", "in place, renamed video-0002.mov"})
		if !bytes.Equal(readFile(t, filepath.Join(dir, "photo-0001.jpg")), scrubbedBytes(t, gpsJPEG)) {
			t.Errorf("photo-0001.jpg is not the scrubbed photo")
		}
		if !bytes.Equal(readFile(t, filepath.Join(dir, "photo-0001.jpg.orig")), readFile(t, gpsJPEG)) {
			t.Errorf("the backup is not the original")
		}
		if _, err := os.Lstat(filepath.Join(dir, phoneName)); err == nil {
			t.Errorf("the original name is still there")
		}
		// A second run, without --backup, leaves the backups alone and
		// does not rename what has a neutral name.
		r = runCLI(t, nil, "scrub", "-v", "--in-place", "--rename", dir)
		if r.code != exitOK {
			t.Fatalf("second run: exit %d: %s", r.code, r.stderr)
		}
		checkContains(t, "stderr", r.stderr, []string{"photo-0001.jpg.orig: a backup of photo-0001.jpg", "video-0002.mov.orig: a backup of video-0002.mov"})
		if strings.Contains(r.stderr, "renamed") {
			t.Errorf("second run renamed: %s", r.stderr)
		}
		if !bytes.Equal(readFile(t, filepath.Join(dir, "photo-0001.jpg.orig")), readFile(t, gpsJPEG)) {
			t.Errorf("the backup changed")
		}
	})

	t.Run("in place symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, filepath.Join(dir, "real.jpg"), gpsJPEG)
		link := filepath.Join(dir, phoneName)
		if err := os.Symlink("real.jpg", link); err != nil {
			t.Skip(err)
		}
		r := runCLI(t, nil, "scrub", "--in-place", "--rename", link)
		if r.code != exitFailed || !strings.Contains(r.stderr, "renames files, not links") {
			t.Errorf("got %+v, want exit 2 and a refusal", r)
		}
	})

	t.Run("-o", func(t *testing.T) {
		for _, args := range [][]string{{"-o", filepath.Join(t.TempDir(), "x.jpg"), gpsJPEG}, {"-o", "-", gpsJPEG}, {"-"}} {
			r := runCLI(t, readFile(t, gpsJPEG), append([]string{"scrub", "--rename"}, args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "-o names its output itself") || r.stdout != "" {
				t.Errorf("%v: got exit %d, stderr %q, %d bytes of stdout; want exit 64 and nothing written", args, r.code, r.stderr, len(r.stdout))
			}
		}
	})
}

// checkNeutral fails t unless dir holds exactly n files, all with neutral
// names, and no temporary files.
func checkNeutral(t *testing.T, dir string, n int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Errorf("%s holds %d entries, want %d", dir, len(entries), n)
	}
	for _, e := range entries {
		if !isNeutralName(e.Name()) || !e.Type().IsRegular() {
			t.Errorf("%s holds %s, not a file with a neutral name", dir, e.Name())
		}
	}
}

func TestNeutralName(t *testing.T) {
	for _, tt := range []struct {
		f          exifscrub.Format
		name, want string
	}{
		{exifscrub.JPEG, "IMG_1.JPG", ".jpg"},
		{exifscrub.JPEG, "IMG_1.JPEG", ".jpeg"},
		{exifscrub.JPEG, "x.mpo", ".mpo"},
		{exifscrub.JPEG, "x.png", ".jpg"},
		{exifscrub.JPEG, "noext", ".jpg"},
		{exifscrub.PNG, "x.jpg", ".png"},
		{exifscrub.HEIF, "IMG_1.HEIC", ".heic"},
		{exifscrub.HEIF, "x.HIF", ".hif"},
		{exifscrub.AVIF, "x", ".avif"},
		{exifscrub.WebP, "x.WEBP", ".webp"},
		{exifscrub.MOV, "x.MOV", ".mov"},
		{exifscrub.MP4, "x.3gp", ".3gp"},
		{exifscrub.MP4, "x.mov", ".mp4"},
	} {
		if got := neutralExt(tt.f, tt.name); got != tt.want {
			t.Errorf("neutralExt(%s, %q) = %q, want %q", tt.f, tt.name, got, tt.want)
		}
	}
	for name, want := range map[string]bool{
		"photo-0001.jpg": true, "video-12345.mp4": true, "photo-001.jpg": false,
		"Photo-0001.jpg": false, "photo-0001.jpg.orig": false, "photo-0001.JPG": false,
	} {
		if got := isNeutralName(name); got != want {
			t.Errorf("isNeutralName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestScrubJSON checks scrub --json: one element per file scrubbed or
// failed, with what was removed, what was kept (with --keep) and where the
// output went.
func TestScrubJSON(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in")
	copyFile(t, filepath.Join(src, phoneName), gpsJPEG)
	copyFile(t, filepath.Join(src, "notes.md"), notImage)
	writeFile(t, filepath.Join(src, "broken.jpg"), readFile(t, gpsJPEG)[:3000])
	out := filepath.Join(dir, "out")

	type element struct {
		reportJSON
		Output *string `json:"output"`
	}
	decode := func(t *testing.T, r result) []element {
		t.Helper()
		var got []element
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("stdout is not a JSON array: %v\n%s", err, r.stdout)
		}
		return got
	}

	r := runCLI(t, nil, "scrub", "--json", "--keep", "identity", "--rename", "--out-dir", out, src)
	if r.code != exitFailed { // broken.jpg
		t.Errorf("exit %d, want %d: %s", r.code, exitFailed, r.stderr)
	}
	got := decode(t, r)
	if len(got) != 2 {
		t.Fatalf("got %d elements, want 2 (broken.jpg, %s; notes.md skipped):\n%s", len(got), phoneName, r.stdout)
	}
	// In walk order: "IMG_…" before "broken.jpg".
	if g := got[1]; !strings.HasSuffix(g.Path, "broken.jpg") || g.Error == "" || g.Output != nil {
		t.Errorf("broken.jpg: got path %s, error %q, output %v; want an error and no output", g.Path, g.Error, g.Output)
	}
	g := got[0]
	if g.Output == nil || *g.Output != filepath.Join(out, "photo-0001.jpg") || g.Error != "" || g.Format != "jpeg" {
		t.Errorf("%s: got output %v, error %q, format %q; want %s", phoneName, g.Output, g.Error, g.Format, filepath.Join(out, "photo-0001.jpg"))
	}
	if g.Kept == nil || len(g.Findings) == 0 {
		t.Errorf("want findings and a kept array: %+v", g)
	}
	checkNeutral(t, out, 1)

	// Without --keep, no "kept"; a dry run says where it would write.
	r = runCLI(t, nil, "scrub", "--json", "-n", filepath.Join(src, phoneName))
	if r.code != exitOK || strings.Contains(r.stdout, `"kept"`) {
		t.Errorf("exit %d, stdout %s", r.code, r.stdout)
	}
	if got := decode(t, r); len(got) != 1 || got[0].Output == nil || *got[0].Output != filepath.Join(src, "IMG_20240601_211403.scrubbed.jpg") {
		t.Errorf("dry run: got %s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(src, "IMG_20240601_211403.scrubbed.jpg")); err == nil {
		t.Errorf("a dry run wrote its output")
	}
	// Nothing to list is an empty array.
	notes := filepath.Join(dir, "notes")
	copyFile(t, filepath.Join(notes, "notes.md"), notImage)
	if r := runCLI(t, nil, "scrub", "--json", "-n", notes); r.stdout != "[]\n" {
		t.Errorf("got %q, want []", r.stdout)
	}
	// The image and the JSON cannot share standard output.
	for _, args := range [][]string{{"-o", "-", gpsJPEG}, {"-"}} {
		r := runCLI(t, readFile(t, gpsJPEG), append([]string{"scrub", "--json"}, args...)...)
		if r.code != exitUsage || r.stdout != "" {
			t.Errorf("%v: exit %d, %d bytes of stdout; want 64 and nothing", args, r.code, len(r.stdout))
		}
	}
}

// TestKeepEndToEnd runs scrub --keep and report --keep on the formats
// whose policy the library applies, and checks with Scan that what was
// kept is in the output and nothing of another category is.
func TestKeepEndToEnd(t *testing.T) {
	blueSquare := filepath.Join("..", "..", "testdata", "jpg__xmp__BlueSquare.jpg") // XMP and IPTC text
	mp4 := filepath.Join("..", "..", "testdata", "video__udta_xmp_faststart.mp4")   // iTunes and XMP artist
	tests := []struct {
		name   string
		src    string
		keep   []string
		want   exifscrub.Finding // a finding of the output
		report []string          // in report --keep's human output
	}{
		{name: "text in XMP", src: blueSquare, keep: []string{"--keep", "text"},
			want:   exifscrub.Finding{Category: exifscrub.Text, Container: "XMP", Tag: "dc:title", Value: "Blue Square Test File - .jpg"},
			report: []string{"With --keep text, these would stay:", "text  dc:title", "[XMP]"}},
		{name: "identity in a video", src: mp4, keep: []string{"--keep", "IDENTITY"},
			want:   exifscrub.Finding{Category: exifscrub.Identity, Container: "XMP", Tag: "dc:creator", Value: "Alice Example"},
			report: []string{"identity  dc:creator", "Alice Example"}},
		{name: "time in EXIF", src: gpsJPEG, keep: []string{"--keep", "time"},
			want:   exifscrub.Finding{Category: exifscrub.Time, Container: "EXIF ExifIFD", Tag: "DateTimeOriginal", Value: "2005:08:13 09:47:23"},
			report: []string{"With --keep time, these would stay:", "DateTimeOriginal"}},
		{name: "coarse location in EXIF", src: gpsJPEG, keep: []string{"--keep", "location", "--coarse-location", "0.01"},
			want:   exifscrub.Finding{Category: exifscrub.Location, Container: "EXIF GPS", Tag: "GPSLatitude", Value: "-0.370000"},
			report: []string{"With --keep location --coarse-location 0.01, these would stay:", "-0.370000"}},
		{name: "coarse location in a video", src: movie, keep: []string{"--keep", "location", "--coarse-location", "0.1"},
			want:   exifscrub.Finding{Category: exifscrub.Location, Container: "QuickTime Keys", Tag: "com.apple.quicktime.location.ISO6709", Value: "48.900000, 2.300000"},
			report: []string{"With --keep location --coarse-location 0.1, these would stay:", "48.900000, 2.300000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"report"}, append(tt.keep, tt.src)...)...)
			if r.code != exitOK {
				t.Fatalf("report: exit %d: %s", r.code, r.stderr)
			}
			checkContains(t, "report", r.stdout, tt.report)

			out := filepath.Join(t.TempDir(), "out"+filepath.Ext(tt.src))
			r = runCLI(t, nil, append([]string{"scrub", "-o", out}, append(tt.keep, tt.src)...)...)
			if r.code != exitOK {
				t.Fatalf("scrub: exit %d: %s", r.code, r.stderr)
			}
			rep := scan(t, out)
			if !slices.Contains(rep.Findings, tt.want) {
				t.Errorf("the output lacks %+v; it has %+v", tt.want, rep.Findings)
			}
			for _, f := range rep.Findings {
				if f.Category != tt.want.Category && f.Category != exifscrub.Other {
					t.Errorf("the output has %+v, of a category not kept", f)
				}
			}
		})
	}
}

// TestReportKeepIsScrub checks that report --keep shows exactly what
// scrub --keep would do: its kept list is the Kept of a real Scrub with
// the same policy, value for value, and its findings what that Scrub
// removes (issue 20).
func TestReportKeepIsScrub(t *testing.T) {
	in, err := os.ReadFile(gpsJPEG)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--keep", "location", "--coarse-location", "0.01"},
		{"--keep", "location,time,identity"},
		{"--keep", "device,text"},
	} {
		res := runCLI(t, nil, append(append([]string{"report", "--json"}, args...), gpsJPEG)...)
		var files []jsonFile
		if err := json.Unmarshal([]byte(res.stdout), &files); err != nil || len(files) != 1 || files[0].Kept == nil {
			t.Fatalf("%v: bad JSON (%v): %s", args, err, res.stdout)
		}
		var opts exifscrub.Options
		if err := parsePolicy([]string{args[1]}, true, func() *string {
			if len(args) > 2 {
				return &args[3]
			}
			return nil
		}(), flagNames, &opts); err != nil {
			t.Fatal(err)
		}
		rep, err := exifscrub.Scrub(io.Discard, bytes.NewReader(in), &opts)
		if err != nil {
			t.Fatal(err)
		}
		kept := slices.DeleteFunc(slices.Clone(*files[0].Kept), isNameFinding)
		if !slices.Equal(kept, rep.Kept) {
			t.Errorf("%v: report lists as kept\n  %v\nscrub keeps\n  %v", args, kept, rep.Kept)
		}
		found := slices.DeleteFunc(slices.Clone(files[0].Findings), isNameFinding)
		if !slices.Equal(found, rep.Findings) {
			t.Errorf("%v: report lists as removed\n  %v\nscrub removes\n  %v", args, found, rep.Findings)
		}
	}
}
