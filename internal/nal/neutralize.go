package nal

import (
	"bytes"
	"fmt"
)

// Neutralising coded samples in place. A video's samples are indexed by
// absolute offsets and sizes ('stco', 'stsz'), so a scrubber that removed
// bytes from a sample would have to rewrite the index, and could not
// stream. [Codec.Neutralize] and [Codec.NeutralizeSample] instead rewrite
// what a decoder ignores into units of the same length that carry
// nothing: every size and offset stays as it is.
//
// An SEI NAL unit keeps the messages listed in seiSample; the bytes of
// the others become filler payload SEI messages (payloadType 3, H.264
// D.1.4 and H.265 D.2.3: 0xFF bytes) in the same unit, which therefore
// stays an SEI NAL unit in the same place. That is why an SEI unit is not
// turned into a filler data NAL unit (H.264 type 12, H.265 FD_NUT 38) as
// well: H.264 §7.4.1.2.3 and H.265 §7.4.2.4.4 forbid filler data before
// the first VCL NAL unit of an access unit, where prefix SEI sits. Filler
// data units, and units of reserved and unspecified types, become filler
// data units (0xFF bytes, then rbsp_trailing_bits). Only when an SEI unit
// cannot be read, or is too short to hold a filler message, does it become
// a filler data unit.

// seiSample are the SEI payload types kept in coded samples: messages of
// decoding and display timing, random access, picture structure and
// colour, with fixed fields and no free-form bytes (H.264 Annex D, H.265
// Annex D and H.274, which number them alike). Every other message goes:
// user data registered (4) and unregistered (5, where encoders write
// their settings and cameras their telemetry), time codes (H.265 136),
// scalable nesting (H.265 133, which can nest any of them) and types
// this list does not know.
var seiSample = map[int]bool{
	0:   true, // buffering period
	1:   true, // picture timing
	2:   true, // pan-scan rectangle
	6:   true, // recovery point
	7:   true, // decoded reference picture marking repetition (H.264)
	19:  true, // film grain characteristics: decoders may synthesise grain
	45:  true, // frame packing arrangement
	47:  true, // display orientation
	128: true, // structure of pictures information (H.265)
	129: true, // active parameter sets (H.265)
	130: true, // decoding unit information (H.265)
	131: true, // temporal sub-layer zero index (H.265)
	132: true, // decoded picture hash (H.265)
	134: true, // region refresh information (H.265)
	137: true, // mastering display colour volume
	144: true, // content light level information
	147: true, // alternative transfer characteristics
	148: true, // ambient viewing environment
}

// seiFiller is the filler payload SEI message type (H.264 D.1.4, H.265
// D.2.3).
const seiFiller = 3

// fillerType returns the filler data NAL unit type of c: H.264 Table 7-1
// 12, H.265 Table 7-1 FD_NUT 38, H.266 Table 5 FD_NUT 25.
func (c Codec) fillerType() int {
	switch c.Name {
	case "AVC":
		return 12
	case "VVC":
		return 25
	}
	return 38
}

// Ignorable reports whether NAL units of type t are SEI, filler data or
// of a reserved or unspecified type: the units [Codec.Neutralize] reads.
// Every other unit (parameter sets, slices, delimiters) is left as it is.
func (c Codec) Ignorable(t int) bool { return c.sei(t) || c.drop(t) }

// fillerHeader rewrites the NAL unit header h (HeaderLen bytes) in place
// as that of a filler data unit, keeping the layer and temporal IDs a
// filler unit must share with its access unit (H.265 §7.4.2.2, H.266
// §7.4.2.2). H.264 filler data has nal_ref_idc 0 (§7.4.1).
func (c Codec) fillerHeader(h []byte) {
	t := c.fillerType()
	switch c.Name {
	case "AVC":
		h[0] = byte(t)
	case "VVC":
		h[1] = byte(t)<<3 | h[1]&7
	default:
		h[0] = byte(t)<<1 | h[0]&1
	}
}

// toFiller rewrites unit in place as a filler data NAL unit.
func (c Codec) toFiller(unit []byte) {
	c.fillerHeader(unit)
	body := unit[c.HeaderLen:]
	for i := range body {
		body[i] = 0xff
	}
	if len(body) > 0 {
		body[len(body)-1] = 0x80 // rbsp_trailing_bits
	}
}

// isFiller reports whether an RBSP is filler: 0xFF bytes, then 0x80, or
// nothing (a unit as short as its header carries nothing).
func isFiller(rbsp []byte) bool {
	return len(rbsp) == 0 || rbsp[len(rbsp)-1] == 0x80 && len(bytes.Trim(rbsp[:len(rbsp)-1], "\xff")) == 0
}

// fillerMessages returns filler payload SEI messages of exactly n bytes
// in all, or nil if none can be: one message of payloadType 3, a size
// coded in ⌊s/255⌋+1 bytes and s bytes of 0xFF, or two when no single s
// fits n (n = 257, for one: s = 254 takes 256 bytes and s = 255 takes 258).
func fillerMessages(n int) []byte {
	one := func(n int) []byte {
		for s := n - 2; s >= 0 && s >= n-2-n/255-1; s-- {
			if 1+s/255+1+s != n {
				continue
			}
			b := []byte{seiFiller}
			for v := s; v >= 255; v -= 255 {
				b = append(b, 0xff)
			}
			b = append(b, byte(s%255))
			return append(b, bytes.Repeat([]byte{0xff}, s)...)
		}
		return nil
	}
	if b := one(n); b != nil {
		return b
	}
	if n >= 5 {
		if b := one(n - 3); b != nil {
			return append([]byte{seiFiller, 1, 0xff}, b...)
		}
	}
	return nil
}

// Neutralize rewrites one NAL unit of codec c in place so that it carries
// only what a decoder of the pictures reads, at the same length: an SEI
// unit keeps the messages of seiSample and turns the rest into filler
// payload; a filler data unit, or a unit of a reserved or unspecified
// type, becomes 0xFF filler; other units are not touched. keep lists
// unit types to leave alone although unspecified (Dolby Vision's RPU and
// enhancement layer in HEVC types 62 and 63). It returns what it removed
// (nil when the unit is unchanged). A filler unit or payload already all
// 0xFF is not counted.
func (c Codec) Neutralize(unit []byte, keep ...int) Removed {
	if len(unit) < c.HeaderLen {
		return nil
	}
	t := c.typ(unit)
	for _, k := range keep {
		if t == k {
			return nil
		}
	}
	var rm Removed
	switch {
	case c.sei(t):
		c.neutralizeSEI(unit, &rm)
	case t == c.fillerType():
		if !isFiller(unit[c.HeaderLen:]) {
			rm.add(TypeName(t), len(unit))
			c.toFiller(unit)
		}
	case c.drop(t):
		rm.add(TypeName(t), len(unit))
		c.toFiller(unit)
	}
	return rm
}

// neutralizeSEI rewrites an SEI NAL unit in place (see Neutralize). The
// framing is that of filterSEI.
func (c Codec) neutralizeSEI(unit []byte, rm *Removed) {
	rbsp := UnescapeRBSP(unit[c.HeaderLen:])
	var kept []byte
	var gone Removed
	pos := 0
	for {
		rest := rbsp[pos:]
		if len(rest) == 0 || rest[0] == 0x80 && len(bytes.Trim(rest[1:], "\x00")) == 0 {
			break // rbsp_trailing_bits
		}
		start := pos
		typ, size, at, ok := seiMessage(rbsp, pos)
		if !ok {
			rm.add("SEI", len(unit))
			c.toFiller(unit)
			return
		}
		payload := rbsp[at : at+size]
		pos = at + size
		switch {
		case seiSample[typ]:
			kept = append(kept, rbsp[start:pos]...)
		case typ == seiFiller && len(bytes.Trim(payload, "\xff")) == 0:
			// Filler already: it carries nothing, and is rewritten as
			// filler with the rest.
			if gone == nil {
				kept = append(kept, rbsp[start:pos]...)
			}
		default:
			gone.add(seiName(typ), size)
		}
	}
	if gone == nil {
		return
	}
	rm.merge(gone)
	// The kept messages, then filler up to the unit's length: escaping can
	// add a byte where the kept messages end in two zeros, so measure.
	room := len(unit) - c.HeaderLen
	base := len(EscapeRBSP(append(kept[:len(kept):len(kept)], seiFiller))) - 1
	if fill := fillerMessages(room - base - 1); fill != nil {
		body := EscapeRBSP(append(append(kept, fill...), 0x80))
		if len(body) == room {
			copy(unit[c.HeaderLen:], body)
			return
		}
	}
	if fill := fillerMessages(room - 1); fill != nil {
		// The kept messages cannot be laid out again at this length
		// (escaping): the unit carries filler only.
		copy(unit[c.HeaderLen:], append(fill, 0x80))
		if len(kept) > 0 {
			rm.add("SEI", len(kept))
		}
		return
	}
	rm.add("SEI", len(unit))
	c.toFiller(unit)
}

// NeutralizeSample neutralises, in place, coded data of codec c stored as
// NAL units each preceded by its length in lenSize bytes (ISO/IEC 14496-15
// §5.3.3, §8.3.3: an MP4 sample): every unit goes through Neutralize, so
// the data keeps its length and its framing. It returns what it removed.
// Data that is not a sequence of such units is refused with an *Error
// (and may have been changed up to the unit that could not be read), as
// is a lenSize outside 1 to 8.
func (c Codec) NeutralizeSample(data []byte, lenSize int, keep ...int) (Removed, error) {
	if lenSize < 1 || lenSize > 8 {
		return nil, &Error{0, fmt.Sprintf("%s data: NAL unit length of %d bytes", c.Name, lenSize)}
	}
	var rm Removed
	for pos := 0; pos < len(data); {
		if len(data)-pos < lenSize {
			return rm, &Error{pos, fmt.Sprintf("%s data: %d bytes left for a %d-byte NAL unit length", c.Name, len(data)-pos, lenSize)}
		}
		var n uint64
		for _, x := range data[pos : pos+lenSize] {
			n = n<<8 | uint64(x)
		}
		start := pos
		pos += lenSize
		if n > uint64(len(data)-pos) || n < uint64(c.HeaderLen) {
			return rm, &Error{start, fmt.Sprintf("%s data: NAL unit of %d bytes at %d of %d", c.Name, n, start, len(data))}
		}
		unit := data[pos : pos+int(n)]
		pos += int(n)
		if !c.Ignorable(c.typ(unit)) {
			continue
		}
		rm.merge(c.Neutralize(unit, keep...))
	}
	return rm, nil
}

// merge adds the counts of o to r.
func (r *Removed) merge(o Removed) {
	for k, v := range o {
		if *r == nil {
			*r = make(Removed)
		}
		c := (*r)[k]
		c.N += v.N
		c.Bytes += v.Bytes
		(*r)[k] = c
	}
}
