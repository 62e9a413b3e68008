package nal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// sei builds an SEI NAL unit: the header, then messages of the given
// payload types and payloads, rbsp_trailing_bits, escaped.
func sei(hdr []byte, msgs ...any) []byte {
	var body []byte
	for i := 0; i < len(msgs); i += 2 {
		typ, payload := msgs[i].(int), msgs[i+1].([]byte)
		for _, v := range []int{typ, len(payload)} {
			for ; v >= 255; v -= 255 {
				body = append(body, 0xff)
			}
			body = append(body, byte(v))
		}
		body = append(body, payload...)
	}
	return append(append([]byte(nil), hdr...), EscapeRBSP(append(body, 0x80))...)
}

// units prefixes each NAL unit with its length in lenSize bytes.
func units(lenSize int, nals ...[]byte) []byte {
	var b []byte
	for _, n := range nals {
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(n)))
		b = append(append(b, l[8-lenSize:]...), n...)
	}
	return b
}

var (
	hevcSEI    = []byte{39 << 1, 1} // prefix SEI
	hevcVPS    = []byte{32 << 1, 1, 0x0c, 0x01, 0xff, 0xff}
	hevcSPS    = []byte{33 << 1, 1, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00}
	hevcPPS    = []byte{34 << 1, 1, 0xc1, 0x72, 0xb0}
	hevcSlice  = []byte{19 << 1, 1, 0xaf, 0x00, 0x00, 0x03, 0x01, 0x42}
	hevcFiller = []byte{38 << 1, 1, 0xff, 0xff, 0x80}
	mastering  = bytes.Repeat([]byte{0x11}, 24) // type 137
	lightLevel = []byte{0x03, 0xe8, 0x01, 0x90} // type 144
	userData   = append(make([]byte, 16), "PLANTED"...)
)

// TestFilterSEI checks the SEI filter on its own: HDR messages stay byte
// for byte, user data goes, emulation prevention survives the rewrite.
func TestFilterSEI(t *testing.T) {
	hdr := sei(hevcSEI, 137, mastering, 144, lightLevel)
	tests := []struct {
		name    string
		nal     []byte
		want    []byte
		removed Removed
	}{
		{"HDR only", hdr, hdr, nil},
		{"user data only", sei(hevcSEI, 5, make([]byte, 20)), nil, Removed{"UserDataUnregistered": {1, 20}}},
		{"both", append(append([]byte(nil), hdr[:len(hdr)-1]...), EscapeRBSP([]byte{5, 3, 0, 0, 0, 0x80})...), hdr,
			Removed{"UserDataUnregistered": {1, 3}}},
		{"registered and others", sei(hevcSEI, 4, []byte{0xb5, 0, 0x3c}, 137, mastering, 300, []byte{1}, 1, []byte{}), sei(hevcSEI, 137, mastering),
			Removed{"UserDataRegistered": {1, 3}, "SEI300": {1, 1}, "SEI1": {1, 0}}},
		{"HDR of the wrong size", sei(hevcSEI, 144, []byte{1, 2, 3}), nil, Removed{"SEI144": {1, 3}}},
		{"truncated", []byte{39 << 1, 1, 5, 200, 1, 2}, nil, Removed{"SEI": {1, 6}}},
		{"empty", []byte{39 << 1, 1}, []byte{39 << 1, 1}, nil},
		{"shorter than its header", []byte{39 << 1}, nil, Removed{"SEI": {1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, removed := HEVC.FilterSEI(tt.nal)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got % x, want % x", got, tt.want)
			}
			if !reflect.DeepEqual(removed, tt.removed) {
				t.Errorf("removed %v, want %v", removed, tt.removed)
			}
		})
	}
}

// TestFilterSEIUnescaped records what happens to an SEI NAL unit that
// lacks the emulation prevention bytes H.265 §7.4.2 requires: the kept
// messages are escaped as they are written, so the unit can come out
// longer than it went in. (Filter writes the new length in the unit's
// length field; with 1- or 2-byte fields a unit at the field's limit would
// overflow it. This is how the code behaved before it became a package.)
func TestFilterSEIUnescaped(t *testing.T) {
	in := append([]byte{39 << 1, 1, 5, 0, 148, 8}, 0, 0, 0, 0, 0, 0, 0, 0, 0x80)
	want := []byte{39 << 1, 1, 148, 8, 0, 0, 3, 0, 0, 3, 0, 0, 3, 0, 0, 0x80}
	if got, _ := HEVC.FilterSEI(in); !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
}

func TestEscapeRBSP(t *testing.T) {
	for _, tt := range []struct{ raw, escaped []byte }{
		{[]byte{0, 0, 0}, []byte{0, 0, 3, 0}},
		{[]byte{0, 0, 1, 0, 0, 2, 0, 0, 3}, []byte{0, 0, 3, 1, 0, 0, 3, 2, 0, 0, 3, 3}},
		{[]byte{1, 0, 0, 0, 0}, []byte{1, 0, 0, 3, 0, 0}},
		{[]byte{0, 0, 4, 0, 0}, []byte{0, 0, 4, 0, 0}},
	} {
		if got := EscapeRBSP(tt.raw); !bytes.Equal(got, tt.escaped) {
			t.Errorf("EscapeRBSP(% x) = % x, want % x", tt.raw, got, tt.escaped)
		}
		if got := UnescapeRBSP(tt.escaped); !bytes.Equal(got, tt.raw) {
			t.Errorf("UnescapeRBSP(% x) = % x, want % x", tt.escaped, got, tt.raw)
		}
	}
}

func TestFilter(t *testing.T) {
	userSEI := sei(hevcSEI, 5, userData)
	hdrSEI := sei(hevcSEI, 137, mastering)
	avcSEI := sei([]byte{6}, 5, userData, 144, lightLevel)
	vvcSEI := sei([]byte{0, 23 << 3}, 5, userData)
	tests := []struct {
		name    string
		codec   Codec
		lenSize int
		in      []byte
		want    []byte
		removed Removed
		errAt   int // -1: no error
	}{
		{"HEVC kept", HEVC, 4, units(4, hevcVPS, hevcSPS, hevcPPS, hdrSEI, hevcSlice), units(4, hevcVPS, hevcSPS, hevcPPS, hdrSEI, hevcSlice), nil, -1},
		{"HEVC user data, filler, reserved", HEVC, 4, units(4, hevcVPS, userSEI, hevcSlice, hevcFiller, []byte{45 << 1, 1, 9}, []byte{60 << 1, 1}),
			units(4, hevcVPS, hevcSlice),
			Removed{"UserDataUnregistered": {1, len(userData)}, "NALUnit38": {1, 5}, "NALUnit45": {1, 3}, "NALUnit60": {1, 2}}, -1},
		{"HEVC 2-byte lengths", HEVC, 2, units(2, hevcSPS, sei(hevcSEI, 5, userData, 144, lightLevel)), units(2, hevcSPS, sei(hevcSEI, 144, lightLevel)),
			Removed{"UserDataUnregistered": {1, len(userData)}}, -1},
		{"AVC", AVC, 4, units(4, []byte{7, 0x64}, []byte{8, 0xee}, avcSEI, []byte{12, 0xff, 0x80}, []byte{5, 0x88}),
			units(4, []byte{7, 0x64}, []byte{8, 0xee}, sei([]byte{6}, 144, lightLevel), []byte{5, 0x88}),
			Removed{"UserDataUnregistered": {1, len(userData)}, "NALUnit12": {1, 3}}, -1},
		{"VVC", VVC, 1, units(1, []byte{0, 15 << 3, 1}, vvcSEI, []byte{0, 25 << 3}, []byte{0, 8 << 3, 7}),
			units(1, []byte{0, 15 << 3, 1}, []byte{0, 8 << 3, 7}),
			Removed{"UserDataUnregistered": {1, len(userData)}, "NALUnit25": {1, 2}}, -1},
		{"empty", HEVC, 4, nil, nil, nil, -1},
		{"length truncated", HEVC, 4, append(units(4, hevcVPS), 0, 0), nil, nil, 10},
		{"unit past the end", HEVC, 4, append(units(4, hevcVPS), 0, 0, 0, 9, 1), nil, nil, 10},
		{"unit shorter than its header", HEVC, 4, append(units(4, hevcVPS), 0, 0, 0, 1, 0x40), nil, nil, 10},
		{"bad length size", HEVC, 0, units(4, hevcVPS), nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, removed, err := tt.codec.Filter(tt.in, tt.lenSize)
			var e *Error
			switch {
			case tt.errAt < 0 && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.errAt >= 0 && (!errors.As(err, &e) || e.Offset != tt.errAt):
				t.Fatalf("got error %#v, want an *Error at offset %d", err, tt.errAt)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
			if !reflect.DeepEqual(removed, tt.removed) {
				t.Errorf("removed %v, want %v", removed, tt.removed)
			}
			if err == nil && removed == nil && len(tt.in) > 0 && &got[0] != &tt.in[0] {
				t.Error("data without removals was copied, not returned as it is")
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		codec   Codec
		lenSize int
		in      []byte
		want    string
	}{
		{HEVC, 4, []byte{0, 0}, "HEVC data: 2 bytes left for a 4-byte NAL unit length"},
		{AVC, 4, []byte{0, 0, 0, 5, 1}, "AVC data: NAL unit of 5 bytes at 0 of 5"},
		{VVC, 2, []byte{0, 2, 0, 8 << 3, 0, 1, 0}, "VVC data: NAL unit of 1 bytes at 4 of 7"},
	} {
		if _, _, err := tt.codec.Filter(tt.in, tt.lenSize); err == nil || err.Error() != tt.want {
			t.Errorf("% x: got error %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestCodecTypes(t *testing.T) {
	for _, tt := range []struct {
		codec         Codec
		unit          []byte
		typ           int
		sei, inConfig bool
	}{
		{HEVC, hevcVPS, 32, false, true},
		{HEVC, hevcSEI, 39, true, true},
		{HEVC, []byte{40 << 1, 1}, 40, true, false}, // suffix SEI
		{HEVC, hevcSlice, 19, false, false},
		{AVC, []byte{0x67}, 7, false, true}, // nal_ref_idc 3, SPS
		{AVC, []byte{0x06}, 6, true, false},
		{VVC, []byte{0, 16 << 3}, 16, false, true},
		{VVC, []byte{0, 24 << 3}, 24, true, false},
	} {
		typ := tt.codec.Type(tt.unit)
		if typ != tt.typ || tt.codec.IsSEI(typ) != tt.sei || tt.codec.InConfig(typ) != tt.inConfig {
			t.Errorf("%s % x: got type %d, SEI %v, in config %v; want %d, %v, %v", tt.codec.Name, tt.unit,
				typ, tt.codec.IsSEI(typ), tt.codec.InConfig(typ), tt.typ, tt.sei, tt.inConfig)
		}
	}
}

// FuzzFilter filters NAL units of one of the codecs, with 1-, 2- or 4-byte
// lengths, and checks that it never panics, that an error is at an offset
// inside the data, that filtering the output again changes nothing, that
// the units kept whole (parameter sets, slices) come out byte for byte and
// in order, and that the output is never longer than the input when the
// input's SEI units have the emulation prevention bytes H.265 §7.4.2
// requires. (An SEI unit without them can come out longer, as
// TestFilterSEIUnescaped shows.) The committed corpus holds the parameter
// sets and the start of a slice of real HEIF files; the seeds below add
// what they lack (SEI, filler, the other codecs).
func FuzzFilter(f *testing.F) {
	f.Add(units(4, hevcVPS, sei(hevcSEI, 5, userData, 137, mastering), hevcSlice, hevcFiller), byte(0), byte(4))
	f.Add(units(2, hevcSPS, sei(hevcSEI, 4, userData), sei([]byte{40 << 1, 1}, 144, lightLevel)), byte(0), byte(2))
	f.Add(units(4, []byte{7, 0x64}, sei([]byte{6}, 5, userData), []byte{12, 0xff}, []byte{5, 0x88}), byte(1), byte(4))
	f.Add(units(1, []byte{0, 15 << 3}, sei([]byte{0, 23 << 3}, 5, userData), []byte{0, 25 << 3}), byte(2), byte(1))
	f.Fuzz(func(t *testing.T, data []byte, codecSel, lenSel byte) {
		codec := []Codec{HEVC, AVC, VVC}[codecSel%3]
		lenSize := []int{1, 2, 4}[lenSel%3]
		out, _, err := codec.Filter(data, lenSize)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(data) {
				t.Fatalf("error %v is not an *Error at an offset inside the %d bytes", err, len(data))
			}
			return
		}
		again, removed, err := codec.Filter(out, lenSize)
		if err != nil || removed != nil || !bytes.Equal(again, out) {
			t.Fatalf("filtering the output again: %v, removed %v", err, removed)
		}
		// The units neither SEI nor dropped, in order, in both, and
		// whether every SEI unit is escaped.
		whole := func(b []byte) (kept [][]byte, escaped bool) {
			escaped = true
			for pos := 0; pos < len(b); {
				var n int
				for _, x := range b[pos : pos+lenSize] {
					n = n<<8 | int(x)
				}
				u := b[pos+lenSize : pos+lenSize+n]
				pos += lenSize + n
				switch t := codec.Type(u); {
				case codec.sei(t):
					rbsp := u[codec.HeaderLen:]
					escaped = escaped && bytes.Equal(EscapeRBSP(UnescapeRBSP(rbsp)), rbsp)
				case !codec.drop(t):
					kept = append(kept, u)
				}
			}
			return kept, escaped
		}
		in, escaped := whole(data)
		if got, _ := whole(out); !reflect.DeepEqual(in, got) {
			t.Fatalf("units kept whole changed: % x became % x", in, got)
		}
		if escaped && len(out) > len(data) {
			t.Fatalf("output of %d bytes is longer than the input's %d", len(out), len(data))
		}
	})
}
