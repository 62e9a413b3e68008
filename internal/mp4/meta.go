package mp4

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"

	"github.com/exifscrub/exifscrub/internal/bmff"
	"github.com/exifscrub/exifscrub/internal/text"
)

// QuickTime and 3GPP metadata values, decoded into text and numbers and
// written anew: the 'keys' of QuickTime metadata (QTFF "Metadata Item
// Keys Atom"), the value of a 'data' atom (QTFF "Value Atom", of the types
// of "Well-Known Types"), the text of a user data atom, a 3GPP location.
// What a value means, and whether it stays, is the caller's.

// BoxLoci is the 3GPP location box (TS 26.244 §8.15).
var BoxLoci = bmff.FourCC{'l', 'o', 'c', 'i'}

// ParseKeys reads a 'keys' box (QTFF "Metadata Item Keys Atom"): a
// FullBox, a count, and entries of a size, a namespace and a key name. It
// returns the keys read before the first entry that does not fit.
func ParseKeys(bx bmff.Box) []string {
	c := bmff.NewCursor(bx)
	c.FullBox()
	n := c.U32()
	var keys []string
	for i := uint32(0); i < n && c.Err() == nil && c.Left() >= 8; i++ {
		size := c.U32()
		c.FourCC() // namespace, usually 'mdta'
		if size < 8 || uint64(size-8) > uint64(c.Left()) {
			break
		}
		keys = append(keys, string(c.Take(int(size-8))))
	}
	return keys
}

// WriteKeys writes a 'keys' box with keys, each in namespace 'mdta'.
func WriteKeys(w *bmff.Writer, keys []string) {
	w.StartFull(bmff.FourCC{'k', 'e', 'y', 's'}, 0, 0)
	w.U32(uint32(len(keys)))
	for _, k := range keys {
		w.U32(uint32(8 + len(k)))
		w.Append([]byte("mdta"))
		w.Append([]byte(k))
	}
	w.End()
}

// UserDataText decodes the value of a user data atom: a QuickTime text
// atom (QTFF "User Data Text Strings": 16-bit size, 16-bit language,
// text, repeated), a 3GPP string box (a FullBox, a language and a
// NUL-terminated string), an iTunes-style 'data' atom, or plain text
// (text.Readable, up to a NUL). It returns false for anything else.
func UserDataText(p []byte) (string, bool) {
	if len(p) >= 16 && string(p[4:8]) == "data" {
		if n := binary.BigEndian.Uint32(p); n >= 16 && uint64(n) <= uint64(len(p)) {
			return DataValue(p[8:n])
		}
	}
	if len(p) >= 4 {
		n := int(binary.BigEndian.Uint16(p))
		if n > 0 && 4+n <= len(p) && text.Readable(p[4:4+n]) {
			return string(p[4 : 4+n]), true
		}
	}
	if len(p) >= 7 && p[0] == 0 && text.Readable(p[6:]) { // 3GPP: version 0, flags, language
		return text.CString(p[6:]), true
	}
	if text.Readable(p) {
		return text.CString(p), true
	}
	return "", false
}

// DataValue decodes the payload of a 'data' atom (QTFF "Value Atom"): a
// type indicator, a locale and the value, per QTFF "Well-Known Types":
// text, a number in decimal, or what an image or other bytes are, as
// "(JPEG image, 100 bytes)". It returns false for a payload shorter than
// the type and locale.
func DataValue(p []byte) (string, bool) {
	if len(p) < 8 {
		return "", false
	}
	typ := binary.BigEndian.Uint32(p) & 0xffffff
	v := p[8:]
	switch typ {
	case 1, 4: // UTF-8
		return string(v), true
	case 2, 5: // UTF-16 big-endian
		return utf16BE(v), true
	case 13, 14, 27: // JPEG, PNG, BMP
		return fmt.Sprintf("(%s image, %d bytes)", map[uint32]string{13: "JPEG", 14: "PNG", 27: "BMP"}[typ], len(v)), true
	case 21, 22, 65, 66, 67, 74, 75, 76, 77, 78: // integers
		if len(v) == 0 || len(v) > 8 {
			break
		}
		var u uint64
		for _, c := range v {
			u = u<<8 | uint64(c)
		}
		if typ == 21 || typ == 65 || typ == 66 || typ == 67 || typ == 74 {
			shift := 64 - 8*uint(len(v))
			return strconv.FormatInt(int64(u<<shift)>>shift, 10), true
		}
		return strconv.FormatUint(u, 10), true
	case 23: // float32
		if len(v) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(v))), 'g', -1, 32), true
		}
	case 24: // float64
		if len(v) == 8 {
			return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(v)), 'g', -1, 64), true
		}
	}
	if text.Readable(v) {
		return text.CString(v), true
	}
	return fmt.Sprintf("(%d bytes)", len(v)), true
}

// utf16BE decodes big-endian UTF-16; an odd last byte is ignored.
func utf16BE(v []byte) string {
	u := make([]uint16, len(v)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(v[2*i:])
	}
	return string(utf16.Decode(u))
}

// DataKept returns a 'data' value of type typ as it can be written again,
// with its type, and whether it can: text (QTFF "Well-Known Types" 1 and
// 4 as UTF-8, 2 and 5 as UTF-16, rewritten as UTF-8) up to any NUL, if it
// is text.Readable, or a number of a size its type defines.
func DataKept(typ uint32, v []byte) (uint32, []byte, bool) {
	switch typ {
	case 1, 4:
		v, ok := plain(v)
		return typ, v, ok
	case 2, 5:
		s, ok := plain([]byte(utf16BE(v)))
		return typ - 1, s, ok
	case 21, 22, 65, 66, 67, 74, 75, 76, 77, 78:
		return typ, v, len(v) >= 1 && len(v) <= 8
	case 23:
		return typ, v, len(v) == 4
	case 24:
		return typ, v, len(v) == 8
	}
	return typ, nil, false
}

// plain returns b up to its first NUL, and whether that is text.
func plain(b []byte) ([]byte, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return b, text.Readable(b)
}

// A Loci is a 3GPP location (TS 26.244 §8.15, 'loci').
type Loci struct {
	Lang          uint16 // a packed ISO 639-2/T code, without the pad bit
	Name          string
	Role          uint8 // 0 shooting, 1 real, 2 fictional location; others reserved
	Lon, Lat, Alt int32 // 16.16 fixed-point degrees and metres
	Body, Notes   string
}

// ParseLoci reads a 'loci' box: a FullBox; a pad bit and a language; the
// place name; the role; longitude, latitude and altitude; the
// astronomical body; additional notes. The strings end at a NUL or at the
// end of the box.
func ParseLoci(bx bmff.Box) (Loci, error) {
	var l Loci
	c := bmff.NewCursor(bx)
	c.FullBox()
	l.Lang = c.U16() & 0x7fff
	l.Name = c.UTF8String()
	l.Role = c.U8()
	l.Lon, l.Lat, l.Alt = int32(c.U32()), int32(c.U32()), int32(c.U32())
	l.Body, l.Notes = c.UTF8String(), c.UTF8String()
	return l, c.Err()
}

// WriteLoci writes l as a 'loci' box of version 0, flags 0, its strings
// NUL-terminated.
func WriteLoci(w *bmff.Writer, l Loci) {
	w.StartFull(BoxLoci, 0, 0)
	w.U16(l.Lang)
	w.Append(append([]byte(l.Name), 0))
	w.U8(l.Role)
	for _, v := range []int32{l.Lon, l.Lat, l.Alt} {
		w.U32(uint32(v))
	}
	w.Append(append([]byte(l.Body), 0))
	w.Append(append([]byte(l.Notes), 0))
	w.End()
}
