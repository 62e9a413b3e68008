// Package gainmap reads and writes the metadata of an HDR gain map in a
// JPEG file, in its binary form and in its XMP forms. Every field is
// parsed into its value, checked, and written anew, so nothing of the
// input's bytes but the values of the defined fields survives.
//
// The binary form is ISO 21496-1's ("Gain map metadata for image
// conversion"), as JPEG files carry it in APP2 segments after the name
// URN: a version block in the primary image (ParseVersion), the full
// metadata in the gain-map image (Parse, Append).
//
// The XMP forms (xmp.go) are the gain map's own properties, Adobe's
// hdrgm (the Ultra HDR and Adobe gain-map specifications) or Apple's
// HDRGainMap and apdi (ParseXMP), and what the primary image's packet says
// of its gain map: hdrgm:Version and Google's Container:Directory, the
// list of the images in the file (ParseContainer, Container.Packet).
// Packets are written from checked values only: numbers, versions and
// fixed words, in the RDF forms libultrahdr reads.
//
// The package does not find the gain map in a file (the MPF index,
// internal/mpf, points to it), decode its pixels, or decide whether a
// file's gain map is kept: SameAspect is one of its caller's tests.
//
// The binary layout (big-endian), as libultrahdr, libavif and Skia write and
// read it:
//
//	u16 minimum_version   (0: the only version this package reads)
//	u16 writer_version
//	u8  flags             0x80 three channels (else one), 0x40 use the
//	                      base colour space, 0x08 common denominator,
//	                      0x04 backward direction; other bits reserved
//	if common denominator:
//	  u32 denominator, u32 base_hdr_headroom_n, u32 alternate_hdr_headroom_n
//	  per channel: s32 gain_map_min_n, s32 gain_map_max_n, u32 gamma_n,
//	               s32 base_offset_n, s32 alternate_offset_n
//	else:
//	  u32 base_hdr_headroom_n, u32 _d, u32 alternate_hdr_headroom_n, u32 _d
//	  per channel: s32 gain_map_min_n, u32 _d, s32 gain_map_max_n, u32 _d,
//	               u32 gamma_n, u32 _d, s32 base_offset_n, u32 _d,
//	               s32 alternate_offset_n, u32 _d
package gainmap

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// URN is the name that starts an ISO 21496-1 APP2 segment's payload,
// followed by a NUL byte.
const URN = "urn:iso:std:iso:ts:21496:-1"

// Flags defined by ISO 21496-1.
const (
	FlagMultiChannel      = 0x80
	FlagUseBaseColorSpace = 0x40
	FlagCommonDenominator = 0x08
	FlagBackwardDirection = 0x04
	flagsDefined          = FlagMultiChannel | FlagUseBaseColorSpace | FlagCommonDenominator | FlagBackwardDirection
)

// A Version is the version block: the primary image's whole ISO payload,
// and the start of the gain map's.
type Version struct {
	Minimum, Writer uint16
}

// A Signed is a signed fraction, an Unsigned an unsigned one. A
// denominator is never 0 in a parsed block.
type (
	Signed struct {
		N int32
		D uint32
	}
	Unsigned struct{ N, D uint32 }
)

// A Channel holds the per-channel fields.
type Channel struct {
	GainMapMin, GainMapMax      Signed
	Gamma                       Unsigned
	BaseOffset, AlternateOffset Signed
}

// Metadata is the full gain-map metadata.
type Metadata struct {
	Version
	Flags                                 byte // defined bits only
	BaseHDRHeadroom, AlternateHDRHeadroom Unsigned
	Channels                              []Channel // 1 or 3
}

// Errors of Parse and ParseVersion.
var (
	ErrShort   = errors.New("gainmap: block shorter than its fields")
	ErrVersion = errors.New("gainmap: minimum version is not 0")
	ErrZero    = errors.New("gainmap: a denominator is 0")
)

// ParseVersion reads the version block at the start of b and returns the
// number of bytes it read (4).
func ParseVersion(b []byte) (Version, int, error) {
	if len(b) < 4 {
		return Version{}, 0, ErrShort
	}
	v := Version{binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])}
	if v.Minimum != 0 {
		return v, 4, ErrVersion
	}
	return v, 4, nil
}

// AppendVersion appends the version block of v to b.
func AppendVersion(b []byte, v Version) []byte {
	b = binary.BigEndian.AppendUint16(b, v.Minimum)
	return binary.BigEndian.AppendUint16(b, v.Writer)
}

// Parse reads the full metadata at the start of b. It returns how many
// bytes the fields took (the caller decides about any that follow) and
// the reserved flag bits that were set, which the Metadata leaves out.
func Parse(b []byte) (m *Metadata, n int, reserved byte, err error) {
	v, n, err := ParseVersion(b)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(b) < n+1 {
		return nil, 0, 0, ErrShort
	}
	flags := b[n]
	n++
	m = &Metadata{Version: v, Flags: flags & flagsDefined}
	reserved = flags &^ flagsDefined
	channels := 1
	if flags&FlagMultiChannel != 0 {
		channels = 3
	}
	common := flags&FlagCommonDenominator != 0
	need := 16 + 40*channels
	if common {
		need = 12 + 20*channels
	}
	if len(b)-n < need {
		return nil, 0, 0, ErrShort
	}
	p := b[n : n+need]
	u32 := func() uint32 {
		x := binary.BigEndian.Uint32(p)
		p = p[4:]
		return x
	}
	var d uint32
	if common {
		d = u32()
	}
	unsigned := func() Unsigned {
		if common {
			return Unsigned{u32(), d}
		}
		return Unsigned{u32(), u32()}
	}
	signed := func() Signed {
		if common {
			return Signed{int32(u32()), d}
		}
		return Signed{int32(u32()), u32()}
	}
	if common {
		m.BaseHDRHeadroom = Unsigned{u32(), d}
		m.AlternateHDRHeadroom = Unsigned{u32(), d}
	} else {
		m.BaseHDRHeadroom = unsigned()
		m.AlternateHDRHeadroom = unsigned()
	}
	m.Channels = make([]Channel, channels)
	for i := range m.Channels {
		c := &m.Channels[i]
		c.GainMapMin = signed()
		c.GainMapMax = signed()
		c.Gamma = unsigned()
		c.BaseOffset = signed()
		c.AlternateOffset = signed()
	}
	if !m.denominatorsNonZero() {
		return nil, 0, 0, ErrZero
	}
	return m, n + need, reserved, nil
}

func (m *Metadata) denominatorsNonZero() bool {
	ok := m.BaseHDRHeadroom.D != 0 && m.AlternateHDRHeadroom.D != 0
	for _, c := range m.Channels {
		ok = ok && c.GainMapMin.D != 0 && c.GainMapMax.D != 0 && c.Gamma.D != 0 && c.BaseOffset.D != 0 && c.AlternateOffset.D != 0
	}
	return ok
}

// commonDenominator returns the denominator all fractions share, if they do.
func (m *Metadata) commonDenominator() (uint32, bool) {
	d := m.BaseHDRHeadroom.D
	ok := m.AlternateHDRHeadroom.D == d
	for _, c := range m.Channels {
		ok = ok && c.GainMapMin.D == d && c.GainMapMax.D == d && c.Gamma.D == d && c.BaseOffset.D == d && c.AlternateOffset.D == d
	}
	return d, ok
}

// Append appends the metadata's block to b. It uses the common
// denominator form when the metadata's flags ask for it and the fractions
// allow it, the full form otherwise; it returns an error for metadata
// that no block can hold (a channel count other than 1 or 3, or one that
// disagrees with the flags, or a zero denominator).
func Append(b []byte, m *Metadata) ([]byte, error) {
	multi := m.Flags&FlagMultiChannel != 0
	if len(m.Channels) != 1 && len(m.Channels) != 3 || multi != (len(m.Channels) == 3) {
		return nil, fmt.Errorf("gainmap: %d channels with flags %#x", len(m.Channels), m.Flags)
	}
	if !m.denominatorsNonZero() {
		return nil, ErrZero
	}
	flags := m.Flags & flagsDefined
	d, common := m.commonDenominator()
	if flags&FlagCommonDenominator == 0 || !common {
		flags &^= FlagCommonDenominator
		common = false
	}
	b = AppendVersion(b, m.Version)
	b = append(b, flags)
	be := binary.BigEndian
	if common {
		b = be.AppendUint32(b, d)
		b = be.AppendUint32(b, m.BaseHDRHeadroom.N)
		b = be.AppendUint32(b, m.AlternateHDRHeadroom.N)
		for _, c := range m.Channels {
			for _, x := range []uint32{uint32(c.GainMapMin.N), uint32(c.GainMapMax.N), c.Gamma.N, uint32(c.BaseOffset.N), uint32(c.AlternateOffset.N)} {
				b = be.AppendUint32(b, x)
			}
		}
		return b, nil
	}
	for _, f := range []Unsigned{m.BaseHDRHeadroom, m.AlternateHDRHeadroom} {
		b = be.AppendUint32(be.AppendUint32(b, f.N), f.D)
	}
	for _, c := range m.Channels {
		for _, f := range []Signed{c.GainMapMin, c.GainMapMax, {int32(c.Gamma.N), c.Gamma.D}, c.BaseOffset, c.AlternateOffset} {
			b = be.AppendUint32(be.AppendUint32(b, uint32(f.N)), f.D)
		}
	}
	return b, nil
}
