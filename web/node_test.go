package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// TestNodePackage packs the npm package (npm pack, which builds the
// WebAssembly module first), installs the tarball in an empty project and
// has Node scrub every sample and corpus file through it. The clean bytes
// must equal the Go library's, the reports the command-line tool's JSON,
// and the errors its messages.
func TestNodePackage(t *testing.T) {
	need(t, "node")
	npm := need(t, "npm")
	files := inputFiles(t)
	tmp := t.TempDir()
	files = append(files, badFiles(t, tmp)...)

	// npm pack runs the package's prepack script, ../build.sh.
	pack := exec.Command(npm, "pack", "--silent", "--pack-destination", tmp)
	pack.Dir = "js"
	out, err := pack.Output()
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, stderrOf(err))
	}
	tarball := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	if fi, err := os.Stat(tarball); err != nil {
		t.Fatalf("npm pack made no tarball: %v (output %q)", err, out)
	} else {
		t.Logf("npm pack: %s, %d bytes", filepath.Base(tarball), fi.Size())
	}

	app := filepath.Join(tmp, "app")
	mustWrite(t, filepath.Join(app, "package.json"), []byte(`{"name": "app", "private": true, "type": "module"}`))
	consumer, err := os.ReadFile(filepath.Join("testdata", "npm-consumer.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(app, "npm-consumer.mjs"), consumer)
	install := exec.Command(npm, "install", "--no-audit", "--no-fund", "--offline", tarball)
	install.Dir = app
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install %s: %v\n%s", tarball, err, out)
	}

	cases, _ := json.Marshal(files)
	mustWrite(t, filepath.Join(tmp, "cases.json"), cases)
	outDir := filepath.Join(tmp, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sample, _ := filepath.Abs(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))
	pol, _ := json.Marshal(map[string]any{"file": sample, "policies": nodePolicies})
	mustWrite(t, filepath.Join(outDir, "policies.json"), pol)
	run := exec.Command("node", "npm-consumer.mjs", filepath.Join(tmp, "cases.json"), outDir)
	run.Dir = app
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("node npm-consumer.mjs: %v\n%s", err, out)
	}

	var results []struct {
		File           string
		Scan           map[string]any
		ScanError      *jsError
		ScrubError     *jsError
		Out            string
		Verified       bool
		RescanFindings int
		Intact         bool
	}
	b, err := os.ReadFile(filepath.Join(outDir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(files) {
		t.Fatalf("node reported %d files, want %d", len(results), len(files))
	}
	cli := cliReports(t, files)
	var wantZip [][]byte
	for _, r := range results {
		name := short(r.File)
		g := goScrub(t, r.File)
		c := cli[r.File]
		if c == nil {
			// The CLI skips empty files with a note; the library (and so
			// the package) rejects them as empty input.
			if fi, err := os.Stat(r.File); err == nil && fi.Size() == 0 {
				if r.ScanError == nil {
					t.Errorf("%s: an empty file was not rejected", name)
				}
				continue
			}
			t.Errorf("%s: not in the CLI's report", name)
			continue
		}
		// scan: the CLI's JSON element, or its error message.
		switch {
		case r.ScanError != nil:
			if c["error"] == "" {
				t.Errorf("%s: scan rejected (%s) where the CLI reports fine", name, r.ScanError.Message)
			}
			r.ScanError.check(t, name, c["error"].(string), g.err)
		case !jsonEqual(r.Scan, c):
			got, _ := json.Marshal(r.Scan)
			want, _ := json.Marshal(c)
			t.Errorf("%s: scan report differs from the CLI's JSON\n got %s\nwant %s", name, got, want)
		}
		// scrub: Scrub's bytes, or its error.
		if r.ScrubError != nil {
			if g.err == nil {
				t.Errorf("%s: scrub rejected (%s) where Go succeeds", name, r.ScrubError.Message)
				continue
			}
			r.ScrubError.check(t, name, describe(g.err), g.err)
			continue
		}
		if g.err != nil {
			t.Errorf("%s: scrub succeeded where Go fails with %v", name, g.err)
			continue
		}
		got, err := os.ReadFile(r.Out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, g.clean) {
			t.Errorf("%s: the package's clean file (%d bytes) differs from exifscrub.Scrub's (%d bytes)", name, len(got), len(g.clean))
		}
		if !r.Intact {
			t.Errorf("%s: the input was changed by scan or scrub", name)
		}
		if !r.Verified || r.RescanFindings != 0 {
			t.Errorf("%s: the clean file is not verified clean (%d findings on rescan)", name, r.RescanFindings)
		}
		wantZip = append(wantZip, g.clean)
	}
	checkZip(t, filepath.Join(outDir, "all.zip"), wantZip)
	t.Logf("%d files through the npm package in Node", len(results))
	checkNodePolicies(t, sample, outDir)
}

// nodePolicies are the options npm-consumer.mjs tries on one photo: the
// page's choices, then options the package must reject with a TypeError
// (reject: true) or the library with invalid-options.
var nodePolicies = []struct {
	Options map[string]any `json:"options"`
	Reject  bool           `json:"reject"`
}{
	{map[string]any{"keep": []string{"time"}}, false},
	{map[string]any{"keep": []string{"location"}, "coarseLocation": 0.1}, false},
	{map[string]any{"keep": []string{"time", "location"}, "coarseLocation": 0.1, "dropOrientation": true}, false},
	{map[string]any{"keepMotion": true, "keep": []string{}}, false},
	{map[string]any{"coarselocation": 0.1}, true}, // misspelt: must not be ignored
	{map[string]any{"keepmotion": true}, true},
	{map[string]any{"keepMotion": "yes"}, true},
	{map[string]any{"keep": []string{"embedded"}}, true},
	{map[string]any{"keep": "time"}, true},
	{map[string]any{"coarseLocation": "0.1"}, true},
	{map[string]any{"coarseLocation": 200}, true},
}

// checkNodePolicies compares the package's output under each policy with
// exifscrub.Scrub's, and checks the rejections, the name finding and
// scrubBlob.
func checkNodePolicies(t *testing.T, sample, outDir string) {
	var res struct {
		PolicyResults []struct {
			Out       string
			Report    map[string]any
			Verified  bool
			Error     *jsError
			TypeError bool
			Message   string
		}
		Named        map[string]any
		BlobType     string
		BlobVerified bool
	}
	b, err := os.ReadFile(filepath.Join(outDir, "policies-results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range nodePolicies {
		r := res.PolicyResults[i]
		if p.Reject {
			if !r.TypeError {
				t.Errorf("options %v: not rejected with a TypeError: %+v", p.Options, r)
			} else {
				t.Logf("options %v: rejected: %s", p.Options, r.Message)
			}
			continue
		}
		opts := &exifscrub.Options{DropOrientation: p.Options["dropOrientation"] == true, KeepMotion: p.Options["keepMotion"] == true}
		for _, c := range p.Options["keep"].([]string) {
			opts.Keep = append(opts.Keep, exifscrub.Category(c))
		}
		if c, ok := p.Options["coarseLocation"].(float64); ok {
			opts.CoarseLocation = c
		}
		var want bytes.Buffer
		rep, err := exifscrub.Scrub(&want, bytes.NewReader(in), opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(r.Out)
		if err != nil {
			t.Errorf("options %v: %+v", p.Options, r.Error)
			continue
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("options %v: the package's clean file differs from exifscrub.Scrub's", p.Options)
		}
		if !r.Verified {
			t.Errorf("options %v: not verified", p.Options)
		}
		if kept, _ := r.Report["kept"].([]any); len(kept) != len(rep.Kept) {
			t.Errorf("options %v: %d kept, Scrub keeps %d", p.Options, len(kept), len(rep.Kept))
		}
	}
	named, _ := json.Marshal(res.Named["findings"])
	if !bytes.Contains(named, []byte(`"container":"file name","tag":"FileName","value":"2024-06-01T21:14:03"`)) {
		t.Errorf("scan with a name that tells the time: no name finding: %s", named)
	}
	var want bytes.Buffer
	if _, err := exifscrub.Scrub(&want, bytes.NewReader(in), nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(outDir, "blob.out")); !bytes.Equal(got, want.Bytes()) || res.BlobType != "image/jpeg" || !res.BlobVerified {
		t.Errorf("scrubBlob: %d bytes of type %q (verified %v), want Scrub's %d bytes of image/jpeg", len(got), res.BlobType, res.BlobVerified, want.Len())
	}
}

// A jsError is an ExifscrubError as the Node script records it.
type jsError struct {
	IsExifscrubError bool
	Code             string
	Message          string
}

func (e *jsError) check(t *testing.T, name, wantMessage string, goErr error) {
	t.Helper()
	if !e.IsExifscrubError {
		t.Errorf("%s: rejected with something other than an ExifscrubError: %+v", name, e)
	}
	if e.Message != wantMessage {
		t.Errorf("%s: message %q, want the CLI's %q", name, e.Message, wantMessage)
	}
	if want := wantCode(goErr); e.Code != want {
		t.Errorf("%s: code %q, want %q (Go: %v)", name, e.Code, want, goErr)
	}
}

// checkZip checks that the archive holds the files, in order.
func checkZip(t *testing.T, path string, want [][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	defer zr.Close()
	if len(zr.File) != len(want) {
		t.Fatalf("zip holds %d files, want %d", len(zr.File), len(want))
	}
	names := make(map[string]bool)
	for i, f := range zr.File {
		if names[f.Name] {
			t.Errorf("zip: %q twice", f.Name)
		}
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want[i]) {
			t.Errorf("zip: %s differs from exifscrub.Scrub's output", f.Name)
		}
	}
}

func mustWrite(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
