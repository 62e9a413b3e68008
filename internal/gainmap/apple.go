package gainmap

import (
	"bytes"
	"encoding/binary"
)

// Apple's MakerNote, as iPhones write it in EXIF: "Apple iOS", a NUL, a
// 16-bit version (1), "MM", then an IFD (TIFF 6.0 §2, big-endian) whose
// value offsets count from the MakerNote's first byte (ExifTool's Apple
// tables). Among much that is private (run times, acceleration, focus
// distances, content identifiers), it holds the two values Apple's
// renderer scales a gain map by when the map gives no headroom of its own
// (HDRGainMap version 1, iOS 14.1 to 17): tags 0x0021 (HDRHeadroom) and
// 0x0030 (HDRGain), signed rationals (Apple, "Applying Apple HDR effect to
// your photos"). And it holds the one value that pairs a Live Photo's
// still with its video: tag 0x0011 (ContentIdentifier), an ASCII UUID
// that the video repeats in its com.apple.quicktime.content.identifier.
const (
	appleSignature = "Apple iOS\x00\x00\x01MM"
	appleContentID = 0x0011
	appleHeadroom  = 0x0021
	appleGain      = 0x0030
	typeASCII      = 2
	typeSRational  = 10
	// maxContentID bounds the identifier read: a UUID is 36 characters.
	maxContentID = 64
)

// AppleHDR is what an Apple MakerNote says of its photo's HDR rendition,
// and the content identifier of a Live Photo: the only tags this package
// reads and writes of it.
type AppleHDR struct {
	Headroom, Gain       [2]int32 // numerator, denominator
	HasHeadroom, HasGain bool
	// ContentIdentifier is tag 0x0011, up to its NUL; "" for none. It is
	// read only when it is printable ASCII.
	ContentIdentifier string
}

// HDR returns a without its content identifier.
func (a AppleHDR) HDR() AppleHDR {
	a.ContentIdentifier = ""
	return a
}

// maxAppleEntries bounds the entries read of one MakerNote (iPhones write
// about 60).
const maxAppleEntries = 1024

// ParseAppleMakerNote reads tags 0x0011, 0x0021 and 0x0030 of an Apple
// MakerNote, and reports whether it found any. Other tags are not read.
func ParseAppleMakerNote(b []byte) (AppleHDR, bool) {
	var a AppleHDR
	if len(b) < len(appleSignature)+2 || string(b[:len(appleSignature)]) != appleSignature {
		return a, false
	}
	be := binary.BigEndian
	n := int(be.Uint16(b[len(appleSignature):]))
	at := len(appleSignature) + 2
	if n > maxAppleEntries || at+12*n > len(b) {
		return a, false
	}
	for i := range n {
		e := b[at+12*i:]
		tag, typ, count, off := be.Uint16(e), be.Uint16(e[2:]), be.Uint32(e[4:]), be.Uint32(e[8:])
		if tag == appleContentID && typ == typeASCII && a.ContentIdentifier == "" {
			a.ContentIdentifier = appleASCII(b, e[8:12], count)
			continue
		}
		if tag != appleHeadroom && tag != appleGain || typ != typeSRational || count != 1 || uint64(off)+8 > uint64(len(b)) {
			continue
		}
		v := [2]int32{int32(be.Uint32(b[off:])), int32(be.Uint32(b[off+4:]))}
		if v[1] == 0 {
			continue
		}
		if tag == appleHeadroom {
			a.Headroom, a.HasHeadroom = v, true
		} else {
			a.Gain, a.HasGain = v, true
		}
	}
	return a, a.HasHeadroom || a.HasGain || a.ContentIdentifier != ""
}

// appleASCII returns the ASCII value of count bytes of an entry whose
// value field is field (TIFF 6.0 §2: the value itself when it fits in
// four bytes, else its offset in b), up to its NUL; "" when it does not
// fit, is longer than maxContentID or is not printable.
func appleASCII(b, field []byte, count uint32) string {
	v := field
	if count > 4 {
		off := binary.BigEndian.Uint32(field)
		if count > maxContentID+1 || uint64(off)+uint64(count) > uint64(len(b)) {
			return ""
		}
		v = b[off : off+count]
	}
	v = v[:min(int(count), len(v))]
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	if !printableASCII(string(v)) {
		return ""
	}
	return string(v)
}

// printableASCII reports whether s is made of printable ASCII characters.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// MakerNote writes an Apple MakerNote with only the tags a holds, in tag
// order; a content identifier that is not printable ASCII of 4 to
// maxContentID characters is left out (so that every value is longer
// than the 4 bytes an entry holds, and written after the entries).
func (a AppleHDR) MakerNote() []byte {
	be := binary.BigEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		v        []byte
	}
	var es []entry
	if id := a.ContentIdentifier; len(id) >= 4 && len(id) <= maxContentID && printableASCII(id) {
		es = append(es, entry{appleContentID, typeASCII, uint32(len(id)) + 1, append([]byte(id), 0)})
	}
	rational := func(v [2]int32) []byte { return be.AppendUint32(be.AppendUint32(nil, uint32(v[0])), uint32(v[1])) }
	if a.HasHeadroom {
		es = append(es, entry{appleHeadroom, typeSRational, 1, rational(a.Headroom)})
	}
	if a.HasGain {
		es = append(es, entry{appleGain, typeSRational, 1, rational(a.Gain)})
	}
	b := append([]byte(nil), appleSignature...)
	b = be.AppendUint16(b, uint16(len(es)))
	at := len(b) + 12*len(es) + 4 // after the entries and the next-IFD offset
	var values []byte
	for _, e := range es {
		b = be.AppendUint16(b, e.tag)
		b = be.AppendUint16(b, e.typ)
		b = be.AppendUint32(b, e.count)
		b = be.AppendUint32(b, uint32(at+len(values))) // every value is longer than 4 bytes
		values = append(values, e.v...)
		if len(values)%2 == 1 {
			values = append(values, 0) // TIFF 6.0 §2: values begin on a word boundary
		}
	}
	b = be.AppendUint32(b, 0) // no next IFD
	return append(b, values...)
}

// IsAppleHDRMakerNote reports whether b is exactly what MakerNote writes:
// an Apple MakerNote that holds the HDR tags and nothing else (no content
// identifier).
func IsAppleHDRMakerNote(b []byte) bool {
	a, ok := ParseAppleMakerNote(b)
	return ok && a.ContentIdentifier == "" && bytes.Equal(a.MakerNote(), b)
}
