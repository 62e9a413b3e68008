package makernote

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// An ent is one IFD entry for buildIFD.
type ent struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

func ascii(tag uint16, s string) ent {
	return ent{tag, 2, uint32(len(s) + 1), append([]byte(s), 0)}
}

// buildIFD returns an IFD of es in byte order bo, with the values that do
// not fit in an entry after it (and after a zero next-IFD offset), their
// offsets counted as if the IFD started at at (TIFF 6.0 §2).
func buildIFD(bo binary.AppendByteOrder, at uint32, es ...ent) []byte {
	head := 2 + 12*len(es) + 4
	var b, data []byte
	b = bo.AppendUint16(b, uint16(len(es)))
	for _, e := range es {
		b = bo.AppendUint16(b, e.tag)
		b = bo.AppendUint16(b, e.typ)
		b = bo.AppendUint32(b, e.count)
		if len(e.val) <= 4 {
			v := make([]byte, 4)
			copy(v, e.val)
			b = append(b, v...)
			continue
		}
		b = bo.AppendUint32(b, at+uint32(head+len(data)))
		data = append(data, e.val...)
	}
	b = append(b, 0, 0, 0, 0)
	return append(b, data...)
}

// exifWith returns an EXIF block in byte order bo whose bytes from 8 on
// are note, with the offset at which the note starts (8): enough for Read,
// which needs only the block and where the note lies in it.
func exifWith(bo binary.ByteOrder, note []byte) ([]byte, uint32) {
	b := []byte("II*\x00\x08\x00\x00\x00")
	if bo == binary.BigEndian {
		b = []byte("MM\x00*\x00\x00\x00\x08")
	}
	return append(b, note...), 8
}

func u16(bo binary.AppendByteOrder, v uint16) []byte { return bo.AppendUint16(nil, v) }
func u32(bo binary.AppendByteOrder, v uint32) []byte { return bo.AppendUint32(nil, v) }

func TestRead(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	tests := []struct {
		name string
		bo   binary.ByteOrder
		make string
		note func() []byte // the maker note, which exifWith puts at offset 8
		want Note
	}{
		{"Canon: an IFD, offsets from the EXIF header", le, "Canon", func() []byte {
			return buildIFD(le, 8, ascii(0x0006, "IMG:PowerShot S40 JPEG"), ascii(0x0009, "Andreas Huggel"),
				ent{0x000c, 4, 1, u32(le, 1234567)}, ascii(0x0095, ""), ent{0x001c, 3, 1, u16(le, 0)})
		}, Note{Maker: "Canon", Fields: []Field{
			{0x0006, "CanonImageType", Device, "IMG:PowerShot S40 JPEG"},
			{0x0009, "OwnerName", Identity, "Andreas Huggel"},
			{0x000c, "SerialNumber", Device, "1234567"},
		}}},
		{"Canon: a date stamped on the picture is a time", le, "Canon", func() []byte {
			return buildIFD(le, 8, ent{0x001c, 3, 1, u16(le, 1)},
				ent{0x0035, 9, 4, append(append(u32(le, 16), u32(le, 60)...), make([]byte, 8)...)})
		}, Note{Maker: "Canon", Fields: []Field{
			{0x001c, "DateStampMode", Time, "1"},
			{0x0035, "TimeZone", Time, "+01:00"},
		}}},
		{"Nikon type 3: its own TIFF header at 10", le, "NIKON CORPORATION", func() []byte {
			ifd := buildIFD(be, 8, ascii(0x001d, "3105364"), ent{0x0024, 7, 4, []byte{0x00, 0xb4, 0, 0}},
				ent{0x00b6, 7, 8, []byte{0x07, 0xda, 4, 25, 10, 51, 0, 0}}, ent{0x009d, 3, 1, u16(be, 0)})
			return append([]byte("Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00\x00\x08"), ifd...)
		}, Note{Maker: "Nikon", Fields: []Field{
			{0x001d, "SerialNumber", Device, "3105364"},
			{0x0024, "TimeZone", Time, "+03:00"},
			{0x00b6, "PowerUpTime", Time, "2010:04:25 10:51:00"},
		}}},
		{"Nikon: a preview image in the PreviewIFD", le, "NIKON", func() []byte {
			// The PreviewIFD pointer's offset counts from the EXIF header.
			main := buildIFD(le, 8, ent{0x0011, 13, 1, u32(le, 8+18)})
			return append(main, buildIFD(le, 8+18, ent{0x0201, 4, 1, u32(le, 3000)}, ent{0x0202, 4, 1, u32(le, 1639)})...)
		}, Note{Maker: "Nikon", Fields: []Field{
			{0x0201, "PreviewImage", Embedded, "(1639 bytes at offset 3000)"},
		}}},
		{"Olympus: OLYMPUS\\0II, offsets from the note, Equipment sub-IFD", be, "OLYMPUS IMAGING CORP.", func() []byte {
			// The Equipment IFD follows the main IFD (of one entry and
			// an inline value: 18 bytes) after the 12-byte header.
			main := buildIFD(le, 12, ent{0x2010, 13, 1, u32(le, 12+18)})
			eq := buildIFD(le, 12+18, ascii(0x0101, "F70501740"), ascii(0x0202, "ABC123"))
			return append(append([]byte("OLYMPUS\x00II\x03\x00"), main...), eq...)
		}, Note{Maker: "Olympus", Fields: []Field{
			{0x0101, "SerialNumber", Device, "F70501740"},
			{0x0202, "LensSerialNumber", Device, "ABC123"},
		}}},
		{"Fujifilm: the IFD's offset at 8, offsets from the note", be, "FUJIFILM", func() []byte {
			return append([]byte("FUJIFILM\x0c\x00\x00\x00"), buildIFD(le, 12, ascii(0x0010, "FC  A1234567"))...)
		}, Note{Maker: "FujiFilm", Fields: []Field{
			{0x0010, "InternalSerialNumber", Device, "FC  A1234567"},
		}}},
		{"Panasonic: places typed in, a baby's name", le, "Panasonic", func() []byte {
			return append([]byte("Panasonic\x00\x00\x00"), buildIFD(le, 8+12, ascii(0x006d, "Toulouse"),
				ascii(0x0069, "France"), ascii(0x006f, "Capitole"), ascii(0x0066, "Lucie"),
				ent{0x0025, 7, 16, []byte("\x00\x00S010604030293\x00")})...)
		}, Note{Maker: "Panasonic", Fields: []Field{
			{0x006d, "City", Location, "Toulouse"},
			{0x0069, "Country", Location, "France"},
			{0x006f, "Landmark", Location, "Capitole"},
			{0x0066, "BabyName", Identity, "Lucie"},
			{0x0025, "InternalSerialNumber", Device, "S010604030293"},
		}}},
		{"Apple: its own byte order, offsets from the note", le, "Apple", func() []byte {
			return append([]byte("Apple iOS\x00\x00\x01MM"), buildIFD(be, 14, ascii(0x0011, "6F3C2E01-2B5A-4C47-9E0C-3D2A1B0C9F8E"))...)
		}, Note{Maker: "Apple", Fields: []Field{
			{0x0011, "ContentIdentifier", Device, "6F3C2E01-2B5A-4C47-9E0C-3D2A1B0C9F8E"},
		}}},
		{"Nintendo: a little-endian record in a big-endian note", be, "Nintendo", func() []byte {
			rec := make([]byte, 0x30)
			copy(rec, "3DS1")
			binary.LittleEndian.PutUint32(rec[8:], 446996000) // 2014:03:01 13:33:20
			copy(rec[0x18:], []byte{0x57, 0x5b, 0xbd, 0xf3})
			return buildIFD(be, 8, ent{0x1101, 7, uint32(len(rec)), rec})
		}, Note{Maker: "Nintendo", Fields: []Field{
			{0x1101, "ModelID", Device, "3DS1"},
			{0x1101, "TimeStamp", Time, "2014:03:01 13:33:20"},
			{0x1101, "InternalSerialNumber", Device, "0x575bbdf3"},
		}}},
		{"Pentax AOC\\0: a preview by its start and length", be, "PENTAX Corporation", func() []byte {
			return append([]byte("AOC\x00MM"), buildIFD(be, 8+6, ent{0x0003, 4, 1, u32(be, 5000)}, ent{0x0004, 4, 1, u32(be, 9000)},
				ent{0x0006, 7, 4, []byte{0x07, 0xd8, 6, 12}}, ent{0x0007, 7, 3, []byte{21, 14, 3}}, ascii(0x0229, "1234567"))...)
		}, Note{Maker: "Pentax", Fields: []Field{
			{0x0006, "Date", Time, "2008:06:12"},
			{0x0007, "Time", Time, "21:14:03"},
			{0x0229, "SerialNumber", Device, "1234567"},
			{0x0004, "PreviewImage", Embedded, "(5000 bytes at offset 9000)"},
		}}},
		{"Reconyx: a fixed record, not an IFD", be, "RECONYX", func() []byte {
			rec := make([]byte, 108)
			copy(rec, "\x01\xf1\x03\x00\x03\x00\x00\x00")
			for i, v := range []uint16{0, 0, 10, 3, 16, 2020} {
				binary.LittleEndian.PutUint16(rec[22+2*i:], v)
			}
			for i, c := range "H500EE06130468" {
				binary.LittleEndian.PutUint16(rec[42+2*i:], uint16(c))
			}
			copy(rec[86:], "HC500 HYPERFIRE")
			return rec
		}, Note{Maker: "Reconyx", Fields: []Field{
			{2, "FirmwareVersion", Device, "3.3.0"},
			{22, "DateTimeOriginal", Time, "2020:03:16 10:00:00"},
			{42, "SerialNumber", Device, "H500EE06130468"},
			{86, "UserLabel", Text, "HC500 HYPERFIRE"},
		}}},
		{"the other byte order, when only it reads as an IFD", be, "Canon", func() []byte {
			return buildIFD(le, 8, ascii(0x0009, "Owner"))
		}, Note{Maker: "Canon", Fields: []Field{{0x0009, "OwnerName", Identity, "Owner"}}}},
		{"an unknown maker", le, "Kodak", func() []byte {
			return buildIFD(le, 8, ascii(0x0009, "x"))
		}, Note{}},
		{"offsets past the end give nothing", le, "Canon", func() []byte {
			b := buildIFD(le, 8, ascii(0x0009, "Andreas Huggel"))
			binary.LittleEndian.PutUint32(b[2+8:], 0xfffffff0)
			return b
		}, Note{Maker: "Canon"}},
		{"a count past the end reads the entries that fit", le, "Canon", func() []byte {
			b := buildIFD(le, 8, ascii(0x0009, "Jo"))
			binary.LittleEndian.PutUint16(b, 900)
			return b[:2+12]
		}, Note{Maker: "Canon", Fields: []Field{{0x0009, "OwnerName", Identity, "Jo"}}}},
		{"a sub-IFD that points to itself", le, "OLYMPUS", func() []byte {
			return append([]byte("OLYMPUS\x00II\x03\x00"), buildIFD(le, 12, ent{0x2010, 13, 1, u32(le, 12)})...)
		}, Note{Maker: "Olympus"}},
		{"a truncated header", le, "NIKON", func() []byte { return []byte("Nikon\x00\x02\x10\x00\x00MM") }, Note{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exif, at := exifWith(tt.bo, tt.note())
			got := Read(exif, tt.bo, at, uint32(len(exif))-at, tt.make)
			if got.Fields == nil {
				got.Fields = tt.want.Fields[:0:0]
			}
			if tt.want.Fields == nil {
				tt.want.Fields = got.Fields[:0:0]
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestReadOutOfRange: a note said to lie past the block's end is not read.
func TestReadOutOfRange(t *testing.T) {
	exif, _ := exifWith(binary.LittleEndian, buildIFD(binary.LittleEndian, 8, ascii(0x0009, "x")))
	for _, r := range [][2]uint32{{8, 1 << 30}, {1 << 31, 1 << 31}, {0xffffffff, 2}} {
		if got := Read(exif, binary.LittleEndian, r[0], r[1], "Canon"); got.Maker != "" || len(got.Fields) != 0 {
			t.Errorf("Read at %d, %d bytes: got %+v, want nothing", r[0], r[1], got)
		}
	}
}

// exifBlock returns the TIFF block of a JPEG's first EXIF APP1 segment
// (CIPA DC-008 §4.5.4: the segment length, which counts itself, then
// "Exif\0\0"), or nil.
func exifBlock(b []byte) []byte {
	i := bytes.Index(b, []byte("Exif\x00\x00"))
	if i < 4 || b[i-4] != 0xff || b[i-3] != 0xe1 {
		return nil
	}
	end := i - 2 + int(b[i-2])<<8 | int(b[i-1])
	if end > len(b) || i+6 > end {
		return nil
	}
	return b[i+6 : end]
}
