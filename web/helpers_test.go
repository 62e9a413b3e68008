// Package web holds the tests of the browser build: the npm package in
// Node (node_test.go) and the page in Chromium (browser_test.go). Both
// compare what the WebAssembly module produces with the Go library's
// output for the same input, byte for byte.
package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub"
)

// inCI reports whether the tests run in CI (.ci/run sets CI=1), where a
// missing tool or corpus is a failure rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") != "" }

// need returns the path of the first of cmds that is installed, or skips
// the test (fails it in CI).
func need(t testing.TB, cmds ...string) string {
	t.Helper()
	for _, cmd := range cmds {
		if p, err := exec.LookPath(cmd); err == nil {
			return p
		}
	}
	if inCI() {
		t.Fatalf("%s is not installed; .ci/run must install it", cmds[0])
	}
	t.Skipf("%s is not installed; skipping (apt-get install the package .ci/run names)", cmds[0])
	return ""
}

// corpusDir returns the shared corpus of real photos, from $EXIFSCRUB_CORPUS
// or ../shared/corpus beside the repository, or "" (a failure in CI).
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("EXIFSCRUB_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		if inCI() {
			t.Fatalf("corpus not found at %s (set EXIFSCRUB_CORPUS)", dir)
		}
		t.Logf("corpus not found at %s; using testdata only (set EXIFSCRUB_CORPUS)", dir)
		return ""
	}
	return dir
}

// inputFiles returns the samples in the library's testdata and every file
// of the corpus, good and bad, as absolute paths.
func inputFiles(t testing.TB) []string {
	t.Helper()
	dirs := []string{filepath.Join("..", "testdata")}
	if c := corpusDir(t); c != "" {
		dirs = append(dirs, c)
	}
	var files []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || e.Name() == "MANIFEST.tsv" || e.Name() == "LICENSES.md" || e.Name() == "README.md" {
				continue
			}
			p, err := filepath.Abs(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	sort.Strings(files)
	return files
}

// badFiles writes inputs that must each fail with a clear message into
// dir: a text file, an empty file and a truncated photo (cut before its
// image data); and one that is cleaned, reported damaged: a photo cut
// inside its image data.
func badFiles(t testing.TB, dir string) []string {
	t.Helper()
	photo, err := os.ReadFile(filepath.Join("..", "testdata", "jpg__Kodak_CX7530.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"notes.txt":     []byte("not a photo at all\n"),
		"empty.jpg":     nil,
		"truncated.jpg": photo[:len(photo)/3],
		"cut.jpg":       photo[:len(photo)-1000],
	}
	var files []string
	for name, b := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	sort.Strings(files)
	return files
}

// A goResult is what the Go library makes of one input.
type goResult struct {
	clean    []byte
	rep      *exifscrub.Report // Scan's report
	scrubRep *exifscrub.Report // Scrub's, with the name's finding (addNameFinding)
	err      error             // Scrub's error
}

func goScrub(t testing.TB, path string) goResult {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if exifscrub.DetectFormat(in) == "" { // what the CLI checks first
		return goResult{err: exifscrub.ErrUnsupportedFormat}
	}
	var out bytes.Buffer
	srep, err := exifscrub.Scrub(&out, bytes.NewReader(in), nil)
	if srep != nil {
		addNameFinding(srep, path)
	}
	rep, _ := exifscrub.Scan(bytes.NewReader(in))
	return goResult{clean: out.Bytes(), rep: rep, scrubRep: srep, err: err}
}

// addNameFinding adds the finding of a name that tells the time, as the
// command-line tool's report does: after the findings of categories
// before Time.
func addNameFinding(rep *exifscrub.Report, name string) {
	f, ok := exifscrub.ScanName(name)
	if !ok {
		return
	}
	i := 0
	for i < len(rep.Findings) && rep.Findings[i].Category == exifscrub.Location {
		i++
	}
	rep.Findings = slices.Insert(rep.Findings, i, f)
}

// wantCode is the error code the JavaScript package gives for err.
func wantCode(err error) string {
	switch {
	case errors.Is(err, exifscrub.ErrUnsupportedFormat):
		return "unsupported-format"
	case errors.Is(err, exifscrub.ErrUnsupportedFeature):
		return "unsupported-feature"
	}
	return "format-error"
}

// cliReports runs "exifscrub report --json" on files and returns each
// file's element of the output, by path.
func cliReports(t testing.TB, files []string) map[string]map[string]any {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "exifscrub")
	build := exec.Command("go", "build", "-o", bin, "github.com/exifscrub/exifscrub/cmd/exifscrub")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"report", "--json", "--jobs=1"}, files...)...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	_ = cmd.Run() // exit status 1 when a file failed; each failure is in the JSON
	var elems []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &elems); err != nil {
		t.Fatalf("exifscrub report --json: %v\n%s", err, stdout.Bytes())
	}
	byPath := make(map[string]map[string]any, len(elems))
	for _, e := range elems {
		byPath[e["path"].(string)] = e
	}
	return byPath
}

// short is a file's name for messages.
func short(path string) string { return filepath.Base(path) }

// jsonEqual reports whether a and b, decoded from JSON, are equal.
func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// describe is the message the command-line tool prints for err.
func describe(err error) string {
	if errors.Is(err, exifscrub.ErrUnsupportedFormat) {
		return "not an image in a supported format"
	}
	return strings.TrimPrefix(err.Error(), "exifscrub: ")
}
