package av1

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// appendLEB128 appends v as an unsigned LEB128 number (AV1 §4.10.5).
func appendLEB128(b []byte, v uint64) []byte {
	for ; v >= 0x80; v >>= 7 {
		b = append(b, byte(v)|0x80)
	}
	return append(b, byte(v))
}

// obu builds an OBU with a size field.
func obu(typ byte, payload []byte) []byte {
	return append(appendLEB128([]byte{typ<<3 | 2}, uint64(len(payload))), payload...)
}

// metadata builds a metadata OBU of metadata type t, with trailing bits.
func metadata(t byte, payload []byte) []byte {
	return obu(OBUMetadata, append(append([]byte{t}, payload...), 0x80))
}

var (
	temporalDelimiter = obu(2, nil)
	sequenceHeader    = obu(OBUSequenceHeader, []byte{0x00, 0x00, 0x00, 0x0a, 0x0f, 0xf0})
	frame             = obu(6, []byte{0x10, 0x00, 0x01, 0x02, 0x03})
	lightLevel        = metadata(1, []byte{0x03, 0xe8, 0x01, 0x90})
	mastering         = metadata(2, bytes.Repeat([]byte{0x11}, 24))
	t35               = metadata(4, append([]byte{0xb5, 0, 0x3c}, "PLANTED"...))
)

func TestLEB128(t *testing.T) {
	for _, tt := range []struct {
		in []byte
		v  uint64
		n  int
		ok bool
	}{
		{[]byte{0}, 0, 1, true},
		{[]byte{0x7f, 0xff}, 127, 1, true},
		{[]byte{0x80, 0x01}, 128, 2, true},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 0xffffffff, 5, true},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x10}, 1 << 32, 5, false},                // 2^32: too large
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0}, 0, 0, false}, // more than 8 bytes
		{[]byte{0x80}, 0, 0, false},                                              // truncated
		{nil, 0, 0, false},
	} {
		if v, n, ok := LEB128(tt.in); v != tt.v || n != tt.n || ok != tt.ok {
			t.Errorf("LEB128(% x) = %d, %d, %v, want %d, %d, %v", tt.in, v, n, ok, tt.v, tt.n, tt.ok)
		}
	}
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<21 - 1, 1 << 28, 0xffffffff} {
		b := appendLEB128(nil, v)
		if got, n, ok := LEB128(b); got != v || n != len(b) || !ok {
			t.Errorf("LEB128(% x) = %d, %d, %v, want %d, %d, true", b, got, n, ok, v, len(b))
		}
	}
}

func join(b ...[]byte) []byte { return bytes.Join(b, nil) }

func TestFilter(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		config  bool
		want    []byte
		removed Removed
		err     string // the error's message, and the offset it names
	}{
		{"kept", join(temporalDelimiter, sequenceHeader, lightLevel, mastering, frame), false,
			join(temporalDelimiter, sequenceHeader, lightLevel, mastering, frame), nil, ""},
		{"T.35, padding and reserved", join(sequenceHeader, t35, frame, obu(OBUPadding, make([]byte, 9)), obu(0, []byte{1}), obu(12, nil)), false,
			join(sequenceHeader, frame), Removed{"Metadata4": {1, 12}, "Padding": {1, 9}, "OBU0": {1, 1}, "OBU12": {1, 0}}, ""},
		{"HDR metadata of the wrong size", join(metadata(1, []byte{1, 2}), frame), false, frame, Removed{"Metadata1": {1, 4}}, ""},
		{"metadata without trailing bits", join(obu(OBUMetadata, []byte{1, 1, 2, 3, 4, 0})), false, nil, Removed{"Metadata1": {1, 6}}, ""},
		{"config", join(sequenceHeader, mastering, temporalDelimiter, frame), true,
			join(sequenceHeader, mastering), Removed{"OBU2": {1, 0}, "OBU6": {1, 5}}, ""},
		{"without size field, to the end", append([]byte{6 << 3}, 1, 2, 3), false, append([]byte{6 << 3}, 1, 2, 3), nil, ""},
		{"extension header", join([]byte{6<<3 | 4 | 2, 0x08, 1, 0xaa}, obu(OBUPadding, []byte{1})), false,
			[]byte{6<<3 | 4 | 2, 0x08, 1, 0xaa}, Removed{"Padding": {1, 1}}, ""},
		{"empty", nil, false, nil, nil, ""},
		{"forbidden bit", join(frame, []byte{0x80 | 6<<3 | 2, 0}), false, nil, nil, "AV1 data: OBU at 7 has its forbidden bit set"},
		{"bad size", join(frame, []byte{6<<3 | 2, 0x80}), false, nil, nil, "AV1 data: bad OBU size at 7"},
		{"past the end", join(frame, []byte{6<<3 | 2, 5, 1}), false, nil, nil, "AV1 data: OBU of 5 bytes at 7 of 10"},
		{"extension byte missing", []byte{6<<3 | 4}, false, nil, nil, "AV1 data: OBU of 0 bytes at 0 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, removed, err := Filter(tt.in, tt.config)
			if err != nil || tt.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Reason != tt.err || !strings.Contains(e.Reason, fmt.Sprintf("at %d", e.Offset)) {
					t.Fatalf("got error %#v, want %q at the offset it names", err, tt.err)
				}
			}
			if !bytes.Equal(out, tt.want) || !reflect.DeepEqual(removed, tt.removed) {
				t.Errorf("got  % x, removed %v\nwant % x, removed %v", out, removed, tt.want, tt.removed)
			}
		})
	}
}

// TestFilterKeepsUnchanged checks that data with nothing to remove comes
// back as it is, not as a copy.
func TestFilterKeepsUnchanged(t *testing.T) {
	for _, config := range []bool{false, true} {
		in := join(sequenceHeader, mastering)
		if out, _, _ := Filter(in, config); len(out) != len(in) || &out[0] != &in[0] {
			t.Errorf("config %v: the data was copied", config)
		}
	}
}

// FuzzFilter filters OBUs as item data or as an 'av1C' configuration, and
// checks that it never panics, that an error is at an offset inside the
// data, that the output is never longer than the input, that filtering the
// output again changes nothing, and that the OBUs kept come out byte for
// byte, in order, and are the input's OBUs of types a decoder reads. The
// committed corpus holds OBUs of real AVIF files; the seeds below add
// metadata, padding and reserved OBUs.
func FuzzFilter(f *testing.F) {
	f.Add(join(temporalDelimiter, sequenceHeader, t35, lightLevel, frame, obu(OBUPadding, []byte{1, 2})), false)
	f.Add(join(sequenceHeader, mastering, metadata(5, []byte{1}), frame), true)
	f.Add(join([]byte{6<<3 | 4 | 2, 0x08, 1, 0xaa}, obu(9, nil), []byte{6 << 3, 1}), false)
	f.Fuzz(func(t *testing.T, data []byte, config bool) {
		out, _, err := Filter(data, config)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset >= len(data) {
				t.Fatalf("error %v is not an *Error at an offset inside the %d bytes", err, len(data))
			}
			return
		}
		if len(out) > len(data) {
			t.Fatalf("output of %d bytes is longer than the input's %d", len(out), len(data))
		}
		again, removed, err := Filter(out, config)
		if err != nil || removed != nil || !bytes.Equal(again, out) {
			t.Fatalf("filtering the output again: %v, removed %v", err, removed)
		}
		// Every OBU of the output is one of the input's, whole and in
		// order: the output is the input with some OBUs cut out.
		rest := data
		for _, o := range obus(t, out) {
			i := bytes.Index(rest, o)
			if i < 0 {
				t.Fatalf("OBU % x is not in what is left of the input", o)
			}
			rest = rest[i+len(o):]
		}
		for _, o := range obus(t, data) {
			if typ := o[0] >> 3 & 15; typ == OBUSequenceHeader && !bytes.Contains(out, o) {
				t.Fatalf("sequence header % x removed", o)
			}
		}
	})
}

// obus splits data that Filter accepted into its OBUs.
func obus(t *testing.T, data []byte) [][]byte {
	var all [][]byte
	for pos := 0; pos < len(data); {
		start := pos
		hdr := data[pos]
		pos += 1 + int(hdr>>2&1)
		size := uint64(len(data) - pos)
		if hdr&2 != 0 {
			v, n, ok := LEB128(data[pos:])
			if !ok {
				t.Fatalf("OBU at %d: bad size", start)
			}
			size, pos = v, pos+n
		}
		pos += int(size)
		all = append(all, data[start:pos])
	}
	return all
}
