package gainmap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// block builds a block from big-endian 32-bit words after a version and
// flags.
func block(minV, writer uint16, flags byte, words ...uint32) []byte {
	b := AppendVersion(nil, Version{minV, writer})
	b = append(b, flags)
	for _, w := range words {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	return b
}

func neg(x int32) uint32 { return uint32(x) }

func TestParse(t *testing.T) {
	common1 := block(0, 0, FlagCommonDenominator, 1000, 0, 2000, neg(-500), 3000, 1000, 0, 0)
	full1 := block(0, 7, FlagUseBaseColorSpace, 0, 1, 13, 10, neg(-1), 2, 3, 1, 1, 1, 1, 64, 1, 64)
	common3 := block(0, 0, FlagMultiChannel|FlagCommonDenominator, append([]uint32{8, 0, 16}, make([]uint32, 15)...)...)
	for i := range 3 {
		binary.BigEndian.PutUint32(common3[5+12+20*i+8:], 8) // gamma 1
	}
	for _, tc := range []struct {
		name     string
		in       []byte
		n        int
		reserved byte
		err      error
		channels int
	}{
		{"common, one channel", common1, len(common1), 0, nil, 1},
		{"full, one channel", full1, len(full1), 0, nil, 1},
		{"common, three channels", common3, len(common3), 0, nil, 3},
		{"long: fields read, rest left", append(append([]byte{}, common1...), "hidden"...), len(common1), 0, nil, 1},
		{"reserved flag bits", block(0, 0, FlagCommonDenominator|0x21, 1000, 0, 2000, 0, 3000, 1000, 0, 0), 5 + 32, 0x21, nil, 1},
		{"short by a byte", common1[:len(common1)-1], 0, 0, ErrShort, 0},
		{"version only", common1[:4], 0, 0, ErrShort, 0},
		{"nothing", nil, 0, 0, ErrShort, 0},
		{"unknown minimum version", block(1, 0, 0), 0, 0, ErrVersion, 0},
		{"zero denominator", block(0, 0, FlagCommonDenominator, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, ErrZero, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, n, reserved, err := Parse(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if n != tc.n || reserved != tc.reserved || len(m.Channels) != tc.channels {
				t.Fatalf("n %d reserved %#x channels %d, want %d %#x %d", n, reserved, len(m.Channels), tc.n, tc.reserved, tc.channels)
			}
			out, err := Append(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if tc.reserved == 0 && !bytes.Equal(out, tc.in[:n]) {
				t.Fatalf("written anew:\n%x\nwant\n%x", out, tc.in[:n])
			}
			m2, n2, _, err := Parse(out)
			if err != nil || n2 != len(out) {
				t.Fatalf("reading back: %v, %d of %d bytes", err, n2, len(out))
			}
			if out2, _ := Append(nil, m2); !bytes.Equal(out2, out) {
				t.Fatal("not stable")
			}
		})
	}
}

func TestVersion(t *testing.T) {
	v, n, err := ParseVersion([]byte{0, 0, 0, 1})
	if err != nil || n != 4 || v != (Version{0, 1}) {
		t.Fatalf("%v %d %v", v, n, err)
	}
	if !bytes.Equal(AppendVersion(nil, v), []byte{0, 0, 0, 1}) {
		t.Fatal("AppendVersion")
	}
	if _, _, err := ParseVersion([]byte{0, 0, 0}); err != ErrShort {
		t.Fatal(err)
	}
}

func TestAppendRefuses(t *testing.T) {
	if _, err := Append(nil, &Metadata{Channels: make([]Channel, 2)}); err == nil {
		t.Fatal("two channels written")
	}
	if _, err := Append(nil, &Metadata{Channels: make([]Channel, 1)}); err == nil {
		t.Fatal("zero denominators written")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(block(0, 0, FlagCommonDenominator, 1000, 0, 2000, 0, 3000, 1000, 0, 0))
	f.Add(block(0, 7, 0, 0, 1, 13, 10, 1, 2, 3, 1, 1, 1, 1, 64, 1, 64, 1, 64))
	f.Add(block(0, 0, FlagMultiChannel))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, n, _, err := Parse(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("read %d of %d bytes", n, len(b))
		}
		out, err := Append(nil, m)
		if err != nil {
			t.Fatalf("a parsed block cannot be written: %v", err)
		}
		if len(out) > n {
			t.Fatalf("written %d bytes from %d", len(out), n)
		}
		m2, n2, reserved, err := Parse(out)
		if err != nil || n2 != len(out) || reserved != 0 {
			t.Fatalf("reading back: %v %d/%d %#x", err, n2, len(out), reserved)
		}
		if out2, _ := Append(nil, m2); !bytes.Equal(out, out2) {
			t.Fatal("not stable")
		}
	})
}
