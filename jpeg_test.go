package exifscrub

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// markers lists the markers of a JPEG's segments before the first SOS, in
// order, with the payload of each.
func markers(t *testing.T, b []byte) (codes []byte, payloads [][]byte) {
	t.Helper()
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			t.Fatalf("no marker at offset %d", i)
		}
		if b[i+1] == 0xff {
			i++ // fill byte
			continue
		}
		code := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		codes = append(codes, code)
		payloads = append(payloads, b[i+4:i+2+n])
		if code == markerSOS {
			break
		}
		i += 2 + n
	}
	return codes, payloads
}

// checkFindings checks that rep has each finding of want, as "category
// container tag", and the given values.
func checkFindings(t *testing.T, rep *Report, want []string, values map[string]string) {
	t.Helper()
	got := findingKeys(rep)
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("missing finding %q; got %v", w, rep.Findings)
		}
	}
	for k, v := range values {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func findingKeys(rep *Report) map[string]string {
	m := make(map[string]string)
	for _, f := range rep.Findings {
		m[string(f.Category)+" "+f.Container+" "+f.Tag] = f.Value
	}
	return m
}

func TestScrubJPEGSegments(t *testing.T) {
	base := baseJPEG(t)
	profile, err := sanitizeICC(buildICC(2, "x"))
	if err != nil {
		t.Fatal(err)
	}
	icc1 := append([]byte("ICC_PROFILE\x00\x01\x02"), profile[:100]...)
	icc2 := append([]byte("ICC_PROFILE\x00\x02\x02"), profile[100:]...)
	iccText := []byte("ICC_PROFILE\x00\x01\x01GPS 48.8584 N, 2.2945 E")
	adobe := []byte("Adobe\x00\x64\x00\x00\x00\x00\x01")
	jfif := []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00")
	jfifThumb := append([]byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x01"), make([]byte, 6)...)
	iptc := append([]byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00"), 0, 0, 0, 22)
	iptc = append(iptc, 0x1c, 2, 80, 0, 8)
	iptc = append(iptc, "Jane Doe"...)
	iptc = append(iptc, 0x1c, 2, 90, 0, 4)
	iptc = append(iptc, "Oslo"...)

	tests := []struct {
		name      string
		segs      [][]byte
		want      []string // findings, as "category container tag"
		wantValue map[string]string
		keep      []byte // markers before SOS in the output, after SOI
	}{
		{
			name: "EXIF with GPS",
			segs: [][]byte{exifSegment(privateTIFF(0))},
			want: []string{"location EXIF GPS GPSLatitude", "location EXIF GPS GPSLongitude", "device EXIF IFD0 Make",
				"device EXIF IFD0 Model", "identity EXIF IFD0 Artist", "time EXIF ExifIFD DateTimeOriginal",
				"time EXIF ExifIFD OffsetTimeOriginal", "device EXIF ExifIFD SerialNumber"},
			wantValue: map[string]string{"location EXIF GPS GPSLatitude": "52.520094", "location EXIF GPS GPSLongitude": "-13.400000"},
			keep:      []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "EXIF orientation is kept alone",
			segs: [][]byte{segment(markerAPP0, jfif), exifSegment(privateTIFF(6))},
			want: []string{"device EXIF IFD0 Make"},
			keep: []byte{markerAPP0, markerAPP1, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name:      "XMP",
			segs:      [][]byte{segment(markerAPP1, sigXMP, []byte(testXMP))},
			want:      []string{"time XMP xmp:CreateDate", "location XMP exif:GPSLatitude", "identity XMP dc:creator", "text XMP dc:description"},
			wantValue: map[string]string{"location XMP exif:GPSLatitude": "52.520000", "identity XMP dc:creator": "Jane Doe"},
			keep:      []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "Extended XMP in two chunks",
			segs: [][]byte{
				segment(markerAPP1, sigExtendedXMP, []byte(strings.Repeat("0", 32)), be32(uint32(len(testXMP))), be32(0), []byte(testXMP[:100])),
				segment(markerAPP1, sigExtendedXMP, []byte(strings.Repeat("0", 32)), be32(uint32(len(testXMP))), be32(100), []byte(testXMP[100:])),
			},
			want: []string{"identity XMP ExtendedXMP dc:creator"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "IPTC in Photoshop APP13",
			segs: [][]byte{segment(markerAPP13, iptc)},
			want: []string{"identity IPTC By-line", "location IPTC City"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "comment",
			segs: [][]byte{segment(markerCOM, []byte("sent from my phone"))},
			want: []string{"text JPEG COM Comment"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "ICC in two chunks is written whole when complete, Adobe kept",
			segs: [][]byte{segment(markerAPP2, icc1), segment(markerAPP14, adobe), segment(markerAPP2, icc2)},
			keep: []byte{markerAPP14, markerAPP2, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "ICC chunks out of order",
			segs: [][]byte{segment(markerAPP2, icc2), segment(markerAPP2, icc1)},
			keep: []byte{markerAPP2, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "ICC_PROFILE that is not a profile is removed",
			segs: [][]byte{segment(markerAPP2, iccText)},
			want: []string{"embedded ICC_Profile ICC_Profile"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "ICC chunk numbering that libjpeg refuses",
			segs: [][]byte{segment(markerAPP2, icc1), segment(markerAPP2, icc1)},
			want: []string{"embedded ICC_Profile ICC_PROFILE"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "incomplete ICC profile",
			segs: [][]byte{segment(markerAPP2, icc1)},
			want: []string{"embedded ICC_Profile ICC_PROFILE"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "bytes after the Adobe fields",
			segs: [][]byte{segment(markerAPP14, append(append([]byte(nil), adobe...), "hidden"...))},
			want: []string{"embedded Adobe APP14"},
			keep: []byte{markerAPP14, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "bytes after the JFIF thumbnail",
			segs: [][]byte{segment(markerAPP0, append(append([]byte(nil), jfifThumb...), "hidden"...))},
			want: []string{"embedded JFIF ThumbnailImage", "embedded JFIF JFIF"},
			keep: []byte{markerAPP0, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "zero bytes after JFIF",
			segs: [][]byte{segment(markerAPP0, append(append([]byte(nil), jfif...), 0, 0))},
			want: []string{"other JFIF JFIF"},
			keep: []byte{markerAPP0, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "JFIF thumbnail is dropped, JFIF kept",
			segs: [][]byte{segment(markerAPP0, jfifThumb)},
			want: []string{"embedded JFIF ThumbnailImage"},
			keep: []byte{markerAPP0, 0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "unknown application segment",
			segs: [][]byte{segment(0xe5, []byte("HPQC\x00secret"))},
			want: []string{"embedded JPEG APP5 HPQC"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
		{
			name: "C2PA in APP11",
			segs: [][]byte{segment(markerAPP11, []byte("JP\x00\x01jumb"))},
			want: []string{"identity JUMBF C2PA"},
			keep: []byte{0xdb, 0xc0, 0xc4, 0xda},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := withSegments(base, tt.segs...)
			out, rep := scrubBytes(t, in)
			checkFindings(t, rep, tt.want, tt.wantValue)
			codes, _ := markers(t, out)
			if !bytes.Equal(codes, tt.keep) {
				t.Errorf("output markers % x, want % x", codes, tt.keep)
			}
			if !bytes.HasSuffix(out, base[len(base)-200:]) {
				t.Errorf("image data changed")
			}
			checkClean(t, out, nil)
		})
	}
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func TestScrubJPEGOrientation(t *testing.T) {
	in := withSegments(baseJPEG(t), exifSegment(privateTIFF(6)))
	out, _ := scrubBytes(t, in)
	codes, payloads := markers(t, out)
	if codes[0] != markerAPP1 {
		t.Fatalf("first segment 0x%x, want APP1", codes[0])
	}
	want := append([]byte("Exif\x00\x00"), tiff.Minimal(6)...)
	if !bytes.Equal(payloads[0], want) {
		t.Errorf("orientation segment % x, want % x", payloads[0], want)
	}

	var dropped bytes.Buffer
	rep, err := Scrub(&dropped, bytes.NewReader(in), &Options{DropOrientation: true})
	if err != nil {
		t.Fatal(err)
	}
	if codes, _ := markers(t, dropped.Bytes()); codes[0] == markerAPP1 {
		t.Errorf("DropOrientation kept an APP1 segment")
	}
	if _, ok := findingKeys(rep)["other EXIF IFD0 Orientation"]; !ok {
		t.Errorf("DropOrientation does not report the orientation it removed")
	}
}

func TestScrubJPEGDropColorProfile(t *testing.T) {
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), buildICC(2, "x")...)
	in := withSegments(baseJPEG(t), segment(markerAPP2, icc))
	var out bytes.Buffer
	if _, err := Scrub(&out, bytes.NewReader(in), &Options{DropColorProfile: true}); err != nil {
		t.Fatal(err)
	}
	if codes, _ := markers(t, out.Bytes()); codes[0] == markerAPP2 {
		t.Errorf("DropColorProfile kept the ICC profile")
	}
}

// TestScrubJPEGAfterEOI checks that what follows the primary image (MPF
// secondary images, motion-photo videos, trailers) is reported and dropped.
func TestScrubJPEGAfterEOI(t *testing.T) {
	base := baseJPEG(t)
	second := withSegments(base, exifSegment(privateTIFF(0)))
	// An MP index with two entries: this image, and one of len(second).
	mpEntries := make([]byte, 32)
	binary.BigEndian.PutUint32(mpEntries[16+4:], uint32(len(second)))
	mpf := tiffBlock([]ifdEntry{{0xb000, 7, 4, []byte("0100")}, {0xb001, 4, 1, be32(2)}, {0xb002, 7, 32, mpEntries}}, nil, nil)
	tests := []struct {
		name  string
		in    []byte
		want  string
		value string
	}{
		{"MPF secondary image", append(withSegments(base, segment(markerAPP2, sigMPF, mpf)), second...), "embedded MPF MPImage2", ""},
		{"motion photo", append(append([]byte(nil), base...), "\x00\x00\x00\x18ftypmp42 video data"...), "embedded JPEG MotionVideo", "motion video, 23 bytes"},
		{"zero padding", append(append([]byte(nil), base...), make([]byte, 100)...), "other Trailer Padding", "100 zero bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep := scrubBytes(t, tt.in)
			if !bytes.Equal(out, base) {
				t.Errorf("output is %d bytes, want the %d-byte primary image alone", len(out), len(base))
			}
			got := findingKeys(rep)
			v, ok := got[tt.want]
			if !ok {
				t.Fatalf("missing finding %q; got %v", tt.want, rep.Findings)
			}
			if !strings.Contains(v, tt.value) {
				t.Errorf("%s = %q, want it to mention %q", tt.want, v, tt.value)
			}
		})
	}
}

// TestScrubJPEGMarkerForms checks the unusual but valid forms a JPEG can
// take: fill bytes before markers, a DRI that disables restarts, a stray
// restart marker after the scan and a COM between scans; all but the COM
// and the bytes outside any segment must survive byte for byte.
func TestScrubJPEGMarkerForms(t *testing.T) {
	base := baseJPEG(t)
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	// Fill bytes before DQT and before SOS, a DRI segment.
	in := append([]byte(nil), base[:2]...)
	in = append(in, 0xff, 0xff)
	in = append(in, base[2:sos]...)
	in = append(in, segment(0xdd, []byte{0, 0})...)
	in = append(in, 0xff, 0xff, 0xff)
	rest := base[sos : len(base)-2]
	in = append(in, rest...)
	// A restart marker after the last MCU (libjpeg ignores it), bytes
	// outside any segment, a COM after the scan, then EOI with fill.
	in = append(in, 0xff, 0xd0, 0x12, 0x34)
	in = append(in, segment(markerCOM, []byte("between scans"))...)
	in = append(in, 0xff, 0xff, 0xd9)

	want := bytes.Replace(in, segment(markerCOM, []byte("between scans")), nil, 1)
	want = bytes.Replace(want, []byte{0xff, 0xd0, 0x12, 0x34}, []byte{0xff, 0xd0}, 1)
	out, rep := scrubBytes(t, in)
	if !bytes.Equal(out, want) {
		t.Errorf("output differs from input without its COM:\n got % x\nwant % x", tail(out), tail(want))
	}
	if _, ok := findingKeys(rep)["text JPEG COM Comment"]; !ok {
		t.Errorf("COM between scans not reported: %v", rep.Findings)
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-24):] }

// TestScrubJPEGProgressive scrubs a progressive JPEG with restart markers,
// made by ImageMagick, and checks that the pixels survive.
func TestScrubJPEGProgressive(t *testing.T) {
	need(t, "convert")
	dir := t.TempDir()
	src := filepath.Join(dir, "in.png")
	if err := os.WriteFile(src, basePNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "prog.jpg")
	cmd := exec.Command("convert", src, "-interlace", "JPEG", "-define", "jpeg:restart-interval=1",
		"-set", "comment", "secret", prog)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	in, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(in, []byte{0xff, 0xc2}) {
		t.Fatal("ImageMagick did not write a progressive JPEG")
	}
	out, rep := scrubBytes(t, in)
	if _, ok := findingKeys(rep)["text JPEG COM Comment"]; !ok {
		t.Errorf("comment not reported: %v", rep.Findings)
	}
	a, err := jpeg.Decode(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("scrubbed progressive JPEG does not decode: %v", err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("pixels differ")
	}
}

func TestScrubJPEGErrors(t *testing.T) {
	base := baseJPEG(t)
	sos := bytes.Index(base, []byte{0xff, markerSOS})
	tests := []struct {
		name string
		in   []byte
		eof  bool // the error is a truncation
	}{
		{"no SOI", append([]byte{0xff, 0xd8, 0xff, 0xd8}, base[2:]...), false},
		{"segment length below 2", append(append([]byte(nil), base[:2]...), 0xff, 0xe1, 0x00, 0x01), false},
		{"segment past the end", append(append([]byte(nil), base[:2]...), 0xff, 0xe1, 0xff, 0xff, 'E'), true},
		{"ends inside a scan header", base[:sos+5], true},
		{"no marker after garbage", append(withSegments(base[:2], segment(markerCOM, []byte("x"))), make([]byte, maxExtraneous+10)...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrub(io.Discard, bytes.NewReader(tt.in), nil)
			checkFormatError(t, err, JPEG, len(tt.in), tt.eof, false)
		})
	}
}
