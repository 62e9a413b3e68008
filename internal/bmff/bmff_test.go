package bmff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawBox builds a box with a compact header.
func rawBox(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	return append(append(b, typ...), p...)
}

func TestBoxReader(t *testing.T) {
	large := append(binary.BigEndian.AppendUint32(nil, 1), "mdat"...)
	large = binary.BigEndian.AppendUint64(large, 16+3)
	large = append(large, "abc"...)
	uuid := append(binary.BigEndian.AppendUint32(nil, 8+16+2), "uuid"...)
	uuid = append(uuid, bytes.Repeat([]byte{0xaa}, 16)...)
	uuid = append(uuid, "hi"...)
	type want struct {
		typ     string
		off     int64
		payload string
	}
	tests := []struct {
		name    string
		in      []byte
		top     bool
		want    []want
		wantErr string // substring; "" for none
		eof     bool   // the error wraps io.ErrUnexpectedEOF
	}{
		{"empty", nil, true, nil, "", false},
		{"two boxes", append(rawBox("ftyp", []byte("heic")), rawBox("free")...), true,
			[]want{{"ftyp", 0, "heic"}, {"free", 12, ""}}, "", false},
		{"largesize", large, true, []want{{"mdat", 0, "abc"}}, "", false},
		{"uuid", uuid, true, []want{{"uuid", 0, "hi"}}, "", false},
		{"size 0 at top level", append(rawBox("ftyp"), 0, 0, 0, 0, 'm', 'd', 'a', 't', 'x', 'y'), true,
			[]want{{"ftyp", 0, ""}, {"mdat", 8, "xy"}}, "", false},
		{"size 0 inside a box", []byte{0, 0, 0, 0, 'f', 'r', 'e', 'e'}, false, nil, "size 0", false},
		{"short header", []byte{0, 0, 0, 8, 'f', 'r'}, true, nil, "header truncated", true},
		{"size below header", []byte{0, 0, 0, 7, 'f', 'r', 'e', 'e'}, true, nil, "smaller than its header", false},
		{"size past the end", []byte{0, 0, 0, 9, 'f', 'r', 'e', 'e'}, true, nil, "exceeds the 8 bytes left", true},
		{"largesize truncated", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0}, true, nil, "largesize truncated", true},
		{"largesize past the end", append([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't'}, 0xff, 0, 0, 0, 0, 0, 0, 0), true, nil, "exceeds", true},
		{"largesize below header", append([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't'}, 0, 0, 0, 0, 0, 0, 0, 15), true, nil, "smaller than its header", false},
		{"uuid without usertype", []byte{0, 0, 0, 12, 'u', 'u', 'i', 'd', 1, 2, 3, 4}, true, nil, "smaller than its header", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in, 0, tt.top)
			var got []want
			for {
				bx, ok := r.Next()
				if !ok {
					break
				}
				got = append(got, want{bx.Type.String(), bx.Offset, string(bx.Payload)})
				if bx.End() > int64(len(tt.in)) {
					t.Errorf("box %s ends at %d, past the input's %d bytes", bx.Type, bx.End(), len(tt.in))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got boxes %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("box %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			switch {
			case tt.wantErr == "" && r.err != nil:
				t.Errorf("got error %v, want none", r.err)
			case tt.wantErr != "" && (r.err == nil || !strings.Contains(r.err.Error(), tt.wantErr)):
				t.Errorf("got error %v, want one containing %q", r.err, tt.wantErr)
			case tt.eof != errors.Is(r.err, io.ErrUnexpectedEOF):
				t.Errorf("error %v: wraps io.ErrUnexpectedEOF = %v, want %v", r.err, !tt.eof, tt.eof)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	c := NewCursor(Box{Type: FourCC{'t', 'e', 's', 't'}, Offset: 100, HeaderLen: 8,
		Payload: []byte{1, 0, 0, 2, 0xab, 0xcd, 'h', 'i', 0, 'x', 'y'}})
	if v, f := c.FullBox(); v != 1 || f != 2 {
		t.Errorf("FullBox: got %d, %d, want 1, 2", v, f)
	}
	if got := c.U16(); got != 0xabcd {
		t.Errorf("U16: got %#x, want 0xabcd", got)
	}
	if got := string(c.Rest()); got != "hi\x00xy" {
		t.Errorf("Rest: got %q, want %q", got, "hi\x00xy")
	}
	if got := c.UTF8String(); got != "hi" {
		t.Errorf("UTF8String: got %q, want %q", got, "hi")
	}
	if got := c.UTF8String(); got != "xy" { // unterminated at the end of the box
		t.Errorf("UTF8String: got %q, want %q", got, "xy")
	}
	if c.err != nil {
		t.Fatalf("unexpected error %v", c.err)
	}
	if got := c.U32(); got != 0 || c.err == nil {
		t.Fatalf("U32 past the end: got %d, %v, want 0 and an error", got, c.err)
	}
	var be *Error
	if !errors.As(c.err, &be) || be.Offset != 119 || !errors.Is(be.Err, io.ErrUnexpectedEOF) {
		t.Errorf("error %#v: want offset 119 and io.ErrUnexpectedEOF", c.err)
	}
	first := c.err
	c.U8()
	if c.err != first {
		t.Errorf("error changed from %v to %v; it should stick", first, c.err)
	}
}

func TestFourCCString(t *testing.T) {
	for _, tt := range []struct {
		in   FourCC
		want string
	}{
		{FourCC{'f', 't', 'y', 'p'}, "ftyp"},
		{FourCC{'u', 'r', 'l', ' '}, "url"},          // no surrounding space
		{FourCC{0xa9, 'n', 'a', 'm'}, "?nam"},        // QuickTime's '©nam': invalid UTF-8
		{FourCC{0xa9, 0xa9, 'a', 'b'}, "?ab"},        // one '?' for a run of invalid bytes
		{FourCC{'a', '\t', '\n', 'b'}, "a  b"},       // tabs and line breaks as spaces
		{FourCC{0, 0, 0, 1}, `\x00\x00\x00\x01`},     // controls escaped
		{FourCC{'a', 0x7f, 0xc2, 0x85}, `a\x7f\x85`}, // DEL and a C1 control (U+0085)
		{FourCC{0xc2, 0xa0, 'h', 'i'}, "hi"},         // U+00A0 is space
		{FourCC{0xe2, 0x82, 0xac, '1'}, "\u20ac1"},   // valid UTF-8 stays
	} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("% x: got %q, want %q", tt.in[:], got, tt.want)
		}
	}
}

func TestCursorUintN(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tt := range []struct {
		n    int
		want uint64
	}{{0, 0}, {4, 0x01020304}, {8, 0x0102030405060708}} {
		c := &Cursor{b: b}
		if got := c.UintN(tt.n); got != tt.want || c.err != nil {
			t.Errorf("UintN(%d): got %#x, %v, want %#x", tt.n, got, c.err, tt.want)
		}
	}
}

func TestBoxWriter(t *testing.T) {
	var w Writer
	w.Start(FourCC{'o', 'u', 't', 'r'})
	w.StartFull(FourCC{'i', 'n', 'n', 'r'}, 1, 0x000203)
	w.U16(0xbeef)
	at := len(w.b)
	w.UintN(4, 0)
	w.End()
	w.End()
	w.PutUintN(at, 4, 0x11223344)
	want := []byte{
		0, 0, 0, 26, 'o', 'u', 't', 'r',
		0, 0, 0, 18, 'i', 'n', 'n', 'r', 1, 0, 2, 3, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44,
	}
	if w.err != nil || !bytes.Equal(w.b, want) {
		t.Errorf("got % x, %v\nwant % x", w.b, w.err, want)
	}
}

func TestBoxWriterHeader(t *testing.T) {
	var w Writer
	w.Header(BoxMdat, nil, math.MaxUint32-8)
	if want := []byte{0xff, 0xff, 0xff, 0xff, 'm', 'd', 'a', 't'}; !bytes.Equal(w.b, want) {
		t.Errorf("largest compact header: got % x, want % x", w.b, want)
	}
	w = Writer{}
	w.Header(BoxMdat, nil, math.MaxUint32-7)
	want := []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 1, 0, 0, 0, 8} // 2^32-7 + 16
	if !bytes.Equal(w.b, want) {
		t.Errorf("largesize header: got % x, want % x", w.b, want)
	}
}

// TestCopyBoxNormalizes checks that a box copied by copyBox reads back the
// same, with a compact header whatever header it had.
func TestCopyBoxNormalizes(t *testing.T) {
	large := append([]byte{0, 0, 0, 1, 'i', 'd', 'a', 't'}, 0, 0, 0, 0, 0, 0, 0, 19)
	large = append(large, "abc"...)
	toEnd := []byte{0, 0, 0, 0, 'm', 'd', 'a', 't', 'x'}
	for _, in := range [][]byte{large, toEnd} {
		r := NewReader(in, 0, true)
		bx, ok := r.Next()
		if !ok {
			t.Fatal(r.err)
		}
		var w Writer
		w.CopyBox(bx)
		want := rawBox(bx.Type.String(), bx.Payload)
		if !bytes.Equal(w.b, want) {
			t.Errorf("copy of % x: got % x, want % x", in, w.b, want)
		}
	}
}

// FuzzBoxReader reads boxes and the boxes in their payloads to a fixed
// depth, and checks that each stays inside its parent, that an error is at
// an offset inside it, and that CopyBox writes what reads back as the same
// box. It is seeded with the HEIF, AVIF and video samples of testdata.
func FuzzBoxReader(f *testing.F) {
	for _, pattern := range []string{"*.heif", "*.heic", "*.avif", "*.mov", "*.mp4", "*.3gp"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", pattern))
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add(append(rawBox("ftyp", []byte("heic")), rawBox("meta", []byte{0, 0, 0, 0}, rawBox("hdlr"))...))
	f.Add([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 17, 'x'})
	f.Add([]byte{0, 0, 0, 0, 'm', 'd', 'a', 't', 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		var walk func(b []byte, base int64, top bool, depth int)
		walk = func(b []byte, base int64, top bool, depth int) {
			r := NewReader(b, base, top)
			for {
				bx, ok := r.Next()
				if !ok {
					break
				}
				if bx.Offset < base || bx.End() > base+int64(len(b)) {
					t.Fatalf("box %s [%d, %d) outside its parent [%d, %d)", bx.Type, bx.Offset, bx.End(), base, base+int64(len(b)))
				}
				var w Writer
				w.CopyBox(bx)
				again, ok := NewReader(w.b, 0, false).Next()
				if !ok || again.Type != bx.Type || again.UserType != bx.UserType || !bytes.Equal(again.Payload, bx.Payload) {
					t.Fatalf("copy of box %s reads back as %s", bx.Type, again.Type)
				}
				if depth < 4 && len(bx.Payload) >= 4 {
					// Children may follow a FullBox header, or not.
					walk(bx.Payload, bx.PayloadOffset(), false, depth+1)
					walk(bx.Payload[4:], bx.PayloadOffset()+4, false, depth+1)
				}
			}
			var e *Error
			switch {
			case r.err == nil:
			case !errors.As(r.err, &e) || !strings.HasPrefix(r.err.Error(), "offset "):
				t.Fatalf("error without an offset: %v", r.err)
			case e.Offset < base || e.Offset >= base+int64(len(b)):
				t.Fatalf("error at %d, outside [%d, %d): %v", e.Offset, base, base+int64(len(b)), r.err)
			}
		}
		walk(b, 0, true, 0)
	})
}

func TestWriteHdlr(t *testing.T) {
	tests := []struct {
		name []byte
		want string // the payload after version, flags, pre_defined and handler_type
	}{
		{nil, strings.Repeat("\x00", 12) + "\x00"},
		{[]byte("Video\x00"), strings.Repeat("\x00", 12) + "Video\x00"},
		{[]byte("\x05Video"), strings.Repeat("\x00", 12) + "\x05Video"},
	}
	for _, tt := range tests {
		var w Writer
		w.WriteHdlr(0x6d686c72, FourCC{'v', 'i', 'd', 'e'}, tt.name)
		bx, ok := NewReader(w.Bytes(), 0, false).Next()
		if !ok || bx.Type != BoxHdlr || string(bx.Payload[12:]) != tt.want {
			t.Fatalf("%q: got %q", tt.name, w.Bytes())
		}
		c := NewCursor(bx)
		if h, err := HandlerType(c); err != nil || h != (FourCC{'v', 'i', 'd', 'e'}) || string(bx.Payload[4:8]) != "mhlr" {
			t.Errorf("%q: got handler %q, %v", tt.name, h, err)
		}
	}
}
