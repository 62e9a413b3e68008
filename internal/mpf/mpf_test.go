package mpf

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

// index returns an MP index (after "MPF\0") in byte order o, whose IFD
// holds a version, a number of images and the entries, in that order.
func index(o binary.ByteOrder, entries ...Entry) []byte {
	ab := o.(binary.AppendByteOrder)
	var b []byte
	if o == binary.BigEndian {
		b = append(b, "MM\x00\x2a"...)
	} else {
		b = append(b, "II\x2a\x00"...)
	}
	b = ab.AppendUint32(b, 8)
	b = ab.AppendUint16(b, 3)
	dataAt := uint32(8 + 2 + 3*12 + 4)
	b = ab.AppendUint16(ab.AppendUint16(b, tagMPFVersion), 7)
	b = append(ab.AppendUint32(b, 4), "0100"...)
	b = ab.AppendUint16(ab.AppendUint16(b, tagNumberOfImages), 4)
	b = ab.AppendUint32(ab.AppendUint32(b, 1), uint32(len(entries)))
	b = ab.AppendUint16(ab.AppendUint16(b, tagMPEntry), 7)
	b = ab.AppendUint32(ab.AppendUint32(b, uint32(entrySize*len(entries))), dataAt)
	b = ab.AppendUint32(b, 0)
	for _, e := range entries {
		b = ab.AppendUint32(b, e.Attr)
		b = ab.AppendUint32(b, e.Size)
		b = ab.AppendUint32(b, e.Offset)
		b = ab.AppendUint16(b, e.Dep1)
		b = ab.AppendUint16(b, e.Dep2)
	}
	return b
}

var (
	primary   = Entry{Attr: 0x20000000 | TypePrimary, Size: 5000, Dep1: 2}
	gainMap   = Entry{Attr: typeUndefined, Size: 700, Offset: 4990}
	thumbnail = Entry{Attr: 0x010001, Size: 900, Offset: 4000} // Large Thumbnail (VGA)
)

func TestParse(t *testing.T) {
	two := index(binary.BigEndian, primary, gainMap)
	for _, c := range []struct {
		name    string
		b       []byte
		ok      bool
		entries []Entry
		gain    int
	}{
		{"big-endian", two, true, []Entry{primary, gainMap}, 1},
		{"little-endian", index(binary.LittleEndian, primary, thumbnail, gainMap), true, []Entry{primary, thumbnail, gainMap}, 2},
		{"no gain map", index(binary.BigEndian, primary, thumbnail), true, []Entry{primary, thumbnail}, -1},
		{"empty gain map", index(binary.BigEndian, primary, Entry{Offset: 9}), true, []Entry{primary, {Offset: 9}}, -1},
		{"gain map as primary", index(binary.BigEndian, gainMap), true, []Entry{gainMap}, -1},
		{"no entries", index(binary.BigEndian), true, nil, -1},
		{"entries cut short", two[:len(two)-1], true, nil, -1},
		{"IFD cut short", two[:20], true, nil, -1},
		{"no IFD count", two[:9], false, nil, -1},
		{"no header", []byte("MM\x00"), false, nil, -1},
		{"not TIFF", []byte("XX\x00\x2a\x00\x00\x00\x08\x00\x00"), false, nil, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, ok := Parse(c.b)
			if ok != c.ok {
				t.Fatalf("got ok %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			if len(m.Entries) != len(c.entries) {
				t.Fatalf("got %d entries %v, want %v", len(m.Entries), m.Entries, c.entries)
			}
			for i := range c.entries {
				if m.Entries[i] != c.entries[i] {
					t.Errorf("entry %d: got %+v, want %+v", i, m.Entries[i], c.entries[i])
				}
			}
			if got := m.GainMapEntry(); got != c.gain {
				t.Errorf("got gain map entry %d, want %d", got, c.gain)
			}
		})
	}
}

// checkSegment checks a segment GainMapSegment wrote at output offset at:
// it reads back as two entries, with the given sizes, the gain map's
// offset pointing just after the primary.
func checkSegment(t *testing.T, seg []byte, m *Index, k int, at, rest, gainSize int64) {
	t.Helper()
	if len(seg) < TIFFAt || seg[0] != 0xff || seg[1] != 0xe2 || int(binary.BigEndian.Uint16(seg[2:]))+2 != len(seg) || string(seg[4:TIFFAt]) != Signature {
		t.Fatalf("not an MPF APP2 segment: % x", seg[:min(len(seg), 16)])
	}
	got, ok := Parse(seg[TIFFAt:])
	if !ok || len(got.Entries) != 2 {
		t.Fatalf("reading back: ok %v, %d entries", ok, len(got.Entries))
	}
	if got.Order != m.Order {
		t.Errorf("byte order %v, want %v", got.Order, m.Order)
	}
	primarySize := at + int64(len(seg)) + rest
	want := []Entry{
		{Attr: m.Entries[0].Attr &^ flagDependents & (flagsDefined | formatMask | typeMask), Size: uint32(primarySize)},
		{Attr: m.Entries[k].Attr &^ flagDependents & (flagsDefined | formatMask | typeMask), Size: uint32(gainSize), Offset: uint32(primarySize - at - TIFFAt)},
	}
	for i := range want {
		if got.Entries[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got.Entries[i], want[i])
		}
	}
}

func TestGainMapSegment(t *testing.T) {
	for _, c := range []struct {
		name           string
		m              *Index
		at, rest, gain int64
	}{
		{"big-endian", &Index{Order: binary.BigEndian, Entries: []Entry{primary, gainMap}}, 2, 4000, 700},
		{"little-endian", &Index{Order: binary.LittleEndian, Entries: []Entry{primary, thumbnail, gainMap}}, 1200, 1, 1 << 20},
		{"flags dropped", &Index{Order: binary.BigEndian, Entries: []Entry{{Attr: 0xffffffff}, {Attr: 0xd8000000}}}, 20, 30, 40},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := c.m.GainMapEntry()
			if k < 0 {
				k = 1
			}
			checkSegment(t, c.m.GainMapSegment(k, c.at, c.rest, c.gain), c.m, k, c.at, c.rest, c.gain)
		})
	}
}

// mpfPayloads returns the MPF payloads (after "MPF\0") in a file.
func mpfPayloads(b []byte) [][]byte {
	var out [][]byte
	for {
		i := bytes.Index(b, []byte("\xff\xe2"))
		if i < 0 || i+4 > len(b) {
			return out
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if p := b[i+4 : min(len(b), i+2+n)]; bytes.HasPrefix(p, []byte(Signature)) {
			out = append(out, p[len(Signature):])
		}
		b = b[i+2:]
	}
}

func TestRealIndex(t *testing.T) {
	b, err := os.ReadFile("../../testdata/pillow__sugarshack.mpo")
	if err != nil {
		t.Fatal(err)
	}
	ps := mpfPayloads(b)
	if len(ps) == 0 {
		t.Fatal("no MPF index in the sample")
	}
	m, ok := Parse(ps[0])
	if !ok || len(m.Entries) != 2 {
		t.Fatalf("got ok %v, %d entries, want 2", ok, len(m.Entries))
	}
	if m.Entries[0].Offset != 0 || m.Entries[0].Size == 0 || m.Entries[1].Offset == 0 {
		t.Errorf("entries %+v", m.Entries)
	}
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/pillow__sugarshack.mpo"); err == nil {
		for _, p := range mpfPayloads(b) {
			f.Add(p)
		}
	}
	f.Add(index(binary.BigEndian, primary, gainMap))
	f.Add(index(binary.LittleEndian, primary, thumbnail, gainMap))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := Parse(b)
		if !ok {
			return
		}
		if len(m.Entries)*entrySize > len(b) {
			t.Fatalf("%d entries from %d bytes", len(m.Entries), len(b))
		}
		k := m.GainMapEntry()
		if k < 0 {
			return
		}
		if k == 0 || k >= len(m.Entries) {
			t.Fatalf("gain map entry %d of %d", k, len(m.Entries))
		}
		checkSegment(t, m.GainMapSegment(k, 100, 5000, int64(m.Entries[k].Size)), m, k, 100, 5000, int64(m.Entries[k].Size))
	})
}
