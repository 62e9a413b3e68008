// Package icctest builds ICC profiles (ICC.1:2022 §7) for tests: valid
// profiles with a marker in every place a byte can hide, and the tags they
// are made of. It is used by the tests of internal/icc and of the formats
// that carry profiles; nothing else imports it.
package icctest

import (
	"encoding/binary"
	"unicode/utf16"
)

// HeaderSize is the size of a profile's header (§7.2).
const HeaderSize = 128

// S15 encodes an s15Fixed16Number (ICC.1:2022 §4.6).
func S15(f float64) uint32 { return uint32(int32(f * 65536)) }

// XYZTag returns an XYZType tag (§10.31) of one XYZNumber, then extra.
func XYZTag(x, y, z float64, extra string) []byte {
	b := []byte("XYZ \x00\x00\x00\x00")
	for _, v := range []float64{x, y, z} {
		b = binary.BigEndian.AppendUint32(b, S15(v))
	}
	return append(b, extra...)
}

// TextTag returns s as the text type of a profile of the given major
// version: multiLocalizedUnicodeType for v4, textDescriptionType with its
// Unicode and ScriptCode parts for v2 (ICC.1:2001-04 §6.5.17).
func TextTag(major byte, s string) []byte {
	if major >= 4 {
		return MLUCTag(s)
	}
	b := []byte("desc\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)+1))
	b = append(b, s...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, 0)
	u := utf16.Encode([]rune(s))
	b = binary.BigEndian.AppendUint32(b, uint32(len(u)+1))
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	b = append(b, 0, 0)
	b = append(b, 0, 0, 0)
	return append(b, make([]byte, 67)...)
}

// MLUCTag returns s as a multiLocalizedUnicodeType tag (§10.15) of two
// records, enUS and frFR, sharing the text.
func MLUCTag(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte("mluc\x00\x00\x00\x00")
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, 12)
	b = append(b, "enUS"...)
	b = binary.BigEndian.AppendUint32(b, uint32(2*len(u)))
	b = binary.BigEndian.AppendUint32(b, 40)
	b = append(b, "frFR"...)
	b = binary.BigEndian.AppendUint32(b, uint32(2*len(u)))
	b = binary.BigEndian.AppendUint32(b, 40)
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return b
}

// A Tag is a tag to assemble: its signature, such as "desc", and data.
type Tag struct {
	Sig  string
	Data []byte
}

// Assemble writes a profile from a header and tags, which share data
// when their bytes are equal; between tags it writes gap, and after the
// profile trailer.
func Assemble(hdr []byte, tags []Tag, gap, trailer string) []byte {
	b := append([]byte(nil), hdr[:HeaderSize]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(tags)))
	table := len(b)
	b = append(b, make([]byte, 12*len(tags))...)
	at := map[string][2]uint32{}
	for i, t := range tags {
		e := table + 12*i
		binary.BigEndian.PutUint32(b[e:], binary.BigEndian.Uint32([]byte(t.Sig)))
		if p, ok := at[string(t.Data)]; ok {
			binary.BigEndian.PutUint32(b[e+4:], p[0])
			binary.BigEndian.PutUint32(b[e+8:], p[1])
			continue
		}
		b = append(b, gap...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		p := [2]uint32{uint32(len(b)), uint32(len(t.Data))}
		at[string(t.Data)] = p
		binary.BigEndian.PutUint32(b[e+4:], p[0])
		binary.BigEndian.PutUint32(b[e+8:], p[1])
		b = append(b, t.Data...)
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return append(b, trailer...)
}

// Build builds a valid RGB display profile of the given major version
// with marker in every place a byte can hide: header fields, every text
// tag (ASCII, Unicode, mluc), a private tag, bytes after a tag's values,
// unreferenced bytes between tags, and reserved header bytes. Its tags,
// in order: desc cprt dmnd dmdd vued dscm wtpt rXYZ gXYZ bXYZ rTRC gTRC
// bTRC chad zzzz calt meas; the three TRC tags share their data.
func Build(major byte, marker string) []byte {
	hdr := make([]byte, HeaderSize)
	copy(hdr[4:], "mrk1")
	hdr[8], hdr[9] = major, 0x20
	copy(hdr[12:], "mntrRGB XYZ ")
	for i, v := range []uint16{2024, 5, 6, 7, 8, 9} {
		binary.BigEndian.PutUint16(hdr[24+2*i:], v)
	}
	copy(hdr[36:], "acspAPPL")
	hdr[47] = 1
	copy(hdr[48:], "mrkMmrkD")
	copy(hdr[56:], "attribs!")
	// The D50 illuminant as §7.2.16 gives it (libpng checks it exactly).
	binary.BigEndian.PutUint32(hdr[68:], 0xf6d6)
	binary.BigEndian.PutUint32(hdr[72:], 0x10000)
	binary.BigEndian.PutUint32(hdr[76:], 0xd32d)
	copy(hdr[80:], "mrkC")
	copy(hdr[84:], "0123456789abcdef")
	copy(hdr[100:], marker)

	curve := []byte("curv\x00\x00\x00\x00\x00\x00\x00\x01\x01\xcd") // gamma 1.8
	curve = append(curve, marker...)
	if major >= 4 {
		// parametricCurveType, function 0: gamma 2.4
		curve = []byte("para\x00\x00\x00\x00\x00\x00\x00\x00")
		curve = binary.BigEndian.AppendUint32(curve, S15(2.4))
		curve = append(curve, marker...)
	}
	chad := []byte("sf32\x00\x00\x00\x00")
	for i := 0; i < 9; i++ {
		v := 0.0
		if i%4 == 0 {
			v = 1
		}
		chad = binary.BigEndian.AppendUint32(chad, S15(v))
	}
	tags := []Tag{
		{"desc", TextTag(major, "Dell U2720Q "+marker)},
		{"cprt", []byte("text\x00\x00\x00\x00Copyright " + marker + "\x00")},
		{"dmnd", TextTag(major, "maker "+marker)},
		{"dmdd", TextTag(major, "model "+marker)},
		{"vued", TextTag(major, "view "+marker)},
		{"dscm", MLUCTag("localized " + marker)},
		{"wtpt", XYZTag(0.9642, 1, 0.8249, marker)},
		{"rXYZ", XYZTag(0.4361, 0.2225, 0.0139, "")},
		{"gXYZ", XYZTag(0.3851, 0.7169, 0.0971, "")},
		{"bXYZ", XYZTag(0.1431, 0.0606, 0.7141, "")},
		{"rTRC", curve},
		{"gTRC", curve},
		{"bTRC", curve},
		{"chad", chad},
		{"zzzz", []byte("text\x00\x00\x00\x00" + marker + "\x00")},
		{"calt", []byte("dtim\x00\x00\x00\x00\x07\xe8\x00\x05\x00\x06\x00\x07\x00\x08\x00\x09")},
		{"meas", append([]byte("meas"), make([]byte, 32)...)},
	}
	return Assemble(hdr, tags, marker, "")
}
