package exifscrub

import (
	"fmt"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/heif"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// Item properties, rebuilt from their fields. A property is copied only
// through what its definition says it holds: bytes after the fields, set
// reserved bits, SEI and metadata OBUs in decoder configurations are left
// behind, and reported.

// heifFixedProps are properties made of fixed-size fields: whether it is a
// FullBox (written as version 0, flags 0), the size of the fields after
// the version and flags, and a mask applied to a one-byte field whose
// other bits are reserved (0 for none).
var heifFixedProps = map[bmff.FourCC]struct {
	full bool
	size int
	mask byte
}{
	{'i', 's', 'p', 'e'}: {true, 8, 0},      // 23008-12 §6.5.3: width, height
	{'r', 'l', 'o', 'c'}: {true, 8, 0},      // §6.5.7: horizontal, vertical offset
	{'i', 's', 'c', 'l'}: {true, 8, 0},      // §6.5.13: two fractions
	{'c', 'l', 'o', 'c'}: {true, 1, 0},      // 23001-17: chroma location
	{'i', 'r', 'o', 't'}: {false, 1, 0x03},  // §6.5.10: 6 reserved bits, angle
	{'i', 'm', 'i', 'r'}: {false, 1, 0x01},  // §6.5.12: 7 reserved bits, axis
	{'p', 'a', 's', 'p'}: {false, 8, 0},     // 14496-12 §12.1.4: hSpacing, vSpacing
	{'c', 'l', 'a', 'p'}: {false, 32, 0},    // §12.1.4: four fractions
	{'c', 'l', 'l', 'i'}: {false, 4, 0},     // 23008-12 §6.5.16 (H.265 D.2.35)
	{'m', 'd', 'c', 'v'}: {false, 24, 0},    // §6.5.17 (H.265 D.2.28)
	{'a', 'm', 'v', 'e'}: {false, 8, 0},     // §6.5.19 (H.265 D.2.39)
	{'a', '1', 'o', 'p'}: {false, 1, 0},     // AVIF §2.3.2: operating point
	{'l', 's', 'e', 'l'}: {false, 2, 0},     // 23008-12 §6.5.11: layer id
	{'p', 'i', 'x', 'i'}: {true, -1, 0},     // §6.5.6: written below
	{'a', '1', 'l', 'x'}: {false, -1, 0},    // AVIF §2.3.3: written below
	{'c', 'c', 'l', 'v'}: {false, -1, 0},    // 23008-12 §6.5.18: written below
	{'r', 'r', 'e', 'f'}: {true, -1, 0},     // §6.5.22: written below
	{'a', 'u', 'x', 'C'}: {true, -1, 0},     // §6.5.8: written below
	{'c', 'o', 'l', 'r'}: {false, -1, 0},    // 14496-12 §12.1.5: written below
	{'h', 'v', 'c', 'C'}: {false, -1, 0},    // 14496-15 §8.3.3: written below
	{'a', 'v', 'c', 'C'}: {false, -1, 0},    // 14496-15 §5.3.3: written below
	{'l', 'h', 'v', 'C'}: {false, -1, 0},    // 14496-15 §9.6.3: written below
	{'v', 'v', 'c', 'C'}: {true, -1, 0},     // 14496-15 §11.2.4.2: written below
	{'t', 'o', 'l', 's'}: {true, 2, 0},      // 23008-12 §6.5.21: target output layer set
	{'a', 'v', '1', 'C'}: {false, -1, 0x00}, // AV1-ISOBMFF §2.3: written below
	{'j', 'p', 'g', 'C'}: {false, -1, 0},    // 23008-12 Annex H.2: written below
}

// Auxiliary types whose aux_subtype means something (23008-12 §6.5.8): a
// depth map's subtype is its depth representation information SEI (H.265
// G.14.2.6). Other types' subtypes are dropped.
var auxDepth = map[string]bool{
	"urn:mpeg:hevc:2015:auxid:2":                  true,
	"urn:mpeg:mpegB:cicp:systems:auxiliary:depth": true,
}

// rebuildProperty writes a kept property from its fields. It returns nil
// for a property that goes, an error for one that is truncated or, being
// essential, cannot be written.
func (h *heifFile) rebuildProperty(p bmff.Box, essential bool) ([]byte, error) {
	spec, ok := heifFixedProps[p.Type]
	var w bmff.Writer
	if !ok {
		// A property that says how to decode an image but whose fields
		// Scrub does not rebuild (EVC and JPEG 2000 configurations,
		// uncompressed image layouts, layered HEVC operating points)
		// would have to be copied whole, and could carry anything: the
		// file is refused instead.
		return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "property %q: its fields are not rebuilt, and it is not copied whole", p.Type)
	}
	c := bmff.NewCursor(p)
	if spec.full {
		// Version 0 is the one whose fields are known; a property of
		// another version is dropped, or refused if essential.
		if v, _ := c.FullBox(); c.Err() == nil && v != 0 {
			if essential {
				return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "essential property %q version %d", p.Type, v)
			}
			h.rep.add(Embedded, h.where("ipco"), p.Type.String(), fmt.Sprintf("(version %d, %d bytes)", v, len(p.Payload)))
			return nil, nil
		}
		w.StartFull(p.Type, 0, 0)
	} else {
		w.Start(p.Type)
	}
	keep := true
	switch p.Type {
	case bmff.FourCC{'p', 'i', 'x', 'i'}:
		n := c.U8()
		w.U8(n)
		w.Append(c.Take(int(n)))
	case bmff.FourCC{'a', '1', 'l', 'x'}:
		large := c.U8() & 1
		w.U8(large)
		for i := 0; i < 3; i++ {
			w.Append(c.Take(2 + 2*int(large)))
		}
	case bmff.FourCC{'c', 'c', 'l', 'v'}:
		f := c.U8()
		w.U8(f & 0xfc)
		if f&0x20 != 0 { // ccv_primaries_present_flag
			w.Append(c.Take(24))
		}
		for _, bit := range []byte{0x10, 0x08, 0x04} { // min, max, avg luminance
			if f&bit != 0 {
				w.Append(c.Take(4))
			}
		}
	case bmff.FourCC{'r', 'r', 'e', 'f'}:
		n := c.U8()
		w.U8(n)
		w.Append(c.Take(4 * int(n)))
	case bmff.FourCC{'a', 'u', 'x', 'C'}:
		typ := c.UTF8String()
		w.Append([]byte(typ))
		w.U8(0)
		if auxDepth[typ] {
			w.Append(c.Take(c.Left()))
		} else if c.Left() > 0 && c.Err() == nil {
			h.rep.add(Embedded, h.where("auxC"), "AuxiliarySubtype", fmt.Sprintf("(%d bytes after %q)", c.Left(), typ))
			c.Take(c.Left())
		}
	case bmff.FourCC{'c', 'o', 'l', 'r'}:
		var err error
		if keep, err = writeColr(h.rep, h.where("colr"), &w, c); err != nil {
			return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
		}
	case propHvcC, propAvcC, propLhvC, propVvcC:
		h.writeNALConfig(&w, c, p.Type)
	case bmff.FourCC{'j', 'p', 'g', 'C'}:
		// The JPEG header for items whose data starts at SOS: marker
		// segments, of which APPn and COM are metadata (T.81 B.2.4.5,
		// B.2.4.6) and go.
		b, err := jpegTables(c.Take(c.Left()), h.rep)
		if err != nil {
			return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "'jpgC': %v", err)
		}
		w.Append(b)
	case bmff.FourCC{'a', 'v', '1', 'C'}:
		// marker and version, profile and level, tier to chroma sample
		// position, and 3 reserved bits before the presentation delay.
		b := c.Take(4)
		if c.Err() == nil {
			if b[0] != 0x81 {
				return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "'av1C' version byte %#x", b[0])
			}
			w.Append([]byte{b[0], b[1], b[2], b[3] & 0x1f})
			rm := make(removals)
			obus, removed, err := av1.Filter(c.Take(c.Left()), true)
			if err != nil {
				return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "'av1C': %v", err)
			}
			rm.merge(h.where("av1C"), removed)
			rm.report(h.rep)
			w.Append(obus)
		}
	default:
		b := c.Take(spec.size)
		if c.Err() == nil && spec.mask != 0 {
			b = []byte{b[0] & spec.mask}
		}
		w.Append(b)
	}
	if c.Err() != nil {
		return nil, c.Err()
	}
	if !keep {
		if essential {
			return nil, bmff.ErrorAt(p.Offset, ErrUnsupportedFeature, "essential property %q cannot be rebuilt", p.Type)
		}
		return nil, nil
	}
	h.reportTrailing(heif.TrailingOf(c))
	w.End()
	return w.Bytes(), w.Err()
}

// writeNALConfig writes a decoder configuration record of NAL units
// (ISO/IEC 14496-15: 'avcC' §5.3.3.1, 'hvcC' §8.3.3.1, 'lhvC' §9.6.3,
// 'vvcC' §11.2.4.2) with its parameter sets and HDR SEI, reserved bits set
// as the standard has them, and nothing after.
func (h *heifFile) writeNALConfig(w *bmff.Writer, c *bmff.Cursor, typ bmff.FourCC) {
	rm := make(removals)
	container := h.where(typ.String())
	codec := nal.HEVC
	switch typ {
	case propAvcC:
		codec = nal.AVC
	case propVvcC:
		codec = nal.VVC
	}
	// unit copies one NAL unit, if it is kept, and says whether it was.
	unit := func() bool {
		n := int(c.U16())
		b := c.Take(n)
		if c.Err() != nil {
			return false
		}
		if n < codec.HeaderLen {
			c.Fail(nil, "NAL unit of %d bytes", n)
			return false
		}
		t := codec.Type(b)
		if !codec.InConfig(t) {
			rm.add(container, nal.TypeName(t), 1, n)
			return false
		}
		if codec.IsSEI(t) {
			var removed nal.Removed
			b, removed = codec.FilterSEI(b)
			rm.merge(container, removed)
			if b == nil {
				return false
			}
		}
		w.U16(uint16(len(b)))
		w.Append(b)
		return true
	}
	nals := func(count int) (kept int) {
		for i := 0; i < count && c.Err() == nil; i++ {
			if unit() {
				kept++
			}
		}
		return kept
	}
	switch typ {
	case propHvcC:
		b := c.Take(22)
		if c.Err() != nil {
			return
		}
		hdr := append([]byte(nil), b...)
		hdr[13] |= 0xf0 // reserved bits are 1
		hdr[15] |= 0xfc
		hdr[16] |= 0xfc
		hdr[17] |= 0xf8
		hdr[18] |= 0xf8
		w.Append(hdr)
		h.nalArrays(w, c, 0xbf, nil, nals)
	case propLhvC:
		// configurationVersion, then reserved bits (1) before
		// min_spatial_segmentation_idc, parallelismType and
		// numTemporalLayers.
		b := c.Take(5)
		if c.Err() != nil {
			return
		}
		w.Append([]byte{b[0], b[1] | 0xf0, b[2], b[3] | 0xfc, b[4] | 0xc0})
		h.nalArrays(w, c, 0xbf, nil, nals)
	case propVvcC:
		h.writeVVCHeader(w, c)
		// DCI and OPI arrays hold one unit and no count (§11.2.4.2.2).
		h.nalArrays(w, c, 0x9f, func(t int) bool { return t != 12 && t != 13 }, nals)
	default:
		b := c.Take(6)
		if c.Err() != nil {
			return
		}
		w.Append([]byte{b[0], b[1], b[2], b[3], b[4] | 0xfc})
		at := w.Len()
		w.U8(0)
		w.PutUintN(at, 1, uint64(0xe0|byte(nals(int(b[5]&0x1f))))) // 3 reserved bits, numOfSequenceParameterSets
		n := c.U8()
		at = w.Len()
		w.U8(0)
		w.PutUintN(at, 1, uint64(nals(int(n))))
		// §5.3.3.1.2: the High profiles add chroma format, bit depths
		// and SPS extensions, which some writers leave out.
		if p := b[1]; (p == 100 || p == 110 || p == 122 || p == 144) && c.Left() >= 4 {
			ext := c.Take(3)
			w.Append([]byte{ext[0] | 0xfc, ext[1] | 0xf8, ext[2] | 0xf8})
			n := c.U8()
			at = w.Len()
			w.U8(0)
			w.PutUintN(at, 1, uint64(nals(int(n))))
		}
	}
	rm.report(h.rep)
}

// nalArrays copies the arrays of NAL units that end an HEVC, L-HEVC or VVC
// configuration record: a count of arrays, then for each a byte of
// completeness, reserved bits (cleared by mask) and NAL unit type, a count
// of units (if counted says the type has one; nil: all do) and the units.
// An array left with no unit is dropped.
func (h *heifFile) nalArrays(w *bmff.Writer, c *bmff.Cursor, mask byte, counted func(t int) bool, nals func(int) int) {
	n := c.U8()
	arraysAt := w.Len()
	w.U8(0)
	arrays := 0
	for i := 0; i < int(n) && c.Err() == nil; i++ {
		a := c.U8()
		count, hasCount := 1, counted == nil || counted(int(a&0x1f))
		at := w.Len()
		w.U8(a & mask)
		if hasCount {
			count = int(c.U16())
			w.U16(0)
		}
		kept := nals(count)
		if kept == 0 {
			w.Truncate(at) // no unit left: no array
			continue
		}
		if hasCount {
			w.PutUintN(at+1, 2, uint64(kept))
		}
		arrays++
	}
	if c.Err() == nil {
		w.PutUintN(arraysAt, 1, uint64(arrays))
	}
}

// writeVVCHeader writes the fields of a VVC configuration record before its
// arrays (14496-15 §11.2.4.2.2): reserved bits, the NAL unit length size,
// and when present the output layer set, sublayers, chroma format, bit
// depth, profile, tier and level (VvcPTLRecord), picture size and frame
// rate.
func (h *heifFile) writeVVCHeader(w *bmff.Writer, c *bmff.Cursor) {
	b0 := c.U8()
	w.U8(b0 | 0xf8)
	if b0&1 == 0 || c.Err() != nil { // ptl_present_flag
		return
	}
	b := c.Take(3) // ols_idx(9) num_sublayers(3) constant_frame_rate(2) chroma_format_idc(2) bit_depth_minus8(3) reserved(5)
	if c.Err() != nil {
		return
	}
	w.Append([]byte{b[0], b[1], b[2] | 0x1f})
	sublayers := int(b[1]>>4) & 7
	// VvcPTLRecord: 2 reserved bits and num_bytes_constraint_info, profile
	// and tier, level, then the constraint info bytes (which start with
	// two flags).
	ptl := c.Take(3)
	if c.Err() != nil {
		return
	}
	nInfo := int(ptl[0] & 0x3f)
	w.Append([]byte{ptl[0] & 0x3f, ptl[1], ptl[2]})
	w.Append(c.Take(nInfo))
	if sublayers > 1 {
		// ptl_sublayer_level_present_flag for sublayers-2 down to 0,
		// then reserved zero bits to the byte's end.
		f := c.U8()
		f &= byte(0xff << (9 - sublayers))
		w.U8(f)
		for i := 0; i < sublayers-1; i++ {
			if f&(0x80>>i) != 0 {
				w.U8(c.U8()) // sublayer_level_idc
			}
		}
	}
	subProfiles := c.U8()
	w.U8(subProfiles)
	w.Append(c.Take(4 * int(subProfiles)))
	w.Append(c.Take(6)) // max_picture_width, max_picture_height, avg_frame_rate
}

// jpegTables returns the marker segments of a JPEG header without its APPn
// and COM segments, which it reports. It accepts SOI and segments with a
// length (T.81 B.1.1.4); anything else cannot be bounded.
func jpegTables(b []byte, rep *Report) ([]byte, error) {
	var out []byte
	for pos := 0; pos < len(b); {
		if len(b)-pos < 2 || b[pos] != 0xff {
			return nil, fmt.Errorf("no marker at %d", pos)
		}
		code := b[pos+1]
		if code == markerSOI {
			out = append(out, b[pos:pos+2]...)
			pos += 2
			continue
		}
		if len(b)-pos < 4 {
			return nil, fmt.Errorf("segment at %d truncated", pos)
		}
		n := int(b[pos+2])<<8 | int(b[pos+3])
		if n < 2 || n > len(b)-pos-2 {
			return nil, fmt.Errorf("segment of %d bytes at %d", n, pos)
		}
		seg := b[pos : pos+2+n]
		pos += 2 + n
		if code >= markerAPP0 && code <= markerAPP15 || code == markerCOM {
			rep.add(Embedded, "HEIF jpgC", fmt.Sprintf("Marker%02X", code), fmt.Sprintf("(%d bytes)", n-2))
			continue
		}
		out = append(out, seg...)
	}
	return out, nil
}
