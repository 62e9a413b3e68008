package exifscrub

// Table tests of Options.Keep for XMP, IPTC-IIM, PNG text and JPEG
// comments: files written by ExifTool, scrubbed with one category kept,
// and read again by ExifTool, which must find the kept tags with their
// values and nothing of the other categories.

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// A policyTag is an ExifTool tag ("Group1:Name") written into a test file,
// with the category exifscrub gives it.
type policyTag struct {
	key string
	cat Category
}

// keepTextTags are the tags keepTextArgs write, for the formats that hold
// them all (JPEG). Values of the tags of Other hold markers.
var keepTextTags = []policyTag{
	{"XMP-dc:Creator", Identity}, {"XMP-dc:Rights", Identity},
	{"XMP-dc:Title", Text}, {"XMP-dc:Title-fr", Text}, {"XMP-dc:Description", Text}, {"XMP-dc:Subject", Text},
	{"XMP-xmp:CreatorTool", Device}, {"XMP-xmpMM:DocumentID", Device},
	{"XMP-xmp:CreateDate", Time}, {"XMP-exif:DateTimeOriginal", Time},
	{"XMP-exif:GPSLatitude", Location}, {"XMP-exif:GPSLongitude", Location}, {"XMP-exif:GPSAltitude", Location},
	{"XMP-photoshop:City", Location}, {"XMP-iptcCore:CreatorContactInfo", Identity},
	{"XMP-dc:Format", Other}, {"XMP-xmpMM:History", Other}, {"XMP-x:XMPToolkit", Other},
}

var keepTextArgs = []string{
	"-XMP-dc:Creator=Zoë Doe", "-XMP-dc:Creator=John Roe", "-XMP-dc:Rights=© Jane & <Co>",
	"-XMP-dc:Title=A title", "-XMP-dc:Title-fr=Un titre", "-XMP-dc:Description=Caption\nline 2",
	"-XMP-dc:Subject=one", "-XMP-dc:Subject=two",
	"-XMP-xmp:CreatorTool=Camera DEVMARK 1.0", "-XMP-xmpMM:DocumentID=xmp.did:DEVMARK2",
	"-XMP-xmp:CreateDate=2024:06:01 21:14:03+02:00", "-XMP-exif:DateTimeOriginal=2024:06:01 21:14:03.12",
	"-XMP-exif:GPSLatitude=52.5205750", "-XMP-exif:GPSLongitude=-13.4094630", "-XMP-exif:GPSAltitude=123.4",
	"-XMP-photoshop:City=Berlin", "-XMP-iptcCore:CreatorWorkEmail=jane@example.com",
	"-XMP-dc:Format=image/OTHERMARK", "-XMP-xmpMM:HistoryAction=saved HISTMARK", "-XMP-xmpMM:HistoryWhen=2023:01:02 03:04:05",
}

// keepIPTCTags and keepIPTCArgs are IPTC-IIM datasets and the JPEG
// comment.
var keepIPTCTags = []policyTag{
	{"IPTC:Keywords", Text}, {"IPTC:Caption-Abstract", Text}, {"IPTC:By-line", Identity},
	{"IPTC:City", Location}, {"IPTC:OriginatingProgram", Device}, {"IPTC:DateCreated", Time},
	{"File:Comment", Text}, {"Photoshop:IPTCDigest", Other},
}

var keepIPTCArgs = []string{
	"-IPTC:CodedCharacterSet=UTF8", "-IPTC:Keywords=eins", "-IPTC:Keywords=zwei", "-IPTC:Caption-Abstract=Zoë's caption",
	"-IPTC:By-line=Jane IPTC", "-IPTC:City=Köln", "-IPTC:OriginatingProgram=DEVMARK3", "-IPTC:DateCreated=2024:06:01",
	"-Comment=A JPEG comment", "-Photoshop:IPTCDigest=new",
}

// exiftoolJSON returns ExifTool's numeric values (-n) of a file's tags,
// as JSON, keyed "Group1:Name".
func exiftoolJSON(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-a", "-G1", "-n", "-struct", path).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(out, &rows); err != nil || len(rows) != 1 {
		t.Fatalf("exiftool %s: bad JSON: %v", path, err)
	}
	return rows[0]
}

// writeWithExifTool writes base into a temporary file, has ExifTool write
// args into it, and returns the result.
func writeWithExifTool(t *testing.T, name string, base []byte, args ...string) []byte {
	t.Helper()
	need(t, "exiftool")
	// In place: ExifTool 12.57 writes WebP only so ("Can't write RIFF
	// files" with -o).
	out := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(out, base, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("exiftool", append(append([]string{"-q", "-overwrite_original"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkKeptTags scrubs in with each policy and checks with ExifTool that
// the tags of kept categories keep their values and the others are gone.
func checkKeptTags(t *testing.T, name string, in []byte, tags []policyTag) {
	t.Helper()
	before := exiftoolJSON(t, writeTemp(t, name, in))
	for _, tag := range tags {
		if _, ok := before[tag.key]; !ok {
			t.Fatalf("the test file lacks %s", tag.key)
		}
	}
	policies := []Options{{Keep: Keepable()}, {Keep: []Category{Location}, CoarseLocation: 0.01}}
	for _, c := range Keepable() {
		policies = append(policies, Options{Keep: []Category{c}})
	}
	for _, opts := range policies {
		t.Run(policyName(&opts), func(t *testing.T) {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(in), &opts)
			if err != nil {
				t.Fatal(err)
			}
			after := exiftoolJSON(t, writeTemp(t, name, out.Bytes()))
			if w, ok := after["ExifTool:Warning"]; ok && !bytes.Equal(w, before["ExifTool:Warning"]) {
				t.Errorf("ExifTool warns: %s", w)
			}
			for _, tag := range tags {
				got, ok := after[tag.key]
				kept := slices.Contains(opts.Keep, tag.cat)
				switch {
				case !kept && ok:
					t.Errorf("%s (%s) is still there: %s", tag.key, tag.cat, got)
				case kept && !ok:
					if opts.CoarseLocation > 0 && tag.key == "XMP-exif:GPSAltitude" {
						continue
					}
					t.Errorf("%s (%s) is gone", tag.key, tag.cat)
				case kept && opts.CoarseLocation > 0 && (tag.key == "XMP-exif:GPSLatitude" || tag.key == "XMP-exif:GPSLongitude"):
					if tag.key == "XMP-exif:GPSAltitude" {
						t.Errorf("%s is kept under CoarseLocation", tag.key)
					}
					a, _ := strconv.ParseFloat(string(before[tag.key]), 64)
					b, _ := strconv.ParseFloat(string(got), 64)
					if math.Abs(a-b) > opts.CoarseLocation/2+1e-9 || math.Abs(b*100-math.Round(b*100)) > 1e-6 {
						t.Errorf("%s = %v, not %v rounded to 0.01", tag.key, b, a)
					}
				case kept && !bytes.Equal(got, before[tag.key]):
					t.Errorf("%s = %s, was %s", tag.key, got, before[tag.key])
				}
			}
			for _, marker := range []string{"OTHERMARK", "HISTMARK"} {
				if bytes.Contains(out.Bytes(), []byte(marker)) {
					t.Errorf("%s survives", marker)
				}
			}
			for _, f := range rep.Kept {
				if !slices.Contains(opts.Keep, f.Category) {
					t.Errorf("Kept lists %v", f)
				}
			}
			if len(rep.Kept) == 0 {
				t.Error("Kept is empty")
			}
			// Scan finds only kept categories, and a second scrub with
			// the same policy changes nothing.
			scan, err := Scan(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range scan.Findings {
				if !slices.Contains(opts.Keep, f.Category) {
					t.Errorf("Scan of the output finds %v", f)
				}
			}
			var again bytes.Buffer
			if _, err := Scrub(&again, bytes.NewReader(out.Bytes()), &opts); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
				t.Errorf("a second scrub changes the output (%v)", err)
			}
		})
	}
}

func policyName(o *Options) string {
	if len(o.Keep) == len(Keepable()) {
		return "all"
	}
	s := ""
	for _, c := range o.Keep {
		s += string(c)
	}
	if o.CoarseLocation > 0 {
		s += "-coarse"
	}
	return s
}

func TestKeepJPEGText(t *testing.T) {
	in := writeWithExifTool(t, "keep.jpg", baseJPEG(t), append(slices.Clone(keepTextArgs), keepIPTCArgs...)...)
	checkKeptTags(t, "keep.jpg", in, append(slices.Clone(keepTextTags), keepIPTCTags...))
}

// keepPNGTags and keepPNGArgs are PNG text chunks (tEXt, or iTXt for a
// language or non-Latin-1 text), tIME and IPTC in a raw profile.
var keepPNGTags = []policyTag{
	{"PNG:Title", Text}, {"PNG:Title-fr", Text}, {"PNG:Author", Identity}, {"PNG:Comment", Text},
	{"PNG:Software", Device}, {"PNG:CreationTime", Time}, {"PNG:ModifyDate", Time}, {"PNG:Copyright", Identity},
	{"IPTC:Keywords", Text}, {"IPTC:By-line", Identity}, {"IPTC:City", Location},
}

var keepPNGArgs = []string{
	"-PNG:Title=A PNG title", "-PNG:Title-fr=Un titre PNG", "-PNG:Author=Zoë Doe", "-PNG:Comment=A comment",
	"-PNG:Software=DEVMARK 2", "-PNG:CreationTime=2024:06:01 21:14:03", "-PNG:ModifyDate=2024:06:02 10:11:12",
	"-PNG:Copyright=© Zoë Ŀ", "-IPTC:Keywords=eins", "-IPTC:Keywords=zwei", "-IPTC:By-line=Jane IPTC", "-IPTC:City=Berlin",
}

func TestKeepPNGText(t *testing.T) {
	args := append(slices.Clone(keepTextArgs), keepPNGArgs...)
	tags := append(slices.Clone(keepTextTags), keepPNGTags...)
	t.Run("uncompressed", func(t *testing.T) {
		checkKeptTags(t, "keep.png", writeWithExifTool(t, "keep.png", basePNG(t), args...), tags)
	})
	t.Run("compressed", func(t *testing.T) {
		// -z: zTXt, and iTXt compressed, wherever that is smaller.
		in := writeWithExifTool(t, "keepz.png", basePNG(t), append([]string{"-z"}, args...)...)
		if !bytes.Contains(in, []byte("zTXt")) {
			t.Fatal("ExifTool wrote no zTXt chunk")
		}
		checkKeptTags(t, "keepz.png", in, tags)
	})
}

func TestKeepWebPXMP(t *testing.T) {
	need(t, "cwebp")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.png")
	if err := os.WriteFile(src, basePNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	webp := filepath.Join(dir, "base.webp")
	if b, err := exec.Command("cwebp", "-quiet", src, "-o", webp).CombinedOutput(); err != nil {
		t.Fatalf("cwebp: %v\n%s", err, b)
	}
	base, err := os.ReadFile(webp)
	if err != nil {
		t.Fatal(err)
	}
	in := writeWithExifTool(t, "keep.webp", base, keepTextArgs...)
	checkKeptTags(t, "keep.webp", in, keepTextTags)
	// The VP8X flag announces the kept packet, and libwebp reads the file.
	var out bytes.Buffer
	if _, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: []Category{Identity}}); err != nil {
		t.Fatal(err)
	}
	if got := webpLayout(t, out.Bytes()); got != "VP8X VP8 XMP" || out.Bytes()[20]&iwebp.FlagXMP == 0 {
		t.Errorf("layout %s, VP8X flags %#x", got, out.Bytes()[20])
	}
	need(t, "webpmux")
	if msg, err := exec.Command("webpmux", "-info", writeTemp(t, "out.webp", out.Bytes())).CombinedOutput(); err != nil {
		t.Errorf("webpmux refuses the output: %v\n%s", err, msg)
	}
}

// TestKeepJPEGComment checks that a kept comment is its text only: what
// follows a NUL goes, and a comment that is not text is removed.
func TestKeepJPEGComment(t *testing.T) {
	const marker = "PLANTEDCOMMENT"
	jpg := baseJPEG(t)
	for _, tt := range []struct {
		com, want string // want "" for a comment removed
	}{
		{"A caption", "A caption"},
		{"A caption\x00" + marker, "A caption"},
		{"\x01\x02" + marker, ""},
	} {
		in := withSegments(jpg, segment(markerCOM, []byte(tt.com)))
		var out bytes.Buffer
		rep, err := Scrub(&out, bytes.NewReader(in), &Options{Keep: []Category{Text}})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte(marker)) {
			t.Errorf("%q: the output holds the marker", tt.com)
		}
		kept := bytes.Contains(out.Bytes(), append([]byte{0xff, markerCOM, 0, byte(2 + len(tt.want))}, tt.want...))
		if tt.want != "" && (!kept || len(rep.Kept) != 1 || rep.Kept[0].Value != tt.want) {
			t.Errorf("%q: kept %v, Kept %v; want %q", tt.com, kept, rep.Kept, tt.want)
		}
		if tt.want == "" && (len(rep.Kept) != 0 || !rep.Has(Text)) {
			t.Errorf("%q: Kept %v, Findings %v; want it removed", tt.com, rep.Kept, rep.Findings)
		}
	}
}
