package riff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"testing"
)

const (
	fccRIFF FourCC = 'R' | 'I'<<8 | 'F'<<16 | 'F'<<24
	fccANMF FourCC = 'A' | 'N'<<8 | 'M'<<16 | 'F'<<24
)

// chunk encodes a chunk with its padding byte.
func chunk(id string, payload []byte) []byte {
	b := make([]byte, ChunkHeaderSize, ChunkHeaderSize+len(payload)+1)
	PutChunkHeader(b, FourCC(binary.LittleEndian.Uint32([]byte(id))), uint32(len(payload)))
	b = append(b, payload...)
	if len(payload)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func TestFourCC(t *testing.T) {
	for _, tt := range []struct {
		c              FourCC
		string, quoted string
	}{
		{fccRIFF, "RIFF", `"RIFF"`},
		{'V' | 'P'<<8 | '8'<<16 | ' '<<24, "VP8 ", `"VP8 "`},
		{0x0a_fe_01_00, `"\x00\x01\xfe\n"`, `"\x00\x01\xfe\n"`},
		{'~' | 0x7f<<24, `"~\x00\x00\x7f"`, `"~\x00\x00\x7f"`},
	} {
		if got := tt.c.String(); got != tt.string {
			t.Errorf("FourCC(%#08x).String() = %q, want %q", uint32(tt.c), got, tt.string)
		}
		if got := tt.c.Quoted(); got != tt.quoted {
			t.Errorf("FourCC(%#08x).Quoted() = %q, want %q", uint32(tt.c), got, tt.quoted)
		}
	}
}

// read returns the chunks of l as "id offset len, ..." and the error
// that ended the list.
func read(l *List) (string, error) {
	var got []byte
	for {
		c, ok, err := l.Next()
		if err != nil || !ok {
			return string(got), err
		}
		if len(got) > 0 {
			got = append(got, ", "...)
		}
		got = fmt.Appendf(got, "%s %d %d", c.ID, c.Offset, len(c.Data))
	}
}

func TestList(t *testing.T) {
	two := append(chunk("VP8 ", []byte("abc")), chunk("EXIF", []byte("exif"))...)
	const twoWant = "VP8  12 3, EXIF 24 4"
	for _, tt := range []struct {
		name   string
		parent FourCC
		in     []byte
		want   string
		err    string // the *Error's reason, at errAt
		errAt  int64
		end    int64 // Offset at the end
	}{
		{name: "empty", parent: fccRIFF, end: 12},
		{name: "two", parent: fccRIFF, in: two, want: twoWant, end: 12 + 24},
		{name: "empty payload", parent: fccRIFF, in: chunk("ICCP", nil), want: "ICCP 12 0", end: 20},
		{name: "short header", parent: fccRIFF, in: append(two, "EXIF"...), want: twoWant,
			err: "4 bytes left in the RIFF chunk, too few for a chunk header", errAt: 36},
		{name: "too long", parent: fccANMF, in: append(two, chunk("VP8L", []byte("abcd"))[:11]...), want: twoWant,
			err: `chunk "VP8L" size 4 exceeds the 3 bytes left in the ANMF chunk`, errAt: 36},
		{name: "size 2^32-1", parent: fccRIFF, in: []byte("ALPH\xff\xff\xff\xff"),
			err: `chunk "ALPH" size 4294967295 exceeds the 0 bytes left in the RIFF chunk`, errAt: 12},
		{name: "no padding byte", parent: fccRIFF, in: append(two, chunk("XMP ", []byte("x"))[:9]...), want: twoWant,
			err: `chunk "XMP " has odd size 1 but no padding byte`, errAt: 36},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := NewList(tt.parent, tt.in, HeaderSize)
			got, err := read(l)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var gotErr, wantErr string
			if e := (*Error)(nil); errors.As(err, &e) {
				gotErr = fmt.Sprintf("%s at offset %d", e.Reason, e.Offset)
			} else if err != nil {
				gotErr = fmt.Sprintf("%v, not an *Error", err)
			}
			if tt.err != "" {
				wantErr = fmt.Sprintf("%s at offset %d", tt.err, tt.errAt)
			}
			if gotErr != wantErr {
				t.Errorf("got error %q, want %q", gotErr, wantErr)
			}
			if err == nil && l.Offset() != tt.end {
				t.Errorf("got Offset %d at the end, want %d", l.Offset(), tt.end)
			}
		})
	}
}

// sampleRIFF returns the RIFF payload after "WEBP" of a real file.
func sampleRIFF(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/pillow__flower2.webp")
	if err != nil || len(b) < HeaderSize {
		t.Fatalf("reading a sample: %d bytes, %v", len(b), err)
	}
	return b[HeaderSize:]
}

// FuzzList reads lists of chunks: it never panics, each chunk lies within
// the bytes at its offset, errors carry offsets within them, and the
// chunks read, written again with PutChunkHeader, read back the same.
func FuzzList(f *testing.F) {
	f.Add(sampleRIFF(f))
	f.Add(append(chunk("ANIM", make([]byte, 6)), chunk("ANMF", append(make([]byte, 16), chunk("VP8L", []byte("\x2f..."))...))...))
	f.Add([]byte("VP8 \x01\x00\x00\x00x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		const off = 100
		l := NewList(fccRIFF, b, off)
		var want, rebuilt []byte
		for {
			c, ok, err := l.Next()
			var e *Error
			switch {
			case err != nil && !errors.As(err, &e):
				t.Fatalf("error %v is not an *Error", err)
			case err != nil && (e.Offset < off || e.Offset >= off+int64(len(b))):
				t.Fatalf("error at offset %d of %d bytes from %d", e.Offset, len(b), off)
			}
			if !ok {
				break
			}
			start := c.Offset - off + ChunkHeaderSize
			if start < ChunkHeaderSize || start+int64(len(c.Data)) > int64(len(b)) || !bytes.Equal(b[start:start+int64(len(c.Data))], c.Data) {
				t.Fatalf("chunk %s at offset %d, %d bytes, of %d", c.ID, c.Offset, len(c.Data), len(b))
			}
			want = fmt.Appendf(want, "%s %d %q\n", c.ID, c.Offset, c.Data)
			rebuilt = append(rebuilt, chunk(string(c.ID.bytes()), c.Data)...)
		}
		var got []byte
		for l := NewList(fccRIFF, rebuilt, off); ; {
			c, ok, err := l.Next()
			if err != nil {
				t.Fatalf("rewritten chunks: %v", err)
			}
			if !ok {
				break
			}
			got = fmt.Appendf(got, "%s %d %q\n", c.ID, c.Offset, c.Data)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("rewritten chunks read back as\n%s, want\n%s", got, want)
		}
	})
}
