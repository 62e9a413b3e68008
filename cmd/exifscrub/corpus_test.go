package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// leakcheckCategories maps leakcheck.py's categories to exifscrub's.
var leakcheckCategories = map[string]string{
	"gps": "location", "time": "time", "device": "device", "identity": "identity",
	"text": "text", "thumbnail": "embedded",
}

// leakcheckDisagreements are the corpus files and categories where
// exifscrub and leakcheck.py (ExifTool plus name patterns) knowingly
// differ, and why. Anything else that differs fails the test.
var leakcheckDisagreements = map[string]string{
	// A camera owner's name in a maker note or CIFF heap is Identity here;
	// leakcheck's Device pattern takes OwnerName first.
	"jpg__Canon_DIGITAL_IXUS_400.jpg identity":     "Canon:OwnerName, a person's name",
	"jpg__Canon_PowerShot_S40.jpg identity":        "Canon:OwnerName, a person's name",
	"jpg__exif-org__sony-powershota5.jpg identity": "CIFF OwnerName, a person's name",
	"pillow__flower.webp identity":                 "Canon:OwnerName, a person's name",
	// leakcheck's name patterns match words inside names.
	"jpg__Canon_DIGITAL_IXUS_400.jpg text": `leakcheck: XMP-exif:MakerNote matches "Notes?$"; it is Device`,
	"jpg__tests__11-tests.jpg embedded":    `leakcheck: Canon:ThumbnailImageValidArea (a maker-note rectangle, no image) matches "Thumbnail"`,
	"pillow__exif_gps.jpg embedded":        "leakcheck: IFD0:OtherImageLength 4294967295 points at no image",
	// exifscrub reports text that leakcheck's patterns miss.
	"jpg__invalid__image00971.jpg text": "Photoshop text layers (photoshop:TextLayers LayerName, LayerText) hold a letter's text",
	"jpg__invalid__image01088.jpg text": "Photoshop text layers (photoshop:TextLayers LayerName, LayerText) hold a letter's text",
	"jpg__tests__87_OSError.jpg text":   "crs:RawFileName, the original file's name",
	"pillow__xmp_test.jpg text":         "crs:RawFileName, the original file's name",
	"pillow__exif_text.png text":        `a tEXt chunk with keyword "exif" (raw EXIF as text) is reported as text`,
	// HEIF structure that names its writer: the 'hdlr' name ("libavif",
	// Device) and the item names of 'infe' (Text) are reported; ExifTool
	// lists them in groups leakcheck counts as structure.
	"pillow__avif__exif.avif device":                 "HEIF hdlr HandlerName (the writing library)",
	"pillow__avif__exif.avif text":                   "HEIF infe ItemName",
	"pillow__avif__icc_profile.avif device":          "HEIF hdlr HandlerName (the writing library)",
	"pillow__avif__icc_profile.avif text":            "HEIF infe ItemName",
	"pillow__avif__rot0mir1.avif device":             "HEIF hdlr HandlerName (the writing library)",
	"pillow__avif__rot0mir1.avif text":               "HEIF infe ItemName",
	"pillow__avif__rot2mir0.avif device":             "HEIF hdlr HandlerName (the writing library)",
	"pillow__avif__rot2mir0.avif text":               "HEIF infe ItemName",
	"pillow__avif__xmp_tags_orientation.avif device": "HEIF hdlr HandlerName (the writing library)",
	"pillow__avif__xmp_tags_orientation.avif text":   "HEIF infe ItemName",
	// Data exifscrub cannot classify is reported as embedded, so that
	// check fails closed (issue 12); ExifTool shows nothing there, or
	// names it otherwise.
	"jpg__orientation__landscape_1.jpg embedded":  "an APP12 Ducky segment, unclassified",
	"jpg__tests__67-0_length_string.jpg embedded": "an XMP packet that is partly unreadable",
	"pillow__exif.png embedded":                   "an unknown ancillary PNG chunk (orNT)",
	"pillow__hopper_bad_exif.jpg embedded":        "40 KB after the last MCU of a scan, which libjpeg skips",
	"pillow__multiple_exif.jpg embedded":          "an EXIF segment too short to hold a TIFF header",
	"pillow__truncated_exif_dpi.jpg embedded":     "an EXIF segment too short to hold a TIFF header",
}

// TestCheckAgainstLeakcheck runs "check --fail-on CATEGORY" on every
// corpus photo, for every category, and compares its exit code with what
// ../shared/tools/leakcheck.py finds: 1 exactly when leakcheck sees a tag
// of that category, 0 otherwise.
func TestCheckAgainstLeakcheck(t *testing.T) {
	corpus := os.Getenv("EXIFSCRUB_CORPUS")
	leakcheck := os.Getenv("EXIFSCRUB_LEAKCHECK")
	if leakcheck == "" && corpus != "" {
		leakcheck = filepath.Join(corpus, "..", "tools", "leakcheck.py")
	}
	_, errLC := os.Stat(leakcheck)
	_, errPy := exec.LookPath("python3")
	_, errET := exec.LookPath("exiftool")
	if corpus == "" || errLC != nil || errPy != nil || errET != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("need EXIFSCRUB_CORPUS, leakcheck.py (EXIFSCRUB_LEAKCHECK), python3 and exiftool")
		}
		t.Skip("set EXIFSCRUB_CORPUS (with ../tools/leakcheck.py beside it) to compare check with leakcheck")
	}
	entries, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".md") && !strings.HasSuffix(e.Name(), ".tsv") {
			files = append(files, filepath.Join(corpus, e.Name()))
		}
	}
	out, err := exec.Command("python3", append([]string{leakcheck, "--json"}, files...)...).Output()
	if len(out) == 0 {
		t.Fatalf("leakcheck: %v", err)
	}
	var results map[string]struct {
		Leaks [][]string `json:"leaks"`
	}
	if err := json.NewDecoder(strings.NewReader(string(out))).Decode(&results); err != nil {
		t.Fatalf("leakcheck: bad JSON: %v", err)
	}
	used := make(map[string]bool)
	for _, path := range files {
		name := filepath.Base(path)
		want := make(map[string]bool)
		for _, leak := range results[path].Leaks {
			want[leakcheckCategories[leak[0]]] = true
		}
		var cats []string
		for _, c := range leakcheckCategories {
			cats = append(cats, c)
		}
		sort.Strings(cats)
		for _, cat := range cats {
			r := runCLI(t, nil, "check", "--fail-on", cat, path)
			if r.code == exitFailed {
				t.Errorf("%s: check could not read it: %s", name, r.stderr)
				break
			}
			got := r.code == exitFound
			if got == want[cat] {
				continue
			}
			key := name + " " + cat
			if _, ok := leakcheckDisagreements[key]; ok {
				used[key] = true
				continue
			}
			t.Errorf("check --fail-on %s %s: exit %d, but leakcheck finds %s: %v", cat, name, r.code, cat, want[cat])
		}
	}
	for key := range leakcheckDisagreements {
		if !used[key] {
			t.Errorf("%s: listed as a disagreement with leakcheck, but they agree now: remove it", key)
		}
	}
}
