package exifscrub

// Planted tests for "check and report fail closed": a position hidden in
// each place where a reader finds it but a simpler walk would not. For
// each: Scan flags it, the CLI's default check fails, Scrub removes it,
// Scan of the output finds nothing, and ExifTool sees no GPS in the
// output. Where a reader's display depends on it, the orientation is
// compared with ImageMagick's and ExifTool's before and after.

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// plantedMarker is the text planted where text can go.
const plantedMarker = "PLANTED-52.5201N-13.4000W"

// plantedGPS is an EXIF GPS IFD's entries, with the marker as the map
// datum, so that a reader that shows the IFD shows the marker.
func plantedGPS() []ifdEntry {
	return append(gpsEntries(), ascii(0x0012, plantedMarker))
}

// webpBase returns the VP8 bitstream of a real 300×225 WebP, and a VP8X
// payload for its canvas with the given flags.
func webpBase(t *testing.T, flags byte) (vp8, vp8x []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pillow__flower2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	vp8 = findChunk(b, "VP8 ")
	if vp8 == nil {
		t.Fatal("pillow__flower2.webp has no VP8 chunk")
	}
	// RFC 9649 §2.7: canvas width and height minus one, 24 bits each.
	return vp8, []byte{flags, 0, 0, 0, 299 & 0xff, 299 >> 8, 0, 224, 0, 0}
}

func TestPlantedLeaks(t *testing.T) {
	jpg, png := baseJPEG(t), basePNG(t)
	vp8, vp8x := webpBase(t, iwebp.FlagEXIF)
	_, vp8xPlain := webpBase(t, 0)
	gps := &slotIFD{entries: plantedGPS()}
	loop := slotTIFF(
		&slotIFD{entries: []ifdEntry{short(tagOrientation, 6), long(tagExifIFD, ifdAt(1)), long(tagGPSIFD, ifdAt(2))}},
		&slotIFD{entries: []ifdEntry{long(tagExifIFD, ifdAt(1))}},
		gps)
	inExif := slotTIFF(
		&slotIFD{entries: []ifdEntry{short(tagOrientation, 6), long(tagExifIFD, ifdAt(1))}},
		&slotIFD{entries: []ifdEntry{long(tagGPSIFD, ifdAt(2))}},
		gps)
	inIFD1 := slotTIFF(
		&slotIFD{entries: []ifdEntry{short(tagOrientation, 6)}, next: ifdAt(1)},
		&slotIFD{entries: []ifdEntry{long(tagGPSIFD, ifdAt(2))}},
		gps)
	xmp := gpsXMP(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>`)
	var latin1XMP []byte
	for _, r := range gpsXMP(`<?xml version="1.0" encoding="ISO-8859-1"?>`) {
		latin1XMP = append(latin1XMP, byte(r))
	}
	text := []byte("GPS " + plantedMarker)
	tests := []struct {
		name string
		ext  string
		in   []byte
		want Category // the category that must be flagged
		// exiftool says whether ExifTool reads the planted position
		// (it does not show unknown chunks' contents).
		exiftool    bool
		orientation string // ImageMagick's orientation, before and after
	}{
		{"JPEG GPS behind a looping Exif pointer", "jpg", withSegments(jpg, exifSegment(loop)), Location, true, "RightTop"},
		{"JPEG GPS pointer in the Exif IFD", "jpg", withSegments(jpg, exifSegment(inExif)), Location, true, "RightTop"},
		{"JPEG GPS pointer in IFD1", "jpg", withSegments(jpg, exifSegment(inIFD1)), Location, true, "RightTop"},
		{"JPEG XMP in UTF-16", "jpg", withSegments(jpg, segment(markerAPP1, sigXMP, encodeUTF16(xmp, binary.BigEndian, true))), Location, true, ""},
		{"JPEG XMP in ISO 8859-1", "jpg", withSegments(jpg, segment(markerAPP1, sigXMP, latin1XMP)), Location, true, ""},
		{"JPEG unknown APP segment", "jpg", withSegments(jpg, segment(markerAPP0+9, []byte("Vendor\x00"), text)), Embedded, false, ""},
		{"PNG unknown chunk", "png", withChunks(png, chunk("gpSx", text)), Embedded, false, ""},
		{"PNG eXIf with Exif header", "png", withChunks(png, chunk("eXIf", sigExifChunk, inExif)), Location, true, ""},
		{"PNG eXIf without Exif header", "png", withChunks(png, chunk("eXIf", inExif)), Location, true, ""},
		{"PNG XMP in UTF-16", "png", withChunks(png, chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), encodeUTF16(xmp, binary.LittleEndian, true))), Location, false, ""},
		{"WebP unknown chunk", "webp", riffFile(chunkBytes("VP8X", vp8xPlain), chunkBytes("VP8 ", vp8), chunkBytes("GPSx", text)), Embedded, false, ""},
		{"WebP EXIF with Exif header", "webp", riffFile(chunkBytes("VP8X", vp8x), chunkBytes("VP8 ", vp8), chunkBytes("EXIF", append(append([]byte(nil), sigExifChunk...), inExif...))), Location, true, "RightTop"},
		{"WebP EXIF without Exif header", "webp", riffFile(chunkBytes("VP8X", vp8x), chunkBytes("VP8 ", vp8), chunkBytes("EXIF", inExif)), Location, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if !rep.Has(tt.want) {
				t.Errorf("Scan does not flag %s: %v", tt.want, rep.Findings)
			}
			if !failsCheck(rep) {
				t.Errorf("check would pass: %v", rep.Findings)
			}
			out, _ := scrubBytes(t, tt.in)
			checkClean(t, out, nil)
			for _, marker := range []string{plantedMarker, "52,31", "52.52"} {
				if bytes.Contains(out, []byte(marker)) || bytes.Contains(out, encodeUTF16(marker, binary.BigEndian, false)) ||
					bytes.Contains(out, encodeUTF16(marker, binary.LittleEndian, false)) {
					t.Errorf("the output still holds %q", marker)
				}
			}
			need(t, "exiftool")
			before := writeTemp(t, "in."+tt.ext, tt.in)
			after := writeTemp(t, "out."+tt.ext, out)
			if tt.exiftool && !hasGPS(exiftool(t, before)) {
				t.Errorf("ExifTool sees no GPS in the planted input: the plant is wrong")
			}
			if tags := exiftool(t, after); hasGPS(tags) {
				t.Errorf("ExifTool sees GPS after scrub: %v", tags)
			}
			// The displayed orientation is the same before and after, for
			// ImageMagick and ExifTool; orientation names what ImageMagick
			// must read where it reads one.
			need(t, "identify")
			if a, b := magickOrientation(t, before), magickOrientation(t, after); a != b || tt.orientation != "" && a != tt.orientation {
				t.Errorf("ImageMagick reads orientation %q before and %q after scrub, want %q", a, b, tt.orientation)
			}
			if a, b := orientation(exiftool(t, before)), orientation(exiftool(t, after)); a != b {
				t.Errorf("ExifTool reads orientation %q before and %q after scrub", a, b)
			}
		})
	}
}

// hasGPS reports whether ExifTool's tags hold a position or the marker.
func hasGPS(tags map[string]exiftoolTag) bool {
	for k, v := range tags {
		if strings.Contains(k, "GPS") || strings.Contains(v.String(), "PLANTED") {
			return true
		}
	}
	return false
}

// magickOrientation returns the orientation ImageMagick reads.
func magickOrientation(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("identify", "-format", "%[orientation]", path).Output()
	if err != nil {
		t.Fatalf("identify %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// TestScrubDamaged checks that damage a decoder tolerates is tolerated:
// the image data is kept as the decoder reads it, the metadata is removed
// all the same, and the damage is reported.
func TestScrubDamaged(t *testing.T) {
	jpg, png := baseJPEG(t), basePNG(t)
	badCRC := func(c []byte) []byte {
		c = append([]byte(nil), c...)
		c[len(c)-1] ^= 1
		return c
	}
	withEXIF := withSegments(jpg, exifSegment(privateTIFF(6)), segment(markerCOM, []byte("a comment")))
	sos := bytes.LastIndex(withEXIF, []byte{0xff, markerSOS})
	tests := []struct {
		name string
		in   []byte
		want []string // findings, as "category container tag"
		// out is what the output must be, when it is known.
		out []byte
	}{
		{
			// The JPEG comes out as the clean JPEG would, EOI included:
			// the decoder supplies it.
			name: "JPEG without EOI",
			in:   withEXIF[:len(withEXIF)-2],
			want: []string{"other JPEG ImageData", "location EXIF GPS GPSLatitude", "text JPEG COM Comment"},
			out:  withSegments(jpg, segment(markerAPP1, sigExifChunk, tiff.Minimal(6))),
		},
		{
			name: "JPEG cut inside its entropy-coded data",
			in:   withEXIF[:sos+(len(withEXIF)-sos)/2],
			want: []string{"other JPEG ImageData", "location EXIF GPS GPSLatitude"},
		},
		{
			name: "JPEG cut after a 0xFF in its entropy-coded data",
			in: func() []byte {
				i := bytes.LastIndex(withEXIF[:len(withEXIF)-2], []byte{0xff})
				return withEXIF[:i+1]
			}(),
			want: []string{"other JPEG ImageData"},
		},
		{
			name: "JPEG with bytes between segments",
			in: func() []byte {
				i := bytes.Index(jpg, []byte{0xff, 0xc0}) // the SOF0
				return append(append(append([]byte(nil), jpg[:i]...), "hidden "+plantedMarker...), jpg[i:]...)
			}(),
			out:  jpg,
			want: []string{"embedded JPEG ExtraneousData"},
		},
		{
			// libjpeg skips an 0xFF00 pair outside entropy-coded data
			// as stuffed data ("extraneous bytes before marker").
			name: "JPEG with 0xFF00 and bytes between segments",
			in: func() []byte {
				i := bytes.Index(jpg, []byte{0xff, 0xc0})
				return append(append(append([]byte(nil), jpg[:i]...), "\xff\x00\xff\xff\x00"+plantedMarker...), jpg[i:]...)
			}(),
			out:  jpg,
			want: []string{"embedded JPEG ExtraneousData"},
		},
		{
			name: "PNG removed chunk with a bad CRC",
			in:   withChunks(png, badCRC(chunk("tEXt", []byte("Author\x00Jane Doe")))),
			want: []string{"identity PNG tEXt Author", "embedded PNG tEXt tEXt"},
			out:  png,
		},
		{
			name: "PNG kept chunk with a bad CRC",
			in:   withChunks(png, badCRC(chunk("gAMA", be32(45455)))),
			want: []string{"embedded PNG gAMA gAMA"},
			out:  png,
		},
		{
			name: "PNG eXIf with a bad CRC: viewers did not turn the image",
			in:   withChunks(png, badCRC(chunk("eXIf", privateTIFF(6)))),
			want: []string{"embedded PNG eXIf eXIf", "location EXIF GPS GPSLatitude"},
			out:  png,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rep := scrubBytes(t, tt.in)
			checkFindings(t, rep, tt.want, nil)
			if !failsCheck(rep) && strings.Contains(tt.name, "PNG") {
				t.Errorf("check would pass: %v", rep.Findings)
			}
			checkClean(t, out, nil)
			if tt.out != nil && !bytes.Equal(out, tt.out) {
				t.Errorf("output differs from the expected %d bytes (got %d)", len(tt.out), len(out))
			}
			if bytes.Contains(out, []byte(plantedMarker)) {
				t.Errorf("the output still holds the marker")
			}
		})
	}
	// Critical chunks with a bad CRC are refused, as decoders refuse them.
	for _, name := range []string{"IHDR", "IDAT", "IEND"} {
		i := bytes.Index(png, []byte(name))
		n := int(binary.BigEndian.Uint32(png[i-4:]))
		in := append([]byte(nil), png...)
		in[i+4+n] ^= 1
		if _, err := Scrub(new(bytes.Buffer), bytes.NewReader(in), nil); err == nil {
			t.Errorf("%s with a bad CRC: no error", name)
		}
	}
}

// TestPhotoshopUnknown checks that image resources and IPTC datasets that
// exifscrub does not know fail check, but for settings and bookkeeping.
func TestPhotoshopUnknown(t *testing.T) {
	irb := func(id uint16, data []byte) []byte {
		b := append([]byte("8BIM"), byte(id>>8), byte(id), 0, 0)
		b = append(b, be32(uint32(len(data)))...)
		b = append(b, data...)
		if len(data)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	iptc := []byte{0x1c, 1, 90, 0, 3, 0x1b, 0x25, 0x47} // 1:90 CodedCharacterSet, UTF-8
	iptc = append(iptc, 0x1c, 2, 0, 0, 2, 0, 4)         // 2:0 ApplicationRecordVersion
	iptc = append(iptc, 0x1c, 2, 199, 0, byte(len(plantedMarker)))
	iptc = append(iptc, plantedMarker...)                    // an unknown dataset with text
	iptc = append(iptc, 0x1c, 3, 10, 0, 3, 0xff, 0x00, 0x01) // an unknown record with data
	iptc = append(iptc, "trailing "+plantedMarker...)
	b := bytes.Join([][]byte{
		irb(0x03ed, make([]byte, 16)), // ResolutionInfo
		irb(0x041a, []byte("slice named "+plantedMarker)),
		irb(0x0404, iptc),
	}, nil)
	rep := new(Report)
	parsePhotoshop(rep, b)
	checkFindings(t, rep, []string{"other Photoshop 0x03ed", "embedded Photoshop 0x041a", "text IPTC 2:199",
		"embedded IPTC 3:10", "embedded IPTC IPTC"}, nil)
	for _, f := range rep.Findings {
		if f.Tag == "1:90" || f.Tag == "2:0" {
			t.Errorf("bookkeeping reported: %v", f)
		}
	}
}
