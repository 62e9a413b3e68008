package webp

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exifscrub/exifscrub/internal/riff"
)

func TestFourCC(t *testing.T) {
	for _, tt := range []struct {
		c    riff.FourCC
		want string
	}{
		{RIFF, "RIFF"}, {WEBP, "WEBP"}, {VP8, "VP8 "}, {VP8L, "VP8L"}, {VP8X, "VP8X"},
		{ALPH, "ALPH"}, {ANIM, "ANIM"}, {ANMF, "ANMF"}, {ICCP, "ICCP"}, {EXIF, "EXIF"},
		{XMP, "XMP "},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("riff.FourCC(%#08x).String() = %q, want %q", uint32(tt.c), got, tt.want)
		}
	}
}

func chunk(id riff.FourCC, off int64, data string) riff.Chunk {
	return riff.Chunk{ID: id, Offset: off, Data: []byte(data)}
}

// TestLayout feeds chunk sequences of an extended file to a Layout: the
// reason of the first error, or "" for a valid sequence.
func TestLayout(t *testing.T) {
	anim := strings.Repeat("a", ANIMSize)
	tests := []struct {
		name   string
		flags  byte
		ids    []riff.FourCC
		reason string
	}{
		{"still", 0, []riff.FourCC{ICCP, ALPH, VP8, EXIF, XMP}, ""},
		{"lossless", 0, []riff.FourCC{EXIF, VP8L, XMP}, ""},
		{"animated", FlagAnimation, []riff.FourCC{ICCP, ANIM, ANMF, ANMF}, ""},
		{"second VP8X", 0, []riff.FourCC{VP8X}, "second VP8X chunk"},
		{"second ICCP", 0, []riff.FourCC{ICCP, ICCP}, "second ICCP chunk"},
		{"ICCP late", 0, []riff.FourCC{VP8, ICCP}, "ICCP chunk after the ANIM chunk or the image data"},
		{"ANIM unflagged", 0, []riff.FourCC{ANIM}, "ANIM chunk, but the VP8X animation flag is clear"},
		{"second ANIM", FlagAnimation, []riff.FourCC{ANIM, ANIM}, "second ANIM chunk"},
		{"ANMF unflagged", 0, []riff.FourCC{ANMF}, "ANMF chunk, but the VP8X animation flag is clear"},
		{"ANMF first", FlagAnimation, []riff.FourCC{ANMF}, "ANMF chunk before the ANIM chunk"},
		{"bitstream in animation", FlagAnimation, []riff.FourCC{ANIM, VP8}, `chunk "VP8 " outside an ANMF frame of an animated image`},
		{"two bitstreams", 0, []riff.FourCC{VP8, VP8L}, `chunk "VP8L" after the bitstream of a still image`},
		{"two ALPH", 0, []riff.FourCC{ALPH, ALPH}, "second ALPH chunk"},
		{"no frames", FlagAnimation, []riff.FourCC{ANIM}, "animated image without ANMF frames"},
		{"no bitstream", 0, []riff.FourCC{ALPH}, `no "VP8 " or "VP8L" bitstream chunk`},
	}
	for _, tt := range tests {
		l := NewLayout(tt.flags)
		var err error
		for i, id := range tt.ids {
			data := ""
			if id == ANIM {
				data = anim
			}
			if err = l.Add(chunk(id, int64(100*i), data)); err != nil {
				break
			}
		}
		if err == nil {
			err = l.End(999)
		}
		var e *Error
		switch {
		case tt.reason == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.reason != "" && (!errors.As(err, &e) || e.Reason != tt.reason):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.reason)
		}
	}
	l := NewLayout(FlagAnimation)
	if err := l.Add(chunk(ANIM, 40, "short")); err == nil || err.(*Error).Offset != 40 || err.(*Error).Reason != "ANIM size 5, want 6" {
		t.Errorf("short ANIM: %v", err)
	}
}

func TestFrameLayout(t *testing.T) {
	for _, tt := range []struct {
		ids    []riff.FourCC
		reason string
	}{
		{[]riff.FourCC{ALPH, VP8, XMP}, ""},
		{[]riff.FourCC{VP8L}, ""},
		{[]riff.FourCC{ALPH}, "ANMF frame without a bitstream chunk"},
		{[]riff.FourCC{VP8, VP8}, `chunk "VP8 " after the bitstream of a frame`},
		{[]riff.FourCC{ALPH, ALPH}, "second ALPH chunk in a frame"},
	} {
		var l FrameLayout
		var err error
		for _, id := range tt.ids {
			if err = l.Add(chunk(id, 0, "")); err != nil {
				break
			}
		}
		if err == nil {
			err = l.End(0)
		}
		if (err == nil) != (tt.reason == "") || err != nil && err.(*Error).Reason != tt.reason {
			t.Errorf("%v: %v, want %q", tt.ids, err, tt.reason)
		}
	}
}

func TestVP8XAndFrameHeader(t *testing.T) {
	flags, clean, err := ParseVP8X(chunk(VP8X, 12, "\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09"))
	if err != nil || flags != 0xff || clean != [VP8XSize]byte{FlagAlpha | FlagAnimation, 0, 0, 0, 4, 5, 6, 7, 8, 9} {
		t.Errorf("ParseVP8X = %#x %v %v", flags, clean, err)
	}
	if _, _, err := ParseVP8X(chunk(VP8X, 12, "short")); err == nil || err.(*Error).Err != nil {
		t.Errorf("short VP8X: %v", err)
	}
	if _, _, err := ParseVP8X(chunk(VP8X, 12, strings.Repeat("x", 12))); err == nil || err.(*Error).Err != ErrUnsupported {
		t.Errorf("long VP8X: %v", err)
	}
	hdr, reserved, err := FrameHeader(chunk(ANMF, 0, strings.Repeat("\x00", 15)+"\xff"+"rest"))
	if err != nil || !reserved || len(hdr) != ANMFHeaderSize || hdr[15] != anmfMethods {
		t.Errorf("FrameHeader = %v %v %v", hdr, reserved, err)
	}
	if _, _, err := FrameHeader(chunk(ANMF, 0, "short")); err == nil {
		t.Error("short ANMF: no error")
	}
	if !HasAlpha(ALPH, nil) || !HasAlpha(VP8L, []byte{0x2f, 0, 0, 0, 0x10}) || HasAlpha(VP8L, []byte{0x2f, 0, 0, 0, 0}) || HasAlpha(VP8, []byte{0x2f, 0, 0, 0, 0x10}) {
		t.Error("HasAlpha")
	}
	if CheckSimple(chunk(EXIF, 0, ""), VP8) != nil || CheckSimple(chunk(ANIM, 0, ""), VP8) == nil {
		t.Error("CheckSimple")
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	b.Add(VP8X, make([]byte, VP8XSize))
	i := b.Add(ANMF, make([]byte, ANMFHeaderSize))
	b.Add(VP8L, []byte("odd"))
	b.SetSize(i, ANMFHeaderSize+12)
	hdr, err := b.Header()
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	out = append(out, hdr[:]...)
	for _, p := range b.Parts {
		out = append(append(out, p.Header[:]...), p.Data...)
		if p.Pad {
			out = append(out, 0)
		}
	}
	if uint64(len(out)) != riff.HeaderSize+b.Size || !IsWebP(out) {
		t.Fatalf("%d bytes, size %d", len(out), b.Size)
	}
	l := riff.NewList(RIFF, out[riff.HeaderSize:], riff.HeaderSize)
	for _, want := range []riff.FourCC{VP8X, ANMF} {
		c, ok, err := l.Next()
		if !ok || err != nil || c.ID != want {
			t.Fatalf("chunk %v %v %v, want %v", c.ID, ok, err, want)
		}
	}
	b.Size = MaxRIFFSize
	if _, err := b.Header(); err == nil || err.(*Error).Err != ErrUnsupported || err.(*Error).Offset != 4 {
		t.Errorf("oversized: %v", err)
	}
}

// FuzzLayout walks a WebP file's chunks and frames through the checks and
// rebuilds what passes: nothing panics, errors carry the offset of a chunk
// inside the input, and the rebuilt file reads back as the same chunks.
func FuzzLayout(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/*.webp")
	if len(paths) == 0 {
		f.Fatal("no WebP in ../../testdata")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !IsWebP(in) {
			return
		}
		check := func(err error) bool {
			if err == nil {
				return false
			}
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(in)) {
				t.Fatalf("error %v outside the input of %d bytes", err, len(in))
			}
			return true
		}
		var b Builder
		var ids []riff.FourCC
		l := riff.NewList(RIFF, in[riff.HeaderSize:], riff.HeaderSize)
		first, ok, err := l.Next()
		if !ok || err != nil {
			return
		}
		var layout Layout
		if first.ID == VP8X {
			flags, clean, err := ParseVP8X(first)
			if check(err) {
				return
			}
			layout = NewLayout(flags)
			b.Add(VP8X, clean[:])
		} else {
			b.Add(first.ID, first.Data)
		}
		ids = append(ids, first.ID)
		for {
			c, ok, err := l.Next()
			if !ok || err != nil {
				break
			}
			if first.ID != VP8X {
				if check(CheckSimple(c, first.ID)) {
					return
				}
			} else if check(layout.Add(c)) {
				return
			}
			ids = append(ids, c.ID)
			if c.ID != ANMF {
				b.Add(c.ID, c.Data)
				continue
			}
			hdr, _, err := FrameHeader(c)
			if check(err) {
				return
			}
			i := b.Add(ANMF, hdr)
			start := b.Size
			var fl FrameLayout
			sub := riff.NewList(ANMF, c.Data[ANMFHeaderSize:], c.Offset+riff.ChunkHeaderSize+ANMFHeaderSize)
			for {
				s, ok, err := sub.Next()
				if !ok || err != nil {
					break
				}
				if check(fl.Add(s)) {
					return
				}
				HasAlpha(s.ID, s.Data)
				b.Add(s.ID, s.Data)
			}
			check(fl.End(c.Offset))
			b.SetSize(i, uint32(ANMFHeaderSize+b.Size-start))
		}
		if first.ID == VP8X {
			check(layout.End(l.Offset()))
		}
		hdr, err := b.Header()
		if err != nil {
			return
		}
		out := append([]byte(nil), hdr[:]...)
		for _, p := range b.Parts {
			out = append(append(out, p.Header[:]...), p.Data...)
			if p.Pad {
				out = append(out, 0)
			}
		}
		if got := binary.LittleEndian.Uint32(out[4:]); uint64(got) != 4+b.Size || len(out) != int(got)+8 {
			t.Fatalf("RIFF size %d for %d bytes", got, len(out))
		}
		back := riff.NewList(RIFF, out[riff.HeaderSize:], riff.HeaderSize)
		for _, id := range ids {
			c, ok, err := back.Next()
			if !ok || err != nil || c.ID != id {
				t.Fatalf("rebuilt chunk %v, want %v (%v)", c.ID, id, err)
			}
		}
		if _, ok, _ := back.Next(); ok {
			t.Fatal("rebuilt file has more chunks")
		}
	})
}
