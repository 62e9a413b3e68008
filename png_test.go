package exifscrub

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// chunkTypes lists the chunk types of a PNG in order.
func chunkTypes(t *testing.T, b []byte) []string {
	t.Helper()
	var types []string
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		types = append(types, string(b[i+4:i+8]))
		i += 12 + n
	}
	return types
}

func deflate(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestScrubPNGChunks(t *testing.T) {
	base := basePNG(t)
	rawExif := append([]byte("Exif\x00\x00"), privateTIFF(3)...)
	imageMagickExif := fmt.Sprintf("\nexif\n%8d\n%x\n", len(rawExif), rawExif)
	tests := []struct {
		name  string
		in    []ifdChunk
		want  []string
		value map[string]string
		keep  []string
	}{
		{
			name: "text chunks",
			in: []ifdChunk{
				{"tEXt", []byte("Author\x00Jane Doe")},
				{"tEXt", []byte("Creation Time\x002024-05-01")},
				{"zTXt", append([]byte("Comment\x00\x00"), deflate("our house")...)},
				{"iTXt", []byte("Title\x00\x00\x00en\x00Titel\x00Holiday \xc3\xa9t\xc3\xa9")},
				{"tIME", []byte{0x07, 0xe8, 5, 1, 12, 34, 56}},
			},
			want:  []string{"identity PNG tEXt Author", "time PNG tEXt Creation Time", "text PNG zTXt Comment", "text PNG iTXt Title", "time PNG tIME ModifyDate"},
			value: map[string]string{"text PNG zTXt Comment": "our house", "text PNG iTXt Title": "Holiday été", "time PNG tIME ModifyDate": "2024-05-01 12:34:56"},
			keep:  []string{"IHDR", "IDAT", "IEND"},
		},
		{
			name:  "XMP in iTXt, compressed",
			in:    []ifdChunk{{"iTXt", append([]byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00"), deflate(testXMP)...)}},
			want:  []string{"identity XMP dc:creator", "location XMP exif:GPSLatitude"},
			value: map[string]string{"identity XMP dc:creator": "Jane Doe"},
			keep:  []string{"IHDR", "IDAT", "IEND"},
		},
		{
			name:  "eXIf with orientation",
			in:    []ifdChunk{{"eXIf", privateTIFF(8)}},
			want:  []string{"location EXIF GPS GPSLatitude", "device EXIF IFD0 Model"},
			value: map[string]string{"location EXIF GPS GPSLongitude": "-13.400000"},
			keep:  []string{"IHDR", "eXIf", "IDAT", "IEND"},
		},
		{
			name: "ImageMagick raw EXIF profile",
			in:   []ifdChunk{{"zTXt", append([]byte("Raw profile type exif\x00\x00"), deflate(imageMagickExif)...)}},
			want: []string{"device EXIF IFD0 Make", "time EXIF ExifIFD DateTimeOriginal"},
			keep: []string{"IHDR", "tEXt", "IDAT", "IEND"}, // the orientation, in the same form
		},
		{
			name: "rendering chunks are kept, others dropped",
			in: []ifdChunk{
				{"gAMA", []byte{0, 0, 0xb1, 0x8f}}, {"cHRM", make([]byte, 32)}, {"sRGB", []byte{0}},
				{"pHYs", []byte{0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1}}, {"sBIT", []byte{8, 8, 8}},
				{"bKGD", []byte{0, 0, 0, 0, 0, 0}}, {"dSIG", []byte("sig")}, {"caBX", []byte("c2pa")},
				{"vpAg", make([]byte, 9)},
			},
			want: []string{"embedded PNG dSIG dSIG", "identity PNG caBX C2PA", "other PNG vpAg vpAg"},
			keep: []string{"IHDR", "gAMA", "cHRM", "sRGB", "pHYs", "sBIT", "bKGD", "IDAT", "IEND"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var chunks [][]byte
			for _, c := range tt.in {
				chunks = append(chunks, chunk(c.typ, c.data))
			}
			in := withChunks(base, chunks...)
			out, rep := scrubBytes(t, in)
			checkFindings(t, rep, tt.want, tt.value)
			if types := chunkTypes(t, out); strings.Join(types, " ") != strings.Join(tt.keep, " ") {
				t.Errorf("output chunks %v, want %v", types, tt.keep)
			}
			checkClean(t, out, nil)
		})
	}
}

type ifdChunk struct {
	typ  string
	data []byte
}

func TestScrubPNGOrientationChunk(t *testing.T) {
	in := withChunks(basePNG(t), chunk("eXIf", privateTIFF(6)))
	out, _ := scrubBytes(t, in)
	want := chunk("eXIf", tiff.Minimal(6))
	if !bytes.Contains(out, want) {
		t.Errorf("output lacks the minimal eXIf chunk % x", want)
	}
}

func TestScrubPNGTrailer(t *testing.T) {
	base := basePNG(t)
	out, rep := scrubBytes(t, append(append([]byte(nil), base...), "trailing secrets"...))
	if !bytes.Equal(out, base) {
		t.Errorf("trailing data not removed")
	}
	if _, ok := findingKeys(rep)["embedded PNG Trailer"]; !ok {
		t.Errorf("trailing data not reported: %v", rep.Findings)
	}
}

func TestScrubPNGErrors(t *testing.T) {
	base := basePNG(t)
	huge := binary.BigEndian.AppendUint32(nil, 1<<31)
	huge = append(huge, "tEXt"...)
	tests := []struct {
		name    string
		in      []byte
		eof     bool
		feature bool
	}{
		{"CRC mismatch in IDAT", func() []byte { b := append([]byte(nil), base...); b[len(b)-13] ^= 1; return b }(), false, false},
		{"length above 2^31-1", withChunks(base, huge), false, false},
		{"length past the end", withChunks(base, append(binary.BigEndian.AppendUint32(nil, 1<<30), "tEXt"...)), true, false},
		{"unknown critical chunk", withChunks(base, chunk("ABCD", nil)), false, true},
		{"bad chunk type", withChunks(base, chunk("t3Xt", nil)), false, false},
		{"IHDR not first", append(append([]byte(nil), pngSignature...), chunk("IEND")...), false, false},
		{"IEND missing", base[:len(base)-12], true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrub(io.Discard, bytes.NewReader(tt.in), nil)
			checkFormatError(t, err, PNG, len(tt.in), tt.eof, tt.feature)
		})
	}
}

// TestPNGBoundedMemory checks that hostile lengths cost no more than the
// input: a compression bomb in zTXt, and a text chunk that claims 2 GB.
func TestPNGBoundedMemory(t *testing.T) {
	base := basePNG(t)
	bomb := withChunks(base, chunk("zTXt", append([]byte("Comment\x00\x00"), deflate(strings.Repeat("A", 64<<20))...)))
	claim := withChunks(base, append(binary.BigEndian.AppendUint32(nil, 1<<31-1), "tEXt"...))
	for _, tc := range []struct {
		name  string
		in    []byte
		limit float64 // bytes allocated per scrub
	}{
		{"zTXt bomb", bomb, 8 << 20},
		{"2 GB claim", claim, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allocated := allocatedBytes(func() { Scrub(io.Discard, bytes.NewReader(tc.in), nil) })
			if float64(allocated) > tc.limit {
				t.Errorf("allocated %d bytes per scrub, want at most %.0f", allocated, tc.limit)
			}
		})
	}
}
