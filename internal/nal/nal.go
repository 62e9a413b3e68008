// Package nal filters coded pictures and decoder configurations made of
// NAL units — HEVC (ITU-T H.265), AVC (H.264) and VVC (H.266) — so that
// they carry what a decoder and an HDR display need and no more.
//
// A bitstream can carry more than pixels: SEI messages (user data,
// registered or not, with any bytes a writer likes), filler data and NAL
// units of reserved and unspecified types, which decoders ignore. [Codec.Filter]
// removes them from data stored as length-prefixed NAL units (ISO/IEC
// 14496-15, as in HEIF items and MP4 samples), and [Codec.FilterSEI]
// removes every SEI message but the HDR ones from one SEI NAL unit. Parameter
// sets and coded slices are copied byte for byte; data is returned as it
// is, not copied, when nothing is removed. What was removed comes back as a
// [Removed] tally by name, for the caller to report.
//
// The package reads NAL unit headers and SEI message framing only: it does
// not parse parameter sets or slices, does not read Annex B byte streams
// (start codes), and does not validate that the data decodes.
package nal

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// seiHDR are the SEI payload types kept, with their exact payload sizes
// (ITU-T H.265 Annex D.2 and H.264 Annex D.1 number them alike): what an
// HDR display uses to map the picture's colours. A message of another
// size is not what it claims and is dropped. Every other message goes,
// among them user data registered by ITU-T T.35 (type 4), which carries
// HDR10+ dynamic metadata but also any vendor's data: an HDR10+ display
// falls back on the static mastering display and light level metadata
// kept here.
var seiHDR = map[int]int{
	137: 24, // mastering display colour volume (D.2.28)
	144: 4,  // content light level information (D.2.35)
	147: 1,  // alternative transfer characteristics (D.2.38)
	148: 8,  // ambient viewing environment (D.2.39)
}

// seiName names an SEI payload type for the report.
func seiName(t int) string {
	switch t {
	case 4:
		return "UserDataRegistered"
	case 5:
		return "UserDataUnregistered"
	}
	return fmt.Sprintf("SEI%d", t)
}

// TypeName names a NAL unit type for the report: "NALUnit38".
func TypeName(t int) string { return fmt.Sprintf("NALUnit%d", t) }

// A Codec says how to read the NAL unit headers of a codec.
type Codec struct {
	Name      string // for messages: "HEVC", "AVC", "VVC"
	HeaderLen int    // bytes of the NAL unit header

	typ  func(h []byte) int // nal_unit_type from the header
	sei  func(t int) bool   // SEI NAL unit types
	drop func(t int) bool   // types removed whole: filler, reserved, unspecified
	keep func(t int) bool   // types kept in a decoder configuration record
}

// HEVC is H.265. §7.4.2.2 Table 7-1: 32–34 are VPS, SPS and PPS; 38
// filler data; 39 and 40 prefix and suffix SEI; 41–47 reserved and 48–63
// unspecified, which decoders ignore.
var HEVC = Codec{
	Name:      "HEVC",
	HeaderLen: 2,
	typ:       func(h []byte) int { return int(h[0]>>1) & 0x3f },
	sei:       func(t int) bool { return t == 39 || t == 40 },
	drop:      func(t int) bool { return t == 38 || t >= 41 },
	keep:      func(t int) bool { return t >= 32 && t <= 34 || t == 39 },
}

// AVC is H.264. §7.4.1 Table 7-1: 7 and 8 are SPS and PPS, 13 SPS
// extension; 6 SEI; 12 filler data; 0 and 24–31 unspecified.
var AVC = Codec{
	Name:      "AVC",
	HeaderLen: 1,
	typ:       func(h []byte) int { return int(h[0]) & 0x1f },
	sei:       func(t int) bool { return t == 6 },
	drop:      func(t int) bool { return t == 0 || t == 12 || t >= 24 },
	keep:      func(t int) bool { return t == 7 || t == 8 || t == 13 },
}

// VVC is H.266. §7.4.2.2 Table 5: 12–16 are OPI, DCI, VPS, SPS and PPS,
// 17 and 18 APS; 23 and 24 prefix and suffix SEI (payload types of H.274,
// which numbers the HDR messages as H.265 does); 25 filler data; 26–27
// reserved and 28–31 unspecified.
var VVC = Codec{
	Name:      "VVC",
	HeaderLen: 2,
	typ:       func(h []byte) int { return int(h[1] >> 3) },
	sei:       func(t int) bool { return t == 23 || t == 24 },
	drop:      func(t int) bool { return t >= 25 },
	keep:      func(t int) bool { return t >= 12 && t <= 18 || t == 23 },
}

// Type returns the nal_unit_type of a NAL unit of at least HeaderLen bytes.
func (c Codec) Type(unit []byte) int { return c.typ(unit) }

// IsSEI reports whether NAL units of type t hold SEI messages.
func (c Codec) IsSEI(t int) bool { return c.sei(t) }

// InConfig reports whether a decoder configuration record keeps NAL units
// of type t: parameter sets, and prefix SEI (for its HDR messages).
func (c Codec) InConfig(t int) bool { return c.keep(t) }

// Removed counts what a filter removed, by the name a report gives it: an
// SEI payload type ("UserDataUnregistered", "UserDataRegistered",
// "SEI135"), a NAL unit type ("NALUnit38", TypeName), or "SEI" for an SEI
// NAL unit whose messages cannot be read. N is how many messages or units
// of that name went and Bytes their size: a message's payload, a unit
// whole. A nil Removed means nothing was removed. The value type is the
// one av1.Removed has, so that a caller can take either.
type Removed map[string]struct{ N, Bytes int }

// add counts one removal of n bytes.
func (r *Removed) add(name string, n int) {
	if *r == nil {
		*r = make(Removed)
	}
	c := (*r)[name]
	c.N++
	c.Bytes += n
	(*r)[name] = c
}

// An Error says where data is not a sequence of length-prefixed NAL units.
type Error struct {
	Offset int    // where in the data the unit that cannot be read starts
	Reason string // the message, naming the codec: "HEVC data: …"
}

func (e *Error) Error() string { return e.Reason }

// UnescapeRBSP removes emulation prevention bytes (H.265 §7.4.2, H.264
// §7.4.1): 0x03 after two zero bytes.
func UnescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, x := range b {
		if zeros >= 2 && x == 3 {
			zeros = 0
			continue
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// EscapeRBSP inserts emulation prevention bytes where two zero bytes are
// followed by a byte of 3 or less.
func EscapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/64)
	zeros := 0
	for _, x := range b {
		if zeros >= 2 && x <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// FilterSEI returns an SEI NAL unit of codec c with only its HDR messages,
// or nil when none is left, and what it removed. The unit is returned as
// it is when every message is kept. A unit shorter than its header is
// removed whole, as one whose messages cannot be read is.
func (c Codec) FilterSEI(unit []byte) ([]byte, Removed) {
	var rm Removed
	if len(unit) < c.HeaderLen {
		rm.add("SEI", len(unit))
		return nil, rm
	}
	return filterSEI(unit, c.HeaderLen, &rm), rm
}

// filterSEI filters an SEI NAL unit and records what it removes in rm. A
// NAL unit whose messages cannot be read is removed whole: decoding does
// not need SEI. H.265 §7.3.5 and H.264 §7.3.2.3.1: each sei_message is a
// payload type and a payload size, each coded as 0xFF bytes adding 255 and
// a last byte, then the payload; rbsp_trailing_bits end the unit.
// seiMessage reads the payload type and size of the sei_message at pos
// (each coded as 0xFF bytes adding 255 and a last byte) and returns where
// its payload starts; ok is false when the header or the payload runs past
// the end of rbsp.
func seiMessage(rbsp []byte, pos int) (typ, size, payload int, ok bool) {
	for _, v := range []*int{&typ, &size} {
		for {
			if pos >= len(rbsp) || *v > 1<<20 {
				return 0, 0, 0, false
			}
			x := rbsp[pos]
			pos++
			*v += int(x)
			if x != 0xff {
				break
			}
		}
	}
	return typ, size, pos, size <= len(rbsp)-pos
}

func filterSEI(nal []byte, hdrLen int, rm *Removed) []byte {
	rbsp := UnescapeRBSP(nal[hdrLen:])
	var kept []byte
	changed := false
	pos := 0
	for {
		rest := rbsp[pos:]
		if len(rest) == 0 || rest[0] == 0x80 && len(bytes.Trim(rest[1:], "\x00")) == 0 {
			break // rbsp_trailing_bits
		}
		start := pos
		typ, size, at, ok := seiMessage(rbsp, pos)
		if !ok {
			rm.add("SEI", len(nal))
			return nil
		}
		pos = at + size
		if want, hdr := seiHDR[typ]; hdr && size == want {
			kept = append(kept, rbsp[start:pos]...)
			continue
		}
		changed = true
		rm.add(seiName(typ), size)
	}
	switch {
	case !changed:
		return nal
	case len(kept) == 0:
		return nil
	}
	out := append([]byte(nil), nal[:hdrLen]...)
	return append(out, EscapeRBSP(append(kept, 0x80))...)
}

// Filter filters coded data of codec c stored as NAL units each preceded
// by its length in lenSize bytes (ISO/IEC 14496-15 §4.3.2, §8.3.2): SEI
// units keep only their HDR messages (FilterSEI), filler data and units of
// reserved and unspecified types go. It returns the data unchanged when
// nothing is removed, and what it removed. Data that is not a sequence of
// such units cannot be bounded and is refused with an *Error, as is a
// lenSize outside 1 to 8.
func (c Codec) Filter(data []byte, lenSize int) ([]byte, Removed, error) {
	if lenSize < 1 || lenSize > 8 {
		return nil, nil, &Error{0, fmt.Sprintf("%s data: NAL unit length of %d bytes", c.Name, lenSize)}
	}
	var out []byte
	var rm Removed
	changed := false
	for pos := 0; pos < len(data); {
		if len(data)-pos < lenSize {
			return nil, nil, &Error{pos, fmt.Sprintf("%s data: %d bytes left for a %d-byte NAL unit length", c.Name, len(data)-pos, lenSize)}
		}
		var n uint64
		for _, x := range data[pos : pos+lenSize] {
			n = n<<8 | uint64(x)
		}
		start := pos
		pos += lenSize
		if n > uint64(len(data)-pos) || n < uint64(c.HeaderLen) {
			return nil, nil, &Error{start, fmt.Sprintf("%s data: NAL unit of %d bytes at %d of %d", c.Name, n, start, len(data))}
		}
		nal := data[pos : pos+int(n)]
		pos += int(n)
		t := c.typ(nal)
		keep := nal
		switch {
		case c.sei(t):
			keep = filterSEI(nal, c.HeaderLen, &rm)
		case c.drop(t):
			keep = nil
			rm.add(TypeName(t), len(nal))
		}
		same := len(keep) == len(nal) && &keep[0] == &nal[0]
		switch {
		case same && !changed:
			continue
		case !changed:
			changed = true
			out = append(make([]byte, 0, len(data)), data[:start]...)
		}
		if keep != nil {
			// A unit only shrinks, so its length fits the field.
			var l [8]byte
			binary.BigEndian.PutUint64(l[:], uint64(len(keep)))
			out = append(append(out, l[8-lenSize:]...), keep...)
		}
	}
	if !changed {
		return data, rm, nil
	}
	return out, rm, nil
}
