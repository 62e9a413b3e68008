// Package mpf reads and writes the Multi-Picture Format index of CIPA
// DC-007 (§5.2): the APP2 segment, after "MPF\0", of a TIFF header and the
// MP Index IFD, whose MPEntry tag (0xB002) holds a 16-byte entry per image
// of the file: the image attribute (flags, format and type), its size, its
// offset from the TIFF header (0 for the first image, which holds the
// index) and two dependent-image entry numbers.
//
// Parse reads the entries of an index as they are, without checking them
// against the file: where they point is for the caller to check. The
// writer makes the index of a primary image followed by its gain map (an
// Ultra HDR, ISO 21496-1 or Apple HDR JPEG): two entries, their sizes and
// offsets computed anew for the output. The package does not read the MP
// Attribute IFD of the other images, the MPF version, or the number of
// images the index announces (readers go by its entries), and writes no
// index of more than two images.
package mpf

import (
	"encoding/binary"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// Signature starts the payload of an MPF APP2 segment (CIPA DC-007 §5.2).
const Signature = "MPF\x00"

// MP Index IFD tags (CIPA DC-007 §5.2.3).
const (
	tagMPFVersion     = 0xb000
	tagNumberOfImages = 0xb001
	tagMPEntry        = 0xb002
)

// MP image attribute fields (CIPA DC-007 §5.2.3.3.1).
const (
	typeMask       = 0x00ffffff
	formatMask     = 0x07000000 // 0: JPEG
	TypePrimary    = 0x030000   // Baseline MP Primary Image
	typeUndefined  = 0x000000   // what Ultra HDR and Apple give the gain map
	entrySize      = 16
	flagsDefined   = 0xe0000000 // dependent parent, dependent child, representative
	flagDependents = 0xc0000000
)

// TIFFAt is how far into an MPF APP2 segment its TIFF header, from which
// the entries' offsets count, starts: the marker, the length and "MPF\0".
const TIFFAt = 4 + 4

// maxPayload is the largest payload of a JPEG marker segment (T.81 B.1.1.4:
// a 16-bit length that counts itself).
const maxPayload = 65535 - 2

// An Entry is one image of an MP index (CIPA DC-007 §5.2.3.3).
type Entry struct {
	Attr         uint32
	Size, Offset uint32
	Dep1, Dep2   uint16
}

// An Index is a parsed MP index.
type Index struct {
	Order   binary.ByteOrder
	Entries []Entry
}

// Parse reads the MP index b (after "MPF\0"), or returns false when its
// header or IFD cannot be read. It reads the entries of the first MPEntry
// tag, as far as they are in the block.
func Parse(b []byte) (*Index, bool) {
	t, err := tiff.Open(b)
	if err != nil {
		return nil, false
	}
	n, ok := t.U16(uint64(t.First))
	if !ok {
		return nil, false
	}
	m := &Index{Order: t.Order}
	for i := uint64(0); i < uint64(n); i++ {
		e := uint64(t.First) + 2 + 12*i
		tag, ok := t.U16(e)
		if !ok {
			break
		}
		if tag != tagMPEntry {
			continue
		}
		typ, _ := t.U16(e + 2)
		count, _ := t.U32(e + 4)
		val, _, ok := t.Value(e, typ, count)
		if !ok {
			break
		}
		for k := 0; k+entrySize <= len(val); k += entrySize {
			o := t.Order
			m.Entries = append(m.Entries, Entry{
				Attr: o.Uint32(val[k:]), Size: o.Uint32(val[k+4:]), Offset: o.Uint32(val[k+8:]),
				Dep1: o.Uint16(val[k+12:]), Dep2: o.Uint16(val[k+14:]),
			})
		}
		break
	}
	return m, true
}

// GainMapEntry returns the index of the first entry after the primary
// that may be a gain map, or -1: one of type "Undefined" and format JPEG,
// as libultrahdr and Apple write it (thumbnails, panorama and stereo
// frames have types of their own), of a size other than 0.
func (m *Index) GainMapEntry() int {
	for i, e := range m.Entries {
		if i > 0 && e.Attr&typeMask == typeUndefined && e.Attr&formatMask == 0 && e.Size > 0 {
			return i
		}
	}
	return -1
}

// GainMapSegment returns a new MPF APP2 marker segment for the primary
// image (m's first entry) and the gain map (its entry k): the segment is
// written at offset at of the output, rest bytes of the primary image
// follow it, then the gain map of gainSize bytes.
func (m *Index) GainMapSegment(k int, at, rest, gainSize int64) []byte {
	// The segment's TIFF header, and so its offsets, come after what was
	// written before it; the primary's size counts the segment.
	size := int64(len(segment(build(m.Order, 0, 0, 0, 0, 0))))
	primarySize := at + size + rest
	return segment(build(m.Order, m.Entries[0].Attr, m.Entries[k].Attr, primarySize, gainSize, at+TIFFAt))
}

// segment returns an APP2 marker segment (T.81 B.1.1.4) of the payload.
func segment(payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, 0xe2, byte(n >> 8), byte(n)}, payload...)
}

// build returns the payload of a new MPF APP2 segment ("MPF\0" and the
// index) for a primary image of primarySize bytes followed by a gain map
// of gainSize bytes, the index's TIFF header being tiffAt bytes into the
// output. The attributes are the input's, with only their defined flags,
// and the dependent-image numbers are 0: neither image depends on another
// that an MP reader would follow.
func build(order binary.ByteOrder, primaryAttr, gainAttr uint32, primarySize, gainSize, tiffAt int64) []byte {
	ab := order.(binary.AppendByteOrder)
	var entries []byte
	for _, e := range []Entry{
		{Attr: primaryAttr &^ flagDependents & (flagsDefined | formatMask | typeMask), Size: uint32(primarySize)},
		{Attr: gainAttr &^ flagDependents & (flagsDefined | formatMask | typeMask), Size: uint32(gainSize), Offset: uint32(primarySize - tiffAt)},
	} {
		entries = ab.AppendUint32(entries, e.Attr)
		entries = ab.AppendUint32(entries, e.Size)
		entries = ab.AppendUint32(entries, e.Offset)
		entries = ab.AppendUint16(entries, e.Dep1)
		entries = ab.AppendUint16(entries, e.Dep2)
	}
	ifd := []tiff.Entry{
		{Tag: tagMPFVersion, Type: 7, Count: 4, Value: []byte("0100")},
		{Tag: tagNumberOfImages, Type: 4, Count: 1, Value: ab.AppendUint32(nil, 2)},
		{Tag: tagMPEntry, Type: 7, Count: uint32(len(entries)), Value: entries},
	}
	block := tiff.Write(order, ifd, nil, nil, maxPayload)
	return append([]byte(Signature), block...)
}
