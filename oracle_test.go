package exifscrub

// Helpers shared by the tests: the sample files, and ExifTool as an
// independent oracle of what an image still reveals.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// inCI reports whether the tests run in CI (.ci/run sets CI=1), where a
// missing tool or corpus is a failure rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") != "" }

// need skips the test, or fails it in CI, when the command is not installed.
func need(t testing.TB, cmd string) {
	t.Helper()
	if _, err := exec.LookPath(cmd); err != nil {
		if inCI() {
			t.Fatalf("%s is not installed; .ci/run must install it", cmd)
		}
		skipFor(t, cmd+" is not installed")
	}
}

// corpusDir returns the shared corpus of real photos, from $EXIFSCRUB_CORPUS
// or ../shared/corpus beside the repository.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("EXIFSCRUB_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		if inCI() {
			t.Fatalf("corpus not found at %s (set EXIFSCRUB_CORPUS)", dir)
		}
		skipFor(t, "the corpus is not at "+dir+" (set EXIFSCRUB_CORPUS)")
	}
	return dir
}

// sampleFiles returns the files in testdata and, when present, the corpus
// whose detected format is one of formats.
func sampleFiles(t testing.TB, withCorpus bool, formats ...Format) []string {
	t.Helper()
	var dirs = []string{filepath.Join("testdata")}
	if withCorpus {
		dirs = append(dirs, corpusDir(t))
	}
	var files []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			path := filepath.Join(dir, e.Name())
			head := make([]byte, maxMagicLen)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := f.Read(head)
			f.Close()
			got := DetectFormat(head[:n])
			for _, want := range formats {
				if got == want {
					files = append(files, path)
				}
			}
		}
	}
	return files
}

// exiftool runs ExifTool on a file and returns every tag it sees, keyed
// "Group1:Name", with the tag's ID: -a (duplicates), -G1 (specific group),
// -ee (embedded data), -u (unknown tags), -D (tag IDs).
func exiftool(t testing.TB, path string) map[string]exiftoolTag {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-a", "-G1", "-ee", "-u", "-s", "-D", "-api", "LargeFileSupport=1", path).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) != 1 {
		t.Fatalf("exiftool %s: bad JSON: %v", path, err)
	}
	tags := make(map[string]exiftoolTag)
	for k, raw := range rows[0] {
		var tag exiftoolTag
		if json.Unmarshal(raw, &tag) != nil || tag.Val == nil {
			tag = exiftoolTag{Val: raw}
		}
		tags[k] = tag
	}
	return tags
}

type exiftoolTag struct {
	ID  any             `json:"id"`
	Val json.RawMessage `json:"val"`
}

func (t exiftoolTag) String() string { return strings.Trim(string(t.Val), `"`) }

// allowedAfterScrub matches the tags that may remain after a scrub: what
// ExifTool says about the file itself, and the structure the image needs to
// display (JFIF, ICC profile, Adobe colour transform, PNG and HEIF
// structure, a lone EXIF orientation).
var allowedAfterScrub = regexp.MustCompile(`^(SourceFile|ExifTool:.*|System:.*|` +
	`File:(FileType|FileTypeExtension|MIMEType|ImageWidth|ImageHeight|EncodingProcess|BitsPerSample|` +
	`ColorComponents|YCbCrSubSampling|ExifByteOrder)|` +
	`JFIF:(JFIFVersion|ResolutionUnit|XResolution|YResolution)|` +
	`ICC_Profile:.*|ICC-[a-z]+:.*|Adobe:.*|` +
	`Composite:(ImageSize|Megapixels)|` +
	`PNG:(ImageWidth|ImageHeight|BitDepth|ColorType|Compression|Filter|Interlace|Gamma|` +
	`WhitePoint[XY]|Red[XY]|Green[XY]|Blue[XY]|SRGBRendering|Palette|Transparency|BackgroundColor|` +
	`SignificantBits|AnimationFrames|AnimationPlays|ProfileName|ColorPrimaries|TransferCharacteristics|` +
	`MatrixCoefficients|VideoFullRangeFlag)|` +
	`PNG-pHYs:.*|IFD0:Orientation)$`)

// leftovers returns the tags ExifTool still sees in a scrubbed file beyond
// allowedAfterScrub, sorted, with extra allowed by the caller's pattern.
func leftovers(t testing.TB, path string, extra *regexp.Regexp) []string {
	t.Helper()
	var bad []string
	for k, v := range exiftool(t, path) {
		if allowedAfterScrub.MatchString(k) || (extra != nil && extra.MatchString(k)) {
			continue
		}
		bad = append(bad, k+"="+v.String())
	}
	sort.Strings(bad)
	return bad
}

// checkClean checks the invariants of a file scrubbed with opts: Scan
// finds nothing in it, and scrubbing it again changes nothing.
func checkClean(t testing.TB, out []byte, opts *Options) {
	t.Helper()
	rep, err := Scan(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Scan of the output: %v", err)
	}
	if len(rep.Findings) > 0 {
		t.Errorf("Scan of the output reports %v", rep.Findings)
	}
	var again bytes.Buffer
	if _, err := Scrub(&again, bytes.NewReader(out), opts); err != nil {
		t.Fatalf("Scrub of the output: %v", err)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("scrubbing twice differs from scrubbing once (%d vs %d bytes)", again.Len(), len(out))
	}
}

// scrubBytes scrubs b with the default options.
func scrubBytes(t testing.TB, b []byte) ([]byte, *Report) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Scrub(&out, bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("Scrub: %v", err)
	}
	return out.Bytes(), rep
}

// writeTemp writes b to a file in a test's temporary directory.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
