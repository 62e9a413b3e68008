package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/riff"
	"github.com/exifscrub/exifscrub/internal/tiff"
	iwebp "github.com/exifscrub/exifscrub/internal/webp"
)

// Building WebP files by hand (RFC 9649 §2.3, §2.4).

// chunkBytes encodes a chunk: FourCC, little-endian size, payload, and a
// zero pad byte when the size is odd.
func chunkBytes(id string, payload []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(payload)))
	b = append(b, payload...)
	if len(payload)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// riffFile wraps chunks in a RIFF WEBP header with the right size.
func riffFile(chunks ...[]byte) []byte {
	body := bytes.Join(chunks, nil)
	b := []byte("RIFF\x00\x00\x00\x00WEBP")
	binary.LittleEndian.PutUint32(b[4:], uint32(4+len(body)))
	return append(b, body...)
}

// vp8xPayload is a VP8X payload with the given flags for a 1×1 canvas.
func vp8xPayload(flags byte) []byte { return []byte{flags, 0, 0, 0, 0, 0, 0, 0, 0, 0} }

// anmfPayload is an ANMF payload: a 16-byte frame header and the chunks.
func anmfPayload(chunks ...[]byte) []byte {
	hdr := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0} // 1×1 at 0,0 for 100 ms
	return append(hdr, bytes.Join(chunks, nil)...)
}

// testEXIF is a big-endian TIFF block with Make and Orientation in IFD0.
func testEXIF(orientation int, make string) []byte {
	val := append([]byte(make), 0) // longer than 4 bytes: stored after the IFD
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2}
	b = append(b, 0x01, 0x0f, 0, 2) // Make, ASCII
	b = binary.BigEndian.AppendUint32(b, uint32(len(val)))
	b = binary.BigEndian.AppendUint32(b, 8+2+2*12+4)
	b = append(b, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0) // Orientation, SHORT
	b = append(b, 0, 0, 0, 0)                                               // no IFD1
	return append(b, val...)
}

// Stand-ins for image data: Scrub checks their headers only. fakeVP8 is
// a 1x1 frame from cwebp, with a byte added to make its length odd.
var (
	fakeVP8  = []byte("\xd0\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\x00\x34\x25\xa0\x02\x74\xba\x01\xf8\x00\x03\xb0\x00\xfe\xf0\xc4\x0b\xff\x20\xb9\x61\x75\xc8\xd7\xff\x20\x3f\xe4\x07\xfc\x80\xff\xf8\xf2\x00\x00\x00x")
	fakeVP8L = []byte("\x2f\x00\x00\x00\x00lossless") // odd length: padded
	fakeALPH = []byte("\x01alpha!")                   // compressed: not checked
	fakeICC  = cleanICC()                             // a sanitised profile, which Scrub keeps as it is
	fakeANIM = []byte{0xff, 0xff, 0xff, 0xff, 0, 0}
)

// webpLayout lists the chunks of a WebP file, with the contents of ANMF
// frames in brackets, checking every size on the way: "VP8X ICCP VP8 EXIF".
func webpLayout(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		t.Fatalf("output does not start with a RIFF WEBP header: %q", b[:min(len(b), 12)])
	}
	if got, want := binary.LittleEndian.Uint32(b[4:]), uint32(len(b)-8); got != want {
		t.Fatalf("RIFF size is %d, want %d", got, want)
	}
	var list func(b []byte) string
	list = func(b []byte) string {
		var names []string
		for len(b) > 0 {
			if len(b) < 8 {
				t.Fatalf("%d stray bytes after the last chunk", len(b))
			}
			id, n := string(b[:4]), int(binary.LittleEndian.Uint32(b[4:]))
			if 8+n+n%2 > len(b) {
				t.Fatalf("chunk %q of %d bytes overruns its parent", id, n)
			}
			p := b[8 : 8+n]
			if n%2 == 1 && b[8+n] != 0 {
				t.Errorf("chunk %q pad byte is %#x, want 0", id, b[8+n])
			}
			name := strings.TrimSpace(id)
			if id == "ANMF" {
				name += "[" + list(p[16:]) + "]"
			}
			names = append(names, name)
			b = b[8+n+n%2:]
		}
		return strings.Join(names, " ")
	}
	return list(b[12:])
}

// findChunk returns the payload of the first top-level chunk id.
func findChunk(b []byte, id string) []byte {
	for b = b[12:]; len(b) >= 8; {
		n := int(binary.LittleEndian.Uint32(b[4:]))
		if 8+n > len(b) {
			return nil
		}
		if string(b[:4]) == id {
			return b[8 : 8+n]
		}
		b = b[min(len(b), 8+n+n%2):]
	}
	return nil
}

func hasFinding(rep *Report, container, tag string) bool {
	for _, f := range rep.Findings {
		if f.Container == container && f.Tag == tag {
			return true
		}
	}
	return false
}

// webpCases are hand-built files and what Scrub must make of them.
var webpCases = []struct {
	name   string
	in     []byte
	opts   *Options
	layout string // chunks of the output
	flags  int    // VP8X flags of the output, or -1 without VP8X
	exif   int    // orientation of the output's minimal EXIF, or 0
	// exifPrefix says the output's EXIF starts with "Exif\0\0", as the
	// input's did.
	exifPrefix bool
	report     []string // "container|tag" findings the report must have
}{
	{
		name: "extended still image",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagICC|iwebp.FlagAlpha|iwebp.FlagEXIF|iwebp.FlagXMP)),
			chunkBytes("ICCP", fakeICC),
			chunkBytes("ALPH", fakeALPH),
			chunkBytes("VP8 ", fakeVP8),
			chunkBytes("EXIF", testEXIF(6, "Acme Corp")),
			chunkBytes("XMP ", []byte(testXMP)),
			chunkBytes("XYZW", []byte("private")),
		),
		layout: "VP8X ICCP ALPH VP8 EXIF", flags: iwebp.FlagICC | iwebp.FlagAlpha | iwebp.FlagEXIF, exif: 6,
		report: []string{"EXIF IFD0|Make", "XMP|dc:creator", "XMP|xmp:CreateDate", "WebP XYZW|XYZW"},
	},
	{
		name: "DropColorProfile",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagICC|iwebp.FlagEXIF)),
			chunkBytes("ICCP", fakeICC),
			chunkBytes("VP8L", fakeVP8L),
			chunkBytes("EXIF", testEXIF(6, "Acme Corp")),
		),
		opts:   &Options{DropColorProfile: true},
		layout: "VP8X VP8L EXIF", flags: iwebp.FlagEXIF, exif: 6,
		report: []string{"WebP ICCP|ICCP", "EXIF IFD0|Make"},
	},
	{
		name: "DropOrientation",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagICC|iwebp.FlagEXIF)),
			chunkBytes("ICCP", fakeICC),
			chunkBytes("VP8L", fakeVP8L),
			chunkBytes("EXIF", testEXIF(6, "Acme Corp")),
		),
		opts:   &Options{DropOrientation: true},
		layout: "VP8X ICCP VP8L", flags: iwebp.FlagICC,
		report: []string{"EXIF IFD0|Orientation", "EXIF IFD0|Make"},
	},
	{
		name: "normal orientation is not kept",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagEXIF)),
			chunkBytes("VP8 ", fakeVP8),
			chunkBytes("EXIF", testEXIF(1, "Acme Corp")),
		),
		layout: "VP8X VP8", flags: 0,
		report: []string{"EXIF IFD0|Make"},
	},
	{
		name: "EXIF with a JPEG Exif header",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagEXIF)),
			chunkBytes("VP8 ", fakeVP8),
			chunkBytes("EXIF", append([]byte("Exif\x00\x00"), testEXIF(8, "Acme Corp")...)),
		),
		layout: "VP8X VP8 EXIF", flags: iwebp.FlagEXIF, exif: 8, exifPrefix: true,
		report: []string{"EXIF IFD0|Make"},
	},
	{
		name: "only the first EXIF chunk sets the orientation",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagEXIF)),
			chunkBytes("VP8 ", fakeVP8),
			chunkBytes("EXIF", testEXIF(1, "First Corp")),
			chunkBytes("EXIF", testEXIF(6, "Second Corp")),
		),
		layout: "VP8X VP8", flags: 0,
		report: []string{"EXIF IFD0|Make"},
	},
	{
		name: "metadata before the image data",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagEXIF|iwebp.FlagXMP)),
			chunkBytes("EXIF", testEXIF(3, "Acme Corp")),
			chunkBytes("XMP ", []byte(testXMP)),
			chunkBytes("XYZW", []byte("private")),
			chunkBytes("VP8L", fakeVP8L),
		),
		layout: "VP8X VP8L EXIF", flags: iwebp.FlagEXIF, exif: 3,
		report: []string{"EXIF IFD0|Make", "XMP|dc:creator", "WebP XYZW|XYZW"},
	},
	{
		name: "VP8X flags that lie about metadata, and reserved bits",
		in: riffFile(
			chunkBytes("VP8X", []byte{0xff, 1, 2, 3, 0, 0, 0, 0, 0, 0}),
			chunkBytes("ANIM", fakeANIM),
			chunkBytes("ANMF", anmfPayload(chunkBytes("VP8L", fakeVP8L))),
		),
		layout: "VP8X ANIM ANMF[VP8L]", flags: iwebp.FlagAlpha | iwebp.FlagAnimation,
	},
	{
		name: "ICCP without its flag",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(0)),
			chunkBytes("ICCP", fakeICC),
			chunkBytes("VP8 ", fakeVP8),
		),
		layout: "VP8X ICCP VP8", flags: iwebp.FlagICC,
	},
	{
		name: "alpha flag set for a VP8L bitstream with alpha_is_used",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagEXIF)),
			chunkBytes("VP8L", []byte("\x2f\x00\x00\x00\x10lossless")),
			chunkBytes("EXIF", testEXIF(1, "Acme Corp")),
		),
		layout: "VP8X VP8L", flags: iwebp.FlagAlpha,
		report: []string{"EXIF IFD0|Make"},
	},
	{
		name: "alpha flag set for an ALPH chunk",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(0)),
			chunkBytes("ALPH", fakeALPH),
			chunkBytes("VP8 ", fakeVP8),
		),
		layout: "VP8X ALPH VP8", flags: iwebp.FlagAlpha,
	},
	{
		name: "animation",
		in: riffFile(
			chunkBytes("VP8X", vp8xPayload(iwebp.FlagAnimation|iwebp.FlagAlpha|iwebp.FlagEXIF|iwebp.FlagXMP)),
			chunkBytes("ANIM", fakeANIM),
			chunkBytes("ANMF", anmfPayload(chunkBytes("ALPH", fakeALPH), chunkBytes("VP8 ", fakeVP8), chunkBytes("XYZW", []byte("in a frame")))),
			chunkBytes("EXIF", testEXIF(1, "Between Frames")),
			chunkBytes("ANMF", anmfPayload(chunkBytes("VP8L", fakeVP8L))),
			chunkBytes("XMP ", []byte(testXMP)),
		),
		layout: "VP8X ANIM ANMF[ALPH VP8] ANMF[VP8L]", flags: iwebp.FlagAnimation | iwebp.FlagAlpha,
		report: []string{"WebP XYZW|XYZW", "EXIF IFD0|Make", "XMP|dc:creator"},
	},
	{
		name: "simple lossy file with metadata after it",
		in: riffFile(
			chunkBytes("VP8 ", fakeVP8),
			chunkBytes("EXIF", testEXIF(6, "Acme Corp")),
			chunkBytes("XMP ", []byte(testXMP)),
		),
		layout: "VP8 EXIF", flags: -1, exif: 6,
		report: []string{"EXIF IFD0|Make", "XMP|dc:creator"},
	},
	{
		name:   "simple lossless file, nothing to remove",
		in:     riffFile(chunkBytes("VP8L", fakeVP8L)),
		layout: "VP8L", flags: -1,
	},
	{
		name:   "data after the RIFF chunk",
		in:     append(riffFile(chunkBytes("VP8L", fakeVP8L)), "GPS 48.85,2.29"...),
		layout: "VP8L", flags: -1,
		report: []string{"WebP|Trailer"},
	},
	{
		name: "a pad byte that is not zero",
		in: func() []byte {
			b := riffFile(chunkBytes("VP8L", fakeVP8L))
			b[len(b)-1] = 'x'
			return b
		}(),
		layout: "VP8L", flags: -1,
	},
	{
		name: "unprintable unknown chunk",
		in: riffFile(
			chunkBytes("VP8L", fakeVP8L),
			chunkBytes("\x00\x01\xfe\n", []byte("?")),
		),
		layout: "VP8L", flags: -1,
		report: []string{`WebP "\x00\x01\xfe\n"|"\x00\x01\xfe\n"`},
	},
}

// TestWebPStructure checks what Scrub keeps, removes and rewrites in
// hand-built files, and that Scan reports what Scrub removes.
func TestWebPStructure(t *testing.T) {
	for _, tt := range webpCases {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			rep, err := Scrub(&out, bytes.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("Scrub: %v", err)
			}
			b := out.Bytes()
			if got := webpLayout(t, b); got != tt.layout {
				t.Errorf("layout: got %q, want %q", got, tt.layout)
			}
			if p := findChunk(b, "VP8X"); tt.flags < 0 {
				if p != nil {
					t.Errorf("output has a VP8X chunk, want none")
				}
			} else if len(p) != iwebp.VP8XSize {
				t.Errorf("VP8X payload is %d bytes, want %d", len(p), iwebp.VP8XSize)
			} else {
				if got := int(p[0]); got != tt.flags {
					t.Errorf("VP8X flags: got %#02x, want %#02x", got, tt.flags)
				}
				if !bytes.Equal(p[1:4], []byte{0, 0, 0}) {
					t.Errorf("VP8X reserved bytes: got %x, want 000000", p[1:4])
				}
			}
			exif := findChunk(b, "EXIF")
			switch {
			case tt.exif == 0 && exif != nil:
				t.Errorf("output has an EXIF chunk %x, want none", exif)
			case tt.exif != 0 && !bytes.Equal(bytes.TrimPrefix(exif, sigExifChunk), tiff.Minimal(tt.exif)):
				t.Errorf("EXIF chunk: got %x, want the minimal block for orientation %d", exif, tt.exif)
			case tt.exif != 0 && bytes.HasPrefix(exif, sigExifChunk) != tt.exifPrefix:
				t.Errorf("EXIF chunk %x: has the Exif\\0\\0 header %v, want %v", exif, !tt.exifPrefix, tt.exifPrefix)
			}
			for _, want := range tt.report {
				container, tag, _ := strings.Cut(want, "|")
				if !hasFinding(rep, container, tag) {
					t.Errorf("report misses %s %s; it has %v", container, tag, rep.Findings)
				}
			}
			if len(tt.report) == 0 && len(rep.Findings) > 0 {
				t.Errorf("report: got %v, want nothing", rep.Findings)
			}
			scanned, err := Scan(bytes.NewReader(tt.in))
			if tt.opts == nil {
				if err != nil || !reflect.DeepEqual(scanned, rep) {
					t.Errorf("Scan reports %v, %v; Scrub reported %v", scanned, err, rep)
				}
			}
			checkClean(t, b, tt.opts)
		})
	}
}

// TestWebPMalformed checks that malformed files give a *FormatError that
// says what is wrong, and that nothing is written.
func TestWebPMalformed(t *testing.T) {
	vp8l := chunkBytes("VP8L", fakeVP8L)
	still := chunkBytes("VP8X", vp8xPayload(0))
	animated := chunkBytes("VP8X", vp8xPayload(iwebp.FlagAnimation))
	anim := chunkBytes("ANIM", fakeANIM)
	frame := chunkBytes("ANMF", anmfPayload(vp8l))
	withRIFFSize := func(b []byte, size uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[4:], size)
		return b
	}
	good := riffFile(still, chunkBytes("VP8 ", fakeVP8), chunkBytes("EXIF", testEXIF(6, "Acme Corp")))
	tests := []struct {
		name      string
		in        []byte
		want      string // in the error message
		truncated bool   // the error wraps io.ErrUnexpectedEOF
		refused   bool   // the error wraps ErrUnsupportedFeature
	}{
		{"RIFF size larger than the data", withRIFFSize(good, uint32(len(good)-8+2)), "RIFF size", true, false},
		{"RIFF size far larger than the data", withRIFFSize(good, 0xffff_ffff), "exceeds 2^32-10", false, false},
		{"RIFF size 4 GiB - 10", withRIFFSize(good, iwebp.MaxRIFFSize), "larger than the file", true, false},
		{"RIFF size smaller than the chunks", withRIFFSize(good, uint32(len(good)-8-10)), `chunk "EXIF" size`, false, false},
		{"RIFF size too small for a chunk", withRIFFSize(good, 6), "leaves no room", false, false},
		{"RIFF size in the middle of a chunk header", withRIFFSize(good, uint32(4+len(still)+3)), "too few for a chunk header", false, false},
		{"chunk size past the end", riffFile(still, []byte("VP8 \xff\x00\x00\x00short")), `chunk "VP8 " size 255 exceeds`, false, false},
		{"chunk size 4 GiB", riffFile(still, []byte("VP8 \xff\xff\xff\xffshort")), "exceeds", false, false},
		{"odd size without pad byte", riffFile(still, []byte("VP8L\x05\x00\x00\x00abcde")), "no padding byte", false, false},
		{"odd size without pad byte in a frame", riffFile(animated, anim, chunkBytes("ANMF", append(anmfPayload(), "VP8L\x03\x00\x00\x00abc"...))), "no padding byte", false, false},
		{"first chunk not an image", riffFile(chunkBytes("EXIF", testEXIF(1, "Acme Corp")), vp8l), `first chunk is "EXIF"`, false, false},
		{"VP8X too short", riffFile(chunkBytes("VP8X", []byte{0, 0, 0, 0}), vp8l), "VP8X size 4", false, false},
		{"VP8X too long", riffFile(chunkBytes("VP8X", make([]byte, 12)), vp8l), "VP8X size 12", false, true},
		{"second VP8X", riffFile(still, still, vp8l), "second VP8X", false, false},
		{"animation flag without frames", riffFile(animated, anim, vp8l), "outside an ANMF", false, false},
		{"animation flag, no ANMF at all", riffFile(animated, anim), "without ANMF frames", false, false},
		{"ANIM without the animation flag", riffFile(still, anim, frame), "animation flag is clear", false, false},
		{"ANMF without the animation flag", riffFile(still, frame), "animation flag is clear", false, false},
		{"ANMF before ANIM", riffFile(animated, frame, anim), "before the ANIM", false, false},
		{"second ANIM", riffFile(animated, anim, anim, frame), "second ANIM", false, false},
		{"ANIM of the wrong size", riffFile(animated, chunkBytes("ANIM", []byte{1, 2, 3, 4}), frame), "ANIM size 4", false, false},
		{"ANMF too short", riffFile(animated, anim, chunkBytes("ANMF", make([]byte, 10))), "ANMF size 10", false, false},
		{"ANMF without a bitstream", riffFile(animated, anim, chunkBytes("ANMF", anmfPayload(chunkBytes("ALPH", fakeALPH)))), "without a bitstream", false, false},
		{"ANMF with two bitstreams", riffFile(animated, anim, chunkBytes("ANMF", anmfPayload(vp8l, vp8l))), "after the bitstream of a frame", false, false},
		{"ANMF with two ALPH", riffFile(animated, anim, chunkBytes("ANMF", anmfPayload(chunkBytes("ALPH", fakeALPH), chunkBytes("ALPH", fakeALPH), vp8l))), "second ALPH", false, false},
		{"frame chunk past the ANMF end", riffFile(animated, anim, chunkBytes("ANMF", append(anmfPayload(), "VP8L\x40\x00\x00\x00abcd"...))), "left in the ANMF chunk", false, false},
		{"ICCP after the image data", riffFile(still, vp8l, chunkBytes("ICCP", fakeICC)), "ICCP chunk after", false, false},
		{"ICCP after ANIM", riffFile(animated, anim, chunkBytes("ICCP", fakeICC), frame), "ICCP chunk after", false, false},
		{"second ICCP", riffFile(still, chunkBytes("ICCP", fakeICC), chunkBytes("ICCP", fakeICC), vp8l), "second ICCP", false, false},
		{"two bitstreams in a still image", riffFile(still, vp8l, vp8l), "after the bitstream of a still image", false, false},
		{"ALPH after the bitstream", riffFile(still, vp8l, chunkBytes("ALPH", fakeALPH)), "after the bitstream of a still image", false, false},
		{"ALPH without a bitstream", riffFile(still, chunkBytes("ALPH", fakeALPH)), "no \"VP8 \" or \"VP8L\"", false, false},
		{"two ALPH", riffFile(still, chunkBytes("ALPH", fakeALPH), chunkBytes("ALPH", fakeALPH), vp8l), "second ALPH", false, false},
		{"extended file without image data", riffFile(still, chunkBytes("EXIF", testEXIF(1, "Acme Corp"))), "no \"VP8 \" or \"VP8L\"", false, false},
		{"simple file with a second bitstream", riffFile(vp8l, vp8l), "simple-format file", false, false},
		{"simple file with a late VP8X", riffFile(vp8l, still), "simple-format file", false, false},
		{"simple file with ICCP", riffFile(vp8l, chunkBytes("ICCP", fakeICC)), "simple-format file", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := Scrub(&out, bytes.NewReader(tt.in), nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Scrub: got error %v, want a *FormatError", err)
			}
			if fe.Format != WebP {
				t.Errorf("FormatError.Format: got %q, want %q", fe.Format, WebP)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.truncated {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v (%v)", got, tt.truncated, err)
			}
			if got := errors.Is(err, ErrUnsupportedFeature); got != tt.refused {
				t.Errorf("errors.Is(err, ErrUnsupportedFeature) = %v, want %v (%v)", got, tt.refused, err)
			}
			if fe.Offset < 0 || fe.Offset > int64(len(tt.in)) {
				t.Errorf("offset %d is outside the %d-byte file", fe.Offset, len(tt.in))
			}
			if out.Len() > 0 {
				t.Errorf("Scrub wrote %d bytes before failing", out.Len())
			}
			if _, err := Scan(bytes.NewReader(tt.in)); err == nil {
				t.Errorf("Scan succeeds where Scrub fails")
			}
		})
	}
}

// TestWebPTruncated cuts the hand-built files at every offset, and the
// real samples at every offset near the start and near each chunk
// boundary and at a stride in between: each cut must give an error, never
// a panic or a partial output.
func TestWebPTruncated(t *testing.T) {
	inputs := map[string][]byte{}
	for _, tt := range webpCases {
		inputs[tt.name] = tt.in
	}
	for _, path := range sampleFiles(t, false, WebP) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(path)] = b
	}
	for name, in := range inputs {
		if name == "data after the RIFF chunk" {
			continue // cutting the trailer leaves a whole image
		}
		t.Run(name, func(t *testing.T) {
			for _, n := range cutOffsets(in) {
				var out bytes.Buffer
				_, err := Scrub(&out, bytes.NewReader(in[:n]), nil)
				switch {
				case err == nil:
					t.Fatalf("cut at %d of %d: no error", n, len(in))
				case n < riff.HeaderSize:
					// too short to detect, or empty
				case !errors.Is(err, io.ErrUnexpectedEOF):
					t.Fatalf("cut at %d of %d: got %v, want io.ErrUnexpectedEOF", n, len(in), err)
				}
				if out.Len() > 0 {
					t.Fatalf("cut at %d: Scrub wrote %d bytes before failing", n, out.Len())
				}
			}
		})
	}
}

// cutOffsets returns where TestWebPTruncated cuts a file: everywhere in
// a small one; in a large one, the first 64 bytes, 3 bytes either side of
// each top-level chunk boundary, and every 97th byte.
func cutOffsets(b []byte) []int {
	if len(b) <= 1024 {
		offs := make([]int, len(b))
		for i := range offs {
			offs[i] = i
		}
		return offs
	}
	cut := make(map[int]bool)
	for i := 0; i < 64; i++ {
		cut[i] = true
	}
	for i := 0; i < len(b); i += 97 {
		cut[i] = true
	}
	for off := 12; off+8 <= len(b); {
		for d := -3; d <= 3; d++ {
			cut[off+d] = true
		}
		n := int(binary.LittleEndian.Uint32(b[off+4:]))
		off += 8 + n + n%2
	}
	var offs []int
	for i := range cut {
		if i >= 0 && i < len(b) {
			offs = append(offs, i)
		}
	}
	sort.Ints(offs)
	return offs
}

// A failing writer must make Scrub fail with the writer's error.
func TestWebPWriteError(t *testing.T) {
	errDisk := errors.New("disk full")
	_, err := Scrub(failWriter{errDisk}, bytes.NewReader(webpCases[0].in), nil)
	if !errors.Is(err, errDisk) {
		t.Errorf("got %v, want %v", err, errDisk)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// webpStructure matches what ExifTool says about the RIFF structure of a
// scrubbed WebP: sizes, flags, VP8 and alpha coding, animation settings.
var webpStructure = regexp.MustCompile(`^RIFF:(WebP_Flags|ImageWidth|ImageHeight|VP8Version|HorizontalScale|VerticalScale|` +
	`AlphaPreprocessing|AlphaFiltering|AlphaCompression|BackgroundColor|AnimationLoopCount|Duration)$`)

// TestWebPRoundTrip scrubs the real WebP files of testdata and the corpus,
// and files made by cwebp and img2webp and tagged by ExifTool, and checks
// the result with ExifTool and libwebp: nothing private is left, the file
// is valid, the pixels (every frame's) and the orientation are unchanged,
// the colour profile survives, and the report covers what ExifTool sees.
func TestWebPRoundTrip(t *testing.T) {
	for _, cmd := range []string{"exiftool", "cwebp", "dwebp", "webpinfo", "webpmux", "img2webp", "gif2webp"} {
		need(t, cmd)
	}
	made := makeWebPs(t)
	for _, path := range append(sampleFiles(t, !testing.Short(), WebP), made...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			checkWebPRoundTrip(t, path, nil)
		})
	}
	for _, path := range append(sampleFiles(t, false, WebP), made[3]) { // icc.webp
		t.Run("DropColorProfile/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			out := checkWebPRoundTrip(t, path, &Options{DropColorProfile: true})
			if hasICC(exiftool(t, out)) {
				t.Errorf("ICC profile kept with DropColorProfile")
			}
		})
	}
}

func checkWebPRoundTrip(t *testing.T, path string, opts *Options) (outPath string) {
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep, err := Scrub(&buf, bytes.NewReader(in), opts)
	if err != nil {
		t.Fatalf("Scrub: %v", err)
	}
	out := buf.Bytes()
	outPath = writeTemp(t, "scrubbed.webp", out)
	t.Logf("%s: %d -> %d bytes, %s", filepath.Base(path), len(in), len(out), webpLayout(t, out))

	if bad := leftovers(t, outPath, webpStructure); len(bad) > 0 {
		t.Errorf("ExifTool still sees %d tags after scrub:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	checkClean(t, out, opts)
	if msg, err := exec.Command("webpinfo", "-quiet", "-diag", outPath).CombinedOutput(); err != nil {
		t.Errorf("webpinfo finds the output invalid: %v\n%s", err, msg)
	}
	sameWebPPixels(t, path, outPath)

	before, after := exiftool(t, path), exiftool(t, outPath)
	if o := orientation(before); o != orientation(after) {
		t.Errorf("orientation: got %q, want %q", orientation(after), o)
	}
	if (opts == nil || !opts.DropColorProfile) && hasICC(before) && !hasICC(after) {
		t.Errorf("ICC profile lost")
	}
	checkReportCovers(t, rep, before)
	return outPath
}

// sameWebPPixels decodes both files with libwebp's dwebp and compares the
// pixels. Animations are compared frame by frame: webpmux lists the frames
// (size, offset, duration, disposal, blending, coding) and extracts each.
func sameWebPPixels(t *testing.T, a, b string) {
	t.Helper()
	infoB := webpmuxInfo(t, b)
	frames := 0
	if _, n, ok := strings.Cut(infoB, "Number of frames: "); ok {
		fmt.Sscan(n, &frames)
	}
	if frames == 0 {
		if !reflect.DeepEqual(dwebp(t, a), dwebp(t, b)) {
			t.Errorf("decoded pixels differ")
		}
		return
	}
	if infoA := webpmuxInfo(t, a); frameList(infoA) != frameList(infoB) {
		t.Errorf("frames differ:\n%s\nvs\n%s", infoA, infoB)
	}
	dir := t.TempDir()
	for i := 1; i <= frames; i++ {
		fa, fb := filepath.Join(dir, fmt.Sprintf("a%d.webp", i)), filepath.Join(dir, fmt.Sprintf("b%d.webp", i))
		for _, x := range [][2]string{{a, fa}, {b, fb}} {
			if msg, err := exec.Command("webpmux", "-get", "frame", fmt.Sprint(i), x[0], "-o", x[1]).CombinedOutput(); err != nil {
				t.Fatalf("webpmux -get frame %d %s: %v\n%s", i, x[0], err, msg)
			}
		}
		if !reflect.DeepEqual(dwebp(t, fa), dwebp(t, fb)) {
			t.Errorf("frame %d: decoded pixels differ", i)
		}
	}
}

func webpmuxInfo(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("webpmux", "-info", path).CombinedOutput()
	if err != nil {
		t.Fatalf("webpmux -info %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// frameList is the frame table of webpmux -info: one line per frame with
// its size, alpha, offset, duration, disposal, blending and coding.
func frameList(info string) string {
	_, list, _ := strings.Cut(info, "Number of frames")
	list, _, _ = strings.Cut(list, "Size of the")
	return list
}

// dwebp decodes a still WebP with libwebp.
func dwebp(t *testing.T, path string) image.Image {
	t.Helper()
	out := filepath.Join(t.TempDir(), "decoded.png")
	if msg, err := exec.Command("dwebp", "-quiet", path, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("dwebp %s: %v\n%s", path, err, msg)
	}
	m, err := decodeFile(out)
	if err != nil {
		t.Fatalf("decoding dwebp's PNG: %v", err)
	}
	return m
}

// makeWebPs makes WebP files with libwebp's tools from images drawn here:
// lossy, lossless, lossy with alpha, with an ICC profile (in that order),
// an animation mixing lossy frames with alpha and lossless ones
// (img2webp), and one converted from an animated GIF (gif2webp). ExifTool
// then writes GPS, time, device, creator and orientation tags into each.
func makeWebPs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		if msg, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, msg)
		}
	}
	pngs := make([]string, 3)
	for i := range pngs {
		pngs[i] = filepath.Join(dir, fmt.Sprintf("frame%d.png", i))
		writeWebPSourcePNG(t, pngs[i], i)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	run("cwebp", "-quiet", pngs[0], "-o", p("lossy.webp"))
	run("cwebp", "-quiet", "-lossless", pngs[1], "-o", p("lossless.webp"))
	run("cwebp", "-quiet", "-alpha_q", "50", pngs[1], "-o", p("alpha.webp"))
	run("cwebp", "-quiet", "-alpha_q", "80", pngs[2], "-o", p("icc.webp"))
	run("img2webp", "-loop", "3", "-lossy", pngs[0], "-d", "80", pngs[1], "-lossless", "-d", "120", pngs[2], "-o", p("animated.webp"))
	writeTestGIF(t, p("animated.gif"))
	run("gif2webp", "-quiet", p("animated.gif"), "-o", p("gif.webp"))

	icc := p("profile.icc")
	iccData, err := exec.Command("exiftool", "-b", "-ICC_Profile", filepath.Join("testdata", "pillow__flower2.webp")).Output()
	if err != nil || len(iccData) == 0 {
		t.Fatalf("extracting an ICC profile: %v", err)
	}
	if err := os.WriteFile(icc, iccData, 0o644); err != nil {
		t.Fatal(err)
	}
	run("exiftool", "-q", "-overwrite_original", "-ICC_Profile<="+icc, p("icc.webp"))

	files := []string{p("lossy.webp"), p("lossless.webp"), p("alpha.webp"), p("icc.webp"), p("animated.webp"), p("gif.webp")}
	for i, f := range files {
		run("exiftool", "-q", "-n", "-overwrite_original",
			"-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
			"-Make=Acme", "-Model=Phone 1", "-SerialNumber=SN123456",
			"-DateTimeOriginal=2024:01:02 03:04:05", "-XMP-dc:Creator=Jane Doe", "-XMP-xmp:CreatorTool=Editor 2",
			fmt.Sprintf("-Orientation=%d", []int{6, 1, 8, 3, 6, 5}[i]), f)
	}
	return files
}

// writeWebPSourcePNG draws a 48×32 picture with a gradient and, for variants
// 1 and 2, a semi-transparent shape.
func writeWebPSourcePNG(t *testing.T, path string, variant int) {
	m := image.NewNRGBA(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			c := color.NRGBA{uint8(x * 5), uint8(y * 8), uint8(variant * 100), 255}
			if variant > 0 && (x-24)*(x-24)+(y-16)*(y-16) < 100*variant {
				c.A = uint8(60 * variant)
			}
			m.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
}

// writeTestGIF draws a 3-frame animated GIF whose second frame has
// transparent pixels.
func writeTestGIF(t *testing.T, path string) {
	pal := color.Palette{color.Transparent, color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}, color.NRGBA{0, 200, 0, 255}}
	g := &gif.GIF{LoopCount: 0}
	for i := 0; i < 3; i++ {
		m := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		for y := 0; y < 30; y++ {
			for x := 0; x < 40; x++ {
				c := uint8(1 + (x/10+y/10+i)%3)
				if i == 1 && x > 10 && x < 30 && y > 5 && y < 25 {
					c = 0
				}
				m.SetColorIndex(x, y, c)
			}
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10*(i+1))
		g.Disposal = append(g.Disposal, gif.DisposalBackground)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gif.EncodeAll(f, g); err != nil {
		t.Fatal(err)
	}
}

// FuzzWebP checks that Scrub never panics, and that when it succeeds its
// output scans clean, scrubs to itself, and Scan reports what Scrub did.
func FuzzWebP(f *testing.F) {
	for _, tt := range webpCases {
		f.Add(tt.in)
	}
	for _, path := range sampleFiles(f, false, WebP) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if DetectFormat(in) != WebP {
			return // the other formats have their own targets
		}
		checkInvariants(t, in)
	})
}

// BenchmarkScrubWebP scrubs a real WebP with EXIF, XMP and an ICC profile.
func BenchmarkScrubWebP(b *testing.B) {
	in, err := os.ReadFile(filepath.Join("testdata", "pillow__flower2.webp"))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset() // not io.Discard, which would make Scrub a Scan
		if _, err := Scrub(&out, bytes.NewReader(in), nil); err != nil {
			b.Fatal(err)
		}
	}
}
