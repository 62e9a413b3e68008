// Package jpegapp reads the JPEG application segments (APPn, T.81 B.2.4.6)
// whose payload is a small fixed form rather than a metadata format of its
// own, and rebuilds those that affect display from their defined fields:
//
//   - JFIF APP0 (JFIF 1.02, "JPEG Marker APP0"): version, units and
//     densities, then an optional RGB thumbnail (JFIF);
//   - Adobe APP14 (Adobe TN 5116 §18, "Adobe Application-Specific JPEG
//     Marker"): version, two flag words and the colour transform (Adobe);
//   - APP12 "Ducky" records, which Photoshop's Save for Web writes, and
//     the "[picture info]" Key=Value text of Olympus, Agfa and Sony
//     cameras (Ducky, PictureInfo). Neither has a published
//     specification; the forms are those ExifTool's APP12 tables read;
//   - the printable identifier that starts most other APPn payloads
//     (Signature).
//
// Every function takes a payload (after the marker and length) and returns
// plain values: rebuilt payloads are new slices, and the bytes after the
// defined fields are returned for the caller to judge. Nothing panics or
// allocates beyond the payload's size. The package does not classify what
// the segments hold, or read EXIF, XMP, ICC, MPF or Photoshop segments
// (internal/tiff, internal/xmp, internal/icc, internal/mpf and
// internal/iptc do).
package jpegapp

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// Signatures at the start of the payloads.
const (
	JFIFSignature  = "JFIF\x00"
	JFXXSignature  = "JFXX\x00" // JFIF 1.02 extension APP0: a thumbnail
	AdobeSignature = "Adobe"
	duckySignature = "Ducky"
	pictureInfo    = "[picture info]"
)

const (
	// jfifSize is the JFIF APP0 payload without a thumbnail: "JFIF\0",
	// version, units, X and Y density, thumbnail width and height.
	jfifSize = 14
	// adobeSize is the Adobe APP14 payload libjpeg reads (jdmarker.c
	// APP14_DATA_LEN): "Adobe", version, flags0, flags1 and transform.
	adobeSize = 12
)

// JFIF rebuilds a JFIF APP0 payload p from the fields that affect display,
// with no thumbnail and nothing after. It returns the thumbnail's width and
// height in pixels and what follows the thumbnail's 3 × width × height
// bytes of RGB (as much of them as p holds); ok is false when p is not a
// JFIF payload or is too short for its fields.
func JFIF(p []byte) (clean []byte, thumbW, thumbH int, extra []byte, ok bool) {
	if !bytes.HasPrefix(p, []byte(JFIFSignature)) || len(p) < jfifSize {
		return nil, 0, 0, nil, false
	}
	w, h := int(p[12]), int(p[13])
	rest := len(p) - jfifSize
	if w*h > 0 {
		rest -= min(rest, 3*w*h)
	}
	clean = append([]byte(nil), p[:jfifSize]...)
	clean[12], clean[13] = 0, 0
	return clean, w, h, p[len(p)-rest:], true
}

// Adobe returns the fields of an Adobe APP14 payload p that libjpeg reads,
// whose transform flag changes how colours decode, and what follows them;
// ok is false when p is not an Adobe payload or is too short for them.
func Adobe(p []byte) (clean, extra []byte, ok bool) {
	if !bytes.HasPrefix(p, []byte(AdobeSignature)) || len(p) < adobeSize {
		return nil, nil, false
	}
	return p[:adobeSize:adobeSize], p[adobeSize:], true
}

// The Ducky record tags that hold text.
const (
	DuckyComment   = 2
	DuckyCopyright = 3
)

// A DuckyText is the text of a Ducky record: DuckyComment or
// DuckyCopyright.
type DuckyText struct {
	Tag  uint16
	Text string
}

// Ducky returns the text records of an APP12 "Ducky" payload p, in order;
// ok is false when p is not one. After "Ducky", each record is a tag and a
// length (uint16 each, big-endian) and that many bytes; tag 0 ends them. A
// text record holds a 4-byte character count, then big-endian UTF-16.
func Ducky(p []byte) (texts []DuckyText, ok bool) {
	if !bytes.HasPrefix(p, []byte(duckySignature)) {
		return nil, false
	}
	for b := p[len(duckySignature):]; len(b) >= 4; {
		tag, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if tag == 0 || 4+n > len(b) {
			break
		}
		data := b[4 : 4+n]
		b = b[4+n:]
		if (tag == DuckyComment || tag == DuckyCopyright) && n > 4 {
			texts = append(texts, DuckyText{tag, utf16BE(data[4:])})
		}
	}
	return texts, true
}

// utf16BE decodes big-endian UTF-16 text.
func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, binary.BigEndian.Uint16(b[i:]))
	}
	return string(utf16.Decode(u))
}

// A Field is a Key=Value line of "[picture info]" text.
type Field struct{ Key, Value string }

// PictureInfo returns the Key=Value lines of the "[picture info]" text in
// the APP12 payload p: from that heading on, lines end at CR, LF or NUL,
// and a line without '=' or with an empty key is skipped. It returns nil
// when p holds no such text.
func PictureInfo(p []byte) []Field {
	i := bytes.Index(p, []byte(pictureInfo))
	if i < 0 {
		return nil
	}
	var fields []Field
	for _, line := range strings.FieldsFunc(string(p[i:]), func(r rune) bool { return r == '\r' || r == '\n' || r == 0 }) {
		key, value, ok := strings.Cut(line, "=")
		if !ok || key == "" {
			continue
		}
		fields = append(fields, Field{key, value})
	}
	return fields
}

// Signature returns the printable identifier that starts most APPn
// payloads, such as "FPXR" or "HPQC": up to 32 printable ASCII bytes, or
// "(unnamed)".
func Signature(p []byte) string {
	n := 0
	for n < len(p) && n < 32 && p[n] >= 0x20 && p[n] < 0x7f {
		n++
	}
	if n == 0 {
		return "(unnamed)"
	}
	return string(p[:n])
}
