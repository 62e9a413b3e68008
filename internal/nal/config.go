package nal

import "github.com/exifscrub/exifscrub/internal/bmff"

// The decoder configuration records, by box type.
var (
	configAVC   = bmff.FourCC{'a', 'v', 'c', 'C'}
	configHEVC  = bmff.FourCC{'h', 'v', 'c', 'C'}
	configLHEVC = bmff.FourCC{'l', 'h', 'v', 'C'}
	configVVC   = bmff.FourCC{'v', 'v', 'c', 'C'}
)

// WriteConfig writes anew the decoder configuration record of NAL units
// that c holds, a box of type typ (ISO/IEC 14496-15: 'avcC' §5.3.3.1,
// 'hvcC' §8.3.3.1, 'lhvC' §9.6.3, 'vvcC' §11.2.4.2), to w: its fields
// with reserved bits set as the standard has them, its parameter sets and
// HDR SEI, and nothing after. It returns what it left out; a record that
// cannot be read fails c.
func WriteConfig(w *bmff.Writer, c *bmff.Cursor, typ bmff.FourCC) (removed Removed) {
	codec := HEVC
	switch typ {
	case configAVC:
		codec = AVC
	case configVVC:
		codec = VVC
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
			removed.add(TypeName(t), n)
			return false
		}
		if codec.IsSEI(t) {
			var sei Removed
			b, sei = codec.FilterSEI(b)
			removed.merge(sei)
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
	case configHEVC:
		b := c.Take(22)
		if c.Err() != nil {
			return removed
		}
		hdr := append([]byte(nil), b...)
		hdr[13] |= 0xf0 // reserved bits are 1
		hdr[15] |= 0xfc
		hdr[16] |= 0xfc
		hdr[17] |= 0xf8
		hdr[18] |= 0xf8
		w.Append(hdr)
		writeArrays(w, c, 0xbf, nil, nals)
	case configLHEVC:
		// configurationVersion, then reserved bits (1) before
		// min_spatial_segmentation_idc, parallelismType and
		// numTemporalLayers.
		b := c.Take(5)
		if c.Err() != nil {
			return removed
		}
		w.Append([]byte{b[0], b[1] | 0xf0, b[2], b[3] | 0xfc, b[4] | 0xc0})
		writeArrays(w, c, 0xbf, nil, nals)
	case configVVC:
		writeVVCHeader(w, c)
		// DCI and OPI arrays hold one unit and no count (§11.2.4.2.2).
		writeArrays(w, c, 0x9f, func(t int) bool { return t != 12 && t != 13 }, nals)
	default:
		b := c.Take(6)
		if c.Err() != nil {
			return removed
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
		if p := b[1]; (p == 100 || p == 110 || p == 122 || p == 144) && c.Left() >= 4 && c.Err() == nil {
			ext := c.Take(3)
			w.Append([]byte{ext[0] | 0xfc, ext[1] | 0xf8, ext[2] | 0xf8})
			n := c.U8()
			at = w.Len()
			w.U8(0)
			w.PutUintN(at, 1, uint64(nals(int(n))))
		}
	}
	return removed
}

// writeArrays copies the arrays of NAL units that end an HEVC, L-HEVC or VVC
// configuration record: a count of arrays, then for each a byte of
// completeness, reserved bits (cleared by mask) and NAL unit type, a count
// of units (if counted says the type has one; nil: all do) and the units.
// An array left with no unit is dropped.
func writeArrays(w *bmff.Writer, c *bmff.Cursor, mask byte, counted func(t int) bool, nals func(int) int) {
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
func writeVVCHeader(w *bmff.Writer, c *bmff.Cursor) {
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
