// Package av1 filters AV1 bitstreams (AV1 Bitstream & Decoding Process
// Specification, AOMedia) made of OBUs, open bitstream units, so that they
// carry what a decoder and an HDR display need and no more: in the
// low-overhead bitstream format of AVIF items (§5.2) and in the configOBUs
// of an 'av1C' decoder configuration (AV1 Codec ISO Media File Format
// Binding, AV1-ISOBMFF, §2.3).
//
// [Filter] drops metadata OBUs other than HDR light levels and mastering
// display, padding OBUs and OBUs of reserved types; every other OBU is
// copied byte for byte, and data is returned as it is, not copied, when
// nothing is removed. What was removed comes back as a [Removed] tally by
// name, for the caller to report.
//
// The package reads OBU headers and the metadata type only: it does not
// parse sequence headers, frames or tiles, does not read the Annex B
// length-delimited format, and does not validate that the data decodes.
package av1

import "fmt"

// OBU types (AV1 §6.2.2).
const (
	OBUSequenceHeader = 1
	OBUMetadata       = 5
	OBUPadding        = 15
)

// LEB128 reads an unsigned LEB128 number (AV1 §4.10.5): at most 8 bytes,
// and a value below 2^32. It returns the value and how many bytes it took;
// ok is false for a number that is truncated, longer or larger.
func LEB128(b []byte) (v uint64, n int, ok bool) {
	for n < 8 && n < len(b) {
		x := b[n]
		v |= uint64(x&0x7f) << (7 * n)
		n++
		if x&0x80 == 0 {
			return v, n, v <= 0xffffffff
		}
	}
	return 0, 0, false
}

// AV1 §6.7.1 metadata types kept, with their payload sizes: content light
// level (§5.8.3) and mastering display colour volume (§5.8.4). Scalability
// (3), ITU-T T.35 (4) and timecode (5) go.
var obuHDR = map[uint64]int{1: 4, 2: 24}

// Removed counts what Filter removed, by the name a report gives it:
// "Metadata4" (a metadata type), "Padding", "OBU2" (an OBU type). N is how
// many OBUs of that name went and Bytes the size of their payloads. A nil
// Removed means nothing was removed. The value type is the one nal.Removed
// has, so that a caller can take either.
type Removed map[string]struct{ N, Bytes int }

// An Error says where data is not a sequence of OBUs.
type Error struct {
	Offset int    // where in the data the OBU that cannot be read starts
	Reason string // the message: "AV1 data: …"
}

func (e *Error) Error() string { return e.Reason }

// Filter filters AV1 OBUs (AV1 §5.3): in item data (config false: the
// low-overhead bitstream format, §5.2) it keeps every OBU a decoder reads
// and drops metadata other than HDR light levels and mastering display,
// padding and OBUs of reserved types; in an 'av1C' (config true) only
// sequence headers and HDR metadata are allowed (AV1-ISOBMFF §2.3.4). The
// data is returned unchanged when nothing is removed, with what was
// removed. Data that is not a sequence of OBUs is refused with an *Error.
func Filter(data []byte, config bool) ([]byte, Removed, error) {
	var out []byte
	var rm Removed
	changed := false
	for pos := 0; pos < len(data); {
		start := pos
		hdr := data[pos]
		typ := int(hdr>>3) & 15
		pos++
		if hdr&0x80 != 0 {
			return nil, nil, &Error{start, fmt.Sprintf("AV1 data: OBU at %d has its forbidden bit set", start)}
		}
		if hdr&4 != 0 { // obu_extension_flag
			pos++
		}
		size := uint64(len(data) - min(pos, len(data)))
		if hdr&2 != 0 { // obu_has_size_field
			v, n, ok := LEB128(data[min(pos, len(data)):])
			if !ok {
				return nil, nil, &Error{start, fmt.Sprintf("AV1 data: bad OBU size at %d", start)}
			}
			size, pos = v, pos+n
		}
		if pos > len(data) || size > uint64(len(data)-pos) {
			return nil, nil, &Error{start, fmt.Sprintf("AV1 data: OBU of %d bytes at %d of %d", size, start, len(data))}
		}
		payload := data[pos : pos+int(size)]
		pos += int(size)
		removed := "" // the name of the OBU removed, if it is
		switch {
		case typ == OBUMetadata:
			mt, n, ok := LEB128(payload)
			// The payload, then trailing bits in one byte (§5.3.4).
			want, hdr := obuHDR[mt]
			if !ok || !hdr || len(payload) != n+want+1 || payload[len(payload)-1] != 0x80 {
				removed = fmt.Sprintf("Metadata%d", mt)
			}
		case config && typ != OBUSequenceHeader:
			removed = fmt.Sprintf("OBU%d", typ)
		case typ == OBUPadding:
			removed = "Padding"
		case typ == 0 || typ >= 9:
			removed = fmt.Sprintf("OBU%d", typ)
		}
		switch {
		case removed == "" && changed:
			out = append(out, data[start:pos]...)
		case removed != "" && !changed:
			changed = true
			out = append(make([]byte, 0, len(data)), data[:start]...)
			rm = make(Removed)
		}
		if removed != "" {
			c := rm[removed]
			rm[removed] = struct{ N, Bytes int }{c.N + 1, c.Bytes + len(payload)}
		}
	}
	if !changed {
		return data, rm, nil
	}
	return out, rm, nil
}

// Neutralize rewrites AV1 OBUs in place (a sample in the low-overhead
// bitstream format, AV1-ISOBMFF §2.4) at the same length, so that every
// size and offset of the file that indexes them stays valid: a metadata
// OBU other than HDR light levels and mastering display, or an OBU of a
// reserved type, becomes a padding OBU (type 15, §5.9.1 / §6.2.2) with
// zero payload; a padding OBU keeps its type and has its payload zeroed.
// The header's extension and size fields are kept, so the OBU keeps its
// length and the framing its meaning. It returns what it removed (nil
// when nothing changed). Data that is not a sequence of OBUs is refused
// with an *Error, and may have been changed up to where it stops.
func Neutralize(data []byte) (Removed, error) {
	var rm Removed
	for pos := 0; pos < len(data); {
		start := pos
		hdr := data[pos]
		typ := int(hdr>>3) & 15
		pos++
		if hdr&0x80 != 0 {
			return rm, &Error{start, fmt.Sprintf("AV1 data: OBU at %d has its forbidden bit set", start)}
		}
		if hdr&4 != 0 { // obu_extension_flag
			pos++
		}
		size := uint64(len(data) - min(pos, len(data)))
		if hdr&2 != 0 { // obu_has_size_field
			v, n, ok := LEB128(data[min(pos, len(data)):])
			if !ok {
				return rm, &Error{start, fmt.Sprintf("AV1 data: bad OBU size at %d", start)}
			}
			size, pos = v, pos+n
		}
		if pos > len(data) || size > uint64(len(data)-pos) {
			return rm, &Error{start, fmt.Sprintf("AV1 data: OBU of %d bytes at %d of %d", size, start, len(data))}
		}
		payload := data[pos : pos+int(size)]
		pos += int(size)
		removed := ""
		switch {
		case typ == OBUMetadata:
			mt, n, ok := LEB128(payload)
			want, hdr := obuHDR[mt]
			if !ok || !hdr || len(payload) != n+want+1 || payload[len(payload)-1] != 0x80 {
				removed = fmt.Sprintf("Metadata%d", mt)
			}
		case typ == OBUPadding:
			for _, b := range payload {
				if b != 0 {
					removed = "Padding"
					break
				}
			}
		case typ == 0 || typ >= 9:
			removed = fmt.Sprintf("OBU%d", typ)
		}
		if removed == "" {
			continue
		}
		data[start] = hdr&^0x78 | OBUPadding<<3
		clear(payload)
		if rm == nil {
			rm = make(Removed)
		}
		c := rm[removed]
		rm[removed] = struct{ N, Bytes int }{c.N + 1, c.Bytes + len(payload)}
	}
	return rm, nil
}
