package xmp

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// Text returns an XMP packet as UTF-8. XMP Specification Part 1 §7.3
// (XMP packet wrapper) allows UTF-8, UTF-16 and UTF-32 in either byte
// order, told apart by the byte-order mark that starts the packet or, as
// XML 1.0 Appendix F has it, by the zero bytes around its first '<'. An
// XML declaration may name another encoding, and writers put ISO 8859-1
// text in packets that declare none: a packet that is still not UTF-8 is
// read as ISO 8859-1 (Windows-1252 for 0x80–0x9F), so that nothing in it
// goes unread.
func Text(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0, 0, 0xfe, 0xff}):
		return utf32Text(b[4:], binary.BigEndian)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe, 0, 0}):
		return utf32Text(b[4:], binary.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return utf16Text(b[2:], binary.BigEndian)
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return utf16Text(b[2:], binary.LittleEndian)
	case len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return utf32Text(b, binary.BigEndian)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32Text(b, binary.LittleEndian)
	case len(b) >= 2 && b[0] == 0 && b[1] != 0:
		return utf16Text(b, binary.BigEndian)
	case len(b) >= 2 && b[0] != 0 && b[1] == 0:
		return utf16Text(b, binary.LittleEndian)
	}
	if utf8.Valid(b) {
		return b
	}
	var out []byte
	for _, c := range b {
		out = utf8.AppendRune(out, cp1252(c))
	}
	return out
}

// cp1252 maps a byte of Windows-1252, the superset of ISO 8859-1 that
// HTML5 reads for either label, to its code point.
func cp1252(c byte) rune {
	if c >= 0x80 && c < 0xa0 {
		if r := cp1252High[c-0x80]; r != 0 {
			return r
		}
	}
	return rune(c)
}

var cp1252High = [32]rune{
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
}

// utf16Text converts UTF-16 to UTF-8; an odd byte at the end is dropped.
func utf16Text(b []byte, bo binary.ByteOrder) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = bo.Uint16(b[2*i:])
	}
	return []byte(string(utf16.Decode(u)))
}

// utf32Text converts UTF-32 to UTF-8; invalid code points become U+FFFD.
func utf32Text(b []byte, bo binary.ByteOrder) []byte {
	out := make([]byte, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		r := rune(bo.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}
