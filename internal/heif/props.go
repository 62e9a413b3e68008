package heif

import (
	"fmt"

	"github.com/exifscrub/exifscrub/internal/av1"
	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/nal"
)

// Item properties (23008-12 §6.5, in 'ipco' §9.3), rebuilt from their
// fields. A property is copied only through what its definition says it
// holds: bytes after the fields, set reserved bits, SEI and metadata OBUs
// in decoder configurations are left behind, and returned for the caller
// to report. QuickTime and MP4 sample entries hold the same decoder
// configuration boxes, which their rebuild writes here too.

// Property types with fields of their own.
var (
	PropHvcC = bmff.FourCC{'h', 'v', 'c', 'C'} // 14496-15 §8.3.3 HEVC configuration
	PropAvcC = bmff.FourCC{'a', 'v', 'c', 'C'} // 14496-15 §5.3.3 AVC configuration
	PropLhvC = bmff.FourCC{'l', 'h', 'v', 'C'} // 14496-15 §9.6.3 L-HEVC configuration
	PropVvcC = bmff.FourCC{'v', 'v', 'c', 'C'} // 14496-15 §11.2.4.2 VVC configuration
	PropAv1C = bmff.FourCC{'a', 'v', '1', 'C'} // AV1-ISOBMFF §2.3 AV1 configuration
	PropJpgC = bmff.FourCC{'j', 'p', 'g', 'C'} // 23008-12 Annex H.2 JPEG configuration
	PropAuxC = bmff.FourCC{'a', 'u', 'x', 'C'} // 23008-12 §6.5.8 auxiliary type
)

// fixedProps are the properties RebuildProperty writes: whether it is a
// FullBox (written as version 0, flags 0), the size of the fields after
// the version and flags, and a mask applied to a one-byte field whose
// other bits are reserved (0 for none).
var fixedProps = map[bmff.FourCC]struct {
	full bool
	size int
	mask byte
}{
	{'i', 's', 'p', 'e'}: {true, 8, 0},     // 23008-12 §6.5.3: width, height
	{'r', 'l', 'o', 'c'}: {true, 8, 0},     // §6.5.7: horizontal, vertical offset
	{'i', 's', 'c', 'l'}: {true, 8, 0},     // §6.5.13: two fractions
	{'c', 'l', 'o', 'c'}: {true, 1, 0},     // 23001-17: chroma location
	{'i', 'r', 'o', 't'}: {false, 1, 0x03}, // §6.5.10: 6 reserved bits, angle
	{'i', 'm', 'i', 'r'}: {false, 1, 0x01}, // §6.5.12: 7 reserved bits, axis
	{'p', 'a', 's', 'p'}: {false, 8, 0},    // 14496-12 §12.1.4: hSpacing, vSpacing
	{'c', 'l', 'a', 'p'}: {false, 32, 0},   // §12.1.4: four fractions
	{'c', 'l', 'l', 'i'}: {false, 4, 0},    // 23008-12 §6.5.16 (H.265 D.2.35)
	{'m', 'd', 'c', 'v'}: {false, 24, 0},   // §6.5.17 (H.265 D.2.28)
	{'a', 'm', 'v', 'e'}: {false, 8, 0},    // §6.5.19 (H.265 D.2.39)
	{'a', '1', 'o', 'p'}: {false, 1, 0},    // AVIF §2.3.2: operating point
	{'l', 's', 'e', 'l'}: {false, 2, 0},    // 23008-12 §6.5.11: layer id
	{'p', 'i', 'x', 'i'}: {true, -1, 0},    // §6.5.6: written below
	{'a', '1', 'l', 'x'}: {false, -1, 0},   // AVIF §2.3.3: written below
	{'c', 'c', 'l', 'v'}: {false, -1, 0},   // 23008-12 §6.5.18: written below
	{'r', 'r', 'e', 'f'}: {true, -1, 0},    // §6.5.22: written below
	PropAuxC:             {true, -1, 0},    // §6.5.8: written below
	PropHvcC:             {false, -1, 0},   // written below
	PropAvcC:             {false, -1, 0},   // written below
	PropLhvC:             {false, -1, 0},   // written below
	PropVvcC:             {true, -1, 0},    // written below
	{'t', 'o', 'l', 's'}: {true, 2, 0},     // 23008-12 §6.5.21: target output layer set
	PropAv1C:             {false, -1, 0},   // written below
	PropJpgC:             {false, -1, 0},   // written below
}

// auxDepth are the auxiliary types whose aux_subtype means something
// (23008-12 §6.5.8): a depth map's subtype is its depth representation
// information SEI (H.265 G.14.2.6). Other types' subtypes are dropped.
var auxDepth = map[string]bool{
	"urn:mpeg:hevc:2015:auxid:2":                  true,
	"urn:mpeg:mpegB:cicp:systems:auxiliary:depth": true,
}

// A Rebuilt is a property as RebuildProperty wrote it, and what it left
// out, which a caller reports in the order of the fields.
type Rebuilt struct {
	Box []byte // the property written anew; nil when it goes
	// Version is set, with Box nil, for a FullBox property of a version
	// other than 0, whose fields are not known: it goes.
	Version uint8
	// AuxType and Subtype: an 'auxC' of type AuxType lost the Subtype
	// bytes of its aux_subtype.
	AuxType string
	Subtype int
	// Removed counts the NAL units, SEI messages and OBUs removed from a
	// decoder configuration ('hvcC', 'avcC', 'lhvC', 'vvcC', 'av1C'), by
	// kind, as packages nal and av1 name them.
	Removed map[string]struct{ N, Bytes int }
	// Segments are the APPn and COM segments removed from a 'jpgC'.
	Segments []Segment
	// Trailing is what the property held after its fields.
	Trailing Trailing
}

// RebuildProperty writes property p anew from its fields. A property of a
// type it does not rebuild (EVC and JPEG 2000 configurations,
// uncompressed image layouts, layered HEVC operating points, and 'colr',
// whose ICC profile is the caller's) is ErrUnsupported: it would have to
// be copied whole, and could carry anything. So is a property of an
// unknown version if essential is set; without it, such a property goes.
// What was left out is returned even with an error.
func RebuildProperty(p bmff.Box, essential bool) (Rebuilt, error) {
	var r Rebuilt
	spec, ok := fixedProps[p.Type]
	if !ok {
		return r, errorAt(p.Offset, ErrUnsupported, "property %q: its fields are not rebuilt, and it is not copied whole", p.Type)
	}
	var w bmff.Writer
	c := bmff.NewCursor(p)
	if spec.full {
		// Version 0 is the one whose fields are known.
		if v, _ := c.FullBox(); c.Err() == nil && v != 0 {
			if essential {
				return r, errorAt(p.Offset, ErrUnsupported, "essential property %q version %d", p.Type, v)
			}
			r.Version = v
			return r, nil
		}
		w.StartFull(p.Type, 0, 0)
	} else {
		w.Start(p.Type)
	}
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
	case PropAuxC:
		typ := c.UTF8String()
		w.Append([]byte(typ))
		w.U8(0)
		if auxDepth[typ] {
			w.Append(c.Take(c.Left()))
		} else if c.Left() > 0 && c.Err() == nil {
			r.AuxType, r.Subtype = typ, c.Left()
			c.Take(c.Left())
		}
	case PropHvcC, PropAvcC, PropLhvC, PropVvcC:
		r.Removed = nal.WriteConfig(&w, c, p.Type)
	case PropJpgC:
		// The JPEG header for items whose data starts at SOS.
		b, segs, err := JPEGTables(c.Take(c.Left()))
		r.Segments = segs
		if err != nil {
			return r, errorAt(p.Offset, ErrUnsupported, "'jpgC': %v", err)
		}
		w.Append(b)
	case PropAv1C:
		// marker and version, profile and level, tier to chroma sample
		// position, and 3 reserved bits before the presentation delay.
		b := c.Take(4)
		if c.Err() == nil {
			if b[0] != 0x81 {
				return r, errorAt(p.Offset, ErrUnsupported, "'av1C' version byte %#x", b[0])
			}
			w.Append([]byte{b[0], b[1], b[2], b[3] & 0x1f})
			obus, removed, err := av1.Filter(c.Take(c.Left()), true)
			if err != nil {
				return r, errorAt(p.Offset, ErrUnsupported, "'av1C': %v", err)
			}
			r.Removed = removed
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
		return r, wrap(c.Err())
	}
	r.Trailing = TrailingOf(c)
	w.End()
	r.Box = w.Bytes()
	return r, w.Err()
}

// JPEG markers (T.81 Table B.1) that JPEGTables tells apart.
const (
	markerSOI   = 0xd8
	markerAPP0  = 0xe0
	markerAPP15 = 0xef
	markerCOM   = 0xfe
)

// A Segment is a JPEG marker segment left out: its marker code and the
// length of its payload (after the 2-byte length field).
type Segment struct {
	Marker byte
	Len    int
}

// JPEGTables returns the marker segments of a JPEG header, the contents
// of a 'jpgC' property (23008-12 Annex H.2), without its APPn and COM
// segments, which are metadata (T.81 B.2.4.5, B.2.4.6) and are returned
// as removed. It accepts SOI and segments with a length (T.81 B.1.1.4);
// anything else cannot be bounded, and is an error.
func JPEGTables(b []byte) (out []byte, removed []Segment, err error) {
	for pos := 0; pos < len(b); {
		if len(b)-pos < 2 || b[pos] != 0xff {
			return nil, removed, fmt.Errorf("no marker at %d", pos)
		}
		code := b[pos+1]
		if code == markerSOI {
			out = append(out, b[pos:pos+2]...)
			pos += 2
			continue
		}
		if len(b)-pos < 4 {
			return nil, removed, fmt.Errorf("segment at %d truncated", pos)
		}
		n := int(b[pos+2])<<8 | int(b[pos+3])
		if n < 2 || n > len(b)-pos-2 {
			return nil, removed, fmt.Errorf("segment of %d bytes at %d", n, pos)
		}
		seg := b[pos : pos+2+n]
		pos += 2 + n
		if code >= markerAPP0 && code <= markerAPP15 || code == markerCOM {
			removed = append(removed, Segment{Marker: code, Len: n - 2})
			continue
		}
		out = append(out, seg...)
	}
	return out, removed, nil
}
