package tiff

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"

	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/text"
)

// The value forms of the tags whose values a caller may keep: SpecOf
// gives, for each, the type, count and form that CIPA DC-008 (EXIF
// 2.32/3.0) §4.6.4–§4.6.6 give its value, and Rewrite parses a value by
// its spec into its type and writes it anew: text up to its NUL, numbers
// one by one, so that nothing after a NUL, in a wrong type or past the
// spec's count rides along. A value that is not of its spec's type, count
// and form is refused. Which tags to keep is the caller's to decide.

// A Form is the form of a value.
type Form uint8

const (
	FormText       Form = iota // one line of printable text
	FormLines                  // printable text, lines and tabs allowed
	FormCopyright              // at most two parts of printable text (§4.6.4 C "Copyright")
	FormDateTime               // "YYYY:MM:DD HH:MM:SS" (§4.6.4 C "DateTime")
	FormDate                   // "YYYY:MM:DD" (§4.6.6 "GPSDateStamp")
	FormDigits                 // SubSecTime*: decimal digits (§4.6.5 G)
	FormOffset                 // OffsetTime*: "+HH:MM" or "-HH:MM" (§4.6.5 G)
	FormHex                    // ImageUniqueID: 32 hexadecimal digits (§4.6.5 H)
	FormRef                    // one of the letters of Spec.Letters, then NUL
	FormNumbers                // count numbers of the type, each at most Spec.Max
	FormGPSTime                // GPSTimeStamp: hour, minute, second (§4.6.6)
	FormVersion                // GPSVersionID 2.x.0.0 (§4.6.6)
	FormCoordinate             // GPSLatitude, GPSLongitude: any numbers a decoder reads as one (Coordinate)
	FormTimeZone               // TIFF/EP TimeZoneOffset: 1 or 2 SSHORT hours
	FormXP                     // Windows XP tags: UCS-2 little-endian text in BYTEs
	FormComment                // an 8-byte character code, then text (§4.6.5 Table 9)
)

// A Spec is the type, count and form that the standards give a tag's
// value.
type Spec struct {
	Type    uint16 // the spec's type; text forms read ASCII or UNDEFINED
	Count   uint32 // the spec's count; 0 for any
	Form    Form
	Letters string // FormRef
	Max     uint64 // FormNumbers: the largest value (integers), 0 for any
}

var (
	txt       = Spec{Type: TypeASCII, Form: FormText}
	lines     = Spec{Type: TypeASCII, Form: FormLines}
	dateTime  = Spec{Type: TypeASCII, Count: 20, Form: FormDateTime}
	subSec    = Spec{Type: TypeASCII, Form: FormDigits}
	offset    = Spec{Type: TypeASCII, Count: 7, Form: FormOffset}
	rational1 = Spec{Type: TypeRational, Count: 1, Form: FormNumbers}
	rational3 = Spec{Type: TypeRational, Count: 3, Form: FormNumbers}
	xp        = Spec{Type: TypeByte, Form: FormXP}
	comment   = Spec{Type: TypeUndefined, Form: FormComment}
)

func ref(letters string) Spec {
	return Spec{Type: TypeASCII, Count: 2, Form: FormRef, Letters: letters}
}

// specList and specs are the tags whose value forms SpecOf gives: the
// text, dates and numbers of IFD0 and the Exif IFD that name, date or
// place a photo, and the GPS IFD's (§4.6.6). They are listed in an array,
// which the compiler lays out as data, and put in a map when the package
// starts: a map literal whose values name variables is made by code for
// each entry (27 kB of the WebAssembly module).
var specList = [...]struct {
	key
	Spec
}{
	// IFD0: TIFF 6.0 §8, CIPA DC-008 §4.6.4, DNG 1.4, Microsoft Photo.
	{key{IFD0, 0x000b}, txt}, // ProcessingSoftware
	{key{IFD0, 0x010d}, lines},
	{key{IFD0, 0x010e}, lines},
	{key{IFD0, 0x010f}, txt},
	{key{IFD0, 0x0110}, txt},
	{key{IFD0, 0x0131}, txt},
	{key{IFD0, 0x0132}, dateTime},
	{key{IFD0, 0x013b}, txt},
	{key{IFD0, 0x013c}, txt},
	{key{IFD0, 0x8298}, Spec{Type: TypeASCII, Form: FormCopyright}},
	{key{IFD0, 0x882a}, Spec{Type: TypeSShort, Form: FormTimeZone}},
	{key{IFD0, 0x9c9b}, xp}, {key{IFD0, 0x9c9c}, xp}, {key{IFD0, 0x9c9d}, xp}, {key{IFD0, 0x9c9e}, xp}, {key{IFD0, 0x9c9f}, xp},
	{key{IFD0, 0xc614}, txt}, {key{IFD0, 0xc615}, txt}, {key{IFD0, 0xc62f}, txt},
	{key{IFD0, 0xfde8}, txt}, {key{IFD0, 0xfde9}, txt}, {key{IFD0, 0xfdea}, txt},
	// Exif IFD: CIPA DC-008 §4.6.5.
	{key{Exif, 0x9003}, dateTime}, {key{Exif, 0x9004}, dateTime},
	{key{Exif, 0x9010}, offset}, {key{Exif, 0x9011}, offset}, {key{Exif, 0x9012}, offset},
	{key{Exif, 0x9290}, subSec}, {key{Exif, 0x9291}, subSec}, {key{Exif, 0x9292}, subSec},
	{key{Exif, 0x9286}, comment},
	{key{Exif, 0xa420}, Spec{Type: TypeASCII, Count: 33, Form: FormHex}},
	{key{Exif, 0xa430}, txt}, {key{Exif, 0xa431}, txt},
	{key{Exif, 0xa432}, Spec{Type: TypeRational, Count: 4, Form: FormNumbers}},
	{key{Exif, 0xa433}, txt}, {key{Exif, 0xa434}, txt}, {key{Exif, 0xa435}, txt},
	{key{Exif, 0xa436}, lines}, {key{Exif, 0xa437}, txt}, {key{Exif, 0xa438}, txt},
	{key{Exif, 0xa439}, txt}, {key{Exif, 0xa43a}, txt}, {key{Exif, 0xa43b}, txt}, {key{Exif, 0xa43c}, txt},
	// GPS IFD: CIPA DC-008 §4.6.6 Table 15.
	{key{GPS, 0x0000}, Spec{Type: TypeByte, Count: 4, Form: FormVersion}},
	{key{GPS, 0x0001}, ref("NS")},
	{key{GPS, 0x0002}, Spec{Type: TypeRational, Count: 3, Form: FormCoordinate}},
	{key{GPS, 0x0003}, ref("EW")},
	{key{GPS, 0x0004}, Spec{Type: TypeRational, Count: 3, Form: FormCoordinate}},
	{key{GPS, 0x0005}, Spec{Type: TypeByte, Count: 1, Form: FormNumbers, Max: 3}}, // 2 and 3: Exif 3.0
	{key{GPS, 0x0006}, rational1},
	{key{GPS, 0x0007}, Spec{Type: TypeRational, Count: 3, Form: FormGPSTime}},
	{key{GPS, 0x0008}, txt},       // GPSSatellites
	{key{GPS, 0x0009}, ref("AV")}, // GPSStatus
	{key{GPS, 0x000a}, ref("23")}, // GPSMeasureMode
	{key{GPS, 0x000b}, rational1},
	{key{GPS, 0x000c}, ref("KMN")}, {key{GPS, 0x000d}, rational1},
	{key{GPS, 0x000e}, ref("TM")}, {key{GPS, 0x000f}, rational1},
	{key{GPS, 0x0010}, ref("TM")}, {key{GPS, 0x0011}, rational1},
	{key{GPS, 0x0012}, txt}, // GPSMapDatum
	{key{GPS, 0x0013}, ref("NS")}, {key{GPS, 0x0014}, rational3},
	{key{GPS, 0x0015}, ref("EW")}, {key{GPS, 0x0016}, rational3},
	{key{GPS, 0x0017}, ref("TM")}, {key{GPS, 0x0018}, rational1},
	{key{GPS, 0x0019}, ref("KMN")}, {key{GPS, 0x001a}, rational1},
	{key{GPS, 0x001b}, comment}, // GPSProcessingMethod
	{key{GPS, 0x001c}, comment}, // GPSAreaInformation
	{key{GPS, 0x001d}, Spec{Type: TypeASCII, Count: 11, Form: FormDate}},
	{key{GPS, 0x001e}, Spec{Type: TypeShort, Count: 1, Form: FormNumbers, Max: 1}},
	{key{GPS, 0x001f}, rational1},
}

var specs = func() map[key]Spec {
	m := make(map[key]Spec, len(specList))
	for _, e := range specList {
		m[e.key] = e.Spec
	}
	return m
}()

// SpecOf returns the spec of a tag found in an IFD of kind, looked up
// where Homes says (a tag misplaced between IFD0 and the Exif IFD keeps
// its spec), and false for a tag whose form the package does not check.
func SpecOf(kind Kind, tag uint16) (Spec, bool) {
	for _, k := range Homes(kind) {
		if s, ok := specs[key{k, tag}]; ok {
			return s, true
		}
	}
	return Spec{}, false
}

// Homes returns the kinds of IFD whose tags a tag found in an IFD of kind
// is looked up as, in order: its own, then where writers misplace it from.
// TIFF tags in IFD1 and SubIFDs, which describe other images with the
// same tags as IFD0, are IFD0's; Exif IFD tags are found in IFD0 and
// back. The slice is shared: the caller must not change it.
func Homes(kind Kind) []Kind {
	if int(kind) < len(homes) {
		return homes[kind]
	}
	return nil
}

var homes = [...][]Kind{
	IFD0: {IFD0, Exif}, IFD1: {IFD1, IFD0}, Exif: {Exif, IFD0},
	GPS: {GPS}, Interop: {Interop}, Sub: {Sub, IFD0},
}

// isTextForm reports whether a form is text in an ASCII field.
func (s Spec) isTextForm() bool {
	switch s.Form {
	case FormText, FormLines, FormCopyright, FormDateTime, FormDate, FormDigits, FormOffset, FormHex, FormRef:
		return true
	}
	return false
}

// Rewrite parses the value of a field (type typ, count, bytes val in
// byte order bo) by its spec and returns it written anew: type, count and
// bytes. hidden is the number of bytes other than NUL and space that were
// not parsed (after the NUL of a text, or of its second part for a
// Copyright), which go. ok is false when the value is not of the spec's
// type, count and form. val must hold count values of type typ
// (len(val) == TypeSize(typ)*count, typ 1 to 12, count above 0), as a
// caller checks of an Entry before.
//
// Text forms are read from ASCII or, as ExifTool and Android read them,
// from UNDEFINED fields (Nokia phones write GPSDateStamp as UNDEFINED),
// and written as ASCII. A date whose digits are blank, which §4.6.4 C
// allows for an unknown date, or all zeros, says nothing and is not kept.
func Rewrite(bo binary.ByteOrder, s Spec, typ uint16, count uint32, val []byte) (outTyp uint16, outCount uint32, out []byte, hidden int, ok bool) {
	switch {
	case s.isTextForm():
		// The text up to its NUL must be of the form, which fixes its
		// length where the spec gives a count: the count is written
		// anew, with the NUL (Kodak leaves it out of a DateTimeOriginal
		// of 19 bytes), and what followed the NUL goes.
		if typ != TypeASCII && typ != TypeUndefined {
			return 0, 0, nil, 0, false
		}
		parts := 1
		if s.Form == FormCopyright {
			parts = 2
		}
		t, hidden := asciiParts(val, parts)
		if !textForm(s, t) {
			return 0, 0, nil, 0, false
		}
		if strings.HasPrefix(t, "\x00") {
			t = " " + t // a Copyright of the editor only (§4.6.4 C)
		}
		out = append([]byte(t), 0)
		return TypeASCII, uint32(len(out)), out, hidden, true
	case s.Form == FormComment:
		t, hidden, ok := commentText(bo, typ, val)
		switch {
		case !ok || !text.Printable(t, true):
			return 0, 0, nil, 0, false
		case isASCII(t):
			out = append([]byte("ASCII\x00\x00\x00"), t...)
		case bo == binary.LittleEndian:
			out = append([]byte("UNICODE\x00"), encodeUCS2(t)...)
		default:
			return 0, 0, nil, 0, false // see commentText
		}
		return TypeUndefined, uint32(len(out)), out, hidden, true
	case s.Form == FormXP:
		if typ != TypeByte || len(val)%2 != 0 {
			return 0, 0, nil, 0, false
		}
		t := ucs2(val)
		hidden = countHidden(val[min(len(val), 2*len(utf16.Encode([]rune(t)))+2):])
		if !text.Printable(t, true) {
			return 0, 0, nil, 0, false
		}
		out = append(encodeUCS2(t), 0, 0)
		return TypeByte, uint32(len(out)), out, hidden, true
	case s.Form == FormCoordinate:
		// Any numeric form a decoder reads (the caller rewrites it as
		// the spec's three RATIONALs: Coordinate, DMS).
		if typ != TypeRational && typ != TypeSRational || count < 1 || count > 3 {
			return 0, 0, nil, 0, false
		}
		return typ, count, val, 0, true
	case s.Form == FormTimeZone:
		if typ != TypeSShort || count < 1 || count > 2 {
			return 0, 0, nil, 0, false
		}
		for i := range int(count) {
			if h := int16(bo.Uint16(val[2*i:])); h < -12 || h > 14 {
				return 0, 0, nil, 0, false
			}
		}
	case s.Form == FormVersion:
		// 2.0.0.0 to 2.4.0.0: four bytes that can say nothing else.
		if typ != TypeByte || count != 4 || val[0] != 2 || val[1] > 4 || val[2] != 0 || val[3] != 0 {
			return 0, 0, nil, 0, false
		}
	default: // FormNumbers, FormGPSTime
		if typ != s.Type || count != s.Count {
			return 0, 0, nil, 0, false
		}
		for i := range int(count) {
			if !numberInRange(bo, s, typ, val, i) {
				return 0, 0, nil, 0, false
			}
		}
	}
	// Numbers, one by one: the same values, in bytes of our own.
	out = make([]byte, len(val))
	size := len(val) / int(count)
	for i := 0; i < len(val); i += size {
		switch size {
		case 1:
			out[i] = val[i]
		case 2:
			bo.PutUint16(out[i:], bo.Uint16(val[i:]))
		case 8:
			bo.PutUint32(out[i:], bo.Uint32(val[i:]))
			bo.PutUint32(out[i+4:], bo.Uint32(val[i+4:]))
		default:
			return 0, 0, nil, 0, false
		}
	}
	return typ, count, out, 0, true
}

// numberInRange checks the i'th number of a FormNumbers or FormGPSTime
// value: a RATIONAL needs a denominator, an integer is at most s.Max, and
// a GPS time stamp's hour, minute and second are a time of day.
func numberInRange(bo binary.ByteOrder, s Spec, typ uint16, val []byte, i int) bool {
	switch typ {
	case TypeRational:
		num, den := bo.Uint32(val[8*i:]), bo.Uint32(val[8*i+4:])
		if s.Form == FormGPSTime {
			if den == 0 {
				return false
			}
			return float64(num)/float64(den) < [...]float64{24, 60, 61}[i]
		}
		// 0/0 is an unknown value (§4.6.5 LensSpecification).
		return den != 0 || num == 0
	case TypeByte:
		return s.Max == 0 || uint64(val[i]) <= s.Max
	case TypeShort:
		return s.Max == 0 || uint64(bo.Uint16(val[2*i:])) <= s.Max
	}
	return false
}

// asciiParts returns the first parts NUL-terminated strings of val (the
// last may lack its NUL), each without trailing spaces, joined by NUL,
// and the number of bytes after them other than NUL and space.
func asciiParts(val []byte, parts int) (string, int) {
	var ps []string
	rest := val
	for len(ps) < parts && len(rest) > 0 {
		p := rest
		if i := bytes.IndexByte(rest, 0); i >= 0 {
			p, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		ps = append(ps, strings.TrimSpace(string(p)))
	}
	// A Copyright's empty editor part is no part (§4.6.4 C: "photographer
	// NUL" when there is no editor's notice).
	for len(ps) > 1 && ps[len(ps)-1] == "" {
		ps = ps[:len(ps)-1]
	}
	return strings.Join(ps, "\x00"), countHidden(rest)
}

// countHidden counts the bytes of b other than NUL and space.
func countHidden(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 && c != ' ' {
			n++
		}
	}
	return n
}

// textForm reports whether t, the text of a field, is of the form of s.
func textForm(s Spec, t string) bool {
	switch s.Form {
	case FormText:
		return text.Printable(t, false)
	case FormLines:
		return text.Printable(t, true)
	case FormCopyright:
		// The photographer's part is a space when only the editor's is
		// given (§4.6.4 C); neither part may be empty otherwise.
		p, e, two := strings.Cut(t, "\x00")
		if two && p == "" {
			return text.Printable(e, false)
		}
		return text.Printable(p, false) && (!two || text.Printable(e, false))
	case FormDateTime:
		d, tm, ok := strings.Cut(t, " ")
		return ok && date.IsDate(d, ':') && date.IsClock(tm)
	case FormDate:
		return date.IsDate(t, ':')
	case FormDigits:
		return date.IsDigits(t)
	case FormOffset:
		return date.IsOffset(t)
	case FormHex:
		if len(t) != 32 {
			return false
		}
		for _, c := range []byte(t) {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	case FormRef:
		return len(t) == 1 && strings.Contains(s.Letters, t)
	}
	return false
}

func isASCII(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 {
			return false
		}
	}
	return true
}

// commentText returns the text of a UserComment-style value: an 8-byte
// character code then the text (CIPA DC-008 §4.6.5 Table 9), ASCII, or
// UNICODE in a little-endian block, as FieldString reads it (a
// big-endian block's UNICODE text reads otherwise in ExifTool, so it is
// not kept), or undefined (8 NULs) holding ASCII text; and plain ASCII
// text in an ASCII field, as some phones write GPSProcessingMethod.
// hidden counts the bytes after the text's NUL, other than NUL and space.
func commentText(bo binary.ByteOrder, typ uint16, val []byte) (t string, hidden int, ok bool) {
	switch {
	case typ == TypeASCII:
		t, hidden := asciiParts(val, 1)
		return t, hidden, true
	case typ != TypeUndefined || len(val) < 8:
		return "", 0, false
	}
	code, b := string(val[:8]), val[8:]
	switch code {
	case "ASCII\x00\x00\x00", "\x00\x00\x00\x00\x00\x00\x00\x00":
		t, hidden := asciiParts(b, 1)
		return t, hidden, isASCII(t)
	case "UNICODE\x00":
		if bo != binary.LittleEndian || len(b)%2 != 0 {
			return "", 0, false
		}
		t := ucs2(b)
		return strings.TrimSpace(t), countHidden(b[min(len(b), 2*len(utf16.Encode([]rune(t)))+2):]), true
	}
	return "", 0, false
}
