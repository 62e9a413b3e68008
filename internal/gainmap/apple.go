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
// your photos").
const (
	appleSignature = "Apple iOS\x00\x00\x01MM"
	appleHeadroom  = 0x0021
	appleGain      = 0x0030
	typeSRational  = 10
)

// AppleHDR is what an Apple MakerNote says of its photo's HDR rendition.
type AppleHDR struct {
	Headroom, Gain       [2]int32 // numerator, denominator
	HasHeadroom, HasGain bool
}

// maxAppleEntries bounds the entries read of one MakerNote (iPhones write
// about 60).
const maxAppleEntries = 1024

// ParseAppleMakerNote reads tags 0x0021 and 0x0030 of an Apple MakerNote,
// and reports whether it found either. Other tags are not read.
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
	return a, a.HasHeadroom || a.HasGain
}

// MakerNote writes an Apple MakerNote with only the tags a holds.
func (a AppleHDR) MakerNote() []byte {
	type entry struct {
		tag uint16
		v   [2]int32
	}
	var es []entry
	if a.HasHeadroom {
		es = append(es, entry{appleHeadroom, a.Headroom})
	}
	if a.HasGain {
		es = append(es, entry{appleGain, a.Gain})
	}
	be := binary.BigEndian
	b := append([]byte(nil), appleSignature...)
	b = be.AppendUint16(b, uint16(len(es)))
	values := len(b) + 12*len(es) + 4 // after the entries and the next-IFD offset
	for i, e := range es {
		b = be.AppendUint16(b, e.tag)
		b = be.AppendUint16(b, typeSRational)
		b = be.AppendUint32(b, 1)
		b = be.AppendUint32(b, uint32(values+8*i))
	}
	b = be.AppendUint32(b, 0) // no next IFD
	for _, e := range es {
		b = be.AppendUint32(b, uint32(e.v[0]))
		b = be.AppendUint32(b, uint32(e.v[1]))
	}
	return b
}

// IsAppleHDRMakerNote reports whether b is exactly what MakerNote writes:
// an Apple MakerNote that holds the HDR tags and nothing else.
func IsAppleHDRMakerNote(b []byte) bool {
	a, ok := ParseAppleMakerNote(b)
	return ok && bytes.Equal(a.MakerNote(), b)
}
