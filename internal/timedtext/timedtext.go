// Package timedtext reads the text of a timed-text sample (a subtitle or
// chapter cue) and finds a geographic position written in it, so that the
// root package can say what a removed subtitle track held: drones and dash
// cams write the aircraft's or car's position, time and model into every
// cue of such a track.
//
// Cue reads the text of one sample of the sample entry types it knows:
//   - 3GPP timed text 'tx3g' (3GPP TS 26.245 §5.17) and QuickTime text
//     'text' (QTFF "Text Sample Data"): a 16-bit length, the text in UTF-8
//     or, after a byte order mark, UTF-16, then modifier boxes;
//   - WebVTT 'wvtt' (ISO/IEC 14496-30 §7.4): boxes, of which the cue boxes
//     'vttc' hold the cue's 'payl', 'iden' and 'sttg' text and 'vtta' a
//     comment;
//   - simple text 'stxt' (ISO/IEC 14496-12 §12.5.3): the sample is text.
//
// Position finds a latitude and longitude in text, in the forms such
// tracks use: labelled ("latitude: 22.5476 longitude: 113.9435",
// "lat 22.5476, lon 113.9435"), DJI's "GPS(113.9435,22.5476,12)" (longitude
// first), ISO 6709 ("+22.5476+113.9435/"), a pair of decimal degrees
// ("22.5476, 113.9435") and degrees, minutes and seconds with hemispheres
// (22°32'51.4"N 113°56'36.7"E). A pair of plain decimals counts only with
// at least four decimal places each (about ten metres), so that a
// subtitle's "1.5, 2.0" is not a place; any labelled or hemisphere form
// counts.
//
// Both take plain bytes or strings, never panic, and allocate nothing but
// the text they return. The package does not decide what is kept: that is
// the root's policy.
package timedtext

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxSample is the largest sample Cue reads; a cue is a line or two of
// text, so a larger sample is not read as one.
const MaxSample = 64 << 10

// Cue returns the text of a timed-text sample of the sample entry type
// entry, and false if entry is not a type it reads, the sample is larger
// than MaxSample, or its text is not well formed. Text in UTF-16 is
// returned as UTF-8; the cues of a WebVTT sample are joined by newlines.
func Cue(entry [4]byte, sample []byte) (string, bool) {
	if len(sample) > MaxSample {
		return "", false
	}
	switch string(entry[:]) {
	case "tx3g", "text":
		return lengthPrefixed(sample)
	case "wvtt":
		return vttCues(sample)
	case "stxt":
		s := strings.TrimRight(string(sample), "\x00")
		if !utf8.ValidString(s) {
			return "", false
		}
		return s, true
	}
	return "", false
}

// lengthPrefixed reads a 3GPP TS 26.245 §5.17 TextSample: text_length
// (16 bits), then the text; a text that begins with the byte order mark
// FE FF is UTF-16 big-endian.
func lengthPrefixed(b []byte) (string, bool) {
	if len(b) < 2 {
		return "", len(b) == 0
	}
	n := int(binary.BigEndian.Uint16(b))
	if 2+n > len(b) {
		return "", false
	}
	t := b[2 : 2+n]
	if len(t) >= 2 && t[0] == 0xfe && t[1] == 0xff {
		t = t[2:]
		if len(t)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(t)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(t[2*i:])
		}
		return string(utf16.Decode(u)), true
	}
	if !utf8.Valid(t) {
		return "", false
	}
	return string(t), true
}

// vttCues reads an ISO/IEC 14496-30 §7.4 WebVTT sample: a sequence of
// boxes, 'vttc' cue boxes (whose children 'iden', 'sttg' and 'payl' hold
// text), 'vtta' comments (text) and 'vtte' empty cues. Text of other boxes
// is not read.
func vttCues(b []byte) (string, bool) {
	var parts []string
	ok := walkBoxes(b, func(typ string, payload []byte) bool {
		switch typ {
		case "vttc":
			return walkBoxes(payload, func(typ string, p []byte) bool {
				switch typ {
				case "iden", "sttg", "payl":
					if !utf8.Valid(p) {
						return false
					}
					parts = append(parts, string(p))
				}
				return true
			})
		case "vtta":
			if !utf8.Valid(payload) {
				return false
			}
			parts = append(parts, string(payload))
		}
		return true
	})
	if !ok {
		return "", false
	}
	return strings.Join(parts, "\n"), true
}

// walkBoxes calls fn with the type and payload of each box of b (32-bit
// sizes only: a cue is small), and reports whether b was boxes from end
// to end and fn returned true for each.
func walkBoxes(b []byte, fn func(typ string, payload []byte) bool) bool {
	for len(b) > 0 {
		if len(b) < 8 {
			return false
		}
		n := binary.BigEndian.Uint32(b)
		if n < 8 || uint64(n) > uint64(len(b)) {
			return false
		}
		if !fn(string(b[4:8]), b[8:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}
