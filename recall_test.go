package exifscrub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// Report recall against ExifTool: for every sample, the categories of
// private metadata ExifTool finds (classified by tag name as the shared
// leak checker, leakcheck.py, classifies them) must each be among the
// categories of Scan's findings, but for the misses listed in
// recallMisses, each with the reason it is not one. This is issue 22's
// "category hits" measure, on the samples here.

// exiftoolCategories are leakcheck.py's CATEGORIES, in its order: the
// first that matches a tag's name gives its category.
var exiftoolCategories = []struct {
	cat Category
	re  *regexp.Regexp
}{
	{Location, regexp.MustCompile(`(?i)GPS|Latitude|Longitude|Altitude|Location|^City|Country|Province|^State$|Sublocation|Coordinates`)},
	{Time, regexp.MustCompile(`(?i)Date|TimeStamp|TimeCreated|SubSec|OffsetTime|TimeZone|ModTime|CreationTime`)},
	{Device, regexp.MustCompile(`(?i)^Make$|Model|Serial|UniqueID|Software|HostComputer|^Lens|OwnerName|CameraID|DeviceID|` +
		`DocumentID|InstanceID|ContentIdentifier|Firmware|CreatorTool|Manufacturer`)},
	{Identity, regexp.MustCompile(`(?i)Artist|Author|Creator|By-?line|Copyright|Rights|Contact|Credit|Email|Phone|Address|` +
		`Person|Owner|Writer|Publisher`)},
	{Text, regexp.MustCompile(`(?i)Comment|Description|Caption|Title|Keywords|^Subject$|Headline|Instructions|Label|Notes?$`)},
	{Embedded, regexp.MustCompile(`(?i)Thumbnail|Preview|MPImage|JpgFromRaw|OtherImage|EmbeddedImage|CoverArt`)},
}

// leakcheck.py's exceptions: structure whose names look private, names
// that say nothing, software names, and zeroed times.
var (
	exiftoolNotPrivate = regexp.MustCompile(`^(File|JFIF|Composite|QuickTime|PNG|RIFF|Meta|Track\d+):(ImageWidth|ImageHeight|ImageSize|Megapixels|` +
		`MajorBrand|MinorVersion|CompatibleBrands|HandlerType|HandlerDescription|HandlerClass|` +
		`HandlerVendorID|PrimaryItemReference|MediaData.*|PreviewTime|PreviewDuration|PosterTime|` +
		`SelectionTime|SelectionDuration|CurrentTime|SampleGroupDescription)$|^ICC`)
	exiftoolZeroDate = regexp.MustCompile(`^(0000:00:00 00:00:00|1904:01:01 00:00:00|1970:01:01 00:00:00)(Z|[+-]00:00)?$|^0$`)
	exiftoolNothing  = map[string]bool{"GlobalAltitude": true, "GlobalAngle": true, "BorderLocation": true, "CopyrightFlag": true}
	exiftoolSoftware = map[string]bool{"WriterName": true, "ReaderName": true}
)

// exiftoolCategory returns the category of an ExifTool "Group:Name" key
// with value val, or "" for none.
func exiftoolCategory(key, val string) Category {
	group, name, _ := strings.Cut(key, ":")
	switch {
	case exiftoolNothing[name]:
		return ""
	case exiftoolSoftware[name]:
		return Device
	case group == "ExifTool" || group == "System" || key == "SourceFile" || key == "File:ExifByteOrder":
		return ""
	case exiftoolNotPrivate.MatchString(key):
		return ""
	}
	for _, c := range exiftoolCategories {
		if c.re.MatchString(name) {
			if c.cat == Time && exiftoolZeroDate.MatchString(val) {
				return ""
			}
			return c.cat
		}
	}
	return ""
}

// recallMisses are the categories ExifTool finds in a sample that Scan
// does not report, and why that is right.
var recallMisses = map[string]string{
	"jpg__Canon_DIGITAL_IXUS_400.jpg text": "XMP-exif:MakerNote is an XMP copy of the maker note, reported as Device",
	"jpg__tests__11-tests.jpg embedded":    "Canon:ThumbnailImageValidArea is four zeros, not an image",
	"pillow__exif_gps.jpg embedded":        "IFD0:OtherImageLength 4294967295 with no start: no image, reported as Other",
}

// The standard groups of ExifTool and containers of Scan, as opposed to
// vendor data (maker notes, CIFF, vendor APPn segments), which the second
// measure counts apart: a category there is hit by a finding from vendor
// data ("Canon:OwnerName", "CIFF", "JPEG APP12").
var (
	standardGroup = regexp.MustCompile(`^(IFD\d|ExifIFD|GPS|InteropIFD|SubIFD\d*|XMP.*|IPTC|Photoshop|ICC.*|File|Composite|` +
		`JFIF|JFXX|PNG.*|QuickTime|Track\d+|Keys|ItemList|UserData|Meta|RIFF|MPF0|MPImage\d+|PrintIM|Adobe|APP14|FlashPix|JUMBF|C2PA)$`)
	standardContainer = regexp.MustCompile(`^(EXIF.*|XMP.*|IPTC|Photoshop|ICC.*|PNG.*|QuickTime.*|MP4.*|HEIF.*|JFIF|JUMBF|MPF|file name)$`)
)

func TestReportRecall(t *testing.T) {
	need(t, "exiftool")
	files := sampleFiles(t, true, JPEG, PNG, WebP, HEIF, AVIF)
	if dir := filepath.Join(filepath.Dir(corpusDir(t)), "corpus-phone"); dirExists(dir) {
		more, _ := filepath.Glob(filepath.Join(dir, "*.*"))
		for _, f := range more {
			if !strings.HasSuffix(f, ".tsv") && !strings.HasSuffix(f, ".md") {
				files = append(files, f)
			}
		}
	}
	args := append([]string{"-j", "-a", "-G1", "-s", "-ee", "-u", "-q", "-q", "-api", "LargeFileSupport=1"}, files...)
	out, err := exec.Command("exiftool", args...).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("exiftool: bad JSON: %v", err)
	}
	hits, total := 0, 0
	vendorHits, vendorTotal := 0, 0
	var misses []string
	for _, row := range rows {
		path, _ := row["SourceFile"].(string)
		theirs := map[Category]string{}
		theirsVendor := map[Category]string{}
		for k, v := range row {
			c := exiftoolCategory(k, fmt.Sprint(v))
			if c != "" && theirs[c] == "" {
				theirs[c] = k
			}
			if group, _, _ := strings.Cut(k, ":"); c != "" && !standardGroup.MatchString(group) && theirsVendor[c] == "" {
				theirsVendor[c] = k
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Scan(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		ours, oursVendor := map[Category]bool{}, map[Category]bool{}
		for _, f := range rep.Findings {
			ours[f.Category] = true
			if strings.HasPrefix(f.Container, "EXIF") && strings.Contains(f.Tag, ":") || !standardContainer.MatchString(f.Container) {
				oursVendor[f.Category] = true
			}
		}
		for c, key := range theirsVendor {
			vendorTotal++
			if oursVendor[c] {
				vendorHits++
			} else if testing.Verbose() {
				t.Logf("in vendor data: %s %s (ExifTool: %s)", filepath.Base(path), c, key)
			}
		}
		for c, key := range theirs {
			total++
			if ours[c] {
				hits++
				continue
			}
			id := filepath.Base(path) + " " + string(c)
			if _, known := recallMisses[id]; !known {
				misses = append(misses, fmt.Sprintf("%s (ExifTool: %s)", id, key))
			}
		}
	}
	sort.Strings(misses)
	t.Logf("report recall: %d of %d category hits in %d files (%d listed misses)", hits, total, len(rows), total-hits-len(misses))
	t.Logf("in vendor data (maker notes, CIFF, APPn): %d of %d category hits", vendorHits, vendorTotal)
	for _, m := range misses {
		t.Errorf("report misses %s", m)
	}
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// TestReportDamagedThumbnail: an EXIF block cut inside its thumbnail, or
// whose thumbnail length runs past its end, still has the start of the
// thumbnail, which ExifTool shows and the report lists as Embedded.
func TestReportDamagedThumbnail(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "jpg__Canon_40D.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(src, []byte("Exif\x00\x00"))
	block := src[i+6 : i-2+int(binary.BigEndian.Uint16(src[i-2:]))]
	w, err := tiff.Read(block)
	if err != nil {
		t.Fatal(err)
	}
	var off, n uint32
	var lenAt uint32
	for _, d := range w.IFDs {
		if d.Kind == ifd1 {
			off, n = d.ThumbnailOffset, d.ThumbnailLength
			for _, e := range d.Entries {
				if e.Tag == tagJPEGInterchangeLn {
					lenAt = e.ValueOffset
				}
			}
		}
	}
	if n == 0 || lenAt == 0 {
		t.Fatal("no IFD1 thumbnail in the sample")
	}
	check := func(t *testing.T, block []byte) {
		t.Helper()
		rep := new(Report)
		parseEXIF(rep, block)
		for _, f := range rep.Findings {
			if f.Container == "EXIF IFD1" && f.Tag == "ThumbnailImage" {
				if f.Category != Embedded {
					t.Errorf("ThumbnailImage %q is %s, want %s", f.Value, f.Category, Embedded)
				}
				return
			}
		}
		t.Errorf("no ThumbnailImage in EXIF IFD1")
	}
	t.Run("length past the block", func(t *testing.T) {
		b := bytes.Clone(block)
		w.Order.PutUint32(b[lenAt:], n+5000)
		check(t, b)
	})
	// The block cut inside the thumbnail, as a JPEG APP1 segment with a
	// short length or a PNG or WebP EXIF chunk cut short is: ExifTool
	// still shows the thumbnail (from the file, for a JPEG).
	for cut := off + 2; cut < off+n; cut += 97 {
		t.Run(fmt.Sprintf("cut at %d", cut), func(t *testing.T) {
			check(t, block[:cut])
		})
	}
	t.Run("cut before the thumbnail", func(t *testing.T) {
		rep := new(Report)
		parseEXIF(rep, block[:off])
		for _, f := range rep.Findings {
			if f.Container == "EXIF IFD1" && f.Tag == "ThumbnailImage" && f.Category != Other {
				t.Errorf("ThumbnailImage %q is %s, want %s: nothing of it is in the block", f.Value, f.Category, Other)
			}
		}
	})
}
