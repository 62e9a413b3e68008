package exifscrub

import (
	"encoding/binary"

	"github.com/exifscrub/exifscrub/internal/tiff"
)

// The Multi-Picture Format index (CIPA DC-007 §5.2): after "MPF\0", a
// TIFF header and the MP Index IFD, whose MPEntry tag (0xB002) holds a
// 16-byte entry per image: the image attribute (flags, format and type),
// its size, its offset from the TIFF header (0 for the first image, which
// holds the index) and two dependent-image entry numbers. exifscrub keeps
// an index only for a gain-map JPEG (jpeg_gainmap.go), written anew with
// two entries, the primary and the gain map, their sizes and offsets
// those of the new file.

// MP Index IFD tags (CIPA DC-007 §5.2.3).
const (
	tagMPFVersion     = 0xb000
	tagNumberOfImages = 0xb001
	tagMPEntry        = 0xb002
)

// MP image attribute fields (CIPA DC-007 §5.2.3.3.1).
const (
	mpTypeMask       = 0x00ffffff
	mpFormatMask     = 0x07000000 // 0: JPEG
	mpTypePrimary    = 0x030000   // Baseline MP Primary Image
	mpTypeUndefined  = 0x000000   // what Ultra HDR and Apple give the gain map
	mpEntrySize      = 16
	mpFlagsDefined   = 0xe0000000 // dependent parent, dependent child, representative
	mpFlagDependents = 0xc0000000
)

// An mpEntry is one image of an MP index.
type mpEntry struct {
	attr         uint32
	size, offset uint32
	dep1, dep2   uint16
}

// An mpfIndex is a parsed MP index.
type mpfIndex struct {
	order   binary.ByteOrder
	entries []mpEntry
	// tiffStart is the input offset of the index's TIFF header, from
	// which the entries' offsets count.
	tiffStart int64
}

// parseMPFIndex reads the MP index b (after "MPF\0"), or returns false
// when its header or IFD cannot be read. It reads the entries of the
// first MPEntry tag, as far as they are in the block.
func parseMPFIndex(b []byte) (*mpfIndex, bool) {
	t, err := tiff.Open(b)
	if err != nil {
		return nil, false
	}
	n, ok := t.U16(uint64(t.First))
	if !ok {
		return nil, false
	}
	m := &mpfIndex{order: t.Order}
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
		for k := 0; k+mpEntrySize <= len(val); k += mpEntrySize {
			o := t.Order
			m.entries = append(m.entries, mpEntry{
				attr: o.Uint32(val[k:]), size: o.Uint32(val[k+4:]), offset: o.Uint32(val[k+8:]),
				dep1: o.Uint16(val[k+12:]), dep2: o.Uint16(val[k+14:]),
			})
		}
		break
	}
	return m, true
}

// mpfSegmentSize is the size of the APP2 segment writeMPF makes, marker
// and length included; the TIFF header is mpfTIFFAt bytes into it.
const (
	mpfTIFFAt = 4 + 4 // FF E2, length, "MPF\0"
)

// buildMPF returns the payload of a new MPF APP2 segment ("MPF\0" and the
// index) for a primary image of primarySize bytes followed by a gain map
// of gainSize bytes, the index's TIFF header being tiffAt bytes into the
// output. The attributes are the input's, with only their defined flags,
// and the dependent-image numbers are 0: neither image depends on another
// that an MP reader would follow.
func buildMPF(order binary.ByteOrder, primaryAttr, gainAttr uint32, primarySize, gainSize, tiffAt int64) []byte {
	ab := order.(binary.AppendByteOrder)
	var entries []byte
	for _, e := range []mpEntry{
		{attr: primaryAttr &^ mpFlagDependents & (mpFlagsDefined | mpFormatMask | mpTypeMask), size: uint32(primarySize)},
		{attr: gainAttr &^ mpFlagDependents & (mpFlagsDefined | mpFormatMask | mpTypeMask), size: uint32(gainSize), offset: uint32(primarySize - tiffAt)},
	} {
		entries = ab.AppendUint32(entries, e.attr)
		entries = ab.AppendUint32(entries, e.size)
		entries = ab.AppendUint32(entries, e.offset)
		entries = ab.AppendUint16(entries, e.dep1)
		entries = ab.AppendUint16(entries, e.dep2)
	}
	ifd := []tiff.Entry{
		{Tag: tagMPFVersion, Type: 7, Count: 4, Value: []byte("0100")},
		{Tag: tagNumberOfImages, Type: 4, Count: 1, Value: ab.AppendUint32(nil, 2)},
		{Tag: tagMPEntry, Type: 7, Count: uint32(len(entries)), Value: entries},
	}
	block := tiff.Write(order, ifd, nil, nil, maxSegment)
	return append(append([]byte(nil), sigMPF...), block...)
}
