package exifscrub

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/exifscrub/exifscrub/internal/date"
)

// What a kept EXIF tag may hold (Options.Keep): exifKeepSpecs gives, for
// every tag a policy can keep, the type, count and form that CIPA DC-008
// (EXIF 2.32/3.0) §4.6.4–§4.6.6 give its value. A tag that is not in the
// table is not kept, whatever its category; one whose value is not of
// its type, count and form is not kept either (it is reported as
// removed). A kept value is parsed into its type and written anew
// (keepValue): text up to its NUL, numbers one by one, so that nothing
// after a NUL, in a wrong type or past the spec's count rides along.

// A keepForm is the form of a kept value.
type keepForm uint8

const (
	formText       keepForm = iota // one line of printable text
	formLines                      // printable text, lines and tabs allowed
	formCopyright                  // at most two parts of printable text (§4.6.4 C "Copyright")
	formDateTime                   // "YYYY:MM:DD HH:MM:SS" (§4.6.4 C "DateTime")
	formDate                       // "YYYY:MM:DD" (§4.6.6 "GPSDateStamp")
	formDigits                     // SubSecTime*: decimal digits (§4.6.5 G)
	formOffset                     // OffsetTime*: "+HH:MM" or "-HH:MM" (§4.6.5 G)
	formHex                        // ImageUniqueID: 32 hexadecimal digits (§4.6.5 H)
	formRef                        // one of the letters of keepSpec.letters, then NUL
	formNumbers                    // count numbers of the type, each at most keepSpec.max
	formGPSTime                    // GPSTimeStamp: hour, minute, second (§4.6.6)
	formVersion                    // GPSVersionID 2.x.0.0 (§4.6.6)
	formCoordinate                 // GPSLatitude, GPSLongitude: rewritten by exifKeep.position
	formTimeZone                   // TIFF/EP TimeZoneOffset: 1 or 2 SSHORT hours
	formXP                         // Windows XP tags: UCS-2 little-endian text in BYTEs
	formComment                    // an 8-byte character code, then text (§4.6.5 Table 9)
)

// A keepSpec is the type, count and form of a kept tag's value.
type keepSpec struct {
	typ     uint16 // the spec's type; text forms read ASCII or UNDEFINED
	count   uint32 // the spec's count; 0 for any
	form    keepForm
	letters string // formRef
	max     uint64 // formNumbers: the largest value (integers), 0 for any
}

// TIFF field types (TIFF 6.0 §2 "Types"; CIPA DC-008 §4.6.2 Table 1).
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeRational  = 5
	typeUndefined = 7
	typeSShort    = 8
	typeSRational = 10
)

var (
	text      = keepSpec{typ: typeASCII, form: formText}
	lines     = keepSpec{typ: typeASCII, form: formLines}
	dateTime  = keepSpec{typ: typeASCII, count: 20, form: formDateTime}
	subSec    = keepSpec{typ: typeASCII, form: formDigits}
	offset    = keepSpec{typ: typeASCII, count: 7, form: formOffset}
	rational1 = keepSpec{typ: typeRational, count: 1, form: formNumbers}
	rational3 = keepSpec{typ: typeRational, count: 3, form: formNumbers}
	xp        = keepSpec{typ: typeByte, form: formXP}
	comment   = keepSpec{typ: typeUndefined, form: formComment}
)

func ref(letters string) keepSpec {
	return keepSpec{typ: typeASCII, count: 2, form: formRef, letters: letters}
}

// exifKeepSpecs are the tags a policy can keep, of the IFDs exifTags
// lists them in (and the GPS IFD's, §4.6.6), with their specs.
var exifKeepSpecs = map[tagKey]keepSpec{
	// IFD0: TIFF 6.0 §8, CIPA DC-008 §4.6.4, DNG 1.4, Microsoft Photo.
	{ifd0, 0x000b}: text, // ProcessingSoftware
	{ifd0, 0x010d}: lines,
	{ifd0, 0x010e}: lines,
	{ifd0, 0x010f}: text,
	{ifd0, 0x0110}: text,
	{ifd0, 0x0131}: text,
	{ifd0, 0x0132}: dateTime,
	{ifd0, 0x013b}: text,
	{ifd0, 0x013c}: text,
	{ifd0, 0x8298}: {typ: typeASCII, form: formCopyright},
	{ifd0, 0x882a}: {typ: typeSShort, form: formTimeZone},
	{ifd0, 0x9c9b}: xp, {ifd0, 0x9c9c}: xp, {ifd0, 0x9c9d}: xp, {ifd0, 0x9c9e}: xp, {ifd0, 0x9c9f}: xp,
	{ifd0, 0xc614}: text, {ifd0, 0xc615}: text, {ifd0, 0xc62f}: text,
	{ifd0, 0xfde8}: text, {ifd0, 0xfde9}: text, {ifd0, 0xfdea}: text,
	// Exif IFD: CIPA DC-008 §4.6.5.
	{ifdExif, 0x9003}: dateTime, {ifdExif, 0x9004}: dateTime,
	{ifdExif, 0x9010}: offset, {ifdExif, 0x9011}: offset, {ifdExif, 0x9012}: offset,
	{ifdExif, 0x9290}: subSec, {ifdExif, 0x9291}: subSec, {ifdExif, 0x9292}: subSec,
	{ifdExif, 0x9286}: comment,
	{ifdExif, 0xa420}: {typ: typeASCII, count: 33, form: formHex},
	{ifdExif, 0xa430}: text, {ifdExif, 0xa431}: text,
	{ifdExif, 0xa432}: {typ: typeRational, count: 4, form: formNumbers},
	{ifdExif, 0xa433}: text, {ifdExif, 0xa434}: text, {ifdExif, 0xa435}: text,
	{ifdExif, 0xa436}: lines, {ifdExif, 0xa437}: text, {ifdExif, 0xa438}: text,
	{ifdExif, 0xa439}: text, {ifdExif, 0xa43a}: text, {ifdExif, 0xa43b}: text, {ifdExif, 0xa43c}: text,
	// GPS IFD: CIPA DC-008 §4.6.6 Table 15.
	{ifdGPS, 0x0000}: {typ: typeByte, count: 4, form: formVersion},
	{ifdGPS, 0x0001}: ref("NS"),
	{ifdGPS, 0x0002}: {typ: typeRational, count: 3, form: formCoordinate},
	{ifdGPS, 0x0003}: ref("EW"),
	{ifdGPS, 0x0004}: {typ: typeRational, count: 3, form: formCoordinate},
	{ifdGPS, 0x0005}: {typ: typeByte, count: 1, form: formNumbers, max: 3}, // 2 and 3: Exif 3.0
	{ifdGPS, 0x0006}: rational1,
	{ifdGPS, 0x0007}: {typ: typeRational, count: 3, form: formGPSTime},
	{ifdGPS, 0x0008}: text,      // GPSSatellites
	{ifdGPS, 0x0009}: ref("AV"), // GPSStatus
	{ifdGPS, 0x000a}: ref("23"), // GPSMeasureMode
	{ifdGPS, 0x000b}: rational1,
	{ifdGPS, 0x000c}: ref("KMN"),
	{ifdGPS, 0x000d}: rational1,
	{ifdGPS, 0x000e}: ref("TM"),
	{ifdGPS, 0x000f}: rational1,
	{ifdGPS, 0x0010}: ref("TM"),
	{ifdGPS, 0x0011}: rational1,
	{ifdGPS, 0x0012}: text, // GPSMapDatum
	{ifdGPS, 0x0013}: ref("NS"),
	{ifdGPS, 0x0014}: rational3,
	{ifdGPS, 0x0015}: ref("EW"),
	{ifdGPS, 0x0016}: rational3,
	{ifdGPS, 0x0017}: ref("TM"),
	{ifdGPS, 0x0018}: rational1,
	{ifdGPS, 0x0019}: ref("KMN"),
	{ifdGPS, 0x001a}: rational1,
	{ifdGPS, 0x001b}: comment, // GPSProcessingMethod
	{ifdGPS, 0x001c}: comment, // GPSAreaInformation
	{ifdGPS, 0x001d}: {typ: typeASCII, count: 11, form: formDate},
	{ifdGPS, 0x001e}: {typ: typeShort, count: 1, form: formNumbers, max: 1},
	{ifdGPS, 0x001f}: rational1,
}

// lookupKeepSpec finds a tag's spec where lookupTag finds its name: a tag
// misplaced between IFD0 and the Exif IFD keeps its spec.
func lookupKeepSpec(kind ifdKind, tag uint16) (keepSpec, bool) {
	return lookupIFD(exifKeepSpecs, kind, tag)
}

// isTextForm reports whether a form is text in an ASCII field.
func (s keepSpec) isTextForm() bool {
	switch s.form {
	case formText, formLines, formCopyright, formDateTime, formDate, formDigits, formOffset, formHex, formRef:
		return true
	}
	return false
}

// keepValue parses the value of a field (type typ, count, bytes val in
// byte order bo) by its spec and returns it written anew: type, count and
// bytes. hidden is the number of bytes other than NUL and space that were
// not parsed (after the NUL of a text, or of its second part for a
// Copyright), which go. ok is false when the value is not of the spec's
// type, count and form.
//
// Text forms are read from ASCII or, as ExifTool and Android read them,
// from UNDEFINED fields (Nokia phones write GPSDateStamp as UNDEFINED),
// and written as ASCII. A date whose digits are blank, which §4.6.4 C
// allows for an unknown date, or all zeros, says nothing and is not kept.
func keepValue(bo binary.ByteOrder, s keepSpec, typ uint16, count uint32, val []byte) (outTyp uint16, outCount uint32, out []byte, hidden int, ok bool) {
	switch {
	case s.isTextForm():
		// The text up to its NUL must be of the form, which fixes its
		// length where the spec gives a count: the count is written
		// anew, with the NUL (Kodak leaves it out of a DateTimeOriginal
		// of 19 bytes), and what followed the NUL goes.
		if typ != typeASCII && typ != typeUndefined {
			return 0, 0, nil, 0, false
		}
		parts := 1
		if s.form == formCopyright {
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
		return typeASCII, uint32(len(out)), out, hidden, true
	case s.form == formComment:
		t, hidden, ok := commentText(bo, typ, val)
		switch {
		case !ok || !isPrintable(t, true):
			return 0, 0, nil, 0, false
		case isASCII(t):
			out = append([]byte("ASCII\x00\x00\x00"), t...)
		case bo == binary.LittleEndian:
			out = append([]byte("UNICODE\x00"), encodeUCS2(t)...)
		default:
			return 0, 0, nil, 0, false // see commentText
		}
		return typeUndefined, uint32(len(out)), out, hidden, true
	case s.form == formXP:
		if typ != typeByte || len(val)%2 != 0 {
			return 0, 0, nil, 0, false
		}
		t := ucs2(val)
		hidden = countHidden(val[min(len(val), 2*len(utf16.Encode([]rune(t)))+2):])
		if !isPrintable(t, true) {
			return 0, 0, nil, 0, false
		}
		out = append(encodeUCS2(t), 0, 0)
		return typeByte, uint32(len(out)), out, hidden, true
	case s.form == formCoordinate:
		// Any numeric form a decoder reads (exifKeep.position rewrites
		// it as the spec's three RATIONALs).
		if typ != typeRational && typ != typeSRational || count < 1 || count > 3 {
			return 0, 0, nil, 0, false
		}
		return typ, count, val, 0, true
	case s.form == formTimeZone:
		if typ != typeSShort || count < 1 || count > 2 {
			return 0, 0, nil, 0, false
		}
		for i := range int(count) {
			if h := int16(bo.Uint16(val[2*i:])); h < -12 || h > 14 {
				return 0, 0, nil, 0, false
			}
		}
	case s.form == formVersion:
		// 2.0.0.0 to 2.4.0.0: four bytes that can say nothing else.
		if typ != typeByte || count != 4 || val[0] != 2 || val[1] > 4 || val[2] != 0 || val[3] != 0 {
			return 0, 0, nil, 0, false
		}
	default: // formNumbers, formGPSTime
		if typ != s.typ || count != s.count {
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

// numberInRange checks the i'th number of a formNumbers or formGPSTime
// value: a RATIONAL needs a denominator, an integer is at most s.max, and
// a GPS time stamp's hour, minute and second are a time of day.
func numberInRange(bo binary.ByteOrder, s keepSpec, typ uint16, val []byte, i int) bool {
	switch typ {
	case typeRational:
		num, den := bo.Uint32(val[8*i:]), bo.Uint32(val[8*i+4:])
		if s.form == formGPSTime {
			if den == 0 {
				return false
			}
			return float64(num)/float64(den) < [...]float64{24, 60, 61}[i]
		}
		// 0/0 is an unknown value (§4.6.5 LensSpecification).
		return den != 0 || num == 0
	case typeByte:
		return s.max == 0 || uint64(val[i]) <= s.max
	case typeShort:
		return s.max == 0 || uint64(bo.Uint16(val[2*i:])) <= s.max
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
func textForm(s keepSpec, t string) bool {
	switch s.form {
	case formText:
		return isPrintable(t, false)
	case formLines:
		return isPrintable(t, true)
	case formCopyright:
		// The photographer's part is a space when only the editor's is
		// given (§4.6.4 C); neither part may be empty otherwise.
		p, e, two := strings.Cut(t, "\x00")
		if two && p == "" {
			return isPrintable(e, false)
		}
		return isPrintable(p, false) && (!two || isPrintable(e, false))
	case formDateTime:
		d, tm, ok := strings.Cut(t, " ")
		return ok && date.IsDate(d, ':') && date.IsClock(tm)
	case formDate:
		return date.IsDate(t, ':')
	case formDigits:
		return date.IsDigits(t)
	case formOffset:
		return date.IsOffset(t)
	case formHex:
		if len(t) != 32 {
			return false
		}
		for _, c := range []byte(t) {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	case formRef:
		return len(t) == 1 && strings.Contains(s.letters, t)
	}
	return false
}

// isPrintable reports whether t is non-empty text of printable characters
// (Unicode letters, marks, numbers, punctuation, symbols and the space;
// tabs and line breaks, U+2028 and U+2029 too, when lines is set): no control or invisible
// formatting character, and no NUL.
func isPrintable(t string, lines bool) bool {
	if strings.TrimSpace(t) == "" || !utf8.ValidString(t) {
		return false
	}
	for _, r := range t {
		if !unicode.IsPrint(r) && !(lines && (r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029')) {
			return false
		}
	}
	return true
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
// UNICODE in a little-endian block, as fieldString reads it (a
// big-endian block's UNICODE text reads otherwise in ExifTool, so it is
// not kept), or undefined (8 NULs) holding ASCII text; and plain ASCII
// text in an ASCII field, as some phones write GPSProcessingMethod.
// hidden counts the bytes after the text's NUL, other than NUL and space.
func commentText(bo binary.ByteOrder, typ uint16, val []byte) (t string, hidden int, ok bool) {
	switch {
	case typ == typeASCII:
		t, hidden := asciiParts(val, 1)
		return t, hidden, true
	case typ != typeUndefined || len(val) < 8:
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

// encodeUCS2 encodes t as UTF-16 little-endian, as Windows writes it.
func encodeUCS2(t string) []byte {
	u := utf16.Encode([]rune(t))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}
