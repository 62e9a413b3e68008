package tiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A raw is an IFD entry as written: v is its 4-byte value field, the value
// itself (left-justified) or the offset of the value.
type raw struct {
	tag, typ uint16
	count, v uint32
}

func short(tag, v uint16) raw       { return raw{tag, 3, 1, uint32(v) << 16} }
func long(tag uint16, v uint32) raw { return raw{tag, 4, 1, v} }

// block is a big-endian TIFF structure under construction, whose IFDs and
// values the tests place at offsets of their choosing.
type block []byte

func newBlock(size int) block {
	b := make(block, size)
	copy(b, "MM\x00\x2a\x00\x00\x00\x08") // IFD0 at 8
	return b
}

// ifd writes an IFD at off: its entry count (n, or len(es) when n < 0),
// its entries and its next-IFD offset.
func (b block) ifd(off uint32, n int, next uint32, es ...raw) block {
	if n < 0 {
		n = len(es)
	}
	binary.BigEndian.PutUint16(b[off:], uint16(n))
	p := off + 2
	for _, e := range es {
		binary.BigEndian.PutUint16(b[p:], e.tag)
		binary.BigEndian.PutUint16(b[p+2:], e.typ)
		binary.BigEndian.PutUint32(b[p+4:], e.count)
		binary.BigEndian.PutUint32(b[p+8:], e.v)
		p += 12
	}
	if int(p)+4 <= len(b) {
		binary.BigEndian.PutUint32(b[p:], next)
	}
	return b
}

func (b block) at(off int, data string) block { copy(b[off:], data); return b }

// TestRead checks the IFDs the walk reaches, in their order, past damage,
// and the notes it makes, with their offsets.
func TestRead(t *testing.T) {
	loop := func(kind Kind, at, from int64) Note {
		return Note{InIFD: true, IFD: kind, Offset: from, Reason: "at offset " + strconv.FormatInt(at, 10) + " is pointed to again (loop)"}
	}
	tests := []struct {
		name   string
		b      []byte
		kinds  []Kind // of the IFDs read, in order
		top    []int
		notes  []Note
		hidden int
		check  func(t *testing.T, w *Walk)
	}{
		{
			name: "every kind, and a thumbnail",
			b: newBlock(256).
				ifd(8, -1, 120, long(TagExifIFD, 40), long(TagGPSIFD, 100)).                   // IFD0, 8-38
				ifd(40, -1, 0, short(0x9000, 1), long(TagInteropIFD, 72)).                     // Exif, 40-70
				ifd(72, -1, 0, raw{0x0001, 2, 4, 'R'<<24 | '9'<<16 | '8'<<8}).                 // Interop, 72-90
				ifd(100, -1, 0, long(TagExifIFD, 40)).                                         // GPS, 100-118: its pointer is not followed
				ifd(120, -1, 0, long(TagJPEGInterchange, 200), long(TagJPEGInterchangeLn, 4)). // IFD1, 120-150
				at(200, "\xff\xd8\xff\xd9"),
			kinds:  []Kind{IFD0, Exif, Interop, GPS, IFD1},
			top:    []int{0, 4},
			hidden: 4, // the thumbnail: its bytes are no IFD's
			check: func(t *testing.T, w *Walk) {
				if got := w.IFDs[0].Entries[0].Sub; !reflect.DeepEqual(got, []int{1}) {
					t.Errorf("ExifIFD pointer leads to %v, want [1]", got)
				}
				if e := w.IFDs[3].Entries[0]; e.Link || e.Sub != nil {
					t.Errorf("a pointer in the GPS IFD is followed: %+v", e)
				}
				if d := w.IFDs[4]; d.ThumbnailOffset != 200 || d.ThumbnailLength != 4 || !d.Entries[0].Link || !d.Entries[1].Link {
					t.Errorf("IFD1 thumbnail at %d, %d bytes, entries %+v", d.ThumbnailOffset, d.ThumbnailLength, d.Entries)
				}
				if e := w.IFDs[2].Entries[0]; Format(w.Order, e.Type, e.Count, e.Value) != "R98" || e.ValueOffset != e.Offset+8 {
					t.Errorf("InteroperabilityIndex %+v", e)
				}
			},
		},
		{
			name:  "Exif IFD pointer loops to itself",
			b:     newBlock(64).ifd(8, -1, 0, long(TagExifIFD, 30)).ifd(30, -1, 0, long(TagExifIFD, 30)),
			kinds: []Kind{IFD0, Exif},
			top:   []int{0},
			notes: []Note{loop(Exif, 30, 40)}, // the pointer's value
		},
		{
			name:  "the same IFD as Exif and GPS IFD is read as each",
			b:     newBlock(64).ifd(8, -1, 0, long(TagExifIFD, 40), long(TagGPSIFD, 40)).ifd(40, -1, 0, short(1, 'N')),
			kinds: []Kind{IFD0, Exif, GPS},
			top:   []int{0},
		},
		{
			name:  "IFD1 chain loops",
			b:     newBlock(64).ifd(8, 0, 20).ifd(20, 0, 20),
			kinds: []Kind{IFD0, IFD1},
			top:   []int{0, 1},
			notes: []Note{loop(IFD1, 20, 22)},
		},
		{
			name:  "pointer past the end, and the walk goes on",
			b:     newBlock(64).ifd(8, -1, 0, long(TagExifIFD, 0xffffff00), long(TagGPSIFD, 40)).ifd(40, 0, 0),
			kinds: []Kind{IFD0, GPS},
			top:   []int{0},
			notes: []Note{{InIFD: true, IFD: Exif, Offset: 18, Reason: "offset 4294967040 is past the end (64 bytes)"}},
		},
		{
			name:  "IFD0 past the end",
			b:     []byte("II\x2a\x00\x00\x01\x00\x00"),
			notes: []Note{{InIFD: true, IFD: IFD0, Offset: 4, Reason: "offset 256 is past the end (8 bytes)"}},
		},
		{
			name:  "IFD0 claims more entries than the block holds",
			b:     newBlock(8+2+2*12+5).ifd(8, 500, 0, short(0x0112, 6), short(0x0103, 1)),
			kinds: []Kind{IFD0},
			top:   []int{0},
			notes: []Note{{InIFD: true, IFD: IFD0, Offset: 8, Reason: "at offset 8 claims 500 entries; the block holds 2"}},
			check: func(t *testing.T, w *Walk) {
				if n := len(w.IFDs[0].Entries); n != 2 {
					t.Errorf("%d entries, want 2", n)
				}
			},
		},
		{
			name:  "no next-IFD offset",
			b:     newBlock(8+2+12+2).ifd(8, -1, 0, short(0x0112, 6)),
			kinds: []Kind{IFD0},
			top:   []int{0},
			notes: []Note{{InIFD: true, IFD: IFD0, Offset: 22, Reason: "at offset 8 has no next-IFD offset"}},
		},
		{
			name:  "a value outside the block",
			b:     newBlock(64).ifd(8, -1, 0, raw{0x010f, 2, 100, 30}),
			kinds: []Kind{IFD0},
			top:   []int{0},
			check: func(t *testing.T, w *Walk) {
				if e := w.IFDs[0].Entries[0]; e.InBlock || e.Value != nil {
					t.Errorf("entry %+v, want outside the block", e)
				}
			},
		},
		{
			name:   "bytes no IFD points to, and zero padding",
			b:      newBlock(64).ifd(8, -1, 0, raw{0x010f, 2, 6, 40}).at(40, "Canon\x00").at(50, "GPS 52.52 N"),
			kinds:  []Kind{IFD0},
			top:    []int{0},
			hidden: len("GPS 52.52 N"),
		},
		{
			name:   "unknown type: no value, no bytes read",
			b:      newBlock(64).ifd(8, -1, 0, raw{0x010f, 99, 6, 40}).at(40, "Canon"),
			kinds:  []Kind{IFD0},
			top:    []int{0},
			hidden: len("Canon"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Read(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []Kind
			for _, d := range w.IFDs {
				kinds = append(kinds, d.Kind)
			}
			if !reflect.DeepEqual(kinds, tt.kinds) {
				t.Errorf("IFDs %v, want %v", kinds, tt.kinds)
			}
			if !reflect.DeepEqual(w.Top, tt.top) {
				t.Errorf("Top %v, want %v", w.Top, tt.top)
			}
			if !reflect.DeepEqual(w.Notes, tt.notes) {
				t.Errorf("notes\n  %+v\nwant\n  %+v", w.Notes, tt.notes)
			}
			if got := w.Hidden(); got != tt.hidden {
				t.Errorf("Hidden() = %d, want %d", got, tt.hidden)
			}
			if tt.check != nil {
				tt.check(t, w)
			}
		})
	}
}

// TestReadBudgets checks that the walk stops after MaxIFDs IFDs and
// MaxEntries entries, and says so.
func TestReadBudgets(t *testing.T) {
	// A chain of empty IFDs, each 6 bytes: IFD0, then IFD1s.
	const n = MaxIFDs + 10
	b := newBlock(8 + 6*n)
	for i := range n {
		b.ifd(uint32(8+6*i), 0, uint32(8+6*(i+1))%uint32(len(b)))
	}
	w, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Note{{Offset: 8 + 6*(MaxIFDs-1) + 2, Unread: true, Reason: "more than 64 IFDs"}}
	if len(w.IFDs) != MaxIFDs || !reflect.DeepEqual(w.Notes, want) {
		t.Errorf("%d IFDs, notes %+v; want %d, %+v", len(w.IFDs), w.Notes, MaxIFDs, want)
	}

	// IFD0 with more entries than the budget, pointing to an Exif IFD.
	es := make([]raw, MaxEntries+1)
	for i := range es {
		es[i] = short(0x0100, 1)
	}
	es[0] = long(TagExifIFD, 8)
	b = newBlock(8+2+12*len(es)+4).ifd(8, -1, 0, es...)
	if w, err = Read(b); err != nil {
		t.Fatal(err)
	}
	want = []Note{{Offset: 8, Unread: true, Reason: "more than 8192 IFD entries"}}
	if len(w.IFDs) != 1 || len(w.IFDs[0].Entries) != MaxEntries || !reflect.DeepEqual(w.Notes, want) {
		t.Errorf("%d IFDs, %d entries, notes %+v; want 1, %d, %+v", len(w.IFDs), len(w.IFDs[0].Entries), w.Notes, MaxEntries, want)
	}
}

// TestOpen checks the header's errors and their offsets.
func TestOpen(t *testing.T) {
	tests := []struct {
		b      string
		reason string
		offset int64
		eof    bool
	}{
		{"MM\x00\x2a\x00", "TIFF header truncated (5 bytes)", 5, true},
		{"XX\x00\x2a\x00\x00\x00\x08", `bad TIFF byte order "XX"`, 0, false},
		{"II\x2b\x00\x08\x00\x00\x00", "bad TIFF magic 43", 2, false},
	}
	for _, tt := range tests {
		_, err := Open([]byte(tt.b))
		var e *Error
		if !errors.As(err, &e) || e.Reason != tt.reason || e.Offset != tt.offset || errors.Is(err, io.ErrUnexpectedEOF) != tt.eof {
			t.Errorf("Open(%q) = %v, want %q at %d", tt.b, err, tt.reason, tt.offset)
		}
	}
	b, err := Open([]byte("II\x2a\x00\x10\x00\x00\x00"))
	if err != nil || b.Order != binary.LittleEndian || b.First != 16 || b.Len() != 8 {
		t.Errorf("Open: %+v, %v", b, err)
	}
}

// TestFormat checks values as their types print.
func TestFormat(t *testing.T) {
	be := binary.BigEndian
	u32 := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = be.AppendUint32(b, x)
		}
		return b
	}
	tests := []struct {
		typ   uint16
		count uint32
		val   []byte
		want  string
	}{
		{2, 8, []byte(" Canon \x00junk"), "Canon"},
		{1, 3, []byte{1, 2, 3}, "1 2 3"},
		{6, 1, []byte{0xff}, "-1"},
		{3, 2, []byte{0, 1, 0xff, 0xff}, "1 65535"},
		{8, 1, []byte{0xff, 0xfe}, "-2"},
		{4, 1, u32(4000000000), "4000000000"},
		{9, 1, u32(0xfffffffd), "-3"},
		{5, 4, u32(72, 1, 10, 5, 1, 3, 1, 0), "72 2 0.333333 undefined"},
		{10, 1, u32(0xffffffff, 2), "-0.5"},
		{11, 1, u32(0x3fc00000), "1.5"},
		{12, 1, u32(0x3ff80000, 0), "1.5"},
		{3, 3, []byte{0, 1}, "1"}, // fewer values than count
		{1, 20, make([]byte, 20), strings.Repeat("0 ", 16) + "…"},
		{99, 2, nil, "? ?"},
	}
	for _, tt := range tests {
		if got := Format(be, tt.typ, tt.count, tt.val); got != tt.want {
			t.Errorf("Format(%d, %d, % x) = %q, want %q", tt.typ, tt.count, tt.val, got, tt.want)
		}
	}
}

// TestTagNames checks the order Name's binary search relies on, and names.
func TestTagNames(t *testing.T) {
	for i := 1; i < len(tagNames); i++ {
		if !tagNames[i-1].key.less(tagNames[i].key) {
			t.Fatalf("tagNames[%d] %v is not before [%d] %v", i-1, tagNames[i-1].key, i, tagNames[i].key)
		}
	}
	tests := []struct {
		kind Kind
		tag  uint16
		want string
	}{
		{Exif, 0x829a, "ExposureTime"},
		{IFD0, 0x0112, "Orientation"},
		{GPS, 0x0002, "GPSLatitude"},
		{Interop, 0x0001, "InteroperabilityIndex"},
		{Exif, 0xa460, "CompositeImage"}, // not in go-exif's table
		{IFD1, 0x0112, ""},               // IFD1's tags are IFD0's
		{GPS, 0x829a, ""},
	}
	for _, tt := range tests {
		if got, ok := Name(tt.kind, tt.tag); got != tt.want || ok != (tt.want != "") {
			t.Errorf("Name(%v, %#04x) = %q, %v; want %q", tt.kind, tt.tag, got, ok, tt.want)
		}
	}
}

// TestWrite checks the layout of a new block: sorted entries, pointers to
// the Exif and GPS IFDs, values on word boundaries, nothing unread; the
// limit; and that exif and gps are sorted in place, ifd0 not.
func TestWrite(t *testing.T) {
	for _, bo := range []interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}{binary.BigEndian, binary.LittleEndian} {
		ascii := func(tag uint16, s string) Entry {
			return Entry{Tag: tag, Type: 2, Count: uint32(len(s) + 1), Value: append([]byte(s), 0)}
		}
		ifd0 := []Entry{ascii(0x0110, "EOS 40D"), ascii(0x010f, "Canon"), {Tag: 0x0112, Type: 3, Count: 1, Value: bo.AppendUint16(nil, 6)}}
		exif := []Entry{ascii(0x9004, "2024:05:01 12:34:56"), ascii(0x9003, "2024:05:01 12:34:56")}
		gps := []Entry{{Tag: 0x0002, Type: 5, Count: 3, Value: make([]byte, 24)}, ascii(0x0001, "N")}
		before := append([]Entry(nil), ifd0...)
		out := Write(bo, ifd0, exif, gps, 1<<16)
		if !reflect.DeepEqual(ifd0, before) {
			t.Errorf("%v: ifd0 reordered", bo)
		}
		if exif[0].Tag != 0x9003 || gps[0].Tag != 0x0001 {
			t.Errorf("%v: exif and gps not sorted in place: %v %v", bo, exif, gps)
		}
		w, err := Read(out)
		if err != nil {
			t.Fatal(err)
		}
		if w.Order != bo || len(w.Notes) > 0 || w.Hidden() != 0 {
			t.Errorf("%v: order %v, notes %v, %d bytes hidden", bo, w.Order, w.Notes, w.Hidden())
		}
		want := [][]uint16{{0x010f, 0x0110, 0x0112, TagExifIFD, TagGPSIFD}, {0x9003, 0x9004}, {0x0001, 0x0002}}
		var got [][]uint16
		for _, d := range w.IFDs {
			var tags []uint16
			for _, e := range d.Entries {
				tags = append(tags, e.Tag)
				if len(e.Value) > 4 && e.ValueOffset%2 != 0 {
					t.Errorf("%v: value of %#04x at odd offset %d", bo, e.Tag, e.ValueOffset)
				}
			}
			got = append(got, tags)
		}
		if !reflect.DeepEqual(got, want) || w.IFDs[1].Kind != Exif || w.IFDs[2].Kind != GPS {
			t.Errorf("%v: tags %x, want %x", bo, got, want)
		}
		if Write(bo, ifd0, exif, gps, len(out)) == nil || Write(bo, ifd0, exif, gps, len(out)-1) != nil {
			t.Errorf("%v: limit %d does not hold a block of %d bytes exactly", bo, len(out), len(out))
		}
	}
	// Nothing but IFD0, as an orientation block is written.
	out := Write(binary.BigEndian, []Entry{{Tag: 0x0112, Type: 3, Count: 1, Value: []byte{0, 6}}}, nil, nil, 1<<16)
	want := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	if !bytes.Equal(out, want) {
		t.Errorf("orientation block % x, want % x", out, want)
	}
}
