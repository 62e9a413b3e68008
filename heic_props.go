package exifscrub

import (
	"errors"
	"fmt"
)

// Item properties, rebuilt from their fields. A property is copied only
// through what its definition says it holds: bytes after the fields, set
// reserved bits, SEI and metadata OBUs in decoder configurations are left
// behind, and reported.

// heifFixedProps are properties made of fixed-size fields: whether it is a
// FullBox (written as version 0, flags 0), the size of the fields after
// the version and flags, and a mask applied to a one-byte field whose
// other bits are reserved (0 for none).
var heifFixedProps = map[fourCC]struct {
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
func (h *heifFile) rebuildProperty(p box, essential bool) ([]byte, error) {
	spec, ok := heifFixedProps[p.typ]
	var w boxWriter
	if !ok {
		// A property that says how to decode an image but whose fields
		// Scrub does not rebuild (EVC and JPEG 2000 configurations,
		// uncompressed image layouts, layered HEVC operating points)
		// would have to be copied whole, and could carry anything: the
		// file is refused instead.
		return nil, errorAt(p.off, ErrUnsupportedFeature, "property %q: its fields are not rebuilt, and it is not copied whole", p.typ)
	}
	c := newCursor(p)
	if spec.full {
		// Version 0 is the one whose fields are known; a property of
		// another version is dropped, or refused if essential.
		if v, _ := c.fullBox(); c.err == nil && v != 0 {
			if essential {
				return nil, errorAt(p.off, ErrUnsupportedFeature, "essential property %q version %d", p.typ, v)
			}
			h.rep.add(Embedded, "HEIF ipco", p.typ.String(), fmt.Sprintf("(version %d, %d bytes)", v, len(p.payload)))
			return nil, nil
		}
		w.startFull(p.typ, 0, 0)
	} else {
		w.start(p.typ)
	}
	keep := true
	switch p.typ {
	case fourCC{'p', 'i', 'x', 'i'}:
		n := c.u8()
		w.u8(n)
		w.bytes(c.take(int(n)))
	case fourCC{'a', '1', 'l', 'x'}:
		large := c.u8() & 1
		w.u8(large)
		for i := 0; i < 3; i++ {
			w.bytes(c.take(2 + 2*int(large)))
		}
	case fourCC{'c', 'c', 'l', 'v'}:
		f := c.u8()
		w.u8(f & 0xfc)
		if f&0x20 != 0 { // ccv_primaries_present_flag
			w.bytes(c.take(24))
		}
		for _, bit := range []byte{0x10, 0x08, 0x04} { // min, max, avg luminance
			if f&bit != 0 {
				w.bytes(c.take(4))
			}
		}
	case fourCC{'r', 'r', 'e', 'f'}:
		n := c.u8()
		w.u8(n)
		w.bytes(c.take(4 * int(n)))
	case fourCC{'a', 'u', 'x', 'C'}:
		typ := c.str()
		w.bytes([]byte(typ))
		w.u8(0)
		if auxDepth[typ] {
			w.bytes(c.take(c.left()))
		} else if c.left() > 0 && c.err == nil {
			h.rep.add(Embedded, "HEIF auxC", "AuxiliarySubtype", fmt.Sprintf("(%d bytes after %q)", c.left(), typ))
			c.take(c.left())
		}
	case fourCC{'c', 'o', 'l', 'r'}:
		var err error
		if keep, err = writeColr(h.rep, "HEIF colr", &w, c); err != nil {
			return nil, errorAt(p.off, ErrUnsupportedFeature, "'colr' ICC profile: %v", err)
		}
	case propHvcC, propAvcC, propLhvC, propVvcC:
		h.writeNALConfig(&w, c, p.typ)
	case fourCC{'j', 'p', 'g', 'C'}:
		// The JPEG header for items whose data starts at SOS: marker
		// segments, of which APPn and COM are metadata (T.81 B.2.4.5,
		// B.2.4.6) and go.
		b, err := jpegTables(c.take(c.left()), h.rep)
		if err != nil {
			return nil, errorAt(p.off, ErrUnsupportedFeature, "'jpgC': %v", err)
		}
		w.bytes(b)
	case fourCC{'a', 'v', '1', 'C'}:
		// marker and version, profile and level, tier to chroma sample
		// position, and 3 reserved bits before the presentation delay.
		b := c.take(4)
		if c.err == nil {
			if b[0] != 0x81 {
				return nil, errorAt(p.off, ErrUnsupportedFeature, "'av1C' version byte %#x", b[0])
			}
			w.bytes([]byte{b[0], b[1], b[2], b[3] & 0x1f})
			rm := make(removals)
			obus, err := filterOBUs(c.take(c.left()), true, "HEIF av1C", rm)
			if err != nil {
				return nil, errorAt(p.off, ErrUnsupportedFeature, "'av1C': %v", err)
			}
			rm.report(h.rep)
			w.bytes(obus)
		}
	default:
		b := c.take(spec.size)
		if c.err == nil && spec.mask != 0 {
			b = []byte{b[0] & spec.mask}
		}
		w.bytes(b)
	}
	if c.err != nil {
		return nil, c.err
	}
	if !keep {
		if essential {
			return nil, errorAt(p.off, ErrUnsupportedFeature, "essential property %q cannot be rebuilt", p.typ)
		}
		return nil, nil
	}
	h.reportTrailing(c)
	w.end()
	return w.b, w.err
}

// writeColr writes the fields of a colour information box (14496-12
// §12.1.5, QTFF "Color parameter atom") after its header: 'nclx' as its
// code points and full-range flag, QuickTime's 'nclc' as its code points,
// an ICC profile ('prof', 'rICC') sanitised (icc.go): its colour tags,
// without the dates, devices and text. A profile colour engines would not
// use, and other colour types, are dropped and reported as found in
// container; one that would be used but cannot be rebuilt is an error.
// HEIF item properties and video sample entries share it.
func writeColr(rep *Report, container string, w *boxWriter, c *cursor) (bool, error) {
	typ := c.fourCC()
	w.bytes(typ[:])
	switch typ {
	case fourCC{'n', 'c', 'l', 'x'}:
		w.bytes(c.take(6))
		w.u8(c.u8() & 0x80)
	case fourCC{'n', 'c', 'l', 'c'}:
		w.bytes(c.take(6))
	case fourCC{'p', 'r', 'o', 'f'}, fourCC{'r', 'I', 'C', 'C'}:
		p := c.take(c.left())
		if c.err != nil {
			return false, nil
		}
		out, err := scrubICC(rep, "ICC_Profile", p)
		switch {
		case errors.Is(err, ErrUnsupportedFeature):
			return false, err
		case err != nil:
			return false, nil // reported by scrubICC
		}
		w.bytes(out)
	default:
		if c.err == nil {
			rep.add(Embedded, container, typ.String(), fmt.Sprintf("(%d bytes)", c.left()))
		}
		c.take(c.left())
		return false, nil
	}
	return true, nil
}

// writeNALConfig writes a decoder configuration record of NAL units
// (ISO/IEC 14496-15: 'avcC' §5.3.3.1, 'hvcC' §8.3.3.1, 'lhvC' §9.6.3,
// 'vvcC' §11.2.4.2) with its parameter sets and HDR SEI, reserved bits set
// as the standard has them, and nothing after.
func (h *heifFile) writeNALConfig(w *boxWriter, c *cursor, typ fourCC) {
	rm := make(removals)
	container := "HEIF " + typ.String()
	codec := hevcCodec
	switch typ {
	case propAvcC:
		codec = avcCodec
	case propVvcC:
		codec = vvcCodec
	}
	// nal copies one unit, if it is kept, and says whether it was.
	nal := func() bool {
		n := int(c.u16())
		b := c.take(n)
		if c.err != nil {
			return false
		}
		if n < codec.hdrLen {
			c.fail(nil, "NAL unit of %d bytes", n)
			return false
		}
		t := codec.typ(b)
		if !codec.keep(t) {
			rm.add(container, codec.what(t), n)
			return false
		}
		if codec.sei(t) {
			if b = filterSEI(b, codec.hdrLen, container, rm); b == nil {
				return false
			}
		}
		w.u16(uint16(len(b)))
		w.bytes(b)
		return true
	}
	nals := func(count int) (kept int) {
		for i := 0; i < count && c.err == nil; i++ {
			if nal() {
				kept++
			}
		}
		return kept
	}
	switch typ {
	case propHvcC:
		b := c.take(22)
		if c.err != nil {
			return
		}
		hdr := append([]byte(nil), b...)
		hdr[13] |= 0xf0 // reserved bits are 1
		hdr[15] |= 0xfc
		hdr[16] |= 0xfc
		hdr[17] |= 0xf8
		hdr[18] |= 0xf8
		w.bytes(hdr)
		h.nalArrays(w, c, 0xbf, nil, nals)
	case propLhvC:
		// configurationVersion, then reserved bits (1) before
		// min_spatial_segmentation_idc, parallelismType and
		// numTemporalLayers.
		b := c.take(5)
		if c.err != nil {
			return
		}
		w.bytes([]byte{b[0], b[1] | 0xf0, b[2], b[3] | 0xfc, b[4] | 0xc0})
		h.nalArrays(w, c, 0xbf, nil, nals)
	case propVvcC:
		h.writeVVCHeader(w, c)
		// DCI and OPI arrays hold one unit and no count (§11.2.4.2.2).
		h.nalArrays(w, c, 0x9f, func(t int) bool { return t != 12 && t != 13 }, nals)
	default:
		b := c.take(6)
		if c.err != nil {
			return
		}
		w.bytes([]byte{b[0], b[1], b[2], b[3], b[4] | 0xfc})
		at := len(w.b)
		w.u8(0)
		w.b[at] = 0xe0 | byte(nals(int(b[5]&0x1f))) // 3 reserved bits, numOfSequenceParameterSets
		n := c.u8()
		at = len(w.b)
		w.u8(0)
		w.b[at] = byte(nals(int(n)))
		// §5.3.3.1.2: the High profiles add chroma format, bit depths
		// and SPS extensions, which some writers leave out.
		if p := b[1]; (p == 100 || p == 110 || p == 122 || p == 144) && c.left() >= 4 {
			ext := c.take(3)
			w.bytes([]byte{ext[0] | 0xfc, ext[1] | 0xf8, ext[2] | 0xf8})
			n := c.u8()
			at = len(w.b)
			w.u8(0)
			w.b[at] = byte(nals(int(n)))
		}
	}
	rm.report(h.rep)
}

// nalArrays copies the arrays of NAL units that end an HEVC, L-HEVC or VVC
// configuration record: a count of arrays, then for each a byte of
// completeness, reserved bits (cleared by mask) and NAL unit type, a count
// of units (if counted says the type has one; nil: all do) and the units.
// An array left with no unit is dropped.
func (h *heifFile) nalArrays(w *boxWriter, c *cursor, mask byte, counted func(t int) bool, nals func(int) int) {
	n := c.u8()
	arraysAt := len(w.b)
	w.u8(0)
	arrays := 0
	for i := 0; i < int(n) && c.err == nil; i++ {
		a := c.u8()
		count, hasCount := 1, counted == nil || counted(int(a&0x1f))
		at := len(w.b)
		w.u8(a & mask)
		if hasCount {
			count = int(c.u16())
			w.u16(0)
		}
		kept := nals(count)
		if kept == 0 {
			w.b = w.b[:at] // no unit left: no array
			continue
		}
		if hasCount {
			w.putUintN(at+1, 2, uint64(kept))
		}
		arrays++
	}
	if c.err == nil {
		w.b[arraysAt] = byte(arrays)
	}
}

// writeVVCHeader writes the fields of a VVC configuration record before its
// arrays (14496-15 §11.2.4.2.2): reserved bits, the NAL unit length size,
// and when present the output layer set, sublayers, chroma format, bit
// depth, profile, tier and level (VvcPTLRecord), picture size and frame
// rate.
func (h *heifFile) writeVVCHeader(w *boxWriter, c *cursor) {
	b0 := c.u8()
	w.u8(b0 | 0xf8)
	if b0&1 == 0 || c.err != nil { // ptl_present_flag
		return
	}
	b := c.take(3) // ols_idx(9) num_sublayers(3) constant_frame_rate(2) chroma_format_idc(2) bit_depth_minus8(3) reserved(5)
	if c.err != nil {
		return
	}
	w.bytes([]byte{b[0], b[1], b[2] | 0x1f})
	sublayers := int(b[1]>>4) & 7
	// VvcPTLRecord: 2 reserved bits and num_bytes_constraint_info, profile
	// and tier, level, then the constraint info bytes (which start with
	// two flags).
	ptl := c.take(3)
	if c.err != nil {
		return
	}
	nInfo := int(ptl[0] & 0x3f)
	w.bytes([]byte{ptl[0] & 0x3f, ptl[1], ptl[2]})
	w.bytes(c.take(nInfo))
	if sublayers > 1 {
		// ptl_sublayer_level_present_flag for sublayers-2 down to 0,
		// then reserved zero bits to the byte's end.
		f := c.u8()
		f &= byte(0xff << (9 - sublayers))
		w.u8(f)
		for i := 0; i < sublayers-1; i++ {
			if f&(0x80>>i) != 0 {
				w.u8(c.u8()) // sublayer_level_idc
			}
		}
	}
	subProfiles := c.u8()
	w.u8(subProfiles)
	w.bytes(c.take(4 * int(subProfiles)))
	w.bytes(c.take(6)) // max_picture_width, max_picture_height, avg_frame_rate
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
