package heif

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/exifscrub/exifscrub/internal/bmff"
)

// Reading what items hold, once their locations are resolved
// ([Location.Resolve]): their data, their size in pixels, the length
// fields of their NAL units, the TIFF structure of an Exif item.

// Size is the number of bytes of the item's data.
func (l *Location) Size() uint64 {
	var n uint64
	for _, e := range l.Extents {
		n += e.Len
	}
	return n
}

// Data returns the item's data from file (construction method 0) or idat
// (method 1): a slice of it for one extent, a copy for several. l must be
// resolved against them.
func (l *Location) Data(file, idat []byte) []byte {
	src := file
	if l.Method == 1 {
		src = idat
	}
	if len(l.Extents) == 1 {
		e := l.Extents[0]
		return src[e.Off : e.Off+e.Len]
	}
	b := make([]byte, 0, l.Size())
	for _, e := range l.Extents {
		b = append(b, src[e.Off:e.Off+e.Len]...)
	}
	return b
}

// ImageSize returns the width and height of item id from the first 'ispe'
// property associated with it (23008-12 §6.5.3: version and flags, then
// 32-bit width and height); props are the children of 'ipco'.
func ImageSize(props []bmff.Box, ipmas []Ipma, id uint32) (w, h uint32, ok bool) {
	for _, m := range ipmas {
		for _, e := range m.Entries {
			if e.ID != id {
				continue
			}
			for _, a := range e.Assocs {
				if a.Index == 0 || int(a.Index) > len(props) || props[a.Index-1].Type != propIspe {
					continue
				}
				c := bmff.NewCursor(props[a.Index-1])
				c.FullBox()
				w, h = c.U32(), c.U32()
				return w, h, c.Err() == nil
			}
		}
	}
	return 0, 0, false
}

var propIspe = bmff.FourCC{'i', 's', 'p', 'e'} // 23008-12 §6.5.3 image spatial extents

// NALLengthSize returns the size of the length fields of the NAL units
// that a decoder configuration (14496-15) says its item's data holds: the
// low 2 bits of byte 21 of 'hvcC', of byte 4 of 'avcC' and 'lhvC', bits
// 1–2 of the byte after the version and flags of 'vvcC'; plus one. A size
// of 3 is not allowed.
func NALLengthSize(cfg bmff.Box) (int, error) {
	at, shift := 21, 0
	switch cfg.Type {
	case PropAvcC, PropLhvC:
		at = 4
	case PropVvcC:
		at, shift = 4, 1
	}
	if len(cfg.Payload) <= at {
		return 0, errorAt(cfg.Offset, io.ErrUnexpectedEOF, "%q property truncated", cfg.Type)
	}
	n := int(cfg.Payload[at]>>shift&3) + 1
	if n == 3 {
		return 0, errorAt(cfg.Offset, nil, "%q NAL unit length of 3 bytes", cfg.Type)
	}
	return n, nil
}

// ExifTIFF returns the TIFF structure of an Exif item's data (23008-12
// Annex A: a 32-bit exif_tiff_header_offset, that many bytes, normally
// "Exif\0\0", the JPEG APP1 signature, then the TIFF structure). Some
// writers count the signature in the offset and then write it again; the
// TIFF header is what follows it. It returns false for data of fewer than
// 4 bytes, and for an offset beyond the data, which it returns.
func ExifTIFF(b []byte) (tiff []byte, off uint32, ok bool) {
	if len(b) < 4 {
		return nil, 0, false
	}
	off = binary.BigEndian.Uint32(b)
	if uint64(off) > uint64(len(b)-4) {
		return nil, off, false
	}
	tiff = bytes.TrimPrefix(b[4+off:], []byte("Exif\x00"))
	return bytes.TrimPrefix(tiff, []byte{0}), off, true
}

// Uncovered counts the bytes of b, which starts at offset base of the
// spans' space, that none of the spans sp holds, and says whether any of
// them is not zero.
func Uncovered(b []byte, base uint64, sp []Span) (n int, nonzero bool) {
	gap := func(from, to uint64) {
		if from < to {
			n += int(to - from)
			nonzero = nonzero || len(bytes.Trim(b[from-base:to-base], "\x00")) > 0
		}
	}
	pos, end := base, base+uint64(len(b))
	for _, s := range sp {
		lo, hi := max(s.Start, base), min(s.End, end)
		if lo >= hi {
			continue
		}
		gap(pos, lo)
		pos = max(pos, hi)
	}
	gap(pos, end)
	return n, nonzero
}
