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
		rm := make(removals)
		rm.merge(h.where(p.Type.String()), nal.WriteConfig(&w, c, p.Type))
		rm.report(h.rep)
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
