package exifscrub

import (
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestRoundTrip scrubs every JPEG and PNG in testdata and the corpus and
// checks the result with ExifTool and a decoder: nothing private is left,
// the pixels and the displayed orientation are unchanged, the colour
// profile survives, and scrubbing again changes nothing.
func TestRoundTrip(t *testing.T) {
	need(t, "exiftool")
	files := sampleFiles(t, !testing.Short(), JPEG, PNG)
	if len(files) == 0 {
		t.Fatal("no sample files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			checkRoundTrip(t, path)
		})
	}
}

func checkRoundTrip(t *testing.T, path string) {
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, rep := scrubBytes(t, in)
	outPath := writeTemp(t, "scrubbed"+filepath.Ext(path), out)

	if bad := leftovers(t, outPath, nil); len(bad) > 0 {
		t.Errorf("ExifTool still sees %d tags after scrub:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	checkClean(t, out, nil)
	samePixels(t, path, outPath)

	before, after := exiftool(t, path), exiftool(t, outPath)
	if o := orientation(before); o != orientation(after) {
		t.Errorf("orientation: got %q, want %q", orientation(after), o)
	}
	if hasICC(before) && !hasICC(after) {
		t.Errorf("ICC profile lost")
	}
	checkReportCovers(t, rep, before)
}

func orientation(tags map[string]exiftoolTag) string {
	o := tags["IFD0:Orientation"].String()
	if o == "" || o == "Horizontal (normal)" {
		return "" // absent and normal display the same
	}
	return o
}

func hasICC(tags map[string]exiftoolTag) bool {
	for k := range tags {
		if strings.HasPrefix(k, "ICC_Profile:") {
			return true
		}
	}
	return false
}

// samePixels decodes both files and compares the pixels. Files the
// standard library cannot decode are compared with ImageMagick.
func samePixels(t *testing.T, a, b string) {
	t.Helper()
	ia, errA := decodeFile(a)
	ib, errB := decodeFile(b)
	if errA == nil {
		if errB != nil {
			t.Fatalf("input decodes, output does not: %v", errB)
		}
		if !reflect.DeepEqual(ia, ib) {
			t.Errorf("decoded pixels differ")
		}
		return
	}
	if _, err := exec.LookPath("convert"); err != nil {
		t.Logf("pixels not compared: Go cannot decode the input (%v) and ImageMagick is missing", errA)
		return
	}
	sa, sb := magickSignature(t, a), magickSignature(t, b)
	if sa != sb {
		t.Errorf("ImageMagick pixel signatures differ: %s vs %s", sa, sb)
	}
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	return m, err
}

func magickSignature(t *testing.T, path string) string {
	out, err := exec.Command("convert", path+"[0]", "-format", "%#", "info:").Output()
	if err != nil {
		return "undecodable"
	}
	return string(out)
}

// Names of tags that tell where, when or on what a photo was taken, as
// ExifTool spells them; the report must list every such tag ExifTool finds.
var (
	privateName = regexp.MustCompile(`(?i)GPS|Latitude|Longitude|Altitude|Location|^City|Country|Province|` +
		`Date|TimeStamp|TimeCreated|SubSec|OffsetTime|TimeZone|CreationTime|` +
		`^Make$|Model|Serial|UniqueID|Software|HostComputer|^Lens|OwnerName|DocumentID|InstanceID|Firmware|CreatorTool`)
	// Groups that Scrub keeps or that describe the file rather than the photo.
	notMetadataGroup = regexp.MustCompile(`^(ExifTool|System|File|Composite|JFIF|ICC_Profile|ICC-.*|Adobe|PNG|PNG-pHYs|MPF0)$`)
	// Groups of the EXIF standard itself, as opposed to maker notes.
	exifGroup = regexp.MustCompile(`^(IFD[01]|ExifIFD|GPS|InteropIFD|SubIFD\d*)$`)
)

// checkReportCovers checks that the report lists every location, time and
// device tag ExifTool finds in the input.
func checkReportCovers(t *testing.T, rep *Report, tags map[string]exiftoolTag) {
	t.Helper()
	have := make(map[string]bool)
	makerNote, photoshop, vendor := false, false, false
	for _, f := range rep.Findings {
		local := f.Tag[strings.LastIndexByte(f.Tag, ':')+1:]
		have[f.Container+"|"+f.Tag] = true
		have["local|"+strings.ToLower(local)] = true
		if f.Tag == "MakerNote" {
			makerNote = true
		}
		if f.Container == "Photoshop" {
			photoshop = true
		}
		if strings.HasPrefix(f.Container, "JPEG APP") && f.Category != Other {
			vendor = true
		}
	}
	for key := range tags {
		group, name, _ := strings.Cut(key, ":")
		if notMetadataGroup.MatchString(group) || !privateName.MatchString(name) {
			continue
		}
		covered := false
		switch {
		case exifGroup.MatchString(group):
			covered = have["EXIF "+group+"|"+name]
		case strings.HasPrefix(group, "XMP"):
			// ExifTool flattens structures: "HistoryWhen" for stEvt:when.
			lower := strings.ToLower(name)
			for k := range have {
				if l, ok := strings.CutPrefix(k, "local|"); ok && l != "" && strings.HasSuffix(lower, l) {
					covered = true
					break
				}
			}
		case group == "IPTC":
			covered = have["IPTC|"+name]
		case group == "Photoshop":
			covered = photoshop // image resources, listed by number
		case group == "Samsung" && have["Samsung|"+name]:
			covered = true // a SEF trailer's record (jpeg_motion.go)
		default:
			// Maker notes and vendor segments, under a group per vendor.
			covered = makerNote || vendor
		}
		if !covered {
			t.Errorf("report misses %s = %s", key, tags[key])
		}
	}
}
