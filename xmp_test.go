package exifscrub

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// encodeUTF16 and encodeUTF32 write s in the given byte order, after bom
// when it is set.
func encodeUTF16(s string, bo binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	if bom {
		b = bo.AppendUint16(b, 0xfeff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = bo.AppendUint16(b, u)
	}
	return b
}

func encodeUTF32(s string, bo binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	if bom {
		b = bo.AppendUint32(b, 0xfeff)
	}
	for _, r := range s {
		b = bo.AppendUint32(b, uint32(r))
	}
	return b
}

// gpsXMP is a packet with a position, a creator with a non-ASCII name and
// a comment, after the given XML declaration.
func gpsXMP(decl string) string {
	return decl + `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 exif:GPSLatitude="52,31.2N" exif:GPSLongitude="13,24.0W">
<dc:creator><rdf:Seq><rdf:li>Zoë Doe</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>`
}

// TestXMPEncodings checks that packets in every encoding XMP allows are
// read, and that what cannot be read fails check.
func TestXMPEncodings(t *testing.T) {
	const lat, lon, creator = "location XMP exif:GPSLatitude", "location XMP exif:GPSLongitude", "identity XMP dc:creator"
	values := map[string]string{lat: "52.520000", lon: "-13.400000", creator: "Zoë Doe"}
	utf8Packet := gpsXMP(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>`)
	latin1 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b
	}
	tests := []struct {
		name   string
		packet []byte
		want   []string
		values map[string]string
	}{
		{"UTF-8", []byte(utf8Packet), []string{lat, lon, creator}, values},
		{"UTF-8 with BOM", append([]byte{0xef, 0xbb, 0xbf}, utf8Packet...), []string{lat, lon, creator}, values},
		{"UTF-16BE with BOM", encodeUTF16(utf8Packet, binary.BigEndian, true), []string{lat, lon, creator}, values},
		{"UTF-16LE with BOM", encodeUTF16(utf8Packet, binary.LittleEndian, true), []string{lat, lon, creator}, values},
		{"UTF-16BE", encodeUTF16(gpsXMP(`<?xml version="1.0" encoding="UTF-16"?>`), binary.BigEndian, false), []string{lat, lon, creator}, values},
		{"UTF-16LE", encodeUTF16(gpsXMP(`<?xml version="1.0" encoding="UTF-16LE"?>`), binary.LittleEndian, false), []string{lat, lon, creator}, values},
		{"UTF-32BE with BOM", encodeUTF32(utf8Packet, binary.BigEndian, true), []string{lat, lon, creator}, values},
		{"UTF-32LE with BOM", encodeUTF32(utf8Packet, binary.LittleEndian, true), []string{lat, lon, creator}, values},
		{"UTF-32BE", encodeUTF32(gpsXMP(""), binary.BigEndian, false), []string{lat, lon, creator}, values},
		{"UTF-32LE", encodeUTF32(gpsXMP(""), binary.LittleEndian, false), []string{lat, lon, creator}, values},
		{"ISO-8859-1 declared", latin1(gpsXMP(`<?xml version="1.0" encoding="ISO-8859-1"?>`)), []string{lat, lon, creator}, values},
		{"Windows-1252 declared", latin1(gpsXMP(`<?xml version="1.0" encoding="windows-1252"?>`)), []string{lat, lon, creator}, values},
		{"ISO-8859-1 undeclared", latin1(gpsXMP("")), []string{lat, lon, creator}, values},
		{"unknown encoding declared", []byte(gpsXMP(`<?xml version="1.0" encoding="x-made-up"?>`)), []string{lat, lon, creator}, values},
		{"comment", []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- 52.52 N 13.4 W --></x:xmpmeta>`),
			[]string{"text XMP XMP:Comment"}, map[string]string{"text XMP XMP:Comment": "52.52 N 13.4 W"}},
		{"text outside properties", []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/">52.52 N</x:xmpmeta>`),
			[]string{"text XMP XMP:Text"}, nil},
		{"plain text", []byte("GPS 52.52 N 13.4 W"), []string{"text XMP XMP:Text"}, nil},
		{"not XML", []byte("<x:xmpmeta <GPS 52.52 N 13.4 W"), []string{"embedded XMP XMP"}, nil},
		{"broken after a property", []byte(gpsXMP("")[:300] + "<<<"), []string{"embedded XMP XMP"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := new(Report)
			parseXMP(rep, "XMP", tt.packet)
			checkFindings(t, rep, tt.want, tt.values)
			_, hasLat := findingKeys(rep)[lat]
			if la, lo, ok := rep.Location(); hasLat != ok || ok && (la != 52.52 || lo != -13.4) {
				t.Errorf("Location() = %v, %v, %v; want 52.52, -13.4 from XMP alone", la, lo, ok)
			}
			if !failsCheck(rep) {
				t.Errorf("check would pass %v", rep.Findings)
			}
		})
	}
}
