package exifscrub

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/exifscrub/exifscrub/internal/date"
	"github.com/exifscrub/exifscrub/internal/text"
	"github.com/exifscrub/exifscrub/internal/xmp"
)

// What a kept video value may hold (issue 20): each kept key and atom is
// named by a table (movAtoms for 'udta' atoms and iTunes items,
// movKeyCategories and quickTimeKeys for the keys of 'mdta' metadata:
// never a name the tables do not list, such as "author_gps"), and its
// value is checked by its kind and written anew.

// A movKind is what the value of a kept key is.
type movKind uint8

const (
	movText     movKind = iota // printable text
	movDate                    // an ISO 8601 date (isoDate), as '©day' and creationdate hold
	movPosition                // an ISO 6709 position, rewritten by keepPosition
	movNumber                  // a number: decimal text, or a number 'data' atom
	movTimecode                // a SMPTE timecode, "HH:MM:SS:FF" ('©TIM')
)

// movKeyKind returns the kind of a kept key's value: its key names a
// position, a number, or a time (every Time key is a date: '©day',
// com.apple.quicktime.creationdate, location.date…), else it is text.
func movKeyKind(key string, cat Category) movKind {
	switch key {
	case "com.apple.quicktime.location.ISO6709", "\xa9xyz", "GPSCoordinates":
		return movPosition
	case "com.apple.quicktime.location.accuracy.horizontal", "com.apple.quicktime.location.role":
		return movNumber
	case "StartTimecode":
		return movTimecode
	}
	if cat == Time {
		return movDate
	}
	return movText
}

// movTableKey returns the category of a key of 'mdta' metadata that a
// table lists, exactly as it is spelled (reverse-DNS keys are
// case-sensitive): only such a key is kept.
func movTableKey(key string) (Category, bool) {
	if c, ok := movKeyCategories[key]; ok {
		return c, true
	}
	c, ok := quickTimeKeys.names[key]
	return c, ok
}

// movTextValue checks a kept text value of the given kind and returns it
// written anew: a date from its fields, a number in its shortest form,
// text as it is if it is printable. A position is keepPosition's.
func movTextValue(kind movKind, s string) (string, bool) {
	switch kind {
	case movDate:
		d, ok := date.ParseISO(s, date.BasicZones)
		return d.String(), ok
	case movNumber:
		return xmp.RealValue(s)
	case movTimecode:
		return timecodeValue(s)
	}
	return s, text.NoControls(s)
}

// timecodeValue checks a SMPTE timecode (SMPTE ST 12-1), "HH:MM:SS:FF",
// or "HH:MM:SS;FF" for drop-frame counting: hours below 24, minutes and
// seconds below 60, two digits of frames below 60. It is written anew
// from its numbers.
func timecodeValue(s string) (string, bool) {
	if len(s) != 11 || s[2] != ':' || s[5] != ':' || s[8] != ':' && s[8] != ';' {
		return "", false
	}
	out := ""
	for i, limit := range []int{24, 60, 60, 60} {
		f := s[3*i : 3*i+2]
		if !isDigit(f[0]) || !isDigit(f[1]) || int(f[0]-'0')*10+int(f[1]-'0') >= limit {
			return "", false
		}
		v := int(f[0]-'0')*10 + int(f[1]-'0')
		if i > 0 {
			out += s[3*i-1 : 3*i]
		}
		out += date.Pad(v, 2)
	}
	return out, true
}

// movNumberValue checks a number 'data' atom (QTFF "Well-Known Types":
// signed and unsigned integers of 1 to 8 bytes, float32, float64) and
// returns its bytes: an integer's bytes are its value; a float is read
// and written again, and a NaN or an infinity, whose bits could hold
// anything, is not kept.
func movNumberValue(typ uint32, v []byte) ([]byte, bool) {
	switch typ {
	case 23:
		f := math.Float32frombits(binary.BigEndian.Uint32(v))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil, false
		}
		return binary.BigEndian.AppendUint32(nil, math.Float32bits(f)), true
	case 24:
		f := math.Float64frombits(binary.BigEndian.Uint64(v))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), true
	}
	return v, true
}

// formatISO6709 writes a position in the ISO 6709 form QuickTime and
// 3GPP use (ISO 6709:2008 Annex H, decimal degrees): "±DD.D…±DDD.D…",
// an altitude in metres "±A.AAA" if hasAlt, and the closing "/", with
// decimals digits after the point.
func formatISO6709(lat, lon float64, decimals int, alt float64, hasAlt bool) string {
	width := 3
	if decimals > 0 {
		width += 1 + decimals
	}
	s := fmt.Sprintf("%+0*.*f%+0*.*f", width, decimals, lat, width+1, decimals, lon)
	if hasAlt {
		s += fmt.Sprintf("%+.3f", alt)
	}
	return s + "/"
}

// validQuickTimeLanguage reports whether a QuickTime text atom's language
// code is one (QTFF "Language Code Values"): a Macintosh language code
// (below 0x400), the unspecified code 0x7fff, or an ISO 639-2/T code
// packed as three 5-bit letters (validPackedLanguage).
func validQuickTimeLanguage(lang uint16) bool {
	return lang < 0x400 || lang == 0x7fff || validPackedLanguage(lang)
}

// validPackedLanguage reports whether the 15 low bits of lang are three
// letters a–z, each less 0x60 (ISO/IEC 14496-12 §8.4.2.3, 'mdhd'; 3GPP
// TS 26.244's asset boxes use the same packing), with the pad bit clear;
// or 0, which writers such as FFmpeg write for no language.
func validPackedLanguage(lang uint16) bool {
	if lang == 0 {
		return true
	}
	if lang&0x8000 != 0 {
		return false
	}
	for shift := 10; shift >= 0; shift -= 5 {
		if c := lang >> shift & 0x1f; c < 1 || c > 26 {
			return false
		}
	}
	return true
}
