package tiff

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/exifscrub/exifscrub/internal/text"
)

// TIFF field types (TIFF 6.0 §2 "Types"; CIPA DC-008 §4.6.2 Table 1).
const (
	TypeByte      = 1
	TypeASCII     = 2
	TypeShort     = 3
	TypeRational  = 5
	TypeUndefined = 7
	TypeSShort    = 8
	TypeSRational = 10
)

// Tags whose values String and the value specs read apart (CIPA DC-008
// §4.6.4, §4.6.5, §4.6.6).
const (
	TagCopyright           = 0x8298
	TagMakerNote           = 0x927c
	TagUserComment         = 0x9286
	TagGPSLatitudeRef      = 0x0001
	TagGPSLatitude         = 0x0002
	TagGPSLongitudeRef     = 0x0003
	TagGPSLongitude        = 0x0004
	TagGPSProcessingMethod = 0x001b
	TagGPSAreaInformation  = 0x001c
)

// String is the printable form of an entry's value: a GPS coordinate in
// signed decimal degrees (with the references of its IFD, GPSRefs), a
// MakerNote's size, else FieldString's.
func String(bo binary.ByteOrder, kind Kind, tag, typ uint16, count uint32, val []byte, latRef, lonRef string) string {
	switch {
	case kind == GPS && tag == TagGPSLatitude:
		return Degrees(bo, val, typ, latRef)
	case kind == GPS && tag == TagGPSLongitude:
		return Degrees(bo, val, typ, lonRef)
	case kind == GPS && (tag == TagGPSProcessingMethod || tag == TagGPSAreaInformation) && typ == TypeUndefined:
		return userComment(val)
	case tag == TagMakerNote && kind == Exif:
		return fmt.Sprintf("(%d bytes)", len(val))
	}
	return FieldString(bo, tag, typ, count, val)
}

// GPSRefs returns the hemisphere references of a GPS IFD's entries, the
// last of each.
func GPSRefs(es []Entry) (latRef, lonRef string) {
	for _, e := range es {
		if e.Tag != TagGPSLatitudeRef && e.Tag != TagGPSLongitudeRef {
			continue
		}
		if !e.InBlock || len(e.Value) == 0 {
			continue
		}
		if e.Tag == TagGPSLatitudeRef {
			latRef = string(e.Value[:1])
		} else {
			lonRef = string(e.Value[:1])
		}
	}
	return latRef, lonRef
}

// Degrees formats a GPS coordinate (Coordinate) as signed decimal
// degrees, or as its numbers when it cannot be read as one.
func Degrees(bo binary.ByteOrder, val []byte, typ uint16, ref string) string {
	d, ok := Coordinate(bo, typ, val, ref)
	if !ok {
		return FieldString(bo, 0, typ, uint32(len(val)/max(1, int(TypeSize(typ)))), val)
	}
	return strconv.FormatFloat(d, 'f', 6, 64)
}

// Coordinate reads a GPS coordinate as decoders read it, in signed
// decimal degrees. CIPA DC-008 §4.6.6 gives GPSLatitude and GPSLongitude
// three RATIONALs, degrees, minutes and seconds, and the hemisphere in
// GPSLatitudeRef and GPSLongitudeRef; phones also write SRATIONALs (some
// of them negative), and one or two numbers (decimal degrees, or degrees
// and decimal minutes), which ExifTool and Android read as d + m/60 +
// s/3600 of the numbers there are. The sign is the reference's when there
// is one, "S" or "W" negative, as ExifTool gives it (it ignores the sign
// of the numbers: a negative SRATIONAL with "N" is north), else the
// numbers'. A zero denominator, or more than 180 degrees, is no
// coordinate.
func Coordinate(bo binary.ByteOrder, typ uint16, val []byte, ref string) (float64, bool) {
	n := len(val) / 8
	if typ != TypeRational && typ != TypeSRational || len(val)%8 != 0 || n < 1 || n > 3 {
		return 0, false
	}
	var d float64
	for i, scale := range []float64{1, 60, 3600}[:n] {
		num, den := float64(bo.Uint32(val[8*i:])), float64(bo.Uint32(val[8*i+4:]))
		if typ == TypeSRational {
			num, den = float64(int32(bo.Uint32(val[8*i:]))), float64(int32(bo.Uint32(val[8*i+4:])))
		}
		if den == 0 {
			return 0, false
		}
		d += num / den / scale
	}
	if math.Abs(d) > 180 {
		return 0, false
	}
	switch ref {
	case "N", "E":
		d = math.Abs(d)
	case "S", "W":
		d = -math.Abs(d)
	}
	return d, true
}

// DMS writes a non-negative number of degrees as three RATIONALs (CIPA
// DC-008 §4.6.6 GPSLatitude): whole degrees, whole minutes and seconds in
// millionths, which read back as the same decimal degrees within 3e-10.
func DMS(bo binary.ByteOrder, d float64) []byte {
	const perDegree = 3600 * 1000000 // microarcseconds
	total := int64(math.Round(d * perDegree))
	v := make([]byte, 24)
	for i, x := range [][2]uint32{
		{uint32(total / perDegree), 1},
		{uint32(total % perDegree / 60000000), 1},
		{uint32(total % 60000000), 1000000},
	} {
		bo.PutUint32(v[8*i:], x[0])
		bo.PutUint32(v[8*i+4:], x[1])
	}
	return v
}

// FieldString returns a printable form of a field's value: as TIFF types
// read (Format), but for UNDEFINED values, which are text where they read
// as text, a UserComment's text, and the UCS-2 text of Windows's XP tags.
func FieldString(bo binary.ByteOrder, tag, typ uint16, count uint32, val []byte) string {
	switch typ {
	case 7: // UNDEFINED
		if tag == TagUserComment {
			return userComment(val)
		}
		if text.Readable(val) {
			return text.CString(val)
		}
		return fmt.Sprintf("(%d bytes)", len(val))
	case 1:
		if tag >= 0x9c9b && tag <= 0x9c9f { // XP tags: UCS-2 little-endian text
			return ucs2(val)
		}
	case 2:
		if tag == TagCopyright {
			// The photographer's and the editor's notices (CIPA DC-008
			// §4.6.4 C), on two lines, as ExifTool shows them.
			t, _ := asciiParts(val, 2)
			return strings.TrimSpace(strings.Replace(t, "\x00", "\n", 1))
		}
	}
	return Format(bo, typ, count, val)
}

// userComment decodes a UserComment: an 8-byte character code, then the
// text (CIPA DC-008 §4.6.5 Table 9).
func userComment(val []byte) string {
	if len(val) < 8 {
		return text.CString(val)
	}
	code, rest := string(val[:8]), val[8:]
	switch {
	case strings.HasPrefix(code, "UNICODE"):
		return ucs2(rest)
	case strings.HasPrefix(code, "ASCII"), code == "\x00\x00\x00\x00\x00\x00\x00\x00":
		return text.CString(rest)
	}
	if text.Readable(rest) {
		return text.CString(rest)
	}
	return fmt.Sprintf("(%d bytes)", len(val))
}

// ucs2 decodes UTF-16 little-endian text, as Windows writes it.
func ucs2(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// encodeUCS2 encodes t as UTF-16 little-endian, as Windows writes it.
func encodeUCS2(t string) []byte {
	u := utf16.Encode([]rune(t))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// Minimal returns a TIFF structure that holds only the given
// orientation: a big-endian header, and IFD0 with one SHORT entry (CIPA
// DC-008 §4.6.4 A "Orientation").
func Minimal(orientation int) []byte {
	return []byte{
		'M', 'M', 0, 42, 0, 0, 0, 8, // header; IFD0 at offset 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0, // Orientation, SHORT, 1
		0, 0, 0, 0, // no IFD1
	}
}
