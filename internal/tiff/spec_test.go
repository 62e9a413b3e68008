package tiff

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

var be = binary.BigEndian

func rationals(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		be.PutUint32(b[4*i:], x)
	}
	return b
}

// TestRewrite checks the forms of kept values: what is kept, written how,
// with what is hidden after it counted, and what is refused.
func TestRewrite(t *testing.T) {
	tests := []struct {
		name       string
		kind       Kind
		tag, typ   uint16
		val        string
		wantTyp    uint16
		want       string // "" when refused
		wantHidden int
	}{
		{"Make", IFD0, 0x010f, TypeASCII, "Canon  \x00", TypeASCII, "Canon\x00", 0},
		{"Make, bytes after the NUL", IFD0, 0x010f, TypeASCII, "Canon\x00serial", TypeASCII, "Canon\x00", 6},
		{"Make in the Exif IFD", Exif, 0x010f, TypeASCII, "Canon\x00", TypeASCII, "Canon\x00", 0},
		{"Make, a control character", IFD0, 0x010f, TypeASCII, "Can\x01on\x00", 0, "", 0},
		{"ImageDescription, lines", IFD0, 0x010e, TypeASCII, "a\nb\x00", TypeASCII, "a\nb\x00", 0},
		{"Make, lines", IFD0, 0x010f, TypeASCII, "a\nb\x00", 0, "", 0},
		{"Copyright, editor only", IFD0, 0x8298, TypeASCII, "\x00Ed\x00", TypeASCII, " \x00Ed\x00", 0},
		{"Copyright, two parts", IFD0, 0x8298, TypeASCII, "Ph\x00Ed\x00x", TypeASCII, "Ph\x00Ed\x00", 1},
		{"DateTime, no NUL (Kodak)", IFD0, 0x0132, TypeASCII, "2024:06:01 21:14:03", TypeASCII, "2024:06:01 21:14:03\x00", 0},
		{"DateTime, blank", IFD0, 0x0132, TypeASCII, "    :  :     :  :  \x00", 0, "", 0},
		{"DateTime, zeros", IFD0, 0x0132, TypeASCII, "0000:00:00 00:00:00\x00", 0, "", 0},
		{"GPSDateStamp, UNDEFINED (Nokia)", GPS, 0x001d, TypeUndefined, "2024:06:01\x00", TypeASCII, "2024:06:01\x00", 0},
		{"SubSecTime", Exif, 0x9290, TypeASCII, "042\x00", TypeASCII, "042\x00", 0},
		{"OffsetTime", Exif, 0x9010, TypeASCII, "+02:00\x00", TypeASCII, "+02:00\x00", 0},
		{"OffsetTime, out of range", Exif, 0x9010, TypeASCII, "+15:00\x00", 0, "", 0},
		{"ImageUniqueID", Exif, 0xa420, TypeASCII, "0123456789abcdef0123456789ABCDEF\x00", TypeASCII, "0123456789abcdef0123456789ABCDEF\x00", 0},
		{"GPSLatitudeRef", GPS, 0x0001, TypeASCII, "N\x00", TypeASCII, "N\x00", 0},
		{"GPSLatitudeRef, E", GPS, 0x0001, TypeASCII, "E\x00", 0, "", 0},
		{"UserComment, ASCII", Exif, 0x9286, TypeUndefined, "ASCII\x00\x00\x00hi\x00x", TypeUndefined, "ASCII\x00\x00\x00hi", 1},
		{"UserComment, unknown code", Exif, 0x9286, TypeUndefined, "JIS\x00\x00\x00\x00\x00hi", 0, "", 0},
		{"UserComment, big-endian UNICODE", Exif, 0x9286, TypeUndefined, "UNICODE\x00\x00h\x00i", 0, "", 0},
		{"GPSProcessingMethod, ASCII field", GPS, 0x001b, TypeASCII, "GPS\x00", TypeUndefined, "ASCII\x00\x00\x00GPS", 0},
		{"XPTitle", IFD0, 0x9c9b, TypeByte, "h\x00i\x00\x00\x00", TypeByte, "h\x00i\x00\x00\x00", 0},
		{"XPTitle, odd length", IFD0, 0x9c9b, TypeByte, "h\x00i", 0, "", 0},
		{"GPSVersionID", GPS, 0x0000, TypeByte, "\x02\x03\x00\x00", TypeByte, "\x02\x03\x00\x00", 0},
		{"GPSVersionID 3", GPS, 0x0000, TypeByte, "\x03\x00\x00\x00", 0, "", 0},
		{"GPSAltitude", GPS, 0x0006, TypeRational, string(rationals(100, 1)), TypeRational, string(rationals(100, 1)), 0},
		{"GPSAltitude, no denominator", GPS, 0x0006, TypeRational, string(rationals(100, 0)), 0, "", 0},
		{"LensSpecification, unknown", Exif, 0xa432, TypeRational, string(rationals(0, 0, 0, 0, 0, 0, 0, 0)), TypeRational, string(rationals(0, 0, 0, 0, 0, 0, 0, 0)), 0},
		{"GPSTimeStamp", GPS, 0x0007, TypeRational, string(rationals(23, 1, 59, 1, 60, 1)), TypeRational, string(rationals(23, 1, 59, 1, 60, 1)), 0},
		{"GPSTimeStamp, 24h", GPS, 0x0007, TypeRational, string(rationals(24, 1, 0, 1, 0, 1)), 0, "", 0},
		{"GPSAltitudeRef 4", GPS, 0x0005, TypeByte, "\x04", 0, "", 0},
		{"GPSLatitude, SRATIONAL", GPS, 0x0002, TypeSRational, string(rationals(52, 1)), TypeSRational, string(rationals(52, 1)), 0},
		{"TimeZoneOffset", IFD0, 0x882a, TypeSShort, "\xff\xf4", TypeSShort, "\xff\xf4", 0},
		{"TimeZoneOffset -13", IFD0, 0x882a, TypeSShort, "\xff\xf3", 0, "", 0},
		{"GPSAltitude, wrong type", GPS, 0x0006, TypeShort, "\x00\x01", 0, "", 0},
	}
	for _, tt := range tests {
		s, ok := SpecOf(tt.kind, tt.tag)
		if !ok {
			t.Errorf("%s: no spec for %v %#04x", tt.name, tt.kind, tt.tag)
			continue
		}
		val := []byte(tt.val)
		count := uint32(len(val) / int(TypeSize(tt.typ)))
		typ, n, out, hidden, ok := Rewrite(be, s, tt.typ, count, val)
		if ok != (tt.want != "") || ok && (typ != tt.wantTyp || string(out) != tt.want || hidden != tt.wantHidden || uint64(len(out)) != TypeSize(typ)*uint64(n)) {
			t.Errorf("%s: Rewrite = %d, %d, %q, %d, %v; want %d, %q, %d", tt.name, typ, n, out, hidden, ok, tt.wantTyp, tt.want, tt.wantHidden)
		}
	}
	for _, k := range []struct {
		kind Kind
		tag  uint16
	}{{IFD1, 0x8769}, {Interop, 0x010f}, {GPS, 0x010f}, {Exif, 0x927c}} {
		if _, ok := SpecOf(k.kind, k.tag); ok {
			t.Errorf("SpecOf(%v, %#04x) has a spec", k.kind, k.tag)
		}
	}
}

func TestCoordinate(t *testing.T) {
	tests := []struct {
		typ  uint16
		val  []byte
		ref  string
		want float64
		ok   bool
	}{
		{TypeRational, rationals(52, 1, 30, 1, 0, 1), "N", 52.5, true},
		{TypeRational, rationals(52, 1, 30, 1, 0, 1), "S", -52.5, true},
		{TypeSRational, rationals(uint32(0xffffffcc), 1), "N", 52, true}, // -52, "N": north
		{TypeSRational, rationals(uint32(0xffffffcc), 1), "", -52, true},
		{TypeRational, rationals(1305, 10), "W", -130.5, true}, // one number: decimal degrees
		{TypeRational, rationals(52, 0), "N", 0, false},
		{TypeRational, rationals(181, 1), "E", 0, false},
		{TypeShort, []byte{0, 52}, "N", 0, false},
		{TypeRational, rationals(1, 1, 1, 1, 1, 1, 1, 1), "N", 0, false},
	}
	for _, tt := range tests {
		got, ok := Coordinate(be, tt.typ, tt.val, tt.ref)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Coordinate(%d, %x, %q) = %v, %v; want %v, %v", tt.typ, tt.val, tt.ref, got, ok, tt.want, tt.ok)
		}
	}
	for _, d := range []float64{0, 52.520008, 13.404954, 179.9999999, 90} {
		got, ok := Coordinate(be, TypeRational, DMS(be, d), "N")
		if !ok || math.Abs(got-d) > 3e-10 {
			t.Errorf("DMS(%v) reads back as %v, %v", d, got, ok)
		}
	}
}

func TestString(t *testing.T) {
	le := binary.LittleEndian
	tests := []struct {
		kind     Kind
		tag, typ uint16
		val      []byte
		want     string
	}{
		{GPS, TagGPSLatitude, TypeRational, rationals(52, 1, 30, 1, 0, 1), "-52.500000"}, // with latRef "S"
		{GPS, TagGPSLongitude, TypeRational, rationals(13, 0), "undefined"},
		{Exif, TagMakerNote, TypeUndefined, make([]byte, 40), "(40 bytes)"},
		{Exif, TagUserComment, TypeUndefined, []byte("UNICODE\x00h\x00i\x00"), "hi"},
		{Exif, TagUserComment, TypeUndefined, []byte("ASCII\x00\x00\x00 hi \x00"), "hi"},
		{GPS, TagGPSProcessingMethod, TypeUndefined, []byte("ASCII\x00\x00\x00GPS"), "GPS"},
		{IFD0, 0x9c9b, TypeByte, []byte("T\x00i\x00\x00\x00"), "Ti"},
		{IFD0, TagCopyright, TypeASCII, []byte("Ph \x00Ed\x00"), "Ph\nEd"},
		{Exif, 0x9000, TypeUndefined, []byte("0232"), "0232"},
		{Exif, 0xa302, TypeUndefined, []byte{2, 0, 2, 0, 1, 2}, "(6 bytes)"},
	}
	for _, tt := range tests {
		got := String(le, tt.kind, tt.tag, tt.typ, uint32(len(tt.val)/int(TypeSize(tt.typ))), tt.val, "S", "E")
		if tt.typ == TypeRational {
			got = String(be, tt.kind, tt.tag, tt.typ, uint32(len(tt.val)/8), tt.val, "S", "E")
		}
		if got != tt.want {
			t.Errorf("String(%v, %#04x, %x) = %q, want %q", tt.kind, tt.tag, tt.val, got, tt.want)
		}
	}
	if w, err := Read(Minimal(6)); err != nil || len(w.IFDs) != 1 || len(w.IFDs[0].Entries) != 1 || w.IFDs[0].Entries[0].Value[1] != 6 {
		t.Errorf("Minimal(6) reads as %+v, %v", w, err)
	}
}

// FuzzRewrite feeds values to the spec of every tag that has one. It
// never panics; a value kept is of its type and count, reads back as
// itself (Rewrite of it changes nothing and hides nothing), and prints
// as something.
//
// Seeds: the entries of the EXIF blocks of the JPEG samples in
// ../../testdata that have a spec.
func FuzzRewrite(f *testing.F) {
	for _, b := range sampleBlocks(f) {
		w, err := Read(b)
		if err != nil {
			continue
		}
		for _, d := range w.IFDs {
			for _, e := range d.Entries {
				if _, ok := SpecOf(d.Kind, e.Tag); ok && e.InBlock {
					f.Add(uint8(d.Kind), e.Tag, e.Type, bytes.Clone(e.Value), w.Order == binary.LittleEndian)
				}
			}
		}
	}
	f.Add(uint8(IFD0), uint16(0x8298), uint16(TypeASCII), []byte("\x00Ed\x00"), false)
	f.Fuzz(func(t *testing.T, kind uint8, tag, typ uint16, val []byte, little bool) {
		s, ok := SpecOf(Kind(kind), tag)
		if !ok || typ == 0 || typ > 12 || len(val) == 0 || len(val)%int(TypeSize(typ)) != 0 {
			return
		}
		var bo binary.ByteOrder = binary.BigEndian
		if little {
			bo = binary.LittleEndian
		}
		count := uint32(len(val) / int(TypeSize(typ)))
		typ2, count2, out, _, ok := Rewrite(bo, s, typ, count, val)
		if !ok {
			return
		}
		if count2 == 0 || uint64(len(out)) != TypeSize(typ2)*uint64(count2) {
			t.Fatalf("kept %d values of type %d in %d bytes", count2, typ2, len(out))
		}
		typ3, count3, again, hidden, ok := Rewrite(bo, s, typ2, count2, out)
		if !ok || typ3 != typ2 || count3 != count2 || !bytes.Equal(again, out) || hidden != 0 {
			t.Fatalf("%q kept as %q, which reads back as %q, %d hidden, %v", val, out, again, hidden, ok)
		}
		if String(bo, Kind(kind), tag, typ2, count2, out, "N", "E") == "" {
			t.Fatalf("%q kept as %q, which prints as nothing", val, out)
		}
	})
}
