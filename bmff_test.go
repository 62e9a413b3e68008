package exifscrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
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
			r := newBoxReader(tt.in, 0, tt.top)
			var got []want
			for {
				bx, ok := r.next()
				if !ok {
					break
				}
				got = append(got, want{bx.typ.String(), bx.off, string(bx.payload)})
				if bx.end() > int64(len(tt.in)) {
					t.Errorf("box %s ends at %d, past the input's %d bytes", bx.typ, bx.end(), len(tt.in))
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
	c := newCursor(box{typ: fourCC{'t', 'e', 's', 't'}, off: 100, hdrLen: 8,
		payload: []byte{1, 0, 0, 2, 0xab, 0xcd, 'h', 'i', 0, 'x', 'y'}})
	if v, f := c.fullBox(); v != 1 || f != 2 {
		t.Errorf("fullBox: got %d, %d, want 1, 2", v, f)
	}
	if got := c.u16(); got != 0xabcd {
		t.Errorf("u16: got %#x, want 0xabcd", got)
	}
	if got := c.str(); got != "hi" {
		t.Errorf("str: got %q, want %q", got, "hi")
	}
	if got := c.str(); got != "xy" { // unterminated at the end of the box
		t.Errorf("str: got %q, want %q", got, "xy")
	}
	if c.err != nil {
		t.Fatalf("unexpected error %v", c.err)
	}
	if got := c.u32(); got != 0 || c.err == nil {
		t.Fatalf("u32 past the end: got %d, %v, want 0 and an error", got, c.err)
	}
	var be *bmffError
	if !errors.As(c.err, &be) || be.off != 119 || !errors.Is(be.err, io.ErrUnexpectedEOF) {
		t.Errorf("error %#v: want offset 119 and io.ErrUnexpectedEOF", c.err)
	}
	first := c.err
	c.u8()
	if c.err != first {
		t.Errorf("error changed from %v to %v; it should stick", first, c.err)
	}
}

func TestCursorUintN(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tt := range []struct {
		n    int
		want uint64
	}{{0, 0}, {4, 0x01020304}, {8, 0x0102030405060708}} {
		c := &cursor{b: b}
		if got := c.uintN(tt.n); got != tt.want || c.err != nil {
			t.Errorf("uintN(%d): got %#x, %v, want %#x", tt.n, got, c.err, tt.want)
		}
	}
}

func TestBoxWriter(t *testing.T) {
	var w boxWriter
	w.start(fourCC{'o', 'u', 't', 'r'})
	w.startFull(fourCC{'i', 'n', 'n', 'r'}, 1, 0x000203)
	w.u16(0xbeef)
	at := len(w.b)
	w.uintN(4, 0)
	w.end()
	w.end()
	w.putUintN(at, 4, 0x11223344)
	want := []byte{
		0, 0, 0, 26, 'o', 'u', 't', 'r',
		0, 0, 0, 18, 'i', 'n', 'n', 'r', 1, 0, 2, 3, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44,
	}
	if w.err != nil || !bytes.Equal(w.b, want) {
		t.Errorf("got % x, %v\nwant % x", w.b, w.err, want)
	}
}

func TestBoxWriterHeader(t *testing.T) {
	var w boxWriter
	w.header(boxMdat, nil, math.MaxUint32-8)
	if want := []byte{0xff, 0xff, 0xff, 0xff, 'm', 'd', 'a', 't'}; !bytes.Equal(w.b, want) {
		t.Errorf("largest compact header: got % x, want % x", w.b, want)
	}
	w = boxWriter{}
	w.header(boxMdat, nil, math.MaxUint32-7)
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
		r := newBoxReader(in, 0, true)
		bx, ok := r.next()
		if !ok {
			t.Fatal(r.err)
		}
		var w boxWriter
		w.copyBox(bx)
		want := rawBox(bx.typ.String(), bx.payload)
		if !bytes.Equal(w.b, want) {
			t.Errorf("copy of % x: got % x, want % x", in, w.b, want)
		}
	}
}

// FuzzBoxReader reads boxes and the boxes in their payloads to a fixed
// depth, and checks that each stays inside its parent and that copyBox
// writes what reads back as the same box.
func FuzzBoxReader(f *testing.F) {
	f.Add(append(rawBox("ftyp", []byte("heic")), rawBox("meta", []byte{0, 0, 0, 0}, rawBox("hdlr"))...))
	f.Add([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 17, 'x'})
	f.Add([]byte{0, 0, 0, 0, 'm', 'd', 'a', 't', 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		var walk func(b []byte, base int64, top bool, depth int)
		walk = func(b []byte, base int64, top bool, depth int) {
			r := newBoxReader(b, base, top)
			for {
				bx, ok := r.next()
				if !ok {
					break
				}
				if bx.off < base || bx.end() > base+int64(len(b)) {
					t.Fatalf("box %s [%d, %d) outside its parent [%d, %d)", bx.typ, bx.off, bx.end(), base, base+int64(len(b)))
				}
				var w boxWriter
				w.copyBox(bx)
				again, ok := newBoxReader(w.b, 0, false).next()
				if !ok || again.typ != bx.typ || again.usertype != bx.usertype || !bytes.Equal(again.payload, bx.payload) {
					t.Fatalf("copy of box %s reads back as %s", bx.typ, again.typ)
				}
				if depth < 4 && len(bx.payload) >= 4 {
					// Children may follow a FullBox header, or not.
					walk(bx.payload, bx.payloadOff(), false, depth+1)
					walk(bx.payload[4:], bx.payloadOff()+4, false, depth+1)
				}
			}
			if r.err != nil && !strings.Contains(r.err.Error(), "offset") {
				t.Fatalf("error without an offset: %v", r.err)
			}
		}
		walk(b, 0, true, 0)
	})
}
